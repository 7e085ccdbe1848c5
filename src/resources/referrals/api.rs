use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Decision, ReferralRow, RefusalGround, check_referral_allowed};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::foundation::legal_date::{Earlier, legal_date, recorded_late};
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::{Caller, InstitutionKind, policy};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::referral_applications::model::{
    ApplicationRow, ApplicationStatus, check_decision_allowed,
};
use crate::resources::referral_applications::store;
use crate::resources::referral_applications::store::load_visible;

/// MOPR's decision on an application.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"application_id": "0193…", "decision": "referred"}))]
pub struct NewReferral {
    pub application_id: String,
    /// `referred` or `refused`.
    pub decision: Decision,
    /// Required when refusing; optional remarks when referring.
    #[schema(max_length = 4000)]
    pub reasons: Option<String>,
    /// With `refused` only: the ground of the refusal (`other` when omitted). An application that declares a
    /// benefit of art. 1 ust. 3 can only be refused, on `benefit_entitlement`.
    pub refusal_ground: Option<RefusalGround>,
    /// The day the director signed the referral or refusal, its legal date: not in the future, not before the
    /// opinion was issued (422 `before_opinion`). Today in Europe/Warsaw when omitted. The IPZS is signed on or
    /// after it.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub issued_on: Option<NaiveDate>,
}

/// A referral to a CIS, or its refusal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Referral {
    pub id: String,
    pub application_id: String,
    pub person_id: String,
    pub target_cis_id: String,
    pub decision: Decision,
    pub reasons: Option<String>,
    /// The ground of a refusal; `null` for a referral.
    pub refusal_ground: Option<RefusalGround>,
    /// The opinion the decision rests on; it travels with the referral to the CIS.
    pub opinion_id: String,
    /// The MOPR director who decided.
    pub decided_by: String,
    /// The day it was signed (its legal date).
    pub issued_on: NaiveDate,
    /// When it was recorded.
    pub issued_at: DateTime<Utc>,
    /// Recorded more than 7 days after `issued_on`.
    pub recorded_late: bool,
    /// The application's status and version after this decision.
    pub application_status: ApplicationStatus,
    pub application_version: i32,
}

fn to_view(r: ReferralRow, app: &ApplicationRow, opinion_id: String) -> Result<Referral, ApiError> {
    Ok(Referral {
        decision: r.decision,
        refusal_ground: r.refusal_ground,
        person_id: app.person_id.clone(),
        target_cis_id: app.target_cis_id.clone(),
        application_status: app.status,
        application_version: app.version,
        opinion_id,
        id: r.id,
        application_id: r.application_id,
        reasons: r.reasons,
        decided_by: r.decided_by,
        recorded_late: recorded_late(r.issued_on, r.issued_at),
        issued_on: r.issued_on,
        issued_at: r.issued_at.and_utc(),
    })
}

/// Decide on a referral application.
///
/// *Skierowanie do udziału w zajęciach CIS.* The MOPR director refers the person to the CIS named in the
/// application (`referred`) or refuses (`refused`, with `reasons`). Only after the social worker's opinion:
/// a referral without an opinion is impossible (409 `opinion_required`); one decision per application (409
/// `already_decided`). The referral, with the opinion, is forwarded to the CIS at once (`referral.issued` /
/// `referral.refused` in its feed, linking to the referral); an applying PCPR or NGO learns the outcome in its feed
/// too, linking to the application (it may not read the referral itself). A refusal names its `refusal_ground`;
/// an application declaring a benefit of art. 1 ust. 3 cannot be referred (409 `benefit_excludes_participation`).
/// Requires `If-Match` with the **application's** ETag.
#[utoipa::path(
    tag = "referrals",
    operation_id = "issue_referral",
    security(("bearer_jwt" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the application as last read (`GET /api/v1/referral-applications/{id}`, or `application_version` of its opinion).", pattern = r#"^(W/)?"[0-9]+"$"#)),
    request_body = NewReferral,
    responses(
        (status = 201, description = "Decided and forwarded.", body = Referral),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/referrals")]
pub async fn issue_referral(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: Json<NewReferral>,
) -> Result<HttpResponse, ApiError> {
    policy::may_decide_referral(&caller)?;
    let expected = if_match.required()?;
    let new = body.into_inner();
    let reasons =
        crate::foundation::validation::optional_text("reasons", new.reasons.as_deref(), 4000)
            .map_err(|e| ApiError::Validation(vec![e]))?;
    if new.decision == Decision::Refused && reasons.is_none() {
        return Err(ApiError::field(
            "reasons",
            "reasons_required",
            "a refusal must give its reasons",
        ));
    }
    let refusal_ground = match (new.decision, new.refusal_ground) {
        (Decision::Refused, ground) => Some(ground.unwrap_or(RefusalGround::Other)),
        (Decision::Referred, None) => None,
        (Decision::Referred, Some(_)) => {
            return Err(ApiError::field(
                "refusal_ground",
                "not_a_refusal",
                "a refusal ground goes with `refused` only",
            ));
        }
    };
    let today = state.clock.today();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let app = load_visible(conn, &caller, &new.application_id)?;
            if app.version != expected {
                return Err(stale("application"));
            }
            check_decision_allowed(app.status)?;
            check_referral_allowed(new.decision, &app.declared_benefits()?)?;
            let opinion = crate::resources::opinions::store::of_application(conn, &app.id)?;
            let issued_on = legal_date(
                "issued_on",
                new.issued_on,
                today,
                &[Earlier::new(
                    "before_opinion",
                    "the opinion was issued",
                    opinion.issued_on,
                )],
            )?;
            let row = ReferralRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: app.id.clone(),
                decision: new.decision,
                reasons,
                decided_by: caller.id.clone(),
                issued_at: db::now(),
                refusal_ground,
                issued_on,
            };
            super::store::insert(conn, &row)?;
            let act = match new.decision {
                Decision::Referred => "referral.issued",
                Decision::Refused => "referral.refused",
            };
            acts::record(
                conn,
                &caller,
                CaseType::ReferralApplication,
                &app.id,
                act,
                issued_on,
            )?;
            let status = match new.decision {
                Decision::Referred => ApplicationStatus::Referred,
                Decision::Refused => ApplicationStatus::Refused,
            };
            let app = store::set_status(conn, &app, expected, status)?;
            let event = match new.decision {
                Decision::Referred => EventType::ReferralIssued,
                Decision::Refused => EventType::ReferralRefused,
            };
            events::emit_act(
                conn,
                event,
                "referral",
                &row.id,
                &[&app.target_cis_id],
                Some(issued_on),
            )?;
            // An applying PCPR or NGO may not read the referral document; its event links to the application,
            // which shows the outcome.
            if app.filed_by_institution_id != app.mopr_id
                && app.filed_by_institution_id != app.target_cis_id
            {
                events::emit_act(
                    conn,
                    event,
                    "referral_application",
                    &app.id,
                    &[&app.filed_by_institution_id],
                    Some(issued_on),
                )?;
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "referral", &row.id)
                    .person(&app.person_id)
                    .on(issued_on),
            )?;
            super::letter::issue_referral_letter(
                conn,
                &caller,
                &app,
                &row,
                opinion.issued_on,
                act,
            )?;
            to_view(row, &app, opinion.id)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/referrals/{}", view.id)))
        .json(view))
}

/// Get a referral.
///
/// For MOPR and the target CIS; 404 for everyone else (the applicant sees the outcome on the application).
#[utoipa::path(
    tag = "referrals",
    operation_id = "get_referral",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The referral's id.")),
    responses(
        (status = 200, description = "The referral.", body = Referral),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let view = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let hidden = || ApiError::not_found("referral");
            let r = super::store::find(conn, &id)?.ok_or_else(hidden)?;
            let app = store::get(conn, &r.application_id)?.ok_or_else(hidden)?;
            if !policy::sees_opinion(&caller, app.parties()) {
                return Err(hidden());
            }
            trail.read(
                &caller,
                Entry::new(Action::Read, "referral", &r.id).person(&app.person_id),
            );
            let opinion_id = crate::resources::opinions::store::id_of_application(conn, &app.id)?;
            to_view(r, &app, opinion_id)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Filters of the referral list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub decision: Option<Decision>,
    pub person_id: Option<String>,
}

/// List referrals.
///
/// MOPR sees the referrals it issued, a CIS those addressed to it; oldest first. Other kinds get 403.
#[utoipa::path(
    tag = "referrals",
    operation_id = "list_referrals",
    security(("bearer_jwt" = [])),
    params(ReferralQuery, PageParams),
    responses(
        (status = 200, description = "One page of referrals.", body = Page<Referral>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/referrals")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReferralQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    if !(caller.is_kind(InstitutionKind::Mopr) || caller.is_kind(InstitutionKind::Cis)) {
        return Err(ApiError::Forbidden(
            "referrals are exchanged between MOPR and the CIS".into(),
        ));
    }
    let page = page.resolve()?;
    let limit = page.limit;
    let inst = caller.institution()?;
    let q = query.into_inner();
    let result = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let mut rows =
                super::store::list(conn, &inst, q.decision, q.person_id.as_deref(), &page)?;
            let next_cursor =
                crate::foundation::pagination::take_page(&mut rows, limit, |(r, _)| r.id.clone());
            let mut items = Vec::new();
            for (r, app) in rows {
                trail.read(
                    &caller,
                    Entry::new(Action::List, "referral", &r.id).person(&app.person_id),
                );
                let opinion_id =
                    crate::resources::opinions::store::id_of_application(conn, &app.id)?;
                items.push(to_view(r, &app, opinion_id)?);
            }
            Ok(Page { items, next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}
