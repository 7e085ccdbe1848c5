//! Health insurance of the participant, registered and de-registered by MOPR.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{Change, transition};
use super::model::Ipzs;
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::events::EventType;
use crate::records::state::AppState;

/// MOPR's record of the participant's health-insurance registration.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"registered_on": "2026-12-24"}))]
pub struct InsuranceRecord {
    /// The day MOPR registered the participant (zgłoszenie do ubezpieczenia zdrowotnego).
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub registered_on: Option<NaiveDate>,
    /// The day MOPR de-registered the participant, after the programme ended.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
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
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[post("/ipzs/{id}/insurance")]
pub async fn record_insurance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<InsuranceRecord>,
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
                legal_date: rec.deregistered_on.or(rec.registered_on),
            })
        },
    )
    .await
}
