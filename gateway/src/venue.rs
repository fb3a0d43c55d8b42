//! The one interface between the gateway and a venue. The gateway's thread owns the venue
//! and calls it for each order request (in turn, under the session's message rate), each
//! market data message it wants, and each change of the instrument registry; the venue
//! answers with order changes and fills, which the gateway writes to the store.
//!
//! The simulated exchange ([`crate::SimExchange`]) is one venue: it answers at once, from
//! the market data it is given. A venue behind a network session answers later, on its own
//! threads: those answers come through [`Venue::later_answers`].

use crate::exchange::{ExchangeInput, ExchangeOutput};
use crossbeam_channel::{Receiver, Sender};
use robofleet_api::Instruments;

/// Answers a venue gives on its own threads, in order.
pub struct LaterAnswer {
    pub outputs: Vec<ExchangeOutput>,
    /// Told once every output is written to the store: a venue whose session counts a
    /// message as received when its callback returns (FIX) waits for it, so a gateway
    /// killed at any point has either written the answer or not consumed the message.
    pub written: Option<Sender<()>>,
}

pub trait Venue: Send {
    /// For logs: `sim`, or the venue's session.
    fn name(&self) -> &str;

    /// Do `input`. What the venue answers at once goes on `out`, each fill before the
    /// change that reports it.
    fn process(&mut self, input: ExchangeInput, out: &mut Vec<ExchangeOutput>);

    /// The registry the venue checks orders against changed.
    fn set_instruments(&mut self, instruments: Instruments);

    /// Whether the venue matches against the fleet's market data (the simulated exchange
    /// does; a real venue has its own book). The gateway counts every message either way.
    fn wants_market_data(&self) -> bool {
        false
    }

    /// Answers that come later, on the venue's own threads: the gateway waits on this
    /// beside its other inputs. `None`: every answer comes from [`Venue::process`].
    fn later_answers(&self) -> Option<Receiver<LaterAnswer>> {
        None
    }

    /// The gateway's counters, for a venue with a session to keep its state and what it
    /// holds in ([`GatewayStats::set_session_up`], [`GatewayStats::hold`]).
    fn attach_stats(&mut self, _stats: std::sync::Arc<crate::GatewayStats>) {}
}

/// What the gateway holds once its venue has stopped: answers nothing.
pub(crate) struct Stopped;

impl Venue for Stopped {
    fn name(&self) -> &str {
        "stopped"
    }

    fn process(&mut self, _input: ExchangeInput, _out: &mut Vec<ExchangeOutput>) {}

    fn set_instruments(&mut self, _instruments: Instruments) {}
}

impl Venue for crate::SimExchange {
    fn name(&self) -> &str {
        "sim"
    }

    fn process(&mut self, input: ExchangeInput, out: &mut Vec<ExchangeOutput>) {
        out.extend(crate::SimExchange::process(self, input));
    }

    fn set_instruments(&mut self, instruments: Instruments) {
        crate::SimExchange::set_instruments(self, instruments);
    }

    fn wants_market_data(&self) -> bool {
        true
    }
}
