//! Minimal, validity-preserving edits of `pmlint.toml` for the "Allow this name/phrase" actions.
//!
//! The edit either rewrites the value of an existing top-level `allow-names` /
//! `allow-phrases` array (comments inside that one array are not kept), or inserts a new
//! top-level key before the first table header (so it cannot land inside `[rules]`). Every
//! result is parsed again with [`pmlint_core::Config::parse`] before it is offered.

use pmlint_core::Config;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// A replacement of `range` (bytes of the original file) by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TomlEdit {
    pub range: Range<usize>,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKey {
    AllowNames,
    AllowPhrases,
}

impl ListKey {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ListKey::AllowNames => "allow-names",
            ListKey::AllowPhrases => "allow-phrases",
        }
    }

    fn list(self, c: &Config) -> &[String] {
        match self {
            ListKey::AllowNames => &c.allow_names,
            ListKey::AllowPhrases => &c.allow_phrases,
        }
    }
}

/// A TOML basic string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn array(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// The line ending the file uses (its first one), `\n` by default.
pub(crate) fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text.as_bytes()[i] == b'\r' => "\r",
        _ => "\n",
    }
}

/// The edit that adds `value` to the list `key` of the configuration `src`. `None` when the file
/// does not parse, the value is already there (case-insensitively), or no valid edit was found.
pub(crate) fn add_to_list(src: &str, key: ListKey, value: &str) -> Option<TomlEdit> {
    let before = Config::parse(src).ok()?;
    if key
        .list(&before)
        .iter()
        .any(|v| v.eq_ignore_ascii_case(value))
    {
        return None;
    }
    let top: BTreeMap<String, Spanned<toml::Value>> = toml::from_str(src).ok()?;
    let candidates: Vec<TomlEdit> = match top.get(key.as_str()) {
        Some(existing) => {
            let items = existing.get_ref().as_array()?;
            let mut list: Vec<String> = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<_>>()?;
            list.push(value.to_owned());
            let span = existing.span();
            if !(src[span.clone()].starts_with('[') && src[span.clone()].ends_with(']')) {
                return None;
            }
            vec![TomlEdit {
                range: span,
                text: array(&list),
            }]
        }
        None => {
            let eol = line_ending(src);
            let line = format!("{} = {}{eol}", key.as_str(), array(&[value.to_owned()]));
            // Value spans of top-level keys: a "[" inside one of them is not a table header.
            let values: Vec<Range<usize>> = top
                .values()
                .filter(|v| !v.get_ref().is_table())
                .map(|v| v.span())
                .collect();
            let mut at = None;
            let mut offset = 0;
            for l in src.split_inclusive('\n') {
                if l.trim_start().starts_with('[') && !values.iter().any(|r| r.contains(&offset)) {
                    at = Some(offset);
                    break;
                }
                offset += l.len();
            }
            let mut out = Vec::new();
            match at {
                Some(at) => out.push(TomlEdit {
                    range: at..at,
                    text: line.clone(),
                }),
                None => {
                    let sep = if src.is_empty() || src.ends_with(['\n', '\r']) {
                        ""
                    } else {
                        eol
                    };
                    out.push(TomlEdit {
                        range: src.len()..src.len(),
                        text: format!("{sep}{line}"),
                    });
                }
            }
            // Fallback: the very top of the file is always at top level.
            out.push(TomlEdit {
                range: 0..0,
                text: line,
            });
            out
        }
    };
    candidates.into_iter().find(|e| {
        let mut after = src.to_owned();
        after.replace_range(e.range.clone(), &e.text);
        Config::parse(&after).is_ok_and(|c| key.list(&c).iter().any(|v| v == value))
    })
}

/// The content of a new configuration file holding just this list.
pub(crate) fn new_file(key: ListKey, value: &str) -> String {
    format!("{} = {}\n", key.as_str(), array(&[value.to_owned()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(src: &str, key: ListKey, v: &str) -> String {
        let e = add_to_list(src, key, v).unwrap_or_else(|| panic!("no edit for {src:?}"));
        let mut s = src.to_owned();
        s.replace_range(e.range, &e.text);
        s
    }

    #[test]
    fn extends_existing_arrays() {
        assert_eq!(
            apply("allow-names = []\n", ListKey::AllowNames, "Bob"),
            "allow-names = [\"Bob\"]\n"
        );
        let src = "allow-names = [\n  \"Alice\", # the lead\n]\n[rules]\nx = \"off\"\n";
        let out = apply(src, ListKey::AllowNames, "Bob");
        assert!(
            out.starts_with("allow-names = [\"Alice\", \"Bob\"]\n[rules]"),
            "{out}"
        );
    }

    #[test]
    fn inserts_before_the_first_table() {
        let src = "# pmlint\nmin-severity = \"info\"\nroster = [\n  \"A\",\n]\n\n[rules]\nhindsight = \"off\"\n";
        let out = apply(src, ListKey::AllowPhrases, "was obvious");
        assert!(
            out.contains("allow-phrases = [\"was obvious\"]\n[rules]"),
            "{out}"
        );
        let out = apply(
            "min-severity = \"info\"",
            ListKey::AllowNames,
            "Bob \"the\" builder",
        );
        assert_eq!(
            out,
            "min-severity = \"info\"\nallow-names = [\"Bob \\\"the\\\" builder\"]\n"
        );
        let crlf = apply(
            "[rules]\r\nhindsight = \"off\"\r\n",
            ListKey::AllowNames,
            "Bob",
        );
        assert_eq!(
            crlf,
            "allow-names = [\"Bob\"]\r\n[rules]\r\nhindsight = \"off\"\r\n"
        );
    }

    #[test]
    fn refuses_broken_files_and_duplicates() {
        assert!(add_to_list("allow-names = [", ListKey::AllowNames, "Bob").is_none());
        assert!(add_to_list("allow-names = [\"bob\"]", ListKey::AllowNames, "Bob").is_none());
        assert_eq!(
            Config::parse(&new_file(ListKey::AllowNames, "Bob"))
                .unwrap()
                .allow_names,
            vec!["Bob"]
        );
    }
}
