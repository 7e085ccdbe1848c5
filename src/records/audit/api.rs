use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{self, AuditEventRow, AuditFilter};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::{Caller, policy};
use crate::records::state::AppState;

/// One audited read or change.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Time-ordered id (UUIDv7).
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// The user or API client that acted.
    pub actor_id: String,
    /// The institution it acted for; `null` for a platform admin.
    pub actor_institution_id: Option<String>,
    /// `read`, `list`, `create`, `update` or `transition`.
    #[schema(example = "read")]
    pub action: String,
    /// The kind of record, e.g. `person`, `user`.
    #[schema(example = "person")]
    pub resource_type: String,
    pub resource_id: String,
    /// The person whose data this concerns, if any.
    pub person_id: Option<String>,
    /// The `X-Request-Id` of the request.
    pub request_id: String,
    /// A short non-personal note (a transition's name, the fields changed).
    pub detail: Option<String>,
    /// For a change that records an act of a procedure: the act's legal date (the day it was really done, which
    /// may be days before `occurred_at`, the moment it was recorded); `null` otherwise.
    pub legal_date: Option<chrono::NaiveDate>,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(r: AuditEventRow) -> Self {
        Self {
            id: r.id,
            occurred_at: r.occurred_at.and_utc(),
            actor_id: r.actor_id,
            legal_date: r.legal_date,
            actor_institution_id: r.actor_institution_id,
            action: r.action.as_str().to_owned(),
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            person_id: r.person_id,
            request_id: r.request_id,
            detail: r.detail,
        }
    }
}

/// Filters of the audit trail; all optional and combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events about this person.
    pub person_id: Option<String>,
    /// Only events by this user or API client.
    pub actor_id: Option<String>,
    /// Only events by callers of this institution.
    pub institution_id: Option<String>,
    /// Only events about this record.
    pub resource_id: Option<String>,
    /// Only events at or after this instant (RFC 3339).
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date_time"
    )]
    pub from: Option<DateTime<Utc>>,
    /// Only events before this instant (RFC 3339).
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date_time"
    )]
    pub to: Option<DateTime<Utc>>,
}

/// List audit events.
///
/// The append-only audit trail of every read and change of personal data, newest first. For MOPR directors
/// (MOPR keeps the city's registry of persons) and platform admins. No endpoint changes or deletes audit records.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    security(("bearer_jwt" = [])),
    params(AuditQuery, PageParams),
    responses(
        (status = 200, description = "One page of audit events, newest first.", body = Page<AuditEvent>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::may_read_audit(&caller)?;
    let page = page.resolve()?;
    let q = query.into_inner();
    let filter = AuditFilter {
        person_id: q.person_id,
        actor_id: q.actor_id,
        institution_id: q.institution_id,
        resource_id: q.resource_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let limit = page.limit;
    let rows = db::run_as(&state.pool, caller.principal(), move |conn| {
        store::list(conn, &filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| &r.id, AuditEvent::from)))
}
