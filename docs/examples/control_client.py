#!/usr/bin/env python3
"""Drive a running robofleet server over its control socket and check every reply.

This is both the example client of docs/control-protocol.md and its test: it sends every
command, provokes every error code it can, and checks each reply against the shapes the
page documents; it reads orders and trades a page at a time, both ways, and holds the pages
to one big read. It engages and resets the kill switch and reads the audit log those
requests leave. It exits 0 when everything matched and 1 on any mismatch (each one is
printed as it is found). The error codes it cannot provoke against one healthy test server
(store_error, internal, name_taken, shutting_down, and forbidden, which needs a CURVE server)
are listed at the end.

Needs pyzmq (`pip install pyzmq`) and a server with the `template` and `panicky` robots
loaded, fed with market data (panicky buys at the bid, so it gets a fill):

    mkdir -p /tmp/cp/plugins
    cp target/debug/libtemplate_robot.so target/debug/libpanicky.so /tmp/cp/plugins/
    robofleet serve --plugins /tmp/cp/plugins --data /tmp/cp/data \
        --control tcp://127.0.0.1:5590 --feed tcp://127.0.0.1:5591 &
    robofleet feed --synthetic --symbols Si,RTS --rate 50 --endpoint tcp://127.0.0.1:5591 \
        --start 2026-11-02T07:00:00Z &
    python3 docs/examples/control_client.py --control tcp://127.0.0.1:5590 \
        --plugins-dir /tmp/cp/plugins --bad-plugin target/debug/libbad_abi.so \
        --data-dir /tmp/cp/data --shutdown

--plugins-dir/--bad-plugin enable the plugin_error check (the panicky plugin file is
swapped for a bad build, reloaded, and put back). --data-dir enables the bad_instruments
and bad_limits checks (instruments.toml, then risk.toml, is broken, reloaded, and put back).
--shutdown ends with the `shutdown` command. --capture FILE writes every request and reply,
as JSON lines.

WARNING: it stops, restarts, reloads and crashes (on purpose) the robots it is given.
Point it at a test server only.
"""

import argparse
import json
import os
import re
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
        self.last_sent = None  # the body of the last request, as sent

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
        self.last_sent = body
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
ERROR_CODES = {"bad_json", "bad_request", "unknown_command", "unknown_robot", "not_running",
               "already_running", "bad_field", "plugin_error", "store_error", "bad_instruments",
               "shutting_down", "name_taken", "bad_limits", "forbidden", "internal"}
# The codes this script cannot bring about against one healthy test server, and why.
NOT_PROVOKED = {
    "store_error": "the embedded store does not fail",
    "internal": "a healthy server does not fail",
    "name_taken": "needs a second server on a shared MongoDB store",
    "shutting_down": "the socket closes moments after the shutdown reply",
    "forbidden": "needs a CURVE server (serve --control-auth) and a key below admin",
}
PROVOKED = set()
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


def is_decimal(v):
    """An exact price or amount of money: decimal text such as "99999.5"."""
    return isinstance(v, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]{1,9})?", v) is not None


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
ORDER_STATUSES = {"New", "Working", "PartiallyFilled", "Filled", "Cancelled", "Rejected",
                  "Denied"}
TERMINAL = {"Filled", "Cancelled", "Rejected", "Denied"}
TRADING_STATES = {"ACTIVE", "REDUCING", "HALTED"}
ROLES = {"viewer", "trader", "admin"}
# What a viewer may send: reads, never written to the audit log.
READS = {"list", "status", "positions", "orders", "trades", "stats", "instruments", "audit"}
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
    "trading_state": opt(lambda v: v in TRADING_STATES), "orders_denied": is_int,
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
            and set(v["Limit"]) == {"price"} and is_decimal(v["Limit"]["price"]))


HISTORY = {"status": lambda v: v in ORDER_STATUSES, "ts_ns": is_int, "reason": opt(is_str)}
ORDER = {
    "client_id": is_str, "robot": is_str, "order_seq": is_int, "symbol": is_str,
    "side": lambda v: v in SIDES, "order_type": is_order_type, "qty": is_int,
    "tif": lambda v: v in ("Day", "Gtc", "Ioc", "Fok"),
    "status": lambda v: v in ORDER_STATUSES, "filled_qty": is_int, "avg_price": is_decimal,
    "reason": opt(is_str), "cancel_requested": lambda v: isinstance(v, bool),
    "amend_request": opt(lambda v: shape(v, {"seq": is_int, "price": opt(is_decimal),
                                             "qty": opt(is_int)}, "amend_request")),
    "amends": is_int,
    "created_ns": is_int, "updated_ns": is_int, "history": lambda v: isinstance(v, list),
    "tick_recv_mono_ns": opt(is_int), "tick_sent_ns": opt(is_int),
}
TRADE = {"exec_id": is_str, "client_id": is_str, "robot": is_str, "symbol": is_str,
         "side": lambda v: v in SIDES, "qty": is_int, "price": is_decimal, "ts_ns": is_int,
         "venue_ts_ns": opt(is_int), "fee": is_decimal, "currency": opt(is_str)}
POSITION = {"robot": is_str, "symbol": is_str, "qty": is_int, "avg_price": is_decimal,
            "realized_pnl": is_decimal, "fees": is_decimal, "currency": opt(is_str),
            "trades": is_int}
SESSION = {"start_min": is_int, "end_min": is_int}
INSTRUMENT = {
    "symbol": is_str, "venue": is_str, "currency": is_str, "tick_size": is_decimal,
    "tick_value": is_decimal, "lot_size": is_int, "fee_per_lot": is_decimal,
    "fee_rate": is_decimal, "currency_decimals": is_int, "utc_offset_min": is_int,
    "days": is_int, "expiry_ns": opt(is_int), "effective_from_ns": opt(is_int),
    "sessions": lambda v: isinstance(v, list) and all(
        shape(x, SESSION, "instrument.sessions[]") for x in v),
}


def is_instruments(v):
    return isinstance(v, list) and all(shape(x, INSTRUMENT, "instrument") for x in v)


INSTRUMENT_LIST = {"file": is_str, "instruments": is_instruments}
INSTRUMENT_RELOAD = {"versions": is_int, "changed": is_instruments, "events_sent": is_int}
LIMITS_RELOAD = {"file": is_str, "checked": lambda v: isinstance(v, bool), "robots_sent": is_int}
LATENCY = {k: is_int for k in ("count", "min", "p50", "p99", "p999", "max")}
LATENCY["mean"] = is_num
GATEWAY = {k: is_int for k in ("orders_seen", "cancels_seen", "fills", "rejects",
                               "md_messages", "feed_garbage", "depth_gaps", "store_errors",
                               "md_dropped", "md_conflated", "md_queued", "requests_queued",
                               "session_throttled", "session_waiting", "session_wait_max_ns",
                               "held")}
GATEWAY["venue_session"] = lambda v: v in ("sim", "up", "down")
GATEWAY["latency_inside_ns"] = lambda v: shape(v, LATENCY, "latency_inside_ns")
GATEWAY["latency_wire_ns"] = lambda v: shape(v, LATENCY, "latency_wire_ns")
STATS_ROBOT = {"name": is_str, "events": is_int, "orders_sent": is_int, "md_dropped": is_int,
               "store_errors": is_int, "handle_ns_p50": is_int, "handle_ns_p99": is_int}
KILL_SWITCH_ON = {"engaged": lambda v: v is True, "since_ns": is_int, "by": is_str,
                  "reason": is_str}


def is_kill_switch(v, what="kill_switch"):
    """`{"engaged": false}`, or engaged with `since_ns`, `by` and `reason` (present exactly
    when engaged)."""
    if isinstance(v, dict) and v.get("engaged") is False:
        return shape(v, {"engaged": lambda x: x is False}, what)
    return shape(v, KILL_SWITCH_ON, what)


KILL_SWITCH_ENGAGED = {**KILL_SWITCH_ON, "already_engaged": lambda v: isinstance(v, bool),
                       "robots_halted": is_int, "cancels_requested": is_int}
KILL_SWITCH_RESET = {"engaged": lambda v: v is False,
                     "was": opt(lambda v: is_kill_switch(v, "reset_kill_switch.was")),
                     "robots_resumed": is_int}
AUDIT_ENTRY = {"ts_ns": is_int, "server": is_str, "who": is_str, "role": lambda v: v in ROLES,
               "cmd": is_str, "request": is_str, "result": is_str, "message": is_str}
STATS = {
    "uptime_secs": is_num,
    "market_data": lambda v: shape(v, {k: is_int for k in (
        "messages", "garbage", "unrouted", "delivered", "dropped", "depth_gaps",
        "depth_stale")}, "market_data"),
    "trade_updates": lambda v: shape(v, {"delivered": is_int, "undeliverable": is_int},
                                     "trade_updates"),
    "gateway": lambda v: v is None or shape(v, GATEWAY, "gateway"),
    "store": is_store,
    "control": lambda v: shape(v, {"requests": is_int, "errors": is_int, "forbidden": is_int,
                                   "auth_refused": is_int, "audit_failed": is_int,
                                   "replies_dropped": is_int, "replies_unroutable": is_int},
                               "control"),
    "robots": lambda v: isinstance(v, list) and all(
        shape(r, STATS_ROBOT, "stats.robots[]") for r in v),
    "kill_switch": lambda v: is_kill_switch(v, "stats.kill_switch"),
}


def check_order(o):
    shape(o, ORDER, f"order {o.get('client_id') if isinstance(o, dict) else o}")
    h = o.get("history") or []
    for change in h:
        shape(change, HISTORY, "order.history[]")
    if check(len(h) >= 1, f"order {o.get('client_id')}: empty history"):
        if o.get("status") == "Denied":  # stored so, never New: `Denied` alone
            check(len(h) == 1, f"order {o['client_id']}: Denied with history {h}")
        else:
            check(h[0]["status"] == "New", f"order {o['client_id']}: history starts {h[0]}")
        check(h[-1]["status"] == o["status"],
              f"order {o['client_id']}: last history {h[-1]['status']} != status {o['status']}")
    check(o.get("client_id") == f"{o.get('robot')}-{o.get('order_seq')}",
          f"client_id {o.get('client_id')} is not <robot>-<order_seq>")
    times = [change.get("ts_ns") for change in h if isinstance(change, dict)]
    check(all(is_int(t) for t in times) and all(a < b for a, b in zip(times, times[1:])),
          f"order {o.get('client_id')}: history times do not strictly increase: {times}")


def check_trade_times(t, o):
    """A trade's ts_ns lies after its order's created_ns and the change before the fill, and
    before the change that reports the fill (a PartiallyFilled or Filled)."""
    what = f"trade {t['exec_id']} of {t['client_id']}"
    if not check(o is not None, f"{what}: its order is not in `orders`"):
        return
    ts = t["ts_ns"]
    check(o["created_ns"] < ts < o["updated_ns"],
          f"{what}: ts_ns {ts} not between created_ns {o['created_ns']} "
          f"and updated_ns {o['updated_ns']}")
    h = o["history"]
    later = [i for i, change in enumerate(h) if change["ts_ns"] > ts]
    if check(later and later[0] > 0, f"{what}: ts_ns {ts} not inside history {h}"):
        i = later[0]
        check(h[i]["status"] in ("PartiallyFilled", "Filled"),
              f"{what}: the change after ts_ns {ts} is {h[i]}, not the fill")
        check(h[i - 1]["ts_ns"] < ts, f"{what}: ts_ns {ts} not after {h[i - 1]}")


# Pages of `orders` and `trades`: items in (time, id) order, newest first, and a cursor
# "<ns>:<id>" of the last one as `next`.
PAGED = {"orders": lambda o: (o["created_ns"], o["client_id"]),
         "trades": lambda t: (t["ts_ns"], t["exec_id"])}


def check_page(res, cmd, fields, what):
    """Check an order page or trade page; return its items ([] if it is not one)."""
    key_of = PAGED[cmd]
    if not shape(res, {cmd: lambda v: isinstance(v, list), "more": lambda v: isinstance(v, bool),
                       "next": opt(is_str)}, what):
        return []
    items = res.get(cmd)
    if not isinstance(items, list):
        return []
    for item in items:
        if cmd == "orders":
            check_order(item)
        else:
            shape(item, TRADE, "trade")
    try:
        keys = [key_of(item) for item in items]
    except (KeyError, TypeError):
        return items  # already reported by the shape checks
    oldest_first = "after" in fields and "before" not in fields
    pairs = list(zip(keys, keys[1:]))
    if oldest_first:
        check(all(a < b for a, b in pairs), f"{what}: not oldest first: {keys}")
    else:
        check(all(a > b for a, b in pairs), f"{what}: not newest first: {keys}")
    want_next = f"{keys[-1][0]}:{keys[-1][1]}" if keys else None
    check(res.get("next") == want_next, f"{what}: next {res.get('next')!r} != {want_next!r}")
    limit = fields.get("limit", 100)
    check(len(items) <= limit, f"{what}: {len(items)} items, limit {limit}")
    return items


def expect_page(client, cmd, **fields):
    """`orders` or `trades`: the page, checked; a malformed one becomes an empty page."""
    res = expect_ok(client, cmd, **fields)
    items = check_page(res, cmd, fields, f"{cmd} {fields}")
    if not isinstance(res, dict):
        return {cmd: items, "more": False, "next": None}
    return {**res, cmd: items}


def walk(client, cmd, direction, limit, start=None, **filters):
    """Read every page: each page's `next` as the next request's `before` (or `after`)
    until `more` is false. Returns the items and the last page's `next`."""
    items, cursor, more_promised = [], start, False
    for _ in range(10_000):
        fields = {**filters, "limit": limit}
        if cursor is not None:
            fields[direction] = cursor
        page = expect_page(client, cmd, **fields)
        if more_promised:
            check(page[cmd], f"{cmd} {fields}: empty page after a page with more=true")
        items += page[cmd]
        if not page.get("more"):
            return items, page.get("next")
        if not check(page.get("next") is not None, f"{cmd} {fields}: more=true, next=null"):
            return items, None
        cursor, more_promised = page["next"], True
    fail(f"{cmd}: more than 10000 pages of {limit}")
    return items, None


def check_paging(client, cmd, **filters):
    """Walk all pages back (`before`) and forward (`after`); both must hold what one big
    read holds, newest first and oldest first, each item once."""
    key_of = PAGED[cmd]
    n = len(expect_page(client, cmd, limit=10_000, **filters)[cmd])
    limit = max(1, n // 3)  # several pages
    back, _ = walk(client, cmd, "before", limit, **filters)
    full = expect_page(client, cmd, limit=10_000, **filters)[cmd]
    ids = [key_of(x) for x in back]
    check(len(set(ids)) == len(ids), f"{cmd} {filters}: an item twice in the `before` walk")
    # Anything newer than the walk's first page came in after it started: leave it out.
    expect = [key_of(x) for x in full if not ids or key_of(x) <= ids[0]]
    if len(expect) < len(full):
        print(f"  ({len(full) - len(expect)} newer {cmd} came in during the walk)")
    check(ids == expect, f"{cmd} {filters}: the `before` walk (limit {limit}) read {len(ids)} "
                         f"items, one limit=10000 read {len(expect)}, or not in its order")
    fwd, last = walk(client, cmd, "after", limit, start=0, **filters)
    fids = [key_of(x) for x in fwd if not ids or key_of(x) <= ids[0]]
    check(len(set(fids)) == len(fids), f"{cmd} {filters}: an item twice in the `after` walk")
    check(fids == ids[::-1], f"{cmd} {filters}: the `after` walk is not the `before` walk "
                             f"reversed ({len(fids)} vs {len(ids)} items)")
    print(f"  {cmd} {filters or ''}: {len(ids)} items, pages of {limit}, both ways")
    return back, last


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
        if check(err["code"] == code, f"{what}: code {err['code']!r}, expected {code!r}"):
            PROVOKED.add(code)
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


def trading_states(client):
    return {s["name"]: s["trading_state"] for s in client.call("status")["result"]}


def check_kill_switch(c, bot):
    """Engage the kill switch, engage it again, reset it twice, and once more without a
    reason. Returns the bodies of these requests, as sent, oldest first (for `audit`)."""
    print("== kill_switch, reset_kill_switch")
    sent = []
    statuses = expect_ok(c, "status")
    live = sorted(s["name"] for s in statuses if s["state"]["state"] in ("running", "paused"))
    before = {n: v for n, v in trading_states(c).items() if n in live}
    t0 = time.time_ns()
    res = expect_ok(c, "kill_switch", reason="drill")
    t1 = time.time_ns()
    sent.append(c.last_sent)
    first = None
    if shape(res, KILL_SWITCH_ENGAGED, "kill_switch"):
        first = {k: res[k] for k in KILL_SWITCH_ON}
        check(res["already_engaged"] is False, f"kill_switch: already_engaged {res}")
        check((res["by"], res["reason"]) == ("local", "drill"), f"kill_switch: by/reason {res}")
        check(t0 <= res["since_ns"] <= t1, f"kill_switch: since_ns {res['since_ns']} not "
                                           f"between {t0} and {t1}")
        check(res["robots_halted"] == len(live),
              f"kill_switch: robots_halted {res['robots_halted']}, running robots {live}")
        print(f"  {res['robots_halted']} robots halted, "
              f"{res['cancels_requested']} cancels requested")
    wait_for("trading_state HALTED", lambda: all(
        v == "HALTED" for n, v in trading_states(c).items() if n in live), timeout=5)
    res = expect_ok(c, "stats")
    check(res.get("kill_switch") == first, f"stats.kill_switch {res.get('kill_switch')} "
                                           f"!= the switch kill_switch engaged {first}")
    # While it is engaged, new orders are denied (kept as Denied) and open ones cancelled.
    since = first["since_ns"] if first else 0
    denied = wait_for(f"a Denied order of {bot} since the switch", lambda: [
        o for o in c.call("orders", robot=bot, status="Denied")["result"]["orders"]
        if o["created_ns"] >= since], timeout=10)
    if denied:
        res = expect_page(c, "orders", robot=bot, status="Denied")["orders"]
        check(res and all(o["status"] == "Denied" for o in res), f"status=Denied: {res}")
        print(f"  denied: {denied[0]['client_id']}: {denied[0]['reason']!r}")
        st = expect_ok(c, "status", robot=bot)
        check(st["orders_denied"] >= 1, f"{bot}: orders_denied {st['orders_denied']}")
    wait_for("every open order cancelled", lambda: not c.call(
        "orders", open_only=True)["result"]["orders"], timeout=10)

    res = expect_ok(c, "kill_switch", reason="again")
    sent.append(c.last_sent)
    if shape(res, KILL_SWITCH_ENGAGED, "kill_switch (engaged)"):
        check(res["already_engaged"] is True, f"kill_switch again: already_engaged {res}")
        check({k: res[k] for k in KILL_SWITCH_ON} == first,
              f"kill_switch again changed the switch: {res}, first {first}")
    res = expect_ok(c, "reset_kill_switch")
    sent.append(c.last_sent)
    if shape(res, KILL_SWITCH_RESET, "reset_kill_switch"):
        check(res["was"] == first, f"reset_kill_switch: was {res['was']} != {first}")
        check(res["robots_resumed"] == len(live),
              f"reset_kill_switch: robots_resumed {res['robots_resumed']}, running {live}")
    res = expect_ok(c, "stats")
    check(res.get("kill_switch") == {"engaged": False},
          f"stats.kill_switch after the reset: {res.get('kill_switch')}")
    wait_for(f"trading_state back to {before}", lambda: {
        n: v for n, v in trading_states(c).items() if n in live} == before, timeout=5)
    res = expect_ok(c, "reset_kill_switch")
    sent.append(c.last_sent)
    if shape(res, KILL_SWITCH_RESET, "reset_kill_switch (not engaged)"):
        check(res["was"] is None, f"reset_kill_switch, not engaged: was {res['was']}")

    res = expect_ok(c, "kill_switch")  # no reason
    sent.append(c.last_sent)
    if shape(res, KILL_SWITCH_ENGAGED, "kill_switch (no reason)"):
        check(res["reason"] == "no reason given", f"kill_switch: default reason {res}")
        check(res["already_engaged"] is False, f"kill_switch after reset: {res}")
    res = expect_ok(c, "reset_kill_switch")
    sent.append(c.last_sent)
    if shape(res, KILL_SWITCH_RESET, "reset_kill_switch"):
        check(isinstance(res["was"], dict) and res["was"].get("reason") == "no reason given",
              f"reset_kill_switch: was {res['was']}")
    wait_for(f"trading_state back to {before}", lambda: {
        n: v for n, v in trading_states(c).items() if n in live} == before, timeout=5)
    return [b.decode("utf-8") for b in sent]


def audit_page(client, **fields):
    """`audit`: its entries, checked (newest first, distinct times, at most `limit`)."""
    res = expect_ok(client, "audit", **fields)
    what = f"audit {fields}"
    if not shape(res, {"entries": lambda v: isinstance(v, list)}, what):
        return []
    entries = res["entries"]
    for e in entries:
        if not shape(e, AUDIT_ENTRY, "audit entry"):
            continue
        # No CURVE: every client is the admin `local`.
        check((e["who"], e["role"]) == ("local", "admin"), f"{what}: who/role of {e}")
        check(e["cmd"] not in READS, f"{what}: a read was logged: {e}")
        check(e["result"] == "ok" or e["result"] in ERROR_CODES, f"{what}: result of {e}")
        check((e["result"] == "ok") == (e["message"] == ""), f"{what}: message of {e}")
        check(len(e["request"].encode("utf-8")) <= 4096 + 3, f"{what}: request too long: {e}")
    times = [e.get("ts_ns") for e in entries if isinstance(e, dict)]
    check(all(a > b for a, b in zip(times, times[1:])),
          f"{what}: times not newest first and distinct: {times}")
    check(len(entries) <= fields.get("limit", 100), f"{what}: {len(entries)} entries")
    return entries


def check_audit(c, sent):
    """`sent`: the bodies of the newest requests that change something, oldest first."""
    print("== audit")
    everything = audit_page(c, limit=10_000)
    check(audit_page(c) == everything[:100], "audit without limit: not the newest 100")
    newest = audit_page(c, limit=len(sent))  # the reads sent since are not in the log
    got = [(e.get("cmd"), e.get("request"), e.get("result"), e.get("message"))
           for e in reversed(newest)]
    want = [(json.loads(b)["cmd"], b, "ok", "") for b in sent]
    check(got == want, f"audit: the newest entries {got} are not the kill_switch and "
                       f"reset_kill_switch requests just sent {want}")
    print(f"  {len(everything)} entries; the newest {len(newest)} are the kill switch's")
    # Refused requests are logged too, with their code and message.
    err = expect_err(c, "unknown_robot", "pause", robot="no-such-robot").get("error", {})
    body = c.last_sent.decode("utf-8")
    res = audit_page(c, limit=1)
    want = [("pause", body, "unknown_robot", err.get("message"))]
    check([(e.get("cmd"), e.get("request"), e.get("result"), e.get("message"))
           for e in res] == want, f"audit after a refused pause: {res}, expected {want}")
    for bad in (0, 10_001, -1):
        expect_err(c, "bad_field", "audit", limit=bad)


# ---------------------------------------------------------------------------------------


def run(args):
    ctx = zmq.Context.instance()
    c = ControlClient(args.control, timeout_ms=args.timeout_ms, ctx=ctx)
    bot, fragile = args.robot, args.fragile

    # A server just started loads its plugin files after a short quiet period: wait for them.
    wait_for(f"{bot} and {fragile} loaded", lambda: {bot, fragile} <= {
        r["name"] for r in c.call("list")["result"]["robots"]})

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
    # ... or the kill switch engaged (it is kept on disk across restarts).
    if c.call("stats")["result"]["kill_switch"]["engaged"]:
        expect_ok(c, "reset_kill_switch")

    print("== pause, resume")
    check(expect_ok(c, "pause", robot=bot) == "pausing", "pause result")
    wait_for("paused", lambda: state_of(c, bot) == "paused")
    check(expect_ok(c, "resume", robot=bot) == "resuming", "resume result")
    wait_for("running", lambda: state_of(c, bot) == "running")
    expect_err(c, "unknown_robot", "pause", robot="no-such-robot")
    check(expect_ok(c, "resume_trading", robot=bot) == "resuming trading",
          "resume_trading result")
    expect_err(c, "unknown_robot", "resume_trading", robot="no-such-robot")

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
                      lambda: c.call("trades", robot=fragile)["result"]["trades"], timeout=20)
    res = expect_page(c, "trades", robot=fragile)
    for t in res["trades"]:
        check(t["robot"] == fragile, f"trade of another robot: {t}")
    all_trades = expect_page(c, "trades", limit=10_000)["trades"]
    check(len(all_trades) >= len(trades or []), "trades (all)")
    # Trades before orders: a trade is recorded before the order change that reports it.
    all_orders = expect_page(c, "orders", limit=10_000)["orders"]
    by_id = {o["client_id"]: o for o in all_orders}
    for t in all_trades:
        check_trade_times(t, by_id.get(t["client_id"]))
    res = expect_page(c, "trades", robot=fragile, symbol="Si", after=0)
    check(all(t["robot"] == fragile and t["symbol"] == "Si" for t in res["trades"]),
          "trades filtered by robot and symbol")
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
    res = expect_page(c, "orders", robot=fragile)["orders"]
    if check(res, "orders: expected a non-empty page"):
        check(all(o["robot"] == fragile for o in res), "orders of another robot")
        check(any(o["status"] == "Filled" for o in res), "no Filled order of the fragile robot")
    res = expect_page(c, "orders", robot=fragile, status="Filled")["orders"]
    check(res and all(o["status"] == "Filled" for o in res), f"status=Filled: {res}")
    expect_page(c, "orders", robot=bot)
    res = expect_page(c, "orders", robot=bot, open_only=True, limit=1)["orders"]
    for o in res:
        check(o["status"] not in TERMINAL, f"open_only returned a {o['status']} order")
    res = expect_page(c, "orders")  # the default limit is 100
    n = len(res["orders"])
    check(n == 100 if res["more"] else n >= min(100, len(all_orders)),
          f"orders: {n} with more={res['more']}, of at least {len(all_orders)}")
    res = expect_page(c, "orders", symbol="Si", status="Cancelled", before=9000000000000000000)
    check(all(o["symbol"] == "Si" and o["status"] == "Cancelled" for o in res["orders"]),
          "orders filtered by symbol and status")
    expect_page(c, "orders", after="0:a", limit=2)
    empty = {"more": False, "next": None}
    check(expect_ok(c, "trades", robot="no-such-robot") == {"trades": [], **empty},
          "trades of unknown robot: expected an empty page")
    check(expect_ok(c, "orders", robot="no-such-robot") == {"orders": [], **empty},
          "orders of unknown robot: expected an empty page")
    for bad in ({"limit": 0}, {"limit": 10_001}, {"limit": -1}, {"status": "Bogus"},
                {"before": "x"}, {"after": "x"}, {"before": "1x:a"}):
        expect_err(c, "bad_field", "orders", robot=bot, **bad)
    for bad in ({"limit": 0}, {"limit": 10_001}, {"before": "x"}, {"after": "x"}):
        expect_err(c, "bad_field", "trades", **bad)

    print("== stats")
    res = expect_ok(c, "stats")
    if shape(res, STATS, "stats"):
        ctl = res["control"]
        # No CURVE: every client is the admin `local`, nothing is refused; the store is healthy.
        check((ctl.get("forbidden"), ctl.get("auth_refused"), ctl.get("audit_failed")) ==
              (0, 0, 0), f"stats.control: forbidden/auth_refused/audit_failed not 0: {ctl}")
        check(res["kill_switch"] == {"engaged": False},
              f"stats.kill_switch: {res['kill_switch']}, expected {{'engaged': False}}")

    check_audit(c, check_kill_switch(c, bot))

    print("== instruments, reload_instruments")
    listed = expect_ok(c, "instruments")
    shape(listed, INSTRUMENT_LIST, "instruments")
    shape(expect_ok(c, "reload_instruments"), INSTRUMENT_RELOAD, "reload_instruments")
    if args.data_dir:
        path = os.path.join(args.data_dir, "instruments.toml")
        check(os.path.samefile(path, listed["file"]), f"instruments.file {listed['file']}")
        keep = path + ".keep"
        shutil.copyfile(path, keep)
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write('[[instrument]]\nsymbol = "Si"\n')  # required keys missing
            expect_err(c, "bad_instruments", "reload_instruments")
            check(expect_ok(c, "instruments") == listed, "a refused reload changed the registry")
        finally:
            os.replace(keep, path)

    print("== reload_limits")
    live = [s["name"] for s in expect_ok(c, "status") if s["state"]["state"] == "running"]
    res = expect_ok(c, "reload_limits")
    if shape(res, LIMITS_RELOAD, "reload_limits"):
        check(res["robots_sent"] == len(live),
              f"reload_limits: robots_sent {res['robots_sent']}, running robots {live}")
    if args.data_dir and isinstance(res, dict):
        path = os.path.join(args.data_dir, "risk.toml")
        check(os.path.realpath(path) == os.path.realpath(res["file"]),
              f"reload_limits.file {res['file']}")
        check(res["checked"] == os.path.exists(path), f"reload_limits.checked {res['checked']}")
        keep = path + ".keep" if os.path.exists(path) else None
        if keep:
            shutil.copyfile(path, keep)
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write("this is [not toml\n")
            expect_err(c, "bad_limits", "reload_limits")
        finally:
            if keep:
                os.replace(keep, path)
            else:
                os.remove(path)  # the limits are unchanged: nothing to reload

    print("== stop, start (fleet-manager commands)")
    t0 = time.monotonic()
    check(expect_ok(c, "stop", robot=bot) == {"stopped": bot}, "stop result")
    print(f"  stop answered in {1000 * (time.monotonic() - t0):.1f} ms")
    check(state_of(c, bot) == "stopped", "state right after the stop reply is not stopped")
    expect_err(c, "not_running", "stop", robot=bot)
    expect_err(c, "not_running", "pause", robot=bot)
    expect_err(c, "not_running", "resume", robot=bot)
    expect_err(c, "not_running", "resume_trading", robot=bot)
    expect_err(c, "not_running", "command", robot=bot, name="x")
    expect_err(c, "not_running", "set_params", robot=bot, params={"every": 3})
    expect_err(c, "unknown_robot", "stop", robot="no-such-robot")
    expect_err(c, "unknown_robot", "start", robot="no-such-robot")

    print(f"== paging ({bot} stopped, so its orders stand still)")
    back, last = check_paging(c, "orders", robot=bot)
    if back:
        res = expect_page(c, "orders", robot=bot, after=last)
        check(res == {"orders": [], "more": False, "next": None},
              f"after the newest order: expected an empty page, got {res}")
        res = expect_page(c, "orders", robot=bot, limit=10_000,
                          before=back[0]["created_ns"] + 1, after=back[-1]["created_ns"] - 1)
        check([o["client_id"] for o in res["orders"]] == [o["client_id"] for o in back],
              "orders between two times (integer cursors)")
    if len(back) >= 3:
        newest = f"{back[0]['created_ns']}:{back[0]['client_id']}"
        oldest = f"{back[-1]['created_ns']}:{back[-1]['client_id']}"
        res = expect_page(c, "orders", robot=bot, before=newest, after=oldest)
        check([o["client_id"] for o in res["orders"]] == [o["client_id"] for o in back[1:-1]],
              "orders between two cursors: expected all but the newest and oldest, newest first")
    check_paging(c, "trades")
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
    check(st["params"].get("every") == 5, f"reload dropped params set over the socket: "
                                          f"{st['params']}")
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

    print("== malformed requests (not written to the audit log)")
    newest = expect_ok(c, "audit", limit=1)
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
    check(expect_ok(c, "audit", limit=1) == newest,
          "bad_json/bad_request/unknown_command requests were written to the audit log")

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
    ap.add_argument("--data-dir",
                    help="the server's data folder (bad_instruments and bad_limits checks)")
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
    if not FAILURES:  # a run cut short provokes less
        check(PROVOKED == ERROR_CODES - set(NOT_PROVOKED),
              f"error codes provoked {sorted(PROVOKED)}, expected every documented one but "
              f"{sorted(NOT_PROVOKED)}")
    print()
    if FAILURES:
        print(f"FAILED: {len(FAILURES)} mismatch(es) with the documented protocol")
        return 1
    print("error codes not provoked: " +
          "; ".join(f"{k} ({why})" for k, why in sorted(NOT_PROVOKED.items())))
    print("all replies matched the documented protocol")
    return 0


if __name__ == "__main__":
    sys.exit(main())
