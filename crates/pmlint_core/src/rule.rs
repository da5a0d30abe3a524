//! Rule files: the data format, its validation, and compilation into matchers.
//!
//! The format is documented for rule authors in `rules/README.md`.

use crate::diagnostic::{Applicability, Severity};
use crate::lexicon::Lexicon;
use crate::pattern::{Anchor, Sequence};
use crate::position::LineIndex;
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// Largest compiled size of a rule's regular expression (bytes).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The rule families, in the order the docs list them.
pub const FAMILIES: &[&str] = &[
    "named-cause",
    "counterfactual",
    "character-judgment",
    "human-error",
    "dramatic",
    "hindsight",
    "be-careful-action",
    "team-blame",
    "punishment",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    id: Spanned<String>,
    family: Spanned<String>,
    severity: Severity,
    message: String,
    why: String,
    #[serde(default)]
    suggestions: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default, rename = "pattern")]
    patterns: Vec<PatternSpec>,
    #[serde(default)]
    fix: Option<FixSpec>,
    #[serde(default)]
    flagged: Vec<FlaggedExample>,
    #[serde(default)]
    clean: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSpec {
    sequence: Option<Spanned<String>>,
    phrases: Option<Spanned<Vec<String>>>,
    regex: Option<Spanned<String>>,
    /// Required with `regex`: words of which the sentence must contain one (the prefilter key).
    #[serde(default)]
    anchors: Vec<String>,
    #[serde(default)]
    unless_before: Vec<String>,
    #[serde(default = "default_window")]
    before_window: usize,
    #[serde(default)]
    unless_after: Vec<String>,
    #[serde(default)]
    unless_sentence: Vec<String>,
    #[serde(default)]
    sections: Vec<String>,
    #[serde(default)]
    highlight: Option<String>,
    #[serde(default)]
    fix: Option<FixSpec>,
}

fn default_window() -> usize {
    4
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixSpec {
    pub title: String,
    #[serde(default)]
    pub target: Option<String>,
    pub replace: String,
    pub applicability: Applicability,
    /// Offer the fix only when the target matched this computed class (e.g. `NAMED`), so a
    /// rewrite that replaces a name never fires on an already-neutral role.
    #[serde(default)]
    pub target_class: Option<String>,
}

/// An example the rule must flag, with the text expected after applying every fix.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlaggedExample {
    pub text: String,
    #[serde(default)]
    pub fixed: Option<String>,
}

/// A compiled pattern with its context conditions.
#[derive(Debug)]
pub(crate) struct Pattern {
    /// Alternatives sharing the conditions below (one per phrase of a `phrases` list). For a
    /// `regex` pattern, one sequence of its anchor words, used only for prefiltering.
    pub seqs: Vec<Sequence>,
    /// A `regex` pattern's expression, matched on the candidate sentence's text.
    pub regex: Option<regex::Regex>,
    pub unless_before: Vec<Vec<String>>,
    pub before_window: usize,
    pub unless_after: Vec<Vec<String>>,
    pub unless_sentence: Vec<Vec<String>>,
    pub sections: Vec<String>,
    pub highlight: Option<String>,
    pub fix: Option<FixSpec>,
}

/// A loaded rule: metadata, documentation, matchers and examples.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub family: String,
    pub default_severity: Severity,
    /// Whether the rule runs when the configuration does not mention it.
    pub enabled_by_default: bool,
    pub message: String,
    pub why: String,
    pub suggestions: Vec<String>,
    pub flagged: Vec<FlaggedExample>,
    pub clean: Vec<String>,
    /// Where the rule came from ("embedded:rules/x.toml" or a user file path).
    pub origin: String,
    pub(crate) patterns: Vec<Pattern>,
}

impl Rule {
    pub(crate) fn anchors<'a>(&'a self, lex: &'a Lexicon) -> impl Iterator<Item = Anchor> + 'a {
        self.patterns
            .iter()
            .flat_map(|p| &p.seqs)
            .filter_map(move |s| s.anchor(lex))
    }

    /// The rule's documentation as Markdown: what `pmlint explain` prints and the LSP hover shows.
    pub fn documentation(&self) -> String {
        let mut s = format!(
            "## {} ({}, {})\n\n{}\n\n### Why this hurts\n\n{}\n",
            self.id,
            self.family,
            self.default_severity,
            self.message,
            self.why.trim()
        );
        if !self.suggestions.is_empty() {
            s.push_str("\n### Write instead\n\n");
            for sug in &self.suggestions {
                s.push_str(&format!("- {sug}\n"));
            }
        }
        if !self.flagged.is_empty() {
            s.push_str("\n### Flagged\n\n");
            for ex in &self.flagged {
                s.push_str(&format!("- {}\n", ex.text));
                if let Some(f) = &ex.fixed {
                    s.push_str(&format!("  - fix: {f}\n"));
                }
            }
        }
        if !self.clean.is_empty() {
            s.push_str("\n### Not flagged\n\n");
            for ex in &self.clean {
                s.push_str(&format!("- {ex}\n"));
            }
        }
        s
    }
}

/// A rule file that did not load, with where the problem is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleError {
    /// The file's name as given to the loader.
    pub origin: String,
    /// 1-based line and column, when the problem has a place in the file.
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.origin, l, c, self.message),
            _ => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for RuleError {}

pub(crate) fn error_at(
    origin: &str,
    src: &str,
    span: Option<std::ops::Range<usize>>,
    message: impl Into<String>,
) -> RuleError {
    let (line, column) = match span {
        Some(r) => {
            let idx = LineIndex::new(src);
            let lc = idx.line_col(src, r.start, crate::position::Encoding::Scalar);
            (Some(lc.line + 1), Some(lc.col + 1))
        }
        None => (None, None),
    };
    RuleError {
        origin: origin.to_owned(),
        line,
        column,
        message: message.into(),
    }
}

fn phrase_words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

/// Parses and validates one rule file. `expected_id` is the file stem, when the file has one.
pub(crate) fn compile(
    origin: &str,
    src: &str,
    expected_id: Option<&str>,
    lex: &Lexicon,
) -> Result<Rule, RuleError> {
    let file: RuleFile =
        toml::from_str(src).map_err(|e| error_at(origin, src, e.span(), e.message().trim()))?;
    let id = file.id.get_ref().clone();
    let id_ok = !id.is_empty()
        && id.split('-').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !id_ok {
        return Err(error_at(
            origin,
            src,
            Some(file.id.span()),
            format!("rule id `{id}` must be kebab-case (a-z, 0-9, single dashes)"),
        ));
    }
    if let Some(stem) = expected_id {
        if stem != id {
            return Err(error_at(
                origin,
                src,
                Some(file.id.span()),
                format!("rule id `{id}` does not match its file name `{stem}.toml`"),
            ));
        }
    }
    if !FAMILIES.contains(&file.family.get_ref().as_str())
        && !file.family.get_ref().starts_with("custom")
    {
        return Err(error_at(
            origin,
            src,
            Some(file.family.span()),
            format!(
                "unknown family `{}` (one of: {}, or custom-*)",
                file.family.get_ref(),
                FAMILIES.join(", ")
            ),
        ));
    }
    if file.why.trim().is_empty() || file.message.trim().is_empty() {
        return Err(error_at(
            origin,
            src,
            None,
            "`message` and `why` must not be empty",
        ));
    }
    if file.patterns.is_empty() {
        return Err(error_at(
            origin,
            src,
            None,
            "a rule needs at least one [[pattern]]",
        ));
    }
    let mut patterns = Vec::new();
    for p in file.patterns {
        let mut regex = None;
        let seqs: Vec<(String, std::ops::Range<usize>)> = match (&p.sequence, &p.phrases, &p.regex)
        {
            (Some(s), None, None) => vec![(s.get_ref().clone(), s.span())],
            (None, Some(ph), None) => {
                if ph.get_ref().is_empty() {
                    return Err(error_at(origin, src, Some(ph.span()), "`phrases` is empty"));
                }
                // A phrase is a sequence of literal words; escape nothing, reject pattern syntax.
                let mut v = Vec::new();
                for phrase in ph.get_ref() {
                    if phrase.contains(['@', '|', '*', '?', '!', '=']) {
                        return Err(error_at(
                            origin,
                            src,
                            Some(ph.span()),
                            format!(
                                "phrase `{phrase}` contains pattern syntax; use `sequence` instead"
                            ),
                        ));
                    }
                    v.push((phrase.clone(), ph.span()));
                }
                v
            }
            (None, None, Some(r)) => {
                let words: Vec<&str> = p.anchors.iter().map(|a| a.trim()).collect();
                if words.is_empty()
                    || words.iter().any(|w| {
                        w.is_empty()
                            || w.contains(char::is_whitespace)
                            || w.contains(['@', '|', '*', '?', '!', '='])
                    })
                {
                    return Err(error_at(
                        origin,
                        src,
                        Some(r.span()),
                        "a `regex` pattern needs `anchors`: single words, one of which every match's sentence contains",
                    ));
                }
                // Compiled size is capped so a user rule cannot make every lint slow or huge.
                let compiled = regex::RegexBuilder::new(r.get_ref())
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        error_at(origin, src, Some(r.span()), format!("invalid regex: {e}"))
                    })?;
                regex = Some(compiled);
                vec![(words.join("|"), r.span())]
            }
            _ => {
                let span = p.sequence.as_ref().or(p.regex.as_ref()).map(|s| s.span());
                return Err(error_at(
                    origin,
                    src,
                    span,
                    "a [[pattern]] takes exactly one of `sequence`, `phrases` or `regex`",
                ));
            }
        };
        if regex.is_some()
            && (p.highlight.is_some() || p.fix.as_ref().is_some_and(|f| f.target.is_some()))
        {
            return Err(error_at(
                origin,
                src,
                p.regex.as_ref().map(|r| r.span()),
                "a `regex` pattern has no labels: it highlights and fixes the whole match",
            ));
        }
        let fix = p.fix.clone().or_else(|| file.fix.clone());
        let mut compiled = Vec::with_capacity(seqs.len());
        for (text, span) in seqs {
            let seq = Sequence::parse(&text, lex)
                .map_err(|m| error_at(origin, src, Some(span.clone()), m))?;
            for (what, label) in [
                ("highlight label", p.highlight.as_ref()),
                ("fix target", fix.as_ref().and_then(|f| f.target.as_ref())),
            ] {
                if let Some(l) = label {
                    if !seq.has_label(l) {
                        return Err(error_at(
                            origin,
                            src,
                            Some(span.clone()),
                            format!("{what} `{l}` is not a label in the pattern"),
                        ));
                    }
                }
            }
            compiled.push(seq);
        }
        patterns.push(Pattern {
            seqs: compiled,
            regex,
            unless_before: p.unless_before.iter().map(|s| phrase_words(s)).collect(),
            before_window: p.before_window,
            unless_after: p.unless_after.iter().map(|s| phrase_words(s)).collect(),
            unless_sentence: p.unless_sentence.iter().map(|s| phrase_words(s)).collect(),
            sections: p.sections.iter().map(|s| s.to_lowercase()).collect(),
            highlight: p.highlight.clone(),
            fix,
        });
    }
    Ok(Rule {
        id,
        family: file.family.into_inner(),
        default_severity: file.severity,
        enabled_by_default: file.enabled,
        message: file.message.trim().to_owned(),
        why: file.why.trim().to_owned(),
        suggestions: file.suggestions,
        flagged: file.flagged,
        clean: file.clean,
        origin: origin.to_owned(),
        patterns,
    })
}

/// The rule files compiled into the binary, as (path relative to the repository, contents).
pub const EMBEDDED_RULES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The embedded lexicon source.
pub const EMBEDDED_LEXICON: &str = include_str!("../../../rules/lexicon.toml");
