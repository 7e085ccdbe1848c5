//! Deliveries and their attempts: as stored, as shown, the retry schedule and the signed payload (Standard
//! Webhooks).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use crate::foundation::db::schema::{webhook_attempts, webhook_deliveries};
use crate::foundation::error::ApiError;
use crate::records::events::EventType;

crate::stored_enum! {
    /// Where a delivery stands: `pending` (waiting for its first or next attempt), `succeeded` (the endpoint
    /// answered 2xx), `failed` (every attempt of the schedule failed; the event stays in `GET /api/v1/events`).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DeliveryStatus {
        Pending,
        Succeeded,
        Failed,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts, treat_none_as_default_value = false)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i32,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One try of a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttempt {
    /// 1 for the first try.
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<i32>,
    /// Why the try failed without an answer (connection refused, timeout, a refused address), or the status.
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One event's delivery to one endpoint, with its attempts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    /// The `webhook-id` header of every attempt: the event's id in your feed (deduplicate on it).
    pub event_id: String,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When it succeeded or finally failed.
    pub finished_at: Option<DateTime<Utc>>,
    /// The exact body POSTed.
    pub payload: serde_json::Value,
    /// Oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

impl DeliveryRow {
    pub fn view(&self, attempts: &[AttemptRow]) -> Result<WebhookDelivery, ApiError> {
        Ok(WebhookDelivery {
            id: self.id.clone(),
            event_id: self.event_id.clone(),
            event_type: EventType::parse(&self.event_type)
                .ok_or_else(|| ApiError::internal("unknown stored event type"))?,
            status: self.status,
            next_attempt_at: self.next_attempt_at.map(|t| t.and_utc()),
            created_at: self.created_at.and_utc(),
            finished_at: self.finished_at.map(|t| t.and_utc()),
            payload: serde_json::from_str(&self.payload)
                .map_err(|e| ApiError::internal(format!("stored payload: {e}")))?,
            attempts: attempts
                .iter()
                .map(|a| DeliveryAttempt {
                    attempt: a.attempt,
                    attempted_at: a.attempted_at.and_utc(),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
        })
    }
}

/// A new signing secret: `whsec_` and the base64 of 32 random bytes (the Standard Webhooks format).
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", B64.encode(bytes))
}

/// The `webhook-signature` header of a delivery: `v1,` and the base64 HMAC-SHA256, keyed with the secret's
/// bytes, of `{webhook-id}.{webhook-timestamp}.{body}` (Standard Webhooks, symmetric signature).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|k| B64.decode(k).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// After `attempts` failed tries, how long until the next one, or `None` when the schedule is spent.
pub fn next_retry(schedule: &[Duration], attempts: i32) -> Option<Duration> {
    usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| schedule.get(i).copied())
}

/// The body POSTed for an event: `type`, `timestamp` (when it was recorded) and `data` (Standard Webhooks' payload
/// shape), whose `legal_date` is the day the act was done, for an act of a procedure. It names the
/// resource and its link, never its content: the receiver fetches it with its own token, so access rules and the
/// audit trail apply as for any read.
pub fn payload(e: &crate::records::events::store::EventRow, cursor: &str) -> String {
    serde_json::json!({
        "type": e.event_type,
        "timestamp": e.occurred_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": {
            "id": e.id,
            "institution_id": e.institution_id,
            "resource_type": e.resource_type,
            "resource_id": e.resource_id,
            "link": crate::records::events::link(&e.resource_type, &e.resource_id),
            "legal_date": e.legal_date,
            "cursor": cursor,
        }
    })
    .to_string()
}
