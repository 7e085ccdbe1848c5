use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{
    FailedTrial, Ipzs, IpzsRow, IpzsStatus, NewIpzs, Schedule, TerminationReason, check_completion,
    check_non_qualification_letter, check_signed_after_referral, check_termination,
};
use super::store;
use crate::AppState;
use crate::audit::{self, Action, Entry};
use crate::auth::{Caller, policy};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::events::{self, EventType};
use crate::http::{IfMatch, stale};
use crate::pagination::{Page, PageParams, take_page};
use crate::referrals::model::Decision;

fn respond(status: actix_web::http::StatusCode, view: Ipzs) -> HttpResponse {
    crate::http::record_response(status, view.version, "/api/v1/ipzs", &view.id, &view)
}

/// What a transition produces: the next state and, optionally, an event for the other institution.
pub(crate) struct Change {
    pub next: IpzsRow,
    pub event: Option<EventType>,
}

/// Runs one transition of an IPZS in a transaction: visibility (404), version (412), the rule (409/422), the
/// write, the event and the audit record.
pub(crate) async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    expected: i32,
    what: &'static str,
    rule: impl FnOnce(&mut DbConnection, &Caller, IpzsRow, NaiveDate) -> Result<Change, ApiError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let today = state.clock.today();
    let view = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let current = store::load_visible(conn, &caller, &id)?;
            if current.version != expected {
                return Err(stale("IPZS"));
            }
            let Change { mut next, event } = rule(conn, &caller, current, today)?;
            next.version = expected + 1;
            next.updated_at = db::now();
            store::save(conn, &next, expected)?;
            if let Some(event) = event {
                // The other party: the CIS tells MOPR, MOPR tells the CIS.
                let to = if caller.belongs_to(&next.cis_id) {
                    &next.mopr_id
                } else {
                    &next.cis_id
                };
                events::emit(conn, event, "ipzs", &next.id, &[to])?;
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "ipzs", &next.id)
                    .person(&next.person_id)
                    .detail(what),
            )?;
            next.into_view(today)
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

/// Sign an IPZS.
///
/// *Indywidualny program zatrudnienia socjalnego*, signed by the CIS and the participant, from a referral
/// addressed to your CIS with the decision `referred` (one IPZS per referral: 409 `ipzs_exists`). It starts with
/// the trial month; from the dates the IPZS computes its obligations: the admission list due 5 working days after
/// signing, the qualification request in the last week of the trial month, MOPR's decision before the proper
/// period starts, health insurance from 30 days after the start. MOPR is told at once (`ipzs.signed`).
#[utoipa::path(
    tag = "ipzs",
    operation_id = "create_ipzs",
    security(("bearer_jwt" = [])),
    request_body = NewIpzs,
    responses(
        (status = 201, description = "Signed; `ETag` carries the version.", body = Ipzs),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/ipzs")]
pub async fn create_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewIpzs>,
) -> Result<HttpResponse, ApiError> {
    policy::may_run_ipzs(&caller)?;
    let today = state.clock.today();
    let new = body.into_inner();
    new.check(today)?;
    let view = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let unknown = || {
                ApiError::field(
                    "referral_id",
                    "unknown_referral",
                    "no referral with this id is addressed to you",
                )
            };
            let referral =
                crate::referrals::store::find(conn, &new.referral_id)?.ok_or_else(unknown)?;
            let app = crate::referral_applications::store::get(conn, &referral.application_id)?
                .ok_or_else(unknown)?;
            if !caller.belongs_to(&app.target_cis_id) {
                return Err(unknown());
            }
            if referral.decision != Decision::Referred {
                return Err(ApiError::conflict(
                    "referral_refused",
                    "the referral was refused; no IPZS can follow",
                ));
            }
            check_signed_after_referral(
                new.signed_on,
                crate::calendar::warsaw_date(referral.issued_at),
            )?;
            if let Some(existing) = store::find_by_referral(conn, &referral.id)? {
                return Err(ApiError::Conflict {
                    code: "ipzs_exists",
                    detail: "this referral already has its IPZS".into(),
                    existing: Some(format!("/api/v1/ipzs/{existing}")),
                });
            }
            if let Some(running) = store::running_of_person(conn, &app.person_id)? {
                // The link only for a caller who may read that programme (it may run at another CIS).
                let visible = policy::sees_ipzs(&caller, &running.mopr_id, &running.cis_id);
                return Err(ApiError::Conflict {
                    code: "programme_running",
                    detail:
                        "the person already takes part in a running IPZS; one programme at a time"
                            .into(),
                    existing: visible.then(|| format!("/api/v1/ipzs/{}", running.id)),
                });
            }
            let schedule = Schedule::of(new.signed_on, new.start_on);
            let now = db::now();
            let row = IpzsRow {
                id: uuid::Uuid::now_v7().to_string(),
                referral_id: referral.id.clone(),
                person_id: app.person_id.clone(),
                cis_id: app.target_cis_id.clone(),
                mopr_id: app.mopr_id.clone(),
                signed_on: new.signed_on,
                start_on: new.start_on,
                proper_period_starts_on: schedule.proper_period_starts_on,
                planned_end_on: new.planned_end_on,
                diagnosis: new.diagnosis.trim().to_owned(),
                goals: new.goals.trim().to_owned(),
                activities: serde_json::to_string(&new.activities).map_err(ApiError::internal)?,
                status: IpzsStatus::Trial,
                admission_list_due_on: schedule.admission_list_due_on,
                admission_list_id: None,
                admission_listed_on: None,
                insurance_starts_on: schedule.insurance_starts_on,
                insurance_ends_on: None,
                insurance_registered_on: None,
                insurance_deregistered_on: None,
                ended_on: None,
                termination_reason: None,
                termination_details: None,
                termination_notice_due_on: None,
                mopr_informed_on: None,
                non_qualification_letter_sent_on: None,
                participant_informed_of_insurance: true,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert(conn, &row)?;
            events::emit(
                conn,
                EventType::IpzsSigned,
                "ipzs",
                &row.id,
                &[&row.mopr_id],
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "ipzs", &row.id).person(&row.person_id),
            )?;
            row.into_view(today)
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, view))
}

/// Filters of the IPZS list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IpzsQuery {
    pub status: Option<IpzsStatus>,
    pub person_id: Option<String>,
}

/// List IPZS.
///
/// The programmes your institution is party to: the CIS that runs them and the MOPR that referred. Oldest first.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "list_ipzs",
    security(("bearer_jwt" = [])),
    params(IpzsQuery, PageParams),
    responses(
        (status = 200, description = "One page of IPZS.", body = Page<Ipzs>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 422, response = crate::openapi::UnprocessableContent),
    )
)]
#[get("/ipzs")]
pub async fn list_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<IpzsQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let limit = page.limit;
    let today = state.clock.today();
    let inst = caller.institution()?;
    let q = query.into_inner();
    let result = db::run(&state.pool, move |conn| {
        let mut rows = store::list(conn, &inst, q.status, q.person_id.as_deref(), &page)?;
        let next_cursor = take_page(&mut rows, limit, |r| r.id.clone());
        if !rows.is_empty() {
            db::write_tx(conn, |conn| {
                for r in &rows {
                    audit::record(
                        conn,
                        &caller,
                        Entry::new(Action::List, "ipzs", &r.id).person(&r.person_id),
                    )?;
                }
                Ok(())
            })?;
        }
        let items = rows
            .into_iter()
            .map(|r| r.into_view(today))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get an IPZS.
///
/// For the CIS that runs it and the MOPR that referred; 404 for everyone else.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "get_ipzs",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The IPZS's id.")),
    responses(
        (status = 200, description = "The IPZS; `ETag` carries the version.", body = Ipzs),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/ipzs/{id}")]
pub async fn get_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let today = state.clock.today();
    let view = db::run(&state.pool, move |conn| {
        let row = store::load_visible(conn, &caller, &id)?;
        audit::record(
            conn,
            &caller,
            Entry::new(Action::Read, "ipzs", &row.id).person(&row.person_id),
        )?;
        row.into_view(today)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

/// Ends an IPZS before its planned end.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "absence", "terminated_on": "2026-11-20", "details": "Nieobecność od 2 tygodni."}))]
pub struct TerminationRequest {
    pub reason: TerminationReason,
    /// The day participation ended; between the start and today, before the planned end.
    pub terminated_on: NaiveDate,
    #[schema(max_length = 4000)]
    pub details: Option<String>,
}

/// Terminate an IPZS early.
///
/// *Rozwiązanie IPZS* before its planned end (breach, absence, withdrawal, other), by the CIS, from `trial` or
/// `active`. The CIS must then inform MOPR within 5 working days (`POST …/termination-notice`); the IPZS shows
/// the due date and whether MOPR was informed. Health insurance ends on the termination day. Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "terminate_ipzs",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = TerminationRequest,
    responses(
        (status = 200, description = "Terminated.", body = Ipzs),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/terminate")]
pub async fn terminate_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<TerminationRequest>,
) -> Result<HttpResponse, ApiError> {
    policy::may_run_ipzs(&caller)?;
    let expected = if_match.required()?;
    let t = body.into_inner();
    let details = t
        .details
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    if details.as_ref().is_some_and(|d| d.chars().count() > 4000) {
        return Err(ApiError::field(
            "details",
            "too_long",
            "at most 4000 characters",
        ));
    }
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "terminate",
        move |_, _, mut row, today| {
            let due = check_termination(
                row.status,
                row.start_on,
                row.planned_end_on,
                t.terminated_on,
                today,
            )?;
            row.status = IpzsStatus::Terminated;
            row.ended_on = Some(t.terminated_on);
            row.termination_reason = Some(t.reason);
            row.termination_details = details;
            row.termination_notice_due_on = Some(due);
            row.insurance_ends_on = Some(t.terminated_on);
            Ok(Change {
                next: row,
                event: None,
            })
        },
    )
    .await
}

/// Inform MOPR of an early termination.
///
/// The CIS director's notice to MOPR that the IPZS was dissolved (seed 000 II.4), due within 5 working days of the
/// termination; recorded with today's date and delivered through MOPR's feed (`ipzs.terminated`). CIS `director`
/// only (403 for other roles). Only once (409 `already_informed`), only for a terminated IPZS (409
/// `not_terminated`). Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "send_termination_notice",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    responses(
        (status = 200, description = "MOPR is informed.", body = Ipzs),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/termination-notice")]
pub async fn send_termination_notice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    policy::may_act_as_cis_director(&caller)?;
    let expected = if_match.required()?;
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "termination_notice",
        |_, _, mut row, today| {
            if row.status != IpzsStatus::Terminated {
                return Err(ApiError::conflict(
                    "not_terminated",
                    "only a terminated IPZS is notified",
                ));
            }
            if row.mopr_informed_on.is_some() {
                return Err(ApiError::conflict(
                    "already_informed",
                    "MOPR was already informed",
                ));
            }
            row.mopr_informed_on = Some(today);
            Ok(Change {
                next: row,
                event: Some(EventType::IpzsTerminationNotice),
            })
        },
    )
    .await
}

/// Complete an IPZS at its planned end.
///
/// For an `active` (qualified) IPZS whose planned end has come (409 `planned_end_not_reached`, `ipzs_not_active`
/// otherwise). Health insurance ends on the planned end; MOPR is told (`ipzs.completed`). Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "complete_ipzs",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    responses(
        (status = 200, description = "Completed.", body = Ipzs),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/complete")]
pub async fn complete_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    policy::may_run_ipzs(&caller)?;
    let expected = if_match.required()?;
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "complete",
        |_, _, mut row, today| {
            check_completion(row.status, row.planned_end_on, today)?;
            row.status = IpzsStatus::Completed;
            row.ended_on = Some(row.planned_end_on);
            row.insurance_ends_on = Some(row.planned_end_on);
            Ok(Change {
                next: row,
                event: Some(EventType::IpzsCompleted),
            })
        },
    )
    .await
}

/// MOPR's record of the participant's health-insurance registration.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"registered_on": "2026-12-24"}))]
pub struct InsuranceRecord {
    /// The day MOPR registered the participant (zgłoszenie do ubezpieczenia zdrowotnego).
    pub registered_on: Option<NaiveDate>,
    /// The day MOPR de-registered the participant, after the programme ended.
    pub deregistered_on: Option<NaiveDate>,
}

/// Record health-insurance registration.
///
/// A participant with no other insurance title is registered by MOPR; the obligation starts 30 days after the
/// IPZS starts and ends with the programme. MOPR reports the registration within 7 days of the start and the
/// de-registration within 7 days of the end, each moved off Saturdays and holidays (`insurance.registration_due_on`,
/// `insurance.deregistration_due_on` on the IPZS, and MOPR's deadlines). Dates cannot be in
/// the future; de-registration needs a registration. Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "record_insurance",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = InsuranceRecord,
    responses(
        (status = 200, description = "Recorded.", body = Ipzs),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/ipzs/{id}/insurance")]
pub async fn record_insurance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<InsuranceRecord>,
) -> Result<HttpResponse, ApiError> {
    policy::may_record_insurance(&caller)?;
    let expected = if_match.required()?;
    let rec = body.into_inner();
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "insurance",
        move |_, _, mut row, today| {
            for (field, date) in [
                ("registered_on", rec.registered_on),
                ("deregistered_on", rec.deregistered_on),
            ] {
                if date.is_some_and(|d| d > today) {
                    return Err(ApiError::field(
                        field,
                        "in_future",
                        "cannot be in the future",
                    ));
                }
            }
            if let Some(r) = rec.registered_on {
                row.insurance_registered_on = Some(r);
            }
            if let Some(d) = rec.deregistered_on {
                match row.insurance_registered_on {
                    Some(r) if d >= r => row.insurance_deregistered_on = Some(d),
                    _ => {
                        return Err(ApiError::field(
                            "deregistered_on",
                            "not_registered",
                            "de-registration needs an earlier registration",
                        ));
                    }
                }
            }
            Ok(Change {
                next: row,
                event: Some(EventType::InsuranceRecorded),
            })
        },
    )
    .await
}

/// The CIS's letter to a participant who was not qualified.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sent_on": "2026-12-02"}))]
pub struct NonQualificationLetter {
    /// The day the letter was sent (a copy goes to MOPR): after the trial month has ended and not before MOPR's
    /// decision, if there was one; not in the future.
    pub sent_on: NaiveDate,
}

/// Record the non-qualification letter.
///
/// After an unsuccessful trial month the CIS director writes to the participant that they are not qualified for
/// further participation, with a copy to MOPR (seed 000 II.3; MOPR gets it through its feed,
/// `ipzs.non_qualification_letter_sent`). Two ways lead here:
///
/// * MOPR decided `not_qualified` on the CIS's request: the IPZS is already `not_qualified`.
/// * The CIS director concludes the failed trial without asking MOPR: the IPZS is still in `trial`, the trial month
///   has ended (409 `trial_not_over` before that) and no qualification request waits for MOPR's answer (409
///   `qualification_pending`). The IPZS becomes `not_qualified`; the programme and health insurance end on the
///   trial's last day.
///
/// The letter is sent after the trial month (`sent_on` from the first day after it, and not before MOPR's decision;
/// 422 otherwise). CIS `director` only (403 for other roles); once (409 `letter_already_sent`); other states 409
/// `not_qualified_required`. Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "record_non_qualification_letter",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NonQualificationLetter,
    responses(
        (status = 200, description = "Recorded; MOPR has its copy.", body = Ipzs),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/non-qualification-letter")]
pub async fn record_non_qualification_letter(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NonQualificationLetter>,
) -> Result<HttpResponse, ApiError> {
    policy::may_act_as_cis_director(&caller)?;
    let expected = if_match.required()?;
    let sent_on = body.sent_on;
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "non_qualification_letter",
        move |conn, _, mut row, today| {
            let qualification = crate::qualifications::store::find_by_ipzs(conn, &row.id)?;
            let pending = qualification
                .as_ref()
                .is_some_and(|q| q.decided_on.is_none());
            let decided_on = qualification.as_ref().and_then(|q| q.decided_on);
            let (failed, ends_on) = check_non_qualification_letter(
                row.status,
                &row.schedule(),
                pending,
                decided_on,
                row.non_qualification_letter_sent_on.is_some(),
                sent_on,
                today,
            )?;
            if failed == FailedTrial::ConcludedByCis {
                row.status = IpzsStatus::NotQualified;
                row.ended_on = Some(ends_on);
                row.insurance_ends_on = Some(ends_on);
            }
            row.non_qualification_letter_sent_on = Some(sent_on);
            Ok(Change {
                next: row,
                event: Some(EventType::NonQualificationLetterSent),
            })
        },
    )
    .await
}
