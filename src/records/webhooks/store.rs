//! The queries of webhook endpoints, deliveries and attempts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{AttemptRow, DeliveryRow, DeliveryStatus, EndpointRow};
use crate::foundation::db::schema::{
    events, webhook_attempts, webhook_deliveries, webhook_endpoints,
};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;
use crate::records::events::store::FeedPosition;

pub fn insert_endpoint(conn: &mut DbConnection, row: &EndpointRow) -> Result<(), ApiError> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get_endpoint(conn: &mut DbConnection, id: &str) -> Result<Option<EndpointRow>, ApiError> {
    Ok(webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn count_endpoints(conn: &mut DbConnection, institution_id: &str) -> Result<i64, ApiError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::institution_id.eq(institution_id))
        .filter(webhook_endpoints::active.eq(true))
        .count()
        .get_result(conn)?)
}

/// One page of an institution's endpoints in registration order.
pub fn list_endpoints(
    conn: &mut DbConnection,
    institution_id: &str,
    page: &PageRequest,
) -> Result<Vec<EndpointRow>, ApiError> {
    let mut q = webhook_endpoints::table
        .filter(webhook_endpoints::institution_id.eq(institution_id.to_owned()))
        .select(EndpointRow::as_select())
        .into_boxed::<Backend>();
    if let Some(after) = &page.after {
        q = q.filter(webhook_endpoints::id.gt(after.clone()));
    }
    Ok(q.order(webhook_endpoints::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

pub fn active_endpoints(conn: &mut DbConnection) -> Result<Vec<EndpointRow>, ApiError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::active.eq(true))
        .order(webhook_endpoints::id.asc())
        .select(EndpointRow::as_select())
        .load(conn)?)
}

/// Deactivates an endpoint at the expected version (412 when it moved on).
pub fn deactivate(conn: &mut DbConnection, id: &str, expected: i32) -> Result<(), ApiError> {
    let n = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::version.eq(expected)),
    )
    .set((
        webhook_endpoints::active.eq(false),
        webhook_endpoints::version.eq(expected + 1),
        webhook_endpoints::updated_at.eq(crate::foundation::db::now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(stale("webhook"));
    }
    Ok(())
}

/// Moves the endpoint's cursor from `from` to `to`; `false` when another dispatcher moved it first.
pub fn advance_cursor(
    conn: &mut DbConnection,
    id: &str,
    from: FeedPosition,
    to: FeedPosition,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::cursor_txid.eq(from.txid))
            .filter(webhook_endpoints::cursor_seq.eq(from.seq)),
    )
    .set((
        webhook_endpoints::cursor_txid.eq(to.txid),
        webhook_endpoints::cursor_seq.eq(to.seq),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The feed position a new endpoint starts after: everything already settled in the feed is history (it is
/// in `GET /api/v1/events`), everything later is delivered.
pub fn feed_head(conn: &mut DbConnection, institution_id: &str) -> Result<FeedPosition, ApiError> {
    let last: Option<(i64, i64)> = events::table
        .filter(events::institution_id.eq(institution_id))
        .order((events::txid.desc(), events::seq.desc()))
        .select((events::txid, events::seq))
        .first(conn)
        .optional()?;
    let Some((txid, seq)) = last else {
        return Ok(FeedPosition::default());
    };
    if matches!(conn, DbConnection::Postgresql(_)) {
        // Transactions older than the newest event may still commit events of smaller txid: start below the
        // oldest one still running, so they are delivered rather than skipped (a few settled events may be
        // delivered twice across the boundary, never lost).
        let settled = crate::records::events::store::settled_below(conn)?;
        if settled <= txid {
            return Ok(FeedPosition {
                txid: settled - 1,
                seq: i64::MAX,
            });
        }
    }
    Ok(FeedPosition { txid, seq })
}

pub fn insert_delivery(conn: &mut DbConnection, row: &DeliveryRow) -> Result<(), ApiError> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Pending deliveries due by `now` of active endpoints, oldest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(DeliveryRow, EndpointRow)>, ApiError> {
    Ok(webhook_deliveries::table
        .inner_join(webhook_endpoints::table)
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(webhook_endpoints::active.eq(true))
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select((DeliveryRow::as_select(), EndpointRow::as_select()))
        .load(conn)?)
}

/// Claims a due delivery for one attempt by moving its due time to `lease_until`; `false` when another
/// dispatcher claimed it first. A dispatcher that dies mid-attempt leaves it due again at `lease_until`.
pub fn claim(
    conn: &mut DbConnection,
    delivery: &DeliveryRow,
    lease_until: NaiveDateTime,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(&delivery.id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
            .filter(webhook_deliveries::attempts.eq(delivery.attempts))
            .filter(webhook_deliveries::next_attempt_at.eq(delivery.next_attempt_at)),
    )
    .set(webhook_deliveries::next_attempt_at.eq(Some(lease_until)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records one attempt and the delivery's new state.
pub fn record_attempt(
    conn: &mut DbConnection,
    attempt: &AttemptRow,
    status: DeliveryStatus,
    next_attempt_at: Option<NaiveDateTime>,
) -> Result<(), ApiError> {
    diesel::insert_into(webhook_attempts::table)
        .values(attempt)
        .execute(conn)?;
    let finished = (status != DeliveryStatus::Pending).then_some(attempt.attempted_at);
    diesel::update(webhook_deliveries::table.find(&attempt.delivery_id))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(attempt.attempt),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::finished_at.eq(finished),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a failed delivery back in the queue, due now, keeping its attempts.
pub fn requeue(
    conn: &mut DbConnection,
    delivery_id: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(delivery_id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Failed)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending),
        webhook_deliveries::next_attempt_at.eq(Some(now)),
        webhook_deliveries::finished_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn get_delivery(
    conn: &mut DbConnection,
    endpoint_id: &str,
    id: &str,
) -> Result<Option<DeliveryRow>, ApiError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(DeliveryRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// One page of an endpoint's deliveries, newest first, optionally in one status.
pub fn list_deliveries(
    conn: &mut DbConnection,
    endpoint_id: &str,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Vec<DeliveryRow>, ApiError> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id.to_owned()))
        .select(DeliveryRow::as_select())
        .into_boxed::<Backend>();
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s));
    }
    if let Some(after) = &page.after {
        q = q.filter(webhook_deliveries::id.lt(after.clone()));
    }
    Ok(q.order(webhook_deliveries::id.desc())
        .limit(page.limit + 1)
        .load(conn)?)
}

pub fn attempts_of(
    conn: &mut DbConnection,
    delivery_ids: &[String],
) -> Result<Vec<AttemptRow>, ApiError> {
    Ok(webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
        .order((
            webhook_attempts::delivery_id.asc(),
            webhook_attempts::attempt.asc(),
        ))
        .select(AttemptRow::as_select())
        .load(conn)?)
}

/// Deliveries waiting for an attempt, for the backlog metric.
pub fn backlog(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .count()
        .get_result(conn)?)
}
