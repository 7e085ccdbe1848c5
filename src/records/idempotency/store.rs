//! The queries of idempotency records.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::model::{Claimed, LEASE_SECONDS, StoredResponse, TTL_HOURS, judge};
use crate::foundation::db::schema::idempotency_keys;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct Record {
    fingerprint: String,
    completed: bool,
    status: Option<i32>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
    created_at: NaiveDateTime,
}

fn find(conn: &mut DbConnection, caller: &str, key: &str) -> Result<Option<Record>, ApiError> {
    Ok(idempotency_keys::table
        .find((caller, key))
        .select(Record::as_select())
        .get_result(conn)
        .optional()?)
}

fn answer(r: Record, print: &str) -> Result<Claimed, ApiError> {
    if let Some(e) = judge(&r.fingerprint, r.completed, print) {
        return Ok(Claimed::Refused(e));
    }
    let headers: Vec<(String, String)> = match r.response_headers.as_deref() {
        Some(h) => serde_json::from_str(h)
            .map_err(|e| ApiError::internal(format!("idempotency headers: {e}")))?,
        None => Vec::new(),
    };
    Ok(Claimed::Replay(StoredResponse {
        status: r.status.unwrap_or(200) as u16,
        headers,
        body: r.response_body.unwrap_or_default(),
    }))
}

/// Claims the key for this request, or says how an earlier attempt answers it. Two attempts racing for a new key
/// both try to insert; the primary key lets one through and the other finds the first in progress.
pub fn claim(
    conn: &mut db::Conn,
    caller: &str,
    key: &str,
    print: &str,
    now: NaiveDateTime,
) -> Result<Claimed, ApiError> {
    let expired_before = now - TimeDelta::hours(TTL_HOURS);
    if let Some(r) = find(conn, caller, key)? {
        if abandoned(&r, print, now) {
            return take_over(conn, caller, key, &r, now);
        }
        if r.created_at >= expired_before {
            return answer(r, print);
        }
        db::write_tx(conn, |conn| {
            diesel::delete(idempotency_keys::table.find((caller, key))).execute(conn)?;
            Ok(())
        })?;
    }
    let inserted = db::write_tx(conn, |conn| {
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::caller_id.eq(caller),
                idempotency_keys::idem_key.eq(key),
                idempotency_keys::fingerprint.eq(print),
                idempotency_keys::completed.eq(false),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    });
    match inserted {
        Ok(()) => Ok(Claimed::New),
        Err(ApiError::Conflict { .. }) => match find(conn, caller, key)? {
            Some(r) => answer(r, print),
            None => Ok(in_progress()),
        },
        Err(e) => Err(e),
    }
}

/// A reservation of this same request whose lease ran out: the attempt that made it died with its node (a request
/// cannot outlive its node's graceful shutdown, [`LEASE_SECONDS`]), so the retry runs instead of answering
/// "in progress" until the key expires.
fn abandoned(r: &Record, print: &str, now: NaiveDateTime) -> bool {
    !r.completed && r.fingerprint == print && r.created_at < now - TimeDelta::seconds(LEASE_SECONDS)
}

/// Renews an abandoned reservation for this attempt. Two retries racing for it both try; the condition on the old
/// reservation's time lets one through, and the other finds it in progress.
fn take_over(
    conn: &mut db::Conn,
    caller: &str,
    key: &str,
    old: &Record,
    now: NaiveDateTime,
) -> Result<Claimed, ApiError> {
    let renewed = db::write_tx(conn, |conn| {
        Ok(diesel::update(
            idempotency_keys::table
                .find((caller, key))
                .filter(idempotency_keys::completed.eq(false))
                .filter(idempotency_keys::created_at.eq(old.created_at)),
        )
        .set(idempotency_keys::created_at.eq(now))
        .execute(conn)?)
    })?;
    if renewed == 1 {
        return Ok(Claimed::New);
    }
    match find(conn, caller, key)? {
        Some(r) => answer(r, &old.fingerprint),
        None => Ok(in_progress()),
    }
}

/// The answer to an attempt whose key another attempt holds at this moment.
fn in_progress() -> Claimed {
    Claimed::Refused(ApiError::conflict(
        "idempotency_request_in_progress",
        "another request with this Idempotency-Key is being handled; retry in a moment",
    ))
}

/// Stores the first attempt's answer.
pub fn complete(
    conn: &mut db::Conn,
    caller: &str,
    key: &str,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), ApiError> {
    let headers = serde_json::to_string(headers).map_err(ApiError::internal)?;
    db::write_tx(conn, |conn| {
        diesel::update(idempotency_keys::table.find((caller, key)))
            .set((
                idempotency_keys::completed.eq(true),
                idempotency_keys::status.eq(Some(i32::from(status))),
                idempotency_keys::response_headers.eq(Some(headers)),
                idempotency_keys::response_body.eq(Some(body.to_vec())),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Forgets a key whose attempt failed on our side (5xx), so that the client's retry runs again.
pub fn release(conn: &mut db::Conn, caller: &str, key: &str) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        diesel::delete(idempotency_keys::table.find((caller, key))).execute(conn)?;
        Ok(())
    })
}

/// Drops every record older than the time-to-live.
pub fn expire(conn: &mut db::Conn, now: NaiveDateTime) -> Result<usize, ApiError> {
    let before = now - TimeDelta::hours(TTL_HOURS);
    db::write_tx(conn, |conn| {
        Ok(
            diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
                .execute(conn)?,
        )
    })
}
