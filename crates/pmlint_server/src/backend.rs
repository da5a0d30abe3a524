//! The language server proper: document store, lint scheduling, and the LSP handlers.
//!
//! Concurrency model. tower-lsp-server runs up to four handlers at once, each a future polled
//! in arrival order, so every handler does its state change synchronously (under a std mutex,
//! never held across an `.await`) before its first `.await`. Handlers never wait for long:
//! linting runs in spawned tasks, and the CPU work in `spawn_blocking`. Each document has a
//! revision number, bumped on every edit and every configuration change; a lint result is
//! published only if its revision is still the document's current one, and the check and the
//! send happen under one async publish lock, so diagnostics for an older version can never
//! follow diagnostics for a newer one.

use crate::actions;
use crate::lines::Lines;
use crate::resolve::{self, ConfigStore, FileError, Resolved};
use crate::settings::{self, Settings};
use crate::tomledit::{self, ListKey};
use pmlint_core::{
    Applicability, Diagnostic as Finding, DocumentKind, Encoding, LineCol, LineIndex, Severity,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tower_lsp_server::jsonrpc::{self, ErrorCode};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// How long the server waits for the client to answer one of its requests.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const SOURCE: &str = "pmlint";

#[derive(Clone)]
pub(crate) struct Backend {
    client: Client,
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend").finish_non_exhaustive()
    }
}

struct Inner {
    state: Mutex<State>,
    /// Serialises "is this result still current?" with the send that follows it.
    publish: tokio::sync::Mutex<()>,
    shutdown: Arc<AtomicBool>,
    next_rev: AtomicU64,
    /// Woken after every publish (requests that need the current lint wait on it).
    linted: tokio::sync::Notify,
    /// `PMLINT_LSP_TIMING`: report didChange→publish latency on stderr (for the benchmark).
    timing: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Caps {
    document_changes: bool,
    create_files: bool,
    watch_dynamic: bool,
    configuration: bool,
}

#[derive(Default)]
struct State {
    encoding: Option<Encoding>,
    caps: Caps,
    folders: Vec<PathBuf>,
    settings: Settings,
    /// Settings came with `initializationOptions` (no need to pull them).
    have_settings: bool,
    /// Settings problems found before `initialized` (messages can only be sent after it).
    early_problems: Vec<String>,
    docs: HashMap<Uri, Doc>,
    configs: ConfigStore,
}

impl State {
    fn enc(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }
}

struct Doc {
    /// Distinguishes this opening of the URI from earlier ones.
    open_id: u64,
    version: i32,
    kind: DocumentKind,
    path: Option<PathBuf>,
    text: Arc<String>,
    lines: Arc<Lines>,
    rev: u64,
    linting: bool,
    again: bool,
    /// A debounced lint is scheduled.
    pending: bool,
    last: Option<Arc<Lint>>,
    received: Option<Instant>,
}

/// One lint of one revision of a document, converted for the client.
pub(crate) struct Lint {
    rev: u64,
    version: i32,
    /// Time spent linting (reported with `PMLINT_LSP_TIMING`).
    lint_time: Duration,
    /// Per-section findings, for re-linting only what changed next time.
    cache: Option<Arc<crate::segments::SegCache>>,
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    resolved: Arc<Resolved>,
}

/// What `Diagnostic.data` carries: enough to build the fix actions without re-linting.
#[derive(Serialize, Deserialize)]
struct DiagData {
    version: i32,
    rule: String,
    family: String,
    fixes: Vec<FixData>,
}

#[derive(Serialize, Deserialize)]
struct FixData {
    title: String,
    applicability: Applicability,
    edits: Vec<TextEdit>,
}

/// What a handler needs from a document, taken under the lock.
#[derive(Clone)]
struct Snap {
    rev: u64,
    version: i32,
    text: Arc<String>,
    lines: Arc<Lines>,
    kind: DocumentKind,
    path: Option<PathBuf>,
    dir: Option<PathBuf>,
    enc: Encoding,
    enable: bool,
    last: Option<Arc<Lint>>,
    received: Option<Instant>,
    /// A lint of this document is running or scheduled.
    busy: bool,
}

fn log(msg: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "[pmlint lsp] {msg}");
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.as_str().starts_with("file:") {
        return None;
    }
    uri.to_file_path()
        .map(|p| p.into_owned())
        .filter(|p| p.is_absolute())
}

fn document_kind(language_id: &str, path: Option<&Path>) -> DocumentKind {
    match language_id {
        "markdown" | "mdx" => DocumentKind::Markdown,
        "plaintext" | "text" => DocumentKind::PlainText,
        _ => path.map_or(DocumentKind::PlainText, pmlint_workspace::kind_for_path),
    }
}

fn lsp_pos(lc: LineCol) -> Position {
    Position {
        line: lc.line,
        character: lc.col,
    }
}

fn lsp_range(text: &str, lines: &Lines, r: std::ops::Range<usize>, enc: Encoding) -> Range {
    Range {
        start: lsp_pos(lines.line_col(text, r.start, enc)),
        end: lsp_pos(lines.line_col(text, r.end, enc)),
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

fn to_lsp(d: &Finding, text: &str, lines: &Lines, enc: Encoding, version: i32) -> Diagnostic {
    let fixes = d
        .fixes
        .iter()
        .map(|f| FixData {
            title: f.title.clone(),
            applicability: f.applicability,
            edits: f
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: lsp_range(text, lines, e.range.clone(), enc),
                    new_text: e.replacement.clone(),
                })
                .collect(),
        })
        .collect();
    let data = DiagData {
        version,
        rule: d.rule.to_string(),
        family: d.family.to_string(),
        fixes,
    };
    Diagnostic {
        range: lsp_range(text, lines, d.range.clone(), enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: None,
        source: Some(SOURCE.into()),
        message: d.message.to_string(),
        related_information: None,
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

/// Lints a snapshot (blocking).
fn compute(snap: &Snap, resolved: Arc<Resolved>) -> Lint {
    let t = Instant::now();
    let prev = snap.last.as_ref().and_then(|l| l.cache.clone());
    let (findings, cache) = crate::segments::lint(
        &resolved.linter,
        &snap.text,
        snap.kind,
        prev.as_deref(),
        crate::segments::MIN_BYTES,
    );
    let lint_time = t.elapsed();
    let diagnostics = findings
        .iter()
        .map(|d| to_lsp(d, &snap.text, &snap.lines, snap.enc, snap.version))
        .collect();
    Lint {
        rev: snap.rev,
        version: snap.version,
        lint_time,
        cache,
        findings,
        diagnostics,
        resolved,
    }
}

fn config_diagnostic(e: &FileError, enc: Encoding) -> Diagnostic {
    let range = match (e.line, &e.text) {
        (Some(l), Some(text)) if l > 0 => {
            let idx = LineIndex::new(text);
            let line = l - 1;
            let col = e.column.unwrap_or(1).saturating_sub(1);
            let at = idx.offset(text, LineCol { line, col }, Encoding::Scalar);
            let end = idx.line_range(text, line).map_or(at, |r| r.end.max(at));
            Range {
                start: lsp_pos(idx.line_col(text, at, enc)),
                end: lsp_pos(idx.line_col(text, end, enc)),
            }
        }
        _ => Range::default(),
    };
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("invalid-config".into())),
        source: Some(SOURCE.into()),
        message: e.message.clone(),
        ..Diagnostic::default()
    }
}

impl Backend {
    pub(crate) fn new(client: Client, shutdown: Arc<AtomicBool>) -> Self {
        Backend {
            client,
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                publish: tokio::sync::Mutex::new(()),
                shutdown,
                next_rev: AtomicU64::new(1),
                linted: tokio::sync::Notify::new(),
                timing: std::env::var_os("PMLINT_LSP_TIMING").is_some(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held must not take the whole server down with it.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn rev(&self) -> u64 {
        self.inner.next_rev.fetch_add(1, Ordering::Relaxed)
    }

    fn snapshot(&self, uri: &Uri) -> Option<Snap> {
        let st = self.state();
        let doc = st.docs.get(uri)?;
        let dir = match &doc.path {
            Some(p) => p.parent().map(Path::to_owned),
            None => st.folders.first().cloned(),
        };
        Some(Snap {
            rev: doc.rev,
            version: doc.version,
            text: doc.text.clone(),
            lines: doc.lines.clone(),
            kind: doc.kind,
            path: doc.path.clone(),
            dir,
            enc: st.enc(),
            enable: st.settings.enable,
            last: doc.last.clone(),
            received: doc.received,
            busy: doc.linting || doc.pending,
        })
    }

    /// `pmlint/invalidMessage`: the stand-in for a message the input guard rejected.
    pub(crate) async fn invalid_message(&self, params: Value) -> jsonrpc::Result<()> {
        let code = params.get("code").and_then(Value::as_i64).unwrap_or(-32700);
        let message = params
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("invalid message")
            .to_owned();
        log(format!("rejected an invalid message: {message}"));
        Err(jsonrpc::Error {
            code: ErrorCode::from(code),
            message: message.into(),
            data: None,
        })
    }

    // ------------------------------------------------------------------ configuration

    /// The linter for documents in `dir` (discovering and building it on a cache miss).
    async fn resolved_for(&self, dir: Option<PathBuf>) -> Arc<Resolved> {
        let (known, cached) = {
            let st = self.state();
            let known = match &dir {
                None => Some(None),
                Some(d) => st.configs.dirs.get(d).cloned(),
            };
            let cached = known
                .as_ref()
                .and_then(|p| st.configs.resolved.get(p).cloned());
            (known, cached)
        };
        if let Some(r) = cached {
            return r;
        }
        let path = match known {
            Some(p) => p,
            None => {
                let d = dir.clone().unwrap_or_default();
                tokio::task::spawn_blocking(move || pmlint_workspace::find_config(&d))
                    .await
                    .unwrap_or(None)
            }
        };
        self.resolve_path(path, dir).await
    }

    /// Builds (or takes from the cache) the linter for one configuration file, reporting a
    /// broken file once and clearing the report when it is fixed.
    async fn resolve_path(&self, path: Option<PathBuf>, dir: Option<PathBuf>) -> Arc<Resolved> {
        let (epoch, settings, last_good) = {
            let mut st = self.state();
            if let Some(r) = st.configs.resolved.get(&path).cloned() {
                if let Some(d) = dir {
                    st.configs.dirs.insert(d, path);
                }
                return r;
            }
            let last_good = path
                .as_ref()
                .and_then(|p| st.configs.last_good.get(p).cloned());
            (st.configs.epoch, st.settings.clone(), last_good)
        };
        let p2 = path.clone();
        let outcome =
            match tokio::task::spawn_blocking(move || resolve::resolve(p2, &settings, last_good))
                .await
            {
                Ok(o) => o,
                Err(e) => {
                    log(format!("configuration resolution failed: {e}"));
                    return Arc::new(Resolved {
                        config_path: path,
                        config: pmlint_core::Config::default(),
                        linter: Arc::new(pmlint_core::Linter::with_defaults()),
                    });
                }
            };
        let mut report: Option<FileError> = None;
        let mut cleared: Option<PathBuf> = None;
        let mut warnings = Vec::new();
        let enc;
        {
            let mut st = self.state();
            enc = st.enc();
            if st.configs.epoch != epoch {
                return outcome.resolved;
            }
            if let Some(d) = dir {
                st.configs.dirs.insert(d, path.clone());
            }
            st.configs
                .resolved
                .insert(path.clone(), outcome.resolved.clone());
            if let (Some(p), Some(good)) = (&path, outcome.good) {
                st.configs.last_good.insert(p.clone(), good);
            }
            match (&outcome.file_error, &path) {
                (Some(e), _) => {
                    let summary = e.summary();
                    if st.configs.errors.get(&e.path) != Some(&summary) {
                        st.configs.errors.insert(e.path.clone(), summary);
                        report = Some(e.clone());
                    }
                }
                (None, Some(p)) => {
                    if st.configs.errors.remove(p).is_some() {
                        cleared = Some(p.clone());
                    }
                }
                (None, None) => {}
            }
            for w in outcome.warnings {
                if st.configs.warned.insert(w.clone()) {
                    warnings.push(w);
                }
            }
        }
        if let Some(e) = report {
            log(e.summary());
            if let Some(uri) = Uri::from_file_path(&e.path) {
                let _g = self.inner.publish.lock().await;
                self.client
                    .publish_diagnostics(uri, vec![config_diagnostic(&e, enc)], None)
                    .await;
            }
            let msg = format!(
                "pmlint: {} (keeping the last valid configuration)",
                e.summary()
            );
            self.client.show_message(MessageType::ERROR, msg).await;
        }
        if let Some(p) = cleared {
            if let Some(uri) = Uri::from_file_path(&p) {
                let _g = self.inner.publish.lock().await;
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
        for w in warnings {
            log(&w);
            self.client.show_message(MessageType::WARNING, w).await;
        }
        outcome.resolved
    }

    /// Forgets every cached configuration and re-lints all open documents.
    async fn reload(&self, changed: Vec<PathBuf>) {
        let (uris, gone) = {
            let mut st = self.state();
            st.configs.invalidate();
            let gone: Vec<PathBuf> = st
                .configs
                .errors
                .keys()
                .filter(|p| !p.is_file())
                .cloned()
                .collect();
            for p in &gone {
                st.configs.errors.remove(p);
            }
            let mut uris = Vec::new();
            for (uri, doc) in st.docs.iter_mut() {
                doc.rev = self.inner.next_rev.fetch_add(1, Ordering::Relaxed);
                doc.received = None;
                uris.push(uri.clone());
            }
            (uris, gone)
        };
        for p in gone {
            if let Some(uri) = Uri::from_file_path(&p) {
                let _g = self.inner.publish.lock().await;
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
        for uri in uris {
            self.request_lint(uri);
        }
        // Check changed configuration files even when no open document uses them.
        for p in changed {
            let is_config = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| pmlint_workspace::CONFIG_NAMES.contains(&n));
            if is_config && p.is_file() {
                let this = self.clone();
                tokio::spawn(async move {
                    this.resolve_path(Some(p), None).await;
                });
            }
        }
    }

    async fn apply_settings(&self, value: &Value) {
        let (new, problems) = Settings::parse(value);
        let changed = {
            let mut st = self.state();
            st.have_settings = true;
            if st.settings == new {
                false
            } else {
                st.settings = new;
                true
            }
        };
        for p in problems {
            self.client.show_message(MessageType::WARNING, p).await;
        }
        if changed {
            self.reload(Vec::new()).await;
        }
    }

    /// Asks the client for the `pmlint` section (pull model), with a time limit.
    fn pull_settings(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let item = ConfigurationItem {
                scope_uri: None,
                section: Some("pmlint".into()),
            };
            match tokio::time::timeout(
                CLIENT_REQUEST_TIMEOUT,
                this.client.configuration(vec![item]),
            )
            .await
            {
                Ok(Ok(values)) => {
                    if let Some(v) = values.into_iter().next().filter(Value::is_object) {
                        let v = settings::section(&v).cloned().unwrap_or(v);
                        this.apply_settings(&v).await;
                    }
                }
                Ok(Err(e)) => log(format!("workspace/configuration failed: {e}")),
                Err(_) => log("workspace/configuration timed out"),
            }
        });
    }

    // ------------------------------------------------------------------ linting

    /// Lints a document after the debounce delay, unless it changed again meanwhile.
    fn schedule(&self, uri: Uri, rev: u64, delay: Duration) {
        if delay.is_zero() {
            self.request_lint(uri);
            return;
        }
        if let Some(doc) = self.state().docs.get_mut(&uri) {
            doc.pending = true;
        }
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let current = this.state().docs.get(&uri).is_some_and(|d| d.rev == rev);
            if current {
                this.request_lint(uri);
            }
        });
    }

    /// Starts the document's lint loop, or asks the running one to go again.
    fn request_lint(&self, uri: Uri) {
        let open_id = {
            let mut st = self.state();
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            doc.pending = false;
            if doc.linting {
                doc.again = true;
                return;
            }
            doc.linting = true;
            doc.open_id
        };
        let this = self.clone();
        tokio::spawn(async move { this.lint_loop(uri, open_id).await });
    }

    async fn lint_loop(&self, uri: Uri, open_id: u64) {
        loop {
            let snap = {
                let mut st = self.state();
                match st.docs.get_mut(&uri) {
                    Some(doc) if doc.open_id == open_id => doc.again = false,
                    _ => return,
                }
                drop(st);
                self.snapshot(&uri)
            };
            let Some(snap) = snap else { return };
            if snap.enable {
                let resolved = self.resolved_for(snap.dir.clone()).await;
                let s2 = snap.clone();
                match tokio::task::spawn_blocking(move || compute(&s2, resolved)).await {
                    Ok(lint) => {
                        let diags = lint.diagnostics.clone();
                        self.publish(&uri, &snap, Some(Arc::new(lint)), diags).await;
                    }
                    Err(e) => log(format!("lint of {} failed: {e}", uri.as_str())),
                }
            } else {
                self.publish(&uri, &snap, None, Vec::new()).await;
            }
            self.inner.linted.notify_waiters();
            let mut st = self.state();
            match st.docs.get_mut(&uri) {
                Some(doc) if doc.open_id == open_id && doc.again => continue,
                Some(doc) if doc.open_id == open_id => {
                    doc.linting = false;
                    return;
                }
                _ => return,
            }
        }
    }

    /// Publishes `diagnostics` if `snap` is still the document's current revision.
    async fn publish(
        &self,
        uri: &Uri,
        snap: &Snap,
        lint: Option<Arc<Lint>>,
        diagnostics: Vec<Diagnostic>,
    ) {
        let _g = self.inner.publish.lock().await;
        {
            let mut st = self.state();
            match st.docs.get_mut(uri) {
                Some(doc) if doc.rev == snap.rev => doc.last = lint.clone(),
                _ => return,
            }
        }
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(snap.version))
            .await;
        if self.inner.timing {
            if let Some(t) = snap.received {
                let lint_us = lint.map_or(0, |l| l.lint_time.as_micros());
                log(format!(
                    "timing version={} us={} lint_us={lint_us}",
                    snap.version,
                    t.elapsed().as_micros()
                ));
            }
        }
    }

    /// A lint of the document's current text: the published one when it is for this version,
    /// else the one being computed (waited for, bounded), else a fresh one.
    async fn current_lint(&self, uri: &Uri) -> Option<(Snap, Arc<Lint>)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        loop {
            let notified = self.inner.linted.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let snap = self.snapshot(uri)?;
            if !snap.enable {
                return None;
            }
            if let Some(l) = snap.last.clone().filter(|l| l.version == snap.version) {
                if l.rev == snap.rev || !snap.busy {
                    return Some((snap, l));
                }
            }
            if !snap.busy || tokio::time::timeout_at(deadline, notified).await.is_err() {
                break;
            }
        }
        let snap = self.snapshot(uri)?;
        let resolved = self.resolved_for(snap.dir.clone()).await;
        let s2 = snap.clone();
        let lint = tokio::task::spawn_blocking(move || compute(&s2, resolved))
            .await
            .ok()?;
        Some((snap, Arc::new(lint)))
    }

    // ------------------------------------------------------------------ code actions

    fn doc_edit(
        &self,
        caps: Caps,
        uri: &Uri,
        version: Option<i32>,
        edits: Vec<TextEdit>,
    ) -> WorkspaceEdit {
        if caps.document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: uri.clone(),
                        version,
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..WorkspaceEdit::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            }
        }
    }
}

/// An "Allow ..." action: a workspace edit of the configuration file (created if needed).
#[allow(clippy::too_many_arguments)]
fn allow_action(
    resolved: &Resolved,
    doc_path: Option<&Path>,
    folders: &[PathBuf],
    caps: Caps,
    enc: Encoding,
    key: ListKey,
    value: &str,
    diagnostic: &Diagnostic,
) -> Option<CodeAction> {
    let target = match &resolved.config_path {
        Some(p) => p.clone(),
        None => actions::new_config_dir(doc_path?.parent()?, folders).join("pmlint.toml"),
    };
    let uri = Uri::from_file_path(&target)?;
    let file = target.file_name()?.to_string_lossy().into_owned();
    let what = match key {
        ListKey::AllowNames => "name",
        ListKey::AllowPhrases => "phrase",
    };
    let title = format!("Allow this {what} (\"{value}\") in {file}");
    let text_edit = |range: Range, new_text: String| TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version: None,
        },
        edits: vec![OneOf::Left(TextEdit { range, new_text })],
    };
    let edit = if target.is_file() {
        let src = std::fs::read_to_string(&target).ok()?;
        let e = tomledit::add_to_list(&src, key, value)?;
        let idx = LineIndex::new(&src);
        let range = Range {
            start: lsp_pos(idx.line_col(&src, e.range.start, enc)),
            end: lsp_pos(idx.line_col(&src, e.range.end, enc)),
        };
        if caps.document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![text_edit(range, e.text)])),
                ..WorkspaceEdit::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some(HashMap::from([(
                    uri.clone(),
                    vec![TextEdit {
                        range,
                        new_text: e.text,
                    }],
                )])),
                ..WorkspaceEdit::default()
            }
        }
    } else {
        if !(caps.document_changes && caps.create_files) {
            return None;
        }
        let create = CreateFile {
            uri: uri.clone(),
            options: Some(CreateFileOptions {
                overwrite: Some(false),
                ignore_if_exists: Some(true),
            }),
            annotation_id: None,
        };
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(vec![
                DocumentChangeOperation::Op(ResourceOp::Create(create)),
                DocumentChangeOperation::Edit(text_edit(
                    Range::default(),
                    tomledit::new_file(key, value),
                )),
            ])),
            ..WorkspaceEdit::default()
        }
    };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        ..CodeAction::default()
    })
}

fn same_range(a: &Range, b: &Range) -> bool {
    a.start == b.start && a.end == b.end
}

fn overlaps(a: &Range, b: &Range) -> bool {
    let (a0, a1) = (
        (a.start.line, a.start.character),
        (a.end.line, a.end.character),
    );
    let (b0, b1) = (
        (b.start.line, b.start.character),
        (b.end.line, b.end.character),
    );
    a0 <= b1 && b0 <= a1
}

/// The finding a diagnostic with `data` stands for, in byte offsets of the snapshot's text
/// (which is the version the data was made for).
fn finding_from_data(snap: &Snap, cd: &Diagnostic, d: DiagData) -> Finding {
    let off = |p: Position| {
        snap.lines.offset(
            &snap.text,
            LineCol {
                line: p.line,
                col: p.character,
            },
            snap.enc,
        )
    };
    let span = |r: &Range| {
        let (a, b) = (off(r.start), off(r.end));
        a.min(b)..a.max(b)
    };
    let severity = match cd.severity {
        Some(DiagnosticSeverity::ERROR) => Severity::Error,
        Some(DiagnosticSeverity::WARNING) => Severity::Warning,
        _ => Severity::Info,
    };
    Finding {
        rule: d.rule.into(),
        family: d.family.into(),
        severity,
        range: span(&cd.range),
        message: cd.message.as_str().into(),
        suggestions: Arc::from(Vec::new()),
        fixes: d
            .fixes
            .into_iter()
            .map(|f| pmlint_core::Fix {
                title: f.title,
                applicability: f.applicability,
                edits: f
                    .edits
                    .iter()
                    .map(|e| pmlint_core::Edit {
                        range: span(&e.range),
                        replacement: e.new_text.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> jsonrpc::Result<InitializeResult> {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.clone())
            .unwrap_or_default();
        let utf8 = offered.contains(&PositionEncodingKind::UTF8);
        let ws = params.capabilities.workspace.as_ref();
        let edit_caps = ws.and_then(|w| w.workspace_edit.as_ref());
        let caps = Caps {
            document_changes: edit_caps.and_then(|e| e.document_changes).unwrap_or(false),
            create_files: edit_caps
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
            watch_dynamic: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
        };
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| file_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(file_path));
        }
        {
            let mut st = self.state();
            st.encoding = Some(if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            });
            st.caps = caps;
            st.folders = folders;
            if let Some(v) = params
                .initialization_options
                .as_ref()
                .and_then(settings::section)
            {
                let (s, problems) = Settings::parse(v);
                st.settings = s;
                st.have_settings = true;
                st.early_problems = problems;
            }
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        will_save: None,
                        will_save_wait_until: None,
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                        resolve_provider: Some(false),
                    },
                )),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "pmlint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let (caps, have_settings, problems) = {
            let mut st = self.state();
            (
                st.caps,
                st.have_settings,
                std::mem::take(&mut st.early_problems),
            )
        };
        for p in problems {
            self.client.show_message(MessageType::WARNING, p).await;
        }
        if caps.watch_dynamic {
            let this = self.clone();
            tokio::spawn(async move {
                let watchers = pmlint_workspace::CONFIG_NAMES
                    .iter()
                    .map(|n| FileSystemWatcher {
                        glob_pattern: GlobPattern::String(format!("**/{n}")),
                        kind: None,
                    })
                    .collect();
                let options = DidChangeWatchedFilesRegistrationOptions { watchers };
                let reg = Registration {
                    id: "pmlint-config-watcher".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                };
                match tokio::time::timeout(
                    CLIENT_REQUEST_TIMEOUT,
                    this.client.register_capability(vec![reg]),
                )
                .await
                {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => log(format!(
                        "could not register the configuration file watcher: {e}"
                    )),
                    Err(_) => log("client/registerCapability timed out"),
                }
            });
        }
        if !have_settings && caps.configuration {
            self.pull_settings();
        }
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let td = params.text_document;
        let uri = td.uri;
        {
            let mut st = self.state();
            if !st.settings.handles_language(&td.language_id) {
                return;
            }
            let path = file_path(&uri);
            let kind = document_kind(&td.language_id, path.as_deref());
            let rev = self.rev();
            let lines = Arc::new(Lines::new(&td.text));
            st.docs.insert(
                uri.clone(),
                Doc {
                    open_id: rev,
                    version: td.version,
                    kind,
                    path,
                    text: Arc::new(td.text),
                    lines,
                    rev,
                    linting: false,
                    again: false,
                    pending: false,
                    last: None,
                    received: None,
                },
            );
        }
        self.request_lint(uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let received = Instant::now();
        let (rev, delay) = {
            let mut st = self.state();
            let enc = st.enc();
            let delay = st.settings.debounce;
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            let text = Arc::make_mut(&mut doc.text);
            let lines = Arc::make_mut(&mut doc.lines);
            for change in params.content_changes {
                match change.range {
                    None => {
                        *text = change.text;
                        *lines = Lines::new(text);
                    }
                    Some(r) => {
                        let pos = |p: Position| LineCol {
                            line: p.line,
                            col: p.character,
                        };
                        let a = lines.offset(text, pos(r.start), enc);
                        let b = lines.offset(text, pos(r.end), enc);
                        let (a, b) = (a.min(b), a.max(b));
                        text.replace_range(a..b, &change.text);
                        lines.edit(text, a..b, change.text.len());
                    }
                }
            }
            doc.version = params.text_document.version;
            doc.rev = self.rev();
            doc.received = Some(received);
            (doc.rev, delay)
        };
        self.schedule(uri, rev, delay);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        if let Some(p) = file_path(&uri) {
            if p.extension().is_some_and(|e| e == "toml") {
                self.reload(vec![p]).await;
                return;
            }
        }
        {
            let mut st = self.state();
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            doc.rev = self.inner.next_rev.fetch_add(1, Ordering::Relaxed);
            doc.received = None;
        }
        self.request_lint(uri);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let removed = self.state().docs.remove(&uri).is_some();
        if removed {
            let _g = self.inner.publish.lock().await;
            // Re-opened meanwhile? Then its own lint publishes; do not clear it.
            if !self.state().docs.contains_key(&uri) {
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        match settings::section(&params.settings) {
            Some(v) => {
                let v = v.clone();
                self.apply_settings(&v).await;
            }
            None => {
                if self.state().caps.configuration {
                    self.pull_settings();
                }
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths = params
            .changes
            .iter()
            .filter_map(|c| file_path(&c.uri))
            .collect();
        self.reload(paths).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut st = self.state();
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| file_path(&f.uri))
                .collect();
            st.folders.retain(|f| !removed.contains(f));
            for f in params.event.added.iter().filter_map(|f| file_path(&f.uri)) {
                if !st.folders.contains(&f) {
                    st.folders.push(f);
                }
            }
        }
        self.reload(Vec::new()).await;
    }

    async fn hover(&self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        let Some((snap, lint)) = self.current_lint(&uri).await else {
            return Ok(None);
        };
        let offset = snap.lines.offset(
            &snap.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            snap.enc,
        );
        let hits: Vec<usize> = lint
            .findings
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.range.start <= offset && (offset < d.range.end || d.range.is_empty())
            })
            .map(|(i, _)| i)
            .collect();
        let Some(&first) = hits.first() else {
            return Ok(None);
        };
        let rules = lint.resolved.linter.rule_set();
        let mut seen = Vec::new();
        let mut parts = Vec::new();
        for &i in &hits {
            let id = &*lint.findings[i].rule;
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            match rules.get(id) {
                Some(rule) => parts.push(rule.documentation()),
                None => parts.push(format!("## {id}\n\n{}\n", lint.findings[i].message)),
            }
        }
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n---\n\n"),
            }),
            range: Some(lint.diagnostics[first].range),
        }))
    }

    async fn code_action(
        &self,
        params: CodeActionParams,
    ) -> jsonrpc::Result<Option<CodeActionResponse>> {
        if let Some(only) = &params.context.only {
            if !only
                .iter()
                .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()))
            {
                return Ok(Some(Vec::new()));
            }
        }
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri) else {
            return Ok(None);
        };
        if !snap.enable {
            return Ok(Some(Vec::new()));
        }
        let (caps, folders) = {
            let st = self.state();
            (st.caps, st.folders.clone())
        };
        // The client's diagnostics with the findings they stand for, in byte offsets of the
        // current text. `data` makes this a lookup; without it, or with no diagnostics in the
        // context, the current lint is consulted.
        let mut targets: Vec<(Diagnostic, Finding)> = Vec::new();
        let mut lookup: Vec<Diagnostic> = Vec::new();
        for cd in &params.context.diagnostics {
            if cd.source.as_deref() != Some(SOURCE) {
                continue;
            }
            let Some(NumberOrString::String(_)) = &cd.code else {
                continue;
            };
            match cd
                .data
                .clone()
                .and_then(|v| serde_json::from_value::<DiagData>(v).ok())
            {
                Some(d) if d.version == snap.version => {
                    targets.push((cd.clone(), finding_from_data(&snap, cd, d)));
                }
                Some(_) => {} // made for another version of the text
                None => lookup.push(cd.clone()),
            }
        }
        if !lookup.is_empty() || params.context.diagnostics.is_empty() {
            if let Some((now, lint)) = self.current_lint(&uri).await {
                if now.version == snap.version {
                    for cd in &lookup {
                        let code = match &cd.code {
                            Some(NumberOrString::String(c)) => c.as_str(),
                            _ => continue,
                        };
                        let found = lint
                            .findings
                            .iter()
                            .zip(&lint.diagnostics)
                            .find(|(f, d)| &*f.rule == code && same_range(&d.range, &cd.range));
                        if let Some((f, _)) = found {
                            targets.push((cd.clone(), f.clone()));
                        }
                    }
                    if params.context.diagnostics.is_empty() {
                        for (f, d) in lint.findings.iter().zip(&lint.diagnostics) {
                            if overlaps(&d.range, &params.range) {
                                targets.push((d.clone(), f.clone()));
                            }
                        }
                    }
                }
            }
        }
        if targets.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let mut fixes = Vec::new();
        let mut others = Vec::new();
        let version = Some(snap.version);
        for (cd, f) in &targets {
            for fix in &f.fixes {
                let safe = fix.applicability == Applicability::Safe;
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: lsp_range(&snap.text, &snap.lines, e.range.clone(), snap.enc),
                        new_text: e.replacement.clone(),
                    })
                    .collect();
                fixes.push((
                    !safe,
                    CodeAction {
                        title: fix.title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![cd.clone()]),
                        edit: Some(self.doc_edit(caps, &uri, version, edits)),
                        is_preferred: Some(safe),
                        ..CodeAction::default()
                    },
                ));
            }
            // Disable for this line: the directive on its own line above the finding's line.
            let start_line = snap
                .lines
                .line_col(&snap.text, f.range.start, snap.enc)
                .line;
            if let Some(line_range) = snap.lines.line_content(&snap.text, start_line) {
                let insert = actions::disable_line(&snap.text, line_range, &f.rule, snap.kind);
                let at = Position {
                    line: start_line,
                    character: 0,
                };
                let edit = TextEdit {
                    range: Range { start: at, end: at },
                    new_text: insert,
                };
                others.push(CodeAction {
                    title: format!("Disable {} for this line", f.rule),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![cd.clone()]),
                    edit: Some(self.doc_edit(caps, &uri, version, vec![edit])),
                    ..CodeAction::default()
                });
            }
        }
        // Allow this name / phrase: checked by re-linting the finding's paragraph (blocking).
        let resolved = self.resolved_for(snap.dir.clone()).await;
        let snap2 = snap.clone();
        let allow = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for (cd, f) in &targets {
                let (r, text, kind) = (&*resolved, &snap2.text, snap2.kind);
                let path = snap2.path.as_deref();
                if &*f.family == "named-cause" {
                    if let Some(name) = actions::name_to_allow(r, text, kind, f) {
                        let key = ListKey::AllowNames;
                        out.extend(allow_action(
                            r, path, &folders, caps, snap2.enc, key, &name, cd,
                        ));
                    }
                }
                if let Some(phrase) = actions::phrase_to_allow(r, text, kind, f) {
                    let key = ListKey::AllowPhrases;
                    out.extend(allow_action(
                        r, path, &folders, caps, snap2.enc, key, &phrase, cd,
                    ));
                }
            }
            out
        })
        .await
        .unwrap_or_default();
        fixes.sort_by_key(|(unsafe_, _)| *unsafe_);
        let response = fixes
            .into_iter()
            .map(|(_, a)| a)
            .chain(others)
            .chain(allow)
            .map(CodeActionOrCommand::CodeAction)
            .collect();
        Ok(Some(response))
    }
}
