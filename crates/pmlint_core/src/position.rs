//! Byte offsets ↔ line/column conversion.
//!
//! Everything inside pmlint speaks byte offsets into the original text. Front ends need
//! line/column pairs in one of three units: UTF-8 bytes (LSP clients that negotiate `utf-8`),
//! UTF-16 code units (the LSP default, used by VS Code and Neovim) and Unicode scalar values
//! (what humans count, used by the CLI). A line ends at `\n`, `\r\n` or a lone `\r`, exactly as
//! the LSP specification defines it, so CRLF files get the same line numbers in every tool.

use serde::Serialize;

/// The unit a column is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (LSP default).
    Utf16,
    /// Unicode scalar values (`char`s).
    Scalar,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of one text, for O(log n) conversions in both directions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first byte of each line; always starts with 0.
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`. Texts longer than `u32::MAX` bytes are not supported by front ends anyway;
    /// offsets saturate instead of wrapping.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while let Some(pos) = memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + pos;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(clamp_u32(next));
            i = next;
        }
        LineIndex {
            starts,
            len: clamp_u32(text.len()),
        }
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where `line` starts, or `None` past the last line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get(line as usize).map(|&s| s as usize)
    }

    /// Byte range of `line`'s content, without its terminator.
    pub fn line_range(&self, text: &str, line: u32) -> Option<std::ops::Range<usize>> {
        let start = self.line_start(line)?;
        let next = self.line_start(line + 1).unwrap_or(self.len as usize);
        Some(start..content_end(text, start, next))
    }

    /// Line containing byte `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: usize) -> u32 {
        let offset = clamp_u32(offset);
        match self.starts.binary_search(&offset) {
            Ok(l) => l as u32,
            Err(l) => (l - 1) as u32,
        }
    }

    /// Converts a byte offset of `text` to a line/column. An offset inside a multi-byte
    /// character is rounded down to that character's start.
    pub fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line as usize] as usize;
        LineCol {
            line,
            col: clamp_u32(column_of(&text[start..offset], enc)),
        }
    }

    /// Converts a line/column back to a byte offset. Columns past the end of the line clamp to
    /// the line's end (before its terminator), lines past the end clamp to the text's end, and a
    /// column in the middle of a character (a UTF-16 surrogate half, a UTF-8 continuation byte)
    /// rounds down to that character. This is what LSP asks for out-of-range positions.
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let Some(range) = self.line_range(text, pos.line) else {
            return text.len();
        };
        range.start + byte_of_column(&text[range.clone()], pos.col as usize, enc)
    }
}

/// End of a line's content: `next` (where the following line starts, or the text's end) minus
/// the line's `\n`, `\r\n` or `\r` terminator, never before `start`.
pub fn content_end(text: &str, start: usize, next: usize) -> usize {
    let b = text.as_bytes();
    let mut end = next.min(text.len());
    if end > start && b[end - 1] == b'\n' {
        end -= 1;
    }
    if end > start && b[end - 1] == b'\r' {
        end -= 1;
    }
    end
}

/// The column, in `enc` units, at the end of `before` (the part of a line before a position).
pub fn column_of(before: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        Encoding::Scalar => before.chars().count(),
    }
}

/// The byte offset within `line` (a line's content, without its terminator) of column `col`
/// in `enc` units. Past the end clamps to the line's end; inside a character (half a
/// surrogate pair, a continuation byte) rounds down to the character's start.
pub fn byte_of_column(line: &str, col: usize, enc: Encoding) -> usize {
    if enc == Encoding::Utf8 {
        return floor_char_boundary(line, col.min(line.len()));
    }
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        let w = if enc == Encoding::Utf16 {
            c.len_utf16()
        } else {
            1
        };
        if units + w > col {
            return i;
        }
        units += w;
    }
    line.len()
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Largest char boundary `<= i` (stable replacement for the unstable `str::floor_char_boundary`).
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn memchr2(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == a || c == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_lone_cr_are_line_breaks() {
        let t = "a\r\nbé\rc\nd";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(
            idx.line_col(t, 3, Encoding::Scalar),
            LineCol { line: 1, col: 0 }
        );
        assert_eq!(idx.line_range(t, 0), Some(0..1));
        assert_eq!(&t[idx.line_range(t, 1).unwrap()], "bé");
        assert_eq!(
            idx.line_col(t, t.find('c').unwrap(), Encoding::Utf8).line,
            2
        );
    }

    #[test]
    fn emoji_columns_differ_by_encoding() {
        let t = "x 🚀 é y";
        let idx = LineIndex::new(t);
        let y = t.find('y').unwrap();
        assert_eq!(idx.line_col(t, y, Encoding::Utf8).col, 10);
        assert_eq!(idx.line_col(t, y, Encoding::Utf16).col, 7);
        assert_eq!(idx.line_col(t, y, Encoding::Scalar).col, 6);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Scalar] {
            assert_eq!(idx.offset(t, idx.line_col(t, y, enc), enc), y);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let t = "ab\r\ncd";
        let idx = LineIndex::new(t);
        assert_eq!(
            idx.offset(t, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            idx.offset(t, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            t.len()
        );
        // Half of a surrogate pair rounds down to the character's start.
        let e = "🚀x";
        let ei = LineIndex::new(e);
        assert_eq!(
            ei.offset(e, LineCol { line: 0, col: 1 }, Encoding::Utf16),
            0
        );
    }
}
