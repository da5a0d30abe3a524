//! Times pulldown-cmark alone versus the full lint on one file: `cargo run --release --example parse_only FILE`.
#![allow(clippy::print_stdout)]
use pulldown_cmark::{Options, Parser};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_only FILE");
    let text = std::fs::read_to_string(path).expect("read");
    let t = Instant::now();
    let n = Parser::new_ext(&text, Options::all())
        .into_offset_iter()
        .count();
    let parse = t.elapsed();
    let linter = pmlint_core::Linter::with_defaults();
    let t = Instant::now();
    let d = linter.lint(&text, pmlint_core::DocumentKind::Markdown);
    println!(
        "events {n} parse {parse:?}; lint {:?} ({} findings)",
        t.elapsed(),
        d.len()
    );
}
