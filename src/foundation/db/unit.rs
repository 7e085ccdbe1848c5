//! The unit of work: one closure on one pooled connection, off the async threads, with the caller's account
//! checked first on the same connection, and the transaction helpers.

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};

use crate::foundation::error::ApiError;

use super::connection::DbConnection;
use super::pg_async::PgLookup;
use super::pool::{Conn, DbPool, Reads};
use diesel_async::AsyncPgConnection;

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

    /// The same check on an HTTP worker's PostgreSQL connection ([`lookup_as`]).
    fn is_active_pg<'c>(&'c self, conn: &'c AsyncPgConnection) -> PgLookup<'c, bool>;
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

/// A lookup of a row or two for an authenticated caller, whose account is checked as in [`read_as`]. On SQLite it
/// is [`read_as`] with `sync`. On PostgreSQL `pg` (the same query, written for diesel-async) and the account check
/// are sent together on the HTTP worker's own connection ([`super::pg_async`]): one round trip, no blocking
/// thread. Where the worker has no such connection, or the lookup failed on it, it is [`read_as`] on the blocking
/// pool. Use it for point lookups only: the worker's queries are answered in order, so a slow one would hold up
/// the others.
pub async fn lookup_as<P, S, G, T>(
    pool: &DbPool,
    principal: P,
    sync: S,
    pg: G,
) -> Result<T, ApiError>
where
    P: AccountCheck,
    S: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    G: for<'c> FnOnce(&'c AsyncPgConnection) -> PgLookup<'c, T>,
    T: Send + 'static,
{
    if let Some(reader) = pool.worker_connection().await {
        let conn = reader.conn();
        let checked = futures_util::future::try_join(principal.is_active_pg(conn), pg(conn)).await;
        if let Some((active, value)) = reader.settle(checked) {
            return if active {
                Ok(value)
            } else {
                Err(deactivated())
            };
        }
    }
    read_as(pool, principal, sync).await
}

/// A lookup without the account check, for audited reads ([`read_unchecked`]): on SQLite `sync` inline, on
/// PostgreSQL `pg` on the HTTP worker's own connection, or `sync` on the blocking pool where it has none or the
/// lookup failed on it.
pub async fn lookup_unchecked<S, G, T>(pool: &DbPool, sync: S, pg: G) -> Result<T, ApiError>
where
    S: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    G: for<'c> FnOnce(&'c AsyncPgConnection) -> PgLookup<'c, T>,
    T: Send + 'static,
{
    if let Some(reader) = pool.worker_connection().await
        && let Some(value) = reader.settle(pg(reader.conn()).await)
    {
        return Ok(value);
    }
    read_unchecked(pool, sync).await
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
    crate::per_backend!(conn, c => AnsiTransactionManager::begin_transaction(c))?;
    let result = f(conn);
    let finish = match &result {
        Ok(_) => crate::per_backend!(conn, c => AnsiTransactionManager::commit_transaction(c)),
        Err(_) => crate::per_backend!(conn, c => AnsiTransactionManager::rollback_transaction(c)),
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
