//! Output formats. Every renderer takes the same [`Report`] and returns the text for stdout.

mod compact;
mod github;
mod human;
pub mod json;
mod sarif;

use crate::commands::check::FixMode;
use crate::files::Problem;
use pmlint_core::{Applicability, Diagnostic, Encoding, LineIndex, RuleSet, Severity};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style snippets with the words underlined, the suggestion and the fix.
    Human,
    /// One line per finding: `path:line:column: severity [rule] message`.
    Compact,
    /// Versioned JSON (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// A 1-based line and column, the column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// Where an edit of a fix sits.
#[derive(Clone, Debug)]
pub struct EditPos {
    pub start: Pos,
    pub end: Pos,
}

/// A diagnostic with its positions worked out.
#[derive(Clone, Debug)]
pub struct Finding {
    pub diag: Diagnostic,
    pub start: Pos,
    pub end: Pos,
    /// Added to the diagnostic's byte offsets to make them offsets into the file's bytes (3 when
    /// the file starts with a UTF-8 byte order mark, else 0).
    pub byte_shift: usize,
    /// Per fix, per edit.
    pub edits: Vec<Vec<EditPos>>,
}

impl Finding {
    pub fn locate(text: &str, bom: bool, diags: Vec<Diagnostic>) -> Vec<Finding> {
        if diags.is_empty() {
            return Vec::new();
        }
        let index = LineIndex::new(text);
        let pos = |offset: usize| {
            let lc = index.line_col(text, offset, Encoding::Scalar);
            Pos {
                line: lc.line + 1,
                column: lc.col + 1,
            }
        };
        diags
            .into_iter()
            .map(|d| Finding {
                start: pos(d.range.start),
                end: pos(d.range.end),
                byte_shift: if bom { 3 } else { 0 },
                edits: d
                    .fixes
                    .iter()
                    .map(|f| {
                        f.edits
                            .iter()
                            .map(|e| EditPos {
                                start: pos(e.range.start),
                                end: pos(e.range.end),
                            })
                            .collect()
                    })
                    .collect(),
                diag: d,
            })
            .collect()
    }

    pub fn best_fix_applicability(&self) -> Option<Applicability> {
        self.diag.fixes.iter().map(|f| f.applicability).max()
    }
}

/// The findings of one file.
#[derive(Debug)]
pub struct FileReport {
    pub display: String,
    /// The text the findings refer to (kept only when there are findings).
    pub text: Option<String>,
    pub findings: Vec<Finding>,
    /// Fixes applied (or, with `--diff`, that would be applied).
    pub fixed: usize,
    pub diff: Option<String>,
}

/// Everything a renderer needs.
#[derive(Debug)]
pub struct Report {
    /// Sorted by path; findings sorted by position.
    pub files: Vec<FileReport>,
    pub problems: Vec<Problem>,
    /// Documents linted (or attempted).
    pub checked: usize,
    pub fix_mode: FixMode,
    pub unsafe_fixes: bool,
    /// The rule sets of the configurations in use (to describe rules in SARIF).
    pub rule_sets: Vec<Arc<RuleSet>>,
}

impl Report {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|f| &f.findings)
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.findings().filter(|f| f.diag.severity == sev).count()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `3 findings (2 warnings, 1 error) in 2 files; 1 fixable with --fix`.
pub fn summary_line(report: &Report) -> String {
    let total = report.findings().count();
    let mut s = if total == 0 {
        format!("No findings in {}", plural(report.checked, "file"))
    } else {
        let mut parts = Vec::new();
        for (sev, word) in [
            (Severity::Warning, "warning"),
            (Severity::Error, "error"),
            (Severity::Info, "info"),
        ] {
            let n = report.count(sev);
            if n > 0 {
                parts.push(if sev == Severity::Info {
                    format!("{n} info")
                } else {
                    plural(n, word)
                });
            }
        }
        let with = report
            .files
            .iter()
            .filter(|f| !f.findings.is_empty())
            .count();
        format!(
            "{} ({}) in {}",
            plural(total, "finding"),
            parts.join(", "),
            plural(with, "file")
        )
    };
    let fixed: usize = report.files.iter().map(|f| f.fixed).sum();
    let count_fixable = |app: Applicability| {
        report
            .findings()
            .filter(|f| f.best_fix_applicability() == Some(app))
            .count()
    };
    let (safe, unsafe_) = (
        count_fixable(Applicability::Safe),
        count_fixable(Applicability::Unsafe),
    );
    match report.fix_mode {
        FixMode::Off if report.unsafe_fixes => {
            if safe + unsafe_ > 0 {
                s.push_str(&format!(
                    "; {} fixable with --fix --unsafe-fixes",
                    safe + unsafe_
                ));
            }
        }
        FixMode::Off => {
            if safe > 0 {
                s.push_str(&format!("; {safe} fixable with --fix"));
            }
            if unsafe_ > 0 {
                let more = if safe > 0 { "more" } else { "fixable" };
                s.push_str(&format!("; {unsafe_} {more} with --fix --unsafe-fixes"));
            }
        }
        FixMode::Write(_) | FixMode::Diff(_) => {
            let (verb, changed) = match report.fix_mode {
                FixMode::Diff(_) => (
                    "would fix",
                    report.files.iter().filter(|f| f.diff.is_some()).count(),
                ),
                _ => ("fixed", report.files.iter().filter(|f| f.fixed > 0).count()),
            };
            s.push_str(&format!(
                "; {verb} {} in {}",
                plural(fixed, "finding"),
                plural(changed, "file")
            ));
            if !report.unsafe_fixes && unsafe_ > 0 && report.fix_mode != FixMode::Off {
                // With --diff the findings are those of the unfixed file; safe ones are in the diff.
                s.push_str(&format!("; {unsafe_} more with --unsafe-fixes"));
            }
        }
    }
    if !report.problems.is_empty() {
        s.push_str(&format!(
            "; {} (see stderr)",
            plural(report.problems.len(), "problem")
        ));
    }
    s
}

pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Compact => compact::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// `--statistics`: findings per rule, most frequent first.
pub fn statistics(report: &Report, format: Format) -> String {
    let mut by_rule: BTreeMap<&str, (usize, usize, Severity, &str)> = BTreeMap::new();
    for f in report.findings() {
        let e = by_rule
            .entry(&f.diag.rule)
            .or_insert((0, 0, f.diag.severity, &f.diag.family));
        e.0 += 1;
        if f.best_fix_applicability() >= Some(Applicability::Unsafe) {
            e.1 += 1;
        }
        e.2 = e.2.max(f.diag.severity);
    }
    let mut rows: Vec<_> = by_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    if format == Format::Json {
        let stats: Vec<serde_json::Value> = rows
            .iter()
            .map(|(rule, (n, fixable, sev, family))| {
                serde_json::json!({"rule": rule, "family": family, "severity": sev.as_str(), "count": n, "fixable": fixable})
            })
            .collect();
        let v = serde_json::json!({"version": json::VERSION, "statistics": stats});
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&v).expect("serializable")
        );
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|r| r.1 .0.to_string().len())
        .max()
        .unwrap_or(1);
    let mut s = String::new();
    for (rule, (n, fixable, sev, _)) in &rows {
        let fix = if *fixable > 0 {
            format!("{fixable} fixable")
        } else {
            String::new()
        };
        s.push_str(format!("{n:>count_width$}  {rule:<width$}  {sev:<7}  {fix}").trim_end());
        s.push('\n');
    }
    s.push_str(&summary_line(report));
    s.push('\n');
    s
}
