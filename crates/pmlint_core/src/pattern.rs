//! Token-sequence patterns: the one matching engine behind every data rule.
//!
//! A pattern is a space-separated list of elements, matched against a sentence's tokens:
//!
//! | element | matches |
//! |---|---|
//! | `should` | the word (case-insensitive; contractions are normalised, so `not` matches `n't`) |
//! | `should\|could\|ought` | any of the words |
//! | `careless*` | a word starting with `careless` |
//! | `@LAPSE` | an entry of a lexicon class, possibly several words |
//! | `@INDIVIDUAL` | a computed class (see `people`) |
//! | `!not\|never` | one word that is none of the words (punctuation never matches) |
//! | `*3` | up to three tokens, never crossing a clause break (`,` `;` `:` `(` …) |
//! | `~8` | up to eight tokens, crossing commas and parentheses but not `;` `:` `.` |
//! | `X?` | the element is optional |
//! | `X=agent` | names the tokens it matched, for fixes (`X=agent?` if also optional) |

use crate::lexicon::Lexicon;
use crate::people::{Computed, People};
use crate::text::Token;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Words {
        words: Vec<String>,
        prefix: Vec<String>,
    },
    NotWords(Vec<String>),
    Lexical {
        name: String,
        bit: u64,
    },
    Computed(Computed),
    /// Up to N tokens; `true` when commas and parentheses may be crossed.
    Gap(usize, bool),
}

#[derive(Clone, Debug)]
pub(crate) struct Element {
    kind: Kind,
    optional: bool,
    label: Option<Arc<str>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Sequence {
    elements: Vec<Element>,
    /// The element the prefilter keys on; a sentence without it cannot match.
    anchor: usize,
}

/// What a pattern contributes to the prefilter: words whose presence makes a sentence a
/// candidate. Prefix words match any word they start.
#[derive(Clone, Debug, Default)]
pub(crate) struct Anchor {
    pub words: Vec<String>,
    pub prefixes: Vec<String>,
}

/// A successful match: token index range and labelled captures (token ranges).
#[derive(Clone, Debug)]
pub(crate) struct Match {
    pub start: usize,
    pub end: usize,
    pub captures: Vec<(Arc<str>, usize, usize)>,
}

impl Sequence {
    pub(crate) fn parse(src: &str, lex: &Lexicon) -> Result<Self, String> {
        let mut elements = Vec::new();
        for raw in src.split_whitespace() {
            let (body, optional) = match raw.strip_suffix('?') {
                Some(b) if !b.is_empty() => (b, true),
                _ => (raw, false),
            };
            let (body, label) = match body.rsplit_once('=') {
                Some((b, l))
                    if !b.is_empty()
                        && !l.is_empty()
                        && l.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
                {
                    (b, Some(Arc::<str>::from(l)))
                }
                _ => (body, None),
            };
            let gap = body
                .strip_prefix('*')
                .map(|n| (n, false))
                .or_else(|| body.strip_prefix('~').map(|n| (n, true)));
            let kind = if let Some((n, cross)) = gap {
                let n: usize = n
                    .parse()
                    .map_err(|_| format!("`{raw}`: a gap is `*N` with N a number"))?;
                if n == 0 || n > 16 {
                    return Err(format!("`{raw}`: a gap spans 1 to 16 tokens"));
                }
                if optional {
                    return Err(format!("`{raw}`: a gap is already optional"));
                }
                Kind::Gap(n, cross)
            } else if let Some(class) = body.strip_prefix('@') {
                if let Some(c) = Computed::from_name(class) {
                    Kind::Computed(c)
                } else if lex.class(class).is_some() {
                    Kind::Lexical {
                        name: class.to_owned(),
                        bit: lex.bit(class),
                    }
                } else {
                    return Err(format!("`{raw}`: unknown word class `{class}`"));
                }
            } else if let Some(words) = body.strip_prefix('!') {
                Kind::NotWords(split_alts(words, raw)?.0)
            } else {
                let (words, prefix) = split_alts(body, raw)?;
                Kind::Words { words, prefix }
            };
            elements.push(Element {
                kind,
                optional,
                label,
            });
        }
        if elements.is_empty() {
            return Err("empty pattern".to_owned());
        }
        if matches!(elements.first().map(|e| &e.kind), Some(Kind::Gap(..)))
            || matches!(elements.last().map(|e| &e.kind), Some(Kind::Gap(..)))
        {
            return Err("a pattern cannot start or end with a gap".to_owned());
        }
        let mut seq = Sequence {
            elements,
            anchor: 0,
        };
        match seq.anchor_index(lex) {
            Some(i) => seq.anchor = i,
            None => return Err(
                "a pattern needs at least one required word or lexical class (@NAME from the lexicon) \
                 so that sentences without it are skipped quickly"
                    .to_owned(),
            ),
        }
        Ok(seq)
    }

    /// The cheapest required element to prefilter on: the one whose words are rarest in prose.
    /// A word costs 1, a word common in incident reports 300 and a function word 10,000, so
    /// `@INDIVIDUAL @HUMAN_ACTION the|a wrong` is anchored on `wrong`, not on `the`, and
    /// `caused|triggered by @NAMED` on `caused|triggered`, not on `by`.
    pub(crate) fn anchor(&self, lex: &Lexicon) -> Option<Anchor> {
        self.anchor_of(self.anchor, lex)
    }

    fn anchor_of(&self, i: usize, lex: &Lexicon) -> Option<Anchor> {
        match &self.elements[i].kind {
            Kind::Words { words, prefix } => Some(Anchor {
                words: words.clone(),
                prefixes: prefix.clone(),
            }),
            Kind::Lexical { name, .. } => Some(Anchor {
                words: lex.class(name)?.phrases().collect(),
                prefixes: Vec::new(),
            }),
            _ => None,
        }
    }

    fn anchor_index(&self, lex: &Lexicon) -> Option<usize> {
        let cost = |w: &str| {
            if !w.starts_with(|c: char| c.is_alphanumeric() || c == '\'') {
                // Punctuation is everywhere and has no word boundaries to check.
                1_000_000
            } else if FREQUENCY.0.binary_search(&w).is_ok() {
                10_000
            } else if FREQUENCY.1.binary_search(&w).is_ok() {
                300
            } else {
                1
            }
        };
        let mut best: Option<(usize, usize)> = None;
        for (i, e) in self
            .elements
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.optional)
        {
            let c = match &e.kind {
                Kind::Words { words, prefix } => {
                    words.iter().map(|w| cost(w)).sum::<usize>() + prefix.len() * 2
                }
                Kind::Lexical { name, .. } => lex.class(name)?.first_words().map(cost).sum(),
                _ => continue,
            };
            if best.is_none_or(|(bc, _)| c < bc) {
                best = Some((c, i));
            }
        }
        best.map(|(_, i)| i)
    }

    /// The anchor element as (literal words, prefixes, lexicon class bit).
    pub(crate) fn anchor_element(&self) -> (&[String], &[String], u64) {
        match &self.elements[self.anchor].kind {
            Kind::Words { words, prefix } => (words, prefix, 0),
            Kind::Lexical { bit, .. } => (&[], &[], *bit),
            _ => (&[], &[], 0),
        }
    }

    pub(crate) fn has_label(&self, l: &str) -> bool {
        self.elements.iter().any(|e| e.label.as_deref() == Some(l))
    }

    /// The elements every match needs, as (literal words, prefixes, lexicon class bits): a
    /// sentence lacking any of them is skipped without matching.
    pub(crate) fn required(&self) -> impl Iterator<Item = (&[String], &[String], u64)> {
        self.elements
            .iter()
            .filter(|e| !e.optional)
            .filter_map(|e| match &e.kind {
                Kind::Words { words, prefix } => Some((words.as_slice(), prefix.as_slice(), 0)),
                Kind::Lexical { bit, .. } => Some((&[][..], &[][..], *bit)),
                _ => None,
            })
    }

    /// All non-overlapping matches, leftmost first.
    pub(crate) fn find_all(
        &self,
        tokens: &[Token<'_>],
        people: &People,
        lex: &Lexicon,
    ) -> Vec<Match> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut caps = Vec::new();
            if let Some(end) = self.match_from(0, tokens, i, people, lex, &mut caps) {
                if end > i {
                    out.push(Match {
                        start: i,
                        end,
                        captures: caps,
                    });
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    fn match_from(
        &self,
        ei: usize,
        tokens: &[Token<'_>],
        ti: usize,
        people: &People,
        lex: &Lexicon,
        caps: &mut Vec<(Arc<str>, usize, usize)>,
    ) -> Option<usize> {
        let Some(e) = self.elements.get(ei) else {
            return Some(ti);
        };
        let try_len = |len: usize, caps: &mut Vec<(Arc<str>, usize, usize)>| {
            let mark = caps.len();
            if let (Some(label), true) = (&e.label, len > 0) {
                caps.push((label.clone(), ti, ti + len));
            }
            let r = self.match_from(ei + 1, tokens, ti + len, people, lex, caps);
            if r.is_none() {
                caps.truncate(mark);
            }
            r
        };
        match &e.kind {
            Kind::Gap(n, cross) => {
                // Lazy: try the shortest gap first, stop at a clause break.
                for k in 0..=*n {
                    if let Some(end) = try_len(k, caps) {
                        return Some(end);
                    }
                    let stop = tokens.get(ti + k).is_none_or(|t| {
                        t.clause_break && !(*cross && matches!(t.text, "," | "(" | ")"))
                    });
                    if stop {
                        break;
                    }
                }
                None
            }
            kind => {
                if let Some(len) = element_len(kind, tokens, ti, people, lex) {
                    if let Some(end) = try_len(len, caps) {
                        return Some(end);
                    }
                }
                if e.optional {
                    try_len(0, caps)
                } else {
                    None
                }
            }
        }
    }
}

fn element_len(
    kind: &Kind,
    tokens: &[Token<'_>],
    ti: usize,
    people: &People,
    lex: &Lexicon,
) -> Option<usize> {
    let t = tokens.get(ti)?;
    let w = t.lower.as_ref();
    match kind {
        Kind::Words { words, prefix } => (words.iter().any(|x| x == w)
            || prefix.iter().any(|p| w.starts_with(p.as_str())))
        .then_some(1),
        Kind::NotWords(words) => (t.is_word() && !words.iter().any(|x| x == w)).then_some(1),
        Kind::Lexical { name, bit } => {
            if people.bits[ti] & bit == 0 {
                return None;
            }
            lex.class(name)?
                .match_len(tokens[ti..].iter().map(|t| t.lower.as_ref()))
        }
        Kind::Computed(c) => people.match_len(*c, ti),
        Kind::Gap(..) => None,
    }
}

fn split_alts(s: &str, raw: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let mut words = Vec::new();
    let mut prefix = Vec::new();
    for alt in s.split('|') {
        if alt.is_empty() {
            return Err(format!("`{raw}`: empty alternative"));
        }
        let lower = alt.to_lowercase().replace('’', "'");
        match lower.strip_suffix('*') {
            Some(p) if !p.is_empty() => prefix.push(p.to_owned()),
            _ => words.push(lower),
        }
    }
    Ok((words, prefix))
}

/// The two frequency tiers, sorted for binary search.
static FREQUENCY: std::sync::LazyLock<(Vec<&'static str>, Vec<&'static str>)> =
    std::sync::LazyLock::new(|| {
        let sorted = |w: &[&'static str]| {
            let mut v = w.to_vec();
            v.sort_unstable();
            v
        };
        (sorted(FUNCTION_WORDS), sorted(COMMON_WORDS))
    });

/// Words in almost every sentence: the worst possible prefilter keys.
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "to", "of", "in", "on", "is", "was", "were", "be", "been",
    "have", "has", "had", "not", "it", "this", "that", "we", "i", "they", "by", "for", "with",
    "as", "at", "from", "then", "so", "if", "but", "did", "does", "do", "our", "their", "its",
    "there", "what", "which", "who", "when", "all", "any", "no", "one", "more", "are", "'s", "up",
    "out", "about", "into", "after", "before", "them", "us", "just", "also",
];

/// Words frequent in incident reports, blameful or not: poor prefilter keys.
const COMMON_WORDS: &[&str] = &[
    // Modals and personal pronouns: frequent, but far rarer in reports than function words.
    "user",
    "servers",
    "end",
    "performance",
    "your",
    "you",
    "my",
    "his",
    "her",
    "him",
    "me",
    "she",
    "he",
    "should",
    "could",
    "would",
    "must",
    "might",
    "may",
    "can",
    "will",
    "access",
    // Frequent narrative verbs in incident timelines.
    "took",
    "take",
    "saw",
    "see",
    "made",
    "make",
    "used",
    "use",
    "ran",
    "run",
    "set",
    "done",
    "reported",
    "changed",
    "dropped",
    "started",
    "failed",
    "showed",
    "added",
    "rose",
    "got",
    "went",
    "came",
    "found",
    "deployed",
    "restarted",
    "removed",
    "applied",
    "updated",
    "checked",
    "read",
    "looked",
    "caused",
    "need",
    "needs",
    "needed",
    "time",
    "hours",
    "minutes",
    "lost",
    "people",
    "team",
    "teams",
    "users",
    "service",
    "system",
    "disabled",
    "enabled",
    "moved",
    "pushed",
    "merged",
    "reverted",
    "executed",
    "decided",
    "thought",
    "assumed",
    "known",
    "seen",
    "tested",
    "reviewed",
    "handled",
    "paged",
    "wrote",
    "switched",
    "noticed",
    "realized",
    // Postmortem vocabulary: present in most sentences of a report, blameful or not.
    "change",
    "changes",
    "config",
    "configuration",
    "deploy",
    "deployment",
    "script",
    "command",
    "query",
    "patch",
    "push",
    "server",
    "database",
    "alert",
    "alerts",
    "engineer",
    "engineers",
    "on-call",
    "incident",
    "outage",
    "issue",
    "error",
    "errors",
    "failure",
    "request",
    "requests",
    "customer",
    "customers",
    "data",
    "cluster",
    "node",
    "nodes",
    "release",
    "rollback",
    "version",
    "code",
    "test",
    "tests",
    "check",
    "job",
    "jobs",
    "process",
    "systems",
    "monitoring",
    "log",
    "logs",
    "traffic",
    "region",
    "commit",
    "problem",
    "wrong",
    "failed",
    "down",
    "up",
    "over",
    "within",
    "while",
    "during",
    "because",
    "due",
    "until",
    "only",
    "other",
    "both",
    "each",
];
