#!/usr/bin/env bash
# Headless-Neovim end-to-end test of `pmlint lsp` through editors/neovim.
# Usage: tests/e2e/nvim/run.sh
# PMLINT_BIN overrides the server binary (default: <repo>/target/debug/pmlint;
# a relative path is taken relative to the repository root). NVIM_BIN overrides nvim.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

fail() { echo "FAIL (nvim e2e): $*" >&2; exit 1; }

nvim="${NVIM_BIN:-nvim}"
command -v "$nvim" >/dev/null 2>&1 || fail "Neovim ($nvim) is not installed (apt-get install -y neovim)"

bin="${PMLINT_BIN:-target/debug/pmlint}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
export PMLINT_BIN="$bin"
[ -x "$bin" ] && [ -f "$bin" ] || fail "pmlint binary not found or not executable at $bin (build it with cargo build, or set PMLINT_BIN)"

# Keep Neovim's state, cache and LSP log out of the user's home.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/pmlint-e2e-nvim.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
  XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"
export TMPDIR="$scratch"

"$nvim" --version | head -n 1

set +e
cd "$repo"
timeout --kill-after=5 60 "$nvim" --headless -u NONE -i NONE -n \
  --cmd "set rtp^=$repo/editors/neovim" \
  -c "luafile $here/test.lua" </dev/null
rc=$?
set -e
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  fail "timed out after 60 s (Neovim did not exit; see the output above)"
elif [ "$rc" -ne 0 ]; then
  fail "test.lua failed (Neovim exit status $rc; see the messages above)"
fi
echo "PASS (nvim e2e)"
