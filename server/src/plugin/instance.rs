use super::LoadedPlugin;
use robofleet_api::abi::{RfBuf, RfLent, RfLevel, RfMarket, RF_ERR, RF_MORE, RF_OK, RF_PANIC};
use robofleet_api::{Action, CreateArgs, Event};
use std::ffi::c_void;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("robot panicked: {0}")]
    Panic(String),
    #[error("robot error: {0}")]
    Robot(String),
    #[error("bad data across the plugin boundary: {0}")]
    Boundary(String),
}

/// One created robot inside a loaded plugin. Used by one worker at a time (its robot's turn).
pub struct RobotInstance {
    handle: *mut c_void,
    event_buf: Vec<u8>,
    /// Lent to the plugin for each call's actions; grown when a call asks for more.
    actions_buf: Vec<u8>,
    // Keeps the library mapped while the handle exists; dropped after `destroy`.
    plugin: Arc<LoadedPlugin>,
}

// Used by one thread at a time (the worker running its robot's turn, never two at once);
// plugins are told not to keep thread-locals (docs/plugins.md).
unsafe impl Send for RobotInstance {}

impl RobotInstance {
    pub fn create(plugin: Arc<LoadedPlugin>, args: &CreateArgs) -> Result<Self, CallError> {
        let bytes = postcard::to_allocvec(args).map_err(|e| CallError::Boundary(e.to_string()))?;
        let mut handle: *mut c_void = std::ptr::null_mut();
        let mut err = RfBuf::empty();
        let vt = plugin.vtable();
        // SAFETY: pointers valid for the call; the plugin passed its header checks.
        let code = unsafe { (vt.create)(bytes.as_ptr(), bytes.len(), &mut handle, &mut err) };
        let msg = take(&plugin, err);
        check(code, &msg, &plugin)?;
        if handle.is_null() {
            return Err(CallError::Boundary("create returned no handle".into()));
        }
        Ok(RobotInstance {
            handle,
            event_buf: Vec::with_capacity(256),
            actions_buf: vec![0; ACTIONS_BUF_START],
            plugin,
        })
    }

    /// Rebuild a robot from `snapshot` (the bytes [`RobotInstance::snapshot_bytes`] gave:
    /// its next order sequence and its own state) and the args it was created with.
    pub fn restore(
        plugin: Arc<LoadedPlugin>,
        args: &CreateArgs,
        snapshot: &[u8],
    ) -> Result<Self, CallError> {
        let bytes = postcard::to_allocvec(args).map_err(|e| CallError::Boundary(e.to_string()))?;
        let mut handle: *mut c_void = std::ptr::null_mut();
        let mut err = RfBuf::empty();
        let vt = plugin.vtable();
        // SAFETY: pointers valid for the call; the plugin passed its header checks.
        let code = unsafe {
            (vt.restore)(
                bytes.as_ptr(),
                bytes.len(),
                snapshot.as_ptr(),
                snapshot.len(),
                &mut handle,
                &mut err,
            )
        };
        let msg = take(&plugin, err);
        check(code, &msg, &plugin)?;
        if handle.is_null() {
            return Err(CallError::Boundary("restore returned no handle".into()));
        }
        Ok(RobotInstance {
            handle,
            event_buf: Vec::with_capacity(256),
            actions_buf: vec![0; ACTIONS_BUF_START],
            plugin,
        })
    }

    /// Hand one event to the robot and get its actions back. Market kinds go through the
    /// plugin's postcard entry too here (for tools and tests); the robot loop and replay hand
    /// them over as records ([`RobotInstance::market`]).
    pub fn handle(&mut self, event: &Event) -> Result<Vec<Action>, CallError> {
        self.event_buf.clear();
        let buf = std::mem::take(&mut self.event_buf);
        self.event_buf =
            postcard::to_extend(event, buf).map_err(|e| CallError::Boundary(e.to_string()))?;
        let event = std::mem::take(&mut self.event_buf);
        let result = self.handle_bytes(&event, |bytes| postcard::from_bytes(bytes));
        self.event_buf = event;
        result?.map_err(|e| CallError::Boundary(format!("actions: {e}")))
    }

    /// Hand one postcard-encoded event to the robot; `f` sees the postcard `Vec<Action>` bytes
    /// it wrote into the buffer this instance lends (no copy, no allocation).
    pub fn handle_bytes<R>(
        &mut self,
        event: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, CallError> {
        let handle = self.handle;
        let handle_fn = self.plugin.vtable().handle;
        let (code, len) = self.lent_call(|lent, err| {
            // SAFETY: our handle from `create`, used on this thread only; buffers valid for
            // the call.
            unsafe { handle_fn(handle, event.as_ptr(), event.len(), lent, err) }
        })?;
        debug_assert_eq!(code, RF_OK);
        Ok(f(&self.actions_buf[..len]))
    }

    /// Hand market records to the robot in order until it answers one with actions (or
    /// fails on one); books take their levels from `levels`. Returns how many it was handed,
    /// that one included, and `f` of the actions of the last one handed (postcard
    /// `Vec<Action>`, `[0]` for none).
    pub fn market<R>(
        &mut self,
        records: &[RfMarket],
        levels: &[RfLevel],
        f: impl FnOnce(&[u8]) -> R,
    ) -> (usize, Result<R, CallError>) {
        let handle = self.handle;
        let market_fn = self.plugin.vtable().market;
        let mut done = 0usize;
        let result = self.lent_call(|lent, err| {
            // SAFETY: as in `handle_bytes`; `records` is a live slice of `len` records.
            unsafe {
                market_fn(
                    handle,
                    records.as_ptr(),
                    records.len(),
                    levels.as_ptr(),
                    levels.len(),
                    lent,
                    &mut done,
                    err,
                )
            }
        });
        let done = done.min(records.len());
        match result {
            Ok((_, len)) if done > 0 || records.is_empty() => {
                (done, Ok(f(&self.actions_buf[..len])))
            }
            Ok(_) => (
                done,
                Err(CallError::Boundary("market handed over no record".into())),
            ),
            Err(e) => (done.max(1), Err(e)),
        }
    }

    /// Name symbol `id` for the market records that follow.
    pub fn define_symbol(&mut self, id: u32, name: &str) -> Result<(), CallError> {
        let mut out = RfBuf::empty();
        // SAFETY: as in `handle_bytes`.
        let code = unsafe {
            (self.plugin.vtable().define_symbol)(
                self.handle,
                id,
                name.as_ptr(),
                name.len(),
                &mut out,
            )
        };
        let bytes = take(&self.plugin, out);
        check(code, &bytes, &self.plugin)
    }

    /// Run a call that writes actions into the lent buffer; on [`RF_MORE`] grow it and take
    /// the kept actions. `(code, bytes written)`.
    fn lent_call(
        &mut self,
        call: impl FnOnce(&mut RfLent, &mut RfBuf) -> i32,
    ) -> Result<(i32, usize), CallError> {
        let mut lent = RfLent {
            ptr: self.actions_buf.as_mut_ptr(),
            cap: self.actions_buf.len(),
            len: 0,
        };
        let mut err = RfBuf::empty();
        let code = call(&mut lent, &mut err);
        let msg = take_if_any(&self.plugin, err);
        match code {
            RF_OK => {}
            RF_MORE => {
                let need = lent.len;
                if need > MAX_ACTIONS_LEN {
                    return Err(CallError::Boundary(format!(
                        "actions of {need} bytes (at most {MAX_ACTIONS_LEN})"
                    )));
                }
                self.actions_buf
                    .resize(need.max(self.actions_buf.len() * 2), 0);
                lent = RfLent {
                    ptr: self.actions_buf.as_mut_ptr(),
                    cap: self.actions_buf.len(),
                    len: 0,
                };
                let mut err = RfBuf::empty();
                // SAFETY: as in `handle_bytes`.
                let code = unsafe {
                    (self.plugin.vtable().take_actions)(self.handle, &mut lent, &mut err)
                };
                let msg = take_if_any(&self.plugin, err);
                check(code, &msg, &self.plugin)?;
            }
            _ => {
                check(code, &msg, &self.plugin)?;
            }
        }
        if lent.len > self.actions_buf.len() {
            return Err(CallError::Boundary(format!(
                "plugin wrote {} bytes into a buffer of {}",
                lent.len,
                self.actions_buf.len()
            )));
        }
        Ok((code, lent.len))
    }

    /// Raise the robot's next order sequence to at least `next` (ids stay unique in the store
    /// when a rebuilt state sent fewer orders than were really sent).
    pub fn raise_order_seq(&mut self, next: u64) -> Result<(), CallError> {
        let mut out = RfBuf::empty();
        // SAFETY: as in `handle`.
        let code = unsafe { (self.plugin.vtable().raise_order_seq)(self.handle, next, &mut out) };
        let bytes = take(&self.plugin, out);
        check(code, &bytes, &self.plugin)
    }

    /// The postcard `(next_order_seq, robot state bytes)` as the plugin wrote it: what state
    /// hashes are taken over.
    pub fn snapshot_bytes(&self) -> Result<Vec<u8>, CallError> {
        let mut out = RfBuf::empty();
        // SAFETY: as in `handle`.
        let code = unsafe { (self.plugin.vtable().snapshot)(self.handle, &mut out) };
        let bytes = take(&self.plugin, out);
        check(code, &bytes, &self.plugin)?;
        Ok(bytes)
    }

    /// `(next_order_seq, robot state bytes)`.
    pub fn snapshot(&self) -> Result<(u64, Vec<u8>), CallError> {
        let mut out = RfBuf::empty();
        // SAFETY: as in `handle`.
        let code = unsafe { (self.plugin.vtable().snapshot)(self.handle, &mut out) };
        let bytes = take(&self.plugin, out);
        check(code, &bytes, &self.plugin)?;
        postcard::from_bytes(&bytes).map_err(|e| CallError::Boundary(format!("snapshot: {e}")))
    }

    pub fn plugin(&self) -> &Arc<LoadedPlugin> {
        &self.plugin
    }
}

impl Drop for RobotInstance {
    fn drop(&mut self) {
        // A panic in the robot's destructor is caught by the plugin and ignored here.
        // SAFETY: our handle, destroyed once, while the library is still mapped.
        let _ = unsafe { (self.plugin.vtable().destroy)(self.handle) };
    }
}

/// The lent action buffer's first size, and the most a call's actions may take.
const ACTIONS_BUF_START: usize = 4096;
const MAX_ACTIONS_LEN: usize = 16 << 20;

/// [`take`], without a call into the plugin when it handed out nothing (the common case).
fn take_if_any(plugin: &LoadedPlugin, buf: RfBuf) -> Vec<u8> {
    if buf.ptr.is_null() {
        Vec::new()
    } else {
        take(plugin, buf)
    }
}

/// Copy a plugin buffer out and give it back to the plugin's allocator.
fn take(plugin: &LoadedPlugin, buf: RfBuf) -> Vec<u8> {
    // SAFETY: filled by the plugin during the call that just returned.
    let bytes = unsafe { buf.as_slice() }.to_vec();
    // SAFETY: the buffer came from this plugin and is given back once.
    unsafe { (plugin.vtable().free_buf)(buf) };
    bytes
}

fn check(code: i32, bytes: &[u8], plugin: &Arc<LoadedPlugin>) -> Result<(), CallError> {
    let msg = || String::from_utf8_lossy(bytes).into_owned();
    match code {
        RF_OK => Ok(()),
        RF_ERR => Err(CallError::Robot(msg())),
        RF_PANIC => {
            let (message, frames) = robofleet_api::panics::split_panic_buffer(bytes);
            let message = String::from_utf8_lossy(message).into_owned();
            if !frames.is_empty() {
                // The robot is reported failed now; its backtrace follows in the log.
                super::panic_backtrace::log_later(plugin.clone(), message.clone(), frames);
            }
            Err(CallError::Panic(message))
        }
        other => Err(CallError::Boundary(format!("unknown status code {other}"))),
    }
}
