//! The pools (a blocking pool, inline readers on SQLite, the audit pool),
//! the SQLite pragmas and the embedded migrations.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::connection::{DbConnection, Manager, establish};
use crate::foundation::config::is_postgres_url;

/// The connection pool of one database, and how that database's writes commit ([`write_tx`]).
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<Manager>,
    /// `Some` for SQLite, whose writes share one writer connection ([`writer`]).
    writer: Option<Arc<super::writer::SqliteWriter>>,
    /// The connections of reads ([`read_unchecked`]), apart from the writes' so that a read never waits for a
    /// connection a write holds through its commit. On SQLite they are read-only and used on the calling thread.
    pub(super) reads: Reads,
    /// `Some` on PostgreSQL: the read-audit writers' own connections ([`DbPool::get_for_audit`]).
    audit: Option<Pool<Manager>>,
    /// `Some` on PostgreSQL: the HTTP workers' own connections for the hot lookups ([`super::lookup_as`]).
    lookups: Option<Arc<super::pg_async::AsyncReads>>,
}

/// Where reads get their connection.
#[derive(Clone)]
pub(super) enum Reads {
    /// SQLite: read-only connections, used on the HTTP worker itself.
    Inline(Pool<Manager>),
    /// PostgreSQL: connections used on the blocking pool, like the writes' but not shared with them.
    Blocking(Pool<Manager>),
}

impl Reads {
    pub(super) fn pool(&self) -> &Pool<Manager> {
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

    /// On PostgreSQL, this HTTP worker's own connection for lookups ([`super::lookup_as`]); `None` on SQLite and
    /// while the worker cannot open one.
    pub(super) async fn worker_connection(&self) -> Option<super::pg_async::PgReader<'_>> {
        self.lookups.as_ref()?.open().await
    }

    /// How many read-audit writers ([`crate::records::audit::group`]) the database takes: on SQLite one, since its
    /// writes are serial anyway; on PostgreSQL one per connection of their pool, so that their commits overlap.
    pub fn audit_writers(&self) -> u32 {
        self.audit.as_ref().map_or(1, Pool::max_size)
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

    /// Whether every pool of the node has at least one open connection: they fill in the background after the
    /// start, and a pool the database refuses connections to (its `max_connections` reached, say) stays empty, so
    /// the node must not report itself ready. The database's own reason is in the log (r2d2's error handler).
    pub fn every_pool_connected(&self) -> bool {
        [
            Some(&self.pool),
            Some(self.reads.pool()),
            self.audit.as_ref(),
        ]
        .into_iter()
        .flatten()
        .all(|p| p.state().connections > 0)
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
    conn: PooledConnection<Manager>,
    pub(super) writer: Option<Arc<super::writer::SqliteWriter>>,
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
pub(super) struct SqlitePragmas;

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
pub(super) fn with_connect_timeout(url: &str) -> String {
    if !is_postgres_url(url) || url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout=5")
}

pub(super) fn backend_name(url: &str) -> &'static str {
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
    establish(&url).map_err(|e| DbStartError::Connect {
        backend,
        cause: e.to_string().trim().replace('\n', " "),
    })?;
    let writer = if backend == "SQLite" {
        let url = url.clone();
        let open = move || {
            let mut conn = establish(&url).map_err(|e| e.to_string())?;
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
            super::writer::SqliteWriter::new(open).map_err(DbStartError::Pool)?,
        ))
    } else {
        None
    };
    let sqlite = writer.is_some();
    let helpers = pool_helpers();
    let pool = build_pool(&url, size, sqlite, &helpers);
    let (reads, audit, lookups) = if sqlite {
        (
            Reads::Inline(build_pool(&url, inline_readers(workers), true, &helpers)),
            None,
            None,
        )
    } else {
        (
            Reads::Blocking(build_pool(&url, size, false, &helpers)),
            Some(build_pool(&url, AUDIT_WRITERS, false, &helpers)),
            Some(Arc::new(super::pg_async::AsyncReads::new(&url))),
        )
    };
    Ok(DbPool {
        pool,
        writer,
        reads,
        audit,
        lookups,
    })
}

/// Read-audit writers on PostgreSQL, each with its own connection. Measured under 64 connections reading persons
/// (docs/performance.md): one writer's commits were the audited read's serial part.
const AUDIT_WRITERS: u32 = 4;

/// The threads that open connections in the background and retire idle ones, shared by a database's pools (r2d2
/// would start three per pool). They end as soon as the last of those pools is dropped, instead of first running
/// the idle-connection reaper's next round, up to 30 s later: a thread still opening a connection while the
/// process exits can crash the exit (see [`crate::foundation::background`]).
pub(super) fn pool_helpers() -> Arc<scheduled_thread_pool::ScheduledThreadPool> {
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
pub(super) fn build_pool(
    url: &str,
    size: u32,
    sqlite: bool,
    helpers: &Arc<scheduled_thread_pool::ScheduledThreadPool>,
) -> Pool<Manager> {
    let mut builder = Pool::builder()
        .thread_pool(helpers.clone())
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false);
    if sqlite {
        builder = builder.connection_customizer(Box::new(ReadOnly));
    }
    builder.build_unchecked(Manager::new(url))
}

/// One read connection per HTTP worker: they are the threads that read inline, and each holds a connection only for
/// the length of one synchronous read. With fewer (the pool was sized by cores), workers beyond the cores' number
/// blocked in the checkout, and with them every request they were serving.
pub(super) fn inline_readers(workers: usize) -> u32 {
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

/// The advisory lock that serialises schema changes and demo seeding across processes on one PostgreSQL database.
/// Any constant works as long as every node uses the same: this is "reintegra" in ASCII, truncated to 64 bits.
pub const SETUP_LOCK: i64 = 0x7265_696e_7465_6772;

/// PostgreSQL's migrations under a session advisory lock. Two nodes (or `reintegra migrate`s) started at once on a
/// fresh database both saw no schema and both ran the first migration: one failed on a duplicate type. With the
/// lock the second waits, then finds nothing pending.
fn migrate_postgres(
    c: &mut diesel::PgConnection,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    c.batch_execute(&format!("SELECT pg_advisory_lock({SETUP_LOCK})"))?;
    let applied = c
        .run_pending_migrations(POSTGRES_MIGRATIONS)
        .map(|v| v.len());
    let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({SETUP_LOCK})"));
    let applied = applied?;
    unlocked?;
    Ok(applied)
}

/// Inside a write transaction: waits until no other process is setting the database up (seeding demo data, say),
/// and holds that until the transaction ends. On SQLite the write transaction (`BEGIN IMMEDIATE`) already excludes
/// every other writer, so there is nothing more to take.
pub fn take_setup_lock(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    crate::per_backend!(conn,
        pg c => c.batch_execute(&format!("SELECT pg_advisory_xact_lock({SETUP_LOCK})")),
        sqlite _c => Ok(()))
}

/// Applies pending migrations of the connection's backend; returns how many ran.
pub fn migrate(pool: &DbPool) -> Result<usize, DbStartError> {
    let run = |conn: &mut DbConnection| {
        crate::per_backend!(conn,
            pg c => migrate_postgres(c),
            sqlite c => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()))
        .map_err(|e| DbStartError::Migrate(e.to_string()))
    };
    match &pool.writer {
        // The pool's SQLite connections are read-only; the schema is changed through the writer's.
        Some(writer) => writer.exclusive(run),
        None => run(&mut *pool.get().map_err(|e| DbStartError::Pool(e.to_string()))?),
    }
}
