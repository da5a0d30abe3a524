//! Who is named in a sentence: the computed token classes.
//!
//! | class | matches |
//! |---|---|
//! | `NAMED` | `@handle`, `name@`, e-mail, a census first name, a roster name, `Employee A` |
//! | `GUESS` | an unknown capitalised word in subject position before a human action ("Mukunda deployed") |
//! | `PERSON` | `NAMED` or `GUESS` |
//! | `INDIVIDUAL` | `PERSON`, a pronoun for one person, or a role used as a culprit ("the new deployer") |
//! | `GROUP` | a noun phrase naming a group of people ("the QA team", "the facilities staff") |
//! | `HUMAN` | `INDIVIDUAL`, `GROUP`, `we`, `they`, `you`, `anyone`, `nobody`, `everyone` |
//!
//! Everything here is a function of the sentence's tokens, the lexicon and the configured roster
//! and allow-list, so the same sentence always classifies the same way.

use crate::lexicon::{Lexicon, Names};
use crate::text::{Token, TokenKind};
use std::collections::HashSet;

/// The people-related settings from the configuration.
#[derive(Debug, Default, Clone)]
pub struct PeopleConfig {
    /// Lower-cased names that are always people.
    pub roster: HashSet<String>,
    /// Lower-cased names or handles that are never people (product names, bots).
    pub allowed: HashSet<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Computed {
    Named,
    Guess,
    Person,
    Individual,
    Group,
    Human,
}

impl Computed {
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "NAMED" => Computed::Named,
            "GUESS" => Computed::Guess,
            "PERSON" => Computed::Person,
            "INDIVIDUAL" => Computed::Individual,
            "GROUP" => Computed::Group,
            "HUMAN" => Computed::Human,
            _ => return None,
        })
    }
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "our", "their", "your", "this", "that", "one", "another", "his", "her", "my",
];
const GROUP_DETERMINERS: &[&str] = &[
    "the", "our", "their", "your", "another", "other", "some", "those", "these", "all", "a", "an",
];
const COLLECTIVE: &[&str] = &[
    "we",
    "they",
    "you",
    "anyone",
    "anybody",
    "nobody",
    "everyone",
    "everybody",
    "us",
    "them",
];
/// Capitalised words that start sentences constantly and are never people.
const FUNCTION_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "we",
    "our",
    "they",
    "their",
    "there",
    "then",
    "when",
    "while",
    "after",
    "before",
    "during",
    "because",
    "since",
    "if",
    "once",
    "as",
    "at",
    "on",
    "in",
    "by",
    "for",
    "from",
    "to",
    "with",
    "without",
    "and",
    "but",
    "or",
    "so",
    "also",
    "however",
    "finally",
    "first",
    "next",
    "later",
    "here",
    "now",
    "today",
    "yesterday",
    "all",
    "some",
    "most",
    "no",
    "not",
    "each",
    "every",
    "both",
    "what",
    "why",
    "how",
    "who",
    "which",
    "where",
    "unfortunately",
    "fortunately",
    "luckily",
    "meanwhile",
    "monitoring",
    "nothing",
    "everything",
    "something",
    "anything",
    "one",
    "two",
    "three",
    "root",
    "cause",
    "impact",
    "summary",
    "timeline",
    "resolution",
    "detection",
    "trigger",
];

const F_DET: u8 = 1;
const F_GROUP_DET: u8 = 2;
const F_COLLECTIVE: u8 = 4;
const F_FUNCTION: u8 = 8;
const F_MONTH: u8 = 16;
const F_MONTH_PREP: u8 = 32;
const F_POSSESSED: u8 = 64;

/// Every fixed word list above as one map from word to flags: one lookup per token instead of a
/// scan of each list.
static WORD_FLAGS: std::sync::LazyLock<crate::lexicon::FnvMap<&'static str, u8>> =
    std::sync::LazyLock::new(|| {
        let mut m = crate::lexicon::FnvMap::default();
        let lists: [(&[&'static str], u8); 7] = [
            (DETERMINERS, F_DET),
            (GROUP_DETERMINERS, F_GROUP_DET),
            (COLLECTIVE, F_COLLECTIVE),
            (FUNCTION_WORDS, F_FUNCTION),
            (MONTHS, F_MONTH),
            (MONTH_PREPOSITIONS, F_MONTH_PREP),
            (POSSESSED_ACTS, F_POSSESSED),
        ];
        for (list, flag) in lists {
            for w in list {
                *m.entry(*w).or_insert(0) |= flag;
            }
        }
        m
    });

fn flags(w: &str) -> u8 {
    WORD_FLAGS.get(w).copied().unwrap_or(0)
}

/// Things a person owns in a blameful possessive ("Sven's commit broke…").
const POSSESSED_ACTS: &[&str] = &[
    "change",
    "commit",
    "deploy",
    "patch",
    "push",
    "script",
    "typo",
    "mistake",
    "fault",
    "error",
    "query",
    "command",
    "oversight",
    "blunder",
];

/// Per-sentence analysis shared by every pattern: each token's lexicon class bits and the
/// length of each computed class's match starting at it. Computed once per candidate sentence,
/// so pattern matching is bit tests and array reads.
pub(crate) struct People {
    /// Lexicon class bitmask of each token (see `Lexicon::bits`).
    pub(crate) bits: Vec<u64>,
    /// Match length of each computed class at each token (0 = no match), indexed by `Computed`.
    matches: Vec<[u8; 6]>,
}

/// The lexicon bits people detection needs, looked up once per sentence.
struct Bits {
    pronoun_ind: u64,
    role: u64,
    group_head: u64,
    acts: u64,
    lexical: u64,
}

impl People {
    /// `bits` holds each token's lexicon class bits, already computed by the caller.
    pub(crate) fn analyse(
        tokens: &[Token<'_>],
        bits: Vec<u64>,
        lex: &Lexicon,
        names: &Names,
        cfg: &PeopleConfig,
    ) -> Self {
        let n = tokens.len();
        let b = Bits {
            pronoun_ind: lex.bit("PRONOUN_IND"),
            role: lex.bit("ROLE"),
            group_head: lex.bit("GROUP_HEAD"),
            acts: lex.bit("HUMAN_ACTION") | lex.bit("LAPSE"),
            lexical: [
                "ROLE",
                "GROUP_HEAD",
                "SYSTEM",
                "LAPSE",
                "HUMAN_ACTION",
                "PRONOUN_IND",
            ]
            .iter()
            .fold(0, |m, c| m | lex.bit(c)),
        };
        let wf: Vec<u8> = tokens.iter().map(|t| flags(&t.lower)).collect();
        let check_allowed = !cfg.allowed.is_empty();
        let acts = |i: usize| {
            tokens.get(i).is_some_and(|t| {
                bits[i] & b.acts != 0
                    || matches!(
                        t.lower.as_ref(),
                        "did"
                            | "failed"
                            | "should"
                            | "could"
                            | "mistakenly"
                            | "accidentally"
                            | "carelessly"
                            | "never"
                    )
            })
        };
        let mut named = vec![false; n];
        let mut guess = vec![false; n];
        for i in 0..n {
            let t = &tokens[i];
            let lower = t.lower.as_ref();
            let bare = lower.trim_start_matches('@').trim_end_matches('@');
            if check_allowed && (cfg.allowed.contains(lower) || cfg.allowed.contains(bare)) {
                continue;
            }
            let next = tokens.get(i + 1).map(|t| t.lower.as_ref());
            named[i] = match t.kind {
                TokenKind::Handle | TokenKind::Email => true,
                TokenKind::Word => {
                    if !cfg.roster.is_empty() && cfg.roster.contains(lower) {
                        true
                    } else if !t.capitalized
                        || t.all_caps
                        || (wf[i] & F_MONTH != 0
                            && (next.is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                                || i.checked_sub(1).is_some_and(|j| wf[j] & F_MONTH_PREP != 0)))
                    {
                        // Lower case, acronyms, and months used as dates ("May 3", "in June").
                        false
                    } else if names.is_plain(lower) {
                        true
                    } else if names.is_ambiguous(lower) {
                        // "Will", "Grant": a person only before a human action.
                        acts(i + 1)
                    } else {
                        // "Employee A", "Engineer B": a role word followed by a single letter.
                        matches!(lower, "employee" | "engineer" | "user" | "person")
                            && tokens
                                .get(i + 1)
                                .is_some_and(|t| t.text.len() == 1 && t.all_caps_or_upper())
                    }
                }
                _ => false,
            };
            if !named[i]
                && t.kind == TokenKind::Word
                && t.capitalized
                && !t.all_caps
                && wf[i] & F_FUNCTION == 0
                && !lower.chars().any(|c| c.is_ascii_digit())
                && !t.text.chars().skip(1).any(char::is_uppercase)
                && bits[i] & b.lexical == 0
                && (acts(i + 1)
                    || (next == Some("'s") && wf.get(i + 2).is_some_and(|f| f & F_POSSESSED != 0)))
                && i.checked_sub(1).is_none_or(|j| wf[j] & F_DET == 0)
            {
                guess[i] = true;
            }
        }

        let person = |i: usize| -> u8 {
            if named[i] {
                // Employee A: the letter belongs to the name.
                let letter = matches!(
                    tokens[i].lower.as_ref(),
                    "employee" | "engineer" | "user" | "person"
                ) && tokens.get(i + 1).is_some_and(|n| n.text.len() == 1);
                1 + u8::from(letter)
            } else {
                u8::from(guess[i])
            }
        };
        let role = |i: usize| -> u8 {
            if wf[i] & F_DET == 0 {
                return 0;
            }
            let Some(class) = lex.class("ROLE") else {
                return 0;
            };
            for skip in 0..=2 {
                let j = i + 1 + skip;
                if j >= tokens.len() || (skip > 0 && !tokens[j - 1].is_word()) {
                    break;
                }
                if bits[j] & b.role != 0 {
                    if let Some(len) = class.match_len(tokens[j..].iter().map(|t| t.lower.as_ref()))
                    {
                        return (1 + skip + len) as u8;
                    }
                }
            }
            0
        };
        let group = |i: usize| -> u8 {
            let head = |j: usize| j < n && bits[j] & b.group_head != 0;
            let t = &tokens[i];
            if wf[i] & F_GROUP_DET != 0 {
                for skip in 0..=2 {
                    let j = i + 1 + skip;
                    if j >= n || !tokens[j].is_word() {
                        break;
                    }
                    if head(j) {
                        return (2 + skip) as u8;
                    }
                }
                return 0;
            }
            // A bare plural head at the start of a clause ("Engineers need to…").
            u8::from(head(i) && (t.sentence_start || i == 0 || tokens[i - 1].clause_break))
        };
        let first_nonzero = |xs: &[u8]| xs.iter().copied().find(|&x| x > 0).unwrap_or(0);
        let matches = (0..n)
            .map(|i| {
                let named_len = if named[i] { person(i) } else { 0 };
                let guess_len = u8::from(guess[i]);
                let person_len = person(i);
                let pronoun = u8::from(bits[i] & b.pronoun_ind != 0);
                let individual = first_nonzero(&[person_len, pronoun, role(i)]);
                let group_len = group(i);
                let collective = if wf[i] & F_COLLECTIVE != 0 {
                    1
                } else if tokens[i].lower == "no"
                    && tokens.get(i + 1).is_some_and(|t| t.lower == "one")
                {
                    2
                } else {
                    0
                };
                let human = first_nonzero(&[individual, group_len, collective]);
                [
                    named_len, guess_len, person_len, individual, group_len, human,
                ]
            })
            .collect();
        People { bits, matches }
    }

    /// Length (in tokens) of a match of `class` starting at token `i`.
    pub(crate) fn match_len(&self, class: Computed, i: usize) -> Option<usize> {
        let len = self.matches.get(i)?[class as usize];
        (len > 0).then_some(len as usize)
    }
}

const MONTH_PREPOSITIONS: &[&str] = &[
    "on", "in", "of", "since", "until", "by", "early", "late", "mid",
];

trait UpperLetter {
    fn all_caps_or_upper(&self) -> bool;
}

impl UpperLetter for Token<'_> {
    fn all_caps_or_upper(&self) -> bool {
        self.text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    }
}
