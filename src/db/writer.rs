//! Group commit of SQLite writes.
//!
//! SQLite has one writer at a time, and with `synchronous = FULL` every commit waits for the disk. One commit per
//! write made the commit, not the work, the limit: under concurrent clients the writers queued for the lock while
//! the CPU sat idle. So every write of a SQLite database runs on one writer connection, in the transaction that is
//! open there, each inside its own savepoint. The write that finds nobody else waiting for the writer commits the
//! transaction (one fsync for all of them); the others wait until that commit has happened, so a write's response
//! is still only sent once it is durable. Each write stays atomic: its savepoint is rolled back when it fails, and
//! the others in the transaction are unaffected. If the commit itself fails, every write in it gets the error and
//! none is kept.
//!
//! Writers queue here, in the process, in the order the lock hands them out, instead of in SQLite's busy handler,
//! which sleeps in growing steps (up to 100 ms) and lets a late arrival overtake. `busy_timeout` stays as the
//! safety net for other processes (a `migrate` run, a backup).
//!
//! PostgreSQL needs none of this: its writers run concurrently, each on its own pooled connection, and the server
//! groups their commits itself.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::DbConnection;
use crate::error::ApiError;

/// Most writes in one transaction: a bound on how long the first of them waits for its commit.
const MAX_BATCH: usize = 256;

/// The writer of one SQLite database.
pub struct SqliteWriter {
    state: Mutex<State>,
    committed: Condvar,
    /// Threads that asked for the writer and do not hold it yet: while there are any, the holder leaves the
    /// transaction open for them to join.
    queued: AtomicUsize,
    /// Opens a new writer connection when the current one is left broken.
    reconnect: Box<dyn Fn() -> Result<DbConnection, String> + Send + Sync>,
}

struct State {
    conn: DbConnection,
    /// The transaction open on `conn`, if any.
    open: Option<Batch>,
}

struct Batch {
    writes: usize,
    /// Set once, when the transaction ends; every write in it waits for it.
    outcome: Arc<OnceLock<Outcome>>,
}

/// How a transaction ended: committed, or rolled back and why.
type Outcome = Result<(), String>;

impl SqliteWriter {
    /// Opens the database's writer connection with `open` (configured like the pool's connections).
    pub fn new(
        open: impl Fn() -> Result<DbConnection, String> + Send + Sync + 'static,
    ) -> Result<Self, String> {
        let conn = open()?;
        Ok(SqliteWriter {
            state: Mutex::new(State {
                conn,
                open: None,
            }),
            committed: Condvar::new(),
            queued: AtomicUsize::new(0),
            reconnect: Box::new(open),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic is caught before it could unwind through the lock, so poisoning can only come from a bug in this
        // module; the connection is still usable (a broken transaction is rolled back below).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` as one atomic write and returns once it is durable (or failed).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut state = self.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);

        let outcome = match state.open.as_ref() {
            Some(batch) => batch.outcome.clone(),
            None => {
                // Through diesel's transaction manager, so that diesel knows a transaction is open and nests
                // its own (a batch insert's) as savepoints.
                crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"))?;
                let outcome = Arc::new(OnceLock::new());
                state.open = Some(Batch {
                    writes: 0,
                    outcome: outcome.clone(),
                });
                outcome
            }
        };

        let result = match crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::begin_transaction(c)) {
            Ok(()) => {
                let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut state.conn)));
                let settle = match &outcome {
                    Ok(Ok(_)) => crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::commit_transaction(c)),
                    _ => crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::rollback_transaction(c)),
                };
                match settle {
                    Ok(()) => Some(outcome),
                    Err(e) => {
                        // The transaction can no longer be trusted: end it, failing every write in it.
                        self.end(&mut state, Err(format!("savepoint: {e}")));
                        None
                    }
                }
            }
            Err(e) => {
                self.end(&mut state, Err(format!("savepoint: {e}")));
                None
            }
        };

        let kept = matches!(result, Some(Ok(Ok(_))));
        if kept && let Some(batch) = state.open.as_mut() {
            batch.writes += 1;
        }
        let full = state.open.as_ref().is_some_and(|b| b.writes >= MAX_BATCH);
        if state.open.is_some() && (full || self.queued.load(Ordering::SeqCst) == 0) {
            let committed = crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::commit_transaction(c))
                .map_err(|e| format!("commit: {e}"));
            self.end(&mut state, committed);
        }

        let value = match result {
            Some(Ok(Ok(value))) => value,
            // Nothing of this write is in the transaction, so it need not wait for the commit.
            Some(Ok(Err(e))) => return Err(e),
            Some(Err(panic)) => {
                drop(state);
                resume_unwind(panic)
            }
            None => return Err(Self::failed(&outcome)),
        };
        while outcome.get().is_none() {
            state = self
                .committed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        match outcome.get() {
            Some(Ok(())) => Ok(value),
            _ => Err(Self::failed(&outcome)),
        }
    }

    /// Runs `f` on the writer connection outside any group transaction (committing an open one first), for work
    /// that manages its own transactions: the migrations.
    pub fn exclusive<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        let mut state = self.lock();
        if state.open.is_some() {
            let committed = crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::commit_transaction(c))
                .map_err(|e| format!("commit: {e}"));
            self.end(&mut state, committed);
        }
        f(&mut state.conn)
    }

    /// Ends the open transaction with `outcome` (rolling it back when it failed) and wakes its writes.
    fn end(&self, state: &mut State, outcome: Outcome) {
        let Some(batch) = state.open.take() else {
            return;
        };
        if let Err(cause) = &outcome {
            // A failed COMMIT or savepoint may leave the transaction open; it must not stay so.
            let depth = crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::transaction_manager_status_mut(c)
                .transaction_depth());
            let mut usable = true;
            for _ in 0..depth.as_ref().map_or(0, |d| d.map_or(0, |d| d.get())) {
                if crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::rollback_transaction(c)).is_err() {
                    usable = false;
                    break;
                }
            }
            if depth.is_err() || !usable {
                // diesel gave the connection up; the next write starts on a new one.
                match (self.reconnect)() {
                    Ok(conn) => state.conn = conn,
                    Err(e) => log::error!("the SQLite writer connection could not be reopened: {e}"),
                }
            }
            log::error!("a SQLite write transaction failed: {cause}");
        }
        let _ = batch.outcome.set(outcome);
        self.committed.notify_all();
    }

    fn failed(outcome: &OnceLock<Outcome>) -> ApiError {
        let cause = match outcome.get() {
            Some(Err(cause)) => cause.as_str(),
            _ => "the transaction was rolled back",
        };
        ApiError::ServiceUnavailable(format!(
            "the change could not be committed ({cause}); nothing was changed, retry later"
        ))
    }
}
