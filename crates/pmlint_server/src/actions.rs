//! The pieces of the code actions that do not touch the protocol: the suppression comment, and
//! which name or phrase to allow so that a finding really goes away.

use crate::resolve::Resolved;
use pmlint_core::text::{tokenize, TokenKind};
use pmlint_core::{Config, Diagnostic, DocumentKind, Linter};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The line to insert above line `line_range` to silence `rule` on it: the suppression directive
/// with the line's indentation and the document's line ending.
pub(crate) fn disable_line(
    text: &str,
    line_range: Range<usize>,
    rule: &str,
    kind: DocumentKind,
) -> String {
    let line = &text[line_range];
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = crate::tomledit::line_ending(text);
    match kind {
        DocumentKind::Markdown => format!("{indent}<!-- pmlint-disable-next-line {rule} -->{eol}"),
        DocumentKind::PlainText => format!("{indent}pmlint-disable-next-line {rule}{eol}"),
    }
}

/// Above this size the whole text is never re-linted to check an allow entry.
const WHOLE_TEXT_LIMIT: usize = 200_000;

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Texts to re-lint when checking an allow entry, with the finding's range in each: first the
/// finding's paragraph (after the heading of its section, for rules limited to sections), then
/// the whole text when it is small enough.
fn contexts(text: &str, kind: DocumentKind, range: &Range<usize>) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    // Paragraph: up to the blank lines around the finding.
    let mut start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    while start > 0 {
        let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        if is_blank(&text[prev..start]) {
            break;
        }
        start = prev;
    }
    let mut end = range.end;
    loop {
        let next = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        if next >= text.len() || is_blank(text[next..].split('\n').next().unwrap_or("")) {
            end = next.min(text.len());
            break;
        }
        end = next;
    }
    let mut snippet = String::new();
    if kind == DocumentKind::Markdown {
        let heading = text[..start]
            .lines()
            .rev()
            .find(|l| l.starts_with('#'))
            .filter(|l| !text[start..end].starts_with(*l));
        if let Some(h) = heading {
            snippet.push_str(h);
            snippet.push_str("\n\n");
        }
    }
    let shift = snippet.len();
    snippet.push_str(&text[start..end]);
    out.push((
        snippet,
        range.start - start + shift..range.end - start + shift,
    ));
    if text.len() <= WHOLE_TEXT_LIMIT {
        out.push((text.to_owned(), range.clone()));
    }
    out
}

fn finds(
    linter: &Linter,
    text: &str,
    kind: DocumentKind,
    rule: &str,
    range: &Range<usize>,
) -> bool {
    linter.lint(text, kind).iter().any(|d| {
        &*d.rule == rule
            && d.range.start < range.end.max(range.start + 1)
            && range.start < d.range.end.max(d.range.start + 1)
    })
}

/// Whether adding to the configuration with `change` makes the finding `d` go away: checked on
/// the first context (see [`contexts`]) where the current configuration reproduces it.
fn silences(
    resolved: &Resolved,
    text: &str,
    kind: DocumentKind,
    d: &Diagnostic,
    change: impl FnOnce(&mut Config),
) -> bool {
    let mut cfg = resolved.config.clone();
    change(&mut cfg);
    let Ok(linter) = Linter::new(resolved.linter.rule_set().clone(), &cfg) else {
        return false;
    };
    for (snippet, range) in contexts(text, kind, &d.range) {
        if finds(&resolved.linter, &snippet, kind, &d.rule, &range) {
            return !finds(&linter, &snippet, kind, &d.rule, &range);
        }
    }
    false
}

/// The person's name in a named-cause finding: the token which, added to `allow-names`, makes
/// the finding go away. Tokens the fix would replace are tried first, then handles and
/// capitalised words.
pub(crate) fn name_to_allow(
    resolved: &Resolved,
    text: &str,
    kind: DocumentKind,
    d: &Diagnostic,
) -> Option<String> {
    let mut spans: Vec<Range<usize>> = d
        .fixes
        .iter()
        .flat_map(|f| f.edits.iter().map(|e| e.range.clone()))
        .collect();
    spans.push(d.range.clone());
    let mut ranked: Vec<(u8, String)> = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        if span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            continue;
        }
        for t in tokenize(text, span.clone()) {
            let rank = match t.kind {
                TokenKind::Handle | TokenKind::Email => 0,
                TokenKind::Word if t.capitalized && !t.all_caps => 1,
                TokenKind::Word => 2,
                _ => continue,
            };
            let rank = rank + if i + 1 < spans.len() { 0 } else { 3 };
            let name = t
                .text
                .trim_start_matches('@')
                .trim_end_matches('@')
                .to_owned();
            if !name.is_empty() && !ranked.iter().any(|(_, n)| *n == name) {
                ranked.push((rank, name));
            }
        }
    }
    ranked.sort_by_key(|(r, _)| *r);
    ranked
        .into_iter()
        .take(6)
        .map(|(_, n)| n)
        .find(|n| silences(resolved, text, kind, d, |c| c.allow_names.push(n.clone())))
}

/// The phrase to add to `allow-phrases` for a finding: its words as the linter compares them
/// (lower case, contractions expanded), provided that this silences the finding.
pub(crate) fn phrase_to_allow(
    resolved: &Resolved,
    text: &str,
    kind: DocumentKind,
    d: &Diagnostic,
) -> Option<String> {
    if d.range.end > text.len()
        || !text.is_char_boundary(d.range.start)
        || !text.is_char_boundary(d.range.end)
    {
        return None;
    }
    let words: Vec<String> = tokenize(text, d.range.clone())
        .iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| t.lower.to_string())
        .collect();
    if words.is_empty() {
        return None;
    }
    let phrase = words.join(" ");
    silences(resolved, text, kind, d, |c| {
        c.allow_phrases.push(phrase.clone())
    })
    .then_some(phrase)
}

/// Where "allow" edits go when no configuration file applies yet: the directory where
/// discovery for `doc_dir` would stop (the repository root, or the workspace folder that holds
/// the document), else the document's directory.
pub(crate) fn new_config_dir(doc_dir: &Path, folders: &[PathBuf]) -> PathBuf {
    let folder = folders
        .iter()
        .filter(|f| doc_dir.starts_with(f))
        .max_by_key(|f| f.as_os_str().len());
    let mut cur = Some(doc_dir);
    while let Some(d) = cur {
        if d.join(".git").exists() || Some(d) == folder.map(PathBuf::as_path) {
            return d.to_owned();
        }
        cur = d.parent();
    }
    folder.cloned().unwrap_or_else(|| doc_dir.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn resolved(cfg: Config) -> Resolved {
        let (rules, _) = pmlint_core::RuleSet::embedded();
        let linter = Linter::new(Arc::new(rules), &cfg).unwrap();
        Resolved {
            config_path: None,
            config: cfg,
            linter: Arc::new(linter),
        }
    }

    #[test]
    fn finds_the_name_and_the_phrase() {
        let r = resolved(Config::default());
        let text =
            "# Root cause\n\nBob forgot to renew the certificate. Obviously, this was bad.\n";
        let ds = r.linter.lint(text, DocumentKind::Markdown);
        let named = ds
            .iter()
            .find(|d| &*d.family == "named-cause")
            .expect("named finding");
        assert_eq!(
            name_to_allow(&r, text, DocumentKind::Markdown, named).as_deref(),
            Some("Bob")
        );
        let obvious = ds
            .iter()
            .find(|d| &*d.rule == "hindsight-obvious")
            .expect("hindsight finding");
        assert_eq!(
            phrase_to_allow(&r, text, DocumentKind::Markdown, obvious).as_deref(),
            Some("obviously")
        );
    }

    #[test]
    fn paragraph_context_keeps_the_heading() {
        let text = "# Root cause\n\nintro\n\nline one\nBob forgot it.\nline three\n\nlater\n";
        let at = text.find("Bob").unwrap();
        let ctx = contexts(text, DocumentKind::Markdown, &(at..at + 3));
        assert_eq!(
            ctx[0].0,
            "# Root cause\n\nline one\nBob forgot it.\nline three\n"
        );
        assert_eq!(&ctx[0].0[ctx[0].1.clone()], "Bob");
        assert_eq!(ctx[1].0, text);
    }

    #[test]
    fn disable_line_keeps_indent_and_line_ending() {
        let text = "a\r\n  Obviously, x.\r\n";
        assert_eq!(
            disable_line(text, 3..16, "hindsight-obvious", DocumentKind::Markdown),
            "  <!-- pmlint-disable-next-line hindsight-obvious -->\r\n"
        );
        assert_eq!(
            disable_line("x\n", 0..1, "r", DocumentKind::PlainText),
            "pmlint-disable-next-line r\n"
        );
    }
}
