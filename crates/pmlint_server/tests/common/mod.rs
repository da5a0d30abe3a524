//! A small LSP client for the protocol tests: real JSON-RPC framing over an in-memory duplex
//! stream to [`pmlint_server::serve`], with every wait bounded by a timeout.
#![allow(dead_code)]

use pmlint_core::{Encoding, LineCol, LineIndex};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

pub const STEP: Duration = Duration::from_secs(20);

pub const FIXTURE: &str = "# Incident 42\n\nObviously, the deploy broke the cache.\n\nThe café 🚀 team said it was obviously a mistake.\n";

type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

pub struct Session {
    writer: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    next_id: i64,
    pending: Pending,
    /// Every notification from the server, in arrival order.
    pub notes: Arc<Mutex<Vec<Value>>>,
    /// Every request from the server, in arrival order.
    pub server_requests: Arc<Mutex<Vec<Value>>>,
    /// The raw bodies of every message from the server, in arrival order.
    pub raw: Arc<Mutex<Vec<String>>>,
    /// Responses with an id we did not send (e.g. errors for malformed input, id null).
    pub stray: Arc<Mutex<Vec<Value>>>,
    /// What the client answers to `workspace/configuration`.
    pub settings: Arc<Mutex<Value>>,
    wake: Arc<Notify>,
    pub server: Option<JoinHandle<ExitCode>>,
    reader: JoinHandle<()>,
}

pub fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

async fn read_message(
    r: &mut ReadHalf<DuplexStream>,
    buf: &mut Vec<u8>,
) -> Option<(Value, String)> {
    loop {
        if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let header = std::str::from_utf8(&buf[..h]).expect("ascii header");
            let len: usize = header
                .split("\r\n")
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .expect("Content-Length")
                .parse()
                .expect("number");
            if buf.len() >= h + 4 + len {
                let body = &buf[h + 4..h + 4 + len];
                let v: Value = serde_json::from_slice(body).expect("server sent invalid JSON");
                let raw = String::from_utf8(body.to_vec()).expect("server sent invalid UTF-8");
                buf.drain(..h + 4 + len);
                return Some((v, raw));
            }
        }
        let mut chunk = [0u8; 65536];
        let n = r.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

impl Session {
    /// Starts a server and a client reader; does not initialise.
    pub fn spawn() -> Session {
        let (client_io, server_io) = tokio::io::duplex(1 << 16);
        let (sr, sw) = tokio::io::split(server_io);
        let server = tokio::spawn(pmlint_server::serve(sr, sw));
        let (mut cr, cw) = tokio::io::split(client_io);
        let writer = Arc::new(tokio::sync::Mutex::new(cw));
        let pending: Pending = Arc::default();
        let notes: Arc<Mutex<Vec<Value>>> = Arc::default();
        let server_requests: Arc<Mutex<Vec<Value>>> = Arc::default();
        let stray: Arc<Mutex<Vec<Value>>> = Arc::default();
        let raw: Arc<Mutex<Vec<String>>> = Arc::default();
        let settings = Arc::new(Mutex::new(json!({})));
        let wake = Arc::new(Notify::new());
        let reader = {
            let (writer, pending, notes, server_requests, stray, settings, wake, raw) = (
                writer.clone(),
                pending.clone(),
                notes.clone(),
                server_requests.clone(),
                stray.clone(),
                settings.clone(),
                wake.clone(),
                raw.clone(),
            );
            tokio::spawn(async move {
                let mut buf = Vec::new();
                while let Some((msg, body)) = read_message(&mut cr, &mut buf).await {
                    raw.lock().unwrap().push(body);
                    let method = msg.get("method").and_then(Value::as_str).map(str::to_owned);
                    match (method, msg.get("id").cloned()) {
                        (Some(method), Some(id)) => {
                            server_requests.lock().unwrap().push(msg.clone());
                            let result = match method.as_str() {
                                "workspace/configuration" => {
                                    let s = settings.lock().unwrap().clone();
                                    let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                                    Value::Array(vec![s; n])
                                }
                                _ => Value::Null,
                            };
                            let body =
                                json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string();
                            let _ = writer.lock().await.write_all(&frame(&body)).await;
                        }
                        (Some(_), None) => notes.lock().unwrap().push(msg),
                        (None, Some(id)) => {
                            let tx = id.as_i64().and_then(|i| pending.lock().unwrap().remove(&i));
                            match tx {
                                Some(tx) => {
                                    let _ = tx.send(msg);
                                }
                                None => stray.lock().unwrap().push(msg),
                            }
                        }
                        (None, None) => {
                            panic!("server sent a message without method and id: {msg}")
                        }
                    }
                    wake.notify_waiters();
                }
                wake.notify_waiters();
            })
        };
        Session {
            writer,
            next_id: 1,
            pending,
            notes,
            server_requests,
            raw,
            stray,
            settings,
            wake,
            server: Some(server),
            reader,
        }
    }

    /// Starts a server and runs `initialize` + `initialized` with the given client capabilities
    /// and initialization options. Returns the session and the initialize result.
    pub async fn start(
        capabilities: Value,
        init_options: Value,
        folder: Option<&std::path::Path>,
    ) -> (Session, Value) {
        let mut s = Session::spawn();
        let mut params = json!({
            "processId": null,
            "capabilities": capabilities,
            "initializationOptions": init_options,
        });
        if let Some(dir) = folder {
            let uri = file_uri(dir);
            params["rootUri"] = json!(uri);
            params["workspaceFolders"] = json!([{"uri": uri, "name": "ws"}]);
        }
        let init = s.request("initialize", params).await;
        let result = init
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("initialize failed: {init}"));
        s.notify("initialized", json!({})).await;
        (s, result)
    }

    pub async fn send_raw(&self, bytes: &[u8]) {
        self.writer
            .lock()
            .await
            .write_all(bytes)
            .await
            .expect("server input closed");
    }

    pub async fn notify(&self, method: &str, params: Value) {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string();
        self.send_raw(&frame(&body)).await;
    }

    /// Sends a request and waits (bounded) for the whole response message.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let body =
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        self.send_raw(&frame(&body)).await;
        match tokio::time::timeout(STEP, rx).await {
            Ok(Ok(v)) => v,
            Ok(Err(_)) => panic!("connection closed while waiting for the {method} response"),
            Err(_) => panic!("timed out waiting for the {method} response"),
        }
    }

    /// Waits until a notification at index >= `from` satisfies `pred`; returns (index, message).
    pub async fn wait_note(
        &self,
        from: usize,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> (usize, Value) {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let notified = self.wake.notified();
            {
                let notes = self.notes.lock().unwrap();
                if let Some((i, v)) = notes.iter().enumerate().skip(from).find(|(_, v)| pred(v)) {
                    return (i, v.clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let notes = self.notes.lock().unwrap();
                let tail: Vec<String> = notes
                    .iter()
                    .skip(from)
                    .map(|v| v.to_string().chars().take(400).collect())
                    .collect();
                panic!(
                    "timed out waiting for {what}; notifications since #{from}:\n{}",
                    tail.join("\n")
                );
            }
        }
    }

    /// Waits for `publishDiagnostics` for `uri` (with `version`, if given) at index >= `from`.
    pub async fn wait_diags(
        &self,
        from: usize,
        uri: &str,
        version: Option<i64>,
    ) -> (usize, Vec<Value>) {
        let what = format!("publishDiagnostics for {uri} version {version:?}");
        let (i, v) = self
            .wait_note(from, &what, |n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == uri
                    && version.is_none_or(|ver| n["params"]["version"] == ver)
            })
            .await;
        (
            i,
            v["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// Waits until the server has sent a request with `method`; returns it.
    pub async fn wait_request(&self, method: &str) -> Value {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let notified = self.wake.notified();
            if let Some(r) = self
                .server_requests
                .lock()
                .unwrap()
                .iter()
                .find(|r| r["method"] == method)
            {
                return r.clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("timed out waiting for the server to send {method}");
            }
        }
    }

    pub fn note_count(&self) -> usize {
        self.notes.lock().unwrap().len()
    }

    /// Every `publishDiagnostics` for `uri` so far: (version, diagnostics).
    pub fn published(&self, uri: &str) -> Vec<(Option<i64>, Vec<Value>)> {
        self.notes
            .lock()
            .unwrap()
            .iter()
            .filter(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            })
            .map(|n| {
                (
                    n["params"]["version"].as_i64(),
                    n["params"]["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    pub async fn open(&self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        )
        .await;
    }

    /// `shutdown` then `exit`; returns the server's exit code.
    pub async fn shutdown_and_exit(mut self) -> ExitCode {
        let r = self.request("shutdown", Value::Null).await;
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.exit().await
    }

    pub async fn exit(mut self) -> ExitCode {
        self.notify("exit", Value::Null).await;
        let server = self.server.take().unwrap();
        let code = tokio::time::timeout(STEP, server)
            .await
            .expect("server did not stop after exit")
            .expect("server task panicked");
        self.reader.abort();
        code
    }
}

pub fn file_uri(p: &std::path::Path) -> String {
    let s = p.to_str().expect("utf-8 path");
    let mut out = String::from("file://");
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn caps(encodings: &[&str]) -> Value {
    json!({
        "general": { "positionEncodings": encodings },
        "textDocument": {
            "synchronization": { "didSave": true },
            "publishDiagnostics": { "versionSupport": true, "dataSupport": true, "codeDescriptionSupport": true },
            "codeAction": {
                "isPreferredSupport": true,
                "dataSupport": true,
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["", "quickfix"] } }
            },
            "hover": { "contentFormat": ["markdown", "plaintext"] }
        },
        "workspace": {
            "configuration": true,
            "workspaceFolders": true,
            "applyEdit": true,
            "didChangeConfiguration": { "dynamicRegistration": false },
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] }
        }
    })
}

pub fn enc_of(name: &str) -> Encoding {
    match name {
        "utf-8" => Encoding::Utf8,
        "utf-32" => Encoding::Scalar,
        _ => Encoding::Utf16,
    }
}

fn offset_of(text: &str, pos: &Value, enc: Encoding) -> usize {
    let idx = LineIndex::new(text);
    let lc = LineCol {
        line: pos["line"].as_u64().unwrap() as u32,
        col: pos["character"].as_u64().unwrap() as u32,
    };
    idx.offset(text, lc, enc)
}

/// Applies LSP `TextEdit`s (all against the same original text) like a client does.
pub fn apply_text_edits(text: &str, edits: &[Value], enc: Encoding) -> String {
    let mut resolved: Vec<(usize, usize, usize, String)> = edits
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let a = offset_of(text, &e["range"]["start"], enc);
            let b = offset_of(text, &e["range"]["end"], enc);
            assert!(a <= b, "edit range ends before it starts: {e}");
            (a, b, i, e["newText"].as_str().unwrap().to_owned())
        })
        .collect();
    resolved.sort_by_key(|r| (r.0, r.2));
    for w in resolved.windows(2) {
        assert!(w[1].0 >= w[0].1, "overlapping edits: {edits:?}");
    }
    let mut out = text.to_owned();
    for (a, b, _, t) in resolved.into_iter().rev() {
        out.replace_range(a..b, &t);
    }
    out
}

/// The text edits a `WorkspaceEdit` makes to `uri` (asserting it makes no other change).
pub fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    if let Some(dc) = edit["documentChanges"].as_array() {
        let mut out = Vec::new();
        for c in dc {
            assert!(
                c.get("kind").is_none(),
                "unexpected resource operation: {c}"
            );
            assert_eq!(
                c["textDocument"]["uri"], uri,
                "edit for another document: {c}"
            );
            out.extend(c["edits"].as_array().unwrap().iter().cloned());
        }
        out
    } else {
        let ch = edit["changes"].as_object().expect("changes");
        assert_eq!(ch.len(), 1);
        ch[uri].as_array().unwrap().clone()
    }
}

/// The UTF-16 column of byte offset `i` in `line` (computed independently of the server).
pub fn utf16_col(line: &str, i: usize) -> u64 {
    line[..i].encode_utf16().count() as u64
}

pub fn range(l0: u64, c0: u64, l1: u64, c1: u64) -> Value {
    json!({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}})
}

/// Runs an async test body under a hard time limit.
pub async fn limit<F: std::future::Future<Output = T>, T>(secs: u64, f: F) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test exceeded its time limit")
}
