//! `--select`, `--ignore` and `--min-severity`: command-line flags that win over the
//! configuration file.
//!
//! Flags for embedded rules (and their families) are applied to the configuration before the
//! linter is built, so de-selected rules do not even run. Rules from user rule files are not known
//! until a configuration is loaded, so every finding is also filtered after linting; that is what
//! makes `--select custom-rule` and `--ignore custom-family` work.

use pmlint_core::{Config, Diagnostic, RuleSet, RuleSetting, Severity};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The command-line rule selection.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `Some`: only these ids/families are on.
    pub select: Option<BTreeSet<String>>,
    pub ignore: BTreeSet<String>,
    pub min_severity: Option<Severity>,
}

struct EmbeddedRule {
    id: String,
    family: String,
    default: (bool, Severity),
}

impl Selection {
    /// Keys given on the command line that are neither an embedded rule id nor a family. They may
    /// still name a user rule; the caller checks them against the loaded rule sets.
    pub fn unknown_to_embedded(&self, embedded: &RuleSet) -> Vec<String> {
        let known = |k: &str| {
            pmlint_core::FAMILIES.contains(&k)
                || embedded.rules().iter().any(|r| r.id == k || r.family == k)
        };
        self.select
            .iter()
            .flatten()
            .chain(&self.ignore)
            .filter(|k| !known(k))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// The configuration override to hand to `LinterFactory::new`.
    pub fn overrides(&self, embedded: &RuleSet) -> impl Fn(&mut Config) + Send + Sync + 'static {
        let rules: Vec<EmbeddedRule> = embedded
            .rules()
            .iter()
            .map(|r| EmbeddedRule {
                id: r.id.clone(),
                family: r.family.clone(),
                default: (r.enabled_by_default, r.default_severity),
            })
            .collect();
        let sel = self.clone();
        move |config: &mut Config| sel.apply(&rules, config)
    }

    /// The override when no rule names were given (only `--min-severity`).
    pub fn overrides_without_rule_names(&self) -> impl Fn(&mut Config) + Send + Sync + 'static {
        let min = self.min_severity;
        move |config: &mut Config| {
            if let Some(min) = min {
                config.min_severity = min;
            }
        }
    }

    fn apply(&self, rules: &[EmbeddedRule], config: &mut Config) {
        if let Some(min) = self.min_severity {
            config.min_severity = min;
        }
        if self.select.is_none() && self.ignore.is_empty() {
            return;
        }
        let effective = effective_settings(rules, config);
        for r in rules {
            let named = |set: &BTreeSet<String>| set.contains(&r.id) || set.contains(&r.family);
            let (on, sev) = effective[r.id.as_str()];
            let setting = if named(&self.ignore) {
                RuleSetting::Off
            } else if let Some(select) = &self.select {
                if named(select) {
                    // Selecting a rule turns it on, keeping the severity the configuration gave it.
                    RuleSetting::On(if on { sev } else { r.default.1 })
                } else {
                    RuleSetting::Off
                }
            } else {
                continue;
            };
            config.set_rule(&r.id, setting);
        }
    }

    /// Whether a finding survives the command-line selection (for rules from user rule files).
    pub fn keeps(&self, d: &Diagnostic) -> bool {
        let named = |set: &BTreeSet<String>| set.contains(&*d.rule) || set.contains(&*d.family);
        !named(&self.ignore) && self.select.as_ref().is_none_or(named)
    }
}

/// What the configuration makes of each embedded rule, resolved the way `Linter::new` does:
/// family entries first, then rule ids.
fn effective_settings<'a>(
    rules: &'a [EmbeddedRule],
    config: &Config,
) -> HashMap<&'a str, (bool, Severity)> {
    let mut map: HashMap<&str, (bool, Severity)> =
        rules.iter().map(|r| (r.id.as_str(), r.default)).collect();
    for families in [true, false] {
        for entry in &config.rules {
            let is_family = rules.iter().any(|r| r.family == entry.key);
            if is_family != families {
                continue;
            }
            for r in rules
                .iter()
                .filter(|r| r.id == entry.key || (is_family && r.family == entry.key))
            {
                let s = map.get_mut(r.id.as_str()).expect("known rule");
                *s = match entry.setting {
                    RuleSetting::Off => (false, s.1),
                    RuleSetting::On(sev) => (true, sev),
                };
            }
        }
    }
    map
}

/// All ids and families of a rule set, for "did you mean" and validation.
pub fn names(rules: &RuleSet) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = pmlint_core::FAMILIES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for r in rules.rules() {
        out.insert(r.id.clone());
        out.insert(r.family.clone());
    }
    out
}

/// Loads the embedded rules once.
pub fn embedded() -> Arc<RuleSet> {
    Arc::new(RuleSet::embedded().0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pmlint_core::{DocumentKind, Linter};

    fn lint_with(sel: &Selection, config_src: &str, text: &str) -> Vec<String> {
        let rules = embedded();
        let mut config = Config::parse(config_src).unwrap();
        (sel.overrides(&rules))(&mut config);
        let linter = Linter::new(rules, &config).unwrap();
        linter
            .lint(text, DocumentKind::Markdown)
            .into_iter()
            .filter(|d| sel.keeps(d))
            .map(|d| format!("{}:{}", d.rule, d.severity))
            .collect()
    }

    const TEXT: &str =
        "Obviously, the deploy broke the cache. Bob forgot to renew the certificate.\n";

    #[test]
    fn select_keeps_configured_severity_and_ignore_wins() {
        let all = lint_with(&Selection::default(), "", TEXT);
        assert_eq!(
            all,
            ["hindsight-obvious:warning", "named-person-lapse:warning"]
        );
        let select = Selection {
            select: Some(["hindsight".to_owned()].into()),
            ..Default::default()
        };
        assert_eq!(
            lint_with(&select, "[rules]\nhindsight-obvious = \"error\"\n", TEXT),
            ["hindsight-obvious:error"]
        );
        // Selecting a rule the configuration turned off turns it back on.
        assert_eq!(
            lint_with(&select, "[rules]\nhindsight = \"off\"\n", TEXT),
            ["hindsight-obvious:warning"]
        );
        let ignore = Selection {
            ignore: ["named-cause".to_owned()].into(),
            ..Default::default()
        };
        assert_eq!(
            lint_with(&ignore, "[rules]\nnamed-person-lapse = \"error\"\n", TEXT),
            ["hindsight-obvious:warning"]
        );
    }
}
