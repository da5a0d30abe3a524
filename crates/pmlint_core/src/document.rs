//! From source text to prose: which bytes are prose, how they group into blocks, and which
//! section each block sits in.
//!
//! The central trick is the *prose mask*: a string exactly as long as the source in which every
//! byte that is not prose (code, HTML, link destinations, Markdown punctuation, front matter,
//! math) is replaced by an ASCII space. Because the mask has the same byte offsets as the
//! source, every range found in it is already a range of the original text: no offset maps, no
//! re-basing, and CRLF or multi-byte characters cannot skew a position.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::ops::Range;

use crate::suppress::{parse_directive, Directive};

/// How to read a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// CommonMark + GFM (tables, task lists, footnotes, strikethrough), front matter and math.
    Markdown,
    /// Plain text: paragraphs separated by blank lines.
    PlainText,
}

impl DocumentKind {
    /// Guesses the kind from a file extension (`md`, `markdown`, `mdx` → Markdown).
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "md" | "markdown" | "mdx" | "mdown" | "mkd" => Some(DocumentKind::Markdown),
            "txt" | "text" => Some(DocumentKind::PlainText),
            _ => None,
        }
    }
}

/// A run of prose with no block boundary inside (a paragraph, heading, table cell, tight list
/// item). Sentences never cross blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub range: Range<usize>,
    pub is_heading: bool,
    /// Index into [`Document::sections`] of the heading this block sits under.
    pub section: Option<u32>,
    pub in_list: bool,
    pub in_quote: bool,
    pub in_table: bool,
}

/// A heading and the blocks after it up to the next heading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Lower-cased heading text, whitespace collapsed.
    pub title: String,
    pub level: u8,
}

/// A parsed document: the original text, its prose mask, blocks, sections and suppression
/// directives.
#[derive(Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    /// Same length as `text`; non-prose bytes are spaces.
    pub prose: Cow<'a, str>,
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
    pub directives: Vec<Directive>,
}

impl<'a> Document<'a> {
    pub fn parse(text: &'a str, kind: DocumentKind) -> Self {
        match kind {
            DocumentKind::Markdown => parse_markdown(text),
            DocumentKind::PlainText => parse_plain(text),
        }
    }

    /// The section title a block sits under, if any.
    pub fn section_title(&self, block: &Block) -> Option<&str> {
        block
            .section
            .map(|i| self.sections[i as usize].title.as_str())
    }
}

struct MdBuilder<'a> {
    text: &'a str,
    mask: Vec<u8>,
    blocks: Vec<Block>,
    sections: Vec<Section>,
    directives: Vec<Directive>,
    open: Option<Range<usize>>,
    open_is_heading: bool,
    list_depth: u32,
    quote_depth: u32,
    in_table: bool,
    heading: Option<(u8, String)>,
    /// Inside code-like inline containers whose text is not prose (autolinks, strikethrough).
    skip_depth: u32,
    image_depth: u32,
    /// For each open link, whether it is an autolink/e-mail link (its text is a URL, not prose).
    links: Vec<bool>,
    /// For each open metadata block, whether it is the document's front matter.
    metadata: Vec<bool>,
}

impl<'a> MdBuilder<'a> {
    fn close_block(&mut self) {
        if let Some(range) = self.open.take() {
            self.blocks.push(Block {
                range,
                is_heading: self.open_is_heading,
                section: self.sections.len().checked_sub(1).map(|s| s as u32),
                in_list: self.list_depth > 0,
                in_quote: self.quote_depth > 0,
                in_table: self.in_table,
            });
        }
        self.open_is_heading = false;
    }

    fn extend(&mut self, range: &Range<usize>) {
        match &mut self.open {
            Some(r) => r.end = r.end.max(range.end),
            None => self.open = Some(range.clone()),
        }
    }

    /// Copies a text event into the mask when it is verbatim source. Text that differs from its
    /// source (entities, escapes) stays masked: it is a character or two, and copying decoded
    /// text would break the same-offsets invariant.
    fn text(&mut self, s: &str, range: Range<usize>) {
        if self.skip_depth > 0 {
            return;
        }
        if let Some((_, title)) = &mut self.heading {
            title.push_str(s);
        }
        if self.image_depth > 0 {
            // Alt text is prose-ish but rarely full sentences; keep it out of the lint.
            return;
        }
        let src = &self.text[range.clone()];
        if src == s {
            self.mask[range.clone()].copy_from_slice(src.as_bytes());
            blank_urls(&mut self.mask[range.clone()]);
        }
        self.extend(&range);
    }
}

/// Blanks bare URLs (`http://…`, `https://…`, `www.…`) up to the next whitespace, so hosts and
/// paths never look like words.
fn blank_urls(bytes: &mut [u8]) {
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start
            && (rest.starts_with(b"http://")
                || rest.starts_with(b"https://")
                || rest.starts_with(b"www."))
        {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                bytes[i] = b' ';
                i += 1;
            }
        } else {
            i += 1;
        }
    }
}

fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
}

fn parse_markdown(text: &str) -> Document<'_> {
    let mut b = MdBuilder {
        text,
        mask: vec![b' '; text.len()],
        blocks: Vec::new(),
        sections: Vec::new(),
        directives: Vec::new(),
        open: None,
        open_is_heading: false,
        list_depth: 0,
        quote_depth: 0,
        in_table: false,
        heading: None,
        skip_depth: 0,
        image_depth: 0,
        links: Vec::new(),
        metadata: Vec::new(),
    };
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Text(s) => b.text(&s, range),
            Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                // Code is not prose, but it is part of the sentence around it.
                if b.open.is_some() {
                    b.extend(&range);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if b.open.is_some() {
                    b.extend(&range);
                }
            }
            Event::Html(s) | Event::InlineHtml(s) => {
                if let Some(d) = parse_directive(&s, range.start, true) {
                    b.directives.push(d);
                }
            }
            Event::FootnoteReference(_) | Event::TaskListMarker(_) | Event::Rule => {}
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::HtmlBlock => b.close_block(),
                Tag::CodeBlock(_) => {
                    // Its content arrives as Text events; it is not prose.
                    b.close_block();
                    b.skip_depth += 1;
                }
                Tag::MetadataBlock(_) => {
                    // pulldown-cmark accepts a `---` … `---` block anywhere; only one at the very
                    // top of the document is front matter. Elsewhere its text is prose.
                    b.close_block();
                    let front_matter = text[..range.start].trim().is_empty();
                    b.metadata.push(front_matter);
                    b.skip_depth += u32::from(front_matter);
                }
                Tag::Heading { level, .. } => {
                    b.close_block();
                    b.heading = Some((level as u8, String::new()));
                    b.open_is_heading = true;
                }
                Tag::BlockQuote(_) => {
                    b.close_block();
                    b.quote_depth += 1;
                }
                Tag::List(_) => {
                    b.close_block();
                    b.list_depth += 1;
                }
                Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition => b.close_block(),
                Tag::Table(_) => {
                    b.close_block();
                    b.in_table = true;
                }
                Tag::TableHead | Tag::TableRow | Tag::TableCell => b.close_block(),
                Tag::Link { link_type, .. } => {
                    let is_url = matches!(link_type, LinkType::Autolink | LinkType::Email);
                    b.skip_depth += u32::from(is_url);
                    b.links.push(is_url);
                }
                Tag::Image { .. } => b.image_depth += 1,
                Tag::Strikethrough => b.skip_depth += 1,
                Tag::Emphasis | Tag::Strong | Tag::Superscript | Tag::Subscript => {}
            },
            Event::End(end) => match end {
                TagEnd::Heading(_) => {
                    let was_open = b.open.is_some();
                    if let Some((level, title)) = b.heading.take() {
                        b.sections.push(Section {
                            title: normalize_title(&title),
                            level,
                        });
                    }
                    if was_open {
                        b.close_block();
                    }
                    b.open_is_heading = false;
                }
                TagEnd::BlockQuote(_) => {
                    b.close_block();
                    b.quote_depth = b.quote_depth.saturating_sub(1);
                }
                TagEnd::List(_) => {
                    b.close_block();
                    b.list_depth = b.list_depth.saturating_sub(1);
                }
                TagEnd::Table => {
                    b.close_block();
                    b.in_table = false;
                }
                TagEnd::Link => {
                    if b.links.pop() == Some(true) {
                        b.skip_depth = b.skip_depth.saturating_sub(1);
                    }
                }
                TagEnd::Image => b.image_depth = b.image_depth.saturating_sub(1),
                TagEnd::Strikethrough => b.skip_depth = b.skip_depth.saturating_sub(1),
                TagEnd::CodeBlock => {
                    b.close_block();
                    b.skip_depth = b.skip_depth.saturating_sub(1);
                }
                TagEnd::MetadataBlock(_) => {
                    b.close_block();
                    if b.metadata.pop() == Some(true) {
                        b.skip_depth = b.skip_depth.saturating_sub(1);
                    }
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Superscript | TagEnd::Subscript => {}
                _ => b.close_block(),
            },
        }
    }
    b.close_block();
    let prose = String::from_utf8(b.mask).unwrap_or_else(|e| {
        // Unreachable: we only copy whole verbatim `&str` ranges into an ASCII buffer.
        String::from_utf8_lossy(e.as_bytes()).into_owned()
    });
    Document {
        text,
        prose: Cow::Owned(prose),
        blocks: b.blocks,
        sections: b.sections,
        directives: b.directives,
    }
}

fn normalize_title(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Plain text: paragraphs are separated by blank lines; a short one-line paragraph without
/// closing punctuation ("Action items") is taken as a heading so section scopes still work.
fn parse_plain(text: &str) -> Document<'_> {
    let mut blocks = Vec::new();
    let mut sections = Vec::new();
    let mut directives = Vec::new();
    let mut blanked: Vec<Range<usize>> = Vec::new();
    let mut para: Option<(Range<usize>, usize)> = None; // (range, line count)

    let flush = |para: &mut Option<(Range<usize>, usize)>,
                 blocks: &mut Vec<Block>,
                 sections: &mut Vec<Section>| {
        if let Some((range, lines)) = para.take() {
            let body = text[range.clone()].trim();
            let is_heading = lines == 1
                && body.chars().count() <= 60
                && !body.ends_with(['.', '!', '?', ',', ';'])
                && body
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c == '#');
            if is_heading {
                sections.push(Section {
                    title: normalize_title(body.trim_start_matches('#')),
                    level: 1,
                });
            }
            blocks.push(Block {
                range,
                is_heading,
                section: sections.len().checked_sub(1).map(|s| s as u32),
                in_list: false,
                in_quote: false,
                in_table: false,
            });
        }
    };

    let mut start = 0;
    while start < text.len() {
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let line = &text[start..end];
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        if let Some(d) = parse_directive(
            trimmed,
            start + (content.len() - content.trim_start().len()),
            false,
        ) {
            directives.push(d);
            blanked.push(start..start + content.len());
            flush(&mut para, &mut blocks, &mut sections);
        } else if trimmed.is_empty() {
            flush(&mut para, &mut blocks, &mut sections);
        } else {
            let content_end = start + content.len();
            match &mut para {
                Some((r, n)) => {
                    r.end = content_end;
                    *n += 1;
                }
                None => para = Some((start..content_end, 1)),
            }
        }
        start = end;
    }
    flush(&mut para, &mut blocks, &mut sections);

    // Line breaks inside a paragraph are spaces to the sentence segmenter (UAX #29 would end a
    // sentence at every newline, splitting wrapped sentences); directive lines are blanked.
    let prose = if blanked.is_empty() && !text.contains(['\n', '\r']) {
        Cow::Borrowed(text)
    } else {
        let mut bytes = text.as_bytes().to_vec();
        for r in blanked {
            bytes[r].fill(b' ');
        }
        for b in &mut bytes {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
        Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    };
    Document {
        text,
        prose,
        blocks,
        sections,
        directives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose_of(md: &str) -> Vec<String> {
        let d = Document::parse(md, DocumentKind::Markdown);
        assert_eq!(d.prose.len(), md.len());
        d.blocks
            .iter()
            .map(|b| {
                d.prose[b.range.clone()]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn code_html_and_destinations_are_masked() {
        let md = "---\ntitle: Bob forgot\n---\n# Root cause\n\nRun `rm -rf` on [the host](http://x.io/bob) <b>now</b>.\n\n```\nBob forgot\n```\n\n    indented code\n\nSee https://example.com/a and <https://auto.link>.\n";
        assert_eq!(
            prose_of(md),
            vec!["Root cause", "Run on the host now .", "See and ."]
        );
    }

    #[test]
    fn only_leading_metadata_is_front_matter() {
        let md = "Intro.\n\n---\nObviously, the deploy broke it.\n---\n";
        assert!(
            prose_of(md).iter().any(|p| p.contains("Obviously")),
            "{:?}",
            prose_of(md)
        );
        assert_eq!(prose_of("---\ntitle: x\n---\nBody.\n"), vec!["Body."]);
    }

    #[test]
    fn tables_lists_quotes_and_sections() {
        let md = "# Summary\n\n| a | b |\n|---|---|\n| one | two |\n\n## Action items\n\n- [ ] fix it\n- be careful\n\n> quoted\n";
        let d = Document::parse(md, DocumentKind::Markdown);
        let cells: Vec<_> = d.blocks.iter().filter(|b| b.in_table).collect();
        assert_eq!(cells.len(), 4);
        let item = d
            .blocks
            .iter()
            .find(|b| d.prose[b.range.clone()].contains("careful"))
            .unwrap();
        assert!(item.in_list);
        assert_eq!(d.section_title(item), Some("action items"));
        assert!(d.blocks.last().unwrap().in_quote);
        let heading = &d.blocks[0];
        assert!(heading.is_heading);
        assert_eq!(d.section_title(heading), Some("summary"));
    }

    #[test]
    fn plain_text_paragraphs_and_headings() {
        let t = "Action items\r\n\r\nBe more careful.\r\nNext line.\r\n";
        let d = Document::parse(t, DocumentKind::PlainText);
        assert_eq!(d.prose.len(), t.len());
        assert!(
            !d.prose.contains('\n'),
            "line breaks are spaces to the segmenter"
        );
        assert_eq!(d.blocks.len(), 2);
        assert_eq!(d.section_title(&d.blocks[1]), Some("action items"));
        assert_eq!(
            &t[d.blocks[1].range.clone()],
            "Be more careful.\r\nNext line."
        );
    }
}
