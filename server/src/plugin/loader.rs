use robofleet_api::abi::{
    EntryFn, PluginHeader, PluginVTable, RfBuf, ABI_VERSION, ENTRY_SYMBOL, MAGIC, PANIC_UNWIND,
    RF_OK,
};
use robofleet_api::RobotInfo;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("{path}: cannot copy the plugin to a private file: {source}")]
    Copy {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a loadable library: {reason}")]
    NotLoadable { path: PathBuf, reason: String },
    #[error("{path}: no `robofleet_plugin_entry` symbol: not a robofleet plugin (export it with robofleet_api::export_robot!)")]
    NoEntry { path: PathBuf },
    #[error("{path}: plugin header has the wrong magic: not a robofleet plugin")]
    BadMagic { path: PathBuf },
    #[error("{path}: built for plugin ABI version {found}, this server speaks version {expected}: rebuild it against this server's robofleet-api{hint}")]
    AbiVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
        /// What changed since that version, for a plugin built before it.
        hint: &'static str,
    },
    #[error("{path}: plugin header or vtable size differs from this server's ({what}): rebuild it against this server's robofleet-api")]
    Layout { path: PathBuf, what: String },
    #[error("{path}: built with panic = \"abort\": a robot panic would kill the whole server; build it with panic = \"unwind\" (the default)")]
    PanicAbort { path: PathBuf },
    #[error("{path}: the plugin could not describe itself: {reason}")]
    Describe { path: PathBuf, reason: String },
    /// The check in a child process could not run or did not finish.
    #[error("{path}: {reason}")]
    Probe { path: PathBuf, reason: String },
    /// The check in a child process refused the file; its message names the file.
    #[error("{message}")]
    Child { message: String },
}

/// A checked, loaded plugin. Unmapped (and its private copy deleted) when the last `Arc` goes.
pub struct LoadedPlugin {
    /// The file the trader dropped in.
    pub source: PathBuf,
    pub info: RobotInfo,
    pub build_id: String,
    /// SHA-256 of the library file (hex): tells two builds of one crate version apart.
    pub file_hash: String,
    vtable: *const PluginVTable,
    private_copy: PathBuf,
    // Last field: dropped after everything that points into it.
    library: Option<libloading::Library>,
}

// The vtable points into the library's static data, immutable and kept mapped by `library`.
unsafe impl Send for LoadedPlugin {}
unsafe impl Sync for LoadedPlugin {}

impl LoadedPlugin {
    /// `<crate> <version> (<first 12 hex digits of the file hash>)`: what journals record.
    pub fn build_label(&self) -> String {
        let short = self.file_hash.get(..12).unwrap_or(&self.file_hash);
        format!("{} ({short})", self.build_id)
    }

    pub(super) fn vtable(&self) -> &PluginVTable {
        // SAFETY: checked at load; valid while `library` is loaded, i.e. while `self` lives.
        unsafe { &*self.vtable }
    }
}

impl Drop for LoadedPlugin {
    fn drop(&mut self) {
        drop(self.library.take());
        let _ = std::fs::remove_file(&self.private_copy);
    }
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("source", &self.source)
            .field("build_id", &self.build_id)
            .finish()
    }
}

static COPY_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Copy `path` into `private_dir`, check the copy's ELF headers, load it, and check its
/// plugin header. For files whose loading could fault, use [`load_plugin_probed`].
pub fn load_plugin(path: &Path, private_dir: &Path) -> Result<LoadedPlugin, PluginError> {
    load_plugin_probed(path, private_dir, None)
}

/// As [`load_plugin`], and with `probe_exe` the copy is first loaded in a child process
/// (`probe_exe __probe-plugin`): a file that crashes the loader kills only that child.
pub fn load_plugin_probed(
    path: &Path,
    private_dir: &Path,
    probe_exe: Option<&Path>,
) -> Result<LoadedPlugin, PluginError> {
    let copy_err = |source| PluginError::Copy {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(private_dir).map_err(copy_err)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("plugin");
    let n = COPY_COUNTER.fetch_add(1, Ordering::Relaxed);
    let private_copy = private_dir.join(format!("{stem}-{}-{n}.so", std::process::id()));
    std::fs::copy(path, &private_copy).map_err(copy_err)?;
    let result = check_and_load(path, &private_copy, probe_exe);
    if result.is_err() {
        let _ = std::fs::remove_file(&private_copy);
    }
    result
}

fn check_and_load(
    path: &Path,
    private_copy: &Path,
    probe_exe: Option<&Path>,
) -> Result<LoadedPlugin, PluginError> {
    let bytes = std::fs::read(private_copy).map_err(|source| PluginError::Copy {
        path: path.to_path_buf(),
        source,
    })?;
    super::probe::check_elf(&bytes).map_err(|reason| PluginError::NotLoadable {
        path: path.to_path_buf(),
        reason,
    })?;
    let file_hash = crate::journal::format::hex(&crate::journal::format::state_hash(&bytes));
    drop(bytes);
    if let Some(exe) = probe_exe {
        super::probe::probe_in_child(exe, path, private_copy)?;
    }
    let opened = open_checked(path, private_copy)?;
    Ok(LoadedPlugin {
        source: path.to_path_buf(),
        info: opened.info,
        build_id: opened.build_id,
        file_hash,
        vtable: opened.vtable,
        private_copy: private_copy.to_path_buf(),
        library: Some(opened.library),
    })
}

/// A library that passed every check, before it becomes a [`LoadedPlugin`].
pub(super) struct Opened {
    info: RobotInfo,
    build_id: String,
    vtable: *const PluginVTable,
    // Last field: dropped after everything that points into it.
    library: libloading::Library,
}

/// The loader's own words ("file too short", "invalid ELF header", ...): libloading's
/// Display says only "dlopen failed", the text is its source. dlerror names the file it
/// was given, our private copy: that prefix goes, the error already names the real file.
fn loader_reason(e: &libloading::Error, file: &Path) -> String {
    use std::error::Error;
    let text = e
        .source()
        .map_or_else(|| e.to_string(), |src| src.to_string());
    let prefix = format!("{}: ", file.display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

/// Load `file` and check its plugin header and `describe`; errors name `path`.
pub(super) fn open_checked(path: &Path, file: &Path) -> Result<Opened, PluginError> {
    let p = || path.to_path_buf();
    // SAFETY: loading runs the library's initialisers; that is what a plugin folder is for.
    let library =
        unsafe { libloading::Library::new(file) }.map_err(|e| PluginError::NotLoadable {
            path: p(),
            reason: loader_reason(&e, file),
        })?;
    // SAFETY: the symbol's type is fixed by the ABI; checked for null right after.
    let entry: EntryFn = unsafe { library.get::<EntryFn>(ENTRY_SYMBOL) }
        .map(|s| *s)
        .map_err(|_| PluginError::NoEntry { path: p() })?;
    // SAFETY: the entry takes no arguments and returns a pointer to static data.
    let header = unsafe { entry() };
    if header.is_null() {
        return Err(PluginError::BadMagic { path: p() });
    }
    // Read the fields every ABI version keeps at the front before trusting the layout.
    // SAFETY: magic and abi_version sit at the same offsets in every version of the header.
    let (magic, abi_version) = unsafe {
        (
            std::ptr::read_unaligned(header as *const [u8; 8]),
            std::ptr::read_unaligned((header as *const u8).add(8) as *const u32),
        )
    };
    if magic != MAGIC {
        return Err(PluginError::BadMagic { path: p() });
    }
    if abi_version != ABI_VERSION {
        return Err(abi_mismatch(p(), abi_version));
    }
    // SAFETY: same ABI version, so the layout is ours; sizes double-checked below.
    let h: &PluginHeader = unsafe { &*header };
    let expect = (
        std::mem::size_of::<PluginHeader>() as u32,
        std::mem::size_of::<PluginVTable>() as u32,
    );
    if (h.header_size, h.vtable_size) != expect {
        return Err(PluginError::Layout {
            path: p(),
            what: format!(
                "header {} vs {}, vtable {} vs {}",
                h.header_size, expect.0, h.vtable_size, expect.1
            ),
        });
    }
    if h.panic_strategy != PANIC_UNWIND {
        return Err(PluginError::PanicAbort { path: p() });
    }
    let build_id = if h.build_id.ptr.is_null() {
        String::new()
    } else {
        // SAFETY: a static str in the plugin image.
        let bytes = unsafe { std::slice::from_raw_parts(h.build_id.ptr, h.build_id.len) };
        String::from_utf8_lossy(bytes).into_owned()
    };
    let vtable: *const PluginVTable = &h.vtable;
    let info = describe(unsafe { &*vtable })
        .map_err(|reason| PluginError::Describe { path: p(), reason })?;
    Ok(Opened {
        info,
        build_id,
        vtable,
        library,
    })
}

fn describe(vt: &PluginVTable) -> Result<RobotInfo, String> {
    let mut out = RfBuf::empty();
    // SAFETY: a valid out pointer; the plugin passed its header checks.
    let code = unsafe { (vt.describe)(&mut out) };
    // SAFETY: the plugin filled `out`; we copy before handing it back.
    let bytes = unsafe { out.as_slice() }.to_vec();
    unsafe { (vt.free_buf)(out) };
    if code != RF_OK {
        return Err(String::from_utf8_lossy(&bytes).into_owned());
    }
    postcard::from_bytes(&bytes).map_err(|e| format!("undecodable robot info: {e}"))
}

/// The refusal of a plugin built for another ABI version, saying what to change.
fn abi_mismatch(path: PathBuf, found: u32) -> PluginError {
    let hint = if found < 3 {
        " (ABI 3 made every price an exact `Price` instead of `f64`: see \"ABI 3\" in docs/plugins.md)"
    } else {
        ""
    };
    PluginError::AbiVersion {
        path,
        found,
        expected: ABI_VERSION,
        hint,
    }
}

#[cfg(test)]
mod abi_tests {
    use super::*;

    #[test]
    fn an_abi_2_plugin_is_told_what_to_rebuild() {
        let msg = abi_mismatch(PathBuf::from("/p/libold.so"), 2).to_string();
        assert_eq!(
            msg,
            "/p/libold.so: built for plugin ABI version 2, this server speaks version 3: \
             rebuild it against this server's robofleet-api (ABI 3 made every price an exact \
             `Price` instead of `f64`: see \"ABI 3\" in docs/plugins.md)"
        );
        let newer = abi_mismatch(PathBuf::from("/p/libnew.so"), 4).to_string();
        assert!(newer.ends_with("speaks version 3: rebuild it against this server's robofleet-api"));
    }
}
