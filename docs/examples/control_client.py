#!/usr/bin/env python3
"""Drive a running robofleet server over its control socket and check every reply.

This is both the example client of docs/control-protocol.md and its test: it sends every
command, provokes every error code it can, and checks each reply against the shapes the
page documents. It exits 0 when everything matched and 1 on any mismatch (each one is
printed as it is found).

Needs pyzmq (`pip install pyzmq`) and a server with the `template` and `panicky` robots
loaded, fed with market data (panicky buys at the bid, so it gets a fill):

    mkdir -p /tmp/cp/plugins
    cp target/debug/libtemplate_robot.so target/debug/libpanicky.so /tmp/cp/plugins/
    robofleet serve --plugins /tmp/cp/plugins --data /tmp/cp/data \
        --control tcp://127.0.0.1:5590 --feed tcp://127.0.0.1:5591 &
    robofleet feed --synthetic --symbols Si,RTS --rate 50 --endpoint tcp://127.0.0.1:5591 &
    python3 docs/examples/control_client.py --control tcp://127.0.0.1:5590 \
        --plugins-dir /tmp/cp/plugins --bad-plugin target/debug/libbad_abi.so --shutdown

--plugins-dir/--bad-plugin enable the plugin_error check (the panicky plugin file is
swapped for a bad build, reloaded, and put back). --shutdown ends with the `shutdown`
command. --capture FILE writes every request and reply, as JSON lines.

WARNING: it stops, restarts, reloads and crashes (on purpose) the robots it is given.
Point it at a test server only.
"""

import argparse
import json
import os
import shutil
import sys
import time

import zmq

# ---------------------------------------------------------------------------------------
# A minimal client: REQ socket, one JSON request, one JSON reply.


class Timeout(Exception):
    pass


class ControlClient:
    """REQ client. A REQ socket must get its reply before it may send again, so on a
    timeout the socket is thrown away and a new one is made for the next request."""

    def __init__(self, endpoint, timeout_ms=10_000, ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        self.endpoint = endpoint
        self.timeout_ms = timeout_ms
        self.sock = None
        self.next_id = 0

    def _socket(self):
        if self.sock is None:
            s = self.ctx.socket(zmq.REQ)
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.RCVTIMEO, self.timeout_ms)
            s.connect(self.endpoint)
            self.sock = s
        return self.sock

    def raw(self, body: bytes) -> dict:
        s = self._socket()
        s.send(body)
        try:
            reply = s.recv()
        except zmq.Again:
            s.close()
            self.sock = None  # the old REQ socket is stuck waiting: never reuse it
            raise Timeout(f"no reply from {self.endpoint} within {self.timeout_ms} ms")
        return json.loads(reply.decode("utf-8"))

    def call(self, cmd, **fields) -> dict:
        self.next_id += 1
        request = {"cmd": cmd, "id": self.next_id, **fields}
        return self.raw(json.dumps(request).encode("utf-8"))

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


# ---------------------------------------------------------------------------------------
# Shape checks. Each failure is recorded and printed; the script exits 1 if there was any.

FAILURES = []
CAPTURE = None


def fail(msg):
    FAILURES.append(msg)
    print(f"  MISMATCH: {msg}")


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_str(v):
    return isinstance(v, str)


def opt(pred):
    return lambda v: v is None or pred(v)


def shape(obj, fields, what):
    """`fields`: name -> predicate. The object must have exactly these keys."""
    if not check(isinstance(obj, dict), f"{what}: not an object: {obj!r}"):
        return False
    keys = set(obj)
    want = set(fields)
    check(keys == want, f"{what}: keys {sorted(keys)} != documented {sorted(want)}")
    for k, pred in fields.items():
        if k in obj:
            check(pred(obj[k]), f"{what}.{k}: unexpected value {obj[k]!r}")
    return True


STATES = {"starting", "running", "paused", "stopping", "stopped", "failed"}
ORDER_STATUSES = {"New", "Working", "PartiallyFilled", "Filled", "Cancelled", "Rejected"}
TERMINAL = {"Filled", "Cancelled", "Rejected"}
SIDES = {"Buy", "Sell"}


def is_state(v):
    if not isinstance(v, dict) or v.get("state") not in STATES:
        return False
    if v["state"] == "failed":
        return set(v) == {"state", "detail"} and is_str(v["detail"])
    return set(v) == {"state"}


def is_params(v):
    return isinstance(v, dict) and all(
        isinstance(x, (bool, int, float, str)) for x in v.values()
    )


def is_str_list(v):
    return isinstance(v, list) and all(is_str(x) for x in v)


STORE = {"backend": lambda v: v in ("embedded", "mongodb"),
         "available": lambda v: isinstance(v, bool), "pending_writes": is_int,
         "failed_writes": is_int, "last_error": opt(is_str)}


def is_store(v):
    return shape(v, STORE, "store")


STATUS = {
    "name": is_str, "state": is_state, "plugin_file": is_str, "build_id": is_str,
    "symbols": is_str_list, "params": is_params, "generation": is_int, "seed": is_int,
    "events": is_int, "fills_received": is_int, "order_updates_received": is_int,
    "orders_sent": is_int, "cancels_sent": is_int, "store_errors": is_int,
    "md_dropped": is_int, "skipped_paused": is_int, "duplicates_dropped": is_int,
    "recovery": is_str, "handle_ns_p50": is_int, "handle_ns_p99": is_int,
    "handle_ns_max": is_int, "store": is_store,
}
LIST_ROBOT = {"name": is_str, "state": is_state, "plugin_file": is_str,
              "build_id": is_str, "symbols": is_str_list}
REFUSED = {"file": is_str, "error": is_str}


def is_order_type(v):
    if v == "Market":
        return True
    return (isinstance(v, dict) and set(v) == {"Limit"} and isinstance(v["Limit"], dict)
            and set(v["Limit"]) == {"price"} and is_num(v["Limit"]["price"]))


HISTORY = {"status": lambda v: v in ORDER_STATUSES, "ts_ns": is_int, "reason": opt(is_str)}
ORDER = {
    "client_id": is_str, "robot": is_str, "order_seq": is_int, "symbol": is_str,
    "side": lambda v: v in SIDES, "order_type": is_order_type, "qty": is_int,
    "status": lambda v: v in ORDER_STATUSES, "filled_qty": is_int, "avg_price": is_num,
    "reason": opt(is_str), "cancel_requested": lambda v: isinstance(v, bool),
    "created_ns": is_int, "updated_ns": is_int, "history": lambda v: isinstance(v, list),
    "tick_recv_mono_ns": opt(is_int), "tick_sent_ns": opt(is_int),
}
TRADE = {"exec_id": is_str, "client_id": is_str, "robot": is_str, "symbol": is_str,
         "side": lambda v: v in SIDES, "qty": is_int, "price": is_num, "ts_ns": is_int}
POSITION = {"robot": is_str, "symbol": is_str, "qty": is_int, "avg_price": is_num,
            "realized_pnl": is_num, "trades": is_int}
LATENCY = {k: is_int for k in ("count", "min", "p50", "p99", "p999", "max")}
LATENCY["mean"] = is_num
GATEWAY = {k: is_int for k in ("orders_seen", "cancels_seen", "fills", "rejects",
                               "md_messages", "feed_garbage", "store_errors", "md_dropped")}
GATEWAY["latency_inside_ns"] = lambda v: shape(v, LATENCY, "latency_inside_ns")
GATEWAY["latency_wire_ns"] = lambda v: shape(v, LATENCY, "latency_wire_ns")
STATS_ROBOT = {"name": is_str, "events": is_int, "orders_sent": is_int, "md_dropped": is_int,
               "store_errors": is_int, "handle_ns_p50": is_int, "handle_ns_p99": is_int}
STATS = {
    "uptime_secs": is_num,
    "market_data": lambda v: shape(v, {k: is_int for k in (
        "messages", "garbage", "unrouted", "delivered", "dropped")}, "market_data"),
    "trade_updates": lambda v: shape(v, {"delivered": is_int, "undeliverable": is_int},
                                     "trade_updates"),
    "gateway": lambda v: v is None or shape(v, GATEWAY, "gateway"),
    "store": is_store,
    "control": lambda v: shape(v, {"requests": is_int, "errors": is_int}, "control"),
    "robots": lambda v: isinstance(v, list) and all(
        shape(r, STATS_ROBOT, "stats.robots[]") for r in v),
}


def check_order(o):
    shape(o, ORDER, f"order {o.get('client_id') if isinstance(o, dict) else o}")
    h = o.get("history") or []
    for change in h:
        shape(change, HISTORY, "order.history[]")
    if check(len(h) >= 1, f"order {o.get('client_id')}: empty history"):
        check(h[0]["status"] == "New", f"order {o['client_id']}: history starts {h[0]}")
        check(h[-1]["status"] == o["status"],
              f"order {o['client_id']}: last history {h[-1]['status']} != status {o['status']}")
    check(o.get("client_id") == f"{o.get('robot')}-{o.get('order_seq')}",
          f"client_id {o.get('client_id')} is not <robot>-<order_seq>")


# ---------------------------------------------------------------------------------------
# Request helpers that record, print and check the envelope.


def record(request, reply):
    if CAPTURE is not None:
        CAPTURE.write(json.dumps({"request": request, "reply": reply}) + "\n")
        CAPTURE.flush()


def expect_ok(client, cmd, **fields):
    reply = client.call(cmd, **fields)
    request = {"cmd": cmd, "id": client.next_id, **fields}
    record(request, reply)
    print(f"{cmd} {fields or ''} -> ok={reply.get('ok')}")
    check(reply.get("ok") is True, f"{cmd}: expected ok, got {reply}")
    check(set(reply) == {"ok", "result", "id"}, f"{cmd}: reply keys {sorted(reply)}")
    check(reply.get("id") == client.next_id, f"{cmd}: id {reply.get('id')} not echoed")
    return reply.get("result")


def check_error_reply(reply, code, what, sent_id=None):
    check(reply.get("ok") is False, f"{what}: expected an error, got {reply}")
    err = reply.get("error")
    if check(isinstance(err, dict) and set(err) == {"code", "message"},
             f"{what}: error is not {{code, message}}: {err!r}"):
        check(err["code"] == code, f"{what}: code {err['code']!r}, expected {code!r}")
        check(is_str(err["message"]) and err["message"], f"{what}: empty message")
    allowed = {"ok", "error", "id"} if (sent_id is not None) else {"ok", "error"}
    check(set(reply) <= allowed, f"{what}: reply keys {sorted(reply)}")
    if sent_id is not None:
        # Every error but bad_json echoes the id of an object body, as every success does.
        check(reply.get("id") == sent_id, f"{what}: id not echoed: {reply}")


def expect_err(client, code, cmd, **fields):
    reply = client.call(cmd, **fields)
    request = {"cmd": cmd, "id": client.next_id, **fields}
    record(request, reply)
    print(f"{cmd} {fields or ''} -> {reply.get('error', {}).get('code')}")
    check_error_reply(reply, code, f"{cmd} {fields}", sent_id=client.next_id)
    return reply


def expect_raw_err(client, code, body: bytes, sent_id=None):
    reply = client.raw(body)
    record(body.decode("utf-8", "replace"), reply)
    print(f"raw {body[:60]!r} -> {reply.get('error', {}).get('code')}")
    check_error_reply(reply, code, f"raw {body!r}", sent_id=sent_id)
    return reply


def wait_for(desc, fn, timeout=10.0, every=0.1):
    """Poll `fn` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(every)
    fail(f"timed out waiting for {desc}")
    return None


def state_of(client, robot):
    r = client.call("status", robot=robot)
    return r["result"]["state"]["state"] if r.get("ok") else None


# ---------------------------------------------------------------------------------------


def run(args):
    ctx = zmq.Context.instance()
    c = ControlClient(args.control, timeout_ms=args.timeout_ms, ctx=ctx)
    bot, fragile = args.robot, args.fragile

    print("== list, status")
    res = expect_ok(c, "list")
    if shape(res, {"robots": lambda v: isinstance(v, list),
                   "refused": lambda v: isinstance(v, list), "store": is_store}, "list"):
        for r in res["robots"]:
            shape(r, LIST_ROBOT, "list.robots[]")
        for r in res["refused"]:
            shape(r, REFUSED, "list.refused[]")
        names = [r["name"] for r in res["robots"]]
        check(bot in names and fragile in names, f"robots {names} lack {bot}/{fragile}")
        check(names == sorted(names), f"list not sorted by name: {names}")
    res = expect_ok(c, "status")
    if check(isinstance(res, list), "status without robot: not an array"):
        for s in res:
            shape(s, STATUS, "status[]")
    res = expect_ok(c, "status", robot=bot)
    shape(res, STATUS, "status")
    expect_err(c, "unknown_robot", "status", robot="no-such-robot")
    # Make sure both are running (a previous run may have left them otherwise).
    for r in (bot, fragile):
        if state_of(c, r) in ("stopped", "failed"):
            expect_ok(c, "start", robot=r)
        wait_for(f"{r} running", lambda r=r: state_of(c, r) == "running")

    print("== pause, resume")
    check(expect_ok(c, "pause", robot=bot) == "pausing", "pause result")
    wait_for("paused", lambda: state_of(c, bot) == "paused")
    check(expect_ok(c, "resume", robot=bot) == "resuming", "resume result")
    wait_for("running", lambda: state_of(c, bot) == "running")
    expect_err(c, "unknown_robot", "pause", robot="no-such-robot")

    print("== set_params, command")
    before = expect_ok(c, "status", robot=bot)["params"]
    res = expect_ok(c, "set_params", robot=bot, params={"every": 5})
    check(res == {**before, "every": 5}, f"set_params result {res} != merged {before}+every")
    wait_for("params applied",
             lambda: c.call("status", robot=bot)["result"]["params"].get("every") == 5)
    expect_err(c, "bad_field", "set_params", robot=bot, params=[1, 2])
    expect_err(c, "bad_field", "set_params", robot=bot, params={"every": [5]})
    expect_err(c, "bad_field", "set_params", robot=bot, params={"every": None})
    expect_err(c, "unknown_robot", "set_params", robot="no-such-robot", params={"a": 1})
    check(expect_ok(c, "command", robot=bot, name="hello", args="a b c") == "delivered",
          "command result")
    check(expect_ok(c, "command", robot=bot, name="hello") == "delivered", "command, no args")
    expect_err(c, "unknown_robot", "command", robot="no-such-robot", name="x")

    print("== trades, positions, orders (waiting for a fill)")
    trades = wait_for(f"a trade of {fragile}",
                      lambda: c.call("trades", robot=fragile)["result"], timeout=20)
    res = expect_ok(c, "trades", robot=fragile)
    for t in res or []:
        shape(t, TRADE, "trade")
        check(t["robot"] == fragile, f"trade of another robot: {t}")
    res = expect_ok(c, "trades")
    check(isinstance(res, list) and len(res) >= len(trades or []), "trades (all)")
    res = expect_ok(c, "positions")
    if check(isinstance(res, list) and res, "positions: expected a non-empty array"):
        for p in res:
            shape(p, POSITION, "position")
        keys = [(p["robot"], p["symbol"]) for p in res]
        check(keys == sorted(keys), f"positions not sorted by robot, symbol: {keys}")
    res = expect_ok(c, "positions", robot=fragile)
    check(isinstance(res, list) and all(p["robot"] == fragile for p in res),
          "positions filtered")
    check(expect_ok(c, "positions", robot="no-such-robot") == [],
          "positions of an unknown robot: expected []")
    res = expect_ok(c, "orders", robot=fragile)
    if check(isinstance(res, list) and res, "orders: expected a non-empty array"):
        for o in res:
            check_order(o)
        check(any(o["status"] == "Filled" for o in res), "no Filled order of the fragile robot")
    res = expect_ok(c, "orders", robot=bot)
    for o in res or []:
        check_order(o)
    res = expect_ok(c, "orders", robot=bot, open_only=True)
    for o in res or []:
        check_order(o)
        check(o["status"] not in TERMINAL, f"open_only returned a {o['status']} order")
    res = expect_ok(c, "orders")
    check(isinstance(res, list), "orders (all)")
    check(expect_ok(c, "trades", robot="no-such-robot") == [], "trades of unknown robot")
    check(expect_ok(c, "orders", robot="no-such-robot") == [], "orders of unknown robot")

    print("== stats")
    shape(expect_ok(c, "stats"), STATS, "stats")

    print("== stop, start (fleet-manager commands)")
    t0 = time.monotonic()
    check(expect_ok(c, "stop", robot=bot) == {"stopped": bot}, "stop result")
    print(f"  stop answered in {1000 * (time.monotonic() - t0):.1f} ms")
    check(state_of(c, bot) == "stopped", "state right after the stop reply is not stopped")
    expect_err(c, "not_running", "stop", robot=bot)
    expect_err(c, "not_running", "pause", robot=bot)
    expect_err(c, "not_running", "resume", robot=bot)
    expect_err(c, "not_running", "command", robot=bot, name="x")
    expect_err(c, "not_running", "set_params", robot=bot, params={"every": 3})
    expect_err(c, "unknown_robot", "stop", robot="no-such-robot")
    expect_err(c, "unknown_robot", "start", robot="no-such-robot")
    gen = c.call("status", robot=bot)["result"]["generation"]
    check(expect_ok(c, "start", robot=bot) == {"started": bot}, "start result")
    st = c.call("status", robot=bot)["result"]
    check(st["generation"] > gen, "generation did not grow on restart")
    check(st["params"].get("every") == 5, "params set over the socket lost on restart")
    wait_for("running", lambda: state_of(c, bot) == "running")
    expect_err(c, "already_running", "start", robot=bot)

    print("== a failing robot")
    check(expect_ok(c, "command", robot=fragile, name="boom") == "delivered", "boom")
    st = wait_for("failed state", lambda: (lambda s: s if s["state"]["state"] == "failed"
                                           else None)(c.call("status", robot=fragile)["result"]))
    if st:
        shape(st, STATUS, "failed status")
        print(f"  failed: {st['state']}")
    expect_err(c, "not_running", "stop", robot=fragile)
    check(expect_ok(c, "start", robot=fragile) == {"started": fragile}, "restart after failure")

    print("== reload")
    gen = c.call("status", robot=bot)["result"]["generation"]
    check(expect_ok(c, "reload", robot=bot) == {"reloading": [bot]}, "reload result")
    # Until the new robot has started, status still shows the old one (then `stopped`).
    wait_for("reloaded robot running", lambda: (lambda s: s["generation"] > gen and
                                                s["state"]["state"] == "running")(
        c.call("status", robot=bot)["result"]))
    st = c.call("status", robot=bot)["result"]
    check(st["params"].get("every") != 5, "reload kept params set over the socket")
    expect_err(c, "unknown_robot", "reload", robot="no-such-robot")
    if args.plugins_dir and args.bad_plugin:
        so = os.path.join(args.plugins_dir, os.path.basename(c.call(
            "status", robot=fragile)["result"]["plugin_file"]))
        keep = so + ".keep"
        shutil.copyfile(so, keep)
        try:
            tmp = os.path.join(args.plugins_dir, ".incoming")
            shutil.copyfile(args.bad_plugin, tmp)
            os.replace(tmp, so)  # the server's watcher refuses it; the old robot keeps running
            wait_for("refused entry", lambda: c.call("list")["result"]["refused"], timeout=10)
            res = expect_ok(c, "list")
            for r in res["refused"]:
                shape(r, REFUSED, "list.refused[]")
            expect_err(c, "plugin_error", "reload", robot=fragile)
            check(state_of(c, fragile) == "running", "old robot stopped by a refused reload")
        finally:
            os.replace(keep, so)  # the good build comes back: the robot restarts on it
        wait_for("refused entry cleared", lambda: not c.call("list")["result"]["refused"])
        wait_for("fragile running", lambda: state_of(c, fragile) == "running")

    print("== malformed requests")
    expect_raw_err(c, "bad_json", b"{nope")
    expect_raw_err(c, "bad_json", b"")
    expect_raw_err(c, "bad_json", b'{"cmd":"status","robot":"\xff"}')
    expect_raw_err(c, "bad_request", b"[1, 2]")
    expect_raw_err(c, "bad_request", b'{"id": 7}', sent_id=7)
    expect_raw_err(c, "bad_request", b'{"cmd": 7, "id": 8}', sent_id=8)
    expect_raw_err(c, "bad_request", b'{"cmd": "stop", "id": 9}', sent_id=9)
    expect_raw_err(c, "bad_request", b'{"cmd": "orders", "open_only": "yes"}')
    expect_raw_err(c, "unknown_command", b'{"cmd": "explode", "id": 10}', sent_id=10)
    # Any JSON value is a valid id and comes back as sent (Python's json reads integers
    # exactly, so one above 2^64 must come back equal, not as a float).
    reply = c.raw(b'{"cmd": "list", "id": {"seq": [1, "a"]}}')
    check(reply.get("id") == {"seq": [1, "a"]}, f"structured id not echoed: {reply.get('id')}")
    reply = c.raw(b'{"cmd": "list", "id": 18446744073709551617}')
    check(reply.get("id") == 18446744073709551617, f"big id not echoed: {reply.get('id')!r}")
    reply = c.raw(b'{"cmd": "list"}')
    check("id" not in reply, "reply has an id the request did not")

    print("== DEALER client: [b'', body] -> [b'', reply], pipelined")
    d = ctx.socket(zmq.DEALER)
    d.setsockopt(zmq.LINGER, 0)
    d.setsockopt(zmq.RCVTIMEO, args.timeout_ms)
    d.connect(args.control)
    ids = ["d-stop", "d-list", "d-stats", "d-start"]
    reqs = [{"cmd": "stop", "robot": bot, "id": "d-stop"}, {"cmd": "list", "id": "d-list"},
            {"cmd": "stats", "id": "d-stats"}]
    for r in reqs:
        d.send_multipart([b"", json.dumps(r).encode()])
    got = {}
    for _ in reqs:
        frames = d.recv_multipart()
        check(len(frames) == 2 and frames[0] == b"", f"DEALER reply frames: {frames!r}")
        rep = json.loads(frames[-1])
        got[rep.get("id")] = rep
    check(set(got) == set(ids[:3]), f"DEALER ids {sorted(got)}")
    check(all(r.get("ok") for r in got.values()), "DEALER replies not ok")
    d.send_multipart([b"", json.dumps({"cmd": "start", "robot": bot, "id": "d-start"}).encode()])
    rep = json.loads(d.recv_multipart()[-1])
    check(rep.get("result") == {"started": bot}, f"DEALER start: {rep}")
    d.close()

    print("== REQ timeout: recreate the socket")
    dead = ControlClient("tcp://127.0.0.1:1", timeout_ms=300, ctx=ctx)
    for _ in range(2):  # the second try works only because the socket was recreated
        try:
            dead.call("list")
            fail("a reply from a dead endpoint?")
        except Timeout:
            pass
    dead.close()

    if args.shutdown:
        print("== shutdown")
        check(expect_ok(c, "shutdown") == "shutting down", "shutdown result")
        quick = ControlClient(args.control, timeout_ms=500, ctx=ctx)
        try:
            quick.call("list")
            print("  (the server still answered right after shutdown)")
        except Timeout:
            print("  no reply after shutdown, as expected")
        quick.close()
    c.close()


def main():
    global CAPTURE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--control", "--endpoint", default="tcp://127.0.0.1:5560",
                    help="the server's control socket (serve --control)")
    ap.add_argument("--timeout-ms", type=int, default=15_000)
    ap.add_argument("--robot", default="template", help="a well-behaved robot to drive")
    ap.add_argument("--fragile", default="panicky",
                    help="a robot that fails on command `boom` and buys at the bid")
    ap.add_argument("--plugins-dir", help="the server's plugin folder (plugin_error check)")
    ap.add_argument("--bad-plugin", help="a plugin file the server refuses (e.g. libbad_abi.so)")
    ap.add_argument("--shutdown", action="store_true", help="end with the shutdown command")
    ap.add_argument("--capture", help="write every request and reply here (JSON lines)")
    args = ap.parse_args()
    if args.capture:
        CAPTURE = open(args.capture, "w", encoding="utf-8")
    try:
        run(args)
    except Timeout as e:
        fail(str(e))
    except (KeyError, TypeError, ValueError) as e:
        fail(f"unexpected reply structure: {type(e).__name__}: {e}")
    print()
    if FAILURES:
        print(f"FAILED: {len(FAILURES)} mismatch(es) with the documented protocol")
        return 1
    print("all replies matched the documented protocol")
    return 0


if __name__ == "__main__":
    sys.exit(main())
