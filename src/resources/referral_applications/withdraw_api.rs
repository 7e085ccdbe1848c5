//! The applicant withdraws its application before MOPR decides.

use super::api::respond;
use super::model::{ApplicationStatus, ReferralApplication};
use super::{store, view};
use crate::foundation::db::{self};
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::identity::Caller;
use crate::identity::policy;
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::foundation::json::OptionalJson;
use crate::foundation::legal_date::{Earlier, legal_date};
use crate::records::acts::{self, CaseType};

/// The withdrawal of an application; the body may be left out.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"withdrawn_on": "2026-12-02"}))]
pub struct Withdrawal {
    /// The day the applicant withdrew (its legal date): not in the future, not before the application reached
    /// MOPR (422 `before_application`). Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub withdrawn_on: Option<NaiveDate>,
}

/// Withdraw a referral application.
///
/// The institution that filed it may withdraw it while MOPR has not decided (`submitted` or `opinion_issued`);
/// afterwards 409 (`already_decided`, `already_withdrawn`). MOPR and the target CIS are told through their
/// inbox feeds. The body (`withdrawn_on`) is optional. Requires `If-Match`.
#[utoipa::path(
    tag = "referral-applications",
    operation_id = "withdraw_referral_application",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The application's id."),
        ("If-Match" = String, Header, description = "The ETag of the application as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body(content = Withdrawal, description = "Optional: the day of the withdrawal."),
    responses(
        (status = 200, description = "Withdrawn.", body = ReferralApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/referral-applications/{id}/withdraw")]
pub async fn withdraw_referral_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<Withdrawal>,
) -> Result<HttpResponse, ApiError> {
    let withdrawal = body.into_inner();
    policy::may_file_application(&caller)?;
    let expected = if_match.required()?;
    let id = id.into_inner();
    let today = state.clock.today();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        let row = db::write_tx(conn, |conn| {
            let row = store::load_visible(conn, &caller, &id)?;
            policy::may_withdraw_application(&caller, row.parties())?;
            if row.version != expected {
                return Err(stale("application"));
            }
            super::model::check_withdrawal_allowed(row.status)?;
            let withdrawn_on = legal_date(
                "withdrawn_on",
                withdrawal.withdrawn_on,
                today,
                &[Earlier::new(
                    "before_application",
                    "the application reached MOPR",
                    row.received_on,
                )],
            )?;
            let mut row = store::set_status(conn, &row, expected, ApplicationStatus::Withdrawn)?;
            store::set_withdrawn_on(conn, &row.id, withdrawn_on)?;
            row.withdrawn_on = Some(withdrawn_on);
            row.recorded_late |= acts::record(
                conn,
                &caller,
                CaseType::ReferralApplication,
                &row.id,
                "application.withdrawn",
                withdrawn_on,
            )?;
            events::emit_act(
                conn,
                EventType::ApplicationWithdrawn,
                "referral_application",
                &row.id,
                &[&row.mopr_id, &row.target_cis_id],
                Some(withdrawn_on),
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "referral_application", &row.id)
                    .person(&row.person_id)
                    .detail("withdraw")
                    .on(withdrawn_on),
            )?;
            Ok(row)
        })?;
        let mut views = view::build_all(conn, &caller, vec![row], today)?;
        views
            .pop()
            .ok_or_else(|| ApiError::internal("view missing"))
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}
