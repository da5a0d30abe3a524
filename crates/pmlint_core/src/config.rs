//! `pmlint.toml`: parsing and validation. Finding the file on disk is the front ends' job.

use crate::diagnostic::Severity;
use crate::position::{Encoding, LineIndex};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// What the configuration says about one rule or family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    On(Severity),
}

impl RuleSetting {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(RuleSetting::Off),
            other => Severity::parse(other).map(RuleSetting::On),
        }
    }
}

/// A rule setting with the place it was written, to report unknown ids precisely.
#[derive(Clone, Debug)]
pub struct RuleEntry {
    /// Rule id or family name.
    pub key: String,
    pub setting: RuleSetting,
    /// 1-based line and column of the key in the configuration, if it came from a file.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// A parsed configuration. `Config::default()` is what pmlint does with no file.
#[derive(Clone, Debug)]
pub struct Config {
    pub min_severity: Severity,
    pub lint_blockquotes: bool,
    pub rules: Vec<RuleEntry>,
    pub roster: Vec<String>,
    pub allow_names: Vec<String>,
    pub allow_phrases: Vec<String>,
    /// Extra rule files, as written (relative to the configuration file's directory).
    pub rule_files: Vec<String>,
    /// File selection for front ends that walk directories.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_severity: Severity::Info,
            lint_blockquotes: true,
            rules: Vec::new(),
            roster: Vec::new(),
            allow_names: Vec::new(),
            allow_phrases: Vec::new(),
            rule_files: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

/// A configuration problem, with its place in the file when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    min_severity: Option<Spanned<String>>,
    lint_blockquotes: Option<bool>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    roster: Vec<String>,
    #[serde(default)]
    allow_names: Vec<String>,
    #[serde(default)]
    allow_phrases: Vec<String>,
    #[serde(default)]
    rule_files: Vec<String>,
    #[serde(default)]
    files: RawFiles,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

impl Config {
    /// Parses a `pmlint.toml`. Unknown keys and invalid values are errors with line and column.
    pub fn parse(src: &str) -> Result<Config, ConfigError> {
        let idx = LineIndex::new(src);
        let at = |span: std::ops::Range<usize>, message: String| {
            let lc = idx.line_col(src, span.start, Encoding::Scalar);
            ConfigError {
                line: Some(lc.line + 1),
                column: Some(lc.col + 1),
                message,
            }
        };
        let raw: RawConfig = toml::from_str(src).map_err(|e| match e.span() {
            Some(span) => at(span, e.message().trim().to_owned()),
            None => ConfigError {
                line: None,
                column: None,
                message: e.message().trim().to_owned(),
            },
        })?;
        let mut cfg = Config::default();
        if let Some(s) = raw.min_severity {
            cfg.min_severity = Severity::parse(s.get_ref()).ok_or_else(|| {
                at(
                    s.span(),
                    format!(
                        "invalid min-severity `{}`: expected error, warning or info",
                        s.get_ref()
                    ),
                )
            })?;
        }
        if let Some(b) = raw.lint_blockquotes {
            cfg.lint_blockquotes = b;
        }
        for (key, value) in raw.rules {
            let setting = RuleSetting::parse(value.get_ref()).ok_or_else(|| {
                at(
                    value.span(),
                    format!(
                        "invalid setting `{}` for `{}`: expected off, info, warning or error",
                        value.get_ref(),
                        key.get_ref()
                    ),
                )
            })?;
            let lc = idx.line_col(src, key.span().start, Encoding::Scalar);
            cfg.rules.push(RuleEntry {
                key: key.into_inner(),
                setting,
                line: Some(lc.line + 1),
                column: Some(lc.col + 1),
            });
        }
        cfg.roster = raw.roster;
        cfg.allow_names = raw.allow_names;
        cfg.allow_phrases = raw.allow_phrases;
        cfg.rule_files = raw.rule_files;
        cfg.include = raw.files.include;
        cfg.exclude = raw.files.exclude;
        Ok(cfg)
    }

    /// Sets (or replaces) the setting for a rule id or family, as a command line or editor does.
    pub fn set_rule(&mut self, key: &str, setting: RuleSetting) {
        self.rules.retain(|e| e.key != key);
        self.rules.push(RuleEntry {
            key: key.to_owned(),
            setting,
            line: None,
            column: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_config() {
        let c = Config::parse(
            "min-severity = \"warning\"\nroster = [\"Alice\"]\n[rules]\ndramatic-wording = \"off\"\nhindsight = \"error\"\n[files]\nexclude = [\"drafts/**\"]\n",
        )
        .unwrap();
        assert_eq!(c.min_severity, Severity::Warning);
        assert_eq!(c.rules.len(), 2);
        assert_eq!(c.rules[0].setting, RuleSetting::Off);
        assert_eq!(c.rules[0].line, Some(4));
        assert_eq!(c.exclude, vec!["drafts/**"]);
    }

    #[test]
    fn unknown_keys_and_bad_values_have_positions() {
        let e = Config::parse("roster = []\nfrobnicate = 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert!(e.message.contains("frobnicate"), "{e}");
        let e = Config::parse("[rules]\nx = \"loud\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = Config::parse("min-severity = \"high\"").unwrap_err();
        assert_eq!((e.line, e.column), (Some(1), Some(16)));
    }
}
