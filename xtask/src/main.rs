//! Project tasks: `cargo xtask eval <file.tsv> [--verbose] [--min-precision P --min-recall R]`.
//!
//! `eval` lints each row's sentence as a plain-text document and scores pmlint against the labels:
//! a row counts as flagged when pmlint reports at least one finding on it, at any severity.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use pmlint_core::{Config, DocumentKind, Linter, RuleSet};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("eval") => match eval(&args[1..]) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Some("docs") => match docs(&args[1..]) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("usage: cargo xtask eval <file.tsv> [--verbose] [--floor eval-floor.toml] [--min-precision P] [--min-recall R] [--min-category-recall R]");
            eprintln!("       cargo xtask docs <dir-or-file>... [--verbose] [--max-per-10k N]");
            ExitCode::from(2)
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Floor {
    precision: f64,
    recall: f64,
    min_category_recall: f64,
    #[allow(dead_code)]
    professional_per_10k: Option<f64>,
}

struct Row {
    id: String,
    sentence: String,
    blame: bool,
    category: String,
}

fn parse_tsv(src: &str) -> Result<Vec<Row>, String> {
    let mut lines = src.lines();
    let header: Vec<&str> = lines.next().ok_or("empty file")?.split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("missing column `{name}` in header"))
    };
    let (id, sentence, label, category) = (
        col("id")?,
        col("sentence")?,
        col("label")?,
        col("category")?,
    );
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| {
            f.get(i)
                .copied()
                .ok_or(format!("line {}: too few fields", n + 2))
        };
        let blame = match get(label)? {
            "blame" => true,
            "ok" => false,
            other => {
                return Err(format!(
                    "line {}: label must be blame or ok, not `{other}`",
                    n + 2
                ))
            }
        };
        rows.push(Row {
            id: get(id)?.to_owned(),
            sentence: get(sentence)?.to_owned(),
            blame,
            category: get(category)?.to_owned(),
        });
    }
    Ok(rows)
}

fn eval(args: &[String]) -> Result<ExitCode, String> {
    let mut path = None;
    let mut verbose = false;
    let (mut min_p, mut min_r, mut min_cat) = (None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<f64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} takes a number"))
        };
        match a.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--min-precision" => min_p = Some(num("--min-precision")?),
            "--min-recall" => min_r = Some(num("--min-recall")?),
            "--min-category-recall" => min_cat = Some(num("--min-category-recall")?),
            "--floor" => {
                let path = it.next().ok_or("--floor takes a file")?;
                let src = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                let floor: Floor = toml::from_str(&src).map_err(|e| format!("{path}: {e}"))?;
                min_p = Some(floor.precision);
                min_r = Some(floor.recall);
                min_cat = Some(floor.min_category_recall);
            }
            p if path.is_none() => path = Some(p.to_owned()),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let path = path.ok_or("usage: cargo xtask eval <file.tsv>")?;
    let src = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let rows = parse_tsv(&src).map_err(|e| format!("{path}: {e}"))?;

    let (rules, errors) = RuleSet::embedded();
    if let Some(e) = errors.first() {
        return Err(format!("rule failed to load: {e}"));
    }
    let linter = Linter::new(Arc::new(rules), &Config::default()).map_err(|e| e.to_string())?;

    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    let mut per_cat: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut near, mut near_fp) = (0usize, 0usize);
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    for row in &rows {
        let found = linter.lint(&row.sentence, DocumentKind::PlainText);
        let flagged = !found.is_empty();
        if row.blame {
            let e = per_cat.entry(&row.category).or_default();
            e.1 += 1;
            if flagged {
                tp += 1;
                e.0 += 1;
            } else {
                fneg += 1;
                misses.push(row);
            }
        } else {
            if row.category == "near-miss" {
                near += 1;
                near_fp += usize::from(flagged);
            }
            if flagged {
                fp += 1;
                let ids: Vec<&str> = found.iter().map(|d| &*d.rule).collect();
                false_alarms.push((row, ids.join(",")));
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fneg);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };

    println!(
        "rows: {} ({} blame, {} ok)",
        rows.len(),
        tp + fneg,
        rows.len() - tp - fneg
    );
    println!("recall per category:");
    let mut worst_cat = 1.0f64;
    for (cat, (hit, total)) in &per_cat {
        let r = ratio(*hit, *total);
        worst_cat = worst_cat.min(r);
        println!("  {cat:<20} {r:.2}  ({hit}/{total})");
    }
    println!(
        "false-alarm rate on near-miss rows: {:.2} ({near_fp}/{near})",
        ratio(near_fp, near)
    );
    if verbose {
        println!("misses:");
        for r in &misses {
            println!("  {} [{}] {}", r.id, r.category, r.sentence);
        }
        println!("false alarms:");
        for (r, ids) in &false_alarms {
            println!("  {} [{}] ({ids}) {}", r.id, r.category, r.sentence);
        }
    }
    let mut failed = Vec::new();
    if min_p.is_some_and(|m| precision + 1e-9 < m) {
        failed.push(format!(
            "precision {precision:.2} is below the floor {:.2}",
            min_p.unwrap_or_default()
        ));
    }
    if min_r.is_some_and(|m| recall + 1e-9 < m) {
        failed.push(format!(
            "recall {recall:.2} is below the floor {:.2}",
            min_r.unwrap_or_default()
        ));
    }
    if min_cat.is_some_and(|m| worst_cat + 1e-9 < m) {
        failed.push(format!(
            "a category's recall {worst_cat:.2} is below the floor {:.2}",
            min_cat.unwrap_or_default()
        ));
    }
    for f in &failed {
        eprintln!("FAIL: {f}");
    }
    println!("precision={precision:.2} recall={recall:.2} f1={f1:.2}");
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Lints whole Markdown documents and reports findings per 10,000 words: the false-alarm
/// density a reader of a professional report would see.
fn docs(args: &[String]) -> Result<ExitCode, String> {
    let mut paths = Vec::new();
    let mut verbose = false;
    let mut max = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--max-per-10k" => {
                max = Some(
                    it.next()
                        .and_then(|v| v.parse::<f64>().ok())
                        .ok_or("--max-per-10k takes a number")?,
                )
            }
            p => paths.push(std::path::PathBuf::from(p)),
        }
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            v.sort();
            files.extend(v);
        } else {
            files.push(p);
        }
    }
    let linter = Linter::with_defaults();
    let (mut total_words, mut total_findings) = (0usize, 0usize);
    let mut worst = 0.0f64;
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let words = text.split_whitespace().count();
        let found = linter.lint(&text, DocumentKind::Markdown);
        let density = found.len() as f64 * 10_000.0 / words.max(1) as f64;
        worst = worst.max(density);
        total_words += words;
        total_findings += found.len();
        println!(
            "{:>6.1}/10k  {:>3} findings  {:>6} words  {}",
            density,
            found.len(),
            words,
            f.display()
        );
        if verbose {
            let idx = pmlint_core::LineIndex::new(&text);
            for d in &found {
                let lc = idx.line_col(&text, d.range.start, pmlint_core::Encoding::Scalar);
                let line = idx
                    .line_range(&text, lc.line)
                    .map(|r| &text[r])
                    .unwrap_or_default();
                let excerpt: String = line.chars().take(160).collect();
                println!(
                    "      {}:{} [{}] {:?} :: {}",
                    lc.line + 1,
                    lc.col + 1,
                    d.rule,
                    &text[d.range.clone()],
                    excerpt
                );
            }
        }
    }
    let overall = total_findings as f64 * 10_000.0 / total_words.max(1) as f64;
    println!("total: {total_findings} findings in {total_words} words = {overall:.2} per 10k words (worst file {worst:.1})");
    if let Some(m) = max {
        if overall > m {
            eprintln!("FAIL: {overall:.2} findings per 10k words exceeds {m}");
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
