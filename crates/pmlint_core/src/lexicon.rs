//! Word classes: the lexical ones from `rules/lexicon.toml` and the first-name lists.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: word lookups happen for every token of every candidate sentence, and SipHash's
/// DoS resistance buys nothing for a fixed, trusted key set.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf29ce484222325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100000001b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Lexical word classes. Each class maps a first word to the full entries starting with it, so a
/// multi-word entry ("new hire") is found from its first token without scanning the class.
#[derive(Debug, Default)]
pub struct Lexicon {
    classes: HashMap<String, Class>,
    /// Class name → bit index (at most 64 classes).
    ids: HashMap<String, u8>,
    /// Word → bitmask of the classes having an entry that starts with it.
    word_bits: FnvMap<String, u64>,
}

#[derive(Debug, Default)]
pub(crate) struct Class {
    /// first word → entries (each a list of words), longest first.
    by_first: HashMap<String, Vec<Vec<String>>>,
}

impl Class {
    /// Length in tokens of the longest entry matching `words` at its start.
    pub(crate) fn match_len<'a>(&self, mut words: impl Iterator<Item = &'a str>) -> Option<usize> {
        let first = words.next()?;
        let entries = self.by_first.get(first)?;
        let rest: Vec<&str> = words.take(4).collect();
        entries
            .iter()
            .find(|e| e.len() <= rest.len() + 1 && e[1..].iter().zip(&rest).all(|(a, b)| a == b))
            .map(Vec::len)
    }

    pub(crate) fn first_words(&self) -> impl Iterator<Item = &str> {
        self.by_first.keys().map(String::as_str)
    }

    /// Every entry as one space-separated phrase ("dropped the ball"): prefilter keys that
    /// do not fire on the first word alone.
    pub(crate) fn phrases(&self) -> impl Iterator<Item = String> + '_ {
        self.by_first
            .values()
            .flatten()
            .map(|words| words.join(" "))
    }
}

impl Lexicon {
    /// Parses the lexicon file: a TOML table of `CLASS = ["entry", ...]`.
    pub fn parse(src: &str) -> Result<Self, String> {
        let table: HashMap<String, Vec<String>> = toml::from_str(src).map_err(|e| e.to_string())?;
        let mut lex = Lexicon::default();
        let mut names: Vec<&String> = table.keys().collect();
        names.sort();
        if names.len() > 64 {
            return Err("at most 64 word classes".to_owned());
        }
        for (i, n) in names.iter().enumerate() {
            lex.ids.insert((*n).clone(), i as u8);
        }
        for (name, entries) in &table {
            let bit = 1u64 << lex.ids[name];
            for e in entries {
                if let Some(first) = e.split_whitespace().next() {
                    *lex.word_bits.entry(first.to_lowercase()).or_default() |= bit;
                }
            }
        }
        for (name, entries) in table {
            if !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                return Err(format!("class name `{name}` must be UPPER_SNAKE_CASE"));
            }
            let mut class = Class::default();
            for e in entries {
                let words: Vec<String> = e.split_whitespace().map(str::to_lowercase).collect();
                if words.is_empty() {
                    return Err(format!("class {name} has an empty entry"));
                }
                class
                    .by_first
                    .entry(words[0].clone())
                    .or_default()
                    .push(words);
            }
            for v in class.by_first.values_mut() {
                v.sort_by_key(|e| std::cmp::Reverse(e.len()));
            }
            lex.classes.insert(name, class);
        }
        Ok(lex)
    }

    pub(crate) fn class(&self, name: &str) -> Option<&Class> {
        self.classes.get(name)
    }

    pub(crate) fn class_id(&self, name: &str) -> Option<u8> {
        self.ids.get(name).copied()
    }

    /// Bitmask of the classes with an entry starting with the word `w`.
    pub(crate) fn bits(&self, w: &str) -> u64 {
        self.word_bits.get(w).copied().unwrap_or(0)
    }

    /// The bit of class `name` (0 when the class does not exist).
    pub(crate) fn bit(&self, name: &str) -> u64 {
        self.class_id(name).map_or(0, |i| 1u64 << i)
    }
}

/// The vendored census first names (see `rules/data/README.md`), as two sorted lists.
#[derive(Debug)]
pub struct Names {
    /// Names that are not also common English words: a capitalised match is a person.
    pub plain: Vec<&'static str>,
    /// Names that are also words ("Will", "Grant"): a person only with supporting context.
    pub ambiguous: Vec<&'static str>,
}

impl Names {
    pub fn embedded() -> Self {
        Names {
            plain: include_str!("../../../rules/data/first-names.txt")
                .lines()
                .collect(),
            ambiguous: include_str!("../../../rules/data/common-word-names.txt")
                .lines()
                .collect(),
        }
    }

    pub fn is_plain(&self, lower: &str) -> bool {
        self.plain.binary_search(&lower).is_ok()
    }

    pub fn is_ambiguous(&self, lower: &str) -> bool {
        self.ambiguous.binary_search(&lower).is_ok()
    }
}
