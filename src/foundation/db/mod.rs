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

pub mod connection;
mod macros;
mod pg_async;
mod pool;
pub mod schema;
mod unit;
pub mod writer;

pub use connection::{Backend, DbConnection};
pub use diesel_async::AsyncPgConnection;
pub use pg_async::{APPLICATION_NAME as LOOKUP_APPLICATION_NAME, PgLookup};
pub use pool::*;
pub use unit::*;

#[cfg(test)]
mod tests;
