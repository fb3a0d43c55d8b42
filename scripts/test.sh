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
if [ -z "${MONGODB_URI:-}" ]; then
  source scripts/testdb.sh
  start_test_db
fi
cargo test --workspace "$@"
