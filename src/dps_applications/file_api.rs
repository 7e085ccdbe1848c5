//! Completing the file: the facts and eligibility, the document checklist, the qualifying team, and the decision's
//! deadline (complicated cases, pauses, art. 36 notices).

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::model::{
    CustomDocument, DelayNotice, DocumentRecord, DocumentStatus, DpsApplication, DpsStatus, Facts,
    Pause, PauseKind, QualifyingTeam, check_complicated, check_pause, decision_due_on, missing,
    text,
};
use crate::AppState;
use crate::auth::{Caller, policy};
use crate::error::{ApiError, FieldError};
use crate::http::IfMatch;

/// The file can change only while it is being completed.
fn collecting(status: DpsStatus) -> Result<(), ApiError> {
    if status == DpsStatus::Collecting {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "file_closed",
            "the qualifying team has given its opinion; the file no longer changes",
        ))
    }
}

/// The decision's deadline can move only before the decision.
fn undecided(status: DpsStatus) -> Result<(), ApiError> {
    if matches!(status, DpsStatus::Collecting | DpsStatus::Assessed) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "already_decided",
            "the decision is issued; its deadline no longer runs",
        ))
    }
}

/// Record the facts of the case.
///
/// The MOPR `social_worker` records (and may later correct, while the file is `collecting`) the facts that decide
/// the document checklist — permanent allowance, pension, combatant status, placement by court order, whether a
/// psychiatrist's certificate is indicated, the relatives obliged to pay — and the assessment of the four
/// eligibility conditions. The checklist on the case follows at once. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_facts",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = Facts,
    responses(
        (status = 200, description = "Recorded; the checklist follows.", body = DpsApplication),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/facts")]
pub async fn record_dps_facts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<Facts>,
) -> Result<HttpResponse, ApiError> {
    policy::may_record_dps_facts(&caller)?;
    let expected = if_match.required()?;
    let mut facts = body.into_inner();
    facts.check()?;
    for r in &mut facts.obliged_relatives {
        r.name = r.name.trim().to_owned();
    }
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "facts",
        move |_, _, case, _| {
            collecting(case.row.status)?;
            case.facts = Some(facts);
            Ok(None)
        },
    )
    .await
}

/// The state of one document of the file.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "received", "received_on": "2026-11-24"}))]
pub struct DocumentUpdate {
    pub status: DocumentStatus,
    /// Required with `received` (not in the future); must be absent otherwise.
    pub received_on: Option<NaiveDate>,
    /// Why it is not applicable, or any remark.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Record a document of the checklist.
///
/// Marks one checklist item `received` (with its date), `not_applicable` or back to `missing`, by its `code` (see
/// `file.items` on the case; 422 `unknown_document` for a code the checklist does not have). Only while the file
/// is `collecting`. MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "record_dps_document",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("code" = String, Path, description = "The checklist item's code, e.g. `medical_certificate`."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = DocumentUpdate,
    responses(
        (status = 200, description = "Recorded.", body = DpsApplication),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/documents/{code}")]
pub async fn record_dps_document(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: web::Json<DocumentUpdate>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let (id, code) = path.into_inner();
    let update = body.into_inner();
    let note = update
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::field(
            "note",
            "too_long",
            "at most 1000 characters",
        ));
    }
    match (update.status, update.received_on) {
        (DocumentStatus::Received, None) => {
            return Err(ApiError::field(
                "received_on",
                "required",
                "a received document has its date",
            ));
        }
        (DocumentStatus::Missing | DocumentStatus::NotApplicable, Some(_)) => {
            return Err(ApiError::field(
                "received_on",
                "not_received",
                "only a received document has a date",
            ));
        }
        _ => {}
    }
    change(
        state,
        caller,
        id,
        expected,
        "document",
        move |_, _, case, today| {
            collecting(case.row.status)?;
            if update.received_on.is_some_and(|d| d > today) {
                return Err(ApiError::field(
                    "received_on",
                    "in_future",
                    "cannot be in the future",
                ));
            }
            if !case.checklist().iter().any(|i| i.code == code) {
                return Err(ApiError::field(
                    "code",
                    "unknown_document",
                    format!("the checklist of this case has no item `{code}`"),
                ));
            }
            case.documents.retain(|d| d.code != code);
            case.documents.push(DocumentRecord {
                code,
                status: update.status,
                received_on: update.received_on,
                note,
            });
            Ok(None)
        },
    )
    .await
}

/// A document the social worker asks for beyond the standard list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Opinia kuratora"}))]
pub struct NewDocument {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// Add a document to the checklist.
///
/// Seed 003 item 13: other documents the social worker needs for the decision. The item gets the code `other_N`
/// and starts `missing`. Only while the file is `collecting`; at most 30. MOPR casework roles. Requires `If-Match`.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "add_dps_document",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The case's id."),
        ("If-Match" = String, Header, description = "The ETag of the case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewDocument,
    responses(
        (status = 200, description = "Added.", body = DpsApplication),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/documents")]
pub async fn add_dps_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NewDocument>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let name = text("name", &body.name, 200)?;
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "add_document",
        move |_, _, case, _| {
            collecting(case.row.status)?;
            if case.custom_documents.len() >= 30 {
                return Err(ApiError::conflict(
                    "too_many_documents",
                    "at most 30 added documents",
                ));
            }
            let code = format!("other_{}", case.custom_documents.len() + 1);
            case.custom_documents.push(CustomDocument { code, name });
            Ok(None)
        },
    )
    .await
}

/// The qualifying team's sitting and opinion.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sat_on": "2026-11-24", "members": ["Jan Nowak", "Ewa Wiśniewska"], "justified": true,
    "reasons": "Spełnia warunki; wymaga całodobowej opieki."}))]
pub struct TeamOpinion {
    /// The day of the sitting: from the start of proceedings to today.
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
/// *Opinia Zespołu Kwalifikującego.* Only on a complete file (409 `file_incomplete`, the problem lists the missing
/// codes): the facts are recorded and every required document is received or not applicable. The case becomes
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/qualifying-team")]
pub async fn record_qualifying_team_opinion(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<TeamOpinion>,
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
            if case.facts.is_none() {
                return Err(ApiError::conflict(
                    "file_incomplete",
                    "the social worker has not recorded the facts of the case yet",
                ));
            }
            let missing = missing(&case.checklist());
            if !missing.is_empty() {
                return Err(ApiError::conflict(
                    "file_incomplete",
                    format!("missing documents: {}", missing.join(", ")),
                ));
            }
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

/// Why the case is particularly complicated.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Konieczność ustalenia pięciu osób zobowiązanych do opłaty."}))]
pub struct Complicated {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/complicated")]
pub async fn mark_dps_complicated(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<Complicated>,
) -> Result<HttpResponse, ApiError> {
    policy::may_decide_dps(&caller)?;
    let expected = if_match.required()?;
    let reason = text("reason", &body.reason, 2000)?;
    change(
        state,
        caller,
        id.into_inner(),
        expected,
        "complicated",
        move |_, _, case, today| {
            let one_month = decision_due_on(case.row.received_on, false, &case.pauses, &[]);
            check_complicated(case.row.complicated, case.row.status, one_month, today)?;
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
    pub from: NaiveDate,
    /// The last day (both counted), not after today.
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/pauses")]
pub async fn record_dps_pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NewPause>,
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
    pub new_due_on: NaiveDate,
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
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/delay-notices")]
pub async fn record_dps_delay_notice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<NewDelayNotice>,
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
            case.delay_notices.push(DelayNotice {
                notified_on: today,
                reason,
                new_due_on: n.new_due_on,
            });
            Ok(None)
        },
    )
    .await
}
