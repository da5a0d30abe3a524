//! `--fix`, `--unsafe-fixes` and `--diff`: apply fixes until the text is stable, then write the
//! file atomically (or print a unified diff).

use pmlint_core::{apply_fixes, Applicability, Diagnostic, DocumentKind, Linter};

/// Fix rounds per file. One round applies every non-overlapping fix; a later round picks up
/// fixes that overlapped an applied one, or findings a rewrite exposed.
pub const MAX_ROUNDS: usize = 4;

/// Applies fixes of at least `min` applicability to `text` until nothing changes (or
/// [`MAX_ROUNDS`] rounds). `lint` is the linter plus the command-line filter. Returns the new text
/// and how many fixes were applied.
pub fn fix_text(
    text: &str,
    min: Applicability,
    lint: impl Fn(&str) -> Vec<Diagnostic>,
) -> (String, usize) {
    let mut current = text.to_owned();
    let mut total = 0;
    for _ in 0..MAX_ROUNDS {
        let findings = lint(&current);
        let (next, applied) = apply_fixes(&current, findings.iter().flat_map(|d| &d.fixes), min);
        if applied == 0 || next == current {
            break;
        }
        total += applied;
        current = next;
    }
    (current, total)
}

/// Convenience for tests and callers without a filter.
#[allow(dead_code)]
pub fn fix_with(
    linter: &Linter,
    kind: DocumentKind,
    text: &str,
    min: Applicability,
) -> (String, usize) {
    fix_text(text, min, |t| linter.lint(t, kind))
}

/// A unified diff of `old` → `new` for `path`, `git diff` style (`a/` and `b/` prefixes, three
/// lines of context). Line endings are kept, so a CRLF file shows its `\r`s.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    out.push_str(&format!("--- a/{path}\n+++ b/{path}\n"));
    for hunk in diff
        .unified_diff()
        .context_radius(3)
        .missing_newline_hint(true)
        .iter_hunks()
    {
        out.push_str(&hunk.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixing_is_stable_and_keeps_crlf() {
        let linter = Linter::with_defaults();
        let text = "# Summary\r\n\r\nObviously, the deploy broke the cache.\r\nBob forgot to renew the certificate.\r\n";
        let (safe, n) = fix_with(&linter, DocumentKind::Markdown, text, Applicability::Safe);
        assert_eq!(n, 1);
        assert_eq!(safe, "# Summary\r\n\r\nThe deploy broke the cache.\r\nBob forgot to renew the certificate.\r\n");
        let (again, n) = fix_with(&linter, DocumentKind::Markdown, &safe, Applicability::Safe);
        assert_eq!((again.as_str(), n), (safe.as_str(), 0));
        let (all, n) = fix_with(&linter, DocumentKind::Markdown, text, Applicability::Unsafe);
        assert_eq!(n, 2);
        assert_eq!(all, "# Summary\r\n\r\nThe deploy broke the cache.\r\nThe engineer forgot to renew the certificate.\r\n");
    }

    #[test]
    fn diff_has_headers_hunks_and_no_newline_marker() {
        let d = unified_diff("x.md", "a\nb\nc", "a\nB\nc");
        assert_eq!(d, "--- a/x.md\n+++ b/x.md\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n");
    }
}
