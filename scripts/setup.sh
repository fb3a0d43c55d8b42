#!/usr/bin/env bash
# Installs what a fresh machine lacks to build robofleet: Debian's libzmq (with CURVE),
# which .cargo/config.toml links instead of building the bundled copy; cmake and a C++
# compiler, which the FIX venue's engine (QuickFIX, built from source by the `quickfix`
# crate) needs; sqlite3 and Python's pandas, with which tests/analyst_queries.rs runs
# docs/store.md's examples for analysts against a running fleet. Idempotent.
set -euo pipefail
if ! python3 -c "import pandas" >/dev/null 2>&1; then
  echo "setup: installing pandas (docs/store.md's analyst examples are tested with it)" >&2
  python3 -m pip install --quiet pandas
fi
missing=()
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
pkg-config --exists libzmq 2>/dev/null || missing+=(libzmq3-dev pkg-config)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
