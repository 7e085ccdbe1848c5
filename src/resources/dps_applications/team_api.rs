//! The qualifying team (Zespół Kwalifikujący): its sitting and opinion on the complete file.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::file_api::collecting;
use super::model::{DpsApplication, DpsStatus, QualifyingTeam, missing, text};
use crate::foundation::error::{ApiError, FieldError};
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::state::AppState;

/// The qualifying team's sitting and opinion.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sat_on": "2026-11-24", "members": ["Jan Nowak", "Ewa Wiśniewska"], "justified": true,
    "reasons": "Spełnia warunki; wymaga całodobowej opieki."}))]
pub struct TeamOpinion {
    /// The day of the sitting: from the start of proceedings to today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub sat_on: NaiveDate,
    /// The members present, 1 to 20.
    #[schema(min_items = 1, max_items = 20)]
    pub members: Vec<String>,
    /// Whether the team finds the placement justified.
    pub justified: bool,
    #[schema(min_length = 1, max_length = 4000)]
    pub reasons: String,
}

/// Record the qualifying team's opinion.
///
/// *Opinia Zespołu Kwalifikującego.* Only on a complete file: the facts are recorded and every required document
/// is received or not applicable. Otherwise 409 `file_incomplete`, whose `detail` lists the missing checklist codes
/// (`missing documents: a, b`); before the facts are recorded it says so and lists the codes missing so far, as the
/// facts may require more. The case becomes
/// `assessed` and the file is closed. MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_qualifying_team_opinion",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = TeamOpinion,
    responses(
        (status = 200, description = "Recorded; the case is `assessed`.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/qualifying-team")]
pub async fn record_qualifying_team_opinion(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<TeamOpinion>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let t = body.into_inner();
    let reasons = text("reasons", &t.reasons, 4000)?;
    let mut members = Vec::new();
    let mut errors = Vec::new();
    if t.members.is_empty() || t.members.len() > 20 {
        errors.push(FieldError::new("members", "count", "1 to 20 members"));
    }
    for (i, m) in t.members.iter().enumerate() {
        match text(&format!("members[{i}]"), m, 200) {
            Ok(m) => members.push(m),
            Err(_) => errors.push(FieldError::new(
                format!("members[{i}]"),
                "length",
                "1 to 200 characters",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "qualifying_team",
        move |_, _, case, today| {
            collecting(case.row.status)?;
            if t.sat_on < case.row.received_on || t.sat_on > today {
                return Err(ApiError::field(
                    "sat_on",
                    "out_of_range",
                    "between the start of proceedings and today",
                ));
            }
            let missing = missing(&case.checklist());
            if case.facts.is_none() {
                // The facts may add documents to the checklist: say so, and what is missing already.
                let so_far = if missing.is_empty() {
                    "none".to_owned()
                } else {
                    missing.join(", ")
                };
                return Err(ApiError::conflict(
                    "file_incomplete",
                    format!(
                        "the social worker has not recorded the facts of the case yet (POST .../facts), which may \
                         require more documents; missing documents so far: {so_far}"
                    ),
                ));
            }
            if !missing.is_empty() {
                return Err(ApiError::conflict(
                    "file_incomplete",
                    format!("missing documents: {}", missing.join(", ")),
                ));
            }
            case.legal_date = Some(t.sat_on);
            case.team = Some(QualifyingTeam {
                sat_on: t.sat_on,
                members,
                justified: t.justified,
                reasons,
            });
            case.row.status = DpsStatus::Assessed;
            Ok(None)
        },
    )
    .await
}
