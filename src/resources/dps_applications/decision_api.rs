//! The decision and what follows it: delivery to each party, waivers of appeal, appeals to the SKO through MOPR,
//! their forwarding and the SKO's outcome.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::model::{
    DecisionOutcome, DeliveryMethod, DpsApplication, DpsDecision, DpsStatus, Party, PartyRole,
    SigningCapacity, appeal_deadline, check_decided, check_decision_allowed, check_waiver, dated,
    text,
};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::foundation::legal_date::legal_date;
use crate::identity::{Caller, policy};
use crate::records::events::EventType;
use crate::records::state::AppState;

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
    /// The day the decision was signed (its legal date; `on_time` and each party's appeal window follow from it
    /// and the deliveries): not in the future, not before the proceedings started (`before_application`) or the
    /// qualifying team sat (`before_team_opinion`). Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub decided_on: Option<NaiveDate>,
}

/// Issue the decision.
///
/// *Decyzja administracyjna* granting or refusing placement, dated `decided_on` (today when omitted), by a MOPR `director` (the director,
/// deputy director or head of department, as `signed_as` says), after the qualifying team's opinion (409
/// `team_opinion_required`), once (409 `already_decided`). Records whether it came by the due date. The applying
/// PCPR is told (`dps_application.decided`). A granted placement then needs its fee decision
/// (`POST /api/v1/dps-applications/{id}/fee-decisions`): until one is issued `awaiting_fee_decision` is `true` and
/// `decision.fee_decision_id` is `null`. Requires `If-Match`.
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/decision")]
pub async fn issue_dps_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewDecision>,
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
            let mut earlier = vec![crate::foundation::legal_date::Earlier::new(
                "before_application",
                "the proceedings started",
                case.row.received_on,
            )];
            if let Some(team) = &case.team {
                earlier.push(crate::foundation::legal_date::Earlier::new(
                    "before_team_opinion",
                    "the qualifying team sat",
                    team.sat_on,
                ));
            }
            let decided_on = legal_date("decided_on", d.decided_on, today, &earlier)?;
            case.decision = Some(DpsDecision {
                outcome: d.outcome,
                reasons,
                legal_basis,
                decided_on,
                decided_by: caller.id.clone(),
                signed_as: d.signed_as,
                on_time: decided_on <= due,
                fee_decision_id: None,
            });
            case.legal_date = Some(decided_on);
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
    #[serde(deserialize_with = "crate::foundation::validation::date")]
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/deliveries")]
pub async fn record_dps_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewDelivery>,
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
            dated(
                "delivered_on",
                n.delivered_on,
                crate::foundation::legal_date::Earlier::new(
                    "before_decision",
                    "the decision was issued",
                    decided_on,
                ),
                today,
            )?;
            case.legal_date = Some(n.delivered_on);
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
    #[serde(deserialize_with = "crate::foundation::validation::date")]
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/deliveries/{party_id}/waiver")]
pub async fn record_dps_waiver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: Json<Waiver>,
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
            case.legal_date = Some(received_on);
            Ok(None)
        },
    )
    .await
}
