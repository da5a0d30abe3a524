//! Word classes: the lexical ones from `rules/lexicon.toml` and the first-name lists.

use std::collections::HashMap;

/// Lexical word classes. Each class maps a first word to the full entries starting with it, so a
/// multi-word entry ("new hire") is found from its first token without scanning the class.
#[derive(Debug, Default)]
pub struct Lexicon {
    classes: HashMap<String, Class>,
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
}

impl Lexicon {
    /// Parses the lexicon file: a TOML table of `CLASS = ["entry", ...]`.
    pub fn parse(src: &str) -> Result<Self, String> {
        let table: HashMap<String, Vec<String>> = toml::from_str(src).map_err(|e| e.to_string())?;
        let mut lex = Lexicon::default();
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

    /// Whether the single word `w` is an entry (or starts one) of class `name`.
    pub fn contains(&self, name: &str, w: &str) -> bool {
        self.classes
            .get(name)
            .is_some_and(|c| c.by_first.contains_key(w))
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
