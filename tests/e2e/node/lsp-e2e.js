#!/usr/bin/env node
// End-to-end test of `pmlint lsp` over stdio JSON-RPC (LSP 3.17).
//
// Runs two sessions against tests/e2e/fixture.md:
//   1. the client offers UTF-16 only: diagnostics, UTF-16 ranges, preferred quick
//      fix applied in JS, didChange (version 2) clears the line-2 diagnostic, hover
//      is Markdown naming the rule, the line-4 fix, shutdown + exit, process exits 0.
//   2. the client offers ["utf-8", "utf-16"]: the server must pick utf-8 and report
//      line 4's column in UTF-8 bytes; the line-4 fix is applied with UTF-8 columns.
//
// Environment:
//   PMLINT_BIN                 server binary (default target/debug/pmlint; a relative
//                              path is taken relative to the repository root)
//   PMLINT_E2E_TIMEOUT_MS      hard limit for the whole run (default 30000)
//   PMLINT_E2E_VERBOSE=1       print the JSON-RPC trace and server stderr as they happen
//
// Exit status: 0 when every check passed, 1 on any failure or timeout.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-jsonrpc/node');
const P = require('vscode-languageserver-protocol');

const REPO = path.resolve(__dirname, '..', '..', '..');
const BIN = path.resolve(REPO, process.env.PMLINT_BIN || path.join('target', 'debug', 'pmlint'));
const FIXTURE = path.resolve(__dirname, '..', 'fixture.md');
const OVERALL_MS = Number(process.env.PMLINT_E2E_TIMEOUT_MS || 30000);
const STEP_MS = Math.min(20000, OVERALL_MS);
const VERBOSE = !!process.env.PMLINT_E2E_VERBOSE;

const RULE = 'hindsight-obvious';
// Hard-coded expectations, worked out by hand for the fixture line
// "The café 🚀 team said it was obviously a mistake.":
//   "The café 🚀 team said it was " is 28 code points; é is 1 UTF-16 unit / 2 UTF-8
//   bytes, 🚀 is 2 UTF-16 units / 4 UTF-8 bytes, so "obviously" starts at
//   UTF-16 unit 28 + 1 = 29 and at UTF-8 byte 28 + 1 + 3 = 32.
const LINE4_UTF16_START = 29;
const LINE4_UTF8_START = 32;
const OBVIOUSLY_LEN = 'obviously'.length; // ASCII: same length in every encoding
const LINE2_AFTER_FIX = 'The deploy broke the cache.';
const LINE4_AFTER_FIX = 'The café 🚀 team said it was a mistake.';

const SETTINGS = { enable: true, minSeverity: 'info', rules: {}, allowedNames: [], debounceMs: 50 };

// ------------------------------------------------------------------ reporting
let checks = 0;
let currentSession = null; // { name, stderrTail, trace, proc }
const tmpDirs = [];

class CheckFailure extends Error {}

function ok(desc) {
  checks += 1;
  console.log(`ok ${checks} - ${currentSession ? `[${currentSession.name}] ` : ''}${desc}`);
}

function fail(msg) {
  throw new CheckFailure(msg);
}

function check(cond, desc, detail) {
  if (!cond) fail(`${desc}${detail !== undefined ? `\n    ${detail}` : ''}`);
  ok(desc);
}

function equal(actual, expected, desc) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${desc}\n    expected: ${e}\n    actual:   ${a}`);
  ok(desc);
}

function cleanup() {
  if (currentSession && currentSession.proc && currentSession.proc.exitCode === null) {
    try {
      currentSession.proc.kill('SIGKILL');
    } catch (_) {
      /* already gone */
    }
  }
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
}

function dieWith(msg) {
  console.error(`\nFAIL: ${msg}`);
  if (currentSession) {
    console.error(`  (in session "${currentSession.name}", server ${BIN})`);
    if (currentSession.exited && !currentSession.expectExit) {
      const { code, signal } = currentSession.exited;
      console.error(`  the server process exited unexpectedly (exit code ${code}, signal ${signal})`);
    }
    if (currentSession.trace.length) {
      console.error('  --- last JSON-RPC messages ---');
      for (const l of currentSession.trace.slice(-40)) console.error(`  ${l}`);
    }
    if (currentSession.stderrTail) {
      console.error('  --- server stderr (tail) ---');
      console.error(currentSession.stderrTail.split('\n').map((l) => `  ${l}`).join('\n'));
    }
  }
  console.error(`# node e2e: ${checks} checks passed before the failure`);
  cleanup();
  process.exit(1);
}

const overallTimer = setTimeout(
  () => dieWith(`overall time limit of ${OVERALL_MS} ms exceeded (server hung or never answered?)`),
  OVERALL_MS,
);

// -------------------------------------------------------------------- helpers
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new CheckFailure(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

function splitLines(text) {
  return text.split(/\r\n|\r|\n/);
}

function utf8Len(s) {
  return Buffer.byteLength(s, 'utf8');
}

/** Column of `jsIndex` (a UTF-16 index into `line`) in the given position encoding. */
function columnIn(line, jsIndex, encoding) {
  const prefix = line.slice(0, jsIndex);
  if (encoding === 'utf-16') return jsIndex;
  if (encoding === 'utf-8') return utf8Len(prefix);
  if (encoding === 'utf-32') return [...prefix].length;
  throw new Error(`unknown encoding ${encoding}`);
}

/** Offset into `text` (a JS string) of an LSP position, in the given encoding. */
function offsetAt(text, lineStarts, pos, encoding) {
  if (!Number.isInteger(pos.line) || !Number.isInteger(pos.character) || pos.line < 0 || pos.character < 0) {
    fail(`invalid position ${JSON.stringify(pos)}`);
  }
  if (pos.line >= lineStarts.length) return text.length; // past the end: clamp (LSP spec)
  const start = lineStarts[pos.line];
  let end = pos.line + 1 < lineStarts.length ? lineStarts[pos.line + 1] : text.length;
  while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end -= 1;
  const line = text.slice(start, end);
  if (encoding === 'utf-16') {
    const idx = Math.min(pos.character, line.length);
    const c = line.charCodeAt(idx - 1);
    if (idx > 0 && idx < line.length && c >= 0xd800 && c <= 0xdbff) {
      fail(`UTF-16 position ${JSON.stringify(pos)} splits a surrogate pair`);
    }
    return start + idx;
  }
  let units = 0;
  let count = 0;
  for (const ch of line) {
    if (count >= pos.character) break;
    const width = encoding === 'utf-8' ? utf8Len(ch) : 1;
    if (count + width > pos.character) fail(`${encoding} position ${JSON.stringify(pos)} splits a character`);
    count += width;
    units += ch.length;
  }
  return start + units; // clamps to the end of the line like the utf-16 case
}

/** Apply LSP TextEdits (positions in `encoding`) to `text`; returns the new text. */
function applyTextEdits(text, edits, encoding) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\r') {
      if (text[i + 1] === '\n') i += 1;
      lineStarts.push(i + 1);
    } else if (text[i] === '\n') {
      lineStarts.push(i + 1);
    }
  }
  const resolved = edits.map((e, i) => {
    if (!e || !e.range || typeof e.newText !== 'string') fail(`malformed TextEdit ${JSON.stringify(e)}`);
    const s = offsetAt(text, lineStarts, e.range.start, encoding);
    const en = offsetAt(text, lineStarts, e.range.end, encoding);
    if (en < s) fail(`TextEdit range ends before it starts: ${JSON.stringify(e.range)}`);
    return { s, e: en, newText: e.newText, i };
  });
  resolved.sort((a, b) => a.s - b.s || a.i - b.i);
  for (let k = 1; k < resolved.length; k += 1) {
    if (resolved[k].s < resolved[k - 1].e) fail(`overlapping TextEdits: ${JSON.stringify(edits)}`);
  }
  let out = text;
  for (let k = resolved.length - 1; k >= 0; k -= 1) {
    const r = resolved[k];
    out = out.slice(0, r.s) + r.newText + out.slice(r.e);
  }
  return out;
}

/** Apply the part of a WorkspaceEdit that targets `doc` (must be all of it). */
function applyWorkspaceEdit(edit, doc, encoding) {
  if (!edit || typeof edit !== 'object') fail(`code action has no WorkspaceEdit: ${JSON.stringify(edit)}`);
  let edits = [];
  if (Array.isArray(edit.documentChanges)) {
    for (const change of edit.documentChanges) {
      if (change.kind) fail(`unexpected resource operation in quick fix: ${JSON.stringify(change)}`);
      if (change.textDocument.uri !== doc.uri) fail(`quick fix edits another document: ${change.textDocument.uri}`);
      const v = change.textDocument.version;
      if (v !== null && v !== undefined && v !== doc.version) {
        fail(`quick fix targets version ${v} but the document is at version ${doc.version}`);
      }
      edits = edits.concat(change.edits);
    }
  } else if (edit.changes) {
    for (const uri of Object.keys(edit.changes)) {
      if (uri !== doc.uri) fail(`quick fix edits another document: ${uri}`);
      edits = edits.concat(edit.changes[uri]);
    }
  } else {
    fail(`WorkspaceEdit has neither documentChanges nor changes: ${JSON.stringify(edit)}`);
  }
  if (edits.length === 0) fail('quick fix WorkspaceEdit contains no edits');
  return applyTextEdits(doc.text, edits, encoding);
}

// ------------------------------------------------------------------- sessions
async function startSession(name, positionEncodings) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmlint-e2e-node-'));
  tmpDirs.push(dir);
  const file = path.join(dir, 'fixture.md');
  fs.copyFileSync(FIXTURE, file);

  const session = { name, trace: [], stderrTail: '', proc: null, published: [], waiters: new Set(), exited: null };
  currentSession = session;

  const proc = spawn(BIN, ['lsp'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  session.proc = proc;
  session.exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      session.exited = { code, signal };
      resolve(session.exited);
      for (const w of session.waiters) w();
    });
  });
  proc.on('error', (err) => dieWith(`could not start ${BIN} lsp: ${err.message}`));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    if (VERBOSE) process.stderr.write(`[server stderr] ${d}`);
    session.stderrTail = (session.stderrTail + d).slice(-4000);
  });
  proc.stdin.on('error', () => {
    /* reported via exit */
  });

  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  session.conn = conn;
  conn.trace(rpc.Trace.Messages, {
    log(message) {
      const line = typeof message === 'string' ? message : JSON.stringify(message);
      session.trace.push(line.replace(/\s+/g, ' ').slice(0, 300));
      if (session.trace.length > 200) session.trace.shift();
      if (VERBOSE) console.error(`[rpc] ${line}`);
    },
  });
  conn.onNotification(P.PublishDiagnosticsNotification.type, (params) => {
    session.published.push({ ...params, seq: session.published.length });
    for (const w of session.waiters) w();
  });
  conn.onNotification((method, params) => {
    if (VERBOSE) console.error(`[notification] ${method} ${JSON.stringify(params)}`);
  });
  conn.onRequest((method, params) => {
    switch (method) {
      case 'workspace/configuration':
        return (params.items || []).map((item) => {
          if (item.section === 'pmlint') return SETTINGS;
          if (item.section === undefined || item.section === '') return { pmlint: SETTINGS };
          if (item.section.startsWith('pmlint.')) return SETTINGS[item.section.slice('pmlint.'.length)] ?? null;
          return null;
        });
      case 'workspace/workspaceFolders':
        return [{ uri: pathToFileURL(dir).href, name: path.basename(dir) }];
      case 'client/registerCapability':
      case 'client/unregisterCapability':
      case 'window/workDoneProgress/create':
      case 'window/showMessageRequest':
      case 'workspace/diagnostic/refresh':
      case 'workspace/codeLens/refresh':
      case 'workspace/inlayHint/refresh':
      case 'workspace/semanticTokens/refresh':
        return null;
      case 'workspace/applyEdit':
        return { applied: false, failureReason: 'the e2e client does not apply server-initiated edits' };
      default:
        return new rpc.ResponseError(rpc.ErrorCodes.MethodNotFound, `e2e client: unhandled request ${method}`);
    }
  });
  conn.onError(([err]) => session.trace.push(`connection error: ${err && err.message}`));
  conn.listen();

  const capabilities = {
    general: { positionEncodings },
    textDocument: {
      synchronization: { dynamicRegistration: false, didSave: true, willSave: false, willSaveWaitUntil: false },
      publishDiagnostics: {
        relatedInformation: true,
        versionSupport: true,
        codeDescriptionSupport: true,
        dataSupport: true,
        tagSupport: { valueSet: [1, 2] },
      },
      codeAction: {
        dynamicRegistration: false,
        isPreferredSupport: true,
        disabledSupport: true,
        dataSupport: true,
        resolveSupport: { properties: ['edit'] },
        codeActionLiteralSupport: {
          codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] },
        },
      },
      hover: { dynamicRegistration: false, contentFormat: ['markdown', 'plaintext'] },
    },
    workspace: {
      configuration: true,
      workspaceFolders: true,
      applyEdit: false,
      didChangeConfiguration: { dynamicRegistration: false },
      didChangeWatchedFiles: { dynamicRegistration: true },
      workspaceEdit: { documentChanges: true },
    },
    window: { workDoneProgress: false },
  };

  const init = await withTimeout(
    conn.sendRequest(P.InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'pmlint-e2e-node', version: '1' },
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: path.basename(dir) }],
      capabilities,
      initializationOptions: SETTINGS,
      trace: 'off',
    }),
    STEP_MS,
    'the initialize response',
  );
  check(init && init.capabilities, 'initialize returned ServerCapabilities', JSON.stringify(init));
  conn.sendNotification(P.InitializedNotification.type, {});
  // What VS Code's synchronize.configurationSection does right after initialization.
  conn.sendNotification(P.DidChangeConfigurationNotification.type, { settings: { pmlint: SETTINGS } });

  const text = fs.readFileSync(file, 'utf8');
  session.doc = { uri: pathToFileURL(file).href, version: 1, text };
  return { session, conn, init };
}

/**
 * Resolve with the first publishDiagnostics for `uri`, received after publish number
 * `afterSeq`, that satisfies `pred`; time out with a description of what did arrive.
 */
function waitForDiagnostics(session, uri, afterSeq, pred, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let timer;
    const done = (fn, v) => {
      clearTimeout(timer);
      session.waiters.delete(poll);
      fn(v);
    };
    const poll = () => {
      for (const p of session.published) {
        if (p.seq > afterSeq && p.uri === uri) {
          let verdict;
          try {
            verdict = pred(p);
          } catch (e) {
            return done(reject, e);
          }
          if (verdict) return done(resolve, p);
        }
      }
      if (session.exited) {
        return done(reject, new CheckFailure(`server exited (${JSON.stringify(session.exited)}) while waiting for ${what}`));
      }
      return undefined;
    };
    timer = setTimeout(() => {
      const got = session.published
        .filter((p) => p.seq > afterSeq)
        .map((p) => `    uri=${p.uri} version=${p.version} diagnostics=${JSON.stringify(p.diagnostics)}`);
      done(
        reject,
        new CheckFailure(
          `timed out after ${Date.now() - started} ms waiting for ${what}\n  publishDiagnostics received:\n${got.join('\n') || '    (none)'}`,
        ),
      );
    }, STEP_MS);
    session.waiters.add(poll);
    poll();
  });
}

const isRule = (d) => d.code === RULE;
const onLine = (line) => (d) => isRule(d) && d.range.start.line === line;

async function codeActionsFor(conn, doc, diag) {
  const res = await withTimeout(
    conn.sendRequest(P.CodeActionRequest.type, {
      textDocument: { uri: doc.uri },
      range: diag.range,
      context: { diagnostics: [diag], triggerKind: 1 },
    }),
    STEP_MS,
    'the textDocument/codeAction response',
  );
  check(Array.isArray(res) && res.length > 0, `codeAction on line ${diag.range.start.line} returned actions`, JSON.stringify(res));
  return res;
}

async function pickFix(conn, init, actions, line, requirePreferred) {
  const literal = actions.filter((a) => typeof a.command !== 'string'); // drop bare Commands
  const quickfixes = literal.filter((a) => a.kind === 'quickfix' || (a.kind || '').startsWith('quickfix.'));
  let fix = quickfixes.find((a) => a.isPreferred === true);
  if (requirePreferred) {
    check(!!fix, `a preferred quickfix exists for line ${line}`, `actions: ${JSON.stringify(actions)}`);
  } else if (!fix) {
    // Not the "Disable <rule> for this line" / "Allow ..." actions: the actual fix.
    fix = quickfixes.find((a) => !/^(disable|allow)\b/i.test(a.title || '') && (a.edit || a.data !== undefined));
    check(!!fix, `a quickfix exists for line ${line}`, `actions: ${JSON.stringify(actions)}`);
  }
  check(typeof fix.title === 'string' && fix.title.length > 0, `the fix has a title ("${fix.title}")`);
  if (!fix.edit) {
    const cap = init.capabilities.codeActionProvider;
    check(cap && cap.resolveProvider === true, 'a fix without an edit can be resolved', JSON.stringify(fix));
    fix = await withTimeout(conn.sendRequest(P.CodeActionResolveRequest.type, fix), STEP_MS, 'codeAction/resolve');
    check(!!(fix && fix.edit), 'codeAction/resolve returned an edit', JSON.stringify(fix));
  }
  return fix;
}

async function shutdownAndExit(session, conn) {
  await withTimeout(conn.sendRequest(P.ShutdownRequest.type), STEP_MS, 'the shutdown response');
  ok('shutdown answered');
  session.expectExit = true;
  conn.sendNotification(P.ExitNotification.type);
  const exited = await withTimeout(session.exitPromise, 5000, 'the server process to exit after `exit`');
  equal(exited, { code: 0, signal: null }, 'server process exited with status 0 after shutdown + exit');
  conn.dispose();
  currentSession = null;
}

function lineOf(text, n) {
  return splitLines(text)[n];
}

// ------------------------------------------------------- session 1: UTF-16 only
async function utf16Session() {
  const { session, conn, init } = await startSession('utf-16', ['utf-16']);
  const enc = init.capabilities.positionEncoding;
  check(enc === undefined || enc === 'utf-16', `server kept utf-16 when only utf-16 was offered (got ${enc})`);
  const doc = session.doc;

  conn.sendNotification(P.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: doc.uri, languageId: 'markdown', version: 1, text: doc.text },
  });
  const pub1 = await waitForDiagnostics(
    session,
    doc.uri,
    -1,
    (p) => p.diagnostics.some(onLine(2)) && p.diagnostics.some(onLine(4)),
    `${RULE} diagnostics on lines 2 and 4`,
  );
  ok('received publishDiagnostics with both hindsight-obvious diagnostics');
  if (pub1.version !== undefined && pub1.version !== null) equal(pub1.version, 1, 'diagnostics carry version 1');

  const lines = splitLines(doc.text);
  const d2 = pub1.diagnostics.filter(onLine(2));
  const d4 = pub1.diagnostics.filter(onLine(4));
  equal(d2.length, 1, 'exactly one hindsight-obvious diagnostic on line 2');
  equal(d4.length, 1, 'exactly one hindsight-obvious diagnostic on line 4');
  for (const d of [d2[0], d4[0]]) {
    equal(d.source, 'pmlint', `line ${d.range.start.line}: source is "pmlint"`);
    check([1, 2, 3, 4].includes(d.severity), `line ${d.range.start.line}: has a severity (${d.severity})`);
    check(typeof d.message === 'string' && d.message.length > 0, `line ${d.range.start.line}: has a message`);
  }
  equal(d2[0].range, { start: { line: 2, character: 0 }, end: { line: 2, character: 9 } }, 'line 2 range is 2:0-2:9 ("Obviously")');
  const idx = lines[4].indexOf('obviously');
  equal(idx, LINE4_UTF16_START, 'JS indexOf("obviously") on line 4 equals the hand-computed UTF-16 column 29');
  equal(
    d4[0].range,
    { start: { line: 4, character: LINE4_UTF16_START }, end: { line: 4, character: LINE4_UTF16_START + OBVIOUSLY_LEN } },
    'line 4 range is 4:29-4:38 in UTF-16 units',
  );

  // Preferred quick fix for line 2.
  const actions = await codeActionsFor(conn, doc, d2[0]);
  check(
    actions.some((a) => /disable/i.test(a.title) && a.title.includes(RULE)),
    `a "Disable ${RULE} for this line" action is offered`,
    `titles: ${JSON.stringify(actions.map((a) => a.title))}`,
  );
  const fix2 = await pickFix(conn, init, actions, 2, true);
  const text2 = applyWorkspaceEdit(fix2.edit, doc, 'utf-16');
  equal(lineOf(text2, 2), LINE2_AFTER_FIX, 'after the preferred fix line 2 reads "The deploy broke the cache."');
  const before = splitLines(doc.text);
  const after = splitLines(text2);
  equal([after.length, after[0], after[1], after[3], after[4]], [before.length, before[0], before[1], before[3], before[4]], 'the fix left the other lines alone');

  // didChange to version 2.
  const seq = session.published.length - 1;
  doc.text = text2;
  doc.version = 2;
  conn.sendNotification(P.DidChangeTextDocumentNotification.type, {
    textDocument: { uri: doc.uri, version: 2 },
    contentChanges: [{ text: text2 }],
  });
  const pub2 = await waitForDiagnostics(
    session,
    doc.uri,
    seq,
    (p) => {
      if (p.version === 2 && p.diagnostics.some(onLine(2))) {
        fail(`diagnostics for version 2 still contain the line-2 ${RULE}: ${JSON.stringify(p.diagnostics)}`);
      }
      if (p.version !== undefined && p.version !== null && p.version !== 2) return false; // stale
      return !p.diagnostics.some(onLine(2)) && p.diagnostics.some(onLine(4));
    },
    `diagnostics for version 2 (line-2 ${RULE} gone, line 4 still reported)`,
  );
  check(pub2.version === 2 || pub2.version === undefined || pub2.version === null, `post-edit diagnostics are for version 2 (version=${pub2.version})`);
  ok('the line-2 diagnostic is gone after the edit; line 4 is still reported');
  const d4v2 = pub2.diagnostics.find(onLine(4));
  equal(d4v2.range.start, { line: 4, character: LINE4_UTF16_START }, 'line 4 diagnostic unchanged by the line-2 edit');

  // Hover over the line-4 diagnostic.
  const hover = await withTimeout(
    conn.sendRequest(P.HoverRequest.type, {
      textDocument: { uri: doc.uri },
      position: { line: 4, character: LINE4_UTF16_START + 2 },
    }),
    STEP_MS,
    'the textDocument/hover response',
  );
  check(hover && hover.contents, 'hover over the line-4 diagnostic returned contents', JSON.stringify(hover));
  equal(hover.contents.kind, 'markdown', 'hover contents are MarkupContent of kind markdown');
  check(
    typeof hover.contents.value === 'string' && hover.contents.value.includes(RULE),
    `hover Markdown mentions ${RULE}`,
    JSON.stringify(hover.contents.value),
  );

  // The line-4 fix.
  const actions4 = await codeActionsFor(conn, doc, d4v2);
  const fix4 = await pickFix(conn, init, actions4, 4, false);
  const text3 = applyWorkspaceEdit(fix4.edit, doc, 'utf-16');
  equal(lineOf(text3, 4), LINE4_AFTER_FIX, 'after the fix line 4 reads "The café 🚀 team said it was a mistake."');
  equal(lineOf(text3, 2), LINE2_AFTER_FIX, 'line 2 is still fixed');

  const seq3 = session.published.length - 1;
  doc.text = text3;
  doc.version = 3;
  conn.sendNotification(P.DidChangeTextDocumentNotification.type, {
    textDocument: { uri: doc.uri, version: 3 },
    contentChanges: [{ text: text3 }],
  });
  await waitForDiagnostics(
    session,
    doc.uri,
    seq3,
    (p) => (p.version === undefined || p.version === null || p.version === 3) && !p.diagnostics.some(isRule),
    `diagnostics for version 3 without any ${RULE}`,
  );
  ok(`no ${RULE} diagnostics remain after both fixes`);

  await shutdownAndExit(session, conn);
}

// -------------------------------------------------- session 2: UTF-8 preferred
async function utf8Session() {
  const { session, conn, init } = await startSession('utf-8', ['utf-8', 'utf-16']);
  equal(init.capabilities.positionEncoding, 'utf-8', 'server chose utf-8 when offered ["utf-8", "utf-16"]');
  const doc = session.doc;
  conn.sendNotification(P.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: doc.uri, languageId: 'markdown', version: 1, text: doc.text },
  });
  const pub = await waitForDiagnostics(
    session,
    doc.uri,
    -1,
    (p) => p.diagnostics.some(onLine(2)) && p.diagnostics.some(onLine(4)),
    `${RULE} diagnostics on lines 2 and 4`,
  );
  const lines = splitLines(doc.text);
  const byteCol = columnIn(lines[4], lines[4].indexOf('obviously'), 'utf-8');
  equal(byteCol, LINE4_UTF8_START, 'UTF-8 byte column of "obviously" on line 4 equals the hand-computed 32');
  equal(pub.diagnostics.find(onLine(2)).range, { start: { line: 2, character: 0 }, end: { line: 2, character: 9 } }, 'line 2 range is 2:0-2:9');
  equal(
    pub.diagnostics.find(onLine(4)).range,
    { start: { line: 4, character: LINE4_UTF8_START }, end: { line: 4, character: LINE4_UTF8_START + OBVIOUSLY_LEN } },
    'line 4 range is 4:32-4:41 in UTF-8 bytes',
  );

  const d4 = pub.diagnostics.find(onLine(4));
  const actions = await codeActionsFor(conn, doc, d4);
  const fix = await pickFix(conn, init, actions, 4, false);
  const fixed = applyWorkspaceEdit(fix.edit, doc, 'utf-8');
  equal(lineOf(fixed, 4), LINE4_AFTER_FIX, 'the line-4 fix (UTF-8 columns) yields "The café 🚀 team said it was a mistake."');

  await shutdownAndExit(session, conn);
}

// ----------------------------------------------------------------------- main
function selfTest() {
  // The edit applier is test code too: check it on the tricky line before trusting it.
  const t = 'ab\nThe café 🚀 team said it was obviously a mistake.\n';
  const r16 = { start: { line: 1, character: 29 }, end: { line: 1, character: 39 } };
  const r8 = { start: { line: 1, character: 32 }, end: { line: 1, character: 42 } };
  const want = 'ab\nThe café 🚀 team said it was a mistake.\n';
  if (applyTextEdits(t, [{ range: r16, newText: '' }], 'utf-16') !== want) throw new Error('applyTextEdits utf-16 self-test failed');
  if (applyTextEdits(t, [{ range: r8, newText: '' }], 'utf-8') !== want) throw new Error('applyTextEdits utf-8 self-test failed');
  const ins = { start: { line: 0, character: 1 }, end: { line: 0, character: 1 } };
  if (applyTextEdits(t, [{ range: ins, newText: 'X' }, { range: ins, newText: 'Y' }], 'utf-16').slice(0, 4) !== 'aXYb') {
    throw new Error('applyTextEdits insert-order self-test failed');
  }
  ok('applyTextEdits self-test (UTF-16 and UTF-8 columns, insert order)');
}

async function main() {
  console.log(`# pmlint LSP e2e (node) — server: ${BIN}`);
  selfTest();
  let stat;
  try {
    stat = fs.statSync(BIN);
  } catch (_) {
    fail(`pmlint binary not found at ${BIN}\n  build it first (cargo build) or point PMLINT_BIN at it`);
  }
  try {
    fs.accessSync(BIN, fs.constants.X_OK);
  } catch (_) {
    fail(`${BIN} is not executable`);
  }
  check(stat.isFile(), `server binary exists: ${BIN}`);
  await utf16Session();
  await utf8Session();
  clearTimeout(overallTimer);
  cleanup();
  console.log(`# node e2e: all ${checks} checks passed`);
  process.exit(0);
}

process.on('unhandledRejection', (e) => dieWith(e && e.stack ? e.stack : String(e)));
main().catch(async (e) => {
  // If the server died, give its exit event (and last stderr) a moment to arrive.
  if (currentSession && currentSession.exitPromise) {
    await Promise.race([currentSession.exitPromise, new Promise((r) => setTimeout(r, 500))]);
  }
  dieWith(e instanceof CheckFailure ? e.message : e && e.stack ? e.stack : String(e));
});
