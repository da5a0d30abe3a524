//! Core throughput: `cargo bench -p pmlint_core`.
//!
//! Reports, on the same generated 8 MB Markdown corpus and in the same run, pmlint's full lint
//! and pulldown-cmark's bare parse (the ratio of the two is the figure that matters: the lint
//! cannot be faster than the parse it contains), plus the cost of building a linter from the
//! embedded rules.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use pmlint_core::{corpus::postmortem_corpus, DocumentKind, Linter};
use std::sync::LazyLock;

fn main() {
    divan::main();
}

static CORPUS: LazyLock<String> = LazyLock::new(|| postmortem_corpus(8 * 1024 * 1024, 42));

#[divan::bench(sample_count = 20)]
fn lint_markdown(b: Bencher) {
    let linter = Linter::with_defaults();
    let text = CORPUS.as_str();
    b.counter(BytesCount::of_str(text))
        .bench(|| black_box(linter.lint(black_box(text), DocumentKind::Markdown)));
}

#[divan::bench(sample_count = 20)]
fn pulldown_cmark_parse(b: Bencher) {
    let text = CORPUS.as_str();
    let opts = pulldown_cmark::Options::all();
    b.counter(BytesCount::of_str(text)).bench(|| {
        black_box(
            pulldown_cmark::Parser::new_ext(black_box(text), opts)
                .into_offset_iter()
                .count(),
        )
    });
}

#[divan::bench(sample_count = 20)]
fn lint_plain_text(b: Bencher) {
    let linter = Linter::with_defaults();
    let text = CORPUS.as_str();
    b.counter(BytesCount::of_str(text))
        .bench(|| black_box(linter.lint(black_box(text), DocumentKind::PlainText)));
}

#[divan::bench(sample_count = 50)]
fn build_linter_from_embedded_rules() -> Linter {
    Linter::with_defaults()
}
