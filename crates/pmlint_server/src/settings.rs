//! Client settings: `initializationOptions` and `workspace/didChangeConfiguration`.
//!
//! ```json
//! { "enable": true, "minSeverity": "warning", "rules": { "dramatic-wording": "off" },
//!   "allowedNames": ["Alice"], "allowedPhrases": [], "debounceMs": 150,
//!   "languageIds": ["markdown", "plaintext"] }
//! ```
//! The object may also arrive nested under the key `"pmlint"`. Parsing is tolerant: a field
//! with the wrong type is ignored (and reported) instead of throwing the whole object away.

use pmlint_core::{Config, RuleSetting, Severity};
use serde_json::Value;
use std::time::Duration;

pub(crate) const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);
const MAX_DEBOUNCE: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Settings {
    pub enable: bool,
    pub min_severity: Option<Severity>,
    /// Rule id or family → setting, in the order given.
    pub rules: Vec<(String, RuleSetting)>,
    pub allowed_names: Vec<String>,
    pub allowed_phrases: Vec<String>,
    pub debounce: Duration,
    pub language_ids: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enable: true,
            min_severity: None,
            rules: Vec::new(),
            allowed_names: Vec::new(),
            allowed_phrases: Vec::new(),
            debounce: DEFAULT_DEBOUNCE,
            language_ids: vec!["markdown".into(), "plaintext".into()],
        }
    }
}

const KEYS: &[&str] = &[
    "enable",
    "minSeverity",
    "rules",
    "allowedNames",
    "allowedPhrases",
    "debounceMs",
    "languageIds",
];

/// The settings object inside `value`: `value.pmlint` when present, else `value` itself when it
/// has at least one known key. `None` when `value` says nothing about pmlint (null, `{}`, or
/// another tool's section), so the caller can pull the configuration instead.
pub(crate) fn section(value: &Value) -> Option<&Value> {
    let obj = value.as_object()?;
    if let Some(inner) = obj.get("pmlint") {
        return inner.is_object().then_some(inner);
    }
    KEYS.iter().any(|k| obj.contains_key(*k)).then_some(value)
}

impl Settings {
    /// Parses a settings object (already unwrapped by [`section`]). Returns the settings and a
    /// list of problems worth telling the user about.
    pub(crate) fn parse(v: &Value) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut problems = Vec::new();
        let Some(obj) = v.as_object() else {
            return (s, vec!["pmlint settings must be an object".into()]);
        };
        let mut bad = |key: &str, want: &str| {
            problems.push(format!("pmlint setting `{key}`: expected {want}; ignored"))
        };
        if let Some(x) = obj.get("enable") {
            match x.as_bool() {
                Some(b) => s.enable = b,
                None => bad("enable", "true or false"),
            }
        }
        if let Some(x) = obj.get("minSeverity") {
            match x.as_str().and_then(Severity::parse) {
                Some(sev) => s.min_severity = Some(sev),
                None if x.is_null() => {}
                None => bad("minSeverity", "\"error\", \"warning\" or \"info\""),
            }
        }
        if let Some(x) = obj.get("rules") {
            match x.as_object() {
                Some(map) => {
                    for (k, v) in map {
                        match v.as_str().and_then(RuleSetting::parse) {
                            Some(setting) => s.rules.push((k.clone(), setting)),
                            None => bad(
                                &format!("rules.{k}"),
                                "\"off\", \"error\", \"warning\" or \"info\"",
                            ),
                        }
                    }
                }
                None if x.is_null() => {}
                None => bad("rules", "an object"),
            }
        }
        for (key, target) in [
            ("allowedNames", &mut s.allowed_names),
            ("allowedPhrases", &mut s.allowed_phrases),
        ] {
            if let Some(x) = obj.get(key) {
                match string_list(x) {
                    Some(list) => *target = list,
                    None => bad(key, "a list of strings"),
                }
            }
        }
        if let Some(x) = obj.get("debounceMs") {
            match x.as_f64().filter(|n| n.is_finite() && *n >= 0.0) {
                Some(ms) => s.debounce = Duration::from_millis(ms as u64).min(MAX_DEBOUNCE),
                None if x.is_null() => {}
                None => bad("debounceMs", "a non-negative number"),
            }
        }
        if let Some(x) = obj.get("languageIds") {
            match string_list(x) {
                Some(list) => s.language_ids = list,
                None => bad("languageIds", "a list of strings"),
            }
        }
        (s, problems)
    }

    /// Applies these settings on top of a configuration read from `pmlint.toml`: editor settings
    /// win over the file, allow lists add to it. `keep_rule` filters rule keys (used to drop ids
    /// the rule set does not know).
    pub(crate) fn apply(&self, cfg: &mut Config, keep_rule: &dyn Fn(&str) -> bool) {
        if let Some(sev) = self.min_severity {
            cfg.min_severity = sev;
        }
        for (key, setting) in &self.rules {
            if keep_rule(key) {
                cfg.set_rule(key, *setting);
            }
        }
        cfg.allow_names.extend(self.allowed_names.iter().cloned());
        cfg.allow_phrases
            .extend(self.allowed_phrases.iter().cloned());
    }

    pub(crate) fn handles_language(&self, id: &str) -> bool {
        self.language_ids.iter().any(|l| l == id)
    }
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    if v.is_null() {
        return Some(Vec::new());
    }
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_and_bare_objects() {
        let nested = json!({"pmlint": {"debounceMs": 0, "rules": {"hindsight-obvious": "off"}}});
        let (s, p) = Settings::parse(section(&nested).unwrap());
        assert!(p.is_empty());
        assert_eq!(s.debounce, Duration::ZERO);
        assert_eq!(
            s.rules,
            vec![("hindsight-obvious".to_string(), RuleSetting::Off)]
        );
        let bare = json!({"minSeverity": "warning", "allowedNames": ["Bob"]});
        let (s, _) = Settings::parse(section(&bare).unwrap());
        assert_eq!(s.min_severity, Some(Severity::Warning));
        assert_eq!(s.allowed_names, vec!["Bob"]);
        assert!(section(&json!(null)).is_none());
        assert!(section(&json!({})).is_none());
        assert!(section(&json!({"other": {"enable": true}})).is_none());
    }

    #[test]
    fn bad_fields_are_reported_not_fatal() {
        let v = json!({"enable": "yes", "minSeverity": "loud", "rules": {"x": 3}, "debounceMs": -1, "allowedNames": "Bob"});
        let (s, p) = Settings::parse(&v);
        assert_eq!(s, Settings::default());
        assert_eq!(p.len(), 5, "{p:?}");
    }
}
