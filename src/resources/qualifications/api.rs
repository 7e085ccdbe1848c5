use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{Qualification, QualificationDecision, QualificationRow, view};
use super::store;

use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::foundation::legal_date::{Earlier, legal_date};
use crate::identity::{Caller, policy};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::ipzs::model::{Channel, IpzsStatus, check_qualification_request};
use crate::resources::ipzs::store as ipzs_store;

fn respond(status: actix_web::http::StatusCode, v: Qualification) -> HttpResponse {
    crate::foundation::http::record_response(status, v.version, "/api/v1/qualifications", &v.id, &v)
}

/// Asks MOPR to qualify a participant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ipzs_id": "0193…", "channel": "email"}))]
pub struct NewQualificationRequest {
    pub ipzs_id: String,
    /// How the request travels (e-mail and fax are allowed because time is short).
    pub channel: Channel,
    /// The day the request was sent (its legal date), by which the window and lateness are judged: not in the
    /// future. Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub requested_on: Option<NaiveDate>,
}

/// Request qualification.
///
/// In the **last week of the trial month** the CIS director asks MOPR to qualify the participant; earlier is
/// refused with 409 `qualification_request_too_early` (the problem's `detail` gives the window). A request after
/// the trial month is accepted but marked `request_late: true` (and the CIS's deadline `met_late`), so that a
/// participant can still be qualified. Only while the IPZS is in `trial` (`not_in_trial`); once per IPZS
/// (`qualification_already_requested`). MOPR is told at once (`qualification.requested`). Requires `If-Match` with
/// the **IPZS's** ETag.
#[utoipa::path(
    tag = "qualifications",
    operation_id = "request_qualification",
    security(("bearer_jwt" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the IPZS as last read (`GET /api/v1/ipzs/{id}`).", pattern = r#"^(W/)?"[0-9]+"$"#)),
    request_body = NewQualificationRequest,
    responses(
        (status = 201, description = "Requested; `ETag` carries the qualification's version.", body = Qualification),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/qualifications")]
pub async fn request_qualification(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: Json<NewQualificationRequest>,
) -> Result<HttpResponse, ApiError> {
    policy::may_act_as_cis_director(&caller)?;
    let expected = if_match.required()?;
    let req = body.into_inner();
    let today = state.clock.today();
    let v = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let mut ipzs = ipzs_store::load_visible(conn, &caller, &req.ipzs_id)?;
            if ipzs.version != expected {
                return Err(stale("IPZS"));
            }
            if let Some(existing) = store::find_by_ipzs(conn, &ipzs.id)?.map(|q| q.id) {
                return Err(ApiError::Conflict {
                    code: "qualification_already_requested",
                    detail: "qualification was already requested for this IPZS".into(),
                    existing: Some(format!("/api/v1/qualifications/{existing}")),
                });
            }
            let requested_on = legal_date(
                "requested_on",
                req.requested_on,
                today,
                &[Earlier::new(
                    "before_signing",
                    "the IPZS was signed",
                    ipzs.signed_on,
                )],
            )?;
            check_qualification_request(ipzs.status, &ipzs.schedule(), requested_on)?;
            let now = db::now();
            let row = QualificationRow {
                id: uuid::Uuid::now_v7().to_string(),
                ipzs_id: ipzs.id.clone(),
                requested_on,
                requested_by: caller.id.clone(),
                request_channel: req.channel,
                decision: None,
                decided_on: None,
                decided_by: None,
                decision_channel: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert(conn, &row)?;
            ipzs.version = expected + 1;
            ipzs.updated_at = now;
            ipzs_store::save(conn, &ipzs, expected)?;
            ipzs.recorded_late |= acts::record(
                conn,
                &caller,
                CaseType::Ipzs,
                &ipzs.id,
                "qualification.requested",
                requested_on,
            )?;
            events::emit_act(
                conn,
                EventType::QualificationRequested,
                "qualification",
                &row.id,
                &[&ipzs.mopr_id],
                Some(requested_on),
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "qualification", &row.id)
                    .person(&ipzs.person_id)
                    .on(requested_on),
            )?;
            view(row, &ipzs)
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, v))
}

/// MOPR's decision on qualification.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "qualified", "channel": "email"}))]
pub struct QualificationDecisionBody {
    pub decision: QualificationDecision,
    /// How the answer travels to the CIS.
    pub channel: Channel,
    /// The day the director decided (its legal date): not in the future, not before the request (422
    /// `before_request`). Today in Europe/Warsaw when omitted; `met_late` and a failed trial's end follow it.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub decided_on: Option<NaiveDate>,
}

/// Decide on qualification.
///
/// The MOPR director qualifies the participant (the IPZS becomes `active`) or not (`not_qualified`: the programme
/// and health insurance end with the trial month's last day, or on the decision day if it came later; the CIS
/// director then writes to the participant). The decision must reach the CIS
/// before the proper period starts: a later decision is accepted and flagged `decision_late`. Once only (409
/// `already_decided`). The CIS is told at once (`qualification.decided`). Requires `If-Match` with the
/// **qualification's** ETag.
#[utoipa::path(
    tag = "qualifications",
    operation_id = "decide_qualification",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The qualification's id."),
        ("If-Match" = String, Header, description = "The ETag of the qualification as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = QualificationDecisionBody,
    responses(
        (status = 200, description = "Decided.", body = Qualification),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/qualifications/{id}/decision")]
pub async fn decide_qualification(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<QualificationDecisionBody>,
) -> Result<HttpResponse, ApiError> {
    policy::may_decide_qualification(&caller)?;
    let expected = if_match.required()?;
    let decision = body.into_inner();
    let id = id.into_inner();
    let today = state.clock.today();
    let v = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let hidden = || ApiError::not_found("qualification");
            let mut q = store::find(conn, &id)?.ok_or_else(hidden)?;
            let mut ipzs =
                ipzs_store::load_visible(conn, &caller, &q.ipzs_id).map_err(|_| hidden())?;
            if q.version != expected {
                return Err(stale("qualification"));
            }
            if q.decision.is_some() {
                return Err(ApiError::Conflict {
                    code: "already_decided",
                    detail: "MOPR has already decided on this qualification".into(),
                    existing: None,
                });
            }
            let decided_on = legal_date(
                "decided_on",
                decision.decided_on,
                today,
                &[Earlier::new(
                    "before_request",
                    "qualification was requested",
                    q.requested_on,
                )],
            )?;
            let now = db::now();
            q.decision = Some(decision.decision);
            q.decided_on = Some(decided_on);
            q.decided_by = Some(caller.id.clone());
            q.decision_channel = Some(decision.channel);
            q.updated_at = now;
            q.version = expected + 1;
            store::save_decision(conn, &q, expected)?;
            // The IPZS follows the decision if it is still in its trial (it may have been terminated meanwhile).
            if ipzs.status == IpzsStatus::Trial {
                let before = ipzs.version;
                match decision.decision {
                    QualificationDecision::Qualified => ipzs.status = IpzsStatus::Active,
                    QualificationDecision::NotQualified => {
                        // The trial runs to its end (seed 000 II.3), even when MOPR answers early.
                        ipzs.status = IpzsStatus::NotQualified;
                        let end = ipzs.schedule().failed_trial_ends_on(decided_on);
                        ipzs.ended_on = Some(end);
                        ipzs.insurance_ends_on = Some(end);
                    }
                }
                ipzs.version = before + 1;
                ipzs.updated_at = now;
                ipzs_store::save(conn, &ipzs, before)?;
            } else {
                // The IPZS stays as it is, but MOPR's decision obligation is met.
                crate::resources::deadlines::store::sync_ipzs(conn, &ipzs)?;
            }
            ipzs.recorded_late |= acts::record(
                conn,
                &caller,
                CaseType::Ipzs,
                &ipzs.id,
                "qualification.decided",
                decided_on,
            )?;
            events::emit_act(
                conn,
                EventType::QualificationDecided,
                "qualification",
                &q.id,
                &[&ipzs.cis_id],
                Some(decided_on),
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "qualification", &q.id)
                    .person(&ipzs.person_id)
                    .detail(decision.decision.as_str())
                    .on(decided_on),
            )?;
            view(q, &ipzs)
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, v))
}

/// Get a qualification.
///
/// For the CIS and the MOPR of the IPZS; 404 for everyone else.
#[utoipa::path(
    tag = "qualifications",
    operation_id = "get_qualification",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The qualification's id.")),
    responses(
        (status = 200, description = "The qualification; `ETag` carries its version.", body = Qualification),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/qualifications/{id}")]
pub async fn get_qualification(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let v = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let hidden = || ApiError::not_found("qualification");
            let q = store::find(conn, &id)?.ok_or_else(hidden)?;
            let ipzs = ipzs_store::load_visible(conn, &caller, &q.ipzs_id).map_err(|_| hidden())?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "qualification", &q.id).person(&ipzs.person_id),
            );
            view(q, &ipzs)
        },
    )
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, v))
}
