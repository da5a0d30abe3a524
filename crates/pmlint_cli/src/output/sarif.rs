//! `--format sarif`: SARIF 2.1.0.
//!
//! Columns: SARIF's default column unit is the UTF-16 code unit; pmlint sets the run's
//! `columnKind` to `unicodeCodePoints` and writes columns in Unicode scalar values, the same
//! numbers as every other format. `endColumn` is the column just past the region, as SARIF
//! requires. Byte offsets (`byteOffset`/`byteLength`) count from the start of the file, including a
//! byte order mark.

use super::Report;
use pmlint_core::{Applicability, Rule, Severity};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes a relative path for an artifact URI (RFC 3986: unreserved characters and `/`
/// stay, everything else is encoded byte by byte).
pub fn uri_path(path: &str) -> String {
    let mut out = String::new();
    let path = path.replace('\\', "/");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn artifact_location(display: &str) -> Value {
    if display.starts_with('/') {
        json!({ "uri": format!("file://{}", uri_path(display)) })
    } else {
        json!({ "uri": uri_path(display), "uriBaseId": "%SRCROOT%" })
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    let doc = rule.documentation();
    json!({
        "id": rule.id,
        "name": camel(&rule.id),
        "shortDescription": { "text": rule.message },
        "fullDescription": { "text": rule.why },
        "help": { "text": doc, "markdown": doc },
        "defaultConfiguration": { "level": level(rule.default_severity), "enabled": rule.enabled_by_default },
        "properties": { "family": rule.family, "tags": ["blameless", rule.family] },
    })
}

/// `named-person-lapse` → `NamedPersonLapse` (SARIF's `name` is an identifier-like label).
fn camel(id: &str) -> String {
    id.split('-')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

pub fn render(report: &Report) -> String {
    // The rules that have results, by id, described from the first configuration's rule set that
    // has them (every rule set holds the embedded rules plus that configuration's user rules).
    let used: std::collections::BTreeSet<&str> = report.findings().map(|f| &*f.diag.rule).collect();
    let mut rules: BTreeMap<&str, &Rule> = BTreeMap::new();
    for set in &report.rule_sets {
        for r in set.rules().iter().filter(|r| used.contains(r.id.as_str())) {
            rules.entry(r.id.as_str()).or_insert(r);
        }
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let descriptors: Vec<Value> = rules.values().map(|r| rule_descriptor(r)).collect();

    let mut results = Vec::new();
    for file in &report.files {
        let text = file.text.as_deref().unwrap_or("");
        for f in &file.findings {
            let d = &f.diag;
            let region = |start: super::Pos, end: super::Pos, range: &std::ops::Range<usize>| {
                json!({
                    "startLine": start.line,
                    "startColumn": start.column,
                    "endLine": end.line,
                    "endColumn": end.column,
                    "byteOffset": range.start + f.byte_shift,
                    "byteLength": range.end - range.start,
                })
            };
            let mut main_region = region(f.start, f.end, &d.range);
            if let Some(snippet) = text.get(d.range.clone()) {
                main_region["snippet"] = json!({ "text": snippet });
            }
            let mut message = d.message.to_string();
            if let Some(s) = d.suggestions.first() {
                message.push_str(" Write instead: ");
                message.push_str(s);
            }
            let mut result = json!({
                "ruleId": d.rule.as_ref(),
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&file.display),
                        "region": main_region,
                    }
                }],
                "properties": { "family": d.family.as_ref() },
            });
            if let Some(i) = index.get(&*d.rule) {
                result["ruleIndex"] = json!(i);
            }
            let fixes: Vec<Value> = d
                .fixes
                .iter()
                .zip(&f.edits)
                .filter(|(fix, _)| fix.applicability > Applicability::DisplayOnly)
                .map(|(fix, positions)| {
                    let replacements: Vec<Value> = fix
                        .edits
                        .iter()
                        .zip(positions)
                        .map(|(e, p)| {
                            json!({
                                "deletedRegion": region(p.start, p.end, &e.range),
                                "insertedContent": { "text": e.replacement },
                            })
                        })
                        .collect();
                    json!({
                        "description": { "text": format!("{} ({} fix)", fix.title, super::json::applicability_str(fix.applicability)) },
                        "artifactChanges": [{
                            "artifactLocation": artifact_location(&file.display),
                            "replacements": replacements,
                        }],
                    })
                })
                .collect();
            if !fixes.is_empty() {
                result["fixes"] = json!(fixes);
            }
            results.push(result);
        }
    }

    let notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            let mut n = json!({ "level": "error", "message": { "text": p.to_string() }, "descriptor": { "id": p.kind.as_str() } });
            if let Some(path) = &p.path {
                let mut loc = json!({ "physicalLocation": { "artifactLocation": artifact_location(path) } });
                if let Some(line) = p.line {
                    let mut region = json!({ "startLine": line });
                    if let Some(c) = p.column {
                        region["startColumn"] = json!(c);
                    }
                    loc["physicalLocation"]["region"] = region;
                }
                n["locations"] = json!([loc]);
            }
            n
        })
        .collect();

    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pmlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": descriptors,
                }
            },
            "invocations": [{
                "executionSuccessful": report.problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).expect("serializable");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri_path("docs/post mortem/ü#1.md"),
            "docs/post%20mortem/%C3%BC%231.md"
        );
        assert_eq!(camel("named-person-lapse"), "NamedPersonLapse");
    }
}
