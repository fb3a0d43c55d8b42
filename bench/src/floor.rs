//! The floor: a ZeroMQ inproc PUSH -> PULL ping-pong between two threads, in the server's own
//! context, with each receiver woken the way a robot is (block in `poll`, then a non-blocking
//! `recv`). One-way latency is half the round trip.

use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Round trips run and thrown away before measuring (page faults, first wakeups).
const WARMUP_TRIPS: u64 = 1000;
/// About the size of an encoded `Inbound::Market` quote.
const PAYLOAD: usize = 96;

static RUNS: AtomicU64 = AtomicU64::new(0);

/// One-way inproc latency in ns (round trip / 2) over `trips` round trips.
pub fn inproc_one_way(ctx: &zmq::Context, trips: u64) -> anyhow::Result<Histogram<u64>> {
    if trips == 0 {
        bail!("--floor-trips must be at least 1");
    }
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let tag = format!("{}-{run}", std::process::id());
    let ping = format!("inproc://robofleet-bench-floor-ping-{tag}");
    let pong = format!("inproc://robofleet-bench-floor-pong-{tag}");
    let socket = |kind| -> anyhow::Result<zmq::Socket> {
        let s = ctx.socket(kind).context("zmq socket")?;
        s.set_linger(0).context("zmq linger")?;
        Ok(s)
    };
    // Bind both PULLs before connecting the PUSHes; sockets then move to their threads.
    let echo_pull = socket(zmq::PULL)?;
    echo_pull.bind(&ping).context("bind floor ping")?;
    let main_pull = socket(zmq::PULL)?;
    main_pull.bind(&pong).context("bind floor pong")?;
    let main_push = socket(zmq::PUSH)?;
    main_push.connect(&ping).context("connect floor ping")?;
    let echo_push = socket(zmq::PUSH)?;
    echo_push.connect(&pong).context("connect floor pong")?;

    let total = WARMUP_TRIPS + trips;
    let echo = std::thread::Builder::new()
        .name("bench-floor-echo".into())
        .spawn(move || -> Result<(), zmq::Error> {
            for _ in 0..total {
                let msg = recv_like_a_robot(&echo_pull)?;
                echo_push.send(msg, 0)?;
            }
            Ok(())
        })
        .context("cannot start the floor echo thread")?;

    let mut hist = Histogram::<u64>::new(3).context("histogram")?;
    let payload = [0x5au8; PAYLOAD];
    let mut result = Ok(());
    for i in 0..total {
        let t0 = Instant::now();
        if let Err(e) = main_push
            .send(&payload[..], 0)
            .and_then(|()| recv_like_a_robot(&main_pull))
        {
            result = Err(e);
            break;
        }
        let rtt = t0.elapsed().as_nanos() as u64;
        if i >= WARMUP_TRIPS {
            // Auto-resizing histogram: recording cannot fail.
            let _ = hist.record((rtt / 2).max(1));
        }
    }
    if let Err(e) = result {
        // Closing our sockets does not wake the echo thread's poll; leave it behind.
        bail!("floor round trip failed: {e}");
    }
    match echo.join() {
        Ok(Ok(())) => Ok(hist),
        Ok(Err(e)) => bail!("floor echo thread failed: {e}"),
        Err(_) => bail!("floor echo thread panicked"),
    }
}

/// Block in `poll`, then take the message without blocking: what a robot's loop does.
pub(crate) fn recv_like_a_robot(pull: &zmq::Socket) -> Result<Vec<u8>, zmq::Error> {
    loop {
        match pull.poll(zmq::POLLIN, -1) {
            Ok(_) | Err(zmq::Error::EINTR) => {}
            Err(e) => return Err(e),
        }
        match pull.recv_bytes(zmq::DONTWAIT) {
            Ok(m) => return Ok(m),
            Err(zmq::Error::EAGAIN) | Err(zmq::Error::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}
