//! Small shared helpers: stdout/stderr writing that survives closed pipes, "did you mean".

use std::io::Write;
use std::process::ExitCode;

/// Writes `bytes` to stdout. A closed pipe (`pmlint rules | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            error(&format!("could not write to stdout: {e}"));
            ExitCode::from(2)
        }
    }
}

/// Prints `error: {message}` to stderr.
pub fn error(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}

/// `" (did you mean `x`?)"` when one candidate is close to `word`, else an empty string.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(word, c);
        // Close means: at most a third of the word's length is wrong, or one word contains the other.
        let close =
            d <= (word.chars().count().max(3) / 3).max(1) || (word.len() >= 4 && c.contains(word));
        if close && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    match best {
        Some((_, c)) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let ids = ["hindsight-obvious", "named-person-lapse", "punishment"];
        assert_eq!(
            did_you_mean("hindsight-obvios", ids),
            " (did you mean `hindsight-obvious`?)"
        );
        assert_eq!(
            did_you_mean("punishmnt", ids),
            " (did you mean `punishment`?)"
        );
        assert_eq!(
            did_you_mean("hindsight", ids),
            " (did you mean `hindsight-obvious`?)"
        );
        assert_eq!(did_you_mean("zebra", ids), "");
    }
}
