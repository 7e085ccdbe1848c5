//! The service's own threads, and how they end.
//!
//! Besides the HTTP workers the service runs the audit writer (see [`crate::records::audit::group`]) and one background
//! thread with its own runtime for webhook delivery (see [`crate::records::webhooks::dispatch`]) and the hourly clean-up
//! of idempotency records. [`crate::Application::run_until_stopped`] stops them once the server has stopped and
//! waits for them before it returns, so none outlives the service: a thread still in the database driver or the
//! resolver while the process exits can crash the exit itself (the C libraries' exit handlers run under it), and a
//! process that starts many services in turn (the integration tests start one per test) would otherwise keep
//! every one's threads, each polling a database nobody uses any more.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// How long a stopping service waits for one of its threads before it leaves it behind (and says so). A webhook
/// attempt in progress is allowed to finish; attempts are bounded by their own timeout.
const STOP_WAIT: Duration = Duration::from_secs(30);

/// Told to the background work when the service stops; cloned into every loop that waits.
#[derive(Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Whether the service has begun to stop.
    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Sleeps for `pause`, or less if the service stops meanwhile; true when it is stopping.
    pub async fn sleep(&mut self, pause: Duration) -> bool {
        tokio::select! {
            biased;
            // An error means the sender is gone, which only happens when the service is gone.
            _ = self.0.wait_for(|stopping| *stopping) => true,
            () = tokio::time::sleep(pause) => false,
        }
    }
}

/// The threads a running service owns.
pub struct Background {
    stop: watch::Sender<bool>,
    /// Joined in this order: the audit writer comes last, as it ends only when the HTTP workers have let go of
    /// its handle.
    threads: Vec<(&'static str, JoinHandle<()>)>,
}

impl Background {
    pub fn new() -> Self {
        let (stop, _) = watch::channel(false);
        Background {
            stop,
            threads: Vec::new(),
        }
    }

    /// The signal handed to work started with [`Background::spawn`].
    fn stopping(&self) -> Stopping {
        Stopping(self.stop.subscribe())
    }

    /// Runs `work` on a thread of its own with a single-threaded runtime; it should return soon after
    /// [`Stopping`] says so.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, work: F)
    where
        F: FnOnce(Stopping) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()>,
    {
        let stopping = self.stopping();
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(work(stopping)),
                    Err(e) => log::error!("the {name} thread did not start: {e}"),
                }
            });
        match spawned {
            Ok(handle) => self.threads.push((name, handle)),
            Err(e) => log::error!("the {name} thread did not start: {e}"),
        }
    }

    /// Takes a thread started elsewhere, which ends by itself once the service is gone.
    pub fn adopt(&mut self, name: &'static str, handle: JoinHandle<()>) {
        self.threads.push((name, handle));
    }

    /// Tells every thread to stop and waits for each, up to [`STOP_WAIT`]. Blocks the calling thread: it is called
    /// once, after the server has stopped.
    pub fn stop(self) {
        self.stop.send_replace(true);
        for (name, handle) in self.threads {
            let deadline = Instant::now() + STOP_WAIT;
            while !handle.is_finished() {
                if Instant::now() >= deadline {
                    log::warn!(
                        "the {name} thread has not stopped within {STOP_WAIT:?}; leaving it behind"
                    );
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            if handle.is_finished() && handle.join().is_err() {
                log::error!("the {name} thread panicked");
            }
        }
    }
}

impl Default for Background {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn stop_wakes_a_sleeping_loop_and_waits_for_it_to_end() {
        let mut background = Background::new();
        let ended = Arc::new(AtomicBool::new(false));
        let flag = ended.clone();
        background.spawn("test-loop", move |mut stopping| async move {
            // Without the wake-up this would sleep for an hour.
            while !stopping.sleep(Duration::from_secs(3600)).await {}
            assert!(stopping.is_stopping());
            flag.store(true, Ordering::SeqCst);
        });
        background.stop();
        // Had the sleep not been cut short, stop would have given up on the thread after STOP_WAIT.
        assert!(
            ended.load(Ordering::SeqCst),
            "stop returned before the loop ended"
        );
    }

    #[test]
    fn an_adopted_thread_is_joined() {
        let mut background = Background::new();
        let ended = Arc::new(AtomicBool::new(false));
        let flag = ended.clone();
        background.adopt(
            "test-adopted",
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                flag.store(true, Ordering::SeqCst);
            }),
        );
        background.stop();
        assert!(ended.load(Ordering::SeqCst));
    }
}
