//! Listing, reading and withdrawing case documents.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::access::case_access;
use super::store::{self, DocumentRow};
use super::types::*;
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;

/// Which documents to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    pub case_type: DocumentCaseType,
    /// The case's id.
    #[param(min_length = 1, max_length = 64)]
    pub case_id: String,
    /// Only documents of this kind (an upload's kind, or a letter's: `letter_dps_decision`, `letter_fee_decision`,
    /// `letter_placement_decision`, `letter_delay_notice`, `letter_referral`, `letter_referral_refusal`,
    /// `letter_admission_list`, `letter_termination_notice`, `letter_non_qualification`).
    #[param(max_length = 64)]
    pub kind: Option<String>,
}

/// List a case's documents.
///
/// Newest first, in cursor pages. For whoever may read the case (404 otherwise); an institution that sees the
/// case only as its applicant lists only what it filed itself. Withdrawn documents are not listed.
#[utoipa::path(
    tag = "documents",
    operation_id = "list_documents",
    security(("bearer_jwt" = [])),
    params(DocumentQuery, PageParams),
    responses(
        (status = 200, description = "One page of documents, newest first.", body = Page<Document>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DocumentQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let q = query.into_inner();
    let limit = page.limit;
    let result = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let access = case_access(conn, &caller, q.case_type.as_str(), &q.case_id)?;
            let mut rows = store::list(
                conn,
                q.case_type.as_str(),
                &q.case_id,
                q.kind.as_deref(),
                access.only_filed_by.as_deref(),
                &page,
            )?;
            let next_cursor = take_page(&mut rows, limit, |r| r.id.clone());
            trail.listed(
                &caller,
                "document",
                rows.iter().map(|r| (r.id.as_str(), r.person_id.as_str())),
            );
            let items = rows.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// A filed document the caller may read, or 404.
pub(super) fn load_visible(
    conn: &mut crate::foundation::db::DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<(DocumentRow, super::access::CaseAccess), ApiError> {
    let hidden = || ApiError::not_found("document");
    let row = store::find(conn, id)?
        .filter(|r| r.status == store::FILED)
        .ok_or_else(hidden)?;
    let access = case_access(conn, caller, &row.case_type, &row.case_id).map_err(|_| hidden())?;
    if !access.sees(&row.filed_by_institution_id) {
        return Err(hidden());
    }
    Ok((row, access))
}

/// Get a document's metadata.
///
/// With its `ETag` (the version, for `If-Match` on withdrawal). 404 when it does not exist, was withdrawn, or the
/// caller may not read it.
#[utoipa::path(
    tag = "documents",
    operation_id = "get_document",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The document's id.")),
    responses(
        (status = 200, description = "The document's metadata.", body = Document),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/documents/{id}")]
pub async fn get_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let doc = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let (row, _) = load_visible(conn, &caller, &id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "document", &row.id).person(&row.person_id),
            );
            view(row)
        },
    )
    .await?;
    Ok(crate::foundation::http::record_response(
        actix_web::http::StatusCode::OK,
        doc.version,
        COLLECTION,
        &doc.id,
        &doc,
    ))
}

/// Why a document is withdrawn.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Dokument dołączony do niewłaściwej sprawy."}))]
pub struct DocumentWithdrawal {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Withdraw a document.
///
/// For a document filed on the wrong case: it disappears from the case for everyone and its content is deleted;
/// the audit keeps who, when, why and the hash. The filing institution only (403 for others that see it; 404 for
/// those that do not). A letter the service issued (kind `letter_…`) is kept as issued: 409 `letter_immutable`.
/// The institutions that see the case are told (`document.withdrawn`). Requires `If-Match`.
#[utoipa::path(
    tag = "documents",
    operation_id = "withdraw_document",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The document's id."),
        ("If-Match" = String, Header, description = "The ETag of the document as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = DocumentWithdrawal,
    responses(
        (status = 204, description = "Withdrawn; its content is deleted."),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/documents/{id}/withdraw")]
pub async fn withdraw_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<DocumentWithdrawal>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let expected = if_match.required()?;
    let reason = crate::foundation::validation::required_text("reason", &body.reason, 2000)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let id = id.into_inner();
    db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let (row, access) = load_visible(conn, &caller, &id)?;
            if !caller.belongs_to(&row.filed_by_institution_id) {
                return Err(ApiError::Forbidden(
                    "only the institution that filed a document may withdraw it".into(),
                ));
            }
            if crate::resources::letters::is_letter(&row.kind) {
                return Err(ApiError::conflict(
                    "letter_immutable",
                    "an issued letter is kept as issued and cannot be withdrawn",
                ));
            }
            if row.version != expected {
                return Err(stale("document"));
            }
            if !store::withdraw(conn, &row.id, expected, &caller.id, &reason, db::now())? {
                return Err(stale("document"));
            }
            let recipients: Vec<&str> = access.recipients.iter().map(String::as_str).collect();
            events::emit(
                conn,
                EventType::DocumentWithdrawn,
                "document",
                &row.id,
                &recipients,
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "document", &row.id)
                    .person(&row.person_id)
                    .detail(format!("withdraw sha256:{}", row.sha256)),
            )
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
