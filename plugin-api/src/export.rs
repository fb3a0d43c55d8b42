//! The glue behind [`export_robot!`](crate::export_robot): generic `extern "C"` functions
//! over any [`Robot`], each wrapped in `catch_unwind`.

use crate::abi::{RfBuf, RfLent, RF_ERR, RF_MORE, RF_OK, RF_PANIC};
use crate::robot::{Actions, Robot};
use crate::types::{CreateArgs, Event, EventKind};
use std::ffi::c_void;

// The market data path (records, symbols) lives beside this file.
pub use crate::export_market::{define_symbol, fill_market_kind, market};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A created robot plus the order-id counter that belongs to its state, and the glue's
/// reused buffers (not part of the robot's state: a restored robot gets fresh ones).
pub(crate) struct Instance<R> {
    pub(crate) robot: R,
    pub(crate) actions: Actions,
    /// Symbol names by the ids the host gave them.
    pub(crate) symbols: Vec<String>,
    /// One reused event per market kind (quote, trade, bar, depth), refreshed in place.
    pub(crate) market_events: [Event; 4],
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
pub(crate) fn guarded(out: *mut RfBuf, f: impl FnOnce() -> Result<Vec<u8>, String>) -> i32 {
    guarded_code(out, || f().map(|bytes| (RF_OK, bytes)))
}

/// Run `f`, which returns its own success code ([`RF_OK`] or [`RF_MORE`]) and bytes for
/// `out`; an error or a panic writes its message to `out` instead.
pub(crate) fn guarded_code(
    out: *mut RfBuf,
    f: impl FnOnce() -> Result<(i32, Vec<u8>), String>,
) -> i32 {
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

pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

/// # Safety
/// `handle` must come from `create::<R>`/`restore::<R>`, used by one thread at a time.
pub(crate) unsafe fn instance<'a, R>(handle: *mut c_void) -> Result<&'a mut Instance<R>, String> {
    if handle.is_null() {
        return Err("null robot handle".to_string());
    }
    Ok(&mut *(handle as *mut Instance<R>))
}

/// Write this event's actions into the lent buffer (postcard `Vec<Action>`), or keep them
/// and ask for a larger one. No allocation when they fit.
pub(crate) fn write_actions<R>(
    inst: &mut Instance<R>,
    lent: *mut RfLent,
) -> Result<(i32, Vec<u8>), String> {
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
    if list.is_empty() {
        // Most events lead to nothing: an empty list is the one byte 0 (a postcard length).
        if let Some(first) = out.first_mut() {
            *first = 0;
            lent.len = 1;
            return Ok((RF_OK, Vec::new()));
        }
    }
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
