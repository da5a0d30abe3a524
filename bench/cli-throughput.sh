#!/usr/bin/env bash
# Throughput of `pmlint check` on a generated corpus of ~1,000 postmortem-like Markdown files
# (~20 MB), and the wall time of a whole process on a one-line file.
#
#   bench/cli-throughput.sh
#
# Environment: PMLINT_BENCH_DIR (work directory, default $TMPDIR/pmlint-bench),
# PMLINT_BENCH_FILES (1000), PMLINT_BENCH_MB (20), PMLINT_BENCH_RUNS (10 corpus runs; the
# one-line file runs 20x as often), PMLINT_BENCH_SEED (7).
#
# Uses hyperfine when it is installed (`apt-get install -y hyperfine`), else a loop of timed runs.
# Either way it prints medians. Timings on a shared machine are noisy: compare runs made together.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${PMLINT_BENCH_DIR:-${TMPDIR:-/tmp}/pmlint-bench}"
FILES="${PMLINT_BENCH_FILES:-1000}"
MB="${PMLINT_BENCH_MB:-20}"
RUNS="${PMLINT_BENCH_RUNS:-10}"
SEED="${PMLINT_BENCH_SEED:-7}"
CORPUS="$WORK/corpus"
ONE="$WORK/one"

echo "== generating the corpus (deterministic, seed $SEED)"
rm -rf "$CORPUS" "$ONE"
mkdir -p "$WORK" "$ONE"
python3 "$ROOT/bench/gen-corpus.py" --out "$CORPUS" --files "$FILES" --total-mb "$MB" --seed "$SEED"
printf '# One-line benchmark: built-in defaults.\n' > "$ONE/pmlint.toml"
printf 'Obviously, the deploy broke the cache.\n' > "$ONE/one.md"

echo "== building pmlint (release)"
(cd "$ROOT" && cargo build --release --quiet -p pmlint)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/pmlint"
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 2; }
"$BIN" --version

BYTES=$(find "$CORPUS" -type f -name '*.md' -printf '%s\n' | awk '{ s += $1 } END { print s }')
NFILES=$(find "$CORPUS" -type f -name '*.md' | wc -l)
# pmlint exits 1 when it finds something, which it does here: that is not a failed run.
"$BIN" check --quiet "$CORPUS" || [ $? -eq 1 ]

CORPUS_CMD=("$BIN" check --format compact "$CORPUS")
ONE_CMD=("$BIN" check --format compact "$ONE/one.md")
ONE_RUNS=$((RUNS * 20))

# Median (seconds) of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Times a command N times without hyperfine; prints one duration in seconds per line.
loop_times() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.9f\n", (b - a) / 1e9 }'
  done
}

if command -v hyperfine > /dev/null; then
  echo "== timing with $(hyperfine --version)"
  hyperfine -N --warmup 2 --runs "$RUNS" -i --export-json "$WORK/corpus.json" -n corpus "${CORPUS_CMD[*]}"
  hyperfine -N --warmup 10 --runs "$ONE_RUNS" -i --export-json "$WORK/one.json" -n one-line "${ONE_CMD[*]}"
  CORPUS_MEDIAN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/corpus.json")
  ONE_MEDIAN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/one.json")
else
  echo "== timing with a loop (hyperfine not installed)"
  loop_times 2 "${CORPUS_CMD[@]}" > /dev/null
  CORPUS_MEDIAN=$(loop_times "$RUNS" "${CORPUS_CMD[@]}" | median)
  loop_times 10 "${ONE_CMD[@]}" > /dev/null
  ONE_MEDIAN=$(loop_times "$ONE_RUNS" "${ONE_CMD[@]}" | median)
fi

echo "== results ($(nproc) CPUs; pmlint uses one worker per CPU, at least 2)"
awk -v b="$BYTES" -v n="$NFILES" -v t="$CORPUS_MEDIAN" \
  'BEGIN { printf "corpus: %d files, %.1f MB: median %.3f s = %.1f MB/s\n", n, b / 1e6, t, b / 1e6 / t }'
awk -v t="$ONE_MEDIAN" \
  'BEGIN { printf "one-line file: median %.2f ms for the whole process (target < 10 ms)\n", t * 1000 }'
