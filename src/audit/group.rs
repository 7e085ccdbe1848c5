//! Group commit of read audits. A read's audit record must be durable before its response is sent, but one commit
//! (one fsync) per read would cap reads at the disk's commit rate and make concurrent reads queue behind each
//! other's commits. So reads hand their records to one writer thread, which takes everything pending, commits it in
//! one transaction, and only then releases every waiting response. Under load one commit carries many reads; alone,
//! a read waits for one commit, as before. Changes keep their audit record inside their own transaction.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::store::{self, NewAuditEvent};
use crate::db::{self, DbPool};
use crate::error::ApiError;

/// Most records in one commit; a larger backlog is committed in several.
const MAX_BATCH: usize = 1024;

struct Job {
    events: Vec<NewAuditEvent>,
    done: oneshot::Sender<Result<(), String>>,
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
    pub fn start(pool: DbPool, counters: std::sync::Arc<Counters>) -> Self {
        let (jobs, inbox) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || writer(pool, inbox, counters))
            .expect("the audit writer thread starts");
        AuditLog { jobs }
    }

    /// Returns once `events` are committed.
    pub async fn commit(&self, events: Vec<NewAuditEvent>) -> Result<(), ApiError> {
        if events.is_empty() {
            return Ok(());
        }
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job { events, done })
            .map_err(|_| ApiError::internal("the audit writer has stopped"))?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(cause)) => {
                log::error!("audit commit failed: {cause}");
                Err(ApiError::ServiceUnavailable(
                    "the audit trail could not be written; retry later".into(),
                ))
            }
            Err(_) => Err(ApiError::internal("the audit writer has stopped")),
        }
    }
}

fn writer(pool: DbPool, inbox: mpsc::Receiver<Job>, counters: std::sync::Arc<Counters>) {
    use std::sync::atomic::Ordering::Relaxed;
    while let Ok(first) = inbox.recv() {
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
        let result = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            db::write_tx(&mut conn, |conn| {
                for job in &batch {
                    store::insert_many(conn, &job.events)?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())
        });
        if result.is_ok() {
            counters.commits.fetch_add(1, Relaxed);
            counters.records.fetch_add(size as u64, Relaxed);
        }
        for job in batch {
            // A response whose client went away no longer waits; its record is committed all the same.
            let _ = job.done.send(result.clone());
        }
    }
}

/// The audit records a read collects while it runs.
#[derive(Default)]
pub struct Trail(Vec<NewAuditEvent>);

impl Trail {
    /// Notes a read of one record.
    pub fn read(&mut self, caller: &crate::auth::Caller, entry: super::Entry<'_>) {
        self.0.push(super::read(caller, entry));
    }

    /// Notes that a list showed these records, given as (record id, person id) pairs: one record each.
    pub fn listed<'r>(
        &mut self,
        caller: &crate::auth::Caller,
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

/// Runs a read as one unit of work ([`db::read_as`]), then waits until its audit records are committed (with the
/// other reads of the moment) before handing back the result.
pub async fn run_read<F, T>(
    state: &crate::AppState,
    principal: crate::auth::caller::Principal,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut db::DbConnection, &mut Trail) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let (value, trail) = db::read_as(&state.pool, principal, move |conn| {
        let mut trail = Trail::default();
        let value = f(conn, &mut trail)?;
        Ok((value, trail))
    })
    .await?;
    state.audit.commit(trail.0).await?;
    Ok(value)
}
