use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{OpinionRow, Recommendation};
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::foundation::legal_date::{Earlier, legal_date, recorded_late};
use crate::identity::{Caller, policy};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::referral_applications::model::{
    ApplicationRow, ApplicationStatus, check_opinion_allowed,
};
use crate::resources::referral_applications::store;
use crate::resources::referral_applications::store::load_visible;

/// Issues the social worker's opinion on an application.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "application_id": "0193…", "family_interview_on": "2026-11-21", "recommendation": "positive",
    "justification": "Wywiad środowiskowy potwierdza motywację do podjęcia zatrudnienia socjalnego."
}))]
pub struct NewOpinion {
    pub application_id: String,
    /// The date of the family interview (wywiad środowiskowy) the opinion rests on: not in the future, and current
    /// when the application reached MOPR (at most 6 months before `received_on`; 422 `interview_outdated`).
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub family_interview_on: NaiveDate,
    pub recommendation: Recommendation,
    #[schema(min_length = 1, max_length = 8000)]
    pub justification: String,
    /// The day the opinion was signed, its legal date: not in the future, not before the application reached
    /// MOPR (422 `before_application`). Today in Europe/Warsaw when omitted. The 14 days are judged by it.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub issued_on: Option<NaiveDate>,
}

/// A social worker's opinion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Opinion {
    pub id: String,
    pub application_id: String,
    pub person_id: String,
    /// The social worker who wrote it.
    pub author_id: String,
    pub family_interview_on: NaiveDate,
    pub recommendation: Recommendation,
    pub justification: String,
    /// The day it was signed (its legal date).
    pub issued_on: NaiveDate,
    /// When it was recorded.
    pub issued_at: DateTime<Utc>,
    /// Recorded more than 7 days after `issued_on`.
    pub recorded_late: bool,
    /// The due date of the opinion (14 days after the application reached MOPR).
    pub due_on: NaiveDate,
    /// `issued_on` is on or before `due_on`.
    pub issued_on_time: bool,
    /// The application's status and version after this opinion; use the version as `If-Match` for the referral.
    pub application_status: ApplicationStatus,
    pub application_version: i32,
}

fn to_view(o: OpinionRow, app: &ApplicationRow) -> Result<Opinion, ApiError> {
    Ok(Opinion {
        recommendation: o.recommendation,
        issued_on_time: o.issued_on <= app.opinion_due_on,
        issued_on: o.issued_on,
        recorded_late: recorded_late(o.issued_on, o.issued_at),
        due_on: app.opinion_due_on,
        application_status: app.status,
        application_version: app.version,
        person_id: app.person_id.clone(),
        id: o.id,
        application_id: o.application_id,
        author_id: o.author_id,
        family_interview_on: o.family_interview_on,
        justification: o.justification,
        issued_at: o.issued_at.and_utc(),
    })
}

/// Issue the social worker's opinion.
///
/// *Opinia pracownika socjalnego.* Written by a MOPR `social_worker` after the family interview, once per
/// application, while it is `submitted`; due 14 days after the application reached MOPR (late opinions are
/// accepted and marked `issued_on_time: false`). The application moves to `opinion_issued` and the opinion is
/// forwarded to the target CIS at once (`opinion.issued` in its feed). Requires `If-Match` with the
/// **application's** ETag. Refusals: 409 `opinion_already_issued`, `application_withdrawn`.
#[utoipa::path(
    tag = "opinions",
    operation_id = "issue_opinion",
    security(("bearer_jwt" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the application as last read (`GET /api/v1/referral-applications/{id}`).", pattern = r#"^(W/)?"[0-9]+"$"#)),
    request_body = NewOpinion,
    responses(
        (status = 201, description = "Issued and forwarded to the CIS.", body = Opinion),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/opinions")]
pub async fn issue_opinion(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: Json<NewOpinion>,
) -> Result<HttpResponse, ApiError> {
    policy::may_issue_opinion(&caller)?;
    let expected = if_match.required()?;
    let new = body.into_inner();
    let today = state.clock.today();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let app = load_visible(conn, &caller, &new.application_id)?;
            if app.version != expected {
                return Err(stale("application"));
            }
            check_opinion_allowed(app.status)?;
            let issued_on = legal_date(
                "issued_on",
                new.issued_on,
                today,
                &[Earlier::new(
                    "before_application",
                    "the application reached MOPR",
                    app.received_on,
                )],
            )?;
            let justification = super::model::check(
                new.family_interview_on,
                app.received_on,
                &new.justification,
                issued_on,
            )?;
            let row = OpinionRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: app.id.clone(),
                author_id: caller.id.clone(),
                family_interview_on: new.family_interview_on,
                recommendation: new.recommendation,
                justification,
                issued_at: db::now(),
                issued_on,
            };
            super::store::insert(conn, &row)?;
            acts::record(
                conn,
                &caller,
                CaseType::ReferralApplication,
                &app.id,
                "opinion.issued",
                issued_on,
            )?;
            let app = store::set_status(conn, &app, expected, ApplicationStatus::OpinionIssued)?;
            events::emit_act(
                conn,
                EventType::OpinionIssued,
                "opinion",
                &row.id,
                &[&app.target_cis_id],
                Some(issued_on),
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "opinion", &row.id)
                    .person(&app.person_id)
                    .on(issued_on),
            )?;
            to_view(row, &app)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/opinions/{}", view.id)))
        .json(view))
}

fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<(OpinionRow, ApplicationRow), ApiError> {
    let hidden = || ApiError::not_found("opinion");
    let o = super::store::find(conn, id)?.ok_or_else(hidden)?;
    let app = store::get(conn, &o.application_id)?.ok_or_else(hidden)?;
    if !policy::sees_opinion(caller, app.parties()) {
        return Err(hidden());
    }
    Ok((o, app))
}

/// Get an opinion.
///
/// For MOPR and the target CIS. The applying PCPR or NGO sees the application's status and outcome, not the
/// opinion: for them, as for everyone else, this is 404.
#[utoipa::path(
    tag = "opinions",
    operation_id = "get_opinion",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The opinion's id.")),
    responses(
        (status = 200, description = "The opinion.", body = Opinion),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/opinions/{id}")]
pub async fn get_opinion(
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
            let (o, app) = load(conn, &caller, &id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "opinion", &o.id).person(&app.person_id),
            );
            to_view(o, &app)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
