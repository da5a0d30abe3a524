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

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Words {
        words: Vec<String>,
        prefix: Vec<String>,
    },
    NotWords(Vec<String>),
    Lexical(String),
    Computed(Computed),
    /// Up to N tokens; `true` when commas and parentheses may be crossed.
    Gap(usize, bool),
}

#[derive(Clone, Debug)]
pub(crate) struct Element {
    kind: Kind,
    optional: bool,
    label: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Sequence {
    elements: Vec<Element>,
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
    pub captures: Vec<(String, usize, usize)>,
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
                    (b, Some(l.to_owned()))
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
                    Kind::Lexical(class.to_owned())
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
        let seq = Sequence { elements };
        if seq.anchor(lex).is_none() {
            return Err(
                "a pattern needs at least one required word or lexical class (@NAME from the lexicon) \
                 so that sentences without it are skipped quickly"
                    .to_owned(),
            );
        }
        Ok(seq)
    }

    /// The cheapest required element to prefilter on: a literal word list, else the smallest
    /// lexical class.
    pub(crate) fn anchor(&self, lex: &Lexicon) -> Option<Anchor> {
        let mut best: Option<(usize, Anchor)> = None;
        for e in self.elements.iter().filter(|e| !e.optional) {
            let cand = match &e.kind {
                Kind::Words { words, prefix } => {
                    let first = |w: &String| w.split(' ').next().unwrap_or_default().to_owned();
                    (
                        0,
                        Anchor {
                            words: words.iter().map(first).collect(),
                            prefixes: prefix.clone(),
                        },
                    )
                }
                Kind::Lexical(name) => {
                    let class = lex.class(name)?;
                    let words: Vec<String> = class.first_words().map(str::to_owned).collect();
                    (
                        words.len(),
                        Anchor {
                            words,
                            prefixes: Vec::new(),
                        },
                    )
                }
                _ => continue,
            };
            if best.as_ref().is_none_or(|(cost, _)| cand.0 < *cost) {
                best = Some(cand);
            }
        }
        best.map(|(_, a)| a)
    }

    /// All non-overlapping matches, leftmost first.
    pub(crate) fn find_all(
        &self,
        tokens: &[Token<'_>],
        people: &People<'_>,
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
        people: &People<'_>,
        lex: &Lexicon,
        caps: &mut Vec<(String, usize, usize)>,
    ) -> Option<usize> {
        let Some(e) = self.elements.get(ei) else {
            return Some(ti);
        };
        let mut lens: Vec<usize> = Vec::with_capacity(4);
        match &e.kind {
            Kind::Gap(n, cross) => {
                // Lazy: try the shortest gap first, stop at a clause break.
                for k in 0..=*n {
                    lens.push(k);
                    let stop = tokens.get(ti + k).is_none_or(|t| {
                        t.clause_break && !(*cross && matches!(t.text, "," | "(" | ")"))
                    });
                    if stop {
                        break;
                    }
                }
            }
            kind => {
                if let Some(len) = element_len(kind, tokens, ti, people, lex) {
                    lens.push(len);
                }
                if e.optional {
                    lens.push(0);
                }
            }
        }
        for len in lens {
            let mark = caps.len();
            if let (Some(label), true) = (&e.label, len > 0) {
                caps.push((label.clone(), ti, ti + len));
            }
            if let Some(end) = self.match_from(ei + 1, tokens, ti + len, people, lex, caps) {
                return Some(end);
            }
            caps.truncate(mark);
        }
        None
    }
}

fn element_len(
    kind: &Kind,
    tokens: &[Token<'_>],
    ti: usize,
    people: &People<'_>,
    lex: &Lexicon,
) -> Option<usize> {
    let t = tokens.get(ti)?;
    let w = t.lower.as_ref();
    match kind {
        Kind::Words { words, prefix } => (words.iter().any(|x| x == w)
            || prefix.iter().any(|p| w.starts_with(p.as_str())))
        .then_some(1),
        Kind::NotWords(words) => (t.is_word() && !words.iter().any(|x| x == w)).then_some(1),
        Kind::Lexical(name) => lex
            .class(name)?
            .match_len(tokens[ti..].iter().map(|t| t.lower.as_ref())),
        Kind::Computed(c) => people.match_len(*c, tokens, ti),
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
