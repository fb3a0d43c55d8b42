//! The versioned C ABI between the server and a plugin.
//!
//! A plugin exports one symbol, [`ENTRY_SYMBOL`], an `extern "C" fn() -> *const PluginHeader`.
//! Only `#[repr(C)]` data and byte buffers cross:
//!
//! - **Market data** (quotes, trade prints, bars) crosses as fixed-layout [`RfMarket`]
//!   records, many per call (`market`), with the symbol as a number the server hands out
//!   (`define_symbol` names it first). Nothing is decoded or allocated per record on either
//!   side: the plugin's glue refreshes one reused [`crate::Event`] in place.
//! - **Every other event** (start, stop, params, commands, order updates, fills, timers,
//!   instrument specs) crosses as postcard-encoded bytes (`handle`): rare, and carrying
//!   strings that mean something.
//! - **Actions** are written by the plugin into a buffer the host lends ([`RfLent`]) as
//!   postcard `Vec<Action>`; an event with no actions writes the single byte `0`.
//!
//! Every function catches panics and reports them as [`RF_PANIC`] with the panic message in
//! the error buffer ([`RfBuf`]). A buffer a plugin hands out is given back to that plugin's
//! `free_buf`, so each side frees only what its own allocator made.

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
/// The actions did not fit the lent buffer: its `len` says how many bytes they need. The
/// plugin keeps them; the host lends a buffer that large to `take_actions`.
pub const RF_MORE: i32 = 3;

/// [`RfMarket::kind`] of a quote: `px` = bid, ask; `qty` = bid size, ask size.
pub const MD_QUOTE: u32 = 1;
/// [`RfMarket::kind`] of a trade print: `px[0]` = price; `qty[0]` = size.
pub const MD_TRADE: u32 = 2;
/// [`RfMarket::kind`] of a bar: `px` = open, high, low, close; `qty` = volume, period in
/// seconds.
pub const MD_BAR: u32 = 3;

/// [`RfMarket::kind`] of an order book: `qty` = bid levels, ask levels; `px[0]` = where its
/// levels start in the call's level array (bids best first, then asks best first).
pub const MD_DEPTH: u32 = 4;

/// One order book level, as it crosses with an [`MD_DEPTH`] record.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RfLevel {
    /// [`crate::Price`] nano-units.
    pub price: i64,
    pub qty: i64,
}

/// Bytes of one [`RfLevel`] in a journal's market record.
pub const LEVEL_LEN: usize = 16;

/// One market event, fixed layout: what crosses for quotes, trade prints, bars and books.
/// Prices are [`crate::Price`] nano-units; the symbol is an id named by `define_symbol`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RfMarket {
    /// The robot's own event sequence number ([`crate::Event::seq`]).
    pub seq: u64,
    /// [`crate::Event::ts`].
    pub ts: i64,
    /// [`MD_QUOTE`], [`MD_TRADE`] or [`MD_BAR`].
    pub kind: u32,
    pub symbol: u32,
    pub px: [i64; 4],
    pub qty: [i64; 2],
}

/// Bytes of [`RfMarket::to_bytes`]: how a market record is kept in a journal.
pub const MARKET_RECORD_LEN: usize = 72;

impl RfMarket {
    /// The record of a book whose `n_bids + n_asks` levels start at `first_level` of the
    /// call's level array.
    pub fn depth(
        seq: u64,
        ts: i64,
        symbol: u32,
        first_level: usize,
        n_bids: usize,
        n_asks: usize,
    ) -> Self {
        RfMarket {
            seq,
            ts,
            kind: MD_DEPTH,
            symbol,
            px: [first_level as i64, 0, 0, 0],
            qty: [n_bids as i64, n_asks as i64],
        }
    }

    /// The levels this record takes from the call's level array: `(first, count)`; none for
    /// kinds other than [`MD_DEPTH`], `None` for counts that make no sense.
    pub fn level_span(&self) -> Option<(usize, usize)> {
        if self.kind != MD_DEPTH {
            return Some((0, 0));
        }
        let first = usize::try_from(self.px[0]).ok()?;
        let bids = usize::try_from(self.qty[0]).ok()?;
        let asks = usize::try_from(self.qty[1]).ok()?;
        Some((first, bids.checked_add(asks)?))
    }

    /// The event this record stands for, with its symbol's name and the call's levels
    /// (allocates: for tools and reports, not the hot path).
    pub fn to_event(&self, symbol: &str, levels: &[RfLevel]) -> Option<crate::Event> {
        let mut event = crate::Event {
            seq: self.seq,
            ts: self.ts,
            kind: crate::EventKind::Start,
        };
        crate::export::fill_market_kind(&mut event.kind, self, symbol, levels)
            .ok()
            .map(|()| event)
    }

    /// Little-endian, field by field (no padding in this layout).
    pub fn to_bytes(&self) -> [u8; MARKET_RECORD_LEN] {
        let mut out = [0u8; MARKET_RECORD_LEN];
        out[0..8].copy_from_slice(&self.seq.to_le_bytes());
        out[8..16].copy_from_slice(&self.ts.to_le_bytes());
        out[16..20].copy_from_slice(&self.kind.to_le_bytes());
        out[20..24].copy_from_slice(&self.symbol.to_le_bytes());
        for (i, p) in self.px.iter().enumerate() {
            out[24 + 8 * i..32 + 8 * i].copy_from_slice(&p.to_le_bytes());
        }
        for (i, q) in self.qty.iter().enumerate() {
            out[56 + 8 * i..64 + 8 * i].copy_from_slice(&q.to_le_bytes());
        }
        out
    }

    /// A journal body: the record (its levels at 0) then its levels.
    pub fn journal_body(&self, levels: &[RfLevel], out: &mut Vec<u8>) {
        let mut rec = *self;
        if rec.kind == MD_DEPTH {
            rec.px[0] = 0;
        }
        out.clear();
        out.extend_from_slice(&rec.to_bytes());
        for l in levels {
            out.extend_from_slice(&l.price.to_le_bytes());
            out.extend_from_slice(&l.qty.to_le_bytes());
        }
    }

    /// What [`RfMarket::journal_body`] wrote: the record, its levels appended to `levels`
    /// (and `px[0]` pointing at them there). `None` if the body does not hold what it says.
    pub fn from_journal_body(body: &[u8], levels: &mut Vec<RfLevel>) -> Option<Self> {
        let mut rec = Self::from_bytes(body.get(..MARKET_RECORD_LEN)?)?;
        let rest = &body[MARKET_RECORD_LEN..];
        let (_, count) = rec.level_span()?;
        if rest.len() != count.checked_mul(LEVEL_LEN)? {
            return None;
        }
        if rec.kind == MD_DEPTH {
            rec.px[0] = levels.len() as i64;
        }
        for l in rest.chunks_exact(LEVEL_LEN) {
            let mut p = [0u8; 8];
            let mut q = [0u8; 8];
            p.copy_from_slice(&l[..8]);
            q.copy_from_slice(&l[8..]);
            levels.push(RfLevel {
                price: i64::from_le_bytes(p),
                qty: i64::from_le_bytes(q),
            });
        }
        Some(rec)
    }

    /// The record [`RfMarket::to_bytes`] wrote; `None` for any other length.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let b: &[u8; MARKET_RECORD_LEN] = b.try_into().ok()?;
        let i64_at = |at: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[at..at + 8]);
            i64::from_le_bytes(a)
        };
        let u32_at = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        Some(RfMarket {
            seq: i64_at(0) as u64,
            ts: i64_at(8),
            kind: u32_at(16),
            symbol: u32_at(20),
            px: [i64_at(24), i64_at(32), i64_at(40), i64_at(48)],
            qty: [i64_at(56), i64_at(64)],
        })
    }
}

/// A buffer the host lends for one call's actions: the plugin writes at most `cap` bytes at
/// `ptr` and sets `len` (or, with [`RF_MORE`], the length it needs).
#[repr(C)]
#[derive(Debug)]
pub struct RfLent {
    pub ptr: *mut u8,
    pub cap: usize,
    pub len: usize,
}

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
    actions: *mut RfLent,
    err: *mut RfBuf,
) -> i32;
pub type MarketFn = unsafe extern "C" fn(
    handle: *mut c_void,
    records: *const RfMarket,
    count: usize,
    levels: *const RfLevel,
    level_count: usize,
    actions: *mut RfLent,
    done: *mut usize,
    err: *mut RfBuf,
) -> i32;
pub type DefineSymbolFn = unsafe extern "C" fn(
    handle: *mut c_void,
    id: u32,
    name: *const u8,
    name_len: usize,
    err: *mut RfBuf,
) -> i32;
pub type TakeActionsFn =
    unsafe extern "C" fn(handle: *mut c_void, actions: *mut RfLent, err: *mut RfBuf) -> i32;
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
    /// Reads a postcard [`crate::Event`]; writes its postcard `Vec<Action>` into the lent
    /// buffer (or returns [`RF_MORE`]).
    pub handle: HandleFn,
    /// Hands `count` market records (and the levels their books point into) to the robot in
    /// order, stopping after the first one it
    /// answers with actions (or fails on); `done` is how many were handed over, that one
    /// included. The lent buffer holds the actions of the last one handed over.
    pub market: MarketFn,
    /// Names symbol `id` for the records that follow (a later call may rename it).
    pub define_symbol: DefineSymbolFn,
    /// After [`RF_MORE`]: writes the kept actions into a lent buffer of the length asked.
    pub take_actions: TakeActionsFn,
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
