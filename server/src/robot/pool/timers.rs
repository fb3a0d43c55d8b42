//! The pool's one timer thread: it puts a robot on the run queue when the wake-up it asked
//! for (its next timer event, or a journal buffer to hand to the OS) is due. The robot's own
//! turn decides what is due; a wake-up that finds nothing due costs one turn.

use super::task::Task;
use super::TimerCmd;
use crossbeam_channel::{Receiver, RecvTimeoutError};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Weak;
use std::time::Instant;

struct Due {
    at: Instant,
    /// Ties in `at` go in the order they were asked for.
    n: u64,
    task: Weak<Task>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.n) == (other.at, other.n)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.n).cmp(&(other.at, other.n))
    }
}

pub(super) fn run(cmds: Receiver<TimerCmd>) {
    let mut heap: BinaryHeap<Reverse<Due>> = BinaryHeap::new();
    let mut n = 0u64;
    loop {
        let cmd = match heap.peek() {
            Some(Reverse(first)) => cmds.recv_deadline(first.at),
            None => cmds.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match cmd {
            Ok(TimerCmd::At(at, task)) => {
                n += 1;
                heap.push(Reverse(Due { at, n, task }));
            }
            Ok(TimerCmd::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = Instant::now();
        while heap.peek().is_some_and(|Reverse(d)| d.at <= now) {
            if let Some(Reverse(due)) = heap.pop() {
                if let Some(task) = due.task.upgrade() {
                    task.wake();
                }
            }
        }
    }
}
