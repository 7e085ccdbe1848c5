//! The decision's deadline: marking a case particularly complicated (KPA art. 35 §3), the periods art. 35 §5 leaves
//! out, and art. 36 notices of delay.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::file_api::undecided;
use super::model::{
    DelayNotice, DpsApplication, Pause, PauseKind, check_complicated, check_pause, decision_due_on,
    text,
};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::state::AppState;

/// Why the case is particularly complicated.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Konieczność ustalenia pięciu osób zobowiązanych do opłaty."}))]
pub struct Complicated {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// The day the director marked the case (its legal date), judged against the one-month period: not in the
    /// future, not before the proceedings started. Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub marked_on: Option<NaiveDate>,
}

/// Mark the case particularly complicated.
///
/// KPA art. 35 §3: the decision is then due two months from the start of proceedings instead of one. Only while
/// the one-month period still runs (409 `complicated_too_late`; use an art. 36 notice after that), before the
/// decision, once. MOPR `director`. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "mark_dps_complicated",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = Complicated,
    responses(
        (status = 200, description = "Marked; `decision_deadline.due_on` moves.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/complicated")]
pub async fn mark_dps_complicated(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<Complicated>,
) -> Result<HttpResponse, ApiError> {
    policy::may_decide_dps(&caller)?;
    let expected = if_match.required()?;
    let reason = text("reason", &body.reason, 2000)?;
    let marked_on = body.marked_on;
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "complicated",
        move |_, _, case, today| {
            let marked_on = crate::foundation::legal_date::legal_date(
                "marked_on",
                marked_on,
                today,
                &[crate::foundation::legal_date::Earlier::new(
                    "before_application",
                    "the proceedings started",
                    case.row.received_on,
                )],
            )?;
            let one_month = decision_due_on(case.row.received_on, false, &case.pauses, &[]);
            check_complicated(case.row.complicated, case.row.status, one_month, marked_on)?;
            case.legal_date = Some(marked_on);
            case.row.complicated = true;
            case.row.complicated_reason = Some(reason);
            Ok(None)
        },
    )
    .await
}

/// A period left out of the decision's deadline.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "party_delay", "from": "2026-11-10", "to": "2026-11-17",
    "reason": "Oczekiwanie na zaświadczenie lekarskie od strony."}))]
pub struct NewPause {
    pub kind: PauseKind,
    /// The first day, on or after the start of proceedings.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub from: NaiveDate,
    /// The last day (both counted), not after today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub to: NaiveDate,
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Record a pause in the decision's deadline.
///
/// KPA art. 35 §5: the periods of suspension and of delay caused by the party (or beyond MOPR's control) do not
/// count towards the deadline. Each recorded interval (both ends included) moves `decision_deadline.due_on` by its
/// days. Intervals may not overlap (409 `pause_overlaps`). Before the decision only. MOPR casework roles. Requires
/// `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_pause",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewPause,
    responses(
        (status = 200, description = "Recorded; the due date moves.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/pauses")]
pub async fn record_dps_pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewPause>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let p = body.into_inner();
    let pause = Pause {
        kind: p.kind,
        from: p.from,
        to: p.to,
        reason: text("reason", &p.reason, 2000)?,
    };
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "pause",
        move |_, _, case, today| {
            undecided(case.row.status)?;
            if case.pauses.len() >= 50 {
                return Err(ApiError::conflict("too_many_pauses", "at most 50 pauses"));
            }
            check_pause(&pause, &case.pauses, case.row.received_on, today)?;
            // A pause is recorded once it is over: the act's day is its last day.
            case.legal_date = Some(pause.to);
            case.pauses.push(pause);
            case.pauses.sort_by_key(|p| p.from);
            Ok(None)
        },
    )
    .await
}

/// An art. 36 notice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Oczekiwanie na opinię lekarza psychiatry.", "new_due_on": "2027-01-15"}))]
pub struct NewDelayNotice {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// The new date by which the decision will be issued: after the current due date.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub new_due_on: NaiveDate,
    /// The day the notice was sent to the parties (its legal date): not in the future, not before the
    /// proceedings started. Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub sent_on: Option<NaiveDate>,
}

/// Record an art. 36 notice.
///
/// KPA art. 36: when the decision cannot be issued in time, MOPR tells the parties why and sets a new date. The
/// new date becomes `decision_deadline.due_on`; it must be after the current one (422). Before the decision only.
/// MOPR `director`. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_delay_notice",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewDelayNotice,
    responses(
        (status = 200, description = "Recorded; the due date is the new one.", body = DpsApplication),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/delay-notices")]
pub async fn record_dps_delay_notice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewDelayNotice>,
) -> Result<HttpResponse, ApiError> {
    policy::may_decide_dps(&caller)?;
    let expected = if_match.required()?;
    let n = body.into_inner();
    let reason = text("reason", &n.reason, 2000)?;
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "delay_notice",
        move |_, _, case, today| {
            undecided(case.row.status)?;
            let current = case.decision_due_on();
            if n.new_due_on <= current {
                return Err(ApiError::field(
                    "new_due_on",
                    "not_later",
                    format!("the new date must be after the current due date {current}"),
                ));
            }
            if case.delay_notices.len() >= 20 {
                return Err(ApiError::conflict("too_many_notices", "at most 20 notices"));
            }
            let sent_on = crate::foundation::legal_date::legal_date(
                "sent_on",
                n.sent_on,
                today,
                &[crate::foundation::legal_date::Earlier::new(
                    "before_application",
                    "the proceedings started",
                    case.row.received_on,
                )],
            )?;
            case.legal_date = Some(sent_on);
            case.delay_notices.push(DelayNotice {
                notified_on: sent_on,
                reason,
                new_due_on: n.new_due_on,
            });
            Ok(None)
        },
    )
    .await
}
