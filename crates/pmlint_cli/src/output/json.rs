//! `--format json`: the versioned schema documented in docs/json-output.md and
//! docs/pmlint-output.schema.json. Bump [`VERSION`] on any incompatible change.

use super::{Pos, Report};
use serde::Serialize;

/// The schema version written as `"version"`.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<Finding<'a>>,
    errors: Vec<Error<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

impl From<Pos> for Position {
    fn from(p: Pos) -> Self {
        Position {
            line: p.line,
            column: p.column,
        }
    }
}

#[derive(Serialize)]
struct Offsets {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct Finding<'a> {
    path: &'a str,
    rule: &'a str,
    family: &'a str,
    severity: &'static str,
    message: &'a str,
    start: Position,
    end: Position,
    byte_offsets: Offsets,
    suggestions: &'a [String],
    fixes: Vec<Fix<'a>>,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    start: Position,
    end: Position,
    byte_offsets: Offsets,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Error<'a> {
    path: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    kind: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files_checked: usize,
    findings: usize,
    by_severity: BySeverity,
    fixed: usize,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
}

pub fn applicability_str(a: pmlint_core::Applicability) -> &'static str {
    match a {
        pmlint_core::Applicability::Safe => "safe",
        pmlint_core::Applicability::Unsafe => "unsafe",
        pmlint_core::Applicability::DisplayOnly => "display-only",
    }
}

pub fn render(report: &Report) -> String {
    use pmlint_core::Severity;
    let mut findings = Vec::new();
    for file in &report.files {
        for f in &file.findings {
            let d = &f.diag;
            let shift = f.byte_shift;
            findings.push(Finding {
                path: &file.display,
                rule: &d.rule,
                family: &d.family,
                severity: d.severity.as_str(),
                message: &d.message,
                start: f.start.into(),
                end: f.end.into(),
                byte_offsets: Offsets {
                    start: d.range.start + shift,
                    end: d.range.end + shift,
                },
                suggestions: &d.suggestions,
                fixes: d
                    .fixes
                    .iter()
                    .zip(&f.edits)
                    .map(|(fix, positions)| Fix {
                        title: &fix.title,
                        applicability: applicability_str(fix.applicability),
                        edits: fix
                            .edits
                            .iter()
                            .zip(positions)
                            .map(|(e, p)| Edit {
                                start: p.start.into(),
                                end: p.end.into(),
                                byte_offsets: Offsets {
                                    start: e.range.start + shift,
                                    end: e.range.end + shift,
                                },
                                replacement: &e.replacement,
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
    }
    let errors = report
        .problems
        .iter()
        .map(|p| Error {
            path: p.path.as_deref(),
            line: p.line,
            column: p.column,
            kind: p.kind.as_str(),
            message: &p.message,
        })
        .collect();
    let out = Output {
        version: VERSION,
        tool: Tool {
            name: "pmlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files_checked: report.checked,
            findings: findings.len(),
            by_severity: BySeverity {
                error: report.count(Severity::Error),
                warning: report.count(Severity::Warning),
                info: report.count(Severity::Info),
            },
            fixed: report.files.iter().map(|f| f.fixed).sum(),
        },
        findings,
        errors,
    };
    let mut s = serde_json::to_string_pretty(&out).expect("serializable");
    s.push('\n');
    s
}
