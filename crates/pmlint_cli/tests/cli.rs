//! CLI behaviour as data: every `tests/cli/cases/*.toml` is run by trycmd against the `pmlint`
//! binary (exact bytes: every case sets `binary = true`). The checks a snapshot cannot express —
//! schema validation, exact bytes after a fix, failure while writing, determinism under
//! parallelism, colour on a terminal — are the tests below.

#![allow(clippy::print_stderr)] // tests say on stderr when a part is skipped

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_pmlint");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cases() -> PathBuf {
    repo().join("tests/cli/cases")
}

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .default_bin_name("pmlint")
        .env("NO_COLOR", "1")
        .case(cases().join("*.toml"));
}

/// Runs pmlint in `dir` with `args` (stdin closed, NO_COLOR set).
fn pmlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run pmlint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

/// Copies a fixture directory into a fresh temporary directory.
fn sandbox(fixture: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&cases().join(fixture), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn load_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_valid(schema: &serde_json::Value, instance: &serde_json::Value, what: &str) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

/// Fixture directories and arguments whose output the schema tests validate: plain findings,
/// errors of every kind, tricky characters, a BOM, user rules.
const SCHEMA_RUNS: &[(&str, &[&str])] = &[
    ("postmortems.in", &["."]),
    ("errors.in", &[".", "does-not-exist.md"]),
    ("rendering.in", &["."]),
    ("fix-safe.in", &["."]),
    ("custom.in", &["."]),
];

#[test]
fn sarif_output_validates_against_the_official_sarif_2_1_0_schema() {
    let schema = load_json(&repo().join("tests/cli/schemas/sarif-schema-2.1.0.json"));
    for (fixture, paths) in SCHEMA_RUNS {
        let mut args = vec!["check", "--format", "sarif"];
        args.extend_from_slice(paths);
        let out = pmlint(&cases().join(fixture), &args);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
        assert_valid(&schema, &log, &format!("SARIF for {fixture}"));
        // The validator is not vacuous: a level SARIF does not define is rejected.
        let mut bad = log.clone();
        bad["runs"][0]["columnKind"] = "bytes".into();
        let validator = jsonschema::options().build(&schema).unwrap();
        assert!(
            !validator.is_valid(&bad),
            "an invalid columnKind must not validate"
        );
        let run = &log["runs"][0];
        assert_eq!(
            run["columnKind"], "unicodeCodePoints",
            "columns are declared as code points"
        );
        // Every result names a rule described in tool.driver.rules, at the index it gives.
        for r in run["results"].as_array().unwrap() {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(run["tool"]["driver"]["rules"][i]["id"], r["ruleId"]);
        }
    }
}

#[test]
fn sarif_columns_count_code_points_and_agree_with_json() {
    let dir = cases().join("rendering.in");
    let sarif: serde_json::Value =
        serde_json::from_slice(&pmlint(&dir, &["check", "--format", "sarif"]).stdout).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&pmlint(&dir, &["check", "--format", "json"]).stdout).unwrap();
    let text = std::fs::read_to_string(dir.join("render.md")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], f["start"]["line"]);
        assert_eq!(region["startColumn"], f["start"]["column"]);
        assert_eq!(region["endColumn"], f["end"]["column"]);
        // Recompute the column independently: code points before the offset on its line.
        let start = f["byte_offsets"]["start"].as_u64().unwrap() as usize;
        let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let col = text[line_start..start].chars().count() + 1;
        assert_eq!(
            f["start"]["column"].as_u64().unwrap() as usize,
            col,
            "column of {f}"
        );
        assert_eq!(
            region["snippet"]["text"].as_str().unwrap(),
            &text[start..f["byte_offsets"]["end"].as_u64().unwrap() as usize]
        );
    }
    // On the emoji line code points and UTF-16 differ: 🚀 is one code point but two UTF-16 code
    // units, so SARIF's default (UTF-16) would say 16 where pmlint says 15 with columnKind set.
    let emoji = findings.iter().find(|f| f["start"]["line"] == 5).unwrap();
    assert_eq!(emoji["start"]["column"], 15);
}

#[test]
fn json_output_validates_against_the_documented_schema() {
    let schema = load_json(&repo().join("docs/pmlint-output.schema.json"));
    for (fixture, paths) in SCHEMA_RUNS {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(paths);
        let out = pmlint(&cases().join(fixture), &args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_valid(&schema, &v, &format!("JSON for {fixture}"));
    }
    // The BOM counts in byte offsets but not in columns.
    let v: serde_json::Value = serde_json::from_slice(
        &pmlint(
            &cases().join("fix-safe.in"),
            &["check", "--format", "json", "crlf-bom.md"],
        )
        .stdout,
    )
    .unwrap();
    let bytes = std::fs::read(cases().join("fix-safe.in/crlf-bom.md")).unwrap();
    let f = &v["findings"][0];
    let (s, e) = (
        f["byte_offsets"]["start"].as_u64().unwrap() as usize,
        f["byte_offsets"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&bytes[s..e], b"Obviously");
    assert_eq!(
        (f["start"]["line"].as_u64(), f["start"]["column"].as_u64()),
        (Some(3), Some(1))
    );
}

#[test]
fn fix_keeps_bom_and_crlf_byte_for_byte_and_a_second_run_changes_nothing() {
    let tmp = sandbox("fix-safe.in");
    let dir = tmp.path();
    let out = pmlint(dir, &["check", "--fix", "--format", "compact"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the unsafe finding remains: {}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.join("crlf-bom.md")).unwrap(),
        b"\xef\xbb\xbf# Outage\r\n\r\nThe deploy broke the cache.\r\nBob forgot to renew the certificate.\r\n"
    );
    assert_eq!(
        std::fs::read(dir.join("plain.txt")).unwrap(),
        b"The alert was noisy.\nIn the end it was an oversight.\n"
    );
    assert_eq!(
        std::fs::read(dir.join("clean.md")).unwrap(),
        b"# Fine\n\nThe deploy broke the cache.\n"
    );
    let snapshot = |d: &Path| {
        let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let b = std::fs::read(&p).unwrap();
                (p, b)
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot(dir);
    let again = pmlint(dir, &["check", "--fix"]);
    assert_eq!(
        snapshot(dir),
        before,
        "a second --fix changes nothing and leaves no temporary file"
    );
    assert!(stdout(&again).ends_with("1 finding (1 warning) in 1 file; fixed 0 findings in 0 files; 1 more with --unsafe-fixes\n"), "{}", stdout(&again));

    // Unsafe fixes keep the bytes around them too.
    pmlint(dir, &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(
        std::fs::read(dir.join("crlf-bom.md")).unwrap(),
        b"\xef\xbb\xbf# Outage\r\n\r\nThe deploy broke the cache.\r\nThe engineer forgot to renew the certificate.\r\n"
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = sandbox("fix-safe.in");
    let p = tmp.path().join("plain.txt");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    pmlint(tmp.path(), &["check", "--fix", "plain.txt"]);
    assert_eq!(
        std::fs::read(&p).unwrap(),
        b"The alert was noisy.\nIn the end it was an oversight.\n"
    );
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

/// A read-only file is reported and left alone, even for root (who could replace it).
#[cfg(unix)]
#[test]
fn read_only_file_is_not_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = sandbox("fix-safe.in");
    let p = tmp.path().join("plain.txt");
    let before = std::fs::read(&p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = pmlint(
        tmp.path(),
        &[
            "check",
            "--fix",
            "--format",
            "compact",
            "plain.txt",
            "clean.md",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: plain.txt: file is read-only; fixes were not written\n"
    );
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o444
    );
    // Its findings are still reported, as they are in the file.
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

/// The fix is written to a temporary file next to the original and renamed over it. When the
/// temporary file cannot be created the original must be untouched. A read-only directory does
/// not stop root (and CI runs as root), so the temporary name is made impossible instead: the
/// document's name is so long that `.{name}.pmlint-{pid}-0.tmp` exceeds NAME_MAX (255 bytes).
#[test]
fn fix_that_cannot_create_its_temporary_file_leaves_the_original_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("{}.md", "p".repeat(245));
    let original = b"Obviously, the deploy broke the cache.\r\nThe rest is fine.\r\n";
    std::fs::write(tmp.path().join(&name), original).unwrap();
    std::fs::write(
        tmp.path().join("other.md"),
        "Clearly, the alert was noisy.\n",
    )
    .unwrap();
    let out = pmlint(tmp.path(), &["check", "--fix", "--format", "compact"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(tmp.path().join(&name)).unwrap(),
        original,
        "original untouched"
    );
    let err = stderr(&out);
    assert_eq!(
        err,
        format!("error: {name}: could not write fixes: File name too long; the file was left unchanged\n")
    );
    // The other file was still fixed, and the unfixed one is still reported.
    assert_eq!(
        std::fs::read(tmp.path().join("other.md")).unwrap(),
        b"The alert was noisy.\n"
    );
    assert_eq!(
        stdout(&out),
        format!("{name}:1:1: warning [hindsight-obvious] \"Obviously\" and \"clearly\" claim that the right action was plain to see, which is hindsight: it was not plain to the people at the time.\n")
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        2,
        "no temporary file left behind"
    );
}

/// Kills pmlint while it writes the fixed file (RLIMIT_FSIZE makes the kernel send SIGXFSZ
/// on the first write past 512 bytes): the original must be intact, because the data goes to a
/// temporary file that is only renamed over the original once complete.
#[cfg(unix)]
#[test]
fn interrupted_fix_never_truncates_the_original() {
    let tmp = tempfile::tempdir().unwrap();
    let mut original = String::from("# Outage\n\nObviously, the deploy broke the cache.\n\n");
    while original.len() < 16 * 1024 {
        original.push_str(
            "The cache tier served stale entries while the new build rolled out to every region.\n",
        );
    }
    let path = tmp.path().join("big.md");
    std::fs::write(&path, &original).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -f 1 && exec '{BIN}' check --fix big.md"))
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(25),
        "killed by SIGXFSZ in the middle of writing: {out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original,
        "original intact after the interrupted fix"
    );
    // What the kill interrupted was the temporary file: it is there, cut at the limit.
    let partial: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".big.md.pmlint-") && n.ends_with(".tmp"))
        .collect();
    assert_eq!(partial.len(), 1, "{partial:?}");
    // Cut at the file-size limit (512 bytes with dash's `ulimit -f 1`, 1024 with bash's).
    let cut = std::fs::metadata(tmp.path().join(&partial[0]))
        .unwrap()
        .len();
    assert!(
        cut > 0 && (cut as usize) < original.len(),
        "partial temporary file of {cut} bytes"
    );
}

/// A read-only directory, tested for real as an unprivileged user when the machine allows it
/// (root ignores directory permissions). Skips, saying so, where `setpriv` or `nobody` is missing.
#[cfg(unix)]
#[test]
fn read_only_directory_as_unprivileged_user() {
    use std::os::unix::fs::PermissionsExt;
    let probe = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot switch to uid 65534 with setpriv here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tmp.path().join("ro");
    std::fs::create_dir(&dir).unwrap();
    let doc = dir.join("doc.md");
    std::fs::write(&doc, "Obviously, the deploy broke the cache.\n").unwrap();
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // The binary must be reachable by `nobody`; skip if the build directory is private.
    let reachable = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "--version",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !reachable {
        eprintln!("skipped: {BIN} is not executable by uid 65534");
        return;
    }
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "check",
            "--fix",
            "--format",
            "compact",
            "doc.md",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: doc.md: could not write fixes: Permission denied; the file was left unchanged\n"
    );
    assert_eq!(
        std::fs::read(&doc).unwrap(),
        b"Obviously, the deploy broke the cache.\n"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file"
    );
}

#[test]
fn output_is_identical_whatever_the_number_of_workers() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..120 {
        let sub = tmp.path().join(format!("d{}", i % 7));
        std::fs::create_dir_all(&sub).unwrap();
        let body = match i % 3 {
            0 => "Obviously, the deploy broke the cache.\nBob forgot to renew the certificate.\n",
            1 => "# Fine\n\nThe deploy broke the cache.\n",
            _ => "It was a total disaster.\nClearly, the alert was noisy.\n",
        };
        std::fs::write(sub.join(format!("f{i:03}.md")), body).unwrap();
    }
    let one = pmlint(
        tmp.path(),
        &["check", "--no-config", "--format", "json", "-j", "1"],
    );
    for j in ["2", "4", "16"] {
        let many = pmlint(
            tmp.path(),
            &["check", "--no-config", "--format", "json", "-j", j],
        );
        assert_eq!(stdout(&one), stdout(&many), "-j {j}");
    }
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(v["summary"]["files_checked"], 120);
}

#[test]
fn explain_prints_the_engine_documentation_of_every_rule() {
    let (rules, errors) = pmlint_core::RuleSet::embedded();
    assert!(errors.is_empty());
    assert!(!rules.rules().is_empty());
    let dir = cases().join("postmortems.in");
    for r in rules.rules() {
        let out = pmlint(&dir, &["explain", &r.id]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stdout(&out), r.documentation(), "explain {}", r.id);
    }
}

#[test]
fn rules_json_lists_every_embedded_rule() {
    let (rules, _) = pmlint_core::RuleSet::embedded();
    let out = pmlint(
        &cases().join("postmortems.in"),
        &["rules", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut ids: Vec<&str> = rules.rules().iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    assert_eq!(listed, ids);
    for (entry, id) in v.as_array().unwrap().iter().zip(&ids) {
        let rule = rules.get(id).unwrap();
        assert_eq!(entry["severity"], rule.default_severity.as_str());
        assert_eq!(entry["family"], rule.family.as_str());
        let fix = pmlint_core::rule_fix_applicability(rule).map(|a| match a {
            pmlint_core::Applicability::Safe => "safe",
            pmlint_core::Applicability::Unsafe => "unsafe",
            pmlint_core::Applicability::DisplayOnly => "display-only",
        });
        assert_eq!(entry["fix"].as_str(), fix);
    }
}

#[test]
fn man_page_and_completions_come_from_the_clap_definition() {
    let dir = cases().join("postmortems.in");
    let man = stdout(&pmlint(&dir, &["man"]));
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq \\(aq") || man.contains(".TH pmlint"),
        "{man}"
    );
    assert!(man.contains(".TH pmlint 1"), "{man}");
    for sub in ["check", "rules", "explain", "completions", "lsp"] {
        assert!(man.contains(sub), "man page lists {sub}");
    }
    let check = stdout(&pmlint(&dir, &["man", "check"]));
    assert!(check.contains(".TH pmlint-check 1"));
    assert!(check.contains("stdin\\-filename"), "{check}");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = pmlint(&dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(
            stdout(&out).contains("stdin-filename"),
            "{shell} completion knows check's flags"
        );
    }
    let bad = pmlint(&dir, &["man", "chek"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        stderr(&bad),
        "error: unknown subcommand `chek` (did you mean `check`?)\n"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_without_no_color() {
    let dir = cases().join("postmortems.in");
    let piped = pmlint(&dir, &["check", "2024-03-cache-outage.md"]);
    assert!(!stdout(&piped).contains('\x1b'), "no colour when piped");
    let forced = pmlint(
        &dir,
        &["check", "--color", "always", "2024-03-cache-outage.md"],
    );
    assert!(stdout(&forced).contains("\x1b["), "--color always");
    // On a terminal: `script` gives pmlint a pseudo-terminal, where colour is on unless NO_COLOR.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped the terminal half: no `script` here");
        return;
    }
    let on_tty = |no_color: bool| {
        let mut c = Command::new("script");
        c.args([
            "-qec",
            &format!("'{BIN}' check 2024-03-cache-outage.md"),
            "/dev/null",
        ])
        .current_dir(&dir)
        .stdin(Stdio::null());
        c.env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };
    let tty = on_tty(false);
    assert!(tty.contains("warning"), "{tty}");
    assert!(tty.contains("\x1b["), "colour on a terminal");
    assert!(
        !on_tty(true).contains("\x1b["),
        "NO_COLOR wins on a terminal"
    );
}

#[test]
fn github_properties_escape_commas_colons_and_percent() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("a,b:c%d.md"),
        "Obviously, the deploy broke the cache.\n",
    )
    .unwrap();
    let out = pmlint(tmp.path(), &["check", "--no-config", "--format", "github"]);
    let s = stdout(&out);
    assert!(s.starts_with("::warning file=a%2Cb%3Ac%25d.md,line=1,col=1,endLine=1,endColumn=10,title=pmlint [hindsight-obvious]::\"Obviously\""), "{s}");
    assert!(s.contains("at the time.%0AWrite instead: "), "{s}");
    assert_eq!(s.lines().count(), 1);
}

#[test]
fn lsp_subcommand_hands_over_to_the_server() {
    // The server reads stdin until the client exits; with stdin closed it must return promptly.
    let mut child = Command::new(BIN)
        .arg("lsp")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.code().is_some(), "exits normally: {status:?}");
            return;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`pmlint lsp` did not exit after stdin closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
