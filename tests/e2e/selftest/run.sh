#!/usr/bin/env bash
# Self-test of the e2e harnesses themselves, without the real server: both must PASS
# against mock-pmlint.js (a contract-following stand-in) and must FAIL against a
# missing binary and against deliberately broken variants of the mock.
# Usage: tests/e2e/selftest/run.sh   (needs node and nvim)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
e2e="$(cd "$here/.." && pwd)"
mock="$here/mock-pmlint.js"
chmod +x "$mock" 2>/dev/null || true

passed=0
failed=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

expect() { # expect pass|fail NAME CMD...
  local want="$1" name="$2"
  shift 2
  if "$@" >"$log" 2>&1; then got=pass; else got=fail; fi
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    echo "ok - $name ($got as expected)"
  else
    failed=$((failed + 1))
    echo "not ok - $name: expected $want, got $got"
    sed 's/^/    /' "$log" | tail -n 30
  fi
}

for h in node nvim; do
  expect pass "$h harness passes against the mock" env PMLINT_BIN="$mock" bash "$e2e/$h/run.sh"
  expect fail "$h harness fails without a server binary" env PMLINT_BIN=/nonexistent/pmlint bash "$e2e/$h/run.sh"
  for mode in wrong-col no-fix bad-fix silent; do
    expect fail "$h harness fails when the server is broken ($mode)" \
      env PMLINT_BIN="$mock" MOCK_PMLINT_BREAK="$mode" PMLINT_E2E_WAIT_MS=4000 PMLINT_E2E_TIMEOUT_MS=8000 \
      bash "$e2e/$h/run.sh"
  done
done
expect fail "node harness fails when the server ignores exit" \
  env PMLINT_BIN="$mock" MOCK_PMLINT_BREAK=no-exit bash "$e2e/node/run.sh"

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
