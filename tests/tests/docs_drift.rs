//! The docs against the code, so that neither can change without the other: every reply
//! shape of docs/control-protocol.md against a real server's replies (and against the
//! page's own examples), every error code, the `id` echo, the command list, the replay
//! documents of docs/replay.md against a real replay, and every documented command-line
//! option against the binary's `--help`.
//!
//! The expectations are read from the docs (see `robofleet_tests::doc_shapes`); the test
//! only knows how to bring the server into the state each request needs.

use robofleet_tests::doc_shapes::{backticked, parse_type, workspace_root, Checker, Doc, Ty};
use robofleet_tests::*;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

const T: Duration = Duration::from_secs(15);
const PROTOCOL: &str = "docs/control-protocol.md";

/// Ids a double cannot hold, escapes, spacing and every kind of JSON value: each must come
/// back as the same text, byte for byte.
const IDS: &[&str] = &[
    "18446744073709551617",
    r#""caf\u00e9 \"quoted\" \\ \t""#,
    r#"{"seq": [1, "a"],  "n" : null, "big": 123456789012345678901234567890}"#,
    "1e400",
    "-9223372036854775809",
    "0.10",
    "[ ]",
    "null",
    "false",
    "42",
];

/// Error codes a single server on the embedded store cannot be made to give, and why.
/// The account the page's server runs with: every robot in it, limits never reached.
const DESK: &str = "[accounts.desk]\nrobots = [\"template\", \"panicky\"]\nmax_notional = \"1000000000\"\ndaily_loss = { halt = \"1000000000\" }\n";

const NOT_PROVOKED: &[(&str, &str)] = &[
    ("store_error", "the embedded store's reads do not fail"),
    (
        "internal",
        "only when a thread or channel of the server itself fails",
    ),
    (
        "name_taken",
        "needs two servers on one MongoDB store (tests/mongo_fleet.rs)",
    ),
    (
        "forbidden",
        "needs a server with CURVE and client roles (tests/control_auth.rs)",
    ),
];

/// One row of the page's Results table: a request and the type of its `result`.
struct Row {
    text: String,
    cmd: String,
    robot: Option<String>,
    result: Ty,
}

fn results(doc: &Doc) -> Vec<Row> {
    let table = doc.table("results", &["request", "`result`"]);
    table[1..]
        .iter()
        .map(|row| {
            let text = backticked(&row[0]).concat();
            let request: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("Results: request {text} is not JSON: {e}"));
            let result = parse_type(&row[1]).unwrap_or_else(|e| panic!("Results: {text}: {e}"));
            Row {
                cmd: request["cmd"]
                    .as_str()
                    .expect("a request has a cmd")
                    .to_string(),
                robot: request["robot"].as_str().map(String::from),
                text,
                result,
            }
        })
        .collect()
}

/// The Error codes table: code -> whether an object body's id comes back.
fn error_codes(doc: &Doc) -> BTreeMap<String, bool> {
    let table = doc.table("error-codes", &["code", "when", "id echoed"]);
    table[1..]
        .iter()
        .map(|row| (backticked(&row[0]).concat(), row[2].starts_with("yes")))
        .collect()
}

/// The commands the Requests table lists for `cmd`.
fn documented_commands(doc: &Doc) -> BTreeSet<String> {
    let table = doc.table("requests", &["field", "type", "meaning"]);
    let row = table
        .iter()
        .find(|r| r[0] == "`cmd`")
        .expect("the Requests table has a `cmd` row");
    backticked(&row[2]).into_iter().collect()
}

/// `{"cmd": ...}` -> `{"id": <id>, "cmd": ...}`, spliced as text so the id is sent exactly
/// as written.
fn with_id(request: &str, id: &str) -> String {
    let rest = request
        .trim()
        .strip_prefix('{')
        .expect("a request is an object");
    format!("{{\"id\": {id}, {rest}")
}

/// The raw JSON text of a reply's `id`.
fn raw_id(reply: &str) -> Option<String> {
    let fields: HashMap<String, Box<RawValue>> = serde_json::from_str(reply).ok()?;
    fields.get("id").map(|r| r.get().to_string())
}

/// A reply as a `Value`, its `id` (`any`, compared as text by `raw_id`) standing in as
/// `null`: an id such as `1e400` is valid JSON that `Value` cannot hold.
fn parse_reply(reply: &str) -> Result<Value, String> {
    let fields: HashMap<String, Box<RawValue>> =
        serde_json::from_str(reply).map_err(|e| format!("reply is not a JSON object ({e})"))?;
    let mut map = serde_json::Map::new();
    for (key, raw) in fields {
        let value = if key == "id" {
            Value::Null
        } else {
            serde_json::from_str(raw.get()).map_err(|e| format!("reply.{key}: {e}"))?
        };
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

/// A REQ socket that hands back the reply's text, for the byte-for-byte id checks.
struct Wire {
    socket: zmq::Socket,
}

impl Wire {
    fn new(endpoint: &str) -> Wire {
        let socket = robofleet::server::zmq_context().socket(zmq::REQ).unwrap();
        socket.set_linger(0).unwrap();
        socket.set_rcvtimeo(T.as_millis() as i32).unwrap();
        socket.connect(endpoint).unwrap();
        Wire { socket }
    }

    fn call(&self, body: &str) -> String {
        self.socket.send(body.as_bytes(), 0).unwrap();
        let reply = self
            .socket
            .recv_bytes(0)
            .unwrap_or_else(|e| panic!("no reply to {body}: {e}"));
        String::from_utf8(reply).expect("a reply is UTF-8")
    }
}

/// A request body for an error check: the text, and the id in it, if any.
struct Body {
    text: String,
    id: Option<String>,
}

/// Sends requests and collects every way a reply differs from the page.
struct Run<'a> {
    checker: Checker<'a>,
    codes: BTreeMap<String, bool>,
    wire: Wire,
    next: usize,
    provoked: BTreeSet<String>,
    failures: Vec<String>,
}

impl Run<'_> {
    fn next_id(&mut self) -> String {
        self.next += 1;
        IDS[self.next % IDS.len()].to_string()
    }

    /// An object request with the next id spliced in.
    fn object(&mut self, request: &str) -> Body {
        let id = self.next_id();
        Body {
            text: with_id(request, &id),
            id: Some(id),
        }
    }

    fn check_id(&mut self, what: &str, reply: &str, want: Option<&str>) {
        let got = raw_id(reply);
        if got.as_deref() != want {
            self.failures.push(format!(
                "{what}: id {got:?} in the reply, {want:?} expected: {reply}"
            ));
        }
    }

    /// Send `body`; its reply must be a success reply whose result is a `result`.
    fn success(&mut self, what: &str, body: &str, id: Option<&str>, result: &Ty) -> Value {
        let text = self.wire.call(body);
        self.check_id(what, &text, id);
        let reply = match parse_reply(&text) {
            Ok(v) => v,
            Err(e) => {
                self.failures.push(format!("{what}: {e}: {text}"));
                return Value::Null;
            }
        };
        let envelope = self
            .checker
            .check(&reply, &Ty::Ref("success-reply".into()), "reply");
        let result = envelope.and_then(|_| self.checker.check(&reply["result"], result, "result"));
        if let Err(e) = result {
            self.failures
                .push(format!("{what}: {e}\n    reply: {text}"));
        }
        reply
    }

    /// Send `body`; its reply must be an error reply with `code`, echoing the id when the
    /// Error codes table says so. Returns the message.
    fn error(&mut self, code: &str, body: Body) -> String {
        let what = format!("{code} from {}", body.text);
        let Some(&echoes) = self.codes.get(code) else {
            self.failures
                .push(format!("{what}: {code} is not in the Error codes table"));
            return String::new();
        };
        self.provoked.insert(code.to_string());
        let text = self.wire.call(&body.text);
        let want_id = body.id.as_deref().filter(|_| echoes);
        self.check_id(&what, &text, want_id);
        let reply = parse_reply(&text).unwrap_or(Value::Null);
        if let Err(e) = self
            .checker
            .check(&reply, &Ty::Ref("error-reply".into()), "reply")
        {
            self.failures
                .push(format!("{what}: {e}\n    reply: {text}"));
        }
        if reply["error"]["code"] != json!(code) {
            self.failures.push(format!("{what}: got {text}"));
        }
        reply["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn wait_state(srv: &mut TestServer, robot: &str, states: &[&str]) -> String {
    let mut last = String::new();
    assert!(
        wait_until(T, || {
            last = srv.state(robot);
            states.contains(&last.as_str())
        }),
        "{robot} is {last}, not one of {states:?}"
    );
    last
}

/// What a request for a live robot needs: the robot in one of `keep` (else running).
fn ensure_live(srv: &mut TestServer, robot: &str, keep: &[&str]) {
    // `starting` settles by itself; every other state is acted on.
    let state = wait_state(srv, robot, &["running", "paused", "stopped", "failed"]);
    let wake = match state.as_str() {
        s if keep.contains(&s) => return,
        "paused" => "resume",
        _ => "start",
    };
    srv.ok(json!({"cmd": wake, "robot": robot}));
    wait_state(srv, robot, &["running"]);
}

fn ensure_stopped(srv: &mut TestServer, robot: &str) {
    let state = wait_state(srv, robot, &["running", "paused", "stopped", "failed"]);
    if state == "running" || state == "paused" {
        srv.ok(json!({"cmd": "stop", "robot": robot}));
    }
}

#[test]
fn every_documented_reply_is_what_the_server_sends() {
    let doc = Doc::load(PROTOCOL);
    let rows = results(&doc);
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |dir, data| {
        std::fs::write(
            dir.join("libtemplate_robot.toml"),
            "params = { every = 2 }\n",
        )
        .unwrap();
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
        install(&plugin("panicky"), dir, "libpanicky.so");
        // An account over both robots, with limits they never reach: `stats.accounts`.
        std::fs::write(data.join("risk.toml"), DESK).unwrap();
    });
    wait_state(&mut srv, "template", &["running"]);
    wait_state(&mut srv, "panicky", &["running"]);

    // Robots trading, so orders, trades and positions have something in them: panicky buys
    // once at the bid and the low quote fills it; template bids under the bid every second
    // quote, cancelling its previous order, and is never filled.
    let has = |srv: &mut TestServer, request: Value, pred: &dyn Fn(&Value) -> bool| {
        // A page of orders or trades: the first page (newest) is enough here.
        let page = srv.ok(request);
        page["orders"]
            .as_array()
            .or(page["trades"].as_array())
            .is_some_and(|a| a.iter().any(pred))
    };
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        feed.quote("Si", 98.0, 99.0, 5);
        std::thread::sleep(Duration::from_millis(5));
        has(
            &mut srv,
            json!({"cmd": "trades", "robot": "panicky"}),
            &|_| true,
        ) && has(
            &mut srv,
            json!({"cmd": "orders", "robot": "template"}),
            &|o| o["status"] == "Cancelled",
        ) && has(
            &mut srv,
            json!({"cmd": "orders", "robot": "template"}),
            &|o| o["status"] == "Working",
        )
    }));

    let endpoint = srv.handle.as_ref().unwrap().control_endpoint().to_string();
    let mut run = Run {
        checker: Checker::new(&doc),
        codes: error_codes(&doc),
        wire: Wire::new(&endpoint),
        next: 0,
        provoked: BTreeSet::new(),
        failures: Vec::new(),
    };

    // A refused file, so `list` has a `refused` entry: a build for another ABI over
    // panicky's file. Panicky runs on; reloading it is a plugin_error.
    install(&plugin("bad_abi"), srv.plugins.path(), "libpanicky.so");
    assert!(wait_until(T, || srv.ok(json!({"cmd": "list"}))["refused"]
        .as_array()
        .is_some_and(|r| !r.is_empty())));
    let body = run.object(r#"{"cmd": "reload", "robot": "panicky"}"#);
    run.error("plugin_error", body);
    // A broken registry file: reload_instruments refuses it and changes nothing.
    let registry = srv.data.path().join(robofleet::instruments::FILE_NAME);
    let good = std::fs::read(&registry).unwrap();
    std::fs::write(&registry, "[[instrument]]\nsymbol = \"Si\"\n").unwrap();
    let body = run.object(r#"{"cmd": "reload_instruments"}"#);
    run.error("bad_instruments", body);
    std::fs::write(&registry, good).unwrap();
    // A broken limits file: reload_limits refuses it and changes nothing.
    let limits = srv.data.path().join(robofleet::risk::limits::FILE_NAME);
    std::fs::write(&limits, "[robots.default]\nmax_working_orders = 0\n").unwrap();
    let body = run.object(r#"{"cmd": "reload_limits"}"#);
    run.error("bad_limits", body);
    std::fs::write(&limits, DESK).unwrap();
    let body = run.object(r#"{"cmd": "resume_account", "account": "nope"}"#);
    run.error("unknown_account", body);
    // The audit log's spool taken by a folder: a state-changing request is refused. First
    // every entry so far in the store (the spool is rewritten empty then).
    assert!(wait_until(T, || srv.ok(json!({"cmd": "stats"}))["control"]
        ["audit_pending"]
        == 0));
    let spool = srv.data.path().join("audit_spool.jsonl");
    let _ = std::fs::remove_file(&spool);
    std::fs::create_dir(&spool).unwrap();
    let body = run.object(r#"{"cmd": "pause", "robot": "template"}"#);
    run.error("audit_unavailable", body);
    std::fs::remove_dir(&spool).unwrap();
    // A failed robot, so a state with a `detail` is in the replies.
    srv.ok(json!({"cmd": "command", "robot": "panicky", "name": "boom"}));
    wait_state(&mut srv, "panicky", &["failed"]);

    // The errors a request can earn by itself.
    let bodies = [
        ("bad_json", r#"{"id": 5, "cmd": "list""#, Some("5")),
        ("bad_json", "", None),
        ("bad_request", "[1, 2]", None),
    ];
    for (code, text, id) in bodies {
        let body = Body {
            text: text.to_string(),
            id: id.map(String::from),
        };
        run.error(code, body);
    }
    for (code, request) in [
        ("bad_request", r#"{"cmd": "start", "robot": null}"#),
        ("bad_request", r#"{"cmd": "orders", "open_only": "yes"}"#),
        ("bad_request", r#"{"cmd": "list", "x": 1e400}"#),
        (
            "unknown_robot",
            r#"{"cmd": "status", "robot": "no-such-robot"}"#,
        ),
        (
            "bad_field",
            r#"{"cmd": "set_params", "robot": "template", "params": [1]}"#,
        ),
        (
            "already_running",
            r#"{"cmd": "start", "robot": "template"}"#,
        ),
    ] {
        let body = run.object(request);
        run.error(code, body);
    }
    let body = run.object(r#"{"cmd": "explode"}"#);
    let message = run.error("unknown_command", body);
    let server_commands: BTreeSet<String> = message
        .split_once("expected one of")
        .map(|(_, list)| backticked(list).into_iter().collect())
        .unwrap_or_default();

    // Every documented request, in the page's order, each brought about as it needs.
    let mut shutdown = None;
    for row in &rows {
        let robot = row.robot.as_deref();
        match (row.cmd.as_str(), robot) {
            ("shutdown", _) => {
                shutdown = Some(row);
                continue;
            }
            ("start", Some(r)) => {
                ensure_stopped(&mut srv, r);
                let body = run.object(&format!(r#"{{"cmd": "pause", "robot": "{r}"}}"#));
                run.error("not_running", body);
            }
            // Resume a paused robot, as the row before left it.
            ("resume", Some(r)) => ensure_live(&mut srv, r, &["running", "paused"]),
            ("stop" | "pause" | "set_params" | "command" | "reload", Some(r)) => {
                ensure_live(&mut srv, r, &["running"])
            }
            _ => {}
        }
        let generation = |srv: &mut TestServer, r: &str| srv.status(r)["generation"].as_u64();
        let before = robot
            .filter(|_| row.cmd == "reload")
            .map(|r| generation(&mut srv, r));
        let id = run.next_id();
        run.success(&row.text, &with_id(&row.text, &id), Some(&id), &row.result);
        // Then wait as the page tells a client to: pause and resume are queued and show
        // once the robot has read them; after a reload the old robot shows `stopped` until
        // the new one has started.
        match (row.cmd.as_str(), robot, before) {
            ("pause", Some(r), _) => drop(wait_state(&mut srv, r, &["paused"])),
            ("resume", Some(r), _) => drop(wait_state(&mut srv, r, &["running"])),
            ("reload", Some(r), Some(before)) => {
                assert!(wait_until(T, || generation(&mut srv, r) > before
                    && srv.state(r) == "running"));
            }
            _ => {}
        }
    }
    // Without an id, no id comes back.
    let first = &rows[0];
    run.success(&first.text, &first.text, None, &first.result);

    // Last, shutdown, with a start right behind it on a DEALER: the start is refused.
    let shutdown = shutdown.expect("Results documents shutdown");
    ensure_live(&mut srv, "template", &["running"]);
    let dealer = robofleet::server::zmq_context()
        .socket(zmq::DEALER)
        .unwrap();
    dealer.set_rcvtimeo(T.as_millis() as i32).unwrap();
    dealer.connect(&endpoint).unwrap();
    let (stop_id, start_id) = (IDS[0], IDS[1]);
    let start = with_id(r#"{"cmd": "start", "robot": "template"}"#, start_id);
    for body in [with_id(&shutdown.text, stop_id), start.clone()] {
        dealer
            .send_multipart([b"".to_vec(), body.into_bytes()], 0)
            .unwrap();
    }
    let mut replies = BTreeMap::new();
    for _ in 0..2 {
        let frames = dealer
            .recv_multipart(0)
            .expect("a reply to shutdown and start");
        let text = String::from_utf8(frames.last().cloned().unwrap_or_default()).unwrap();
        replies.insert(raw_id(&text).unwrap_or_default(), text);
    }
    // Matched by id, as a DEALER client must: the start's refusal may come first.
    let shutdown_reply = replies.get(stop_id).map(|t| (t, parse_reply(t)));
    let checked = match &shutdown_reply {
        Some((_, Ok(reply))) => run
            .checker
            .check(reply, &Ty::Ref("success-reply".into()), "reply")
            .and_then(|_| {
                run.checker
                    .check(&reply["result"], &shutdown.result, "result")
            }),
        Some((text, Err(e))) => Err(format!("{e}: {text}")),
        None => Err(format!("no reply with id {stop_id} among {replies:?}")),
    };
    if let Err(e) = checked {
        run.failures.push(format!("{}: {e}", shutdown.text));
    }
    let want_id = Some(start_id).filter(|_| run.codes.get("shutting_down") == Some(&true));
    let refused = replies
        .values()
        .find(|t| t.contains("shutting_down"))
        .and_then(|t| parse_reply(t).ok().map(|v| (t, v)));
    let fits = refused.as_ref().is_some_and(|(text, v)| {
        v["error"]["code"] == "shutting_down"
            && run
                .checker
                .check(v, &Ty::Ref("error-reply".into()), "reply")
                .is_ok()
            && raw_id(text).as_deref() == want_id
    });
    if !fits {
        run.failures.push(format!(
            "start during shutdown: a shutting_down error with id {want_id:?} expected: {replies:?}"
        ));
    }
    run.provoked.insert("shutting_down".into());
    let handle = srv.handle.take().unwrap();
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        handle.wait();
        let _ = done.send(());
    });
    assert!(ended.recv_timeout(T).is_ok(), "the server did not end");

    // What was documented and never met is drift as well.
    let mut unmet = Vec::new();
    for anchor in doc.shapes.keys() {
        if !run.checker.exercised().contains(anchor) {
            unmet.push(format!("#{anchor}: no real reply had this shape"));
        }
    }
    for (shape, key, seen) in run.checker.optional_keys_unseen() {
        unmet.push(format!(
            "#{shape}: optional key `{key}` was never {}",
            if seen { "absent" } else { "present" }
        ));
    }
    let exempt: BTreeSet<String> = NOT_PROVOKED.iter().map(|(c, _)| c.to_string()).collect();
    for code in run.codes.keys() {
        if !run.provoked.contains(code) && !exempt.contains(code) {
            unmet.push(format!("error code {code}: documented, never provoked"));
        }
    }
    let in_results: BTreeSet<String> = rows.iter().map(|r| r.cmd.clone()).collect();
    let in_requests = documented_commands(&doc);
    if !(in_results == in_requests && in_requests == server_commands) {
        unmet.push(format!(
            "commands differ: Requests table {in_requests:?}, Results table {in_results:?}, \
             server {server_commands:?}"
        ));
    }
    let problems: Vec<String> = run.failures.iter().chain(&unmet).cloned().collect();
    assert!(
        problems.is_empty(),
        "{PROTOCOL} and the server disagree:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_example_on_the_page_fits_its_documented_shape() {
    let doc = Doc::load(PROTOCOL);
    let rows = results(&doc);
    let checker = Checker::new(&doc);
    let commands = documented_commands(&doc);
    let mut problems = Vec::new();
    let mut requests: BTreeMap<String, String> = BTreeMap::new();
    let mut replies = Vec::new();
    let mut checked = 0;
    for block in doc.code_blocks() {
        let mut info = block.info.split_whitespace();
        if info.next() != Some("json") {
            continue;
        }
        let at = format!("{PROTOCOL}:{}", block.line);
        let values: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(&block.text)
            .into_iter()
            .collect();
        let Ok(values) = values else {
            // Trimmed examples say so; anything else unreadable is a broken example.
            if !block.text.contains("...") {
                problems.push(format!("{at}: not JSON, and not marked trimmed with ..."));
            }
            continue;
        };
        // ```json #anchor: every value is of that shape.
        if let Some(anchor) = info.next() {
            let ty = Ty::Ref(anchor.trim_start_matches('#').to_string());
            for v in &values {
                if let Err(e) = checker.check(v, &ty, "example") {
                    problems.push(format!("{at}: {e}"));
                }
                checked += 1;
            }
            continue;
        }
        for v in values {
            if let Some(cmd) = v.get("cmd") {
                let cmd = cmd.as_str().unwrap_or_default().to_string();
                if !commands.contains(&cmd) {
                    problems.push(format!("{at}: request for undocumented command {cmd:?}"));
                }
                let id = v.get("id").map(|i| i.to_string()).unwrap_or_default();
                if requests.insert(id.clone(), cmd).is_some() {
                    problems.push(format!("{at}: two example requests with id {id}"));
                }
            } else if v.get("ok").is_some() {
                replies.push((at.clone(), v));
            } else {
                problems.push(format!(
                    "{at}: neither request nor reply: say its shape, as ```json #anchor"
                ));
            }
        }
    }
    for (at, reply) in &replies {
        checked += 1;
        if reply["ok"] == json!(false) {
            if let Err(e) = checker.check(reply, &Ty::Ref("error-reply".into()), "example") {
                problems.push(format!("{at}: {e}"));
            }
            continue;
        }
        if let Err(e) = checker.check(reply, &Ty::Ref("success-reply".into()), "example") {
            problems.push(format!("{at}: {e}"));
            continue;
        }
        // The result must be what Results says its request returns (any row of that
        // command; every row when the request is not shown).
        let cmd = reply.get("id").and_then(|id| requests.get(&id.to_string()));
        let fits = rows
            .iter()
            .filter(|r| cmd.is_none_or(|c| *c == r.cmd))
            .map(|r| checker.check(&reply["result"], &r.result, "example.result"))
            .collect::<Vec<_>>();
        if !fits.iter().any(|f| f.is_ok()) {
            let why: Vec<String> = fits.into_iter().filter_map(|f| f.err()).collect();
            problems.push(format!(
                "{at}: fits no Results row of {cmd:?}: {}",
                why.join(" | ")
            ));
        }
    }
    assert!(
        checked >= 20,
        "only {checked} examples read: is the page's format changed?"
    );
    assert!(
        problems.is_empty(),
        "examples in {PROTOCOL} that do not fit its Data shapes:\n  {}",
        problems.join("\n  ")
    );
}

/// `robofleet CMD --help`'s options: name -> (default, aliases). CMD may be a subcommand's
/// path (`ctl orders`).
fn help_options(cmd: &str) -> BTreeMap<String, (Option<String>, Vec<String>)> {
    let mut args: Vec<&str> = cmd.split_whitespace().collect();
    args.push("--help");
    let out = robofleet(&args);
    assert!(out.status.success(), "robofleet {cmd} --help failed");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut options: Vec<(String, String)> = Vec::new();
    let mut in_options = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_options = line.trim() == "Options:";
            continue;
        }
        if !in_options {
            continue;
        }
        let t = line.trim_start();
        let t = t.strip_prefix("-h, ").unwrap_or(t);
        // An option's first line starts with `--name` (or `-x, --name`); clap indents the
        // rest of its description further.
        let named = t.strip_prefix(|c: char| c == '-').is_some()
            && t.split_whitespace()
                .next()
                .is_some_and(|w| w.contains("--"));
        if named {
            let first = t.split_whitespace().next().unwrap_or_default();
            let name = first.rsplit(',').next().unwrap_or(first).trim().to_string();
            options.push((name, t.to_string()));
        } else if let Some((_, desc)) = options.last_mut() {
            desc.push(' ');
            desc.push_str(t);
        }
    }
    let bracket = |desc: &str, tag: &str| {
        desc.split_once(&format!("[{tag}: "))
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(v, _)| v.to_string())
    };
    options
        .into_iter()
        .filter(|(name, _)| name != "--help" && name != "--version")
        .map(|(name, desc)| {
            let aliases = bracket(&desc, "alias")
                .or_else(|| bracket(&desc, "aliases"))
                .map(|a| a.split(", ").map(String::from).collect())
                .unwrap_or_default();
            (name, (bracket(&desc, "default"), aliases))
        })
        .collect()
}

#[test]
fn the_documented_options_are_the_real_ones() {
    let mut pages = vec!["README.md".to_string()];
    let docs = workspace_root().join("docs");
    for entry in std::fs::read_dir(&docs).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".md") {
            pages.push(format!("docs/{name}"));
        }
    }
    let mut problems = Vec::new();
    let mut tables: Vec<String> = Vec::new();
    for page in &pages {
        let doc = Doc::load(page);
        for (cmd, table) in doc.flag_tables() {
            tables.push(cmd.clone());
            let help = help_options(&cmd);
            let mut documented = BTreeSet::new();
            for row in &table[1..] {
                let names: Vec<String> = backticked(&row[0])
                    .iter()
                    .filter_map(|s| s.split_whitespace().next())
                    .filter(|s| s.starts_with("--"))
                    .map(String::from)
                    .collect();
                let default = backticked(&row[1]).first().cloned();
                for name in names {
                    let at = format!("{page}: robofleet {cmd} {name}");
                    documented.insert(name.clone());
                    let Some((real, aliases)) = help.get(&name) else {
                        problems.push(format!("{at}: documented, but no such option"));
                        continue;
                    };
                    // A prose default ("whole journal") describes an option left out.
                    let prose = real.is_none() && !row[1].contains('`');
                    if default != *real && !prose {
                        problems.push(format!(
                            "{at}: default {default:?} documented, {real:?} in --help"
                        ));
                    }
                    for alias in aliases {
                        if !row.join(" ").contains(&format!("`{alias}`")) {
                            problems.push(format!("{at}: alias {alias} not documented"));
                        }
                    }
                }
            }
            for name in help.keys() {
                if !documented.contains(name) {
                    problems.push(format!(
                        "{page}: robofleet {cmd} {name} is in --help but not documented"
                    ));
                }
            }
        }
    }
    for cmd in [
        "serve",
        "ctl",
        "ctl orders",
        "ctl trades",
        "feed",
        "replay",
        "new",
        "venue",
    ] {
        if !tables.iter().any(|t| t == cmd) {
            problems.push(format!(
                "no <!-- flags: robofleet {cmd} --> table in the docs"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn replay_documents_are_what_a_replay_writes() {
    let doc = Doc::load("docs/replay.md");
    let checker = Checker::new(&doc);
    // A journal with a divergence for build 2 in it: 30 quotes (see the counter fixture).
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("counter_v1"), dir, "libcounter.so");
    });
    wait_state(&mut srv, "counter", &["running"]);
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        std::thread::sleep(Duration::from_millis(5));
        srv.orders("counter")
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["qty"] == json!(30)))
    }));
    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_string_lossy().to_string();
    let mut problems = Vec::new();
    let mut check = |v: &Value, anchor: &str, what: &str| {
        if let Err(e) = checker.check(v, &Ty::Ref(anchor.into()), what) {
            problems.push(e);
        }
    };
    for (run_id, build) in [("same", "counter_v1"), ("differs", "counter_v2")] {
        let so = plugin(build).to_string_lossy().to_string();
        let args = [
            "--plugin",
            &so,
            "--data",
            &out_dir,
            "--run-id",
            run_id,
            "--snapshot-every",
            "5",
        ];
        let (code, report) = replay_report(&journal, "counter", &args);
        assert_eq!(code, 0, "{report:#}");
        check(&report, "replay_runs", &format!("{run_id}: --json"));
        let dir = out.path().join("replay").join(run_id);
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .unwrap_or_else(|e| panic!("{run_id}/{name}: {e}"))
        };
        let run: Value = serde_json::from_str(&read("run.json")).unwrap();
        check(&run, "replay_runs", &format!("{run_id}/run.json"));
        // What the table says in words: `_id` is the run id, in the stored document only,
        // and `output` is null only when nothing was written.
        assert_eq!(run["_id"], json!(run_id), "{run:#}");
        assert_eq!(run["run_id"], json!(run_id), "{run:#}");
        assert!(report.get("_id").is_none(), "{report:#}");
        assert!(run["output"].is_string() && report["output"].is_string());
        for (name, anchor) in [
            ("actions.jsonl", "replay_actions"),
            ("snapshots.jsonl", "replay_snapshots"),
        ] {
            for (i, line) in read(name).lines().enumerate() {
                let v: Value = serde_json::from_str(line).unwrap();
                check(&v, anchor, &format!("{run_id}/{name}:{}", i + 1));
            }
        }
    }
    for anchor in doc.shapes.keys() {
        if !checker.exercised().contains(anchor) {
            problems.push(format!(
                "#{anchor}: nothing the replay wrote had this shape"
            ));
        }
    }
    for (shape, key, seen) in checker.optional_keys_unseen() {
        problems.push(format!(
            "#{shape}: optional key `{key}` was never {}",
            if seen { "absent" } else { "present" }
        ));
    }
    assert!(
        problems.is_empty(),
        "docs/replay.md and what replay writes disagree:\n  {}",
        problems.join("\n  ")
    );
}
