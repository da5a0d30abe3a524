//! The default format: rustc-style snippets (via annotate-snippets), with the rule's suggested
//! rewrites and the fix shown as a patch, then a one-line summary.

use super::{Finding, Report};
use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use pmlint_core::{Applicability, LineIndex, Severity};
use std::ops::Range;

pub fn render(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for file in &report.files {
        let Some(text) = file.text.as_deref() else {
            continue;
        };
        let index = LineIndex::new(text);
        for f in &file.findings {
            out.push_str(&render_one(&renderer, &file.display, text, &index, f));
            out.push_str("\n\n");
        }
    }
    out.push_str(&super::summary_line(report));
    out.push('\n');
    out
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// The whole lines that contain `range` (without the last line's terminator).
fn line_span(text: &str, index: &LineIndex, range: Range<usize>) -> Range<usize> {
    let first = index.line_of(range.start);
    let last = index.line_of(range.end.saturating_sub(1).max(range.start));
    let start = index.line_start(first).unwrap_or(0);
    let end = index
        .line_range(text, last)
        .map_or(text.len(), |r| r.end)
        .max(range.end);
    start..end
}

fn render_one(
    renderer: &Renderer,
    path: &str,
    text: &str,
    index: &LineIndex,
    f: &Finding,
) -> String {
    let d = &f.diag;
    let fix = d.fixes.iter().max_by_key(|x| x.applicability);
    // One excerpt that covers the finding and the fix's edits, so both show the same lines.
    let mut covered = d.range.clone();
    if let Some(fix) = fix {
        for e in &fix.edits {
            covered.start = covered.start.min(e.range.start);
            covered.end = covered.end.max(e.range.end);
        }
    }
    let span = line_span(text, index, covered);
    let excerpt = &text[span.clone()];
    let line_start = index.line_of(span.start) as usize + 1;
    let rel = |r: &Range<usize>| r.start - span.start..r.end - span.start;

    let mut main = level(d.severity)
        .primary_title(&*d.message)
        .id(&*d.rule)
        .element(
            Snippet::source(excerpt)
                .line_start(line_start)
                .path(path)
                .annotation(AnnotationKind::Primary.span(rel(&d.range))),
        );
    for s in d.suggestions.iter() {
        main = main.element(Level::HELP.message(s.as_str()));
    }
    let mut groups: Vec<Group<'_>> = vec![main];
    if let Some(fix) = fix {
        let how = match fix.applicability {
            Applicability::Safe => "safe fix, applied by --fix",
            Applicability::Unsafe => "unsafe fix, applied by --fix --unsafe-fixes",
            Applicability::DisplayOnly => "suggested rewrite",
        };
        let patches = fix
            .edits
            .iter()
            .map(|e| Patch::new(rel(&e.range), e.replacement.as_str()));
        groups.push(
            Level::HELP
                .secondary_title(format!("{} ({how})", fix.title))
                .element(
                    Snippet::source(excerpt)
                        .line_start(line_start)
                        .path(path)
                        .patches(patches),
                ),
        );
    }
    renderer.render(&groups)
}
