#!/usr/bin/env bash
# Installs what a fresh machine lacks to build robofleet: Debian's libzmq (with CURVE),
# which .cargo/config.toml links instead of building the bundled copy. Idempotent.
set -euo pipefail
if pkg-config --exists libzmq 2>/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing libzmq3-dev and pkg-config" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq libzmq3-dev pkg-config >/dev/null
