//! Completing the file: the facts and eligibility, the document checklist, the qualifying team, and the decision's
//! deadline (complicated cases, pauses, art. 36 notices).

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::change;
use super::model::{
    CustomDocument, DocumentRecord, DocumentStatus, DpsApplication, DpsStatus, Facts, text,
};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::state::AppState;

/// The file can change only while it is being completed.
pub(super) fn collecting(status: DpsStatus) -> Result<(), ApiError> {
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
pub(super) fn undecided(status: DpsStatus) -> Result<(), ApiError> {
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/facts")]
pub async fn record_dps_facts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<Facts>,
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
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub received_on: Option<NaiveDate>,
    /// Why it is not applicable, or any remark.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// With `received` only: the filed case document that is this item (`POST /api/v1/documents` with this
    /// case). Another case's document, or one withdrawn, is 422 `unknown_document_file`.
    #[schema(max_length = 64)]
    pub document_id: Option<String>,
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/documents/{code}")]
pub async fn record_dps_document(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: Json<DocumentUpdate>,
) -> Result<HttpResponse, ApiError> {
    policy::may_handle_dps_file(&caller)?;
    let expected = if_match.required()?;
    let (id, code) = path.into_inner();
    let update = body.into_inner();
    let note = crate::foundation::validation::optional_text("note", update.note.as_deref(), 1000)
        .map_err(|e| ApiError::Validation(vec![e]))?;
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
        (DocumentStatus::Missing | DocumentStatus::NotApplicable, None)
            if update.document_id.is_some() =>
        {
            return Err(ApiError::field(
                "document_id",
                "not_received",
                "only a received document points at a filed file",
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
        move |conn, _, case, today| {
            collecting(case.row.status)?;
            if let Some(file) = &update.document_id
                && !crate::resources::documents::store::is_filed_on(
                    conn,
                    "dps_application",
                    &case.row.id,
                    file,
                )?
            {
                return Err(ApiError::field(
                    "document_id",
                    "unknown_document_file",
                    "no filed document of this case has this id",
                ));
            }
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
            case.legal_date = update.received_on;
            case.documents.retain(|d| d.code != code);
            case.documents.push(DocumentRecord {
                code,
                status: update.status,
                received_on: update.received_on,
                note,
                document_id: update.document_id,
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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/documents")]
pub async fn add_dps_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewDocument>,
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
