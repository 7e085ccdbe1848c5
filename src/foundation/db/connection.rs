//! One connection type over PostgreSQL and SQLite.

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, ConnectionResult, PgConnection, SqliteConnection};

use crate::foundation::config::is_postgres_url;

/// One connection to either backend; queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type of [`DbConnection`], for boxed queries.
pub type Backend = <DbConnection as Connection>::Backend;

/// Opens a connection of the URL's backend (`postgres://…` or a SQLite path) directly. A failure says the
/// database's own reason ("too many connections", "database … does not exist"): the derived
/// `DbConnection::establish` tries each backend in turn and may report only that none took the URL.
pub fn establish(url: &str) -> ConnectionResult<DbConnection> {
    if is_postgres_url(url) {
        PgConnection::establish(url).map(DbConnection::Postgresql)
    } else {
        SqliteConnection::establish(url).map(DbConnection::Sqlite)
    }
}

/// The pools' connection manager: [`establish`], so that what r2d2 logs when a pool cannot connect is the
/// database's reason.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
}

impl Manager {
    pub fn new(url: &str) -> Self {
        Manager {
            url: url.to_owned(),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        establish(&self.url).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || R2D2Connection::is_broken(conn)
    }
}
