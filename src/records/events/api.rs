use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{self, FeedPosition};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::pagination::{DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor};
use crate::identity::{Caller, policy};
use crate::records::events::EventType;
use crate::records::state::AppState;

/// One thing forwarded to your institution.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Pass as `after` to read only what came after this event.
    pub cursor: String,
    pub id: String,
    /// What happened: an `EventType` (webhooks subscribe to the same names).
    #[serde(rename = "type")]
    #[schema(value_type = EventType, example = "opinion.issued")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// The kind of record `link` names: `referral_application`, `opinion`, `referral`, `ipzs`, `admission_list`,
    /// `qualification`, `dps_application` or `waiting_list_entry`.
    #[schema(example = "opinion")]
    pub resource_type: String,
    pub resource_id: String,
    /// The API path of the resource; GET it for the content.
    #[schema(example = "/api/v1/opinions/0193…")]
    pub link: String,
    /// For an act of a procedure (an opinion issued, a decision delivered): the day it was really done, which may
    /// be days before `occurred_at`, the moment it was recorded; `null` for other events.
    pub legal_date: Option<chrono::NaiveDate>,
}

/// A slice of the feed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventFeed {
    /// Events after `after`, oldest first.
    pub items: Vec<Event>,
    /// Poll again with `after=<next_cursor>`. It is the cursor of the last item, or the `after` you sent when
    /// nothing new arrived; `null` only while your feed has never had an event.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The `cursor` of the last event you processed; omit to read from the beginning.
    pub after: Option<String>,
    /// Events per call, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Read your institution's inbox feed.
///
/// Everything the procedures forward to your institution, in order: a new application for MOPR, an opinion and
/// a referral for the CIS, the outcome for the applicant, withdrawals. Each event names the resource and its
/// link; fetch it for the content. Poll with `after` set to the last cursor you processed: an event is never
/// skipped and never repeated for a given cursor.
#[utoipa::path(
    tag = "events",
    operation_id = "list_events",
    security(("bearer_jwt" = [])),
    params(EventQuery),
    responses(
        (status = 200, description = "Events after the cursor, oldest first.", body = EventFeed),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let institution = caller
        .institution_id
        .clone()
        .ok_or_else(|| ApiError::internal("caller has no institution"))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            "out_of_range",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = query
        .after
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(decode_cursor)
        .transpose()?;
    let rows = db::run_as(&state.pool, caller.principal(), move |conn| {
        let from = match after {
            Some(c) => parse_position(conn, &c)?,
            None => FeedPosition::default(),
        };
        store::after(conn, &institution, from, limit)
    })
    .await?;
    let items: Vec<Event> = rows
        .into_iter()
        .map(|r| Event {
            cursor: encode_cursor(&format!("{}.{}", r.txid, r.seq)),
            link: super::link(&r.resource_type, &r.resource_id),
            id: r.id,
            event_type: r.event_type,
            occurred_at: r.occurred_at.and_utc(),
            legal_date: r.legal_date,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
        })
        .collect();
    let next_cursor = items
        .last()
        .map(|e| e.cursor.clone())
        .or(query.into_inner().after);
    Ok(HttpResponse::Ok().json(EventFeed { items, next_cursor }))
}

/// A cursor is `txid.seq`; a bare `seq` is a cursor issued before the feed was ordered by transaction, and stands
/// for its event's position.
fn parse_position(conn: &mut db::DbConnection, cursor: &str) -> Result<FeedPosition, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor is not one this feed issued".into(),
    };
    match cursor.split_once('.') {
        Some((txid, seq)) => Ok(FeedPosition {
            txid: txid.parse().map_err(|_| invalid())?,
            seq: seq.parse().map_err(|_| invalid())?,
        }),
        None => {
            let seq: i64 = cursor.parse().map_err(|_| invalid())?;
            store::position_of_seq(conn, seq)?.ok_or_else(invalid)
        }
    }
}
