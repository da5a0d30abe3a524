//! Protocol tests: a real JSON-RPC session over in-memory streams against `pmlint_server::serve`.
//! Every test runs under a hard time limit, so a hang fails instead of blocking the suite.

mod common;

use common::*;
use pmlint_core::{Config, DocumentKind, Encoding, LineIndex, Linter};
use serde_json::{json, Value};
use std::process::ExitCode;

const RULE: &str = "hindsight-obvious";
const URI: &str = "untitled:incident-42.md";

fn settings(debounce: u64) -> Value {
    json!({"enable": true, "minSeverity": "info", "rules": {}, "allowedNames": [], "debounceMs": debounce})
}

fn on_line(diags: &[Value], line: u64) -> Vec<Value> {
    diags
        .iter()
        .filter(|d| d["code"] == RULE && d["range"]["start"]["line"] == line)
        .cloned()
        .collect()
}

async fn code_actions(s: &mut Session, uri: &str, diag: &Value) -> Vec<Value> {
    let r = s
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag], "triggerKind": 1}}),
        )
        .await;
    r["result"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("codeAction failed: {r}"))
}

#[tokio::test]
async fn fixture_contract_utf16() {
    limit(60, async {
        let (mut s, init) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync advertised");
        s.open(URI, "markdown", 1, FIXTURE).await;
        let (_, diags) = s.wait_diags(0, URI, Some(1)).await;
        let d2 = on_line(&diags, 2);
        let d4 = on_line(&diags, 4);
        assert_eq!((d2.len(), d4.len()), (1, 1), "{diags:?}");
        assert_eq!(d2[0]["range"], range(2, 0, 2, 9));
        assert_eq!(d4[0]["range"], range(4, 29, 4, 38));
        // On the wire, keys in the specification's order (harnesses compare serialised JSON).
        let raw = s.raw.lock().unwrap().clone();
        let published = raw.iter().find(|b| b.contains("publishDiagnostics")).unwrap();
        assert!(
            published.contains(r#""range":{"start":{"line":2,"character":0},"end":{"line":2,"character":9}}"#),
            "{published}"
        );
        for d in [&d2[0], &d4[0]] {
            assert_eq!(d["source"], "pmlint");
            assert_eq!(d["severity"], 2);
            assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(d["data"]["version"], 1);
        }

        // The preferred quick fix for line 2.
        let actions = code_actions(&mut s, URI, &d2[0]).await;
        let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
        assert!(titles.contains(&"Disable hindsight-obvious for this line"), "{titles:?}");
        let preferred: Vec<&Value> = actions.iter().filter(|a| a["isPreferred"] == true).collect();
        assert_eq!(preferred.len(), 1, "{actions:?}");
        assert_eq!(preferred[0]["kind"], "quickfix");
        assert_eq!(preferred[0]["edit"]["documentChanges"][0]["textDocument"]["version"], 1);
        let fixed = apply_text_edits(FIXTURE, &edits_for(&preferred[0]["edit"], URI), Encoding::Utf16);
        assert_eq!(fixed.lines().nth(2), Some("The deploy broke the cache."));
        assert_eq!(fixed.lines().count(), FIXTURE.lines().count());

        // Apply it: the line-2 finding goes, line 4 stays.
        let from = s.note_count();
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]})).await;
        let (_, diags) = s.wait_diags(from, URI, Some(2)).await;
        assert!(on_line(&diags, 2).is_empty(), "{diags:?}");
        assert_eq!(on_line(&diags, 4)[0]["range"], range(4, 29, 4, 38));

        // Hover inside the line-4 finding.
        let h = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 4, "character": 31}})).await;
        assert_eq!(h["result"]["contents"]["kind"], "markdown");
        let md = h["result"]["contents"]["value"].as_str().unwrap();
        assert!(md.contains(RULE), "{md}");
        assert!(md.contains("Why this hurts"), "the rule documentation: {md}");
        assert_eq!(h["result"]["range"], range(4, 29, 4, 38));
        // Hover away from any finding.
        let h = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 1}})).await;
        assert_eq!(h["result"], Value::Null);

        // The line-4 fix, then nothing left.
        let d4 = on_line(&diags, 4)[0].clone();
        let actions = code_actions(&mut s, URI, &d4).await;
        let fix = actions.iter().find(|a| a["isPreferred"] == true).expect("a safe fix for line 4");
        let fixed2 = apply_text_edits(&fixed, &edits_for(&fix["edit"], URI), Encoding::Utf16);
        assert_eq!(fixed2.lines().nth(4), Some("The café 🚀 team said it was a mistake."));
        let from = s.note_count();
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": fixed2}]})).await;
        let (_, diags) = s.wait_diags(from, URI, Some(3)).await;
        assert!(diags.iter().all(|d| d["code"] != RULE), "{diags:?}");

        // Close clears.
        let from = s.note_count();
        s.notify("textDocument/didClose", json!({"textDocument": {"uri": URI}})).await;
        let (_, diags) = s.wait_diags(from, URI, None).await;
        assert!(diags.is_empty());

        assert_eq!(s.shutdown_and_exit().await, ExitCode::SUCCESS);
    })
    .await;
}

#[tokio::test]
async fn utf8_is_negotiated_when_offered() {
    limit(60, async {
        let (mut s, init) = Session::start(caps(&["utf-16", "utf-8"]), settings(0), None).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
        s.open(URI, "markdown", 1, FIXTURE).await;
        let (_, diags) = s.wait_diags(0, URI, Some(1)).await;
        assert_eq!(on_line(&diags, 2)[0]["range"], range(2, 0, 2, 9));
        let d4 = on_line(&diags, 4)[0].clone();
        assert_eq!(d4["range"], range(4, 32, 4, 41), "UTF-8 byte columns");
        let actions = code_actions(&mut s, URI, &d4).await;
        let fix = actions.iter().find(|a| a["isPreferred"] == true).unwrap();
        let fixed = apply_text_edits(FIXTURE, &edits_for(&fix["edit"], URI), Encoding::Utf8);
        assert_eq!(fixed.lines().nth(4), Some("The café 🚀 team said it was a mistake."));
        // Incremental edits arrive in UTF-8 columns too: delete "obviously " on line 4.
        let from = s.note_count();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"range": range(4, 32, 4, 42), "text": ""}]}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, URI, Some(2)).await;
        assert!(on_line(&diags, 4).is_empty(), "{diags:?}");
        assert_eq!(on_line(&diags, 2).len(), 1);
        // Saving publishes again (same version).
        let from = s.note_count();
        s.notify("textDocument/didSave", json!({"textDocument": {"uri": URI}})).await;
        let (_, again) = s.wait_diags(from, URI, Some(2)).await;
        assert_eq!(again, diags);
        assert_eq!(s.shutdown_and_exit().await, ExitCode::SUCCESS);
    })
    .await;
}

/// The diagnostics pmlint itself finds in `text`, as (code, range) in UTF-16.
fn expected(text: &str) -> Vec<(String, Value)> {
    let linter = Linter::new(
        Linter::with_defaults().rule_set().clone(),
        &Config::default(),
    )
    .unwrap();
    let idx = LineIndex::new(text);
    linter
        .lint(text, DocumentKind::Markdown)
        .iter()
        .map(|d| {
            let a = idx.line_col(text, d.range.start, Encoding::Utf16);
            let b = idx.line_col(text, d.range.end, Encoding::Utf16);
            (
                d.rule.to_string(),
                range(a.line as u64, a.col as u64, b.line as u64, b.col as u64),
            )
        })
        .collect()
}

fn got(diags: &[Value]) -> Vec<(String, Value)> {
    diags
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["range"].clone()))
        .collect()
}

/// Types into a document with many small incremental changes in quick succession; the last
/// published diagnostics must be those of the final text, and no diagnostics for an older
/// version may follow those for a newer one.
async fn rapid_changes(debounce: u64) {
    let (s, _) = Session::start(caps(&["utf-16"]), settings(debounce), None).await;
    let mut text = String::from("# Timeline\r\n\r\nThe café 🚀 team said it was a mistake.\r\n");
    s.open(URI, "markdown", 1, &text).await;
    let mut version = 1;
    let inserts = [
        "Obviously, ",
        "日本 ",
        "Bob forgot to renew the certificate. ",
        "clearly ",
        "🚀é ",
    ];
    for round in 0..60 {
        let piece = inserts[round % inserts.len()];
        let idx = LineIndex::new(&text);
        // Insert at the start of line 2 (or after "was " when present), one character at a time.
        let at = text
            .find("was ")
            .map(|i| i + 4)
            .filter(|_| round % 2 == 1)
            .unwrap_or_else(|| idx.line_range(&text, 2).unwrap().start);
        let mut pos = at;
        for ch in piece.chars() {
            let lc = LineIndex::new(&text).line_col(&text, pos, Encoding::Utf16);
            let p = json!({"line": lc.line, "character": lc.col});
            text.insert(pos, ch);
            pos += ch.len_utf8();
            version += 1;
            s.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"range": {"start": p, "end": p}, "text": ch.to_string()}]}),
            )
            .await;
        }
        if round % 7 == 3 {
            // Several changes in one notification, applied in order: delete the piece again
            // in two steps.
            let idx = LineIndex::new(&text);
            let a = idx.line_col(&text, at, Encoding::Utf16);
            let mid = at
                + piece
                    .char_indices()
                    .nth(piece.chars().count() / 2)
                    .map_or(0, |(i, _)| i);
            let m = idx.line_col(&text, mid, Encoding::Utf16);
            let e = idx.line_col(&text, at + piece.len(), Encoding::Utf16);
            let first = json!({"range": range(m.line as u64, m.col as u64, e.line as u64, e.col as u64), "text": ""});
            let second = json!({"range": range(a.line as u64, a.col as u64, m.line as u64, m.col as u64), "text": ""});
            text.replace_range(at..at + piece.len(), "");
            version += 1;
            s.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [first, second]})).await;
        }
    }
    let (_, diags) = s.wait_diags(0, URI, Some(version)).await;
    let want = expected(&text);
    assert!(!want.is_empty(), "the final text has findings");
    assert_eq!(
        got(&diags),
        want,
        "final diagnostics match the final text:\n{text}"
    );
    // Give stray tasks a moment, then check the order of everything published.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let published = s.published(URI);
    let versions: Vec<i64> = published
        .iter()
        .map(|(v, _)| v.expect("versioned"))
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "versions went backwards: {versions:?}"
    );
    assert_eq!(
        *versions.last().unwrap(),
        version,
        "nothing after the final version"
    );
    if debounce > 0 {
        assert!(
            versions.len() < version as usize / 2,
            "debouncing coalesces changes: {} publishes for {version} versions",
            versions.len()
        );
    }
    assert_eq!(s.shutdown_and_exit().await, ExitCode::SUCCESS);
}

#[tokio::test]
async fn rapid_incremental_changes_without_debounce() {
    limit(120, rapid_changes(0)).await;
}

#[tokio::test]
async fn rapid_incremental_changes_with_debounce() {
    limit(120, rapid_changes(40)).await;
}

#[tokio::test]
async fn crlf_emoji_cjk_positions_and_disable_comment() {
    limit(60, async {
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        let line = "  - Ñandú 日本語 👩‍💻 and 🚀: the fix was obviously a mistake.";
        let text = format!("# Title\r\n\r\n{line}\r\n\r\nClearly, the alert was late.\r\n");
        s.open(URI, "markdown", 1, &text).await;
        let (_, diags) = s.wait_diags(0, URI, Some(1)).await;
        let col = utf16_col(line, line.find("obviously").unwrap());
        let d = on_line(&diags, 2);
        assert_eq!(d.len(), 1, "{diags:?}");
        assert_eq!(d[0]["range"], range(2, col, 2, col + 9));
        assert_eq!(on_line(&diags, 4)[0]["range"], range(4, 0, 4, 7));

        // "Disable for this line" keeps the list indentation and the CRLF line ending.
        let actions = code_actions(&mut s, URI, &d[0]).await;
        let disable = actions.iter().find(|a| a["title"] == "Disable hindsight-obvious for this line").unwrap();
        let after = apply_text_edits(&text, &edits_for(&disable["edit"], URI), Encoding::Utf16);
        assert!(after.contains("\r\n  <!-- pmlint-disable-next-line hindsight-obvious -->\r\n  - Ñandú"), "{after:?}");
        let from = s.note_count();
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": after}]})).await;
        let (_, diags) = s.wait_diags(from, URI, Some(2)).await;
        assert!(on_line(&diags, 3).is_empty(), "suppressed: {diags:?}");
        assert_eq!(on_line(&diags, 5).len(), 1, "the other line is still reported: {diags:?}");
        assert_eq!(s.shutdown_and_exit().await, ExitCode::SUCCESS);
    })
    .await;
}

#[tokio::test]
async fn plain_text_disable_comment() {
    limit(60, async {
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        let uri = "untitled:notes.txt";
        let text = "Summary\n\n\tObviously, the deploy broke the cache.\n";
        s.open(uri, "plaintext", 1, text).await;
        let (_, diags) = s.wait_diags(0, uri, Some(1)).await;
        let d = on_line(&diags, 2);
        assert_eq!(d[0]["range"], range(2, 1, 2, 10));
        let actions = code_actions(&mut s, uri, &d[0]).await;
        let disable = actions.iter().find(|a| a["title"] == "Disable hindsight-obvious for this line").unwrap();
        let after = apply_text_edits(text, &edits_for(&disable["edit"], uri), Encoding::Utf16);
        assert_eq!(after, "Summary\n\n\tpmlint-disable-next-line hindsight-obvious\n\tObviously, the deploy broke the cache.\n");
        let from = s.note_count();
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": after}]})).await;
        let (_, diags) = s.wait_diags(from, uri, Some(2)).await;
        assert!(diags.is_empty(), "{diags:?}");
        s.shutdown_and_exit().await;
    })
    .await;
}

#[tokio::test]
async fn settings_change_disables_a_rule_and_back() {
    limit(60, async {
        let (s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        s.open(URI, "markdown", 1, FIXTURE).await;
        let (_, diags) = s.wait_diags(0, URI, Some(1)).await;
        assert_eq!(diags.iter().filter(|d| d["code"] == RULE).count(), 2);

        let mut off = settings(0);
        off["rules"] = json!({RULE: "off"});
        let from = s.note_count();
        s.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"pmlint": off}}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, URI, Some(1)).await;
        assert!(diags.iter().all(|d| d["code"] != RULE), "{diags:?}");

        // Severity override through the same path, bare (not nested) this time.
        let mut err = settings(0);
        err["rules"] = json!({RULE: "error"});
        let from = s.note_count();
        s.notify("workspace/didChangeConfiguration", json!({"settings": err}))
            .await;
        let (_, diags) = s.wait_diags(from, URI, Some(1)).await;
        let sev: Vec<&Value> = diags
            .iter()
            .filter(|d| d["code"] == RULE)
            .map(|d| &d["severity"])
            .collect();
        assert_eq!(sev, [&json!(1), &json!(1)]);

        // enable: false clears; an unknown rule id is reported, not fatal.
        let from = s.note_count();
        s.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"pmlint": {"enable": false}}}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, URI, Some(1)).await;
        assert!(diags.is_empty());
        let from = s.note_count();
        s.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"pmlint": {"rules": {"no-such-rule": "off"}}}}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, URI, Some(1)).await;
        assert_eq!(diags.iter().filter(|d| d["code"] == RULE).count(), 2);
        s.wait_note(from, "a warning about the unknown rule", |n| {
            n["method"] == "window/showMessage"
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("no-such-rule"))
        })
        .await;

        // Pull model: empty settings make the server ask with workspace/configuration.
        *s.settings.lock().unwrap() = json!({"rules": {RULE: "off"}});
        let from = s.note_count();
        s.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, URI, Some(1)).await;
        assert!(diags.iter().all(|d| d["code"] != RULE), "{diags:?}");
        assert!(s
            .server_requests
            .lock()
            .unwrap()
            .iter()
            .any(|r| r["method"] == "workspace/configuration"));
        s.shutdown_and_exit().await;
    })
    .await;
}

#[tokio::test]
async fn config_file_broken_keeps_last_good_and_recovers() {
    limit(60, async {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let cfg = dir.path().join("pmlint.toml");
        std::fs::write(&cfg, "[rules]\nhindsight-obvious = \"off\"\n").unwrap();
        let doc = dir.path().join("postmortem.md");
        std::fs::write(&doc, FIXTURE).unwrap();
        let (uri, cfg_uri) = (file_uri(&doc), file_uri(&cfg));

        let (s, _) = Session::start(caps(&["utf-16"]), settings(0), Some(dir.path())).await;
        // The configuration watcher is registered dynamically.
        let reg = s.wait_request("client/registerCapability").await;
        let reg = &reg["params"]["registrations"][0];
        assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
        assert_eq!(
            reg["registerOptions"]["watchers"][0]["globPattern"],
            "**/pmlint.toml"
        );

        s.open(&uri, "markdown", 1, FIXTURE).await;
        let (_, diags) = s.wait_diags(0, &uri, Some(1)).await;
        assert!(
            diags.iter().all(|d| d["code"] != RULE),
            "pmlint.toml turns the rule off: {diags:?}"
        );

        // Break the file: a diagnostic on it, a message, and the last good configuration stays.
        std::fs::write(
            &cfg,
            "[rules]\nhindsight-obvious = \"off\"\ndramatic-wording = \"loud\"\n",
        )
        .unwrap();
        let from = s.note_count();
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": cfg_uri, "type": 2}]}),
        )
        .await;
        let (_, cdiags) = s.wait_diags(from, &cfg_uri, None).await;
        assert_eq!(cdiags.len(), 1, "{cdiags:?}");
        assert_eq!(cdiags[0]["severity"], 1);
        assert_eq!(
            cdiags[0]["range"]["start"],
            json!({"line": 2, "character": 19}),
            "{cdiags:?}"
        );
        assert!(cdiags[0]["message"].as_str().unwrap().contains("loud"));
        s.wait_note(from, "showMessage about the broken file", |n| {
            n["method"] == "window/showMessage"
                && n["params"]["type"] == 1
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("pmlint.toml"))
        })
        .await;
        let (_, diags) = s.wait_diags(from, &uri, Some(1)).await;
        assert!(
            diags.iter().all(|d| d["code"] != RULE),
            "last good configuration kept: {diags:?}"
        );

        // A syntax error, reported at its line too (on save of the file this time).
        std::fs::write(&cfg, "[rules\nhindsight-obvious = \"off\"\n").unwrap();
        let from = s.note_count();
        s.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": cfg_uri}}),
        )
        .await;
        let (_, cdiags) = s.wait_diags(from, &cfg_uri, None).await;
        assert_eq!(cdiags[0]["range"]["start"]["line"], 0, "{cdiags:?}");
        let (_, diags) = s.wait_diags(from, &uri, Some(1)).await;
        assert!(
            diags.iter().all(|d| d["code"] != RULE),
            "still the last good configuration: {diags:?}"
        );

        // Fix it (the rule back on): the file's diagnostic is cleared and the rule reports again.
        std::fs::write(&cfg, "min-severity = \"info\"\n").unwrap();
        let from = s.note_count();
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": cfg_uri, "type": 2}]}),
        )
        .await;
        let (_, cdiags) = s.wait_diags(from, &cfg_uri, None).await;
        assert!(cdiags.is_empty());
        let (_, diags) = s.wait_diags(from, &uri, Some(1)).await;
        assert_eq!(
            diags.iter().filter(|d| d["code"] == RULE).count(),
            2,
            "{diags:?}"
        );
        s.shutdown_and_exit().await;
    })
    .await;
}

/// Applies a WorkspaceEdit that may create files and edit files on disk (as a client would).
fn apply_to_disk(edit: &Value) {
    for c in edit["documentChanges"].as_array().expect("documentChanges") {
        let path_of = |u: &Value| -> std::path::PathBuf {
            let u = u.as_str().unwrap().strip_prefix("file://").unwrap();
            std::path::PathBuf::from(u.replace("%20", " "))
        };
        if c["kind"] == "create" {
            let p = path_of(&c["uri"]);
            if !p.exists() {
                std::fs::write(&p, "").unwrap();
            }
            continue;
        }
        let p = path_of(&c["textDocument"]["uri"]);
        let text = std::fs::read_to_string(&p).unwrap();
        let out = apply_text_edits(&text, c["edits"].as_array().unwrap(), Encoding::Utf16);
        std::fs::write(&p, out).unwrap();
    }
}

#[tokio::test]
async fn allow_name_creates_the_config_file() {
    limit(60, async {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("pm.md");
        let text = "# Root cause\n\nBob forgot to renew the certificate.\n";
        std::fs::write(&doc, text).unwrap();
        let uri = file_uri(&doc);
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), Some(dir.path())).await;
        s.open(&uri, "markdown", 1, text).await;
        let (_, diags) = s.wait_diags(0, &uri, Some(1)).await;
        let named = diags
            .iter()
            .find(|d| d["code"] == "named-person-lapse")
            .expect("named finding")
            .clone();
        let actions = code_actions(&mut s, &uri, &named).await;
        let allow = actions
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with("Allow this name"))
            .unwrap_or_else(|| panic!("{actions:?}"));
        assert!(
            allow["title"].as_str().unwrap().contains("\"Bob\""),
            "{allow}"
        );
        let ops = allow["edit"]["documentChanges"].as_array().unwrap();
        assert_eq!(ops[0]["kind"], "create");
        assert_eq!(ops[0]["uri"], file_uri(&dir.path().join("pmlint.toml")));
        // An unsafe fix (name → role) is offered but not preferred.
        let fix = actions
            .iter()
            .find(|a| a["title"] == "Replace the name with the role")
            .expect("role fix");
        assert_eq!(fix["isPreferred"], false);

        apply_to_disk(&allow["edit"]);
        let cfg = std::fs::read_to_string(dir.path().join("pmlint.toml")).unwrap();
        assert_eq!(Config::parse(&cfg).unwrap().allow_names, vec!["Bob"]);
        let from = s.note_count();
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&dir.path().join("pmlint.toml")), "type": 1}]}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, &uri, Some(1)).await;
        assert!(
            diags.iter().all(|d| d["code"] != "named-person-lapse"),
            "{diags:?}"
        );
        s.shutdown_and_exit().await;
    })
    .await;
}

#[tokio::test]
async fn allow_phrase_extends_an_existing_config() {
    limit(60, async {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("pmlint.toml");
        std::fs::write(
            &cfg,
            "# team settings\nroster = [\"Alice\"]\n\n[rules]\ndramatic-wording = \"warning\"\n",
        )
        .unwrap();
        let doc = dir.path().join("pm.md");
        std::fs::write(&doc, FIXTURE).unwrap();
        let uri = file_uri(&doc);
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), Some(dir.path())).await;
        s.open(&uri, "markdown", 1, FIXTURE).await;
        let (_, diags) = s.wait_diags(0, &uri, Some(1)).await;
        let d = on_line(&diags, 4)[0].clone();
        let actions = code_actions(&mut s, &uri, &d).await;
        assert!(
            !actions
                .iter()
                .any(|a| a["title"].as_str().unwrap().starts_with("Allow this name")),
            "not a named-cause finding"
        );
        let allow = actions
            .iter()
            .find(|a| {
                a["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Allow this phrase")
            })
            .unwrap_or_else(|| panic!("{actions:?}"));
        apply_to_disk(&allow["edit"]);
        let after = std::fs::read_to_string(&cfg).unwrap();
        let parsed =
            Config::parse(&after).unwrap_or_else(|e| panic!("invalid TOML written: {e}\n{after}"));
        assert_eq!(parsed.allow_phrases, vec!["obviously"]);
        assert_eq!(parsed.roster, vec!["Alice"], "the rest of the file is kept");
        assert!(after.starts_with("# team settings\n"), "{after}");
        let from = s.note_count();
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&cfg), "type": 2}]}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, &uri, Some(1)).await;
        assert!(diags.iter().all(|d| d["code"] != RULE), "{diags:?}");
        s.shutdown_and_exit().await;
    })
    .await;
}

#[tokio::test]
async fn garbage_input_never_kills_the_server() {
    limit(90, async {
        let mut s = Session::spawn();
        // Requests before initialize are refused, not crashed on.
        let r = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}})).await;
        assert_eq!(r["error"]["code"], -32002, "{r}");
        s.notify("textDocument/didOpen", json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 1, "text": "x"}})).await;

        let init = s.request("initialize", json!({"capabilities": caps(&["utf-16"]), "initializationOptions": settings(0)})).await;
        assert!(init["result"]["capabilities"].is_object());
        s.notify("initialized", json!({})).await;

        // Malformed JSON, a body that is not JSON-RPC, a header without Content-Length, bytes
        // that are not UTF-8: each gets an error response (id null) and the session goes on.
        s.send_raw(&frame("{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ")).await;
        s.send_raw(&frame("[1, 2, 3]")).await;
        s.send_raw(b"Content-Type: text/plain\r\n\r\n{}").await;
        s.send_raw(b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc").await;
        s.send_raw(&frame("{\"jsonrpc\": \"2.0\", \"id\": {\"no\": 1}, \"method\": \"x\"}")).await;
        // Unknown request and notification.
        let r = s.request("pmlint/doesNotExist", json!({})).await;
        assert_eq!(r["error"]["code"], -32601, "{r}");
        s.notify("$/unknownNotification", json!({"x": 1})).await;
        s.notify("custom/whatever", json!(null)).await;
        // Wrong params for a known request, and for known notifications.
        let r = s.request("textDocument/hover", json!({"nonsense": true})).await;
        assert_eq!(r["error"]["code"], -32602, "{r}");
        s.notify("textDocument/didChange", json!({"textDocument": 5})).await;
        s.notify("workspace/didChangeConfiguration", json!({"settings": {"pmlint": {"debounceMs": "soon", "rules": 3}}})).await;
        s.notify("workspace/didChangeConfiguration", json!({"settings": {"pmlint": {"debounceMs": 0}}})).await;
        // didChange and requests for a document that was never opened.
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": "untitled:never", "version": 3}, "contentChanges": [{"range": range(5, 5, 6, 6), "text": "x"}]}),
        )
        .await;
        let r = s.request("textDocument/hover", json!({"textDocument": {"uri": "untitled:never"}, "position": {"line": 0, "character": 0}})).await;
        assert_eq!(r["result"], Value::Null);
        let r = s.request("textDocument/codeAction", json!({"textDocument": {"uri": "untitled:never"}, "range": range(0, 0, 0, 0), "context": {"diagnostics": []}})).await;
        assert!(r.get("error").is_none(), "{r}");

        // Out-of-range positions clamp.
        s.open(URI, "markdown", 1, FIXTURE).await;
        let (_, _) = s.wait_diags(0, URI, Some(1)).await;
        let r = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 4000, "character": 99999}})).await;
        assert!(r.get("error").is_none(), "{r}");
        let r = s.request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": range(9, 9999, 4000, 1), "context": {"diagnostics": []}})).await;
        assert!(r.get("error").is_none(), "{r}");
        // Half of a surrogate pair (inside 🚀 on line 4), a range that ends before it starts,
        // and edits past the end of the text.
        let from = s.note_count();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"range": range(4, 10, 4, 10), "text": "X"},
                {"range": range(2, 9, 2, 0), "text": ""},
                {"range": range(100, 0, 200, 5), "text": "\nClearly, it was late.\n"},
            ]}),
        )
        .await;
        let (_, diags) = s.wait_diags(from, URI, Some(2)).await;
        assert!(diags.iter().any(|d| d["range"]["start"]["line"] == 6), "the appended line is linted: {diags:?}");

        // The malformed messages were answered with errors carrying id null. (The first is a
        // parse error; tower-lsp-server answers a second concurrent request with the same id,
        // null, with "invalid request", which is still an error response.)
        let stray = s.stray.lock().unwrap().clone();
        assert_eq!(stray.len(), 5, "{stray:?}");
        assert_eq!(stray[0]["error"]["code"], -32700, "{stray:?}");
        assert!(stray.iter().all(|m| m["id"].is_null() && [-32700, -32600].contains(&m["error"]["code"].as_i64().unwrap())), "{stray:?}");

        // Still fully working.
        let h = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 4, "character": 31}})).await;
        assert!(h["result"]["contents"]["value"].as_str().is_some_and(|v| v.contains(RULE)), "{h}");
        assert_eq!(s.shutdown_and_exit().await, ExitCode::SUCCESS);
    })
    .await;
}

#[tokio::test]
async fn big_documents_do_not_block_other_requests() {
    limit(120, async {
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        // About 1 MB: long log excerpts in fenced code (which the linter skips cheaply: the
        // core's own speed is not what this test is about) and a finding after each.
        let mut big = String::from("# Timeline\n\n");
        for chunk in 0..10 {
            big.push_str("```text\n");
            for i in 0..2_400 {
                big.push_str(&format!("{:02}:{:02} UTC p99 latency on node {} was {} ms\n", i / 60 % 24, i % 60, (i + chunk) % 97, i % 1000));
            }
            big.push_str("```\n\nThe café 🚀 team said it was obviously a mistake.\n\n");
        }
        let big_uri = "untitled:big.md";
        s.open(big_uri, "markdown", 1, &big).await;
        // A request right behind the big document is answered (the lint runs off the loop).
        s.open(URI, "markdown", 1, FIXTURE).await;
        let h = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 2, "character": 3}})).await;
        assert!(h["result"]["contents"]["value"].as_str().is_some_and(|v| v.contains(RULE)), "{h}");
        let (_, diags) = s.wait_diags(0, big_uri, Some(1)).await;
        assert_eq!(diags.len(), big.matches("obviously").count());
        // An incremental edit at the very end of the big document.
        let last_line = LineIndex::new(&big).line_count() as u64 - 1;
        let from = s.note_count();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": big_uri, "version": 2}, "contentChanges": [{"range": range(last_line, 0, last_line, 0), "text": "Clearly, it was late."}]}),
        )
        .await;
        let (_, diags2) = s.wait_diags(from, big_uri, Some(2)).await;
        assert_eq!(diags2.len(), diags.len() + 1);
        s.shutdown_and_exit().await;
    })
    .await;
}

#[tokio::test]
async fn exit_without_shutdown_and_end_of_input() {
    limit(30, async {
        let (s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        assert_eq!(s.exit().await, ExitCode::from(1));

        // After shutdown, requests are refused; exit then ends the session with 0.
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        let r = s.request("shutdown", Value::Null).await;
        assert_eq!(r["result"], Value::Null);
        let r = s
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
            )
            .await;
        assert_eq!(r["error"]["code"], -32600, "{r}");
        assert_eq!(s.exit().await, ExitCode::SUCCESS);
    })
    .await;
}

#[tokio::test]
async fn code_actions_without_data_stale_data_and_empty_context() {
    limit(60, async {
        let (mut s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        s.open(URI, "markdown", 1, FIXTURE).await;
        let (_, diags) = s.wait_diags(0, URI, Some(1)).await;
        let d2 = on_line(&diags, 2)[0].clone();

        // A client without dataSupport sends the diagnostic back without `data`: looked up.
        let mut bare = d2.clone();
        bare.as_object_mut().unwrap().remove("data");
        let actions = code_actions(&mut s, URI, &bare).await;
        assert!(actions.iter().any(|a| a["isPreferred"] == true), "{actions:?}");

        // No diagnostics in the context: the findings under the range.
        let r = s
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": URI}, "range": range(4, 30, 4, 30), "context": {"diagnostics": []}}),
            )
            .await;
        let titles: Vec<String> =
            r["result"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect();
        assert!(titles.contains(&"Disable hindsight-obvious for this line".to_string()), "{titles:?}");
        assert!(titles.contains(&"Remove the hindsight adverb".to_string()), "{titles:?}");

        // `only` without quickfix: nothing.
        let r = s
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": URI}, "range": d2["range"], "context": {"diagnostics": [d2], "only": ["refactor"]}}),
            )
            .await;
        assert_eq!(r["result"], json!([]));

        // After an edit, a diagnostic from version 1 no longer yields edits for version 2.
        let from = s.note_count();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"range": range(0, 0, 0, 0), "text": "\n"}]}),
        )
        .await;
        let actions = code_actions(&mut s, URI, &d2).await;
        assert!(actions.is_empty(), "stale: {actions:?}");
        // Hover right after the edit answers for the new text (line numbers moved by one).
        let h = s.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 2}})).await;
        assert!(h["result"]["contents"]["value"].as_str().is_some_and(|v| v.contains(RULE)), "{h}");
        assert_eq!(h["result"]["range"], range(3, 0, 3, 9));
        let (_, diags) = s.wait_diags(from, URI, Some(2)).await;
        assert_eq!(on_line(&diags, 3).len(), 1);
        s.shutdown_and_exit().await;
    })
    .await;
}

#[tokio::test]
async fn multi_root_folders_use_their_own_config() {
    limit(60, async {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        for d in [&a, &b] {
            std::fs::create_dir_all(d.join(".git")).unwrap();
            std::fs::write(d.join("pm.md"), FIXTURE).unwrap();
        }
        std::fs::write(a.join("pmlint.toml"), "[rules]\nhindsight-obvious = \"off\"\n").unwrap();
        std::fs::write(b.join(".pmlint.toml"), "[rules]\nhindsight-obvious = \"error\"\n").unwrap();
        let mut s = Session::spawn();
        let init = s
            .request(
                "initialize",
                json!({
                    "capabilities": caps(&["utf-16"]),
                    "initializationOptions": settings(0),
                    "workspaceFolders": [{"uri": file_uri(&a), "name": "a"}, {"uri": file_uri(&b), "name": "b"}],
                }),
            )
            .await;
        assert!(init["result"].is_object());
        s.notify("initialized", json!({})).await;
        let (ua, ub) = (file_uri(&a.join("pm.md")), file_uri(&b.join("pm.md")));
        s.open(&ua, "markdown", 1, FIXTURE).await;
        s.open(&ub, "markdown", 1, FIXTURE).await;
        let (_, da) = s.wait_diags(0, &ua, Some(1)).await;
        let (_, db) = s.wait_diags(0, &ub, Some(1)).await;
        assert!(da.iter().all(|d| d["code"] != RULE), "{da:?}");
        let sev: Vec<&Value> = db.iter().filter(|d| d["code"] == RULE).map(|d| &d["severity"]).collect();
        assert_eq!(sev, [&json!(1), &json!(1)], "{db:?}");
        s.shutdown_and_exit().await;
    })
    .await;
}

/// Large Markdown documents are re-linted section by section; after every kind of edit
/// (inside a section, a new heading, a fence that swallows later sections and its closing) the
/// published diagnostics must equal a whole-document lint of the new text.
#[tokio::test]
async fn large_documents_relint_incrementally_and_exactly() {
    limit(120, async {
        let (s, _) = Session::start(caps(&["utf-16"]), settings(0), None).await;
        let mut text = String::new();
        for i in 0..800 {
            text.push_str(&format!(
                "## Section {i}\n\nAt 09:{:02} UTC latency rose on node {i}. The café 🚀 team rolled back.\n\n",
                i % 60
            ));
            if i % 80 == 7 {
                text.push_str("Obviously, the deploy broke the cache.\n\n```sh\nkubectl rollout undo\n```\n\n");
            }
        }
        assert!(text.len() > 64 * 1024);
        let uri = "untitled:large.md";
        s.open(uri, "markdown", 1, &text).await;
        let (_, diags) = s.wait_diags(0, uri, Some(1)).await;
        assert_eq!(got(&diags), expected(&text));
        let mut version = 1;
        let edits: Vec<(&str, &str)> = vec![
            ("rolled back.\n\n## Section 3\n", "rolled back. Bob forgot the flag.\n\n## Section 3\n"),
            ("## Section 100\n", "## Section 100\n\nClearly, it was a disaster.\n\n# New top\n\n"),
            ("## Section 200\n", "```\n## Section 200\n"),
            ("## Section 300\n", "```\n## Section 300\n"),
            ("Obviously, the deploy", "The deploy"),
            ("```\n## Section 200\n", "## Section 200\n"),
        ];
        for (from, to) in edits {
            let at = text.find(from).unwrap_or_else(|| panic!("{from:?} not in the text"));
            let idx = LineIndex::new(&text);
            let a = idx.line_col(&text, at, Encoding::Utf16);
            let b = idx.line_col(&text, at + from.len(), Encoding::Utf16);
            text.replace_range(at..at + from.len(), to);
            version += 1;
            let n = s.note_count();
            s.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
                    {"range": range(a.line as u64, a.col as u64, b.line as u64, b.col as u64), "text": to}
                ]}),
            )
            .await;
            let (_, diags) = s.wait_diags(n, uri, Some(version)).await;
            assert_eq!(got(&diags), expected(&text), "after replacing {from:?} with {to:?}");
        }
        s.shutdown_and_exit().await;
    })
    .await;
}
