#!/usr/bin/env bash
# The test command: builds every plugin (the tests load the real .so files), then runs
# the whole workspace's tests, end-to-end ones included.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Plugins and test fixtures are cdylibs: `cargo test` alone does not build the .so files.
cargo build --workspace
# The panic=abort fixture is its own workspace (panic strategy is a profile setting).
cargo build --manifest-path tests/fixtures/abort_plugin/Cargo.toml --target-dir target/abort_plugin
# A real MongoDB-compatible server for the MongoDB store tests, unless MONGODB_URI already
# points at one (a real replica set works the same).
source scripts/testdb.sh
if [ -z "${MONGODB_URI:-}" ]; then
  start_test_db
else
  install_test_db
fi
# Keep cargo's output, and close with one total line (cargo's own last line is often a
# crate with no doc-tests, "0 passed").
mkdir -p target
status=0
cargo test --workspace --no-fail-fast "$@" 2>&1 | tee target/test-output.log || status=$?
awk '/^test result:/ {p += $4; f += $6} END {printf "tests: %d passed, %d failed\n", p, f}' target/test-output.log
exit "$status"
