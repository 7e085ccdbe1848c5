//! The hot lookups on PostgreSQL, asynchronously, on the HTTP worker's own connection.
//!
//! diesel's connections are synchronous, so every PostgreSQL query used to go to a blocking thread and back: two
//! thread switches per request, plus the blocking thread parked while the server answered. A profile put about a
//! fifth of the service's CPU into that hand-over. The one-row lookups that nearly every request makes (the
//! account check, a person or an institution by id) now run on an `AsyncPgConnection` (diesel-async, over
//! tokio-postgres) that each HTTP worker opens for itself on first use and keeps: the worker sends the query and
//! serves other requests until the answer arrives. Queries of the same worker that are in flight together share the
//! connection and are pipelined (sent without waiting for each other's answers), and the account check and the
//! lookup of one request go out together, so a request costs one round trip.
//!
//! Everything else (writes, searches, lists, the audit writer) keeps the blocking pool: those need transactions or
//! take long enough that they should not hold up the worker's connection, on which queries are answered in order.
//!
//! When the worker's connection cannot be opened (tokio-postgres refuses a URL that libpq accepts, such as one that
//! requires TLS, which this connection does not speak), the lookups fall back to the blocking pool, and the
//! connection is tried again after [`RETRY_AFTER`]. A lookup that fails on the connection (the server ended it, say)
//! is repeated on the blocking pool, so the client does not see it, and the connection is dropped and reopened at
//! the next lookup. The connections name themselves `reintegra-lookups` in `pg_stat_activity` unless the URL sets
//! an `application_name`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::future::LocalBoxFuture;

/// How long a worker keeps using the blocking pool after its connection could not be opened.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// What the workers' connections call themselves on the server, for operators (and the tests) to tell them apart.
pub const APPLICATION_NAME: &str = "reintegra-lookups";

/// The PostgreSQL database the workers' connections go to; one per [`super::DbPool`].
pub(super) struct AsyncReads {
    /// Tells this pool's connections apart from another pool's on the same thread (the tests run several
    /// services in one process).
    id: u64,
    url: String,
}

/// A worker's connection to one database: being opened, open, or failed at the given moment.
enum Slot {
    Open(Rc<tokio::sync::OnceCell<AsyncPgConnection>>),
    Failed(Instant),
}

thread_local! {
    static SLOTS: RefCell<HashMap<u64, Slot>> = RefCell::new(HashMap::new());
}

/// A lookup on the worker's connection: it borrows the connection for as long as its future runs.
pub type PgLookup<'c, T> = LocalBoxFuture<'c, diesel::QueryResult<T>>;

impl AsyncReads {
    pub(super) fn new(url: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let url = if url.contains("application_name=") {
            url.to_owned()
        } else {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}application_name={APPLICATION_NAME}")
        };
        AsyncReads {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            url,
        }
    }

    /// This worker's connection, opened if need be; `None` while it cannot be opened.
    async fn connection(&self) -> Option<Rc<tokio::sync::OnceCell<AsyncPgConnection>>> {
        let cell = SLOTS.with_borrow_mut(|slots| {
            match slots.get(&self.id) {
                Some(Slot::Open(cell)) => return Some(cell.clone()),
                Some(Slot::Failed(at)) if at.elapsed() < RETRY_AFTER => return None,
                _ => {}
            }
            let cell = Rc::new(tokio::sync::OnceCell::new());
            slots.insert(self.id, Slot::Open(cell.clone()));
            Some(cell)
        })?;
        // Requests that arrive while it is being opened wait for the same connection instead of each opening one.
        match cell
            .get_or_try_init(|| AsyncPgConnection::establish(&self.url))
            .await
        {
            Ok(_) => Some(cell),
            Err(cause) => {
                log::warn!(
                    "PostgreSQL lookups use the blocking pool for {}s: the worker's asynchronous connection \
                     could not be opened: {cause}",
                    RETRY_AFTER.as_secs()
                );
                self.forget(&cell, Some(Slot::Failed(Instant::now())));
                None
            }
        }
    }

    /// Replaces `cell` (if it is still this worker's connection) by `next`; requests still using it finish first.
    /// `None` opens a new one at the next lookup.
    fn forget(&self, cell: &Rc<tokio::sync::OnceCell<AsyncPgConnection>>, next: Option<Slot>) {
        SLOTS.with_borrow_mut(|slots| {
            if matches!(slots.get(&self.id), Some(Slot::Open(c)) if Rc::ptr_eq(c, cell)) {
                match next {
                    Some(next) => slots.insert(self.id, next),
                    None => slots.remove(&self.id),
                };
            }
        });
    }

    /// This worker's connection for one lookup; `None` when there is none, and the caller uses the blocking pool.
    pub(super) async fn open(&self) -> Option<PgReader<'_>> {
        let cell = self.connection().await?;
        cell.initialized().then_some(PgReader { reads: self, cell })
    }
}

/// A worker's open connection, held for one lookup.
pub(super) struct PgReader<'r> {
    reads: &'r AsyncReads,
    cell: Rc<tokio::sync::OnceCell<AsyncPgConnection>>,
}

impl PgReader<'_> {
    pub(super) fn conn(&self) -> &AsyncPgConnection {
        // `open` hands out only initialised cells, which never become empty again.
        self.cell.get().expect("an open connection")
    }

    /// The lookup's value, or `None` when it failed and the caller is to repeat it on the blocking pool: a lookup
    /// is safe to repeat, and the client need not see that the connection broke. Lookups map "no row" to `None`,
    /// so an error is the connection's or the server's: the worker opens a new connection at its next lookup.
    pub(super) fn settle<T>(&self, result: diesel::QueryResult<T>) -> Option<T> {
        result
            .inspect_err(|cause| {
                log::warn!("a lookup on the worker's PostgreSQL connection failed, repeated on the pool: {cause}");
                self.reads.forget(&self.cell, None);
            })
            .ok()
    }
}
