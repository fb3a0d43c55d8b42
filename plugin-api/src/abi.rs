//! The versioned C ABI between the server and a plugin.
//!
//! A plugin exports one symbol, [`ENTRY_SYMBOL`], an `extern "C" fn() -> *const PluginHeader`.
//! Only `#[repr(C)]` data and byte buffers cross: events, actions, infos and arguments travel
//! as postcard-encoded bytes. Every function catches panics and reports them as [`RF_PANIC`]
//! with the panic message in the output buffer. A buffer a plugin hands out is given back to
//! that plugin's `free_buf`, so each side frees only what its own allocator made.

use std::ffi::c_void;

/// First bytes of every header. Stable across ABI versions, like `abi_version` after it.
pub const MAGIC: [u8; 8] = *b"RBFLEET\0";
/// Bump on any change to the header, the vtable, or the encoding of what crosses.
pub const ABI_VERSION: u32 = 3;
/// The entry symbol, NUL-terminated for `dlsym`.
pub const ENTRY_SYMBOL: &[u8] = b"robofleet_plugin_entry\0";

pub const PANIC_UNWIND: u32 = 0;
pub const PANIC_ABORT: u32 = 1;

/// Call succeeded.
pub const RF_OK: i32 = 0;
/// The robot reported an error; the message is in the output buffer.
pub const RF_ERR: i32 = 1;
/// The robot panicked; the panic message is in the output buffer, then its location and,
/// when a backtrace is wanted, its frame addresses ([`crate::panics`]).
pub const RF_PANIC: i32 = 2;

/// A byte buffer owned by the plugin that filled it. Give it back with `free_buf`.
#[repr(C)]
#[derive(Debug)]
pub struct RfBuf {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

impl RfBuf {
    pub const fn empty() -> Self {
        RfBuf {
            ptr: std::ptr::null_mut(),
            len: 0,
            cap: 0,
        }
    }

    /// Hand a `Vec` over the boundary (plugin side).
    pub fn from_vec(v: Vec<u8>) -> Self {
        let mut v = std::mem::ManuallyDrop::new(v);
        RfBuf {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            cap: v.capacity(),
        }
    }

    /// View the bytes (host side, before giving the buffer back).
    ///
    /// # Safety
    /// `ptr`/`len` must describe a live buffer filled by the plugin.
    pub unsafe fn as_slice(&self) -> &[u8] {
        if self.ptr.is_null() || self.len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(self.ptr, self.len)
        }
    }
}

/// A borrowed string with static lifetime in the plugin's image.
#[repr(C)]
pub struct RfStr {
    pub ptr: *const u8,
    pub len: usize,
}

pub type DescribeFn = unsafe extern "C" fn(out: *mut RfBuf) -> i32;
pub type CreateFn = unsafe extern "C" fn(
    args: *const u8,
    args_len: usize,
    out_handle: *mut *mut c_void,
    err: *mut RfBuf,
) -> i32;
pub type HandleFn = unsafe extern "C" fn(
    handle: *mut c_void,
    event: *const u8,
    event_len: usize,
    out: *mut RfBuf,
) -> i32;
pub type SnapshotFn = unsafe extern "C" fn(handle: *mut c_void, out: *mut RfBuf) -> i32;
pub type RestoreFn = unsafe extern "C" fn(
    args: *const u8,
    args_len: usize,
    snapshot: *const u8,
    snapshot_len: usize,
    out_handle: *mut *mut c_void,
    err: *mut RfBuf,
) -> i32;
pub type RaiseOrderSeqFn =
    unsafe extern "C" fn(handle: *mut c_void, next_order_seq: u64, err: *mut RfBuf) -> i32;
pub type DestroyFn = unsafe extern "C" fn(handle: *mut c_void) -> i32;
pub type FreeBufFn = unsafe extern "C" fn(buf: RfBuf);

/// The plugin's functions. All are `unsafe`: the caller vouches for the pointers it passes
/// (valid for the stated lengths, handles from `create`, buffers from this plugin).
#[repr(C)]
pub struct PluginVTable {
    /// Writes the postcard-encoded [`crate::RobotInfo`].
    pub describe: DescribeFn,
    /// Reads postcard [`crate::CreateArgs`]; writes a handle, or an error message.
    pub create: CreateFn,
    /// Reads a postcard [`crate::Event`]; writes postcard `Vec<Action>`.
    pub handle: HandleFn,
    /// Writes postcard `(next_order_seq, robot snapshot bytes)`.
    pub snapshot: SnapshotFn,
    /// Raises the next client order sequence to at least the given one (added in ABI 2).
    pub raise_order_seq: RaiseOrderSeqFn,
    /// Reads postcard [`crate::CreateArgs`] and the bytes `snapshot` wrote; writes a handle to
    /// the robot rebuilt from them, or an error message (added in ABI 3).
    pub restore: RestoreFn,
    pub destroy: DestroyFn,
    pub free_buf: FreeBufFn,
}

/// What the entry symbol returns. The server checks every field before it trusts the rest.
#[repr(C)]
pub struct PluginHeader {
    pub magic: [u8; 8],
    pub abi_version: u32,
    /// `size_of::<PluginHeader>()` as the plugin was built.
    pub header_size: u32,
    /// `size_of::<PluginVTable>()` as the plugin was built.
    pub vtable_size: u32,
    /// [`PANIC_UNWIND`] or [`PANIC_ABORT`]: a plugin built with abort kills the host on panic.
    pub panic_strategy: u32,
    /// `<crate> <version>` of the plugin build, for logs and status.
    pub build_id: RfStr,
    pub vtable: PluginVTable,
}

// The header lives in a `static`; its raw pointers point at static data and never change.
unsafe impl Sync for PluginHeader {}

pub type EntryFn = unsafe extern "C" fn() -> *const PluginHeader;

/// The panic strategy this crate (and so the plugin that expands the export macro) was built with.
pub const fn this_panic_strategy() -> u32 {
    if cfg!(panic = "unwind") {
        PANIC_UNWIND
    } else {
        PANIC_ABORT
    }
}
