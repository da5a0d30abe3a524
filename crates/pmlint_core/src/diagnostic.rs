//! The one finding type every front end consumes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info` (as written in configuration and on the command line).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether applying a fix keeps the author's meaning (the ruff model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown as a rewrite idea only; never applied automatically.
    DisplayOnly,
    /// Changes meaning (e.g. a name replaced by a role): applied only with explicit opt-in.
    Unsafe,
    /// Keeps meaning (e.g. deleting "obviously,"): applied by `--fix`.
    Safe,
}

/// One replacement of a byte range of the original text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

/// A mechanical rewrite attached to a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping edits, sorted by start.
    pub edits: Vec<Edit>,
}

/// A finding: a rule matched a byte range of the original text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule's stable kebab-case id.
    pub rule: Arc<str>,
    /// The rule family (named-cause, counterfactual, ...).
    pub family: Arc<str>,
    pub severity: Severity,
    /// Byte range in the original text; always on character boundaries.
    pub range: Range<usize>,
    /// One sentence that says what is wrong and why it hurts.
    pub message: Arc<str>,
    /// Systemic rephrasings to consider, from the rule file.
    pub suggestions: Arc<[String]>,
    pub fixes: Vec<Fix>,
}

/// Applies every fix in `fixes` whose applicability is at least `min`, skipping any fix that
/// overlaps one already taken. Returns the new text and how many fixes were applied.
///
/// Pure, so the CLI, the language server and the rule tests all rewrite text the same way.
pub fn apply_fixes<'a>(
    text: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
    min: Applicability,
) -> (String, usize) {
    let mut edits: Vec<&Edit> = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        if fix.applicability < min {
            continue;
        }
        let overlaps = fix.edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.range.start < t.end.max(t.start + 1)
                    && t.start < e.range.end.max(e.range.start + 1)
            })
        });
        if overlaps
            || fix
                .edits
                .iter()
                .any(|e| e.range.end > text.len() || e.range.start > e.range.end)
        {
            continue;
        }
        applied += 1;
        for e in &fix.edits {
            taken.push(e.range.clone());
            edits.push(e);
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    (out, applied)
}
