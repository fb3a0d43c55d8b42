//! Checking a plugin file before the server maps it.
//!
//! `dlopen` of a truncated or corrupt library can fault inside the dynamic loader itself
//! (SIGBUS while it reads segments that are not in the file): no check after loading can
//! save the process. So a new build is checked twice before the server loads it:
//!
//! 1. [`check_elf`]: a cheap parse of the ELF headers (goblin), in-process: every segment,
//!    section and table that a library for this machine declares lies inside the file. This
//!    turns truncations into a clear reason ("file too short") without a fork.
//! 2. [`probe_in_child`]: the `robofleet` binary re-executed (`robofleet __probe-plugin`)
//!    loads the same file, checks its header and calls `describe`, and prints its verdict.
//!    A child that dies on a signal takes nothing down but itself.
//!
//! Both run on the server's private copy, which is then the very file the server loads: a
//! build truncated after it was checked is a different file and goes through the checks
//! again when it is picked up.

use super::loader::{open_checked, PluginError};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The hidden subcommand of the `robofleet` binary that loads one plugin and reports.
pub const PROBE_SUBCOMMAND: &str = "__probe-plugin";
/// How the child's verdict line starts (a plugin may print to stdout while it loads).
const VERDICT: &str = "robofleet-probe: ";
/// A plugin whose initialisers take longer than this is refused (and its child killed).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

#[cfg(target_arch = "x86_64")]
const MACHINE: u16 = goblin::elf::header::EM_X86_64;
#[cfg(target_arch = "aarch64")]
const MACHINE: u16 = goblin::elf::header::EM_AARCH64;

/// Check that a library for this machine holds everything its ELF headers promise. Files
/// that are not ELF, or are ELF for another machine, pass: the loader refuses those safely,
/// in its own words ("invalid ELF header", "wrong ELF class: ELFCLASS32"). What it cannot
/// refuse safely is a library it starts to map: a segment past the end of the file faults
/// when touched (SIGBUS).
pub fn check_elf(bytes: &[u8]) -> Result<(), String> {
    use goblin::elf::header::header64::SIZEOF_EHDR;
    use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB};
    use goblin::elf::Elf;
    let len = bytes.len() as u64;
    let ours = bytes.len() >= SIZEOF_EHDR
        && bytes.starts_with(b"\x7fELF")
        && bytes[EI_CLASS] == ELFCLASS64
        && bytes[EI_DATA] == ELFDATA2LSB;
    if !ours {
        return Ok(());
    }
    let header = Elf::parse_header(bytes).map_err(|e| format!("corrupt ELF header: {e}"))?;
    if header.e_machine != MACHINE {
        return Ok(());
    }
    let table_end = |off: u64, n: u16, size: u16| off.saturating_add(n as u64 * size as u64);
    let ph_end = table_end(header.e_phoff, header.e_phnum, header.e_phentsize);
    let sh_end = table_end(header.e_shoff, header.e_shnum, header.e_shentsize);
    for (what, end) in [
        ("the program headers", ph_end),
        ("the section headers", sh_end),
    ] {
        if end > len {
            return Err(too_short(what, end, len));
        }
    }
    let elf = Elf::parse(bytes).map_err(|e| format!("corrupt ELF structure: {e}"))?;
    for ph in &elf.program_headers {
        let end = ph.p_offset.saturating_add(ph.p_filesz);
        if end > len {
            return Err(too_short("a segment", end, len));
        }
    }
    for sh in &elf.section_headers {
        if sh.sh_type == goblin::elf::section_header::SHT_NOBITS {
            continue;
        }
        let end = sh.sh_offset.saturating_add(sh.sh_size);
        if end > len {
            return Err(too_short("a section", end, len));
        }
    }
    Ok(())
}

fn too_short(what: &str, end: u64, len: u64) -> String {
    format!("file too short: {what} ends at byte {end}, the file has {len} (truncated?)")
}

/// The `robofleet` executable that probes plugins: `ROBOFLEET_EXE` if set; this executable
/// when it is `robofleet`; else a `robofleet` beside it or one folder up (where cargo puts
/// test and bench binaries).
pub fn default_probe_exe() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ROBOFLEET_EXE") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    if exe.file_stem().is_some_and(|s| s == "robofleet") {
        return Some(exe);
    }
    let dir = exe.parent()?;
    let found = [Some(dir), dir.parent()]
        .into_iter()
        .flatten()
        .map(|d| d.join("robofleet"))
        .find(|p| p.is_file());
    found
}

/// Load `copy` in a child `exe __probe-plugin` and wait for its verdict. `label` is the
/// file the trader dropped in, named in every message.
pub fn probe_in_child(exe: &Path, label: &Path, copy: &Path) -> Result<(), PluginError> {
    let refused = |reason: String| PluginError::Probe {
        path: label.to_path_buf(),
        reason,
    };
    let mut child = Command::new(exe)
        .arg(PROBE_SUBCOMMAND)
        .arg("--label")
        .arg(label)
        .arg(copy)
        // A panic while loading must not spend seconds symbolizing a backtrace.
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LOG", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            refused(format!(
                "cannot start the plugin check ({} {PROBE_SUBCOMMAND}): {e}",
                exe.display()
            ))
        })?;
    // Read stdout on the side: a chatty plugin could otherwise fill the pipe and hang.
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.take(1 << 20).read_to_string(&mut text);
        }
        text
    });
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(refused(format!(
                    "did not finish loading within {PROBE_TIMEOUT:?} (stuck in an initialiser?)"
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(refused(format!("cannot wait for the plugin check: {e}"))),
        }
    };
    let text = reader.join().unwrap_or_default();
    let verdict = text.lines().rev().find_map(|l| l.strip_prefix(VERDICT));
    match verdict {
        Some("ok") if status.success() => Ok(()),
        Some(reason) if !status.success() && reason != "ok" => Err(PluginError::Child {
            message: reason.to_string(),
        }),
        _ => Err(refused(crash_reason(&status))),
    }
}

fn crash_reason(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(sig) => format!(
            "loading it crashed the loader ({}): a truncated or corrupt library; the server did not load it",
            signal_name(sig)
        ),
        None => format!(
            "the plugin check ended without a verdict ({status}): the library's initialisers exited the process?"
        ),
    }
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGBUS => "SIGBUS",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        _ => return format!("signal {sig}"),
    };
    format!("{name}, signal {sig}")
}

/// The child's side: load `copy` as the server would, print the verdict, return the exit
/// code. Run by `robofleet __probe-plugin --label LABEL COPY`.
pub fn probe_main(label: &Path, copy: &Path) -> i32 {
    match open_checked(label, copy) {
        Ok(opened) => {
            println!("{VERDICT}ok");
            // The library stays mapped until the process exits: unloading it could only
            // add a way to fail.
            std::mem::forget(opened);
            0
        }
        Err(e) => {
            // One line: the parent reads the last verdict line.
            println!("{VERDICT}{}", e.to_string().replace('\n', " "));
            2
        }
    }
}
