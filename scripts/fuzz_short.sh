#!/usr/bin/env bash
# A short coverage-guided run of every fuzz target (cargo-fuzz, nightly): CI runs it after
# the tests. The test suite already gives every target's body a short stable run
# (fuzz-bodies/tests/short_runs.rs); this adds libFuzzer's coverage guidance when the
# machine has nightly Rust and cargo-fuzz. SECONDS_EACH (default 10) per target.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: no nightly Rust with cargo-fuzz here; skipped (the stable short runs ran in the tests)" >&2
  exit 0
fi
seconds="${SECONDS_EACH:-10}"
cargo +nightly fuzz build -O
for target in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$target"
  # -max_len covers the largest seed kinds (a store log, a journal segment).
  out=$(cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -max_len=65536 2>&1) || {
    echo "$out" | tail -40
    echo "fuzz: $target FAILED" >&2
    exit 1
  }
  echo "fuzz: $target: $(echo "$out" | grep -E '^Done [0-9]+ runs' | tail -1)"
done
