//! Latency and memory benchmark of the language server, over real stdio pipes.
//!
//! ```text
//! cargo bench -p pmlint_server --bench lsp_latency
//! ```
//!
//! The benchmark starts itself a second time with `--serve` (that process is nothing but
//! [`pmlint_server::run_stdio`]) and drives it as an editor would, with `debounceMs: 0` so the
//! debounce delay is excluded:
//!
//! - **latency**: one incremental `didChange` at a time (insert or delete a character in the
//!   middle of the document) and the time until the `publishDiagnostics` for that version
//!   arrives. Two figures per document: *server* is measured inside the server, from the moment
//!   its `didChange` handler runs to the moment the notification is handed to the writer
//!   (`PMLINT_LSP_TIMING`); *round trip* is measured here and adds pipe transfer and JSON on
//!   both sides. For reference, *core lint* is `Linter::lint` alone on the same text, in this
//!   process: what is left of *server* is the server's own overhead.
//! - **idle RSS**: `VmRSS` of the server process from `/proc/PID/status`, one second after it
//!   published the diagnostics of one open 50 KB document.
//!
//! Documents are generated deterministically (a seeded LCG over realistic postmortem sentences:
//! mostly neutral narrative, some innocent trigger words, a few blameful sentences, tables and
//! code), so every run measures the same bytes.
//!
//! Environment: `PMLINT_BENCH_SMALL_ITERS` (default 41), `PMLINT_BENCH_BIG_ITERS` (default 5),
//! `PMLINT_BENCH_BIG_BYTES` (default 5,000,000).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(600);

// ------------------------------------------------------------------ documents

/// A Markdown postmortem of about `size` bytes: the core benchmark's generator, so both
/// benchmarks measure the same kind of text.
fn postmortem(size: usize) -> String {
    pmlint_core::corpus::postmortem_corpus(size, 42)
}

// ------------------------------------------------------------------ client

struct Client {
    child: Child,
    stdin: ChildStdin,
    msgs: Receiver<Value>,
    timings: Receiver<(i64, u64, u64)>,
}

impl Client {
    fn start() -> Client {
        let exe = std::env::current_exe().expect("current exe");
        let mut child = Command::new(exe)
            .arg("--serve")
            .env("PMLINT_LSP_TIMING", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, msgs) = channel();
        std::thread::spawn(move || loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    len = v.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; len.expect("Content-Length")];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            let v: Value = serde_json::from_slice(&body).expect("JSON from the server");
            if tx.send(v).is_err() {
                return;
            }
        });
        let (ttx, timings) = channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                // "[pmlint lsp] timing version=V us=U lint_us=L"
                let Some(rest) = line.split("timing ").nth(1) else {
                    continue;
                };
                let field = |name: &str| {
                    rest.split(' ')
                        .find_map(|kv| kv.strip_prefix(name))
                        .and_then(|v| v.trim().parse::<u64>().ok())
                };
                if let (Some(v), Some(us), Some(lint)) =
                    (field("version="), field("us="), field("lint_us="))
                {
                    let _ = ttx.send((v as i64, us, lint));
                }
            }
        });
        Client {
            child,
            stdin,
            msgs,
            timings,
        }
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id && m.get("method").is_none())
    }

    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .msgs
                .recv_timeout(left)
                .expect("the server stopped answering");
            if let (Some(_), Some(id)) = (m.get("method"), m.get("id")) {
                // A request from the server (registerCapability, ...): answer it.
                let id = id.clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                continue;
            }
            if pred(&m) {
                return m;
            }
        }
    }

    fn wait_diags(&mut self, uri: &str, version: i64) -> usize {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"].as_array().map_or(0, Vec::len)
    }

    /// The server's own figures for `version` in µs: (didChange → publish, time in the linter).
    fn server_timing(&self, version: i64) -> Option<(u64, u64)> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Ok((v, us, lint)) = self
            .timings
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if v == version {
                return Some((us, lint));
            }
        }
        None
    }

    fn rss_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    if xs.is_empty() {
        return f64::NAN;
    }
    xs[xs.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Row {
    name: String,
    bytes: usize,
    findings: usize,
    core_ms: f64,
    server_ms: f64,
    overhead_ms: f64,
    round_trip_ms: f64,
    open_ms: f64,
    iters: usize,
}

/// Opens `text`, then edits it `iters` times (insert / delete one character in its middle).
fn measure(c: &mut Client, uri: &str, text: &str, iters: usize) -> (usize, f64, f64, f64, f64) {
    let t = Instant::now();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let findings = c.wait_diags(uri, 1);
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    let line = text.lines().count() / 2;
    let (mut server, mut overhead, mut round) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..iters {
        let version = i as i64 + 2;
        let change = if i % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 1}}, "text": ""})
        };
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        c.wait_diags(uri, version);
        round.push(t.elapsed().as_secs_f64() * 1e3);
        if let Some((us, lint)) = c.server_timing(version) {
            server.push(us as f64 / 1e3);
            overhead.push(us.saturating_sub(lint) as f64 / 1e3);
        }
    }
    (
        findings,
        median(&mut server),
        median(&mut overhead),
        median(&mut round),
        open_ms,
    )
}

fn core_lint_ms(text: &str, runs: usize) -> f64 {
    let linter = pmlint_core::Linter::with_defaults();
    let mut xs: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(linter.lint(
                std::hint::black_box(text),
                pmlint_core::DocumentKind::Markdown,
            ));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(&mut xs)
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--serve") {
        return pmlint_server::run_stdio();
    }
    let small_iters = env_usize("PMLINT_BENCH_SMALL_ITERS", 41);
    let big_iters = env_usize("PMLINT_BENCH_BIG_ITERS", 5);
    let big_bytes = env_usize("PMLINT_BENCH_BIG_BYTES", 5_000_000);
    let small = postmortem(50_000);
    let big = postmortem(big_bytes);

    let mut c = Client::start();
    let caps =
        json!({"general": {"positionEncodings": ["utf-16"]}, "workspace": {"configuration": true}});
    let init = c.request(1, "initialize", json!({"processId": null, "capabilities": caps, "initializationOptions": {"debounceMs": 0}}));
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    c.notify("initialized", json!({}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"pmlint": {"debounceMs": 0}}}),
    );

    let mut rows = Vec::new();
    let (findings, server_ms, overhead_ms, round_trip_ms, open_ms) =
        measure(&mut c, "untitled:small.md", &small, small_iters);
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss = c.rss_kib("VmRSS:");
    rows.push(Row {
        name: "50 KB postmortem".into(),
        bytes: small.len(),
        findings,
        core_ms: core_lint_ms(&small, 21),
        server_ms,
        overhead_ms,
        round_trip_ms,
        open_ms,
        iters: small_iters,
    });

    let (findings, server_ms, overhead_ms, round_trip_ms, open_ms) =
        measure(&mut c, "untitled:big.md", &big, big_iters);
    let big_rss = c.rss_kib("VmRSS:");
    let peak = c.rss_kib("VmHWM:");
    rows.push(Row {
        name: format!("{:.1} MB document", big.len() as f64 / 1e6),
        bytes: big.len(),
        findings,
        core_ms: core_lint_ms(&big, 3),
        server_ms,
        overhead_ms,
        round_trip_ms,
        open_ms,
        iters: big_iters,
    });

    let r = c.request(2, "shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    c.notify("exit", Value::Null);
    let status = c.child.wait().expect("server exit");

    println!("pmlint LSP latency (didChange -> publishDiagnostics, debounceMs 0, medians)");
    println!(
        "{:<18} {:>9} {:>8} {:>6} {:>12} {:>12} {:>14} {:>10}",
        "document", "bytes", "findings", "iters", "core lint", "server", "round trip", "open"
    );
    for r in &rows {
        println!(
            "{:<18} {:>9} {:>8} {:>6} {:>9.2} ms {:>9.2} ms {:>11.2} ms {:>7.0} ms",
            r.name,
            r.bytes,
            r.findings,
            r.iters,
            r.core_ms,
            r.server_ms,
            r.round_trip_ms,
            r.open_ms
        );
    }
    for r in &rows {
        println!(
            "{}: server time outside Linter::lint (edit, line index, conversion, JSON, write) = {:.2} ms (median)",
            r.name, r.overhead_ms
        );
    }
    let kib = |v: Option<u64>| {
        v.map_or("n/a".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    println!(
        "server RSS, idle with one open 50 KB document: {}",
        kib(idle_rss)
    );
    println!(
        "server RSS after the big document: {} (peak {})",
        kib(big_rss),
        kib(peak)
    );
    println!("server exit status: {status}");
    ExitCode::SUCCESS
}
