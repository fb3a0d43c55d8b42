//! Process limits a large fleet needs.
//!
//! Each robot holds about two file descriptors (its journal segment, and a checkpoint or an
//! archived segment being written), so 1,000 robots need ~2,000 plus ~200 for the server,
//! where a stock shell gives a process 1,024. The soft limit may be raised up to the hard one without privileges.

/// Raise the soft limit on open files to the hard limit. Returns the limit in force after the
/// call (`None` where it cannot be read). Never fails the server: a fleet small enough to fit
/// the old limit runs as before, and the limit is logged.
pub fn raise_open_files() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read or write the struct passed by pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        tracing::warn!(
            "cannot read the open-file limit: {}",
            std::io::Error::last_os_error()
        );
        return None;
    }
    if lim.rlim_cur < lim.rlim_max {
        let before = lim.rlim_cur;
        lim.rlim_cur = lim.rlim_max;
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            tracing::warn!(
                "open-file limit stays {before}: cannot raise it to {}: {}",
                lim.rlim_max,
                std::io::Error::last_os_error()
            );
            return Some(before);
        }
        tracing::debug!("open-file limit raised from {before} to {}", lim.rlim_max);
    }
    Some(lim.rlim_cur)
}

/// Robots a limit of `open_files` descriptors holds, at two each (its journal segment, and
/// one for a checkpoint or a segment being archived), less 200 for the rest of the server
/// (control, feed, store, gateway, libraries). Robots hold no sockets: they have inboxes.
pub fn robots_within(open_files: u64) -> u64 {
    open_files.saturating_sub(200) / 2
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let now = super::raise_open_files().expect("readable limit");
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        assert_eq!(lim.rlim_cur, lim.rlim_max);
        assert_eq!(now, lim.rlim_cur);
        assert_eq!(super::robots_within(1024), 412);
    }
}
