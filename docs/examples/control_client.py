#!/usr/bin/env python3
"""Drive a running robofleet server over its control socket and check every reply.

This is both the example client of docs/control-protocol.md and its test: it sends every
command, provokes every error code it can, and checks each reply against the shapes the
page documents; it reads orders and trades a page at a time, both ways, and holds the pages
to one big read. It exits 0 when everything matched and 1 on any mismatch (each one is
printed as it is found).

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
check (instruments.toml is broken, reloaded, and put back). --shutdown ends with the `shutdown`
command. --capture FILE writes every request and reply, as JSON lines.

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
LATENCY = {k: is_int for k in ("count", "min", "p50", "p99", "p999", "max")}
LATENCY["mean"] = is_num
GATEWAY = {k: is_int for k in ("orders_seen", "cancels_seen", "fills", "rejects",
                               "md_messages", "feed_garbage", "depth_gaps", "store_errors",
                               "md_dropped")}
GATEWAY["latency_inside_ns"] = lambda v: shape(v, LATENCY, "latency_inside_ns")
GATEWAY["latency_wire_ns"] = lambda v: shape(v, LATENCY, "latency_wire_ns")
STATS_ROBOT = {"name": is_str, "events": is_int, "orders_sent": is_int, "md_dropped": is_int,
               "store_errors": is_int, "handle_ns_p50": is_int, "handle_ns_p99": is_int}
STATS = {
    "uptime_secs": is_num,
    "market_data": lambda v: shape(v, {k: is_int for k in (
        "messages", "garbage", "unrouted", "delivered", "dropped", "depth_gaps",
        "depth_stale")}, "market_data"),
    "trade_updates": lambda v: shape(v, {"delivered": is_int, "undeliverable": is_int},
                                     "trade_updates"),
    "gateway": lambda v: v is None or shape(v, GATEWAY, "gateway"),
    "store": is_store,
    "control": lambda v: shape(v, {"requests": is_int, "errors": is_int,
                                   "replies_dropped": is_int, "replies_unroutable": is_int},
                               "control"),
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
    shape(expect_ok(c, "stats"), STATS, "stats")

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
    ap.add_argument("--data-dir", help="the server's data folder (bad_instruments check)")
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
