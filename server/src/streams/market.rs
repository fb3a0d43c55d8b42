//! The market data thread: one SUB socket to the feed, subscribed to the union of the robots'
//! symbols; each message is decoded once and pushed to exactly the robots of its symbol.

use super::mailbox::MailboxReceiver;
use crate::clock;
use crate::market::book::{Books, Rebuilt};
use crate::market::{self, MarketKind};
use crate::robot::pool::RobotInbox;
use crate::robot::Inbound;
use serde::Serialize;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub enum MarketCmd {
    Add {
        robot: String,
        inbox: RobotInbox,
        symbols: Vec<String>,
        /// Quotes, depth or both.
        feeds: robofleet_api::Feeds,
    },
    Remove {
        robot: String,
    },
    Shutdown,
}

#[derive(Default)]
pub struct MarketStats {
    pub messages: AtomicU64,
    pub garbage: AtomicU64,
    pub unrouted: AtomicU64,
    pub delivered: AtomicU64,
    pub dropped: AtomicU64,
    /// Depth updates out of sequence, and updates dropped while a book waited for a snapshot.
    pub depth_gaps: AtomicU64,
    pub depth_stale: AtomicU64,
}

#[derive(Serialize)]
pub struct MarketStatsSnapshot {
    pub messages: u64,
    pub garbage: u64,
    pub unrouted: u64,
    pub delivered: u64,
    pub dropped: u64,
    pub depth_gaps: u64,
    pub depth_stale: u64,
}

impl MarketStats {
    pub fn snapshot(&self) -> MarketStatsSnapshot {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        MarketStatsSnapshot {
            messages: l(&self.messages),
            garbage: l(&self.garbage),
            unrouted: l(&self.unrouted),
            delivered: l(&self.delivered),
            dropped: l(&self.dropped),
            depth_gaps: l(&self.depth_gaps),
            depth_stale: l(&self.depth_stale),
        }
    }
}

/// Messages taken from the feed per wake-up before commands get a look in.
const MAX_BATCH: usize = 1024;

/// Feed messages a SUB socket may queue before TCP pushes back to the publisher.
pub const FEED_RCVHWM: i32 = 100_000;

struct Route {
    inbox: RobotInbox,
    symbols: Vec<String>,
    feeds: robofleet_api::Feeds,
}

pub fn run_market_thread(
    ctx: zmq::Context,
    feed_endpoint: String,
    cmds: MailboxReceiver<MarketCmd>,
    stats: Arc<MarketStats>,
) -> Result<(), zmq::Error> {
    let sub = ctx.socket(zmq::SUB)?;
    sub.set_rcvhwm(FEED_RCVHWM)?;
    sub.set_linger(0)?;
    sub.connect(&feed_endpoint)?;
    let mut robots: HashMap<String, Rc<Route>> = HashMap::new();
    // Each symbol's id (what its records carry to the robots) and its robots.
    let mut by_symbol: HashMap<String, (u32, Vec<Rc<Route>>)> = HashMap::new();
    let mut garbage_logged = 0u64;
    let mut books = Books::default();
    let mut levels = Vec::new();
    loop {
        let mut items = [
            sub.as_poll_item(zmq::POLLIN),
            cmds.socket().as_poll_item(zmq::POLLIN),
        ];
        zmq::poll(&mut items, -1)?;
        let (md_ready, cmd_ready) = (items[0].is_readable(), items[1].is_readable());
        if md_ready {
            // Take what is queued before polling again, but a bounded batch, so a flooding
            // feed cannot starve fleet commands (robots joining or leaving).
            for _ in 0..MAX_BATCH {
                let Ok(frames) = sub.recv_multipart(zmq::DONTWAIT) else {
                    break;
                };
                let recv_mono_ns = clock::mono_ns();
                stats.messages.fetch_add(1, Ordering::Relaxed);
                let md = match market::decode(&frames) {
                    Ok(md) => md,
                    Err(e) => {
                        let n = stats.garbage.fetch_add(1, Ordering::Relaxed) + 1;
                        if n >= garbage_logged * 2 || n < 10 {
                            garbage_logged = n;
                            tracing::warn!("garbage on the feed dropped ({n} so far): {e}");
                        }
                        continue;
                    }
                };
                let Some((symbol_id, routes)) = by_symbol.get(&md.symbol) else {
                    // A prefix subscription ("Si" also matches "SiZ6") or a late unsubscribe.
                    stats.unrouted.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let mut md = match books.rebuild(md) {
                    Rebuilt::Data(md) => md,
                    // Robots wait for the book's next snapshot.
                    Rebuilt::Gap(_) => {
                        stats.depth_gaps.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    Rebuilt::Stale => {
                        stats.depth_stale.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                if let MarketKind::Depth { bids, asks, .. } = &mut md.kind {
                    bids.truncate(robofleet_api::DEPTH_LEVELS);
                    asks.truncate(robofleet_api::DEPTH_LEVELS);
                }
                md.levels_into(&mut levels);
                let msg = Inbound::Market {
                    rec: md.to_record(*symbol_id),
                    levels: (!levels.is_empty()).then(|| Arc::from(&levels[..])),
                    recv_mono_ns,
                    sent_ns: md.sent_ns,
                };
                for route in routes {
                    let wanted = match &md.kind {
                        MarketKind::Quote { .. } => route.feeds.quotes,
                        MarketKind::Depth { .. } => route.feeds.depth,
                        MarketKind::Trade { .. } | MarketKind::Bar { .. } => true,
                    };
                    if !wanted {
                        continue;
                    }
                    // A full inbox counts the drop on the robot itself.
                    if route.inbox.push_market(msg.clone()) {
                        stats.delivered.fetch_add(1, Ordering::Relaxed);
                    } else {
                        stats.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        if cmd_ready {
            for cmd in cmds.drain() {
                match cmd {
                    MarketCmd::Add {
                        robot,
                        inbox,
                        symbols,
                        feeds,
                    } => {
                        let route = Rc::new(Route {
                            inbox,
                            symbols: symbols.clone(),
                            feeds,
                        });
                        for s in &symbols {
                            let (_, list) = by_symbol
                                .entry(s.clone())
                                .or_insert_with(|| (crate::market::symbols::id(s), Vec::new()));
                            if list.is_empty() {
                                sub.set_subscribe(s.as_bytes())?;
                            }
                            list.push(route.clone());
                        }
                        robots.insert(robot, route);
                    }
                    MarketCmd::Remove { robot } => {
                        let Some(route) = robots.remove(&robot) else {
                            continue;
                        };
                        for s in &route.symbols {
                            if let Some((_, list)) = by_symbol.get_mut(s) {
                                list.retain(|r| !Rc::ptr_eq(r, &route));
                                if list.is_empty() {
                                    by_symbol.remove(s);
                                    sub.set_unsubscribe(s.as_bytes())?;
                                }
                            }
                        }
                    }
                    MarketCmd::Shutdown => return Ok(()),
                }
            }
        }
    }
}
