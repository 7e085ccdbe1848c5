//! Appeals to the SKO, lodged through MOPR (KPA art. 127–129), their forwarding with the files (art. 133) and the
//! SKO's outcome.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::model::{
    Appeal, DpsApplication, DpsStatus, SkoOutcome, check_decided, dated, forwarding_due_on,
};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::events::EventType;
use crate::records::state::AppState;

/// An appeal to the SKO, lodged at MOPR.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party_id": "party_1", "lodged_on": "2026-11-30"}))]
pub struct NewAppeal {
    /// The appealing party.
    pub party_id: String,
    /// The day it was lodged: from the party's delivery to today. A date after the window is recorded as `late`.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub lodged_on: NaiveDate,
}

/// Record an appeal.
///
/// KPA art. 127–129: a party appeals to the Samorządowe Kolegium Odwoławcze through MOPR within 14 days of delivery.
/// The case becomes `appealed` and MOPR must forward the appeal with the files within 7 days (art. 133;
/// `appeals[].forwarding_due_on`, and MOPR's deadline `dps_appeal_forwarding`). An appeal after the window is
/// recorded with `late: true` (the SKO rules on it). Not after the party's waiver (409 `appeal_waived`), once per
/// party (409 `already_appealed`). MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_appeal",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewAppeal,
    responses(
        (status = 200, description = "Recorded; the case is `appealed`.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/appeals")]
pub async fn record_dps_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewAppeal>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let n = body.into_inner();
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "appeal",
        move |_, _, case, today| {
            check_decided(case.row.status)?;
            let party = case
                .parties
                .iter()
                .find(|p| p.id == n.party_id)
                .ok_or_else(|| {
                    ApiError::field(
                        "party_id",
                        "unknown_party",
                        "no delivery to this party is recorded",
                    )
                })?;
            if party.waiver_received_on.is_some() {
                return Err(ApiError::conflict(
                    "appeal_waived",
                    "this party waived its appeal",
                ));
            }
            if case.appeals.iter().any(|a| a.party_id == n.party_id) {
                return Err(ApiError::conflict(
                    "already_appealed",
                    "this party's appeal is already recorded",
                ));
            }
            dated(
                "lodged_on",
                n.lodged_on,
                crate::foundation::legal_date::Earlier::new(
                    "before_delivery",
                    "the decision was delivered to this party",
                    party.delivered_on,
                ),
                today,
            )?;
            case.legal_date = Some(n.lodged_on);
            let late = n.lodged_on > party.appeal_deadline;
            case.appeals.push(Appeal {
                id: format!("appeal_{}", case.appeals.len() + 1),
                party_id: n.party_id,
                lodged_on: n.lodged_on,
                late,
                forwarding_due_on: forwarding_due_on(n.lodged_on),
                forwarded_on: None,
                sko_outcome: None,
                sko_decided_on: None,
            });
            case.row.status = DpsStatus::Appealed;
            Ok(None)
        },
    )
    .await
}

/// The day MOPR sent the appeal with the files to the SKO.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"forwarded_on": "2026-12-03"}))]
pub struct Forwarding {
    /// From the day the appeal was lodged to today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub forwarded_on: NaiveDate,
}

/// Record that an appeal was forwarded to the SKO.
///
/// Meets the 7-day obligation of art. 133 (late forwarding is accepted; the deadline shows `met_late`). Once per
/// appeal (409 `already_forwarded`). MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_appeal_forwarding",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("appeal_id" = String, Path, description = "The appeal's id on the case, e.g. `appeal_1`."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = Forwarding,
    responses(
        (status = 200, description = "Recorded.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/appeals/{appeal_id}/forwarding")]
pub async fn record_dps_appeal_forwarding(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: Json<Forwarding>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let (id, appeal_id) = path.into_inner();
    let forwarded_on = body.forwarded_on;
    change(
        state,
        caller,
        id,
        expected,
        "appeal_forwarding",
        move |_, _, case, today| {
            check_decided(case.row.status)?;
            let appeal = case
                .appeals
                .iter_mut()
                .find(|a| a.id == appeal_id)
                .ok_or_else(|| ApiError::not_found("appeal"))?;
            if appeal.forwarded_on.is_some() {
                return Err(ApiError::conflict(
                    "already_forwarded",
                    "this appeal was already forwarded",
                ));
            }
            dated(
                "forwarded_on",
                forwarded_on,
                crate::foundation::legal_date::Earlier::new(
                    "before_appeal",
                    "the appeal was lodged",
                    appeal.lodged_on,
                ),
                today,
            )?;
            case.legal_date = Some(forwarded_on);
            appeal.forwarded_on = Some(forwarded_on);
            Ok(None)
        },
    )
    .await
}

/// The SKO's decision on an appeal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "upheld", "decided_on": "2027-01-10"}))]
pub struct SkoDecision {
    pub outcome: SkoOutcome,
    /// From the forwarding to today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub decided_on: NaiveDate,
}

/// Record the SKO's outcome.
///
/// `upheld` or `changed`: the case is `closed` with a final decision (`finality.basis: sko`). `annulled_and_remanded`:
/// the decision moves to `previous_decisions`, its deliveries and appeals are cleared, and the case returns to
/// `assessed` for a new decision. Only for a forwarded appeal (409 `not_forwarded`), once. The applying PCPR is told
/// (`dps_application.sko_decided`). MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_sko_outcome",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("appeal_id" = String, Path, description = "The appeal's id on the case, e.g. `appeal_1`."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = SkoDecision,
    responses(
        (status = 200, description = "Recorded.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/appeals/{appeal_id}/outcome")]
pub async fn record_dps_sko_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: Json<SkoDecision>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let (id, appeal_id) = path.into_inner();
    let d = body.into_inner();
    change(
        state,
        caller,
        id,
        expected,
        "sko_outcome",
        move |_, _, case, today| {
            if case.row.status != DpsStatus::Appealed {
                return Err(ApiError::conflict(
                    "not_appealed",
                    "the case has no pending appeal",
                ));
            }
            let appeal = case
                .appeals
                .iter_mut()
                .find(|a| a.id == appeal_id)
                .ok_or_else(|| ApiError::not_found("appeal"))?;
            let Some(forwarded_on) = appeal.forwarded_on else {
                return Err(ApiError::conflict(
                    "not_forwarded",
                    "the SKO decides on a forwarded appeal; record the forwarding first",
                ));
            };
            if appeal.sko_outcome.is_some() {
                return Err(ApiError::conflict(
                    "already_decided",
                    "the SKO's outcome is already recorded",
                ));
            }
            dated(
                "decided_on",
                d.decided_on,
                crate::foundation::legal_date::Earlier::new(
                    "before_forwarding",
                    "the appeal was forwarded to the SKO",
                    forwarded_on,
                ),
                today,
            )?;
            case.legal_date = Some(d.decided_on);
            appeal.sko_outcome = Some(d.outcome);
            appeal.sko_decided_on = Some(d.decided_on);
            match d.outcome {
                SkoOutcome::Upheld | SkoOutcome::Changed => case.row.status = DpsStatus::Closed,
                SkoOutcome::AnnulledAndRemanded => {
                    if let Some(previous) = case.decision.take() {
                        case.previous_decisions.push(previous);
                    }
                    case.parties.clear();
                    case.appeals.clear();
                    case.row.status = DpsStatus::Assessed;
                }
            }
            Ok(Some(EventType::DpsSkoDecided))
        },
    )
    .await
}
