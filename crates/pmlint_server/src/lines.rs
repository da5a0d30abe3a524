//! Line starts of an open document, kept up to date edit by edit.
//!
//! The semantics are exactly those of [`pmlint_core::LineIndex`] (a line ends at `\n`, `\r\n` or
//! a lone `\r`; out-of-range positions clamp; a column inside a character rounds down to it),
//! which the tests check edit by edit. The difference is that an incremental `didChange` updates
//! the index in time proportional to the edit instead of rescanning a multi-megabyte document on
//! the async loop for every keystroke.

use pmlint_core::{byte_of_column, column_of, content_end, floor_char_boundary, Encoding, LineCol};
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lines {
    /// Byte offset of the first byte of each line; `starts[0] == 0`.
    starts: Vec<usize>,
}

/// Whether `p` (0 < p <= text.len()) starts a line: the byte before it ends a line terminator.
fn is_line_start(bytes: &[u8], p: usize) -> bool {
    match bytes[p - 1] {
        b'\n' => true,
        b'\r' => bytes.get(p) != Some(&b'\n'),
        _ => false,
    }
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        for (i, &b) in bytes.iter().enumerate() {
            if (b == b'\n' || b == b'\r') && is_line_start(bytes, i + 1) {
                starts.push(i + 1);
            }
        }
        Lines { starts }
    }

    #[cfg(test)]
    pub(crate) fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Updates the index after `old_range` of the previous text was replaced by `new_len` bytes;
    /// `text` is the text after the edit.
    pub(crate) fn edit(&mut self, text: &str, old_range: Range<usize>, new_len: usize) {
        let Range {
            start,
            end: old_end,
        } = old_range;
        let new_end = start + new_len;
        let delta = new_end as isize - old_end as isize;
        // Starts in [start, old_end] may have changed; starts before `start` cannot (their
        // terminator lies wholly before the edit), starts after `old_end` only move.
        let first = self.starts.partition_point(|&s| s < start.max(1));
        let last = self.starts.partition_point(|&s| s <= old_end);
        let bytes = text.as_bytes();
        let fresh: Vec<usize> = (start.max(1)..=new_end.min(bytes.len()))
            .filter(|&p| is_line_start(bytes, p))
            .collect();
        for s in &mut self.starts[last..] {
            *s = (*s as isize + delta) as usize;
        }
        self.starts.splice(first..last, fresh);
    }

    fn line_range(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line)?;
        let next = self.starts.get(line + 1).copied().unwrap_or(text.len());
        Some(start..content_end(text, start, next))
    }

    /// Byte range of `line`'s content without its terminator (for code actions).
    pub(crate) fn line_content(&self, text: &str, line: u32) -> Option<Range<usize>> {
        self.line_range(text, line as usize)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset → line/column, like [`pmlint_core::LineIndex::line_col`].
    pub(crate) fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line].min(offset);
        LineCol {
            line: clamp_u32(line),
            col: clamp_u32(column_of(&text[start..offset], enc)),
        }
    }

    /// Line/column → byte offset, clamping like [`pmlint_core::LineIndex::offset`].
    pub(crate) fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let Some(range) = self.line_range(text, pos.line as usize) else {
            return text.len();
        };
        range.start + byte_of_column(&text[range.clone()], pos.col as usize, enc)
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pmlint_core::LineIndex;
    use proptest::prelude::*;

    fn check_against_core(text: &str, lines: &Lines) {
        assert_eq!(
            lines,
            &Lines::new(text),
            "incremental index differs from a fresh one for {text:?}"
        );
        let core = LineIndex::new(text);
        assert_eq!(core.line_count(), lines.line_count(), "{text:?}");
        let mut offsets: Vec<usize> = (0..=text.len()).collect();
        offsets.push(text.len() + 3);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Scalar] {
            for &o in &offsets {
                assert_eq!(
                    lines.line_col(text, o, enc),
                    core.line_col(text, o, enc),
                    "{text:?} @{o} {enc:?}"
                );
            }
            for line in 0..lines.line_count() as u32 + 2 {
                for col in 0..12 {
                    let p = LineCol { line, col };
                    assert_eq!(
                        lines.offset(text, p, enc),
                        core.offset(text, p, enc),
                        "{text:?} {p:?} {enc:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn crlf_joins_and_splits() {
        // Inserting "\n" right after a "\r" turns two line breaks into one, and back.
        let mut text = String::from("a\rb\r\nc");
        let mut lines = Lines::new(&text);
        text.replace_range(2..3, "\n");
        lines.edit(&text, 2..3, 1);
        check_against_core(&text, &lines);
        text.replace_range(1..2, "");
        lines.edit(&text, 1..2, 0);
        check_against_core(&text, &lines);
        text.replace_range(0..0, "x\r");
        lines.edit(&text, 0..0, 2);
        check_against_core(&text, &lines);
    }

    #[test]
    fn multibyte_columns() {
        let text = "The café 🚀 team said it was obviously a mistake.\r\nx";
        let lines = Lines::new(text);
        check_against_core(text, &lines);
        let o = text.find("obviously").unwrap();
        assert_eq!(lines.line_col(text, o, Encoding::Utf16).col, 29);
        assert_eq!(lines.line_col(text, o, Encoding::Utf8).col, 32);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn random_edits_match_a_fresh_index(
            seed in "[ab\r\né🚀]{0,12}",
            edits in proptest::collection::vec((0usize..40, 0usize..6, "[x\r\né🚀]{0,4}"), 1..8),
        ) {
            let mut text = seed;
            let mut lines = Lines::new(&text);
            for (at, len, insert) in edits {
                let start = floor_char_boundary(&text, at.min(text.len()));
                let end = floor_char_boundary(&text, (start + len).min(text.len())).max(start);
                text.replace_range(start..end, &insert);
                lines.edit(&text, start..end, insert.len());
                check_against_core(&text, &lines);
            }
        }
    }
}
