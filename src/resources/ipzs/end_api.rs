//! How an IPZS ends: early termination and the notice to MOPR, completion at the planned end, and the letter after
//! a failed trial month.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::{Change, transition};
use super::model::{
    FailedTrial, Ipzs, IpzsStatus, TerminationReason, check_completion,
    check_non_qualification_letter, check_termination,
};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::{Json, OptionalJson};
use crate::foundation::legal_date::{Earlier, legal_date};
use crate::identity::{Caller, policy};
use crate::records::events::EventType;
use crate::records::state::AppState;

/// Ends an IPZS before its planned end.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "absence", "terminated_on": "2026-11-20", "details": "Nieobecność od 2 tygodni."}))]
pub struct TerminationRequest {
    pub reason: TerminationReason,
    /// The day participation ended; between the start and today, before the planned end.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/terminate")]
pub async fn terminate_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<TerminationRequest>,
) -> Result<HttpResponse, ApiError> {
    policy::may_run_ipzs(&caller)?;
    let expected = if_match.required()?;
    let t = body.into_inner();
    let details =
        crate::foundation::validation::optional_text("details", t.details.as_deref(), 4000)
            .map_err(|e| ApiError::Validation(vec![e]))?;
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
                legal_date: Some(t.terminated_on),
            })
        },
    )
    .await
}

/// Inform MOPR of an early termination.
///
/// The CIS director's notice to MOPR that the IPZS was dissolved (seed 000 II.4), due within 5 working days of the
/// termination, dated `sent_on` (optional body; today when omitted, never before the termination: 422
/// `before_termination`) and delivered through MOPR's feed (`ipzs.terminated`); `met_late` is judged by that
/// date. CIS `director` only (403 for other roles). Only once (409 `already_informed`), only for a terminated IPZS
/// (409 `not_terminated`). Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "send_termination_notice",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body(content = TerminationNotice, description = "Optional: the day the notice was sent."),
    responses(
        (status = 200, description = "MOPR is informed.", body = Ipzs),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/termination-notice")]
pub async fn send_termination_notice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<TerminationNotice>,
) -> Result<HttpResponse, ApiError> {
    policy::may_act_as_cis_director(&caller)?;
    let expected = if_match.required()?;
    let notice = body.into_inner();
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "termination_notice",
        move |_, _, mut row, today| {
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
            let ended_on = row.ended_on.unwrap_or(row.start_on);
            let sent_on = legal_date(
                "sent_on",
                notice.sent_on,
                today,
                &[Earlier::new(
                    "before_termination",
                    "the participation ended",
                    ended_on,
                )],
            )?;
            row.mopr_informed_on = Some(sent_on);
            Ok(Change {
                next: row,
                event: Some(EventType::IpzsTerminationNotice),
                legal_date: Some(sent_on),
            })
        },
    )
    .await
}

/// Complete an IPZS at its planned end.
///
/// For an `active` (qualified) IPZS whose planned end has come (409 `planned_end_not_reached`, `ipzs_not_active`
/// otherwise; `completed_on`, optional and today when omitted, must be on or after the planned end). Health
/// insurance ends on the planned end; MOPR is told (`ipzs.completed`). Requires `If-Match`.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "complete_ipzs",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The IPZS's id."),
        ("If-Match" = String, Header, description = "The ETag of the IPZS as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body(content = Completion, description = "Optional: the day of the completion."),
    responses(
        (status = 200, description = "Completed.", body = Ipzs),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/complete")]
pub async fn complete_ipzs(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<Completion>,
) -> Result<HttpResponse, ApiError> {
    policy::may_run_ipzs(&caller)?;
    let expected = if_match.required()?;
    let completion = body.into_inner();
    transition(
        state,
        caller,
        id.into_inner(),
        expected,
        "complete",
        move |_, _, mut row, today| {
            let completed_on = legal_date(
                "completed_on",
                completion.completed_on,
                today,
                &[Earlier::new(
                    "before_signing",
                    "the IPZS was signed",
                    row.signed_on,
                )],
            )?;
            check_completion(row.status, row.planned_end_on, completed_on)?;
            row.status = IpzsStatus::Completed;
            row.ended_on = Some(row.planned_end_on);
            row.insurance_ends_on = Some(row.planned_end_on);
            Ok(Change {
                next: row,
                event: Some(EventType::IpzsCompleted),
                legal_date: Some(completed_on),
            })
        },
    )
    .await
}

/// The CIS director's notice to MOPR of an early termination; the body may be left out.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sent_on": "2026-11-24"}))]
pub struct TerminationNotice {
    /// The day the notice was sent (its legal date): not in the future, not before the participation ended.
    /// Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub sent_on: Option<NaiveDate>,
}

/// The completion of an IPZS at its planned end; the body may be left out.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"completed_on": "2027-05-31"}))]
pub struct Completion {
    /// The day the completion was recorded by the CIS (its legal date): on or after the planned end, not in the
    /// future. Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub completed_on: Option<NaiveDate>,
}

/// The CIS's letter to a participant who was not qualified.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sent_on": "2026-12-02"}))]
pub struct NonQualificationLetter {
    /// The day the letter was sent (a copy goes to MOPR): after the trial month has ended and not before MOPR's
    /// decision, if there was one; not in the future.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/ipzs/{id}/non-qualification-letter")]
pub async fn record_non_qualification_letter(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NonQualificationLetter>,
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
            let qualification =
                crate::resources::qualifications::store::find_by_ipzs(conn, &row.id)?;
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
                legal_date: Some(sent_on),
            })
        },
    )
    .await
}
