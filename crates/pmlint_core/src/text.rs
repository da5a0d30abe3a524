//! The text model rules reason over: sentences and tokens with byte spans and attributes.
//!
//! Words come from Unicode segmentation (UAX #29), then three adjustments make them fit prose
//! about incidents:
//! - contractions split into their parts (`didn't` → `did` + `n't`, whose lower form is `not`),
//!   so a pattern says `did not` once and matches both spellings;
//! - hyphenated compounds join (`on-call`, `double-check`, `fault-tolerant`), so a pattern for
//!   `fault` never fires inside `fault-tolerant`;
//! - `@alice`, `alice@` and `alice@example.com` become one handle/e-mail token.

use std::borrow::Cow;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
    /// `@alice` or Google-style `alice@`.
    Handle,
    Email,
}

/// One token of a sentence. `span` is a byte range of the original text.
#[derive(Clone, Debug)]
pub struct Token<'t> {
    pub span: Range<usize>,
    pub text: &'t str,
    /// Lower-case form, with contraction parts normalised (`n't` → `not`, `'ve` → `have`).
    pub lower: Cow<'t, str>,
    pub kind: TokenKind,
    /// First character is upper-case.
    pub capitalized: bool,
    /// Every cased character is upper-case and there are at least two letters (DNS, QA).
    pub all_caps: bool,
    /// First word of the sentence.
    pub sentence_start: bool,
    /// Ends a clause: `, ; : ( ) —` and quotes. Gaps in patterns never cross it.
    pub clause_break: bool,
}

impl Token<'_> {
    pub fn is_word(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Word | TokenKind::Handle | TokenKind::Email
        )
    }
}

/// Sentence byte ranges (absolute) within `prose[range]`, trimmed of surrounding whitespace.
///
/// UAX #29's sentence rule SB8 looks ahead over spaces and punctuation after a full stop, and
/// the implementation re-scans that run at every position: quadratic on a long run. Masked
/// markup makes such runs (deep quote markers, long code spans), and hostile input can too. So
/// the range is first cut at runs of [`MAX_WS_RUN`] whitespace bytes or [`MAX_NONLETTER_RUN`]
/// bytes without a letter, which no real sentence contains, and each piece is segmented alone.
pub fn sentences(prose: &str, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    pieces(prose.as_bytes(), range).flat_map(move |piece| {
        let base = piece.start;
        let text = &prose[piece];
        // Fast path, exact: UAX #29 only breaks after a sentence terminator or a paragraph
        // separator. An ASCII piece whose only `.`/`!`/`?` are at its very end, with no line
        // break, is one sentence, and segmenting it would only confirm that.
        let single = is_single_sentence(text);
        let bounds: Box<dyn Iterator<Item = (usize, &str)>> = if single {
            Box::new(std::iter::once((0, text)))
        } else {
            Box::new(text.split_sentence_bound_indices())
        };
        bounds.filter_map(move |(i, s)| {
            let lead = s.len() - s.trim_start().len();
            let t = s.trim();
            (!t.is_empty()).then(|| base + i + lead..base + i + lead + t.len())
        })
    })
}

/// Whether UAX #29 would find no sentence break inside `text` (ignoring trailing punctuation):
/// no `.`, `!`, `?` or line separator before the end, and every non-ASCII character one that is
/// neither a terminator nor a separator (letters, digits, dashes, curly quotes, emoji, …).
/// Anything else goes to the full segmenter; a property test checks this against it.
pub(crate) fn is_single_sentence(text: &str) -> bool {
    let body = text
        .trim_end()
        .trim_end_matches(['.', '!', '?', '"', '\'', ')', ']', '’', '”']);
    if body.is_ascii() {
        return !body
            .bytes()
            .any(|b| matches!(b, b'.' | b'!' | b'?' | b'\n' | b'\r' | 0x0b | 0x0c));
    }
    body.chars().all(|c| {
        if c.is_ascii() {
            !matches!(c, '.' | '!' | '?' | '\n' | '\r' | '\u{b}' | '\u{c}')
        } else {
            c.is_alphanumeric()
                || SAFE_NON_ASCII.contains(&c)
                || ('\u{1F300}'..='\u{1FAFF}').contains(&c)
        }
    })
}

/// Non-ASCII punctuation and symbols common in prose that are not sentence terminators or
/// separators in UAX #29.
const SAFE_NON_ASCII: &[char] = &[
    '—', '–', '‐', '‑', '’', '‘', '“', '”', '«', '»', '•', '·', '°', '€', '£', '×', '→', '←',
    '\u{a0}', '\u{2009}', '\u{202f}',
];

/// Longest whitespace run kept inside one sentence.
pub const MAX_WS_RUN: usize = 64;
/// Longest run of bytes without an ASCII or non-ASCII letter kept inside one sentence.
pub const MAX_NONLETTER_RUN: usize = 256;

fn pieces(bytes: &[u8], range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = range.start;
    let end = range.end;
    std::iter::from_fn(move || {
        if start >= end {
            return None;
        }
        let (mut ws, mut nonletter) = (0usize, 0usize);
        let mut i = start;
        while i < end {
            let b = bytes[i];
            // Non-ASCII bytes count as letters: scripts without case are still prose.
            let letter = b.is_ascii_alphabetic() || b >= 0x80;
            ws = if b.is_ascii_whitespace() { ws + 1 } else { 0 };
            nonletter = if letter { 0 } else { nonletter + 1 };
            i += 1;
            if ws >= MAX_WS_RUN || nonletter >= MAX_NONLETTER_RUN {
                // The piece ends where the run began (so the segmenter never sees the run), and
                // the next one starts at the next letter.
                let piece = start..i - ws.max(nonletter);
                while i < end && !(bytes[i].is_ascii_alphabetic() || bytes[i] >= 0x80) {
                    i += 1;
                }
                start = i;
                return Some(piece);
            }
        }
        let piece = start..end;
        start = end;
        Some(piece)
    })
}

const CLAUSE_PUNCT: &[&str] = &[
    ",", ";", ":", "(", ")", "[", "]", "—", "–", "\"", "“", "”", "!", "?", ".", "…",
];

/// Tokenizes one sentence. `prose` is the prose mask and `span` the sentence's byte range in it.
pub fn tokenize<'t>(prose: &'t str, span: Range<usize>) -> Vec<Token<'t>> {
    let base = span.start;
    let sentence = &prose[span];
    let mut raw: Vec<(usize, &'t str)> = Vec::with_capacity(sentence.len() / 5 + 1);
    word_bounds(sentence, |r| raw.push((base + r.start, &sentence[r])));

    let mut out: Vec<Token<'t>> = Vec::with_capacity(raw.len() + 4);
    let mut i = 0;
    while i < raw.len() {
        let (start, w) = raw[i];
        let adjacent = |j: usize| j < raw.len() && raw[j - 1].0 + raw[j - 1].1.len() == raw[j].0;
        let is_wordish = |s: &str| s.chars().next().is_some_and(char::is_alphanumeric);

        // @handle
        if w == "@" && adjacent(i + 1) && is_wordish(raw[i + 1].1) {
            let end = raw[i + 1].0 + raw[i + 1].1.len();
            out.push(make(prose, start..end, TokenKind::Handle));
            i += 2;
            continue;
        }
        if is_wordish(w) && adjacent(i + 1) && raw[i + 1].1 == "@" {
            // name@domain.tld is an e-mail; name@ followed by a space or punctuation is a handle.
            if adjacent(i + 2) && is_wordish(raw[i + 2].1) {
                let end = raw[i + 2].0 + raw[i + 2].1.len();
                out.push(make(prose, start..end, TokenKind::Email));
                i += 3;
            } else {
                let end = raw[i + 1].0 + 1;
                out.push(make(prose, start..end, TokenKind::Handle));
                i += 2;
            }
            continue;
        }
        // Hyphenated compounds: word(-word)+ with no spaces.
        if is_wordish(w) {
            let mut j = i;
            while j + 2 < raw.len()
                && adjacent(j + 1)
                && adjacent(j + 2)
                && raw[j + 1].1 == "-"
                && is_wordish(raw[j + 2].1)
            {
                j += 2;
            }
            if j > i {
                let end = raw[j].0 + raw[j].1.len();
                out.push(make(prose, start..end, TokenKind::Word));
                i = j + 1;
                continue;
            }
            push_word(prose, &mut out, start, w);
            i += 1;
            continue;
        }
        out.push(make(prose, start..start + w.len(), TokenKind::Punct));
        i += 1;
    }

    let mut first_word = true;
    for t in &mut out {
        if t.is_word() && first_word {
            t.sentence_start = true;
            first_word = false;
        }
        if t.kind == TokenKind::Punct && CLAUSE_PUNCT.contains(&t.text) {
            t.clause_break = true;
        }
    }
    out
}

fn make(prose: &str, span: Range<usize>, kind: TokenKind) -> Token<'_> {
    let text = &prose[span.clone()];
    let (capitalized, all_caps, lower) = if text.is_ascii() {
        // Most tokens: byte tests, and no allocation unless there is an upper-case letter.
        let b = text.as_bytes();
        let upper = b.iter().filter(|c| c.is_ascii_uppercase()).count();
        let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
        let lower = if upper == 0 {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(text.to_ascii_lowercase())
        };
        (
            b[0].is_ascii_uppercase(),
            letters >= 2 && upper == letters,
            lower,
        )
    } else {
        let mut letters = 0;
        let mut all_caps = true;
        for c in text.chars() {
            if c.is_alphabetic() {
                letters += 1;
                if c.is_lowercase() {
                    all_caps = false;
                }
            }
        }
        let capitalized = text.chars().next().is_some_and(char::is_uppercase);
        (capitalized, all_caps && letters >= 2, lower_of(text))
    };
    let kind = if kind == TokenKind::Word && text.as_bytes()[0].is_ascii_digit() {
        TokenKind::Number
    } else {
        kind
    };
    Token {
        span,
        text,
        lower,
        kind,
        capitalized,
        all_caps,
        sentence_start: false,
        clause_break: false,
    }
}

fn lower_of(text: &str) -> Cow<'_, str> {
    let needs = text.chars().any(|c| c.is_uppercase() || c == '’');
    if needs {
        Cow::Owned(text.replace('’', "'").to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Calls `f` with the byte range of every non-whitespace UAX #29 word segment of `text`.
///
/// UAX #29 always breaks around a run of ASCII spaces, so the text is cut there into chunks;
/// ASCII chunks use the direct implementation below, and only chunks with a non-ASCII character
/// (an em dash, a curly quote, an accented word) pay for the full segmenter. A property test
/// checks the result against segmenting the whole text at once.
pub(crate) fn word_bounds(text: &str, mut f: impl FnMut(Range<usize>)) {
    let bytes = text.as_bytes();
    // WB4 attaches a combining mark, ZWJ or format character to whatever precedes it, even a
    // space; a chunk starting with one cannot be segmented alone.
    let attaches = |c: char| !(c.is_ascii() || c.is_alphanumeric() || SAFE_NON_ASCII.contains(&c));
    let chunk_starts = std::iter::once(0).chain(memchr_spaces(bytes).map(|i| i + 1));
    if chunk_starts
        .filter_map(|i| text.get(i..)?.chars().next())
        .any(attaches)
    {
        for (j, w) in text.split_word_bound_indices() {
            if !w.chars().all(char::is_whitespace) {
                f(j..j + w.len());
            }
        }
        return;
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b' ' {
            i += 1;
        }
        let chunk = &text[start..i];
        if chunk.is_ascii() {
            for r in ascii_word_bounds(chunk.as_bytes()) {
                if !bytes[start + r.start].is_ascii_whitespace() {
                    f(start + r.start..start + r.end);
                }
            }
        } else {
            for (j, w) in chunk.split_word_bound_indices() {
                if !w.chars().all(char::is_whitespace) {
                    f(start + j..start + j + w.len());
                }
            }
        }
    }
}

fn memchr_spaces(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b' ')
        .map(|(i, _)| i)
}

/// UAX #29 word boundaries for ASCII text, computed directly: the same segments as
/// `split_word_bound_indices` (a property test checks it), several times faster. For ASCII the
/// rules reduce to: letters, digits and `_` join; a letter run continues across `:`, `.` or `'`
/// when a letter follows (WB6/7); a digit run continues across `,`, `;`, `.` or `'` when a digit
/// follows (WB11/12); `\r\n` and runs of spaces stay together; everything else stands alone.
pub fn ascii_word_bounds(b: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= b.len() {
            return None;
        }
        let start = i;
        let c = b[i];
        i += 1;
        if is_word(c) {
            loop {
                match b.get(i) {
                    Some(&n) if is_word(n) => i += 1,
                    Some(&m) if i + 1 < b.len() => {
                        let (prev, next) = (b[i - 1], b[i + 1]);
                        let letters = prev.is_ascii_alphabetic()
                            && next.is_ascii_alphabetic()
                            && matches!(m, b':' | b'.' | b'\'');
                        let digits = prev.is_ascii_digit()
                            && next.is_ascii_digit()
                            && matches!(m, b',' | b';' | b'.' | b'\'');
                        if letters || digits {
                            i += 2;
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
        } else if c == b' ' {
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
        } else if c == b'\r' && b.get(i) == Some(&b'\n') {
            i += 1;
        }
        Some(start..i)
    })
}

/// Splits contractions: `didn't` → `did` `n't`(not), `should've` → `should` `'ve`(have),
/// `I'm` → `I` `'m`(am), `Reedy's` → `Reedy` `'s`.
fn push_word<'t>(prose: &'t str, out: &mut Vec<Token<'t>>, start: usize, w: &'t str) {
    const SUFFIXES: &[(&str, &str)] = &[
        ("n't", "not"),
        ("n’t", "not"),
        ("'ve", "have"),
        ("’ve", "have"),
        ("'ll", "will"),
        ("’ll", "will"),
        ("'re", "are"),
        ("’re", "are"),
        ("'m", "am"),
        ("’m", "am"),
        ("'d", "would"),
        ("’d", "would"),
        ("'s", "'s"),
        ("’s", "'s"),
    ];
    // Only words with an apostrophe can be contractions; most words skip the suffix table.
    let has_apostrophe = w.contains(['\'', '’']);
    for (suffix, norm) in SUFFIXES.iter().filter(|_| has_apostrophe) {
        let tail = w.len().checked_sub(suffix.len()).and_then(|i| w.get(i..));
        if w.len() > suffix.len() && tail.is_some_and(|t| t.eq_ignore_ascii_case(suffix)) {
            let cut = w.len() - suffix.len();
            let head_span = start..start + cut;
            let mut head = make(prose, head_span, TokenKind::Word);
            if *suffix == "n't" || *suffix == "n’t" {
                // can't → can, won't → will, shan't → shall
                head.lower = Cow::Owned(match head.lower.as_ref() {
                    "ca" => "can".to_owned(),
                    "wo" => "will".to_owned(),
                    "sha" => "shall".to_owned(),
                    other => other.to_owned(),
                });
            }
            let mut tail = make(prose, start + cut..start + w.len(), TokenKind::Word);
            tail.lower = Cow::Borrowed(norm);
            tail.capitalized = false;
            out.push(head);
            out.push(tail);
            return;
        }
    }
    out.push(make(prose, start..start + w.len(), TokenKind::Word));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowers(s: &str) -> Vec<String> {
        tokenize(s, 0..s.len())
            .iter()
            .map(|t| t.lower.to_string())
            .collect()
    }

    #[test]
    fn contractions_split_and_normalise() {
        assert_eq!(lowers("Bob didn't check"), ["bob", "did", "not", "check"]);
        assert_eq!(
            lowers("I should’ve won’t"),
            ["i", "should", "have", "will", "not"]
        );
        assert_eq!(lowers("Reedy's patch"), ["reedy", "'s", "patch"]);
    }

    #[test]
    fn handles_emails_and_compounds() {
        let s = "dylanone@ and @alice told bob@example.com about the on-call fault-tolerant setup";
        let toks = tokenize(s, 0..s.len());
        let kinds: Vec<_> = toks.iter().map(|t| (t.text, t.kind)).collect();
        assert!(kinds.contains(&("dylanone@", TokenKind::Handle)));
        assert!(kinds.contains(&("@alice", TokenKind::Handle)));
        assert!(kinds.contains(&("bob@example.com", TokenKind::Email)));
        assert!(kinds.contains(&("on-call", TokenKind::Word)));
        assert!(kinds.contains(&("fault-tolerant", TokenKind::Word)));
    }

    proptest::proptest! {
        #[test]
        fn ascii_word_bounds_match_uax29(s in "[ -~\t\r\n]{0,80}") {
            let fast: Vec<_> = ascii_word_bounds(s.as_bytes()).map(|r| &s[r]).collect();
            let uax: Vec<_> = s.split_word_bounds().collect();
            proptest::prop_assert_eq!(fast, uax);
        }

        #[test]
        fn ascii_word_bounds_match_uax29_wordy(s in "([a-z0-9]{1,3}|[.,;:'_ ]){0,40}") {
            let fast: Vec<_> = ascii_word_bounds(s.as_bytes()).map(|r| &s[r]).collect();
            let uax: Vec<_> = s.split_word_bounds().collect();
            proptest::prop_assert_eq!(fast, uax);
        }
    }

    proptest::proptest! {
        #[test]
        fn chunked_word_bounds_match_uax29(s in "([a-z0-9]{1,4}|[A-Z]|[ .,;:'\"()?!_-]|é|—|’|“|”|🚀|中文|\u{301}|\u{a0}){0,40}") {
            let mut fast = Vec::new();
            word_bounds(&s, |r| fast.push(s[r].to_owned()));
            let uax: Vec<String> = s
                .split_word_bounds()
                .filter(|w| !w.chars().all(char::is_whitespace))
                .map(str::to_owned)
                .collect();
            proptest::prop_assert_eq!(fast, uax);
        }

        #[test]
        fn single_sentence_fast_path_agrees_with_uax29(s in "([a-zA-Z0-9]{1,5}|[ ,;:'\"()_-]|[éÉ—–‐‑’‘“”«»•·°€£×→←]|🚀|中文|\u{a0}|\u{2009}|\u{202f}){1,30}[.!?]?") {
            if is_single_sentence(&s) {
                let n = s.split_sentence_bounds().filter(|p| !p.trim().is_empty()).count();
                proptest::prop_assert!(n <= 1, "UAX #29 splits {:?} into {} sentences", s, n);
            }
        }
    }

    #[test]
    fn sentence_spans_are_trimmed_and_absolute() {
        let s = "xx One. Two!  ";
        let spans: Vec<_> = sentences(s, 3..s.len()).collect();
        assert_eq!(
            spans.iter().map(|r| &s[r.clone()]).collect::<Vec<_>>(),
            ["One.", "Two!"]
        );
    }
}
