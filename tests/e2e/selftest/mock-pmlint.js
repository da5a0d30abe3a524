#!/usr/bin/env node
// A tiny stand-in for `pmlint lsp`, used ONLY to self-test the e2e harnesses
// (tests/e2e/selftest/run.sh). It implements just enough of the server contract
// for tests/e2e/fixture.md: the `hindsight-obvious` rule, quick fixes, hover,
// position-encoding negotiation. It is not a linter and must never be shipped.
//
// MOCK_PMLINT_BREAK=<mode> makes it misbehave so the self-test can check that
// the harnesses really fail:
//   wrong-col     report byte columns even when UTF-16 was negotiated
//   no-fix        return no code actions
//   bad-fix       the quick fix deletes the wrong text
//   silent        never publish diagnostics
//   no-exit       ignore the `exit` notification
'use strict';

const BREAK = process.env.MOCK_PMLINT_BREAK || '';

if (process.argv[2] !== 'lsp') {
  process.stderr.write('usage: mock-pmlint lsp\n');
  process.exit(2);
}

let encoding = 'utf-16';
let shutdownReceived = false;
const docs = new Map(); // uri -> { text, version }

// ---------------------------------------------------------------- framing
let buf = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const headerEnd = buf.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const header = buf.slice(0, headerEnd).toString('ascii');
    const m = /Content-Length: *(\d+)/i.exec(header);
    if (!m) throw new Error('mock: no Content-Length in ' + header);
    const len = Number(m[1]);
    if (buf.length < headerEnd + 4 + len) return;
    const body = buf.slice(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
    buf = buf.slice(headerEnd + 4 + len);
    handle(JSON.parse(body));
  }
});
process.stdin.on('end', () => process.exit(shutdownReceived ? 0 : 1));

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

// --------------------------------------------------------------- positions
function lines(text) {
  return text.split(/\r\n|\r|\n/);
}
// JS (UTF-16) index within a line -> column in the negotiated encoding.
function col(line, jsIndex) {
  if (encoding === 'utf-16' && BREAK !== 'wrong-col') return jsIndex;
  if (encoding === 'utf-32') return [...line.slice(0, jsIndex)].length;
  return Buffer.byteLength(line.slice(0, jsIndex), 'utf8');
}
// ------------------------------------------------------------------- lint
function lint(uri) {
  const doc = docs.get(uri);
  const out = [];
  lines(doc.text).forEach((line, ln) => {
    const re = /\bobviously\b(,? ?)/gi;
    let m;
    while ((m = re.exec(line))) {
      const start = m.index;
      const word = m[0].slice(0, 'obviously'.length);
      let fixStart = start;
      let fixEnd = start + m[0].length;
      let newText = '';
      let title = `Delete "${m[0].trimEnd()}"`;
      const atSentenceStart = /^\s*$/.test(line.slice(0, start)) || /[.!?]\s+$/.test(line.slice(0, start));
      if (atSentenceStart && fixEnd < line.length) {
        fixEnd += 1; // also replace the next letter, re-capitalised
        newText = line[fixEnd - 1].toUpperCase();
        title = `Delete "${m[0].trimEnd()}" and re-capitalise`;
      }
      if (BREAK === 'bad-fix') fixEnd = Math.min(line.length, fixEnd + 3);
      const edit = {
        range: {
          start: { line: ln, character: col(line, fixStart) },
          end: { line: ln, character: col(line, fixEnd) },
        },
        newText,
      };
      out.push({
        range: {
          start: { line: ln, character: col(line, start) },
          end: { line: ln, character: col(line, start + word.length) },
        },
        severity: 2,
        code: 'hindsight-obvious',
        source: 'pmlint',
        message: `"${word}" implies the outcome was foreseeable (hindsight bias)`,
        data: { fixes: [{ title, safe: true, edits: [edit] }] },
      });
    }
  });
  return out;
}

function publish(uri) {
  if (BREAK === 'silent') return;
  const doc = docs.get(uri);
  send({
    method: 'textDocument/publishDiagnostics',
    params: { uri, version: doc.version, diagnostics: lint(uri) },
  });
}

function overlaps(a, b) {
  const before = (p, q) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

// ---------------------------------------------------------------- dispatch
function handle(msg) {
  const { id, method, params } = msg;
  if (method === undefined) return; // a response to us; we send no requests
  const reply = (result) => send({ id, result });
  switch (method) {
    case 'initialize': {
      const opts = params.initializationOptions;
      if (opts !== undefined && opts !== null && (typeof opts !== 'object' || Array.isArray(opts) || Array.isArray(opts.rules))) {
        send({ id, error: { code: -32602, message: `mock: initializationOptions must be an object with object "rules", got ${JSON.stringify(opts)}` } });
        return;
      }
      const offered = (params.capabilities.general || {}).positionEncodings || [];
      encoding = offered.includes('utf-8') ? 'utf-8' : 'utf-16';
      reply({
        capabilities: {
          positionEncoding: encoding,
          textDocumentSync: { openClose: true, change: 1 },
          codeActionProvider: { codeActionKinds: ['quickfix'] },
          hoverProvider: true,
        },
        serverInfo: { name: 'mock-pmlint', version: '0.0.0' },
      });
      return;
    }
    case 'workspace/didChangeConfiguration': {
      const pm = params.settings && params.settings.pmlint;
      if (pm !== undefined && (Array.isArray(pm) || (pm && Array.isArray(pm.rules)))) {
        process.stderr.write(`mock: settings.pmlint must be an object: ${JSON.stringify(params.settings)}\n`);
        process.exit(3);
      }
      return;
    }
    case 'initialized':
    case 'textDocument/didSave':
    case '$/setTrace':
      return;
    case 'textDocument/didOpen':
      // Like the real server: only `markdown` and `plaintext` documents are linted.
      if (!['markdown', 'plaintext'].includes(params.textDocument.languageId)) return;
      docs.set(params.textDocument.uri, { text: params.textDocument.text, version: params.textDocument.version });
      publish(params.textDocument.uri);
      return;
    case 'textDocument/didChange': {
      const doc = docs.get(params.textDocument.uri);
      if (!doc) return;
      for (const ch of params.contentChanges) {
        if (ch.range) throw new Error('mock only supports full sync');
        doc.text = ch.text;
      }
      doc.version = params.textDocument.version;
      setTimeout(() => publish(params.textDocument.uri), 20);
      return;
    }
    case 'textDocument/didClose':
      docs.delete(params.textDocument.uri);
      send({ method: 'textDocument/publishDiagnostics', params: { uri: params.textDocument.uri, diagnostics: [] } });
      return;
    case 'textDocument/codeAction': {
      const uri = params.textDocument.uri;
      if (BREAK === 'no-fix' || !docs.has(uri)) return reply([]);
      const actions = [];
      for (const d of lint(uri)) {
        if (!overlaps(d.range, params.range)) continue;
        for (const fix of d.data.fixes) {
          actions.push({
            title: fix.title,
            kind: 'quickfix',
            diagnostics: [d],
            isPreferred: fix.safe,
            edit: { changes: { [uri]: fix.edits } },
          });
        }
        actions.push({
          title: `Disable ${d.code} for this line`,
          kind: 'quickfix',
          diagnostics: [d],
          edit: {
            changes: {
              [uri]: [{ range: { start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line, character: 0 } }, newText: `<!-- pmlint-disable-next-line ${d.code} -->\n` }],
            },
          },
        });
      }
      return reply(actions);
    }
    case 'textDocument/hover': {
      const uri = params.textDocument.uri;
      const p = params.position;
      const d = docs.has(uri) && lint(uri).find((x) => overlaps(x.range, { start: p, end: p }));
      if (!d) return reply(null);
      return reply({
        contents: { kind: 'markdown', value: `**${d.code}** (pmlint)\n\nWords like *obviously* are hindsight bias.` },
        range: d.range,
      });
    }
    case 'shutdown':
      shutdownReceived = true;
      return reply(null);
    case 'exit':
      if (BREAK === 'no-exit') return;
      process.exit(shutdownReceived ? 0 : 1);
      return;
    default:
      if (id !== undefined) send({ id, error: { code: -32601, message: `mock: unhandled ${method}` } });
  }
}

