//! The decision and what follows it: delivery to each party, waivers of appeal, appeals to the SKO through MOPR,
//! their forwarding and the SKO's outcome.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::model::{
    Appeal, DecisionOutcome, DeliveryMethod, DpsApplication, DpsDecision, DpsStatus, Party,
    PartyRole, SigningCapacity, SkoOutcome, appeal_deadline, check_decided, check_decision_allowed,
    check_waiver, dated, forwarding_due_on, text,
};
use crate::AppState;
use crate::auth::{Caller, policy};
use crate::error::ApiError;
use crate::events::EventType;
use crate::http::IfMatch;

/// The administrative decision on placement.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "granted", "reasons": "Spełnia warunki art. 54 ust. 1 ustawy o pomocy społecznej.",
    "legal_basis": "art. 54 ust. 1, art. 59 ust. 1 ustawy o pomocy społecznej; art. 104 KPA", "signed_as": "director"}))]
pub struct NewDecision {
    /// `granted` (placement) or `refused`.
    pub outcome: DecisionOutcome,
    /// Uzasadnienie.
    #[schema(min_length = 1, max_length = 8000)]
    pub reasons: String,
    /// Podstawa prawna.
    #[schema(min_length = 1, max_length = 2000)]
    pub legal_basis: String,
    /// The capacity the signatory acts in on the mayor's authority.
    pub signed_as: SigningCapacity,
}

/// Issue the decision.
///
/// *Decyzja administracyjna* granting or refusing placement, issued today by a MOPR `director` (the director,
/// deputy director or head of department, as `signed_as` says), after the qualifying team's opinion (409
/// `team_opinion_required`), once (409 `already_decided`). Records whether it came by the due date. The applying
/// PCPR is told (`dps_application.decided`). A granted placement is issued with a fee decision, which this version
/// of the API does not yet issue (`decision.fee_decision_id` stays `null`). Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "issue_dps_decision",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewDecision,
    responses(
        (status = 200, description = "Issued; the case is `decided`.", body = DpsApplication),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/decision")]
pub async fn issue_dps_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NewDecision>,
) -> Result<HttpResponse, ApiError> {
    policy::may_decide_dps(&caller)?;
    let expected = if_match.required()?;
    let d = body.into_inner();
    let reasons = text("reasons", &d.reasons, 8000)?;
    let legal_basis = text("legal_basis", &d.legal_basis, 2000)?;
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "decision",
        move |_, caller, case, today| {
            check_decision_allowed(case.row.status)?;
            let due = case.decision_due_on();
            case.decision = Some(DpsDecision {
                outcome: d.outcome,
                reasons,
                legal_basis,
                decided_on: today,
                decided_by: caller.id.clone(),
                signed_as: d.signed_as,
                on_time: today <= due,
                fee_decision_id: None,
            });
            case.row.status = DpsStatus::Decided;
            Ok(Some(EventType::DpsDecisionIssued))
        },
    )
    .await
}

/// The delivery of the decision to one party.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party_name": "Jan Kowalski", "party_role": "person", "delivered_on": "2026-11-24",
    "method": "post_with_acknowledgement"}))]
pub struct NewDelivery {
    #[schema(min_length = 1, max_length = 200)]
    pub party_name: String,
    pub party_role: PartyRole,
    /// The day on the acknowledgement of receipt: from the decision's day to today.
    pub delivered_on: NaiveDate,
    pub method: DeliveryMethod,
}

/// Record a delivery of the decision.
///
/// Each party's delivery (by post with acknowledgement, by a social worker, in person) starts its 14-day appeal
/// window (`parties[].appeal_deadline`, moved off Saturdays and holidays). The decision is final when every
/// recorded party has waived or let its window pass (`finality`). At most 20 parties. MOPR casework roles.
/// Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_delivery",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewDelivery,
    responses(
        (status = 200, description = "Recorded; the party's appeal window runs.", body = DpsApplication),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/deliveries")]
pub async fn record_dps_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NewDelivery>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let n = body.into_inner();
    let name = text("party_name", &n.party_name, 200)?;
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "delivery",
        move |_, _, case, today| {
            check_decided(case.row.status)?;
            let decided_on = case
                .decision
                .as_ref()
                .map(|d| d.decided_on)
                .ok_or_else(|| ApiError::internal("decided case without its decision"))?;
            dated("delivered_on", n.delivered_on, decided_on, today)?;
            if case.parties.len() >= 20 {
                return Err(ApiError::conflict("too_many_parties", "at most 20 parties"));
            }
            case.parties.push(Party {
                id: format!("party_{}", case.parties.len() + 1),
                name,
                role: n.party_role,
                delivered_on: n.delivered_on,
                method: n.method,
                appeal_deadline: appeal_deadline(n.delivered_on),
                waiver_received_on: None,
            });
            Ok(None)
        },
    )
    .await
}

/// A party's waiver of the right to appeal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"received_on": "2026-11-25"}))]
pub struct Waiver {
    /// The day the waiver reached MOPR: within the party's appeal window, not in the future.
    pub received_on: NaiveDate,
}

/// Record a waiver of appeal.
///
/// KPA art. 127a: while its window runs (409 `appeal_window_closed` after it), a party may waive the appeal; once
/// the last party's waiver reaches MOPR the decision is final that day. Not after the party appealed (409
/// `party_appealed`), once (409 `already_waived`). MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_waiver",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("party_id" = String, Path, description = "The party's id on the case, e.g. `party_1`."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = Waiver,
    responses(
        (status = 200, description = "Recorded.", body = DpsApplication),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/deliveries/{party_id}/waiver")]
pub async fn record_dps_waiver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: web::Json<Waiver>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let (id, party_id) = path.into_inner();
    let received_on = body.received_on;
    change(
        state,
        caller,
        id,
        expected,
        "waiver",
        move |_, _, case, today| {
            check_decided(case.row.status)?;
            let appealed = case.appeals.iter().any(|a| a.party_id == party_id);
            let party = case
                .parties
                .iter_mut()
                .find(|p| p.id == party_id)
                .ok_or_else(|| ApiError::not_found("party"))?;
            check_waiver(party, appealed, received_on, today)?;
            party.waiver_received_on = Some(received_on);
            Ok(None)
        },
    )
    .await
}

/// An appeal to the SKO, lodged at MOPR.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party_id": "party_1", "lodged_on": "2026-11-30"}))]
pub struct NewAppeal {
    /// The appealing party.
    pub party_id: String,
    /// The day it was lodged: from the party's delivery to today. A date after the window is recorded as `late`.
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/appeals")]
pub async fn record_dps_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NewAppeal>,
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
            dated("lodged_on", n.lodged_on, party.delivered_on, today)?;
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/appeals/{appeal_id}/forwarding")]
pub async fn record_dps_appeal_forwarding(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: web::Json<Forwarding>,
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
            dated("forwarded_on", forwarded_on, appeal.lodged_on, today)?;
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/appeals/{appeal_id}/outcome")]
pub async fn record_dps_sko_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: web::Json<SkoDecision>,
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
            dated("decided_on", d.decided_on, forwarded_on, today)?;
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
