use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{
    ApplicationRow, ApplicationStatus, NewReferralApplication, ReferralApplication, opinion_due_on,
};
use super::{store, view};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::json::Json;
use crate::foundation::legal_date::recorded_late;
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::policy;
use crate::identity::{Caller, InstitutionKind};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::{resources::institutions, resources::persons};

/// Why an institution may see the person of an application.
pub(super) const ACCESS_REASON: &str = "referral_application";

pub(super) fn respond(
    status: actix_web::http::StatusCode,
    view: ReferralApplication,
) -> HttpResponse {
    crate::foundation::http::record_response(
        status,
        view.version,
        "/api/v1/referral-applications",
        &view.id,
        &view,
    )
}

/// File an application for referral to a CIS.
///
/// *Wniosek o skierowanie do uczestnictwa w zajęciach prowadzonych przez CIS.* Filed by MOPR casework staff
/// (for the person themselves, for MOPR, or recording a paper application of an addiction-treatment facility,
/// another OPS or a KIS), or through the API by a PCPR or an NGO in its own name. Requires the person's consent.
/// Benefits that exclude participation (art. 1 ust. 3: unemployment benefit, pensions, …) are declared in
/// `declared_benefits` and recorded; MOPR then refuses the referral on that ground. One undecided application per
/// person and CIS: a second one is 409 `application_exists` (with a link to the first when you may read it).
///
/// The application starts `submitted`; the social worker's opinion is due 14 days after `received_on`. MOPR is
/// told through its inbox feed (`application.submitted`); the target CIS and the filer can see the application
/// and the person from now on.
#[utoipa::path(
    tag = "referral-applications",
    operation_id = "create_referral_application",
    security(("bearer_jwt" = [])),
    request_body = NewReferralApplication,
    responses(
        (status = 201, description = "Filed; `Location` names it, `ETag` carries its version.", body = ReferralApplication),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/referral-applications")]
pub async fn create_referral_application(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewReferralApplication>,
) -> Result<HttpResponse, ApiError> {
    let filer_kind = policy::may_file_application(&caller)?;
    let today = state.clock.today();
    let new = body.into_inner();
    let checked = new.check(filer_kind, today)?;
    let filer = caller.institution()?;
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        let scope = policy::person_scope(&caller)?;
        if persons::store::get_visible(conn, &scope, &new.person_id)?.is_none() {
            return Err(ApiError::field(
                "person_id",
                "unknown_person",
                "no person with this id is visible to you",
            ));
        }
        let cis = institutions::store::get(conn, &new.target_cis_id)?;
        if !matches!(
            cis.as_ref().map(|c| c.kind()),
            Some(Ok(InstitutionKind::Cis))
        ) {
            return Err(ApiError::field(
                "target_cis_id",
                "not_a_cis",
                "target_cis_id must name a CIS",
            ));
        }
        let mopr_id = institutions::store::resolve_mopr(conn, &caller, new.mopr_id.as_deref())?;
        let now = db::now();
        let row = ApplicationRow {
            id: uuid::Uuid::now_v7().to_string(),
            person_id: new.person_id.clone(),
            mopr_id: mopr_id.clone(),
            target_cis_id: new.target_cis_id.clone(),
            applicant_kind: checked.applicant_kind,
            applicant_name: checked.applicant_name,
            filed_by_institution_id: filer.clone(),
            filed_by_user_id: caller.id.clone(),
            eligibility_categories: checked
                .categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
            other_category_description: checked.other_category_description,
            justification: checked.justification,
            received_on: checked.received_on,
            consent_given_on: checked.consent.given_on,
            consent_given_by: checked.consent.given_by,
            opinion_due_on: opinion_due_on(checked.received_on),
            status: ApplicationStatus::Submitted,
            declared_benefits: serde_json::to_string(&checked.declared_benefits)
                .map_err(ApiError::internal)?,
            created_at: now,
            updated_at: now,
            version: 1,
            withdrawn_on: None,
            recorded_late: recorded_late(checked.received_on, now),
        };
        db::write_tx(conn, |conn| {
            if let Some(open) = store::open_for(conn, &row.person_id, &row.target_cis_id)? {
                let visible = policy::sees_application(&caller, open.parties());
                return Err(ApiError::Conflict {
                    code: "application_exists",
                    detail: "the person already has an undecided application for this CIS".into(),
                    existing: visible.then(|| format!("/api/v1/referral-applications/{}", open.id)),
                });
            }
            store::insert(conn, &row)?;
            acts::record(
                conn,
                &caller,
                CaseType::ReferralApplication,
                &row.id,
                "application.submitted",
                row.received_on,
            )?;
            persons::store::grant_access(
                conn,
                &row.person_id,
                &[&row.target_cis_id, &row.filed_by_institution_id],
                ACCESS_REASON,
                now,
            )?;
            events::emit(
                conn,
                EventType::ApplicationSubmitted,
                "referral_application",
                &row.id,
                &[&mopr_id],
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "referral_application", &row.id).person(&row.person_id),
            )
        })?;
        view::build(&caller, row, None, None, today)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, view))
}

/// Filters of the application list; combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    pub status: Option<ApplicationStatus>,
    pub target_cis_id: Option<String>,
    pub person_id: Option<String>,
    /// `true`: only applications still waiting for an opinion after its due date.
    pub opinion_overdue: Option<bool>,
    /// `true`: only applications with an act recorded more than 7 days after its legal date; `false`: only those
    /// without.
    pub recorded_late: Option<bool>,
}

/// List referral applications.
///
/// The applications your institution is a party to: MOPR sees those it decides, a CIS those addressed to it, a
/// PCPR or NGO those it filed. Oldest first.
#[utoipa::path(
    tag = "referral-applications",
    operation_id = "list_referral_applications",
    security(("bearer_jwt" = [])),
    params(ApplicationQuery, PageParams),
    responses(
        (status = 200, description = "One page of applications.", body = Page<ReferralApplication>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/referral-applications")]
pub async fn list_referral_applications(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ApplicationQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let today = state.clock.today();
    let q = query.into_inner();
    let filter = store::ApplicationFilter {
        status: q.status,
        target_cis_id: q.target_cis_id,
        person_id: q.person_id,
        opinion_due_before: q.opinion_overdue.filter(|o| *o).map(|_| today),
        recorded_late: q.recorded_late,
    };
    let limit = page.limit;
    let inst = caller.institution()?;
    let page = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let mut rows = store::list(conn, &inst, &filter, &page)?;
            let next = crate::foundation::pagination::take_page(&mut rows, limit, |r| r.id.clone());
            trail.listed(
                &caller,
                "referral_application",
                rows.iter().map(|r| (r.id.as_str(), r.person_id.as_str())),
            );
            let items = view::build_all(conn, &caller, rows, today)?;
            Ok(Page {
                items,
                next_cursor: next,
            })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a referral application.
///
/// Visible to its MOPR, its target CIS and the institution that filed it; 404 for everyone else.
#[utoipa::path(
    tag = "referral-applications",
    operation_id = "get_referral_application",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The application's id.")),
    responses(
        (status = 200, description = "The application; `ETag` carries its version.", body = ReferralApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/referral-applications/{id}")]
pub async fn get_referral_application(
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
                Entry::new(Action::Read, "referral_application", &row.id).person(&row.person_id),
            );
            let mut views = view::build_all(conn, &caller, vec![row], today)?;
            views
                .pop()
                .ok_or_else(|| ApiError::internal("view missing"))
        },
    )
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}
