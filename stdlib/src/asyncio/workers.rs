//! The threads that work for the loop: a pool for blocking jobs (`run_in_executor`,
//! `to_thread`, [`super::threads::blocking_fn`]) sized and named as CPython's default
//! executor (`ThreadPoolExecutor(thread_name_prefix='asyncio')`: up to `min(32, cpus + 4)`
//! threads `asyncio_0`, `asyncio_1`, ..., started when no thread is idle and kept for
//! reuse; more jobs wait their turn), and an executor that polls the host's Rust futures
//! ([`super::threads::future_fn`]) together on a few threads, so that no call costs a
//! thread of its own.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// The blocking-job pool.
struct Pool {
    state: Mutex<State>,
    work: Condvar,
    /// `min(32, cpus + 4)`, CPython's `ThreadPoolExecutor` default.
    max: usize,
}

struct State {
    jobs: VecDeque<Job>,
    /// Threads waiting for a job.
    idle: usize,
    /// Threads started.
    threads: usize,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(State {
            jobs: VecDeque::new(),
            idle: 0,
            threads: 0,
        }),
        work: Condvar::new(),
        max: std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .saturating_add(4)
            .min(32),
    })
}

/// Runs `job` on a worker thread of the pool: an idle one, or a new one while the pool is
/// below its size; otherwise the job waits for a thread to finish, as in CPython.
pub(super) fn run_blocking(job: impl FnOnce() + Send + 'static) {
    let pool = pool();
    let mut st = pool.lock();
    st.jobs.push_back(Box::new(job));
    if st.jobs.len() > st.idle && st.threads < pool.max {
        let n = st.threads;
        st.threads += 1;
        let started = std::thread::Builder::new()
            .name(format!("asyncio_{n}"))
            .spawn(move || worker(pool));
        assert!(
            started.is_ok() || n > 0,
            "the OS starts no thread for the executor"
        );
        if started.is_err() {
            st.threads -= 1;
        }
    }
    drop(st);
    pool.work.notify_one();
}

/// A pool thread: runs jobs as they come, forever. A job that panics loses its result
/// (its completer reports the failure as it is dropped) but not the thread.
fn worker(pool: &'static Pool) {
    crate::signal::block_async_signals();
    let mut st = pool.lock();
    loop {
        if let Some(job) = st.jobs.pop_front() {
            drop(st);
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            st = pool.lock();
        } else {
            st.idle += 1;
            st = pool.work.wait(st).unwrap_or_else(|e| e.into_inner());
            st.idle -= 1;
        }
    }
}

/// Polls `fut` to completion on the futures executor (one thread per core, named
/// `aio-futures-N`, shared by every host future). Futures must not block their thread.
pub(super) fn spawn_future(fut: impl std::future::Future<Output = ()> + Send + 'static) {
    static EXECUTOR: OnceLock<futures_executor::ThreadPool> = OnceLock::new();
    EXECUTOR
        .get_or_init(|| {
            futures_executor::ThreadPool::builder()
                .name_prefix("aio-futures-")
                .after_start(|_| crate::signal::block_async_signals())
                .create()
                .expect("the OS starts the futures executor's threads")
        })
        .spawn_ok(fut);
}
