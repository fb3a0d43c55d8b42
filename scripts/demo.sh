#!/usr/bin/env bash
# The main job: build everything (release) and run the demo fleet on the embedded store.
# Extra arguments go to `robofleet demo` (e.g. --duration 30).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --workspace
exec target/release/robofleet demo "$@"
