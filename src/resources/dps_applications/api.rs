use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{
    DpsApplication, DpsCase, DpsRow, DpsStatus, NewDpsApplication, documents_due_on,
};
use super::store;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::{resources::institutions, resources::persons};

/// Why an institution may see the person of a DPS case.
const ACCESS_REASON: &str = "dps_application";

pub(super) fn respond(status: actix_web::http::StatusCode, view: DpsApplication) -> HttpResponse {
    crate::foundation::http::record_response(
        status,
        view.version,
        "/api/v1/dps-applications",
        &view.id,
        &view,
    )
}

/// Runs one change of a case in a transaction: visibility (404), version (412), the rule (409/422), completion of
/// the file, the write with its obligations, the event for the applying PCPR and the audit record. Changes are
/// MOPR's, so the caller sees the whole case in the answer.
pub(super) async fn change(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    expected: i32,
    what: &'static str,
    rule: impl FnOnce(
        &mut DbConnection,
        &Caller,
        &mut DpsCase,
        NaiveDate,
    ) -> Result<Option<EventType>, ApiError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let today = state.clock.today();
    let appeal_body = state.config.appeal_body.clone();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let row = store::load_visible(conn, &caller, &id)?;
            if !policy::sees_dps_file(&caller, &row.mopr_id) {
                return Err(ApiError::not_found("DPS application"));
            }
            if row.version != expected {
                return Err(stale("DPS application"));
            }
            let mut case = DpsCase::read(row)?;
            let event = rule(conn, &caller, &mut case, today)?;
            case.settle_completion(today);
            let legal_date = case.legal_date;
            let mut case = store::save(conn, case, expected)?;
            if let Some(on) = legal_date {
                case.row.recorded_late |= acts::record(
                    conn,
                    &caller,
                    CaseType::DpsApplication,
                    &case.row.id,
                    &format!("dps_application.{what}"),
                    on,
                )?;
                super::letters::issue_for(conn, &caller, &case, what, &appeal_body)?;
            }
            if let Some(event) = event {
                let r = &case.row;
                if r.filed_by_institution_id != r.mopr_id {
                    events::emit_act(
                        conn,
                        event,
                        "dps_application",
                        &r.id,
                        &[&r.filed_by_institution_id],
                        legal_date,
                    )?;
                }
            }
            let mut entry = Entry::new(Action::Transition, "dps_application", &case.row.id)
                .person(&case.row.person_id)
                .detail(what);
            entry.legal_date = legal_date;
            audit::record(conn, &caller, entry)?;
            Ok(case.view(true, today))
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

/// File a DPS application.
///
/// *Wniosek o pomoc w formie umieszczenia w domu pomocy społecznej.* Recorded by MOPR casework staff for any
/// applicant (the person, another natural or legal person named in `applicant_name`, a PCPR, an OPS), written or
/// oral (in a protocol), or filed through the API by a PCPR in its own name. The proceedings start on
/// `received_on` (KPA art. 61 §3): the documents are due 14 days later and the decision one month later (see
/// `decision_deadline`). The case starts `collecting`; MOPR's social worker then records the facts that decide
/// the checklist. A PCPR's filing reaches MOPR's feed (`dps_application.submitted`).
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "create_dps_application",
    security(("bearer_jwt" = [])),
    request_body = NewDpsApplication,
    responses(
        (status = 201, description = "Filed; `Location` names it, `ETag` carries its version.", body = DpsApplication),
    )
)]
#[post("/dps-applications")]
pub async fn create_dps_application(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewDpsApplication>,
) -> Result<HttpResponse, ApiError> {
    let filer_kind = policy::may_file_dps_application(&caller)?;
    let today = state.clock.today();
    let new = body.into_inner();
    let checked = new.check(filer_kind, today)?;
    let filer = caller.institution()?;
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        let scope = policy::person_scope(&caller)?;
        if !persons::store::is_visible(conn, &scope, &new.person_id)?
            || persons::store::get(conn, &new.person_id)?.is_none()
        {
            return Err(ApiError::field(
                "person_id",
                "unknown_person",
                "no person with this id is visible to you",
            ));
        }
        let mopr_id = institutions::store::resolve_mopr(conn, &caller, new.mopr_id.as_deref())?;
        let now = db::now();
        let row = DpsRow {
            id: uuid::Uuid::now_v7().to_string(),
            person_id: new.person_id.clone(),
            mopr_id: mopr_id.clone(),
            applicant_kind: checked.applicant_kind,
            applicant_name: checked.applicant_name,
            form: new.form,
            received_on: new.received_on,
            documents_due_on: documents_due_on(new.received_on),
            dps_type: new.dps_type,
            preferred_home: checked.preferred_home,
            justification: checked.justification,
            income_documents_filed: new.income_documents_filed,
            filed_by_institution_id: filer.clone(),
            filed_by_user_id: caller.id.clone(),
            status: DpsStatus::Collecting,
            complicated: false,
            complicated_reason: None,
            facts: None,
            documents: "[]".into(),
            custom_documents: "[]".into(),
            file_completed_on: None,
            qualifying_team: None,
            pauses: "[]".into(),
            delay_notices: "[]".into(),
            decision: None,
            previous_decisions: "[]".into(),
            parties: "[]".into(),
            appeals: "[]".into(),
            created_at: now,
            updated_at: now,
            version: 1,
            recorded_late: crate::foundation::legal_date::recorded_late(new.received_on, now),
        };
        let case = db::write_tx(conn, |conn| {
            let case = store::insert(conn, DpsCase::read(row)?)?;
            acts::record(
                conn,
                &caller,
                CaseType::DpsApplication,
                &case.row.id,
                "dps_application.submitted",
                case.row.received_on,
            )?;
            persons::store::grant_access(conn, &case.row.person_id, &[&filer], ACCESS_REASON, now)?;
            if filer != mopr_id {
                events::emit(
                    conn,
                    EventType::DpsApplicationSubmitted,
                    "dps_application",
                    &case.row.id,
                    &[&mopr_id],
                )?;
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "dps_application", &case.row.id)
                    .person(&case.row.person_id),
            )?;
            Ok(case)
        })?;
        let full = policy::sees_dps_file(&caller, &case.row.mopr_id);
        Ok(case.view(full, today))
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, view))
}

/// Filters of the DPS case list; combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DpsQuery {
    pub status: Option<DpsStatus>,
    pub person_id: Option<String>,
    /// `true`: only cases with an act recorded more than 7 days after its legal date; `false`: only those without.
    pub recorded_late: Option<bool>,
}

/// List DPS applications.
///
/// The cases your institution is party to: MOPR the cases it decides, a PCPR those it filed (in its restricted
/// view). Oldest first.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "list_dps_applications",
    security(("bearer_jwt" = [])),
    params(DpsQuery, PageParams),
    responses(
        (status = 200, description = "One page of cases.", body = Page<DpsApplication>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/dps-applications")]
pub async fn list_dps_applications(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DpsQuery>,
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
                "dps_application",
                rows.iter().map(|r| (r.id.as_str(), r.person_id.as_str())),
            );
            let items = rows
                .into_iter()
                .map(|r| {
                    let full = policy::sees_dps_file(&caller, &r.mopr_id);
                    Ok(DpsCase::read(r)?.view(full, today))
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            Ok(Page { items, next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a DPS application.
///
/// For its MOPR (the whole case: facts, checklist, team, decision deadline, decision, parties, appeals) and the
/// PCPR that filed it (the application, status, outcome and finality); 404 for everyone else.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "get_dps_application",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The case's id.")),
    responses(
        (status = 200, description = "The case; `ETag` carries the version.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/dps-applications/{id}")]
pub async fn get_dps_application(
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
                Entry::new(Action::Read, "dps_application", &row.id).person(&row.person_id),
            );
            let full = policy::sees_dps_file(&caller, &row.mopr_id);
            Ok(DpsCase::read(row)?.view(full, today))
        },
    )
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}
