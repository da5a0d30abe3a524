//! No input makes the core panic, and every position it reports is exact.
//!
//! Property tests run on every `cargo test`. The multi-megabyte stress inputs are `#[ignore]`d
//! in debug builds (they take minutes unoptimised); `.ci/run` runs them with `--release
//! --include-ignored`.

use pmlint_core::{DocumentKind, Encoding, LineIndex, Linter};
use proptest::prelude::*;
use std::sync::LazyLock;

static LINTER: LazyLock<Linter> = LazyLock::new(Linter::with_defaults);

fn check_ranges(text: &str, kind: DocumentKind) {
    for d in LINTER.lint(text, kind) {
        assert!(
            d.range.start <= d.range.end && d.range.end <= text.len(),
            "range out of text: {:?}",
            d.range
        );
        assert!(
            text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end),
            "range splits a character: {:?}",
            d.range
        );
        for fix in &d.fixes {
            for e in &fix.edits {
                assert!(
                    e.range.end <= text.len()
                        && text.is_char_boundary(e.range.start)
                        && text.is_char_boundary(e.range.end),
                    "fix edit splits a character: {:?}",
                    e.range
                );
            }
        }
    }
}

fn check_round_trip(text: &str) {
    let idx = LineIndex::new(text);
    for (i, _) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        // The `\n` of a `\r\n` pair is inside a line terminator: no column addresses it.
        if i > 0 && text.as_bytes().get(i) == Some(&b'\n') && text.as_bytes()[i - 1] == b'\r' {
            continue;
        }
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Scalar] {
            let lc = idx.line_col(text, i, enc);
            assert_eq!(
                idx.offset(text, lc, enc),
                i,
                "round trip of {i} via {enc:?} ({lc:?}) in {text:?}"
            );
        }
    }
}

/// Markdown-shaped input: fragments that exercise every container, trigger words, and tricky
/// characters, in random order.
fn markdownish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "# ",
        "## Action items\n",
        "> ",
        "- ",
        "1. ",
        "```\n",
        "`",
        "*",
        "_",
        "~~",
        "|",
        "| --- |\n",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "    ",
        "Bob forgot ",
        "obviously, ",
        "Obviously, ",
        "disaster ",
        "should have checked ",
        "the on-call engineer ",
        "@alice ",
        "dylanone@ ",
        "human error ",
        "🚀",
        "é",
        "ü",
        "中文",
        "ﷺ",
        "\u{200d}",
        "\u{301}",
        "<!-- pmlint-disable -->",
        "<!-- pmlint-disable-next-line human-error -->",
        "<!-- pmlint-enable -->",
        "[x](http://y)",
        "<https://z.io>",
        "$x$",
        "---\n",
        "+++\n",
        "[^1]",
        "<b>",
        "&amp;",
        "\\*",
        ". ",
        ", ",
        "!",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gives_exact_ranges(s in "\\PC{0,200}") {
        check_ranges(&s, DocumentKind::Markdown);
        check_ranges(&s, DocumentKind::PlainText);
    }

    #[test]
    fn markdown_shaped_text_gives_exact_ranges(s in markdownish()) {
        check_ranges(&s, DocumentKind::Markdown);
        check_ranges(&s, DocumentKind::PlainText);
        check_round_trip(&s);
    }

    #[test]
    fn arbitrary_bytes_decoded_lossily(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let s = String::from_utf8_lossy(&bytes);
        check_ranges(&s, DocumentKind::Markdown);
        check_ranges(&s, DocumentKind::PlainText);
    }

    #[test]
    fn line_col_round_trips(s in "(\\PC|\r\n|\n|\r){0,120}") {
        check_round_trip(&s);
    }
}

#[test]
fn every_script_and_mixed_text() {
    let text = "Bob forgot. 鲍勃忘了。 Боб забыл. بوب نسي. बॉब भूल गया। ボブは忘れた。 밥이 잊었다. \
                Ｂｏｂ ｆｏｒｇｏｔ. 👩‍👩‍👧‍👦 Z̴̡͘a̶l̷g̸o obviously, e\u{301} \u{202e}reversed\u{202c} \u{feff}";
    check_ranges(text, DocumentKind::Markdown);
    check_round_trip(text);
}

fn stress(text: &str) {
    check_ranges(text, DocumentKind::Markdown);
    check_ranges(text, DocumentKind::PlainText);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow unoptimised; .ci/run runs it with --release"
)]
fn fifty_megabyte_single_paragraph() {
    let sentence = "The on-call engineer obviously forgot to check the replica lag and Bob should have known, ";
    let text = sentence.repeat(50 * 1024 * 1024 / sentence.len());
    stress(&text);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow unoptimised; .ci/run runs it with --release"
)]
fn hundred_thousand_headings() {
    let text = "# Obviously, a heading\n".repeat(100_000);
    let found = LINTER.lint(&text, DocumentKind::Markdown);
    assert_eq!(found.len(), 100_000);
}

#[test]
fn deeply_nested_lists_and_quotes() {
    let mut quotes = String::new();
    for depth in 0..3000 {
        quotes.push_str(&"> ".repeat(depth % 200));
        quotes.push_str("Bob forgot the flag.\n");
    }
    stress(&quotes);
    let mut lists = String::new();
    for depth in 0..2000 {
        lists.push_str(&"  ".repeat(depth));
        lists.push_str("- Obviously, a disaster\n");
    }
    stress(&lists);
    stress(&format!(
        "{}Bob forgot{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    stress(&format!(
        "{}Bob forgot{}",
        "*".repeat(10_000),
        "*".repeat(10_000)
    ));
}
