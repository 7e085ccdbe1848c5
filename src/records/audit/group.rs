//! Group commit of read audits. A read's audit record must be durable before its response is sent, but one commit
//! (one fsync) per read would cap reads at the disk's commit rate and make concurrent reads queue behind each
//! other's commits. So reads hand their records to one writer thread, which takes everything pending, commits it in
//! one transaction, and only then releases every waiting response. Under load one commit carries many reads; alone,
//! a read waits for one commit, as before. Changes keep their audit record inside their own transaction.
//!
//! The same commit checks that each read's account is still active: one query for all the reads of the moment,
//! in the transaction that writes their records, instead of one query (on PostgreSQL, one network round trip) per
//! read before it. A read of a deactivated account gets its 401 and leaves no record; its result, computed by then,
//! is dropped unsent. The check runs after the read and before the response, so a deactivated account's tokens
//! still stop at once on every node.

use std::sync::mpsc;

use tokio::sync::oneshot;

use std::collections::HashSet;

use super::store::{self, NewAuditEvent};
use crate::foundation::db::{self, DbPool};
use crate::foundation::error::ApiError;
use crate::identity::PrincipalType;
use crate::identity::caller::Principal;
use crate::identity::store as auth_store;

/// Most records in one commit; a larger backlog is committed in several.
const MAX_BATCH: usize = 1024;

struct Job {
    principal: Principal,
    events: Vec<NewAuditEvent>,
    done: oneshot::Sender<Result<(), Refused>>,
}

/// Why a job's records were not committed.
#[derive(Debug, Clone)]
enum Refused {
    /// The account was deactivated (or removed) before the commit.
    Inactive,
    /// The commit failed (the writer logs why); nothing of its group is kept.
    Failed,
}

/// The handle the handlers hold; the writer thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct AuditLog {
    jobs: mpsc::Sender<Job>,
}

/// How many commits and records the writer has made, for the benchmark and the metrics.
#[derive(Debug, Default)]
pub struct Counters {
    pub commits: std::sync::atomic::AtomicU64,
    pub records: std::sync::atomic::AtomicU64,
}

impl AuditLog {
    /// Starts the writer threads (one per connection [`DbPool::audit_writers`] gives them); their handles are
    /// for waiting until they have ended, which they do once every clone of the returned log is dropped and what
    /// was sent before has been committed.
    pub fn start(
        pool: DbPool,
        counters: std::sync::Arc<Counters>,
    ) -> std::io::Result<(Self, Vec<std::thread::JoinHandle<()>>)> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let inbox = std::sync::Arc::new(std::sync::Mutex::new(inbox));
        let threads = (0..pool.audit_writers())
            .map(|n| {
                let (pool, inbox, counters) = (pool.clone(), inbox.clone(), counters.clone());
                std::thread::Builder::new()
                    .name(format!("audit-writer-{n}"))
                    .spawn(move || writer(pool, &inbox, counters))
            })
            .collect::<std::io::Result<_>>()?;
        Ok((AuditLog { jobs }, threads))
    }

    /// Returns once `principal`'s account is found active and `events` (there may be none) are committed; a
    /// 401 if the account is no longer active, when nothing is written.
    pub async fn commit(
        &self,
        principal: Principal,
        events: Vec<NewAuditEvent>,
    ) -> Result<(), ApiError> {
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job {
                principal,
                events,
                done,
            })
            .map_err(|_| ApiError::internal("the audit writer has stopped"))?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Refused::Inactive)) => Err(db::deactivated()),
            Ok(Err(Refused::Failed)) => Err(ApiError::ServiceUnavailable(
                "the audit trail could not be written; retry later".into(),
            )),
            Err(_) => Err(ApiError::internal("the audit writer has stopped")),
        }
    }
}

/// One writer: takes what is pending (while it commits, another writer takes what arrives meanwhile, so that on
/// PostgreSQL commits overlap and the server flushes them together), commits it, and wakes its reads.
fn writer(
    pool: DbPool,
    inbox: &std::sync::Mutex<mpsc::Receiver<Job>>,
    counters: std::sync::Arc<Counters>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    loop {
        let mut batch = {
            // Nothing panics while the lock is held, so a poisoned lock still holds a usable receiver.
            let inbox = inbox
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let Ok(first) = inbox.recv() else { break };
            let mut batch = vec![first];
            let mut size = batch[0].events.len();
            while size < MAX_BATCH {
                match inbox.try_recv() {
                    Ok(job) => {
                        size += job.events.len();
                        batch.push(job);
                    }
                    Err(_) => break,
                }
            }
            batch
        };
        let outcome = commit_batch(&pool, &mut batch);
        match &outcome {
            Ok((_, records)) => {
                counters.commits.fetch_add(1, Relaxed);
                counters.records.fetch_add(*records, Relaxed);
            }
            Err(cause) => log::error!("audit commit failed: {cause}"),
        }
        for job in batch {
            let result = match &outcome {
                Ok((active, _)) if active.contains(&key(&job.principal)) => Ok(()),
                Ok(_) => Err(Refused::Inactive),
                Err(_) => Err(Refused::Failed),
            };
            // A response whose client went away no longer waits; its record is committed all the same.
            let _ = job.done.send(result);
        }
    }
}

fn key(p: &Principal) -> (PrincipalType, String, i32) {
    (p.kind, p.id.clone(), p.generation)
}

type Active = HashSet<(PrincipalType, String, i32)>;

/// Which of the batch's accounts are active, then, atomically, the records of the jobs whose account is (taken
/// out of the jobs). Returns the active accounts and how many records were committed.
fn commit_batch(pool: &DbPool, batch: &mut [Job]) -> Result<(Active, u64), String> {
    let mut conn = pool.get_for_audit().map_err(|e| e.to_string())?;
    let total: usize = batch.iter().map(|job| job.events.len()).sum();
    let work = |conn: &mut db::DbConnection| {
        let active = auth_store::active_among(conn, batch.iter().map(|job| &job.principal))?;
        let rows: Vec<NewAuditEvent> = batch
            .iter_mut()
            .filter(|job| active.contains(&key(&job.principal)))
            .flat_map(|job| std::mem::take(&mut job.events))
            .collect();
        store::insert_many(conn, &rows)?;
        Ok((active, rows.len() as u64))
    };
    // The check is a read; the records are one INSERT unless the batch is unusually large.
    let result = if total <= store::ROWS_PER_STATEMENT {
        db::write_one_statement(&mut conn, work)
    } else {
        db::write_tx(&mut conn, work)
    };
    result.map_err(|e| e.to_string())
}

/// The audit records a read collects while it runs.
#[derive(Default)]
pub struct Trail(Vec<NewAuditEvent>);

impl Trail {
    /// Notes a read of one record.
    pub fn read(&mut self, caller: &crate::identity::Caller, entry: super::Entry<'_>) {
        self.0.push(super::read(caller, entry));
    }

    /// Notes that a list showed these records, given as (record id, person id) pairs: one record each.
    pub fn listed<'r>(
        &mut self,
        caller: &crate::identity::Caller,
        resource_type: &str,
        records: impl IntoIterator<Item = (&'r str, &'r str)>,
    ) {
        for (id, person) in records {
            self.read(
                caller,
                super::Entry::new(super::Action::List, resource_type, id).person(person),
            );
        }
    }
}

/// Runs an audited read: `f` as one read-only unit of work ([`db::read_unchecked`]), then, in the audit group
/// commit, the check that the caller's account is still active and the commit of the records `f` noted; only then
/// does it hand back the result. A failed read is checked too, so a deactivated account learns nothing from its
/// errors (a 404 against a 200) either.
pub async fn run_read<F, T>(
    pool: &db::DbPool,
    audit: &AuditLog,
    principal: Principal,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut db::DbConnection, &mut Trail) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let read = db::read_unchecked(pool, move |conn| {
        let mut trail = Trail::default();
        let value = f(conn, &mut trail)?;
        Ok((value, trail))
    })
    .await;
    let (read, trail) = match read {
        Ok((value, trail)) => (Ok(value), trail),
        Err(error) => (Err(error), Trail::default()),
    };
    audit.commit(principal, trail.0).await?;
    read
}

/// Settles a read done without the account check ([`db::lookup_unchecked`]) as [`run_read`] does: the check and
/// the commit of what `note` records of a found value, then the result. A failed read is checked too.
pub async fn settle<T>(
    audit: &AuditLog,
    principal: Principal,
    read: Result<T, ApiError>,
    note: impl FnOnce(&T, &mut Trail),
) -> Result<T, ApiError> {
    let mut trail = Trail::default();
    if let Ok(value) = &read {
        note(value, &mut trail);
    }
    audit.commit(principal, trail.0).await?;
    read
}
