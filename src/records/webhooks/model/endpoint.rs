//! Webhook endpoints: what an institution registers, as stored and as shown.

use crate::foundation::config::TargetPolicy;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::webhook_endpoints;
use crate::foundation::error::{ApiError, FieldError};
use crate::records::events::EventType;

use super::targets::check_url;

/// Endpoints one institution may register.
pub const MAX_ENDPOINTS_PER_INSTITUTION: i64 = 20;

/// The stored endpoint. `event_types` is a comma-separated list; the cursor is the feed position up to which
/// the institution's events have been turned into deliveries.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints, treat_none_as_default_value = false)]
pub struct EndpointRow {
    pub id: String,
    pub institution_id: String,
    pub url: String,
    pub event_types: String,
    pub description: String,
    pub secret: String,
    pub active: bool,
    pub cursor_txid: i64,
    pub cursor_seq: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl EndpointRow {
    pub fn subscribes_to(&self, event_type: &str) -> bool {
        self.event_types.split(',').any(|t| t == event_type)
    }

    pub fn view(&self) -> Webhook {
        Webhook {
            id: self.id.clone(),
            institution_id: self.institution_id.clone(),
            url: self.url.clone(),
            event_types: self
                .event_types
                .split(',')
                .filter_map(EventType::parse)
                .collect(),
            description: self.description.clone(),
            active: self.active,
            created_by: self.created_by.clone(),
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        }
    }
}

/// An endpoint to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://integracja.cis-torun.example/reintegra/webhooks",
    "event_types": ["opinion.issued", "referral.issued"], "description": "CIS case system"}))]
pub struct NewWebhook {
    /// Where deliveries are POSTed: an `https://` URL on a public address (no credentials in it). Private,
    /// loopback and link-local targets, and plain `http://`, are refused unless the service is configured to
    /// allow them (`REINTEGRA_WEBHOOK_ALLOW_PRIVATE_TARGETS`, for on-premise networks).
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "https://integracja.cis-torun.example/reintegra/webhooks"
    )]
    pub url: String,
    /// The event types to deliver (at least one, each once: a repeated type is 422 `duplicate`); the same types
    /// as `GET /api/v1/events`.
    #[schema(min_items = 1, max_items = 32)]
    pub event_types: Vec<EventType>,
    /// What the endpoint is, for the admins (up to 200 characters).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub description: Option<String>,
}

impl NewWebhook {
    /// The endpoint's fields as stored, or every field error at once.
    pub fn check(&self, targets: TargetPolicy) -> Result<(String, String, String), ApiError> {
        let mut errors = Vec::new();
        let url = match check_url(&self.url, targets) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut types: Vec<&'static str> = Vec::new();
        for t in &self.event_types {
            if types.contains(&t.as_str()) {
                errors.push(FieldError::new(
                    "event_types",
                    "duplicate",
                    format!("{} is listed twice", t.as_str()),
                ));
            }
            types.push(t.as_str());
        }
        if types.is_empty() {
            errors.push(FieldError::new(
                "event_types",
                "required",
                "name at least one event type",
            ));
        }
        let description = self.description.clone().unwrap_or_default();
        if description.chars().count() > 200 {
            errors.push(FieldError::new(
                "description",
                "too_long",
                "at most 200 characters",
            ));
        }
        match url {
            Some(url) if errors.is_empty() => Ok((url, types.join(","), description)),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// A registered endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: String,
    /// The institution whose events are delivered (the admin's own).
    pub institution_id: String,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: String,
    /// `false` once deactivated: nothing more is delivered.
    pub active: bool,
    /// The admin who registered it.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A registered endpoint with its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisteredWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks signing secret (`whsec_` and the base64 of 32 random bytes). Store it now: it is
    /// never shown again. Verify each delivery's `webhook-signature` with it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}
