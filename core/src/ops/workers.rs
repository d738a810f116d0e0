//! The phone workers: one thread per phone worked at once, named, with a
//! small stack, taking phones from one queue.
//!
//! A worker spends its life waiting on its phone (a real phone's UI dump takes
//! seconds) and holds little: the open device, the last UI dump and its parsed
//! tree, the account in hand. So a whole PC's farm is worked at once
//! ([`DEFAULT_PARALLELISM`]): a slow or hanging phone keeps only its own worker
//! busy, and every other phone goes at its own pace. A worker's stack is
//! [`WORKER_STACK_BYTES`], a quarter of Rust's default: 256 workers reserve
//! 128 MiB of address space instead of 512 MiB (what matters on 32-bit
//! phones and tablets embedding the engine), and only the pages a worker
//! touches become resident.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::thread;

/// How many phones a run works at once unless told otherwise
/// ([`RunOptions::parallelism`](super::RunOptions::parallelism)): every phone
/// of a whole PC's farm (USB hubs and cloud phones, up to 256), each on its own
/// worker thread. Larger farms are worked in this many at once, the next phone
/// starting as soon as a worker is free; a larger `parallelism` may be asked
/// for explicitly.
pub const DEFAULT_PARALLELISM: usize = 256;

/// Stack size of each phone worker thread (512 KiB).
///
/// Enough for everything a worker runs: UI dump parsing (iterative), SQLite
/// writes, and progress observers, which run on the workers (Python and
/// uniffi callbacks included). The Rust end-to-end workflow tests (simulated
/// phones through adb, the CLI over SQLite) pass with a quarter of it.
pub const WORKER_STACK_BYTES: usize = 512 * 1024;

/// The name every phone worker thread carries (what `top -H` and
/// `/proc/PID/task/*/comm` show), so a profile tells the controller's phone
/// work from everything else in the process.
pub const WORKER_THREAD_NAME: &str = "farmhand-phone";

/// Runs `work` once per job on up to `parallelism` worker threads (at least
/// one, never more than there are jobs), each taking the next job from one
/// queue as soon as it is free, so no job waits behind a slow one while a
/// worker is idle. Returns when every job is done.
///
/// When the system refuses more threads (a process or user thread limit), the
/// workers already started and the calling thread share the queue: the run
/// goes on with fewer phones at once, and every job is still done exactly once.
pub(crate) fn drain<T, F>(parallelism: usize, jobs: Vec<T>, work: F)
where
    T: Send,
    F: Fn(T) + Sync,
{
    let wanted = parallelism.max(1).min(jobs.len());
    let queue = Mutex::new(VecDeque::from(jobs));
    let next = || {
        queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    };
    let worker = || {
        while let Some(job) = next() {
            work(job);
        }
    };
    thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..wanted {
            let spawned = thread::Builder::new()
                .name(WORKER_THREAD_NAME.into())
                .stack_size(WORKER_STACK_BYTES)
                .spawn_scoped(scope, worker);
            if spawned.is_err() {
                break;
            }
            started += 1;
        }
        if started < wanted {
            worker();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Barrier;
    use std::time::Duration;

    /// (job, worker thread name, worker thread id) of every job done.
    fn record(parallelism: usize, jobs: usize) -> Vec<(usize, String, thread::ThreadId)> {
        let seen = Mutex::new(Vec::new());
        drain(parallelism, (0..jobs).collect(), |job| {
            let me = thread::current();
            seen.lock()
                .unwrap()
                .push((job, me.name().unwrap_or_default().to_string(), me.id()));
            thread::sleep(Duration::from_millis(2));
        });
        seen.into_inner().unwrap()
    }

    #[test]
    fn every_job_runs_exactly_once_on_a_named_worker() {
        let seen = record(8, 100);
        let mut jobs: Vec<usize> = seen.iter().map(|s| s.0).collect();
        jobs.sort_unstable();
        assert_eq!(jobs, (0..100).collect::<Vec<_>>());
        assert!(seen.iter().all(|s| s.1 == WORKER_THREAD_NAME), "{seen:?}");
        let workers: HashMap<_, usize> = seen.iter().fold(HashMap::new(), |mut m, s| {
            *m.entry(s.2).or_default() += 1;
            m
        });
        assert!(workers.len() <= 8, "{} workers for 8", workers.len());
    }

    #[test]
    fn never_more_workers_than_jobs_and_zero_means_one() {
        let ids = |seen: Vec<(usize, String, thread::ThreadId)>| {
            let mut ids: Vec<_> = seen.into_iter().map(|s| s.2).collect();
            ids.sort_unstable_by_key(|id| format!("{id:?}"));
            ids.dedup();
            ids.len()
        };
        assert!(ids(record(1000, 3)) <= 3);
        assert_eq!(ids(record(0, 5)), 1);
        assert!(record(4, 0).is_empty());
    }

    #[test]
    fn a_whole_farm_is_worked_at_once_by_default() {
        // Every job waits for all the others to have started: this only ends
        // when DEFAULT_PARALLELISM jobs run at the same time.
        let barrier = Barrier::new(DEFAULT_PARALLELISM);
        let done = Mutex::new(0);
        drain(
            DEFAULT_PARALLELISM,
            (0..DEFAULT_PARALLELISM).collect(),
            |_| {
                barrier.wait();
                *done.lock().unwrap() += 1;
            },
        );
        assert_eq!(done.into_inner().unwrap(), DEFAULT_PARALLELISM);
    }
}
