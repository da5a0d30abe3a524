//! Incremental linting of large Markdown documents: split at section headings, re-lint only the
//! sections whose text changed, reuse the findings of the others.
//!
//! A split point is the start of a line that holds a top-level ATX heading (`# ...`) beginning
//! at column 0, as the Markdown parser itself sees it ([`pmlint_core::Document::parse`]: a
//! heading block outside lists and quotes). At such a line CommonMark has closed every other
//! block: a fence, HTML block or front matter still open would have swallowed the line, and no
//! container can continue with an unindented heading. So the text before it parses the same
//! whether the heading or the end of the text closes it, the text from it parses the same as
//! in the whole document, and every block after it sits in the section it opens: each part
//! lints exactly as it does inside the whole document. Two things are not local and make the
//! whole document fall back to a single `Linter::lint` call: suppression directives (their
//! scope crosses sections) and link reference / footnote definitions (resolved document-wide;
//! detected, conservatively, as any `]:`). Plain-text documents are always linted whole.
//! The tests compare the result with a whole-document lint on many generated documents.

use pmlint_core::{Diagnostic, Document, DocumentKind, Linter};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// Documents smaller than this are linted whole (it is fast, and simpler).
pub(crate) const MIN_BYTES: usize = 64 * 1024;

/// The findings of one section, with ranges relative to the section's start.
#[derive(Debug)]
struct Seg {
    range: Range<usize>,
    hash: u64,
    findings: Arc<Vec<Diagnostic>>,
}

/// The sections of the last lint of a document and their findings.
#[derive(Debug)]
pub(crate) struct SegCache {
    linter: Arc<Linter>,
    text: Arc<String>,
    segs: Vec<Seg>,
}

/// Indentation in columns (tabs advance to the next multiple of four, as in CommonMark).
fn is_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && matches!(
            line.as_bytes().get(hashes),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        )
}

/// Byte offsets where sections start (after the first), or `None` when the document must be
/// linted whole.
pub(crate) fn split_points(text: &str) -> Option<Vec<usize>> {
    if memchr::memmem::find(text.as_bytes(), b"]:").is_some() {
        return None;
    }
    let doc = Document::parse(text, DocumentKind::Markdown);
    if !doc.directives.is_empty() {
        return None;
    }
    let mut out: Vec<usize> = Vec::new();
    for b in doc
        .blocks
        .iter()
        .filter(|b| b.is_heading && !b.in_list && !b.in_quote)
    {
        let start = text[..b.range.start]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1);
        if start > 0 && is_atx_heading(&text[start..]) && out.last() != Some(&start) {
            out.push(start);
        }
    }
    Some(out)
}

/// A fast, non-cryptographic hash of a section's bytes (equal hashes are verified byte for
/// byte before a cached result is used).
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

fn shift(d: &Diagnostic, by: usize) -> Diagnostic {
    let mut d = d.clone();
    d.range = d.range.start + by..d.range.end + by;
    for f in &mut d.fixes {
        for e in &mut f.edits {
            e.range = e.range.start + by..e.range.end + by;
        }
    }
    d
}

/// Lints `text`, reusing the findings of unchanged sections from `cache`. Returns the findings
/// (exactly those of `linter.lint(text, kind)`) and the cache for the next call.
pub(crate) fn lint(
    linter: &Arc<Linter>,
    text: &Arc<String>,
    kind: DocumentKind,
    cache: Option<&SegCache>,
    min_bytes: usize,
) -> (Vec<Diagnostic>, Option<Arc<SegCache>>) {
    let points = if kind == DocumentKind::Markdown && text.len() >= min_bytes {
        split_points(text)
    } else {
        None
    };
    let Some(points) = points else {
        return (linter.lint(text, kind), None);
    };
    let cache = cache.filter(|c| Arc::ptr_eq(&c.linter, linter));
    let mut known: HashMap<(u64, usize), &Seg> = HashMap::new();
    if let Some(c) = cache {
        for s in &c.segs {
            known.insert((s.hash, s.range.len()), s);
        }
    }
    let bounds: Vec<usize> = std::iter::once(0)
        .chain(points)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut segs: Vec<Seg> = Vec::with_capacity(bounds.len());
    let mut todo: Vec<usize> = Vec::new();
    for w in bounds.windows(2) {
        let range = w[0]..w[1];
        let bytes = &text.as_bytes()[range.clone()];
        let h = hash(bytes);
        let reuse = known.get(&(h, range.len())).and_then(|s| {
            let old = cache.map(|c| &c.text.as_bytes()[s.range.clone()]);
            (old == Some(bytes)).then(|| s.findings.clone())
        });
        if reuse.is_none() {
            todo.push(segs.len());
        }
        segs.push(Seg {
            range,
            hash: h,
            findings: reuse.unwrap_or_default(),
        });
    }
    // Lint the changed sections; a large amount of work is shared with a second thread.
    let work: usize = todo.iter().map(|&i| segs[i].range.len()).sum();
    let lint_one = |r: &Range<usize>| Arc::new(linter.lint(&text[r.clone()], kind));
    let two = work > 512 * 1024 && std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    if two {
        let mut acc = 0;
        let cut = todo
            .iter()
            .position(|&i| {
                acc += segs[i].range.len();
                acc * 2 >= work
            })
            .map_or(todo.len(), |p| p + 1);
        let (a, b) = todo.split_at(cut);
        let ranges_b: Vec<Range<usize>> = b.iter().map(|&i| segs[i].range.clone()).collect();
        let (res_a, res_b) = std::thread::scope(|s| {
            let hb = s.spawn(|| ranges_b.iter().map(lint_one).collect::<Vec<_>>());
            let ra: Vec<_> = a.iter().map(|&i| lint_one(&segs[i].range)).collect();
            (ra, hb.join())
        });
        let res_b = match res_b {
            Ok(r) => r,
            Err(_) => return (linter.lint(text, kind), None),
        };
        for (&i, f) in a.iter().zip(res_a).chain(b.iter().zip(res_b)) {
            segs[i].findings = f;
        }
    } else {
        for &i in &todo {
            segs[i].findings = lint_one(&segs[i].range);
        }
    }
    let total = segs.iter().map(|s| s.findings.len()).sum();
    let mut out = Vec::with_capacity(total);
    for s in &segs {
        out.extend(s.findings.iter().map(|d| shift(d, s.range.start)));
    }
    let cache = SegCache {
        linter: linter.clone(),
        text: text.clone(),
        segs,
    };
    (out, Some(Arc::new(cache)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "# Root cause\n",
        "## Timeline\n",
        "### What went well\n",
        "#Not a heading\n",
        "\n",
        "\n",
        "\n",
        "Obviously, the deploy broke the cache.\n",
        "Bob forgot to renew the certificate.\n",
        "The QA team missed the regression.\n",
        "Latency rose at 09:12 and the pager fired.\n",
        "The deployer should have checked the replication lag.\n",
        "- Obviously a list item\n",
        "  continued item text, clearly careless\n",
        "1. Alice should have paged the team\n",
        "> Obviously, quoted.\n",
        "```\n",
        "  ```\n",
        "~~~~\n",
        "    indented code, obviously\n",
        "<!-- a comment\n",
        "-->\n",
        "<!-- one-line comment -->\n",
        "<pre>\n",
        "</pre>\n",
        "<div>\n",
        "| a | b |\n|---|---|\n| obviously | x |\n",
        "---\n",
        "Heading\n=======\n",
        "It was a total disaster for the payments team.\n",
        "\tTabbed line, obviously.\n",
        "# Summary\r\n",
        "Everyone needs to be more careful.\r\n",
        "- item with code:\n",
        "  ```sh\n",
        "   ~~~\n",
        "  obviously inside?\n",
        "```rust\n",
        "````\n",
        "> ```\n",
        "> # quoted heading, obviously\n",
        "<script>\n",
        "</script>\n",
        "  <!--\n",
        "+++\n",
        "...\n",
        "Footnote[^1] text, clearly bad.\n",
        "Term\n: definition, obviously wrong\n",
        "###### Six\n",
        "####### Seven\n",
        "  # Indented heading\n",
        "* [ ] Bob forgot the task\n",
    ];

    fn whole(text: &str) -> Vec<Diagnostic> {
        Linter::with_defaults().lint(text, DocumentKind::Markdown)
    }

    fn check(text: &str, linter: &Arc<Linter>, cache: Option<&SegCache>) -> Option<Arc<SegCache>> {
        let t = Arc::new(text.to_owned());
        let (got, next) = lint(linter, &t, DocumentKind::Markdown, cache, 0);
        assert_eq!(
            got,
            linter.lint(text, DocumentKind::Markdown),
            "segmented lint differs for:\n{text:?}\nsplits: {:?}",
            split_points(text)
        );
        next
    }

    #[test]
    fn splits_only_at_top_level_headings() {
        let text = "# A\n\nObviously, x.\n\n```\n\n# in code\n```\n\n# B\n\ntext\n# C\n- # in list\n> # in quote\n  # indented\n\n---\nfront: matter\n# in metadata\n---\n";
        let pts = split_points(text).unwrap();
        assert_eq!(
            pts,
            vec![text.find("# B").unwrap(), text.find("# C").unwrap()]
        );
        assert!(split_points("a\n\n[x]: /url\n").is_none());
        assert!(split_points("# a\n\n<!-- pmlint-disable -->\n# b\n").is_none());
        let linter = Arc::new(Linter::with_defaults());
        check(text, &linter, None);
        assert_eq!(whole(text).len(), 1);
    }

    #[test]
    fn cached_sections_are_reused_and_still_exact() {
        let linter = Arc::new(Linter::with_defaults());
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!(
                "# Section {i}\n\nObviously, step {i} failed. Bob forgot it.\n\n"
            ));
        }
        let c1 = check(&text, &linter, None).unwrap();
        text.replace_range(
            text.find("step 7").unwrap()..text.find("step 7").unwrap() + 6,
            "clearly step 7",
        );
        let c2 = check(&text, &linter, Some(&c1)).unwrap();
        let reused = c2
            .segs
            .iter()
            .filter(|s| {
                c1.segs
                    .iter()
                    .any(|o| Arc::ptr_eq(&o.findings, &s.findings))
            })
            .count();
        assert_eq!(
            reused, 49,
            "all sections but the edited one come from the cache"
        );
    }

    #[test]
    fn many_generated_documents_match_and_most_are_split() {
        let linter = Arc::new(Linter::with_defaults());
        let mut seed = 7u64;
        let mut rnd = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let (mut split, mut total) = (0, 0);
        for _ in 0..300 {
            let mut parts: Vec<&str> = Vec::new();
            for _ in 0..(5 + rnd(80)) {
                // Headings and blank lines are frequent, as in real documents.
                let p = match rnd(4) {
                    0 => ["\n", "# Root cause\n", "## Timeline\n"][rnd(3)],
                    _ => PIECES[rnd(PIECES.len())],
                };
                parts.push(p);
            }
            let text: String = parts.concat();
            total += 1;
            if split_points(&text).is_some_and(|p| !p.is_empty()) {
                split += 1;
            }
            let cache = check(&text, &linter, None);
            let at = rnd(parts.len());
            parts[at] = PIECES[rnd(PIECES.len())];
            check(&parts.concat(), &linter, cache.as_deref());
        }
        assert!(
            split * 4 >= total,
            "only {split} of {total} generated documents were split"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
        #[test]
        fn segmented_equals_whole(picks in proptest::collection::vec(0..PIECES.len(), 1..60), edit in 0usize..60, with in 0..PIECES.len()) {
            let linter = Arc::new(Linter::with_defaults());
            let mut parts: Vec<&str> = picks.iter().map(|&i| PIECES[i]).collect();
            let text: String = parts.concat();
            let cache = check(&text, &linter, None);
            // Edit one piece and lint again with the cache of the first version.
            let at = edit % parts.len();
            parts[at] = PIECES[with];
            let text2: String = parts.concat();
            check(&text2, &linter, cache.as_deref());
        }
    }
}
