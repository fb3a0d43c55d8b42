# Sourced by scripts/test.sh: installs SecantusDB (a MongoDB-compatible server with replica-set
# change streams) into target/, starts it on a free loopback port, exports MONGODB_URI and
# SECANTUSD (for tests that restart their own database), and stops it on exit.

SECANTUS_VERSION="0.7.0b3"
SECANTUS_VENV="target/secantus-venv"

# Tests that stop and restart a database run their own SecantusDB (SECANTUSD), even when
# MONGODB_URI points at a real replica set.
install_test_db() {
  # The venv is keyed on the version: a version bump installs afresh.
  if [ "$(cat "$SECANTUS_VENV/.version" 2>/dev/null)" != "$SECANTUS_VERSION" ] \
    || [ ! -x "$SECANTUS_VENV/bin/secantusd-py" ]; then
    echo "testdb: installing SecantusDB $SECANTUS_VERSION" >&2
    # Debian's own python3 keeps venv (with ensurepip) in a package of its own.
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
      local sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$SECANTUS_VENV"
    python3 -m venv "$SECANTUS_VENV"
    "$SECANTUS_VENV/bin/pip" install -q "SecantusDB==$SECANTUS_VERSION"
    echo "$SECANTUS_VERSION" >"$SECANTUS_VENV/.version"
  fi
  export SECANTUSD="$PWD/$SECANTUS_VENV/bin/secantusd-py"
}

start_test_db() {
  install_test_db
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  TESTDB_DIR=$(mktemp -d)
  # No --standalone: change streams need the default replica-set mode.
  "$SECANTUSD" --host 127.0.0.1 --port "$port" --storage-path "$TESTDB_DIR" \
    --cache-size 256M --log-level WARNING >"$TESTDB_DIR.log" 2>&1 &
  TESTDB_PID=$!
  trap stop_test_db EXIT
  local up=""
  for _ in $(seq 1 150); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      up=1
      break
    fi
    kill -0 "$TESTDB_PID" 2>/dev/null || { cat "$TESTDB_DIR.log" >&2; echo "testdb: SecantusDB did not start" >&2; exit 1; }
    sleep 0.2
  done
  if [ -z "$up" ]; then
    cat "$TESTDB_DIR.log" >&2
    echo "testdb: SecantusDB did not open port $port within 30 s" >&2
    exit 1
  fi
  export MONGODB_URI="mongodb://127.0.0.1:$port/?directConnection=true"
  echo "testdb: SecantusDB on 127.0.0.1:$port" >&2
}

stop_test_db() {
  if [ -n "${TESTDB_PID:-}" ]; then
    kill "$TESTDB_PID" 2>/dev/null || true
    # It takes a few seconds to exit after SIGTERM.
    for _ in $(seq 1 50); do kill -0 "$TESTDB_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$TESTDB_PID" 2>/dev/null || true
    rm -rf "$TESTDB_DIR" "$TESTDB_DIR.log"
  fi
}
