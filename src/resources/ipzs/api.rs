use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Ipzs, IpzsRow, IpzsStatus, NewIpzs, Schedule, check_signed_after_referral};
use super::store;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::json::Json;
use crate::foundation::legal_date::recorded_late;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::referrals::model::Decision;

fn respond(status: actix_web::http::StatusCode, view: Ipzs) -> HttpResponse {
    crate::foundation::http::record_response(status, view.version, "/api/v1/ipzs", &view.id, &view)
}

/// What a transition produces: the next state and, optionally, an event for the other institution.
pub(crate) struct Change {
    pub next: IpzsRow,
    pub event: Option<EventType>,
    /// The legal date of the act, for the case register, the event and the audit record.
    pub legal_date: Option<NaiveDate>,
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
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let current = store::load_visible(conn, &caller, &id)?;
            if current.version != expected {
                return Err(stale("IPZS"));
            }
            let Change {
                mut next,
                event,
                legal_date,
            } = rule(conn, &caller, current, today)?;
            next.version = expected + 1;
            next.updated_at = db::now();
            store::save(conn, &next, expected)?;
            if let Some(on) = legal_date {
                next.recorded_late |= acts::record(
                    conn,
                    &caller,
                    CaseType::Ipzs,
                    &next.id,
                    &format!("ipzs.{what}"),
                    on,
                )?;
                super::letters::issue_for(conn, &caller, &next, what)?;
            }
            if let Some(event) = event {
                // The other party: the CIS tells MOPR, MOPR tells the CIS.
                let to = if caller.belongs_to(&next.cis_id) {
                    &next.mopr_id
                } else {
                    &next.cis_id
                };
                events::emit_act(conn, event, "ipzs", &next.id, &[to], legal_date)?;
            }
            let mut entry = Entry::new(Action::Transition, "ipzs", &next.id)
                .person(&next.person_id)
                .detail(what);
            entry.legal_date = legal_date;
            audit::record(conn, &caller, entry)?;
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
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/ipzs")]
pub async fn create_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewIpzs>,
) -> Result<HttpResponse, ApiError> {
    policy::may_run_ipzs(&caller)?;
    let today = state.clock.today();
    let new = body.into_inner();
    new.check(today)?;
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let unknown = || {
                ApiError::field(
                    "referral_id",
                    "unknown_referral",
                    "no referral with this id is addressed to you",
                )
            };
            let referral = crate::resources::referrals::store::find(conn, &new.referral_id)?
                .ok_or_else(unknown)?;
            let app = crate::resources::referral_applications::store::get(
                conn,
                &referral.application_id,
            )?
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
            check_signed_after_referral(new.signed_on, referral.issued_on)?;
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
                recorded_late: recorded_late(new.signed_on, now),
            };
            store::insert(conn, &row)?;
            acts::record(
                conn,
                &caller,
                CaseType::Ipzs,
                &row.id,
                "ipzs.signed",
                row.signed_on,
            )?;
            events::emit_act(
                conn,
                EventType::IpzsSigned,
                "ipzs",
                &row.id,
                &[&row.mopr_id],
                Some(row.signed_on),
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "ipzs", &row.id)
                    .person(&row.person_id)
                    .on(row.signed_on),
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
    /// `true`: only programmes with an act recorded more than 7 days after its legal date; `false`: only those
    /// without.
    pub recorded_late: Option<bool>,
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
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
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
    let result = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let mut rows = store::list(
                conn,
                &inst,
                q.status,
                q.person_id.as_deref(),
                q.recorded_late,
                &page,
            )?;
            let next_cursor = take_page(&mut rows, limit, |r| r.id.clone());
            trail.listed(
                &caller,
                "ipzs",
                rows.iter().map(|r| (r.id.as_str(), r.person_id.as_str())),
            );
            let items = rows
                .into_iter()
                .map(|r| r.into_view(today))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, next_cursor })
        },
    )
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
        (status = 404, response = crate::foundation::openapi::NotFound),
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
    let view = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let row = store::load_visible(conn, &caller, &id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "ipzs", &row.id).person(&row.person_id),
            );
            row.into_view(today)
        },
    )
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}
