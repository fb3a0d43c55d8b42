//! The paced floor: the tick -> order path's three-thread chain with nothing in it. A
//! market-data thread sends one message per tick, at the run's tick rate, over inproc
//! PUSH -> PULL to a robot thread, which passes it on to a gateway thread; each receiver
//! sleeps in `poll` between ticks exactly as the real threads do. The one-way ping-pong floor
//! ([`super::floor`]) keeps both threads hot; a paced chain pays two wakeups of sleeping
//! threads per tick (5-40 µs each on this VM), which the real path pays too.

use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Ticks sent and thrown away before measuring.
const WARMUP_TICKS: u64 = 200;
/// About the size of an encoded `Inbound::Market` quote.
const PAYLOAD: usize = 96;

static RUNS: AtomicU64 = AtomicU64::new(0);

/// Source-send -> sink-receive latency in ns over `ticks` ticks sent `rate` a second.
/// The chain's one-way times, and the CPU its three threads used per tick (ns, a mean over
/// every tick sent, warmup included).
pub fn paced_chain(
    ctx: &zmq::Context,
    rate: f64,
    ticks: u64,
) -> anyhow::Result<(Histogram<u64>, f64)> {
    if ticks == 0 || rate.is_nan() || rate <= 0.0 {
        bail!("the paced floor needs ticks and a positive rate");
    }
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let tag = format!("{}-{run}", std::process::id());
    let (robot_ep, gateway_ep) = (
        format!("inproc://robofleet-bench-paced-robot-{tag}"),
        format!("inproc://robofleet-bench-paced-gateway-{tag}"),
    );
    let socket = |kind| -> anyhow::Result<zmq::Socket> {
        let s = ctx.socket(kind).context("zmq socket")?;
        s.set_linger(0).context("zmq linger")?;
        Ok(s)
    };
    let robot_pull = socket(zmq::PULL)?;
    robot_pull.bind(&robot_ep).context("bind paced robot")?;
    let gateway_pull = socket(zmq::PULL)?;
    gateway_pull
        .bind(&gateway_ep)
        .context("bind paced gateway")?;
    let md_push = socket(zmq::PUSH)?;
    md_push.connect(&robot_ep).context("connect paced robot")?;
    let robot_push = socket(zmq::PUSH)?;
    robot_push
        .connect(&gateway_ep)
        .context("connect paced gateway")?;

    let total = WARMUP_TICKS + ticks;
    let base = Instant::now();
    let robot = std::thread::Builder::new()
        .name("bench-paced-robot".into())
        .spawn(move || -> Result<u64, zmq::Error> {
            let cpu = super::thread_cpu::this_thread_ns();
            for _ in 0..total {
                let msg = super::floor::recv_like_a_robot(&robot_pull)?;
                robot_push.send(msg, 0)?;
            }
            Ok(super::thread_cpu::this_thread_ns().saturating_sub(cpu))
        })
        .context("cannot start the paced robot thread")?;
    let gateway = std::thread::Builder::new()
        .name("bench-paced-gateway".into())
        .spawn(move || -> Result<(Histogram<u64>, u64), zmq::Error> {
            let cpu = super::thread_cpu::this_thread_ns();
            let mut hist = Histogram::<u64>::new(3).expect("3 significant digits is valid");
            for i in 0..total {
                let msg = super::floor::recv_like_a_robot(&gateway_pull)?;
                let now = base.elapsed().as_nanos() as u64;
                let sent = msg
                    .get(..8)
                    .and_then(|b| b.try_into().ok())
                    .map_or(now, u64::from_le_bytes);
                if i >= WARMUP_TICKS {
                    let _ = hist.record(now.saturating_sub(sent).max(1));
                }
            }
            Ok((
                hist,
                super::thread_cpu::this_thread_ns().saturating_sub(cpu),
            ))
        })
        .context("cannot start the paced gateway thread")?;

    let period = Duration::from_secs_f64(1.0 / rate);
    let mut payload = [0x5au8; PAYLOAD];
    // The sender's own CPU, around the whole loop (a sleeping thread uses none).
    let source_started = super::thread_cpu::this_thread_ns();
    for i in 0..total {
        // Sleep to the tick's time, as the feed does; the market-data thread then wakes.
        let due = base + period.mul_f64(i as f64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let sent = base.elapsed().as_nanos() as u64;
        payload[..8].copy_from_slice(&sent.to_le_bytes());
        md_push
            .send(&payload[..], 0)
            .context("paced floor send failed")?;
    }
    let source_cpu = super::thread_cpu::this_thread_ns().saturating_sub(source_started);
    match (robot.join(), gateway.join()) {
        (Ok(Ok(robot_cpu)), Ok(Ok((hist, gateway_cpu)))) => {
            let per_tick = (source_cpu + robot_cpu + gateway_cpu) as f64 / total as f64;
            Ok((hist, per_tick))
        }
        (Ok(Err(e)), _) | (_, Ok(Err(e))) => bail!("paced floor thread failed: {e}"),
        _ => bail!("a paced floor thread panicked"),
    }
}
