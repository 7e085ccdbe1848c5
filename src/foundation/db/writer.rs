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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::connection::DbConnection;
use crate::foundation::error::ApiError;

/// Most writes in one transaction: a bound on how long the first of them waits for its commit.
const MAX_BATCH: usize = 256;

/// The writer of one SQLite database.
pub struct SqliteWriter {
    state: Mutex<State>,
    committed: Condvar,
    /// Threads that asked for the writer and do not hold it yet: while there are any, the holder leaves the
    /// transaction open for them to join.
    queued: AtomicUsize,
    /// Writes committed, and the commits that carried them.
    writes: AtomicU64,
    commits: AtomicU64,
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
            state: Mutex::new(State { conn, open: None }),
            committed: Condvar::new(),
            queued: AtomicUsize::new(0),
            writes: AtomicU64::new(0),
            commits: AtomicU64::new(0),
            reconnect: Box::new(open),
        })
    }

    /// Writes committed, and the commits that carried them.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.writes.load(Ordering::Relaxed),
            self.commits.load(Ordering::Relaxed),
        )
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

        let result = match crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::begin_transaction(c))
        {
            Ok(()) => {
                let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut state.conn)));
                let settle = match &outcome {
                    Ok(Ok(_)) => {
                        crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::commit_transaction(c))
                    }
                    _ => {
                        crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::rollback_transaction(c))
                    }
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
            self.commit(&mut state);
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
            self.commit(&mut state);
        }
        f(&mut state.conn)
    }

    /// Commits the open transaction and wakes its writes.
    fn commit(&self, state: &mut State) {
        let committed = crate::per_backend!(&mut state.conn, c => AnsiTransactionManager::commit_transaction(c))
            .map_err(|e| format!("commit: {e}"));
        self.end(state, committed);
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
                    Err(e) => {
                        log::error!("the SQLite writer connection could not be reopened: {e}")
                    }
                }
            }
            log::error!("a SQLite write transaction failed: {cause}");
        } else {
            self.writes
                .fetch_add(batch.writes as u64, Ordering::Relaxed);
            self.commits.fetch_add(1, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use std::sync::Barrier;
    use std::time::Duration;

    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::r2d2::CustomizeConnection;
    use diesel::sql_types::BigInt;

    use super::*;

    type Write = Box<dyn FnOnce(&mut DbConnection) -> Result<(), ApiError> + Send>;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn database() -> (String, SqliteWriter) {
        let path = std::env::temp_dir()
            .join(format!("reintegra-writer-{}.db", uuid::Uuid::now_v7()))
            .display()
            .to_string();
        let url = path.clone();
        let writer = SqliteWriter::new(move || {
            let mut conn = DbConnection::establish(&url).map_err(|e| e.to_string())?;
            super::super::pool::SqlitePragmas
                .on_acquire(&mut conn)
                .map_err(|e| e.to_string())?;
            Ok(conn)
        })
        .unwrap();
        writer
            .exclusive(|c| {
                c.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            })
            .unwrap();
        (path, writer)
    }

    fn insert(conn: &mut DbConnection, id: i64) -> Result<(), ApiError> {
        diesel::sql_query(format!("INSERT INTO t (id, v) VALUES ({id}, 'x')")).execute(conn)?;
        Ok(())
    }

    /// Rows another connection sees: what is committed.
    fn committed(path: &str, filter: &str) -> i64 {
        let mut c = DbConnection::establish(path).unwrap();
        diesel::sql_query(format!("SELECT count(*) AS n FROM t {filter}"))
            .get_result::<Count>(&mut c)
            .unwrap()
            .n
    }

    fn remove(path: &str) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }

    /// Starts a write that holds the writer until `release` is passed, then `others` writes that queue behind it;
    /// returns once all of them are queued, with the handles of their threads.
    fn queue_behind_a_slow_write(
        writer: &Arc<SqliteWriter>,
        others: Vec<Write>,
    ) -> Vec<std::thread::JoinHandle<std::thread::Result<Result<(), ApiError>>>> {
        let inside = Arc::new(Barrier::new(2));
        let release = Arc::new(Barrier::new(2));
        let mut handles = Vec::new();
        {
            let (writer, inside, release) = (writer.clone(), inside.clone(), release.clone());
            handles.push(std::thread::spawn(move || {
                catch_unwind(AssertUnwindSafe(|| {
                    writer.write(|c| {
                        inside.wait();
                        release.wait();
                        insert(c, 0)
                    })
                }))
            }));
        }
        inside.wait();
        let n = others.len();
        for f in others {
            let writer = writer.clone();
            handles.push(std::thread::spawn(move || {
                catch_unwind(AssertUnwindSafe(|| writer.write(f)))
            }));
        }
        while writer.queued.load(Ordering::SeqCst) < n {
            std::thread::sleep(Duration::from_millis(1));
        }
        release.wait();
        handles
    }

    #[test]
    fn writes_that_queue_for_the_writer_share_one_commit_and_each_is_committed_when_it_returns() {
        let (path, writer) = database();
        let writer = Arc::new(writer);
        let others = (1..=15)
            .map(|id| Box::new(move |c: &mut DbConnection| insert(c, id)) as Write)
            .collect();
        for h in queue_behind_a_slow_write(&writer, others) {
            h.join().unwrap().unwrap().unwrap();
        }
        assert_eq!(committed(&path, ""), 16);
        assert_eq!(writer.stats(), (16, 1), "16 writes, one commit");

        // Alone, a write commits at once: it is visible elsewhere as soon as it returns.
        for id in 100..110 {
            writer.write(|c| insert(c, id)).unwrap();
            assert_eq!(committed(&path, &format!("WHERE id = {id}")), 1);
        }
        assert_eq!(writer.stats(), (26, 11));
        remove(&path);
    }

    #[test]
    fn a_failing_or_panicking_write_is_undone_alone_and_the_writer_goes_on() {
        let (path, writer) = database();
        let writer = Arc::new(writer);
        let others: Vec<Write> = vec![
            Box::new(|c| insert(c, 1)),
            Box::new(|c| {
                insert(c, 2)?;
                Err(ApiError::Conflict {
                    code: "test",
                    detail: "refused after writing".into(),
                    existing: None,
                })
            }),
            Box::new(|c| {
                insert(c, 3)?;
                panic!("a bug after writing")
            }),
            // A primary-key violation fails this write only.
            Box::new(|c| insert(c, 1)),
            Box::new(|c| insert(c, 4)),
        ];
        let outcomes: Vec<_> = queue_behind_a_slow_write(&writer, others)
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        let succeeded = outcomes.iter().filter(|o| matches!(o, Ok(Ok(())))).count();
        let refused = outcomes.iter().filter(|o| matches!(o, Ok(Err(_)))).count();
        let panicked = outcomes.iter().filter(|o| o.is_err()).count();
        assert_eq!((succeeded, refused, panicked), (3, 2, 1));
        assert_eq!(committed(&path, ""), 3);
        assert_eq!(committed(&path, "WHERE id IN (0, 1, 4)"), 3);
        assert_eq!(writer.stats(), (3, 1));

        writer.write(|c| insert(c, 5)).unwrap();
        assert_eq!(committed(&path, "WHERE id = 5"), 1);
        remove(&path);
    }
}
