#!/usr/bin/env python3
"""Minimal robofleet control client: list the robots, pause and resume one, show positions.

    pip install pyzmq
    python3 quickstart.py tcp://127.0.0.1:5560
"""
import json
import sys

import zmq

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "tcp://127.0.0.1:5560"
ctx = zmq.Context.instance()
sock = None
next_id = 0


def call(cmd, timeout_ms=10_000, **fields):
    """Send one request, return its `result`. Raises RuntimeError on an error reply and
    TimeoutError when no reply comes."""
    global sock, next_id
    if sock is None:
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(ENDPOINT)
    next_id += 1
    sock.send(json.dumps({"cmd": cmd, "id": next_id, **fields}).encode("utf-8"))
    if not sock.poll(timeout_ms):
        sock.close()  # a REQ socket still waiting for its reply cannot send again
        sock = None
        raise TimeoutError(f"{cmd}: no reply from {ENDPOINT} within {timeout_ms} ms")
    reply = json.loads(sock.recv())
    if not reply["ok"]:
        err = reply["error"]
        raise RuntimeError(f"{cmd}: {err['code']}: {err['message']}")
    return reply["result"]


fleet = call("list")
for r in fleet["robots"]:
    print(f"{r['name']:<12} {r['state']['state']:<8} {r['build_id']}")
for f in fleet["refused"]:
    print(f"refused {f['file']}: {f['error']}")

if fleet["robots"]:
    name = fleet["robots"][0]["name"]
    try:
        print(name, call("pause", robot=name), "then", call("resume", robot=name))
    except RuntimeError as e:
        print(e)  # e.g. "pause: not_running: ..." for a stopped robot
    s = call("status", robot=name)
    print(name, s["state"], "events:", s["events"], "params:", s["params"])

for p in call("positions"):
    print(f"{p['robot']} {p['symbol']}: {p['qty']:+} @ {p['avg_price']}, "
          f"realized {p['realized_pnl']}")
