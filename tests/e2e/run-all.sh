#!/usr/bin/env bash
# Runs both editor-side end-to-end harnesses against the pmlint language server:
#   tests/e2e/node/run.sh   raw LSP client (vscode-languageserver-protocol)
#   tests/e2e/nvim/run.sh   headless Neovim with editors/neovim
# Exits non-zero if either fails (a missing server binary or Neovim is a failure,
# never a skip).
#
# PMLINT_BIN   server binary (default <repo>/target/debug/pmlint; relative paths are
#              relative to the repository root). Build it first: cargo build.
# Neovim is installed with apt-get when it is missing and we run as root under CI
# (CI set) or with PMLINT_E2E_INSTALL_DEPS=1.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ensure_nvim() {
  command -v "${NVIM_BIN:-nvim}" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && { [ -n "${CI:-}" ] || [ "${PMLINT_E2E_INSTALL_DEPS:-}" = 1 ]; } \
    && command -v apt-get >/dev/null 2>&1; then
    echo "# nvim not found: installing Debian's neovim package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq \
      && apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends neovim >/dev/null \
      || echo "# apt-get install neovim failed" >&2
  fi
  command -v "${NVIM_BIN:-nvim}" >/dev/null 2>&1
}

passed=0
failed=0
failures=()
run() {
  local name="$1"
  shift
  echo
  echo "=== e2e: $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

run node bash "$here/node/run.sh"
if ensure_nvim; then
  run nvim bash "$here/nvim/run.sh"
else
  echo
  echo "=== e2e: nvim"
  echo "FAIL (nvim e2e): Neovim is not installed; install it (apt-get install -y neovim) or run as root with CI=1" >&2
  failed=$((failed + 1))
  failures+=("nvim")
fi

echo
if [ "$failed" -ne 0 ]; then
  echo "FAILED e2e harnesses: ${failures[*]}" >&2
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
