//! The engine: rule set loading, configuration, and the lint pipeline.
//!
//! ```text
//! text ─▶ Document (prose mask, blocks, sections, directives)
//!      ─▶ prefilter: one Aho-Corasick pass over the mask for every rule's anchor words
//!      ─▶ only the sentences that contain an anchor are segmented and tokenized
//!      ─▶ people analysis ─▶ every pattern of every active rule ─▶ context conditions
//!      ─▶ fixes ─▶ suppression directives ─▶ sorted diagnostics
//! ```
//!
//! The prefilter is why pmlint is fast: most prose in a postmortem contains no trigger word,
//! and Unicode segmentation, the costliest step, never runs on it.

use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use crate::config::{Config, ConfigError, RuleSetting};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::document::{Document, DocumentKind};
use crate::lexicon::{FnvMap, Lexicon, Names};
use crate::people::{Computed, People, PeopleConfig};
use crate::position::LineIndex;
use crate::rule::{
    compile, error_at, FixSpec, Pattern, Rule, RuleError, EMBEDDED_LEXICON, EMBEDDED_RULES,
};
use crate::text::{sentences, tokenize, Token};

static NAMES: LazyLock<Names> = LazyLock::new(Names::embedded);

/// A rule file's text and where it came from (a path, for error messages).
#[derive(Clone, Copy, Debug)]
pub struct RuleSource<'a> {
    pub origin: &'a str,
    pub text: &'a str,
}

/// Every loaded rule plus the lexicon they share. Build once, share through `Arc`.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    lexicon: Lexicon,
}

impl RuleSet {
    /// The rules embedded in the binary.
    pub fn embedded() -> (RuleSet, Vec<RuleError>) {
        Self::load(&[])
    }

    /// The embedded rules plus `extra` user rule files. Rules that fail to load are left out and
    /// reported; one bad file never takes the others down. A user rule may not reuse an id.
    pub fn load(extra: &[RuleSource<'_>]) -> (RuleSet, Vec<RuleError>) {
        let mut errors = Vec::new();
        let lexicon = match Lexicon::parse(EMBEDDED_LEXICON) {
            Ok(l) => l,
            Err(m) => {
                errors.push(error_at("rules/lexicon.toml", EMBEDDED_LEXICON, None, m));
                Lexicon::default()
            }
        };
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let embedded = EMBEDDED_RULES
            .iter()
            .map(|(o, t)| RuleSource { origin: o, text: t });
        for src in embedded.chain(extra.iter().copied()) {
            let stem = std::path::Path::new(src.origin)
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|_| src.origin.ends_with(".toml"));
            match compile(src.origin, src.text, stem, &lexicon) {
                Ok(rule) if !seen.insert(rule.id.clone()) => errors.push(error_at(
                    src.origin,
                    src.text,
                    None,
                    format!("rule id `{}` is already defined", rule.id),
                )),
                Ok(rule) => rules.push(rule),
                Err(e) => errors.push(e),
            }
        }
        (RuleSet { rules, lexicon }, errors)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

struct ActiveRule {
    index: usize,
    id: Arc<str>,
    family: Arc<str>,
    severity: Severity,
    message: Arc<str>,
    suggestions: Arc<[String]>,
}

/// A configured linter. Cheap to share between threads; lint as many documents as you like.
pub struct Linter {
    rules: Arc<RuleSet>,
    active: Vec<ActiveRule>,
    /// Anchor automaton, cheap to build: used for ordinary documents.
    prefilter: Option<AhoCorasick>,
    /// The same automaton as a DFA: three times faster to scan but three times costlier to
    /// build, so it is built on the first large document only.
    prefilter_dfa: std::sync::OnceLock<AhoCorasick>,
    /// Bytes this linter has scanned so far (decides when the DFA is worth building).
    scanned: std::sync::atomic::AtomicUsize,
    anchor_words: Vec<String>,
    /// Per prefilter pattern: (matches as a word prefix, needs no left word boundary).
    anchor_kind: Vec<(bool, bool)>,
    people: PeopleConfig,
    allow_phrases: Vec<Vec<String>>,
    lint_blockquotes: bool,
    /// Interned literal words of every required pattern element.
    features: FnvMap<String, u32>,
    /// `requirements[active][pattern][sequence]`: what a sentence must contain for the pattern to match.
    requirements: Vec<Vec<Vec<Vec<Requirement>>>>,
    /// Every sequence as (active rule, pattern, sequence), indexed by a flat id.
    seq_ids: Vec<(usize, usize, usize)>,
    /// Feature id → flat ids of the sequences anchored on that word.
    by_feature: Vec<Vec<u32>>,
    /// Sequences anchored on a lexicon class (class bit, flat id).
    by_class: Vec<(u64, u32)>,
    /// Sequences anchored on word prefixes (prefix, flat id).
    by_prefix: Vec<(String, u32)>,
}

/// One required element of a pattern: satisfied when the sentence has any of its words, a
/// word with one of its prefixes, or a word of one of its lexicon classes.
struct Requirement {
    features: Vec<u32>,
    prefixes: Vec<String>,
    class_bits: u64,
}

impl std::fmt::Debug for Linter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linter")
            .field("active_rules", &self.active.len())
            .finish()
    }
}

/// Surface forms of normalised contraction parts, so the prefilter sees `didn't` for `not`.
const CONTRACTION_FORMS: &[(&str, &[&str])] = &[
    ("not", &["n't", "n’t"]),
    ("have", &["'ve", "’ve"]),
    ("will", &["'ll", "’ll", "won"]),
    ("would", &["'d", "’d"]),
    ("am", &["'m", "’m"]),
    ("are", &["'re", "’re"]),
    ("'s", &["’s"]),
];

impl Linter {
    /// Builds a linter from a rule set and a configuration. Fails when the configuration names a
    /// rule or family that does not exist (with the line and column of the name).
    pub fn new(rules: Arc<RuleSet>, config: &Config) -> Result<Linter, ConfigError> {
        let mut settings: HashMap<&str, (bool, Severity)> = rules
            .rules
            .iter()
            .map(|r| (r.id.as_str(), (r.enabled_by_default, r.default_severity)))
            .collect();
        // Families first, then ids, so `hindsight = "off"` plus `hindsight-obvious = "error"`
        // keeps the one rule on whatever the order in the file.
        let is_family = |k: &str| rules.rules.iter().any(|r| r.family == k);
        for pass in [true, false] {
            for entry in &config.rules {
                let family = is_family(&entry.key);
                if family != pass {
                    continue;
                }
                if !family && !settings.contains_key(entry.key.as_str()) {
                    return Err(ConfigError {
                        line: entry.line,
                        column: entry.column,
                        message: format!(
                            "unknown rule or family `{}` (see `pmlint rules`)",
                            entry.key
                        ),
                    });
                }
                for r in rules
                    .rules
                    .iter()
                    .filter(|r| r.id == entry.key || (family && r.family == entry.key))
                {
                    let s = settings.get_mut(r.id.as_str()).expect("known id");
                    *s = match entry.setting {
                        RuleSetting::Off => (false, s.1),
                        RuleSetting::On(sev) => (true, sev),
                    };
                }
            }
        }
        let mut active = Vec::new();
        let mut anchors: Vec<(String, bool, bool)> = Vec::new();
        let mut seen = HashSet::new();
        for (index, r) in rules.rules.iter().enumerate() {
            let (on, severity) = settings[r.id.as_str()];
            if !on || severity < config.min_severity {
                continue;
            }
            active.push(ActiveRule {
                index,
                id: r.id.as_str().into(),
                family: r.family.as_str().into(),
                severity,
                message: r.message.as_str().into(),
                suggestions: r.suggestions.clone().into(),
            });
            for a in r.anchors(&rules.lexicon) {
                let words = a
                    .words
                    .iter()
                    .map(|w| (w, false))
                    .chain(a.prefixes.iter().map(|w| (w, true)));
                for (w, prefix) in words {
                    let mut forms: Vec<(String, bool)> = vec![(w.clone(), w.starts_with('\''))];
                    if let Some((_, extra)) = CONTRACTION_FORMS.iter().find(|(base, _)| base == w) {
                        forms.extend(
                            extra
                                .iter()
                                .map(|f| (f.to_string(), f.starts_with(['\'', '’']))),
                        );
                    }
                    for (form, no_left) in forms {
                        if seen.insert((form.clone(), prefix)) {
                            anchors.push((form, prefix, no_left));
                        }
                    }
                }
            }
        }
        let prefilter = if anchors.is_empty() {
            None
        } else {
            Some(build_prefilter(
                &anchors,
                aho_corasick::AhoCorasickKind::ContiguousNFA,
            ))
        };
        let mut features: FnvMap<String, u32> = FnvMap::default();
        let requirements = active
            .iter()
            .map(|a| {
                rules.rules[a.index]
                    .patterns
                    .iter()
                    .map(|p| {
                        p.seqs
                            .iter()
                            .map(|seq| {
                                seq.required()
                                    .map(|(words, prefixes, class_bits)| Requirement {
                                        features: words
                                            .iter()
                                            .map(|w| {
                                                let next = features.len() as u32;
                                                *features.entry(w.clone()).or_insert(next)
                                            })
                                            .collect(),
                                        prefixes: prefixes.to_vec(),
                                        class_bits,
                                    })
                                    .collect()
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut seq_ids = Vec::new();
        let mut by_feature: Vec<Vec<u32>> = vec![Vec::new(); features.len()];
        let mut by_class = Vec::new();
        let mut by_prefix = Vec::new();
        for (ai, a) in active.iter().enumerate() {
            for (pi, p) in rules.rules[a.index].patterns.iter().enumerate() {
                for (si, seq) in p.seqs.iter().enumerate() {
                    let flat = seq_ids.len() as u32;
                    seq_ids.push((ai, pi, si));
                    let (words, prefixes, bit) = seq.anchor_element();
                    for w in words {
                        by_feature[features[w.as_str()] as usize].push(flat);
                    }
                    by_prefix.extend(prefixes.iter().map(|p| (p.clone(), flat)));
                    if bit != 0 {
                        by_class.push((bit, flat));
                    }
                }
            }
        }
        let lower_set = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect::<HashSet<_>>();
        Ok(Linter {
            rules,
            active,
            prefilter,
            prefilter_dfa: std::sync::OnceLock::new(),
            scanned: std::sync::atomic::AtomicUsize::new(0),
            anchor_words: anchors.iter().map(|a| a.0.clone()).collect(),
            anchor_kind: anchors.iter().map(|a| (a.1, a.2)).collect(),
            people: PeopleConfig {
                roster: lower_set(&config.roster),
                allowed: lower_set(&config.allow_names),
            },
            allow_phrases: config
                .allow_phrases
                .iter()
                .map(|p| p.split_whitespace().map(str::to_lowercase).collect())
                .filter(|p: &Vec<String>| !p.is_empty())
                .collect(),
            lint_blockquotes: config.lint_blockquotes,
            features,
            requirements,
            seq_ids,
            by_feature,
            by_class,
            by_prefix,
        })
    }

    /// A linter with the embedded rules and the default configuration.
    pub fn with_defaults() -> Linter {
        let (rules, errors) = RuleSet::embedded();
        // The embedded rules are tested on every build; a failure here is a packaging bug.
        debug_assert!(
            errors.is_empty(),
            "embedded rules failed to load: {errors:?}"
        );
        Linter::new(Arc::new(rules), &Config::default())
            .expect("the default configuration is valid")
    }

    pub fn rule_set(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// Ids of the rules that run with this configuration.
    pub fn active_rules(&self) -> impl Iterator<Item = &str> {
        self.active.iter().map(|a| &*a.id)
    }

    /// Lints one document. Diagnostics are sorted by position, then rule id.
    pub fn lint(&self, text: &str, kind: DocumentKind) -> Vec<Diagnostic> {
        let doc = Document::parse(text, kind);
        let mut out = Vec::new();
        let Some(small) = &self.prefilter else {
            return out;
        };
        // The DFA pays for itself once this linter has scanned enough text, whether in one large
        // document or across many files of a CLI run or many keystrokes in an editor.
        let scanned = self
            .scanned
            .fetch_add(text.len(), std::sync::atomic::Ordering::Relaxed)
            + text.len();
        let ac = if scanned >= DFA_THRESHOLD {
            self.prefilter_dfa.get_or_init(|| {
                let anchors: Vec<(String, bool, bool)> = self
                    .anchor_words
                    .iter()
                    .map(|w| (w.clone(), false, false))
                    .collect();
                build_prefilter(&anchors, aho_corasick::AhoCorasickKind::DFA)
            })
        } else {
            small
        };
        let prose: &str = &doc.prose;
        let bytes = prose.as_bytes();
        let mut hits: Vec<usize> = Vec::new();
        for m in ac.find_iter(prose) {
            let (prefix, no_left) = self.anchor_kind[m.pattern().as_usize()];
            let left_ok = no_left || m.start() == 0 || !is_word_char_before(prose, m.start());
            let right_ok = prefix
                || m.end() == bytes.len()
                || !is_word_char_at(prose, m.end())
                || bytes[m.end()..].starts_with(b"n't")
                || bytes[m.end()..].starts_with("n’t".as_bytes());
            if left_ok && right_ok {
                hits.push(m.start());
            }
        }
        if hits.is_empty() {
            return out;
        }

        let mut h = 0;
        for block in &doc.blocks {
            while h < hits.len() && hits[h] < block.range.start {
                h += 1;
            }
            if h == hits.len() {
                break;
            }
            let first = h;
            while h < hits.len() && hits[h] < block.range.end {
                h += 1;
            }
            if first == h || (block.in_quote && !self.lint_blockquotes) {
                continue;
            }
            let block_hits = &hits[first..h];
            let section = doc.section_title(block);
            // Segment only a window around each hit (the sentence it is in, found by a cheap
            // scan for sentence-final punctuation), never the whole paragraph: UAX #29
            // segmentation is the costliest step and most sentences hold no trigger.
            let mut done_until = block.range.start;
            let mut k = 0;
            while k < block_hits.len() {
                let hit = block_hits[k];
                if hit < done_until {
                    k += 1;
                    continue;
                }
                let window = sentence_window(prose.as_bytes(), block.range.clone(), hit);
                done_until = window.end;
                for sent in sentences(prose, window) {
                    while k < block_hits.len() && block_hits[k] < sent.start {
                        k += 1;
                    }
                    if k < block_hits.len() && block_hits[k] < sent.end {
                        self.lint_sentence(text, prose, sent, section, &mut out);
                    }
                }
                while k < block_hits.len() && block_hits[k] < done_until {
                    k += 1;
                }
            }
        }

        if !doc.directives.is_empty() {
            let index = LineIndex::new(text);
            crate::suppress::apply(text, &index, &doc.directives, &mut out);
        }
        out.sort_by(|a, b| {
            (a.range.start, a.range.end, &a.rule).cmp(&(b.range.start, b.range.end, &b.rule))
        });
        out.dedup_by(|b, a| a.rule == b.rule && b.range.start < a.range.end);
        out
    }

    fn lint_sentence(
        &self,
        text: &str,
        prose: &str,
        sent: Range<usize>,
        section: Option<&str>,
        out: &mut Vec<Diagnostic>,
    ) {
        let tokens = tokenize(prose, sent.clone());
        if tokens.is_empty() {
            return;
        }
        let lex = &self.rules.lexicon;
        // One pass over the tokens: which required words and classes the sentence has, and the
        // sequences anchored on its words (only those are considered below).
        let mut present = vec![0u64; self.features.len().div_ceil(64)];
        let mut bits: Vec<u64> = tokens.iter().map(|t| lex.bits(&t.lower)).collect();
        let class_bits = bits.iter().fold(0, |acc, b| acc | b);
        let mut cands: Vec<u32> = Vec::new();
        for t in &tokens {
            if let Some(&f) = self.features.get(t.lower.as_ref()) {
                present[(f / 64) as usize] |= 1 << (f % 64);
                cands.extend_from_slice(&self.by_feature[f as usize]);
            }
        }
        for &(bit, flat) in &self.by_class {
            if class_bits & bit != 0 {
                cands.push(flat);
            }
        }
        for (prefix, flat) in &self.by_prefix {
            if tokens.iter().any(|t| t.lower.starts_with(prefix.as_str())) {
                cands.push(*flat);
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let mut people: Option<People> = None;
        for &flat in &cands {
            let (ai, pi, si) = self.seq_ids[flat as usize];
            let active = &self.active[ai];
            let pattern = &self.rules.rules[active.index].patterns[pi];
            let seq = &pattern.seqs[si];
            if !pattern.sections.is_empty()
                && !section.is_some_and(|s| pattern.sections.iter().any(|p| s.contains(p.as_str())))
            {
                continue;
            }
            let satisfied = self.requirements[ai][pi][si].iter().all(|req| {
                req.features
                    .iter()
                    .any(|&f| present[(f / 64) as usize] & (1 << (f % 64)) != 0)
                    || req.class_bits & class_bits != 0
                    || req
                        .prefixes
                        .iter()
                        .any(|p| tokens.iter().any(|t| t.lower.starts_with(p.as_str())))
            });
            if !satisfied {
                continue;
            }
            let people = people.get_or_insert_with(|| {
                People::analyse(
                    &tokens,
                    std::mem::take(&mut bits),
                    lex,
                    &NAMES,
                    &self.people,
                )
            });
            let matches = match &pattern.regex {
                Some(re) => regex_matches(re, prose, &sent, &tokens),
                None => seq.find_all(&tokens, people, lex),
            };
            for m in matches {
                if !conditions_hold(pattern, &tokens, m.start, m.end) {
                    continue;
                }
                // The highlight spans every capture with the label (a label may mark several
                // elements), else the whole match.
                let (hs, he) = pattern
                    .highlight
                    .as_ref()
                    .and_then(|l| {
                        let caps = m.captures.iter().filter(|c| *c.0 == **l);
                        let s = caps.clone().map(|c| c.1).min()?;
                        Some((s, caps.map(|c| c.2).max()?))
                    })
                    .unwrap_or((m.start, m.end));
                let range = tokens[hs].span.start..tokens[he - 1].span.end;
                if self.allowed_phrase(&tokens[m.start..m.end]) {
                    continue;
                }
                let fixes = pattern
                    .fix
                    .as_ref()
                    .and_then(|f| build_fix(f, text, &tokens, &m, people))
                    .into_iter()
                    .collect();
                out.push(Diagnostic {
                    rule: active.id.clone(),
                    family: active.family.clone(),
                    severity: active.severity,
                    range,
                    message: active.message.clone(),
                    suggestions: active.suggestions.clone(),
                    fixes,
                });
            }
        }
    }

    fn allowed_phrase(&self, tokens: &[Token<'_>]) -> bool {
        self.allow_phrases
            .iter()
            .any(|p| (0..tokens.len()).any(|i| phrase_at(tokens, i, p)))
    }
}

fn is_word_char_before(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn is_word_char_at(s: &str, i: usize) -> bool {
    s[i..].chars().next().is_some_and(char::is_alphanumeric)
}

fn phrase_at(tokens: &[Token<'_>], i: usize, phrase: &[String]) -> bool {
    phrase.len() <= tokens.len() - i && phrase.iter().zip(&tokens[i..]).all(|(w, t)| *w == t.lower)
}

fn conditions_hold(p: &Pattern, tokens: &[Token<'_>], start: usize, end: usize) -> bool {
    let from = start.saturating_sub(p.before_window);
    if p.unless_before
        .iter()
        .any(|ph| (from..start).any(|i| phrase_at(tokens, i, ph)))
    {
        return false;
    }
    if p.unless_after.iter().any(|ph| phrase_at(tokens, end, ph)) {
        return false;
    }
    if p.unless_sentence
        .iter()
        .any(|ph| (0..tokens.len()).any(|i| phrase_at(tokens, i, ph)))
    {
        return false;
    }
    true
}

/// `s` with its first character upper-cased (a replacement that starts a sentence).
fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

fn build_fix(
    spec: &FixSpec,
    text: &str,
    tokens: &[Token<'_>],
    m: &crate::pattern::Match,
    people: &People,
) -> Option<Fix> {
    let (a, b) = match &spec.target {
        Some(label) => m
            .captures
            .iter()
            .find(|c| *c.0 == **label)
            .map(|c| (c.1, c.2))?,
        None => (m.start, m.end),
    };
    if let Some(class) = spec.target_class.as_deref().and_then(Computed::from_name) {
        people.match_len(class, a)?;
    }
    let start = tokens[a].span.start;
    let end = tokens[b - 1].span.end;
    let edit = if spec.replace.is_empty() {
        deletion(text, tokens, a, b)?
    } else {
        // Case follows position, not the original word: a name is capitalised because it is a
        // name, and "said Bob" becomes "said the engineer", while a sentence start stays
        // capitalised and an all-caps original stays all caps.
        let replacement = if tokens[a].sentence_start {
            capitalize(&spec.replace)
        } else if tokens[a].all_caps {
            spec.replace.to_uppercase()
        } else {
            spec.replace.clone()
        };
        Edit {
            range: start..end,
            replacement,
        }
    };
    Some(Fix {
        title: spec.title.clone(),
        applicability: spec.applicability,
        edits: vec![edit],
    })
}

/// Deletes tokens `a..b` as a writer would: with the comma and space that follow, and with the
/// next word capitalised when the deleted words started the sentence. Refuses (returns `None`)
/// when the deletion would cut through markup between the tokens.
fn deletion(text: &str, tokens: &[Token<'_>], a: usize, b: usize) -> Option<Edit> {
    let ws_only = |r: Range<usize>| text[r].chars().all(char::is_whitespace);
    let start = tokens[a].span.start;
    let mut end = tokens[b - 1].span.end;
    let mut next = b;
    let comma_before = a > 0 && tokens[a - 1].text == "," && ws_only(tokens[a - 1].span.end..start);
    if tokens.get(next).is_some_and(|t| t.text == ",") && ws_only(end..tokens[next].span.start) {
        if comma_before {
            // "The deploy, obviously, broke": remove ", obviously," and keep the space after.
            return Some(Edit {
                range: tokens[a - 1].span.start..tokens[next].span.end,
                replacement: String::new(),
            });
        }
        end = tokens[next].span.end;
        next += 1;
    }
    let follower = tokens.get(next);
    match follower {
        Some(f) if ws_only(end..f.span.start) => {
            if tokens[a].sentence_start && f.is_word() {
                let first = f.text.chars().next()?;
                let upper: String = first.to_uppercase().collect();
                Some(Edit {
                    range: start..f.span.start + first.len_utf8(),
                    replacement: upper,
                })
            } else {
                Some(Edit {
                    range: start..f.span.start,
                    replacement: String::new(),
                })
            }
        }
        Some(_) => None,
        None => {
            // Last words of the sentence: take the space before them instead.
            let mut s = start;
            while s > 0 && text.as_bytes()[s - 1] == b' ' {
                s -= 1;
            }
            Some(Edit {
                range: s..end,
                replacement: String::new(),
            })
        }
    }
}

/// Applicability of the fixes a rule offers, for listings.
pub fn rule_fix_applicability(rule: &Rule) -> Option<Applicability> {
    rule.patterns
        .iter()
        .filter_map(|p| p.fix.as_ref().map(|f| f.applicability))
        .max()
}

/// The byte range around `hit` that holds its sentence: from just after the previous
/// sentence-final punctuation (`.`, `!`, `?` followed by whitespace) to just after the next one,
/// within the block and at most [`WINDOW_LIMIT`] bytes each way. UAX #29 then segments only this
/// window; it can split the window further but never needs text outside it.
fn sentence_window(bytes: &[u8], block: Range<usize>, hit: usize) -> Range<usize> {
    let is_end = |i: usize| {
        matches!(bytes[i], b'.' | b'!' | b'?')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace)
    };
    let lo = block.start.max(hit.saturating_sub(WINDOW_LIMIT));
    let mut start = hit;
    while start > lo && !is_end(start - 1) {
        start -= 1;
    }
    let hi = block.end.min(hit + WINDOW_LIMIT);
    let mut end = hit;
    while end < hi && !is_end(end) {
        end += 1;
    }
    let end = (end + 1).min(block.end);
    // Both ends are next to ASCII bytes or the block's own boundaries, except when a limit cut a
    // character: round outwards to character boundaries.
    while start > block.start && !is_boundary(bytes, start) {
        start -= 1;
    }
    let mut end = end;
    while end < block.end && !is_boundary(bytes, end) {
        end += 1;
    }
    start..end
}

/// Longest distance the sentence window extends from a hit in either direction.
const WINDOW_LIMIT: usize = 4096;

fn is_boundary(bytes: &[u8], i: usize) -> bool {
    // A UTF-8 continuation byte is 0b10xx_xxxx.
    bytes.get(i).is_none_or(|b| (*b as i8) >= -0x40)
}

/// Once a linter has scanned this many bytes, it scans with the DFA prefilter.
const DFA_THRESHOLD: usize = 256 * 1024;

fn build_prefilter(
    anchors: &[(String, bool, bool)],
    kind: aho_corasick::AhoCorasickKind,
) -> AhoCorasick {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(kind))
        // The automaton's rare-byte prefilter fires constantly on prose (anchor words start
        // with common letters) and costs more than it saves.
        .prefilter(false)
        .match_kind(MatchKind::LeftmostLongest)
        .build(anchors.iter().map(|a| a.0.as_str()))
        .expect("anchor words are small literals")
}

/// A `regex` pattern's matches in the sentence, as token ranges (a match is widened to the
/// tokens it touches, so ranges stay on token and character boundaries).
fn regex_matches(
    re: &regex::Regex,
    prose: &str,
    sent: &Range<usize>,
    tokens: &[Token<'_>],
) -> Vec<crate::pattern::Match> {
    re.find_iter(&prose[sent.clone()])
        .filter_map(|m| {
            let (s, e) = (sent.start + m.start(), sent.start + m.end());
            let start = tokens.iter().position(|t| t.span.end > s)?;
            let end = tokens.iter().rposition(|t| t.span.start < e)? + 1;
            (start < end).then(|| crate::pattern::Match {
                start,
                end,
                captures: Vec::new(),
            })
        })
        .collect()
}
