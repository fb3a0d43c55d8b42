//! A run's report as a table: the figures, the database drift, the goal, and every counter
//! behind the no-loss checks.

use super::baseline::BaselineSummary;
use super::report::MongoReport;
use crate::report::{ratio, us};
use robofleet::gateway::LatencySummary;

/// The report as a table on stdout (the progress lines went to stderr).
pub(super) fn print_table(r: &MongoReport) {
    println!(
        "robofleet bench mongo: MongoDB {} at {} (database {}, {}) in {:.1} s",
        r.database.server_version,
        r.database.hosts,
        r.database.database,
        if r.database.dropped_after {
            "dropped after"
        } else {
            "kept"
        },
        r.duration_secs
    );
    println!(
        "machine: {} CPUs, {}; load average at start {}",
        r.machine.cpus, r.machine.cpu_model, r.machine.loadavg_at_start
    );
    println!(
        "span 1: {} ticks at {}/s after {} warmup orders, probe cancel_every = {}; span 2: {} \
         trades after {} warmup; baselines {} each; one at a time at {}/s",
        r.ticks,
        r.rate_per_sec,
        r.warmup,
        r.cancel_every,
        r.trades,
        r.trade_warmup,
        r.baseline_samples,
        r.op_rate_per_sec
    );
    println!(
        "ratios: a span's p50 over the p50 of the baseline just before it (insert_one; \
         insert_one -> change stream event)"
    );
    println!();
    println!(
        "{:<46} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "(µs)", "count", "p50", "p99", "p99.9", "max", "/insert", "/ins->cs"
    );
    let row = |name: &str, s: &LatencySummary, ratios: Option<(f64, f64)>| {
        let (a, b) = ratios.map_or((String::new(), String::new()), |(a, b)| {
            (format!("{a:.1}x"), format!("{b:.1}x"))
        });
        println!(
            "{:<46} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8} {:>8}",
            name,
            s.count,
            us(s.p50),
            us(s.p99),
            us(s.p999),
            us(s.max),
            a,
            b
        )
    };
    let baseline_rows = |b: &BaselineSummary| {
        row("   ping round trip", &b.ping_ns, None);
        row(
            "   insert_one round trip (tiny document)",
            &b.insert_ns,
            None,
        );
        row("   find_one by _id round trip", &b.find_ns, None);
        row(
            "   insert_one -> change stream event",
            &b.change_stream_ns,
            None,
        );
        row(
            "   insert_one round trip, watched",
            &b.watched_insert_ns,
            None,
        );
        row(
            "   order insert_one round trip, watched",
            &b.order_insert_ns,
            None,
        );
        row(
            "   order insert_one -> change stream event",
            &b.order_change_stream_ns,
            None,
        );
    };
    println!("baseline before span 1 (driver direct)");
    baseline_rows(&r.baseline_before_span1);
    row(
        "1: md recv -> robot -> MongoDB -> gateway",
        &r.span1_ns,
        Some((r.span1_p50_over_insert, r.span1_p50_over_change_stream)),
    );
    row("   feed publish (tcp) -> gateway", &r.span1_wire_ns, None);
    println!(
        "   (span 1 p50 over the order insert_one -> change stream baseline: {:.1}x)",
        r.span1_p50_over_order_change_stream
    );
    println!("baseline before span 2 (driver direct)");
    baseline_rows(&r.baseline_before_span2);
    row(
        "2: insert_trade -> robot's channel",
        &r.span2_ns,
        Some((r.span2_p50_over_insert, r.span2_p50_over_change_stream)),
    );
    row(
        "   the insert_trade call (find + insert)",
        &r.span2_insert_call_ns,
        None,
    );
    println!(
        "(plugin call p50 {:.1} µs, p99 {:.1} µs)",
        us(r.robot_handle_ns_p50),
        us(r.robot_handle_ns_p99)
    );
    println!();
    let (b1, b2) = (
        r.baseline_before_span1.insert_ns.p50,
        r.baseline_before_span2.insert_ns.p50,
    );
    println!(
        "database drift: insert_one p50 {:.1} µs before span 1, {:.1} µs before span 2 ({:.1}x{})",
        us(b1),
        us(b2),
        ratio(b2, b1),
        if r.op_rate_per_sec == r.rate_per_sec {
            ""
        } else {
            "; the two baselines ran at different paces"
        }
    );
    println!(
        "goal {} <= {:.0} µs: {:.1} µs  {}",
        r.goal.what,
        r.goal.limit_us,
        r.goal.actual_us,
        if r.goal.met { "PASS" } else { "MISSED" }
    );
    let c = &r.span1_counters;
    println!();
    println!(
        "span 1 counts: feed published {} (dropped at HWM {}), before the subscription {}; md \
         received {}, delivered {}, dropped {}; robot orders {}, cancels {}, store errors {}; \
         write queue failed {}, pending {}; orders in MongoDB {}; gateway orders {}, cancels {}, \
         rejects {}, store errors {}",
        c.feed_published,
        c.feed_dropped_hwm,
        r.not_subscribed_yet,
        c.md_received,
        c.md_delivered,
        c.md_dropped,
        c.robot_orders_sent,
        c.robot_cancels_sent,
        c.robot_store_errors,
        c.server_store_failed_writes,
        c.server_store_pending_writes,
        c.orders_in_db,
        c.gateway_orders_seen,
        c.gateway_cancels_seen,
        c.gateway_rejects,
        c.gateway_store_errors
    );
    let t = &r.span2_counters;
    println!(
        "span 2 counts: orders written {} (failed {}); trades inserted {} (errors {}, already \
         stored {}); received {} distinct, {} repeated, {} late, {} unexpected",
        t.orders_written,
        t.orders_failed,
        t.trades_inserted,
        t.insert_errors,
        t.insert_already_stored,
        t.trades_received,
        t.trades_repeated,
        t.trades_late,
        t.unexpected
    );
    if !r.kept_up {
        println!(
            "NOT KEPT UP: {} ticks were still on their way when the feed stopped: the fleet \
             cannot sustain {}/s on this database, so span 1 above is mostly queueing",
            r.backlog_at_stop, r.rate_per_sec
        );
    }
    if r.problems.is_empty() {
        println!(
            "nothing lost: every tick that reached the robot became an order in MongoDB the \
             gateway saw; every trade reached the robot exactly once"
        );
    } else {
        for p in &r.problems {
            println!("LOST: {p}");
        }
    }
}
