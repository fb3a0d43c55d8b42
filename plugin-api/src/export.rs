//! The glue behind [`export_robot!`](crate::export_robot): generic `extern "C"` functions
//! over any [`Robot`], each wrapped in `catch_unwind`.

use crate::abi::{
    RfBuf, RfLent, RfLevel, RfMarket, MD_BAR, MD_DEPTH, MD_QUOTE, MD_TRADE, RF_ERR, RF_MORE, RF_OK,
    RF_PANIC,
};
use crate::money::Price;
use crate::robot::{Actions, Robot};
use crate::types::{Bar, CreateArgs, Depth, Event, EventKind, Level, Quote, TradePrint};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A created robot plus the order-id counter that belongs to its state, and the glue's
/// reused buffers (not part of the robot's state: a restored robot gets fresh ones).
struct Instance<R> {
    robot: R,
    actions: Actions,
    /// Symbol names by the ids the host gave them.
    symbols: Vec<String>,
    /// One reused event per market kind (quote, trade, bar, depth), refreshed in place.
    market_events: [Event; 4],
    /// Actions that did not fit the lent buffer, until `take_actions`.
    pending: Vec<u8>,
    /// Events decoded in place (order updates and fills: no allocation).
    decoded: crate::export_decode::Reused,
}

impl<R> Instance<R> {
    fn new(robot: R, actions: Actions) -> Self {
        let blank = || Event {
            seq: 0,
            ts: 0,
            kind: EventKind::Start,
        };
        Instance {
            robot,
            actions,
            symbols: Vec::new(),
            market_events: [blank(), blank(), blank(), blank()],
            pending: Vec::new(),
            decoded: Default::default(),
        }
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "robot panicked with a non-string payload".to_string()
    }
}

/// Run `f`, writing its bytes (or error, or panic message) to `out`.
fn guarded(out: *mut RfBuf, f: impl FnOnce() -> Result<Vec<u8>, String>) -> i32 {
    guarded_code(out, || f().map(|bytes| (RF_OK, bytes)))
}

/// Run `f`, which returns its own success code ([`RF_OK`] or [`RF_MORE`]) and bytes for
/// `out`; an error or a panic writes its message to `out` instead.
fn guarded_code(out: *mut RfBuf, f: impl FnOnce() -> Result<(i32, Vec<u8>), String>) -> i32 {
    // The quiet hook records a panic's location (and frames, if wanted) without printing.
    let caught = crate::panics::in_call(|| catch_unwind(AssertUnwindSafe(f)));
    let (code, bytes) = match caught {
        Ok(Ok(done)) => done,
        Ok(Err(msg)) => (RF_ERR, msg.into_bytes()),
        Err(payload) => (
            RF_PANIC,
            crate::panics::panic_buffer(panic_message(payload)),
        ),
    };
    if !out.is_null() && (code != RF_OK || !bytes.is_empty()) {
        // SAFETY: the host passes a valid, writable RfBuf.
        unsafe { out.write(RfBuf::from_vec(bytes)) };
    }
    code
}

unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

/// # Safety
/// `handle` must come from `create::<R>`/`restore::<R>`, used by one thread at a time.
unsafe fn instance<'a, R>(handle: *mut c_void) -> Result<&'a mut Instance<R>, String> {
    if handle.is_null() {
        return Err("null robot handle".to_string());
    }
    Ok(&mut *(handle as *mut Instance<R>))
}

/// Write this event's actions into the lent buffer (postcard `Vec<Action>`), or keep them
/// and ask for a larger one. No allocation when they fit.
fn write_actions<R>(inst: &mut Instance<R>, lent: *mut RfLent) -> Result<(i32, Vec<u8>), String> {
    if lent.is_null() {
        return Err("null action buffer".to_string());
    }
    // SAFETY: the host lends `cap` writable bytes at `ptr` for this call.
    let lent = unsafe { &mut *lent };
    let out: &mut [u8] = if lent.ptr.is_null() || lent.cap == 0 {
        &mut []
    } else {
        unsafe { std::slice::from_raw_parts_mut(lent.ptr, lent.cap) }
    };
    let list = inst.actions.list_mut();
    let result = match postcard::to_slice(&*list, out) {
        Ok(used) => {
            lent.len = used.len();
            Ok((RF_OK, Vec::new()))
        }
        Err(postcard::Error::SerializeBufferFull) => {
            inst.pending = postcard::to_allocvec(&*list).map_err(|e| e.to_string())?;
            lent.len = inst.pending.len();
            Ok((RF_MORE, Vec::new()))
        }
        Err(e) => Err(format!("cannot encode actions: {e}")),
    };
    list.clear();
    result
}

/// Make `kind` the market event `rec` stands for, reusing its strings and vectors; a book
/// takes its levels from `levels`. An error for a kind this build does not know, or levels
/// that are not there.
#[doc(hidden)]
pub fn fill_market_kind(
    kind: &mut EventKind,
    rec: &RfMarket,
    symbol: &str,
    levels: &[RfLevel],
) -> Result<(), String> {
    fn set(s: &mut String, to: &str) {
        if s != to {
            s.clear();
            s.push_str(to);
        }
    }
    match rec.kind {
        MD_QUOTE => {
            if !matches!(kind, EventKind::Quote(_)) {
                *kind = EventKind::Quote(Quote {
                    symbol: String::new(),
                    bid: Price::from_raw(0),
                    bid_size: 0,
                    ask: Price::from_raw(0),
                    ask_size: 0,
                });
            }
            if let EventKind::Quote(q) = kind {
                set(&mut q.symbol, symbol);
                (q.bid, q.ask) = (Price::from_raw(rec.px[0]), Price::from_raw(rec.px[1]));
                (q.bid_size, q.ask_size) = (rec.qty[0], rec.qty[1]);
            }
        }
        MD_TRADE => {
            if !matches!(kind, EventKind::Trade(_)) {
                *kind = EventKind::Trade(TradePrint {
                    symbol: String::new(),
                    price: Price::from_raw(0),
                    size: 0,
                });
            }
            if let EventKind::Trade(t) = kind {
                set(&mut t.symbol, symbol);
                (t.price, t.size) = (Price::from_raw(rec.px[0]), rec.qty[0]);
            }
        }
        MD_BAR => {
            if !matches!(kind, EventKind::Bar(_)) {
                *kind = EventKind::Bar(Bar {
                    symbol: String::new(),
                    period_secs: 0,
                    open: Price::from_raw(0),
                    high: Price::from_raw(0),
                    low: Price::from_raw(0),
                    close: Price::from_raw(0),
                    volume: 0,
                });
            }
            if let EventKind::Bar(b) = kind {
                set(&mut b.symbol, symbol);
                (b.open, b.high) = (Price::from_raw(rec.px[0]), Price::from_raw(rec.px[1]));
                (b.low, b.close) = (Price::from_raw(rec.px[2]), Price::from_raw(rec.px[3]));
                b.volume = rec.qty[0];
                b.period_secs = u32::try_from(rec.qty[1]).unwrap_or(0);
            }
        }
        MD_DEPTH => {
            let bad = || format!("book record #{} points at levels it was not given", rec.seq);
            let (first, count) = rec.level_span().ok_or_else(bad)?;
            let end = first.checked_add(count).ok_or_else(bad)?;
            let here = levels.get(first..end).ok_or_else(bad)?;
            let (bids, asks) = here.split_at(rec.qty[0] as usize);
            if !matches!(kind, EventKind::Depth(_)) {
                *kind = EventKind::Depth(Depth::default());
            }
            if let EventKind::Depth(d) = kind {
                set(&mut d.symbol, symbol);
                let level = |l: &RfLevel| Level {
                    price: Price::from_raw(l.price),
                    qty: l.qty,
                };
                d.bids.clear();
                d.bids.extend(bids.iter().map(level));
                d.asks.clear();
                d.asks.extend(asks.iter().map(level));
            }
        }
        other => return Err(format!("unknown market record kind {other}")),
    }
    Ok(())
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn describe<R: Robot>(out: *mut RfBuf) -> i32 {
    guarded(out, || {
        postcard::to_allocvec(&R::info()).map_err(|e| e.to_string())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn create<R: Robot>(
    args: *const u8,
    args_len: usize,
    out_handle: *mut *mut c_void,
    err: *mut RfBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: the host passes a buffer of args_len bytes.
        let bytes = unsafe { input(args, args_len) };
        let args: CreateArgs =
            postcard::from_bytes(bytes).map_err(|e| format!("bad create args: {e}"))?;
        let robot = R::create(&args)?;
        let instance = Box::new(Instance::new(
            robot,
            Actions::new(&args.name, args.first_order_seq),
        ));
        // SAFETY: the host passes a valid out pointer.
        unsafe { out_handle.write(Box::into_raw(instance) as *mut c_void) };
        Ok(Vec::new())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn handle<R: Robot>(
    handle: *mut c_void,
    event: *const u8,
    event_len: usize,
    actions: *mut RfLent,
    err: *mut RfBuf,
) -> i32 {
    guarded_code(err, || {
        // SAFETY: see the function's contract.
        let inst = unsafe { instance::<R>(handle) }?;
        let bytes = unsafe { input(event, event_len) };
        let event = inst
            .decoded
            .decode(bytes)
            .map_err(|e| format!("bad event: {e}"))?;
        inst.actions.list_mut().clear();
        inst.robot.on_event(event, &mut inst.actions);
        write_actions(inst, actions)
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`]; `records` points at `count` records.
pub unsafe extern "C" fn market<R: Robot>(
    handle: *mut c_void,
    records: *const RfMarket,
    count: usize,
    levels: *const RfLevel,
    level_count: usize,
    actions: *mut RfLent,
    done: *mut usize,
    err: *mut RfBuf,
) -> i32 {
    let mut handed = 0usize;
    let code = guarded_code(err, || {
        // SAFETY: see the function's contract.
        let inst = unsafe { instance::<R>(handle) }?;
        let records: &[RfMarket] = if records.is_null() || count == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(records, count) }
        };
        let levels: &[RfLevel] = if levels.is_null() || level_count == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(levels, level_count) }
        };
        inst.actions.list_mut().clear();
        for rec in records {
            handed += 1;
            let Some(name) = inst.symbols.get(rec.symbol as usize) else {
                return Err(format!(
                    "market record for undefined symbol id {}",
                    rec.symbol
                ));
            };
            let slot = (rec.kind as usize).wrapping_sub(1);
            let Some(event) = inst.market_events.get_mut(slot) else {
                return Err(format!("unknown market record kind {}", rec.kind));
            };
            fill_market_kind(&mut event.kind, rec, name, levels)?;
            (event.seq, event.ts) = (rec.seq, rec.ts);
            inst.robot.on_event(event, &mut inst.actions);
            if !inst.actions.as_slice().is_empty() {
                break;
            }
        }
        write_actions(inst, actions)
    });
    if !done.is_null() {
        // SAFETY: the host passes a valid out pointer.
        unsafe { done.write(handed) };
    }
    code
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn define_symbol<R: Robot>(
    handle: *mut c_void,
    id: u32,
    name: *const u8,
    name_len: usize,
    err: *mut RfBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: see the function's contract.
        let inst = unsafe { instance::<R>(handle) }?;
        let name = std::str::from_utf8(unsafe { input(name, name_len) })
            .map_err(|_| format!("symbol id {id}: name is not UTF-8"))?;
        let at = id as usize;
        if at > 1 << 20 {
            return Err(format!("symbol id {id} is out of range"));
        }
        if inst.symbols.len() <= at {
            inst.symbols.resize(at + 1, String::new());
        }
        inst.symbols[at] = name.to_string();
        Ok(Vec::new())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn take_actions<R: Robot>(
    handle: *mut c_void,
    actions: *mut RfLent,
    err: *mut RfBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: see the function's contract.
        let inst = unsafe { instance::<R>(handle) }?;
        let lent = unsafe { actions.as_mut() }.ok_or("null action buffer")?;
        if lent.ptr.is_null() || lent.cap < inst.pending.len() {
            return Err(format!(
                "take_actions needs {} bytes, lent {}",
                inst.pending.len(),
                lent.cap
            ));
        }
        // SAFETY: the host lends `cap` writable bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(inst.pending.as_ptr(), lent.ptr, inst.pending.len())
        };
        lent.len = inst.pending.len();
        inst.pending = Vec::new();
        Ok(Vec::new())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn snapshot<R: Robot>(handle: *mut c_void, out: *mut RfBuf) -> i32 {
    guarded(out, || {
        if handle.is_null() {
            return Err("null robot handle".to_string());
        }
        // SAFETY: as in `handle`.
        let instance = unsafe { &*(handle as *const Instance<R>) };
        let state = (instance.actions.next_order_seq(), instance.robot.snapshot());
        postcard::to_allocvec(&state).map_err(|e| e.to_string())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn restore<R: Robot>(
    args: *const u8,
    args_len: usize,
    snapshot: *const u8,
    snapshot_len: usize,
    out_handle: *mut *mut c_void,
    err: *mut RfBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: the host passes buffers of the stated lengths.
        let (args, snapshot) = unsafe { (input(args, args_len), input(snapshot, snapshot_len)) };
        let args: CreateArgs =
            postcard::from_bytes(args).map_err(|e| format!("bad create args: {e}"))?;
        let (next_order_seq, state): (u64, Vec<u8>) =
            postcard::from_bytes(snapshot).map_err(|e| format!("bad snapshot: {e}"))?;
        let robot = R::restore(&args, &state)?;
        let instance = Box::new(Instance::new(
            robot,
            Actions::new(&args.name, next_order_seq),
        ));
        // SAFETY: the host passes a valid out pointer.
        unsafe { out_handle.write(Box::into_raw(instance) as *mut c_void) };
        Ok(Vec::new())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn raise_order_seq<R: Robot>(
    handle: *mut c_void,
    next_order_seq: u64,
    err: *mut RfBuf,
) -> i32 {
    guarded(err, || {
        if handle.is_null() {
            return Err("null robot handle".to_string());
        }
        // SAFETY: as in `handle`.
        let instance = unsafe { &mut *(handle as *mut Instance<R>) };
        instance.actions.raise_next_order_seq(next_order_seq);
        Ok(Vec::new())
    })
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn destroy<R: Robot>(handle: *mut c_void) -> i32 {
    guarded(std::ptr::null_mut(), || {
        if !handle.is_null() {
            // SAFETY: handle came from `create::<R>` and is destroyed once.
            drop(unsafe { Box::from_raw(handle as *mut Instance<R>) });
        }
        Ok(Vec::new())
    })
}

/// # Safety
/// `buf` must come from this library (`RfBuf::from_vec`) and be freed once.
pub unsafe extern "C" fn free_buf(buf: RfBuf) {
    if !buf.ptr.is_null() {
        // SAFETY: the buffer was made by `RfBuf::from_vec` in this same library.
        drop(unsafe { Vec::from_raw_parts(buf.ptr, buf.len, buf.cap) });
    }
}

/// Export a [`Robot`] as a robofleet plugin. Put it once in a `cdylib` crate:
///
/// ```ignore
/// robofleet_api::export_robot!(MyRobot);
/// ```
#[macro_export]
macro_rules! export_robot {
    ($robot:ty) => {
        #[doc(hidden)]
        pub static ROBOFLEET_PLUGIN_HEADER: $crate::abi::PluginHeader = $crate::abi::PluginHeader {
            magic: $crate::abi::MAGIC,
            abi_version: $crate::abi::ABI_VERSION,
            header_size: ::std::mem::size_of::<$crate::abi::PluginHeader>() as u32,
            vtable_size: ::std::mem::size_of::<$crate::abi::PluginVTable>() as u32,
            panic_strategy: $crate::abi::this_panic_strategy(),
            build_id: $crate::abi::RfStr {
                ptr: $crate::__build_id!().as_ptr(),
                len: $crate::__build_id!().len(),
            },
            vtable: $crate::abi::PluginVTable {
                describe: $crate::export::describe::<$robot>,
                create: $crate::export::create::<$robot>,
                handle: $crate::export::handle::<$robot>,
                market: $crate::export::market::<$robot>,
                define_symbol: $crate::export::define_symbol::<$robot>,
                take_actions: $crate::export::take_actions::<$robot>,
                snapshot: $crate::export::snapshot::<$robot>,
                raise_order_seq: $crate::export::raise_order_seq::<$robot>,
                restore: $crate::export::restore::<$robot>,
                destroy: $crate::export::destroy::<$robot>,
                free_buf: $crate::export::free_buf,
            },
        };

        #[no_mangle]
        pub extern "C" fn robofleet_plugin_entry() -> *const $crate::abi::PluginHeader {
            &ROBOFLEET_PLUGIN_HEADER
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __build_id {
    () => {
        concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"))
    };
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
