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

/// Per-sentence person analysis; built once per candidate sentence.
pub(crate) struct People<'s> {
    named: Vec<bool>,
    guess: Vec<bool>,
    lex: &'s Lexicon,
}

impl<'s> People<'s> {
    pub(crate) fn analyse(
        tokens: &[Token<'_>],
        lex: &'s Lexicon,
        names: &Names,
        cfg: &PeopleConfig,
    ) -> Self {
        let n = tokens.len();
        let mut named = vec![false; n];
        let mut guess = vec![false; n];
        for i in 0..n {
            let t = &tokens[i];
            let lower = t.lower.as_ref();
            let bare = lower.trim_start_matches('@').trim_end_matches('@');
            if cfg.allowed.contains(lower) || cfg.allowed.contains(bare) {
                continue;
            }
            let next = tokens.get(i + 1).map(|t| t.lower.as_ref());
            let prev = i.checked_sub(1).map(|j| tokens[j].lower.as_ref());
            named[i] = match t.kind {
                TokenKind::Handle | TokenKind::Email => true,
                TokenKind::Word => {
                    if cfg.roster.contains(lower) {
                        true
                    } else if !t.capitalized || t.all_caps {
                        false
                    } else if MONTHS.contains(&lower)
                        && (next.is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                            || prev.is_some_and(|w| {
                                [
                                    "on", "in", "of", "since", "until", "by", "early", "late",
                                    "mid",
                                ]
                                .contains(&w)
                            }))
                    {
                        false
                    } else if names.is_plain(lower) {
                        true
                    } else if names.is_ambiguous(lower) {
                        // "Will", "Grant": a person when capitalised mid-sentence before a
                        // verb-like word, or at the start before a human action.
                        next.is_some_and(|w| acts_like_person(w, lex))
                    } else {
                        // "Employee A", "Engineer B": a role word followed by a single letter.
                        (lower == "employee"
                            || lower == "engineer"
                            || lower == "user"
                            || lower == "person")
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
                && !FUNCTION_WORDS.contains(&lower)
                && !lower.chars().any(|c| c.is_ascii_digit())
                && !t.text.chars().skip(1).any(char::is_uppercase)
                && !is_lexical(lower, lex)
                && (next.is_some_and(|w| acts_like_person(w, lex))
                    || (next == Some("'s")
                        && tokens
                            .get(i + 2)
                            .is_some_and(|t| POSSESSED_ACTS.contains(&t.lower.as_ref()))))
                && prev.is_none_or(|p| !DETERMINERS.contains(&p))
            {
                guess[i] = true;
            }
        }
        // "Employee A": the letter belongs to the name.
        People { named, guess, lex }
    }

    /// Length (in tokens) of a match of `class` starting at token `i`.
    pub(crate) fn match_len(
        &self,
        class: Computed,
        tokens: &[Token<'_>],
        i: usize,
    ) -> Option<usize> {
        let t = tokens.get(i)?;
        let person = || {
            if self.named[i] {
                // Employee A: swallow the letter.
                let extra = usize::from(
                    matches!(
                        t.lower.as_ref(),
                        "employee" | "engineer" | "user" | "person"
                    ) && tokens.get(i + 1).is_some_and(|n| n.text.len() == 1),
                );
                Some(1 + extra)
            } else {
                None
            }
        };
        match class {
            Computed::Named => person(),
            Computed::Guess => self.guess[i].then_some(1),
            Computed::Person => person().or_else(|| self.guess[i].then_some(1)),
            Computed::Individual => person()
                .or_else(|| self.guess[i].then_some(1))
                .or_else(|| self.lex.contains("PRONOUN_IND", &t.lower).then_some(1))
                .or_else(|| self.role(tokens, i)),
            Computed::Group => self.group(tokens, i),
            Computed::Human => self
                .match_len(Computed::Individual, tokens, i)
                .or_else(|| self.group(tokens, i))
                .or_else(|| {
                    if COLLECTIVE.contains(&t.lower.as_ref()) {
                        Some(1)
                    } else if t.lower == "no" && tokens.get(i + 1).is_some_and(|n| n.lower == "one")
                    {
                        Some(2)
                    } else {
                        None
                    }
                }),
        }
    }

    /// `the [new|junior|...] deployer`: determiner, up to two modifiers, a ROLE entry.
    fn role(&self, tokens: &[Token<'_>], i: usize) -> Option<usize> {
        if !DETERMINERS.contains(&tokens[i].lower.as_ref()) {
            return None;
        }
        let class = self.lex.class("ROLE")?;
        for skip in 0..=2 {
            let j = i + 1 + skip;
            if j >= tokens.len() || (skip > 0 && !tokens[j - 1].is_word()) {
                break;
            }
            if let Some(len) = class.match_len(tokens[j..].iter().map(|t| t.lower.as_ref())) {
                // Singular roles only; "the engineers" is a GROUP.
                return Some(1 + skip + len);
            }
        }
        None
    }

    /// `the QA team`, `our ops folks`, `the facilities staff`, or a bare plural head at the start
    /// of a clause ("Engineers need to…").
    fn group(&self, tokens: &[Token<'_>], i: usize) -> Option<usize> {
        let head = |j: usize| {
            tokens
                .get(j)
                .is_some_and(|t| self.lex.contains("GROUP_HEAD", &t.lower))
        };
        let t = &tokens[i];
        if GROUP_DETERMINERS.contains(&t.lower.as_ref()) {
            for skip in 0..=2 {
                let j = i + 1 + skip;
                if j >= tokens.len() || !tokens[j].is_word() {
                    break;
                }
                if head(j) {
                    return Some(2 + skip);
                }
            }
            return None;
        }
        if head(i) && (t.sentence_start || i == 0 || tokens[i - 1].clause_break) {
            return Some(1);
        }
        None
    }
}

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

/// Whether the word after a capitalised token suggests the token is a person acting.
fn acts_like_person(next: &str, lex: &Lexicon) -> bool {
    lex.contains("HUMAN_ACTION", next)
        || lex.contains("LAPSE", next)
        || matches!(
            next,
            "did"
                | "failed"
                | "should"
                | "could"
                | "mistakenly"
                | "accidentally"
                | "carelessly"
                | "never"
        )
}

fn is_lexical(lower: &str, lex: &Lexicon) -> bool {
    [
        "ROLE",
        "GROUP_HEAD",
        "SYSTEM",
        "LAPSE",
        "HUMAN_ACTION",
        "PRONOUN_IND",
    ]
    .iter()
    .any(|c| lex.contains(c, lower))
}
