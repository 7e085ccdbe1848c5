//! Queries behind sign-in: looking up accounts by their login name and counting failed attempts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::kinds::PrincipalType;
use crate::foundation::db::schema::{api_clients, institutions, sign_in_failures, users};
use crate::foundation::db::{AccountCheck, AsyncPgConnection, DbConnection, PgLookup};
use crate::foundation::error::ApiError;
use crate::identity::Role;
use crate::identity::caller::Principal;
use crate::identity::throttle::STREAK_RESETS_AFTER;

/// What sign-in needs to know of an account, user or API client alike.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub id: String,
    pub secret_hash: String,
    pub role: Role,
    pub active: bool,
    pub institution_id: Option<String>,
    pub institution_kind: Option<String>,
    /// The account's version: its tokens' generation.
    pub version: i32,
}

type LoginRow = (
    String,
    String,
    Role,
    bool,
    Option<String>,
    Option<String>,
    i32,
);

fn from_row(r: LoginRow) -> LoginAccount {
    LoginAccount {
        id: r.0,
        secret_hash: r.1,
        role: r.2,
        active: r.3,
        institution_id: r.4,
        institution_kind: r.5,
        version: r.6,
    }
}

pub fn find_user_login(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<LoginAccount>, ApiError> {
    let row = users::table
        .left_join(institutions::table)
        .filter(users::username.eq(username))
        .select((
            users::id,
            users::password_hash,
            users::role,
            users::active,
            users::institution_id,
            institutions::kind.nullable(),
            users::version,
        ))
        .get_result::<LoginRow>(conn)
        .optional()?;
    Ok(row.map(from_row))
}

pub fn find_client_login(
    conn: &mut DbConnection,
    client_id: &str,
) -> Result<Option<LoginAccount>, ApiError> {
    let row = api_clients::table
        .inner_join(institutions::table)
        .filter(api_clients::client_id.eq(client_id))
        .select((
            api_clients::id,
            api_clients::secret_hash,
            api_clients::role,
            api_clients::active,
            api_clients::institution_id.nullable(),
            institutions::kind.nullable(),
            api_clients::version,
        ))
        .get_result::<LoginRow>(conn)
        .optional()?;
    Ok(row.map(from_row))
}

/// This account's streak of failed sign-ins from this client address, as (count, last failure).
pub fn sign_in_failures(
    conn: &mut DbConnection,
    account_id: &str,
    client_addr: &str,
) -> Result<Option<(i32, NaiveDateTime)>, ApiError> {
    Ok(sign_in_failures::table
        .find((account_id, client_addr))
        .select((sign_in_failures::failures, sign_in_failures::last_failed_at))
        .get_result(conn)
        .optional()?)
}

/// Counts a failed sign-in from this address. One statement, so concurrent failures cannot lose a count; a streak
/// older than [`STREAK_RESETS_AFTER`] starts again.
pub fn record_sign_in_failure(
    conn: &mut DbConnection,
    account_id: &str,
    client_addr: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let restart_before = now - STREAK_RESETS_AFTER;
    let upsert = "INSERT INTO sign_in_failures (account_id, client_addr, failures, last_failed_at) \
                  VALUES ($1, $2, 1, $3) ON CONFLICT (account_id, client_addr) DO UPDATE SET \
                  failures = CASE WHEN sign_in_failures.last_failed_at < $4 THEN 1 \
                  ELSE sign_in_failures.failures + 1 END, last_failed_at = $3";
    crate::per_backend!(conn, c => diesel::sql_query(upsert)
        .bind::<diesel::sql_types::Text, _>(account_id)
        .bind::<diesel::sql_types::Text, _>(client_addr)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::Timestamp, _>(restart_before)
        .execute(c))?;
    Ok(())
}

/// Forgets the account's failed sign-ins: from one address after a successful sign-in there, from every address
/// when `client_addr` is `None` (a new password).
pub fn clear_sign_in_failures(
    conn: &mut DbConnection,
    account_id: &str,
    client_addr: Option<&str>,
) -> Result<(), ApiError> {
    let mine = sign_in_failures::table.filter(sign_in_failures::account_id.eq(account_id));
    match client_addr {
        Some(addr) => {
            diesel::delete(mine.filter(sign_in_failures::client_addr.eq(addr))).execute(conn)?
        }
        None => diesel::delete(mine).execute(conn)?,
    };
    Ok(())
}

/// The unit of work's account check ([`crate::foundation::db::run_as`]): the token's subject still exists and is
/// active.
impl AccountCheck for Principal {
    fn is_active(&self, conn: &mut DbConnection) -> Result<bool, ApiError> {
        principal_is_active(conn, self.kind, &self.id, self.generation)
    }

    fn is_active_pg<'c>(&'c self, mut conn: &'c AsyncPgConnection) -> PgLookup<'c, bool> {
        use diesel_async::RunQueryDsl as Async;
        // The same queries as `principal_is_active`, for diesel-async.
        Box::pin(async move {
            let found: Option<(bool, i32)> = match self.kind {
                PrincipalType::User => {
                    let query = users::table
                        .find(&self.id)
                        .select((users::active, users::version));
                    Async::get_result(query, &mut conn).await.optional()?
                }
                PrincipalType::Client => {
                    let query = api_clients::table
                        .find(&self.id)
                        .select((api_clients::active, api_clients::version));
                    Async::get_result(query, &mut conn).await.optional()?
                }
            };
            Ok(found == Some((true, self.generation)))
        })
    }
}

/// Whether a token's subject still exists, is active, and has not changed since the token was issued (its
/// version is the token's generation).
pub fn principal_is_active(
    conn: &mut DbConnection,
    kind: PrincipalType,
    id: &str,
    generation: i32,
) -> Result<bool, ApiError> {
    // Every authenticated request runs this: on the inner connection (see `per_backend!`).
    let found = crate::per_backend!(conn, c => match kind {
        PrincipalType::User => users::table
            .find(id)
            .select((users::active, users::version))
            .get_result::<(bool, i32)>(c)
            .optional()?,
        PrincipalType::Client => api_clients::table
            .find(id)
            .select((api_clients::active, api_clients::version))
            .get_result::<(bool, i32)>(c)
            .optional()?,
    });
    Ok(found == Some((true, generation)))
}

/// Which of these token subjects are active, as (kind, id, version) triples, so that a token whose account changed since
/// it was issued is refused: one query per kind present, however many requests of the same moment they stand for (the
/// audit group commit checks all its reads' accounts at once).
pub fn active_among<'p>(
    conn: &mut DbConnection,
    principals: impl IntoIterator<Item = &'p crate::identity::caller::Principal>,
) -> Result<std::collections::HashSet<(PrincipalType, String, i32)>, ApiError> {
    let (mut user_ids, mut client_ids) = (Vec::new(), Vec::new());
    for p in principals {
        match p.kind {
            PrincipalType::User => user_ids.push(p.id.as_str()),
            PrincipalType::Client => client_ids.push(p.id.as_str()),
        }
    }
    let mut active = std::collections::HashSet::new();
    for (kind, ids) in [
        (PrincipalType::User, user_ids),
        (PrincipalType::Client, client_ids),
    ] {
        if ids.is_empty() {
            continue;
        }
        // The audit writer's every commit runs this: on the inner connection (see `per_backend!`).
        let found: Vec<(String, i32)> = crate::per_backend!(conn, c => match kind {
            PrincipalType::User => users::table
                .filter(users::id.eq_any(&ids).and(users::active))
                .select((users::id, users::version))
                .load(c)?,
            PrincipalType::Client => api_clients::table
                .filter(api_clients::id.eq_any(&ids).and(api_clients::active))
                .select((api_clients::id, api_clients::version))
                .load(c)?,
        });
        active.extend(found.into_iter().map(|(id, version)| (kind, id, version)));
    }
    Ok(active)
}
