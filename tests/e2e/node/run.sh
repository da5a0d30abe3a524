#!/usr/bin/env bash
# Node end-to-end test of `pmlint lsp`. Usage: tests/e2e/node/run.sh
# PMLINT_BIN overrides the server binary (default: <repo>/target/debug/pmlint;
# a relative path is taken relative to the repository root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

fail() { echo "FAIL (node e2e): $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || fail "node is not installed (need Node.js >= 18)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed"

bin="${PMLINT_BIN:-target/debug/pmlint}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
export PMLINT_BIN="$bin"
[ -x "$bin" ] && [ -f "$bin" ] || fail "pmlint binary not found or not executable at $bin (build it with cargo build, or set PMLINT_BIN)"

cd "$here"
npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed in $here"

# lsp-e2e.js has its own 30 s limit; this outer one only guards against a wedged node.
set +e
timeout --kill-after=5 60 node "$here/lsp-e2e.js"
rc=$?
set -e
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  fail "timed out after 60 s"
elif [ "$rc" -ne 0 ]; then
  fail "lsp-e2e.js exited with status $rc (see the messages above)"
fi
echo "PASS (node e2e)"
