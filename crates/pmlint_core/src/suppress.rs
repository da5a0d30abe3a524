//! Inline suppression directives.
//!
//! Markdown: `<!-- pmlint-disable rule-a rule-b -->` … `<!-- pmlint-enable -->` and
//! `<!-- pmlint-disable-next-line rule-a -->`; no ids means every rule. Plain text: the same
//! directives on a line of their own, with or without the comment markers.

use crate::position::LineIndex;
use crate::Diagnostic;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectiveKind {
    Disable,
    Enable,
    DisableNextLine,
}

/// One parsed directive. An empty `rules` list means all rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub kind: DirectiveKind,
    pub rules: Vec<String>,
    /// Byte offset of the directive in the source.
    pub offset: usize,
}

/// Parses `s` (an HTML fragment, or a plain-text line) as a directive.
pub(crate) fn parse_directive(s: &str, offset: usize, require_comment: bool) -> Option<Directive> {
    let s = s.trim();
    let body = match s.strip_prefix("<!--").and_then(|r| r.strip_suffix("-->")) {
        Some(inner) => inner.trim(),
        None if require_comment => return None,
        None => s,
    };
    let rest = body.strip_prefix("pmlint-")?;
    let (kind, rest) = if let Some(r) = rest.strip_prefix("disable-next-line") {
        (DirectiveKind::DisableNextLine, r)
    } else if let Some(r) = rest.strip_prefix("disable") {
        (DirectiveKind::Disable, r)
    } else if let Some(r) = rest.strip_prefix("enable") {
        (DirectiveKind::Enable, r)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let rules = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    Some(Directive {
        kind,
        rules,
        offset,
    })
}

/// Removes the diagnostics that directives suppress.
pub(crate) fn apply(
    text: &str,
    index: &LineIndex,
    directives: &[Directive],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if directives.is_empty() {
        return;
    }
    // Each disable opens an interval [offset, end) for its ids; an enable closes the matching
    // open intervals (all of them when it names no id).
    struct Interval<'a> {
        rules: &'a [String],
        range: std::ops::Range<usize>,
    }
    let mut intervals: Vec<Interval<'_>> = Vec::new();
    let mut open: Vec<(usize, &[String])> = Vec::new();
    for d in directives {
        match d.kind {
            DirectiveKind::Disable => open.push((d.offset, &d.rules)),
            DirectiveKind::Enable => {
                open.retain(|(start, rules)| {
                    let closes = d.rules.is_empty()
                        || rules.is_empty()
                        || rules.iter().all(|r| d.rules.contains(r));
                    if closes {
                        intervals.push(Interval {
                            rules,
                            range: *start..d.offset,
                        });
                    }
                    !closes
                });
            }
            DirectiveKind::DisableNextLine => {
                let mut line = index.line_of(d.offset) + 1;
                // The next line with content: a blank line between comment and text is common.
                while let Some(r) = index.line_range(text, line) {
                    if !text[r.clone()].trim().is_empty() {
                        intervals.push(Interval {
                            rules: &d.rules,
                            range: r,
                        });
                        break;
                    }
                    line += 1;
                }
            }
        }
    }
    for (start, rules) in open {
        intervals.push(Interval {
            rules,
            range: start..text.len(),
        });
    }
    diagnostics.retain(|diag| {
        !intervals.iter().any(|iv| {
            iv.range.start <= diag.range.start
                && diag.range.start < iv.range.end.max(iv.range.start + 1)
                && (iv.rules.is_empty()
                    || iv
                        .rules
                        .iter()
                        .any(|r| **r == *diag.rule || **r == *diag.family))
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let d = parse_directive("<!-- pmlint-disable a, b -->", 3, true).unwrap();
        assert_eq!(d.kind, DirectiveKind::Disable);
        assert_eq!(d.rules, vec!["a", "b"]);
        assert_eq!(d.offset, 3);
        assert!(parse_directive("<!-- pmlint-disablex -->", 0, true).is_none());
        assert!(parse_directive("pmlint-enable", 0, true).is_none());
        assert_eq!(
            parse_directive("pmlint-disable-next-line", 0, false)
                .unwrap()
                .kind,
            DirectiveKind::DisableNextLine
        );
    }
}
