//! Every rule file's own examples, and the conventions every rule follows.
//!
//! A rule is data plus examples; this test is what makes the examples binding: flagged texts must
//! be flagged by that rule (and rewritten as stated), clean texts must not be flagged by any rule,
//! and applying the fixes must converge.

use pmlint_core::{apply_fixes, Applicability, Config, DocumentKind, Linter, RuleSet, FAMILIES};
use std::collections::BTreeSet;
use std::sync::Arc;

fn linter() -> Linter {
    let (rules, errors) = RuleSet::embedded();
    assert!(errors.is_empty(), "rules failed to load: {errors:#?}");
    Linter::new(Arc::new(rules), &Config::default()).unwrap()
}

#[test]
fn every_rule_follows_the_conventions() {
    let l = linter();
    let rules = l.rule_set().rules();
    assert!(
        rules.len() >= 18,
        "expected the full rule set, got {}",
        rules.len()
    );
    for r in rules {
        let who = &r.id;
        assert!(
            !r.flagged.is_empty(),
            "{who}: needs at least one flagged example"
        );
        assert!(
            !r.clean.is_empty(),
            "{who}: needs at least one clean example"
        );
        assert!(r.why.len() > 80, "{who}: `why` must explain the harm");
        assert!(
            !r.suggestions.is_empty(),
            "{who}: needs a systemic suggestion"
        );
        // House style: one sentence, capitalised, ending in a period, no line breaks.
        let m = &r.message;
        assert!(
            m.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '"'),
            "{who}: message must start with a capital"
        );
        assert!(
            m.ends_with('.') && !m.contains('\n'),
            "{who}: message must be one sentence ending in a period"
        );
        assert!(
            !m.trim_end_matches('.').contains(". "),
            "{who}: message must be a single sentence"
        );
        assert!(
            r.origin.ends_with(&format!("{}.toml", r.id)),
            "{who}: id must match the file name"
        );
    }
    for family in FAMILIES {
        let n = rules.iter().filter(|r| r.family == *family).count();
        assert!(n >= 2, "family {family} should have several rules, has {n}");
    }
}

#[test]
fn flagged_examples_are_flagged_and_fixed_as_documented() {
    let l = linter();
    let mut failures = Vec::new();
    for r in l.rule_set().rules() {
        for ex in &r.flagged {
            let found = l.lint(&ex.text, DocumentKind::PlainText);
            let own: Vec<_> = found.iter().filter(|d| *d.rule == *r.id).collect();
            if own.is_empty() {
                let got: Vec<&str> = found.iter().map(|d| &*d.rule).collect();
                failures.push(format!(
                    "{}: not flagged: {:?} (got {got:?})",
                    r.id, ex.text
                ));
                continue;
            }
            if let Some(expected) = &ex.fixed {
                let (fixed, _) = apply_fixes(
                    &ex.text,
                    own.iter().flat_map(|d| &d.fixes),
                    Applicability::Unsafe,
                );
                if &fixed != expected {
                    failures.push(format!(
                        "{}: fix of {:?} gave {:?}, expected {:?}",
                        r.id, ex.text, fixed, expected
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn clean_examples_get_no_finding_from_any_rule() {
    let l = linter();
    let mut failures = Vec::new();
    for r in l.rule_set().rules() {
        for text in &r.clean {
            let found = l.lint(text, DocumentKind::PlainText);
            if !found.is_empty() {
                let got: Vec<String> = found
                    .iter()
                    .map(|d| format!("{} on {:?}", d.rule, &text[d.range.clone()]))
                    .collect();
                failures.push(format!(
                    "{}: clean example flagged: {text:?}: {got:?}",
                    r.id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Applying every fix and linting again adds no new kind of finding, and repeating `--fix`
/// reaches a fixed point quickly.
#[test]
fn fixes_converge_without_new_findings() {
    let l = linter();
    for r in l.rule_set().rules() {
        for ex in &r.flagged {
            let mut text = ex.text.clone();
            let before: BTreeSet<String> = l
                .lint(&text, DocumentKind::PlainText)
                .iter()
                .map(|d| d.rule.to_string())
                .collect();
            let mut rounds = 0;
            loop {
                let found = l.lint(&text, DocumentKind::PlainText);
                let now: BTreeSet<String> = found.iter().map(|d| d.rule.to_string()).collect();
                assert!(
                    now.is_subset(&before),
                    "{}: fixing {:?} produced new findings {:?}",
                    r.id,
                    ex.text,
                    now.difference(&before).collect::<Vec<_>>()
                );
                let (next, applied) = apply_fixes(
                    &text,
                    found.iter().flat_map(|d| &d.fixes),
                    Applicability::Unsafe,
                );
                if applied == 0 {
                    break;
                }
                assert_ne!(next, text, "{}: a fix that changes nothing loops", r.id);
                text = next;
                rounds += 1;
                assert!(
                    rounds <= 3,
                    "{}: fixes of {:?} do not converge (now {:?})",
                    r.id,
                    ex.text,
                    text
                );
            }
        }
    }
}
