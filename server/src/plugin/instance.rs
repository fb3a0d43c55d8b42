use super::LoadedPlugin;
use robofleet_api::abi::{RfBuf, RF_ERR, RF_OK, RF_PANIC};
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

/// One created robot inside a loaded plugin. Lives on its robot thread only.
pub struct RobotInstance {
    handle: *mut c_void,
    event_buf: Vec<u8>,
    // Keeps the library mapped while the handle exists; dropped after `destroy`.
    plugin: Arc<LoadedPlugin>,
}

// Moved once onto its robot thread and used there only; the plugin is told nothing else.
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
            plugin,
        })
    }

    /// Hand one event to the robot and get its actions back.
    pub fn handle(&mut self, event: &Event) -> Result<Vec<Action>, CallError> {
        self.event_buf.clear();
        let buf = std::mem::take(&mut self.event_buf);
        self.event_buf =
            postcard::to_extend(event, buf).map_err(|e| CallError::Boundary(e.to_string()))?;
        let mut out = RfBuf::empty();
        let vt = self.plugin.vtable();
        // SAFETY: our handle from `create`, used on this thread only; buffers valid for the call.
        let code = unsafe {
            (vt.handle)(
                self.handle,
                self.event_buf.as_ptr(),
                self.event_buf.len(),
                &mut out,
            )
        };
        let bytes = take(&self.plugin, out);
        check(code, &bytes, &self.plugin)?;
        postcard::from_bytes(&bytes).map_err(|e| CallError::Boundary(format!("actions: {e}")))
    }

    /// Hand one postcard-encoded event to the robot; `f` sees the postcard `Vec<Action>` bytes
    /// it returned while they are still in the plugin's buffer (no copy, for replay speed).
    pub fn handle_bytes<R>(
        &mut self,
        event: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, CallError> {
        let mut out = RfBuf::empty();
        let vt = self.plugin.vtable();
        // SAFETY: our handle from `create`, used on this thread only; buffers valid for the call.
        let code = unsafe { (vt.handle)(self.handle, event.as_ptr(), event.len(), &mut out) };
        // SAFETY: filled by the plugin during the call that just returned.
        let bytes = unsafe { out.as_slice() };
        // `check` is Ok for RF_OK alone.
        let result = check(code, bytes, &self.plugin).map(|()| f(bytes));
        // SAFETY: the buffer came from this plugin and is given back once.
        unsafe { (vt.free_buf)(out) };
        result
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
