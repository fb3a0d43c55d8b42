//! A command channel for a thread that sleeps in `zmq::poll`: a crossbeam channel carries the
//! commands, and a byte on an inproc PUSH/PULL pair wakes the poller.

use crossbeam_channel::{Receiver, Sender};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The sending half. Owned by one thread (a zmq socket is not shared between threads).
pub struct MailboxSender<T> {
    tx: Sender<T>,
    bell: zmq::Socket,
}

/// The receiving half: poll `socket()` for POLLIN, then `drain()`.
pub struct MailboxReceiver<T> {
    rx: Receiver<T>,
    bell: zmq::Socket,
}

pub fn mailbox<T>(
    ctx: &zmq::Context,
    name: &str,
) -> Result<(MailboxSender<T>, MailboxReceiver<T>), zmq::Error> {
    let endpoint = format!(
        "inproc://bell/{name}-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let pull = ctx.socket(zmq::PULL)?;
    pull.set_linger(0)?;
    pull.bind(&endpoint)?;
    let push = ctx.socket(zmq::PUSH)?;
    push.set_linger(0)?;
    push.connect(&endpoint)?;
    let (tx, rx) = crossbeam_channel::unbounded();
    Ok((
        MailboxSender { tx, bell: push },
        MailboxReceiver { rx, bell: pull },
    ))
}

impl<T> MailboxSender<T> {
    /// Queue a command and ring. Err only if the receiver is gone.
    pub fn send(&self, msg: T) -> Result<(), T> {
        self.tx.send(msg).map_err(|e| e.into_inner())?;
        // A full bell queue means the receiver is already due to wake: nothing is lost,
        // because the command itself sits in the unbounded channel.
        let _ = self.bell.send(&[][..], zmq::DONTWAIT);
        Ok(())
    }
}

impl<T> MailboxReceiver<T> {
    pub fn socket(&self) -> &zmq::Socket {
        &self.bell
    }

    /// Clear the bell and take every queued command.
    pub fn drain(&self) -> Vec<T> {
        while self.bell.recv_bytes(zmq::DONTWAIT).is_ok() {}
        self.rx.try_iter().collect()
    }
}
