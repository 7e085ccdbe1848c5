//! Persistence: one connection type over PostgreSQL and SQLite, the pool, embedded migrations per backend and the
//! helpers every store uses to run a unit of work off the async threads.
//!
//! The backend is chosen from `DATABASE_URL`: `postgres://…` selects PostgreSQL, anything else is a SQLite file path.
//!
//! Lookups of one row by a unique key use `get_result`, not `first`. `first` adds a bound `LIMIT ?`; SQLite (the
//! bundled 3.50) plans with the value bound to a `LIMIT` parameter and so marks the statement to be prepared again
//! whenever that parameter is bound: diesel's cached statement was parsed and planned anew at every execution, which
//! made a primary-key lookup 2.6 times as expensive. Without the `LIMIT` the cached statement is reused, and a unique
//! key yields one row either way.

pub mod schema;
pub mod writer;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::foundation::config::is_postgres_url;
use crate::foundation::error::ApiError;

/// One connection to either backend; queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type of [`DbConnection`], for boxed queries.
pub type Backend = <DbConnection as Connection>::Backend;

/// The connection pool of one database, and how that database's writes commit ([`write_tx`]).
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<ConnectionManager<DbConnection>>,
    /// `Some` for SQLite, whose writes share one writer connection ([`writer`]).
    writer: Option<Arc<writer::SqliteWriter>>,
    /// The connections of reads ([`read_unchecked`]), apart from the writes' so that a read never waits for a
    /// connection a write holds through its commit. On SQLite they are read-only and used on the calling thread.
    reads: Reads,
    /// `Some` on PostgreSQL: the audit writer's own connection ([`DbPool::get_for_audit`]).
    audit: Option<Pool<ConnectionManager<DbConnection>>>,
}

/// Where reads get their connection.
#[derive(Clone)]
enum Reads {
    /// SQLite: read-only connections, used on the HTTP worker itself.
    Inline(Pool<ConnectionManager<DbConnection>>),
    /// PostgreSQL: connections used on the blocking pool, like the writes' but not shared with them.
    Blocking(Pool<ConnectionManager<DbConnection>>),
}

impl Reads {
    fn pool(&self) -> &Pool<ConnectionManager<DbConnection>> {
        match self {
            Reads::Inline(p) | Reads::Blocking(p) => p,
        }
    }
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbPool")
            .field("state", &self.pool.state())
            .field("group_committed_writes", &self.writer.is_some())
            .field("reads", &self.reads.pool().state())
            .field("inline_reads", &matches!(self.reads, Reads::Inline(_)))
            .finish()
    }
}

impl DbPool {
    /// A pooled connection; waits up to the pool's timeout for one to be free.
    pub fn get(&self) -> Result<Conn, diesel::r2d2::PoolError> {
        Ok(Conn {
            conn: self.pool.get()?,
            writer: self.writer.clone(),
        })
    }

    /// A connection for the read-audit writer, whose every commit all pending audited reads wait for: on
    /// PostgreSQL its own, so that it never waits for one that a write holds; on SQLite a pooled one (its writes
    /// go through the writer connection anyway).
    pub fn get_for_audit(&self) -> Result<Conn, diesel::r2d2::PoolError> {
        let Some(audit) = &self.audit else {
            return self.get();
        };
        Ok(Conn {
            conn: audit.get()?,
            writer: None,
        })
    }

    /// Connections the blocking thread pool may be asked to run at once: the writes' and (on PostgreSQL) the
    /// reads'; the HTTP server sizes its blocking threads by it.
    pub fn blocking_connections(&self) -> u32 {
        let reads = match &self.reads {
            Reads::Inline(_) => 0,
            Reads::Blocking(p) => p.max_size(),
        };
        self.pool.max_size() + reads
    }

    /// Writes committed and the commits that carried them (SQLite's group commit; zeros on PostgreSQL).
    pub fn write_stats(&self) -> (u64, u64) {
        self.writer.as_ref().map_or((0, 0), |w| w.stats())
    }

    /// Open and idle connections of all the node's pools (writes, reads, the audit writer's), for the metrics.
    pub fn connections(&self) -> (u32, u32) {
        [
            Some(&self.pool),
            Some(self.reads.pool()),
            self.audit.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(Pool::state)
        .fold((0, 0), |(open, idle), s| {
            (open + s.connections, idle + s.idle_connections)
        })
    }
}

/// A pooled connection that also knows how its database commits writes; it dereferences to the
/// [`DbConnection`] every store function takes.
pub struct Conn {
    conn: PooledConnection<ConnectionManager<DbConnection>>,
    writer: Option<Arc<writer::SqliteWriter>>,
}

impl std::ops::Deref for Conn {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Runs `$body` with `$c` bound to the inner connection of the right backend. The one place where SQL is allowed to
/// differ per backend (upserts, row locks, pragmas) goes through this macro.
///
/// The hottest queries (the account check, the one-row lookups of reads, the audit writer's) run through it too,
/// with the same SQL on both: diesel's `MultiConnection` renders a query's whole SQL text in each of its passes
/// (the cache key, the cache check, the binds) even when the statement is cached, which was about a tenth of the
/// CPU of a one-row read. On the inner connection a cached statement is found by its type and no SQL is built.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::foundation::db::DbConnection::Postgresql($c) => $body,
            $crate::foundation::db::DbConnection::Sqlite($c) => $body,
        }
    };
    ($conn:expr, pg $pc:ident => $pg:expr, sqlite $sc:ident => $sq:expr) => {
        match $conn {
            $crate::foundation::db::DbConnection::Postgresql($pc) => $pg,
            $crate::foundation::db::DbConnection::Sqlite($sc) => $sq,
        }
    };
}

/// Runs `$body` with `$rows` rebound to a fixed-size array when the slice holds one to four rows, else to the slice.
/// diesel prepares a multi-row `INSERT` from a slice anew at every use (its SQL grows with the row count, so it is
/// never cached; PostgreSQL's log shows it as an `<unnamed>` statement), while an array's is one cached statement
/// per size. The hot writes insert a few rows at a time (a new case's access grants and obligations), so each
/// keeps its single round trip and is parsed and planned once per connection.
#[macro_export]
macro_rules! exact_rows {
    ($rows:ident => $body:expr) => {
        match $rows.len() {
            1 => {
                let $rows: &[_; 1] = $rows.try_into().expect("one row");
                $body
            }
            2 => {
                let $rows: &[_; 2] = $rows.try_into().expect("two rows");
                $body
            }
            3 => {
                let $rows: &[_; 3] = $rows.try_into().expect("three rows");
                $body
            }
            4 => {
                let $rows: &[_; 4] = $rows.try_into().expect("four rows");
                $body
            }
            _ => $body,
        }
    };
}

/// Declares an enum stored as TEXT and sent in the API under the same names, so rows hold typed states. Write the
/// enum as usual with its `serde` and `strum` `rename_all`/`serialize_all` (they must agree, a test checks it);
/// the macro adds the derives (serde, utoipa, strum, diesel) and `as_str`, `parse` and the `ToSql`/`FromSql` impls
/// for every backend. The names are the ones in the migrations' CHECK constraints; an unknown stored name fails
/// the read (a 500, never a guess).
#[macro_export]
macro_rules! stored_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::EnumIter, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $(#[$meta])*
        $vis enum $name { $($body)* }

        impl $name {
            /// The stored and serialised name.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
            pub fn parse(s: &str) -> Option<Self> {
                s.parse().ok()
            }
        }
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let name = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                Self::parse(&name)
                    .ok_or_else(|| format!("unknown {} {name:?}", stringify!($name)).into())
            }
        }
    };
}

/// Why the database could not be opened at start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum DbStartError {
    #[error("cannot connect to the database ({backend}): {cause}")]
    Connect {
        backend: &'static str,
        cause: String,
    },
    #[error("cannot build the connection pool: {0}")]
    Pool(String),
    #[error("migrations failed: {0}")]
    Migrate(String),
}

/// SQLite needs per-connection settings. `busy_timeout` goes first so that switching to WAL itself waits for a
/// lock instead of failing; without these, concurrent writers fail with "database is locked".
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            // synchronous=FULL: a committed case must survive a power cut, not only a killed process.
            // cache_size: 1 MiB of page cache per connection instead of SQLite's 2 MiB; the kernel's page cache
            // holds the file anyway, and ten connections' caches were a third of the service's memory.
            c.batch_execute(
                "PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -1024;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Adds a short libpq connect timeout unless the URL already sets one, so an unreachable server fails start-up in
/// seconds rather than hanging.
fn with_connect_timeout(url: &str) -> String {
    if !is_postgres_url(url) || url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout=5")
}

fn backend_name(url: &str) -> &'static str {
    if is_postgres_url(url) {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// Opens one connection first (for a clear error), then the pools; on SQLite sized for one HTTP worker per core.
pub fn connect(url: &str, size: u32) -> Result<DbPool, DbStartError> {
    connect_for_workers(url, size, crate::foundation::config::one_per_core())
}

/// Like [`connect`], for a service running `workers` HTTP workers: on SQLite each of them reads inline on a
/// connection of its own (see [`Reads::Inline`]).
pub fn connect_for_workers(url: &str, size: u32, workers: usize) -> Result<DbPool, DbStartError> {
    let url = with_connect_timeout(url);
    let backend = backend_name(&url);
    // Establishing one connection directly yields libpq's own one-line reason (refused, unknown database, ...).
    DbConnection::establish(&url).map_err(|e| DbStartError::Connect {
        backend,
        cause: e.to_string().trim().replace('\n', " "),
    })?;
    let writer = if backend == "SQLite" {
        let url = url.clone();
        let open = move || {
            let mut conn = DbConnection::establish(&url).map_err(|e| e.to_string())?;
            SqlitePragmas
                .on_acquire(&mut conn)
                .map_err(|e| e.to_string())?;
            // Every write runs in a savepoint, whose journal goes to a temporary file unless kept in memory:
            // that was a pwrite per changed page. A write's changes are small, and the group is bounded.
            conn.batch_execute("PRAGMA temp_store = MEMORY;")
                .map_err(|e| e.to_string())?;
            Ok(conn)
        };
        Some(Arc::new(
            writer::SqliteWriter::new(open).map_err(DbStartError::Pool)?,
        ))
    } else {
        None
    };
    let sqlite = writer.is_some();
    let helpers = pool_helpers();
    let pool = build_pool(&url, size, sqlite, &helpers);
    let (reads, audit) = if sqlite {
        (
            Reads::Inline(build_pool(&url, inline_readers(workers), true, &helpers)),
            None,
        )
    } else {
        (
            Reads::Blocking(build_pool(&url, size, false, &helpers)),
            Some(build_pool(&url, 1, false, &helpers)),
        )
    };
    Ok(DbPool {
        pool,
        writer,
        reads,
        audit,
    })
}

/// The threads that open connections in the background and retire idle ones, shared by a database's pools (r2d2
/// would start three per pool). They end as soon as the last of those pools is dropped, instead of first running
/// the idle-connection reaper's next round, up to 30 s later: a thread still opening a connection while the
/// process exits can crash the exit (see [`crate::foundation::background`]).
fn pool_helpers() -> Arc<scheduled_thread_pool::ScheduledThreadPool> {
    Arc::new(
        scheduled_thread_pool::ScheduledThreadPool::builder()
            .num_threads(2)
            .thread_name_pattern("db-pool-{}")
            .on_drop_behavior(scheduled_thread_pool::OnPoolDropBehavior::DiscardPendingScheduled)
            .build(),
    )
}

/// A pool of `size` connections; SQLite's are read-only ([`ReadOnly`]). It is returned at once and fills in the
/// background: waiting for its connections (on PostgreSQL the writes', the reads' and the audit writer's) held the start up by about a fifth (PostgreSQL
/// forks a server process for each), and [`connect`] has already checked with a connection of its own that the
/// database can be reached. A checkout waits for a connection up to 5 s.
fn build_pool(
    url: &str,
    size: u32,
    sqlite: bool,
    helpers: &Arc<scheduled_thread_pool::ScheduledThreadPool>,
) -> Pool<ConnectionManager<DbConnection>> {
    let mut builder = Pool::builder()
        .thread_pool(helpers.clone())
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false);
    if sqlite {
        builder = builder.connection_customizer(Box::new(ReadOnly));
    }
    builder.build_unchecked(ConnectionManager::<DbConnection>::new(url))
}

/// One read connection per HTTP worker: they are the threads that read inline, and each holds a connection only for
/// the length of one synchronous read. With fewer (the pool was sized by cores), workers beyond the cores' number
/// blocked in the checkout, and with them every request they were serving.
fn inline_readers(workers: usize) -> u32 {
    u32::try_from(workers.max(1)).unwrap_or(u32::MAX)
}

/// The pragmas of every SQLite connection, and `query_only` for those of the pools: every write goes through the
/// writer connection ([`writer`]). A write on any other connection would wait in SQLite's busy handler behind the
/// transaction the writer holds open under load (or, inline on an HTTP worker, block it), so it fails at once
/// instead, a 500 the tests catch.
#[derive(Debug)]
struct ReadOnly;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ReadOnly {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        SqlitePragmas.on_acquire(conn)?;
        conn.batch_execute("PRAGMA query_only = ON;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Applies pending migrations of the connection's backend; returns how many ran.
pub fn migrate(pool: &DbPool) -> Result<usize, DbStartError> {
    let run = |conn: &mut DbConnection| {
        per_backend!(conn,
            pg c => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
            sqlite c => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()))
        .map_err(|e| DbStartError::Migrate(e.to_string()))
    };
    match &pool.writer {
        // The pool's SQLite connections are read-only; the schema is changed through the writer's.
        Some(writer) => writer.exclusive(run),
        None => run(&mut *pool.get().map_err(|e| DbStartError::Pool(e.to_string()))?),
    }
}

/// Runs one unit of work on a pooled connection on the blocking thread pool. Pool checkout happens inside, so a
/// slow database never blocks an async worker.
pub async fn run<F, T>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Whether the account a unit of work runs for may still act, asked on the unit's own connection before the work
/// runs. The identity layer implements it for its principals; the database layer knows nothing of accounts.
pub trait AccountCheck: Send + 'static {
    /// `true` while the account is active; an error only when the database fails.
    fn is_active(&self, conn: &mut DbConnection) -> Result<bool, ApiError>;
}

/// Runs one unit of work for an authenticated caller: first, on the same connection, that its account is still
/// active (a deactivated account's tokens stop working at once: 401), then `f`.
pub async fn run_as<P, F, T>(pool: &DbPool, principal: P, f: F) -> Result<T, ApiError>
where
    P: AccountCheck,
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| {
        still_active(conn, &principal)?;
        f(conn)
    })
    .await
}

/// 401 once the principal's account is deactivated.
fn still_active(conn: &mut DbConnection, principal: &impl AccountCheck) -> Result<(), ApiError> {
    if principal.is_active(conn)? {
        Ok(())
    } else {
        Err(deactivated())
    }
}

/// The refusal of a request whose token is valid but whose account is no longer active.
pub fn deactivated() -> ApiError {
    ApiError::Unauthorized("this account is deactivated".into())
}

/// Runs a read-only unit of work for an authenticated caller: first that its account is still active (401 if not),
/// then `f`, both on one connection ([`read_unchecked`]).
pub async fn read_as<P, F, T>(pool: &DbPool, principal: P, f: F) -> Result<T, ApiError>
where
    P: AccountCheck,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    read_unchecked(pool, move |conn| {
        still_active(conn, &principal)?;
        f(conn)
    })
    .await
}

/// Runs a read-only unit of work without checking the caller's account: only for reads whose result is held back
/// until that check has passed elsewhere (the audited reads, [`crate::records::audit::group::run_read`]). On SQLite it runs
/// right here, on the calling HTTP worker, on a read-only connection: a SQLite read is CPU work on a local file and
/// never waits for a writer (WAL), so handing it to the blocking pool only added two thread switches per request, on
/// a machine whose cores the work needs anyway. On PostgreSQL, whose queries wait on the network, it goes to the
/// blocking pool like every unit of work. `f` gets a plain [`DbConnection`], so it cannot call [`write_tx`].
pub async fn read_unchecked<F, T>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    match &pool.reads {
        Reads::Inline(reads) => {
            let mut conn = reads.get()?;
            f(&mut conn)
        }
        Reads::Blocking(reads) => {
            let reads = reads.clone();
            web::block(move || {
                let mut conn = reads.get()?;
                f(&mut conn)
            })
            .await?
        }
    }
}

/// Runs `f`, which writes with one statement at most, atomically and durably. On SQLite that is [`write_tx`]. On
/// PostgreSQL one statement is a transaction of its own, so `f` runs without `BEGIN` and `COMMIT`: two round trips
/// fewer, which matters to the audit writer, whose commits every read waits for. Reads in `f` before its write see
/// whatever was committed when each ran, as in any `READ COMMITTED` transaction.
pub fn write_one_statement<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    if conn.writer.is_some() {
        return write_tx(conn, f);
    }
    f(conn)
}

/// Runs `f` in one write transaction: all its rows commit together or none do, and it returns once they are
/// durable. On SQLite `f` runs on the database's writer connection, inside a savepoint of the transaction being
/// group-committed there ([`writer`]), so it sees the writes committed before it and those of the same group;
/// `conn` itself is not used. On PostgreSQL `f` runs in a transaction of its own on `conn`. Never nest it.
pub fn write_tx<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    if let Some(writer) = conn.writer.clone() {
        return writer.write(f);
    }
    let conn: &mut DbConnection = conn;
    per_backend!(conn, c => AnsiTransactionManager::begin_transaction(c))?;
    let result = f(conn);
    let finish = match &result {
        Ok(_) => per_backend!(conn, c => AnsiTransactionManager::commit_transaction(c)),
        Err(_) => per_backend!(conn, c => AnsiTransactionManager::rollback_transaction(c)),
    };
    match (result, finish) {
        (Ok(v), Ok(())) => Ok(v),
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(e.into()),
    }
}

/// Whether the database answers a trivial query; used by the readiness probe.
pub fn ping(conn: &mut DbConnection) -> Result<(), ApiError> {
    conn.batch_execute("SELECT 1").map_err(ApiError::from)
}

/// The current UTC time at the precision both backends store (microseconds), so that what a create returns is
/// exactly what a later read returns.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let t = chrono::Utc::now().naive_utc();
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `exact_rows!` handed its body: an array of N rows (`Some(N)`) or the slice itself.
    trait Shape {
        fn shape(&self) -> Option<usize>;
    }
    impl<T, const N: usize> Shape for &[T; N] {
        fn shape(&self) -> Option<usize> {
            Some(N)
        }
    }
    impl<T> Shape for &[T] {
        fn shape(&self) -> Option<usize> {
            None
        }
    }

    #[test]
    fn exact_rows_gives_one_to_four_rows_as_arrays_and_the_rest_as_the_slice() {
        let all = [10, 11, 12, 13, 14, 15];
        for n in 0..=all.len() {
            let rows = &all[..n];
            let (shape, seen) = crate::exact_rows!(rows => (Shape::shape(&rows), rows.to_vec()));
            assert_eq!(seen, rows, "the rows themselves, for {n}");
            let expected = (1..=4).contains(&n).then_some(n);
            assert_eq!(shape, expected, "the shape, for {n}");
        }
    }

    /// Every SQLite write goes through the writer: the pools' connections refuse to write, `write_tx` does.
    #[test]
    fn sqlite_writes_only_through_write_tx() {
        let path = std::env::temp_dir().join(format!("reintegra-pool-{}.db", uuid::Uuid::now_v7()));
        let pool = connect(&path.display().to_string(), 2).unwrap();
        migrate(&pool).unwrap();
        let mut conn = pool.get().unwrap();
        let insert = "INSERT INTO institutions (id, name, kind, address, created_at) \
                      VALUES ('i', 'Test', 'NGO', 'Street 1', '2026-12-01 00:00:00')";
        let refused = conn.batch_execute(insert).unwrap_err().to_string();
        assert!(refused.contains("readonly"), "{refused}");
        let inline = pool.reads.pool().get().unwrap().batch_execute(insert);
        assert!(inline.unwrap_err().to_string().contains("readonly"));
        write_tx(&mut conn, |c| Ok(c.batch_execute(insert)?)).unwrap();
        assert_eq!(pool.write_stats(), (1, 1));
        drop((conn, pool));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    /// Every HTTP worker can hold a read connection at once, however many workers there are per core.
    #[test]
    fn sqlite_has_a_read_connection_per_http_worker() {
        let path = std::env::temp_dir().join(format!("reintegra-pool-{}.db", uuid::Uuid::now_v7()));
        let workers = crate::foundation::config::one_per_core() * 3;
        let pool = connect_for_workers(&path.display().to_string(), 2, workers).unwrap();
        let reads = pool.reads.pool();
        assert_eq!(reads.max_size() as usize, workers);
        let held: Vec<_> = (0..workers)
            .map(|n| {
                reads
                    .get_timeout(Duration::from_millis(500))
                    .unwrap_or_else(|e| panic!("read connection {n} of {workers}: {e}"))
            })
            .collect();
        assert!(reads.get_timeout(Duration::from_millis(50)).is_err());
        drop((held, pool));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn connect_timeout_is_added_once_and_only_for_postgres() {
        assert_eq!(
            with_connect_timeout("postgres://u@h/db"),
            "postgres://u@h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?sslmode=disable"),
            "postgres://u@h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?connect_timeout=1"),
            "postgres://u@h/db?connect_timeout=1"
        );
        assert_eq!(with_connect_timeout("reintegra.db"), "reintegra.db");
    }
}

#[cfg(test)]
mod text_enum_tests {
    use strum::IntoEnumIterator;

    /// The stored name (strum, matched by the migrations' CHECK constraints) is the API's name (serde), and reads
    /// back as the same value.
    fn stored_names_are_the_api_names<T>()
    where
        T: IntoEnumIterator
            + serde::Serialize
            + Copy
            + PartialEq
            + std::fmt::Debug
            + Into<&'static str>,
        T: std::str::FromStr,
    {
        for value in T::iter() {
            let stored: &'static str = value.into();
            assert_eq!(
                serde_json::to_value(value).unwrap(),
                serde_json::json!(stored),
                "{value:?}"
            );
            assert!(stored.parse::<T>().ok() == Some(value), "{value:?}");
        }
    }

    #[test]
    fn every_stored_enum_uses_one_name_in_the_database_and_the_api() {
        use crate::{
            identity as auth, resources::ipzs, resources::opinions, resources::persons,
            resources::qualifications, resources::referral_applications, resources::referrals,
        };
        stored_names_are_the_api_names::<ipzs::model::IpzsStatus>();
        stored_names_are_the_api_names::<ipzs::model::TerminationReason>();
        stored_names_are_the_api_names::<ipzs::model::Channel>();
        stored_names_are_the_api_names::<referrals::model::Decision>();
        stored_names_are_the_api_names::<referrals::model::RefusalGround>();
        stored_names_are_the_api_names::<auth::InstitutionKind>();
        stored_names_are_the_api_names::<auth::Role>();
        stored_names_are_the_api_names::<referral_applications::model::ApplicantKind>();
        stored_names_are_the_api_names::<referral_applications::model::EligibilityCategory>();
        stored_names_are_the_api_names::<referral_applications::model::ConsentGivenBy>();
        stored_names_are_the_api_names::<referral_applications::model::ApplicationStatus>();
        stored_names_are_the_api_names::<persons::pesel::Sex>();
        stored_names_are_the_api_names::<qualifications::model::QualificationDecision>();
        stored_names_are_the_api_names::<opinions::model::Recommendation>();
        stored_names_are_the_api_names::<crate::resources::deadlines::model::DeadlineKind>();
        stored_names_are_the_api_names::<crate::records::events::EventType>();
        stored_names_are_the_api_names::<crate::records::webhooks::model::DeliveryStatus>();
    }
}
