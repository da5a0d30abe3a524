//! Writes the benchmark corpus to stdout: `cargo run --release --example gen_corpus -- BYTES [SEED]`.
#![allow(clippy::print_stdout)]
fn main() {
    let mut args = std::env::args().skip(1);
    let bytes = args.next().and_then(|a| a.parse().ok()).unwrap_or(1 << 20);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    print!("{}", pmlint_core::corpus::postmortem_corpus(bytes, seed));
}
