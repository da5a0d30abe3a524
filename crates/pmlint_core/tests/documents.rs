//! Whole-document behaviour: the canonical seed example, Markdown fixtures with inline
//! expectations, and the bundled example postmortem.

use pmlint_core::{DocumentKind, LineIndex, Linter};
use std::collections::BTreeSet;
use std::path::Path;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The dylanone@/annatwo@ paragraph from "Blameless postmortems in DevOps culture" is flagged on
/// every blameful clause, and the article's blameless rewrite gets no finding at all.
#[test]
fn seed_example_and_its_rewrite() {
    let l = Linter::with_defaults();
    let text = fixture("seed-blameful.txt");
    let found = l.lint(&text, DocumentKind::PlainText);
    let flagged: Vec<&str> = found.iter().map(|d| &text[d.range.clone()]).collect();
    for clause in [
        "dylanone@ did not bother",
        "Of course we ran",
        "disaster",
        "annatwo@ did not know",
        "restarted the wrong",
    ] {
        assert!(
            flagged.iter().any(|f| f.contains(clause)),
            "not flagged: {clause:?}; got {flagged:?}"
        );
    }
    let rewrite = fixture("seed-blameless.txt");
    let found = l.lint(&rewrite, DocumentKind::PlainText);
    assert!(
        found.is_empty(),
        "blameless rewrite flagged: {:?}",
        found
            .iter()
            .map(|d| &rewrite[d.range.clone()])
            .collect::<Vec<_>>()
    );
}

/// Markdown fixtures mark expected findings inline: a line ending in
/// `<!-- expect: rule-a rule-b -->` must get exactly those rules' findings (starting on that
/// line), and every other line must get none.
#[test]
fn markdown_fixtures_match_inline_expectations() {
    let l = Linter::with_defaults();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    names.sort();
    for path in names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        let idx = LineIndex::new(&text);
        let mut expected: BTreeSet<(u32, String)> = BTreeSet::new();
        for line in 0..idx.line_count() as u32 {
            let Some(r) = idx.line_range(&text, line) else {
                continue;
            };
            if let Some(at) = text[r.clone()].find("<!-- expect:") {
                let rest = &text[r.start + at + 12..r.end];
                let ids = rest.split("-->").next().unwrap_or_default();
                for id in ids.split_whitespace() {
                    expected.insert((line, id.to_owned()));
                }
            }
        }
        let got: BTreeSet<(u32, String)> = l
            .lint(&text, DocumentKind::Markdown)
            .iter()
            .map(|d| (idx.line_of(d.range.start), d.rule.to_string()))
            .collect();
        for missing in expected.difference(&got) {
            failures.push(format!(
                "{}:{}: expected {} not reported",
                path.display(),
                missing.0 + 1,
                missing.1
            ));
        }
        for extra in got.difference(&expected) {
            failures.push(format!(
                "{}:{}: unexpected {}",
                path.display(),
                extra.0 + 1,
                extra.1
            ));
        }
        checked += 1;
    }
    assert!(checked >= 2, "fixtures missing");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The example the README runs has findings (so the demo shows something) and every finding's
/// text is a real slice of the file.
#[test]
fn bundled_example_postmortem() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/postmortem.md");
    let text = std::fs::read_to_string(p).unwrap();
    let found = Linter::with_defaults().lint(&text, DocumentKind::Markdown);
    let families: BTreeSet<&str> = found.iter().map(|d| &*d.family).collect();
    assert!(
        families.len() >= 6,
        "example should show most families, got {families:?}"
    );
}

/// Fix edits read naturally wherever the words stand in the sentence.
#[test]
fn fixes_respect_position_and_punctuation() {
    use pmlint_core::{apply_fixes, Applicability};
    let l = Linter::with_defaults();
    let fix = |t: &str| {
        let found = l.lint(t, DocumentKind::PlainText);
        apply_fixes(
            t,
            found.iter().flat_map(|d| &d.fixes),
            Applicability::Unsafe,
        )
        .0
    };
    assert_eq!(
        fix("The deploy, obviously, broke the cache."),
        "The deploy broke the cache."
    );
    assert_eq!(
        fix("Obviously, the deploy broke the cache."),
        "The deploy broke the cache."
    );
    assert_eq!(fix("It was obviously a mistake."), "It was a mistake.");
    assert_eq!(
        fix("Later that day Priya forgot to renew it."),
        "Later that day the engineer forgot to renew it."
    );
    assert_eq!(
        fix("Priya forgot to renew it."),
        "The engineer forgot to renew it."
    );
    // Markup between the words is never cut through: the deletion stops at the word.
    let md = "**Obviously**, the deploy broke.";
    let found = l.lint(md, DocumentKind::Markdown);
    let (fixed, _) = apply_fixes(md, found.iter().flat_map(|d| &d.fixes), Applicability::Safe);
    assert!(fixed.contains("**"), "markup kept: {fixed}");
}

/// User rule files load through the same format; `regex` patterns need anchors and are size-capped.
#[test]
fn user_rules_with_regex() {
    use pmlint_core::{Config, RuleSet, RuleSource};
    use std::sync::Arc;
    let rule = r#"
id = "no-heroics"
family = "custom-culture"
severity = "info"
message = "Praising heroics rewards the firefighting that a better system would make unnecessary."
why = "Celebrating the person who stayed up all night teaches teams that outages are won by stamina, not by design."
suggestions = ["Describe what made the recovery slow."]
clean = ["The recovery took four hours."]

[[pattern]]
regex = "hero(ic|ics|es)?\\b|saved the day"
anchors = ["hero", "heroic", "heroics", "heroes", "saved"]

[[flagged]]
text = "Alice was the hero of the night."
"#;
    let (rules, errors) = RuleSet::load(&[RuleSource {
        origin: "team/no-heroics.toml",
        text: rule,
    }]);
    assert!(errors.is_empty(), "{errors:?}");
    let l = pmlint_core::Linter::new(Arc::new(rules), &Config::default()).unwrap();
    let text = "Thanks to heroic efforts, Bob saved the day.";
    let found: Vec<&str> = l
        .lint(text, DocumentKind::PlainText)
        .iter()
        .filter(|d| &*d.rule == "no-heroics")
        .map(|d| &text[d.range.clone()])
        .collect();
    assert_eq!(found, ["heroic", "saved the day"]);

    let no_anchor = rule.replace(
        "anchors = [\"hero\", \"heroic\", \"heroics\", \"heroes\", \"saved\"]",
        "",
    );
    let (_, errors) = RuleSet::load(&[RuleSource {
        origin: "team/no-heroics.toml",
        text: &no_anchor,
    }]);
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("anchors") && e.line.is_some()),
        "{errors:?}"
    );

    let huge = rule.replace(
        r#"hero(ic|ics|es)?\\b|saved the day"#,
        r#"\\w{1000}\\w{1000}\\w{1000}"#,
    );
    let (_, errors) = RuleSet::load(&[RuleSource {
        origin: "team/no-heroics.toml",
        text: &huge,
    }]);
    assert!(
        errors.iter().any(|e| e.message.contains("invalid regex")),
        "{errors:?}"
    );
}
