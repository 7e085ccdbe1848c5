//! Filing a document: the multipart upload streamed into content rows while its SHA-256 is computed; the
//! document exists only once its last chunk is committed and it is marked filed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};

use super::access::case_access;
use super::model::{ACCEPTED, clean_filename, detect, kind_allowed};
use super::store::{self, CHUNK_BYTES, DocumentRow, FILING};
use super::types::*;
use crate::foundation::db;
use crate::foundation::error::{ApiError, FieldError};
use crate::identity::{Caller, policy};
use crate::records::idempotency;
use crate::records::state::AppState;

/// File a document.
///
/// `multipart/form-data` with two parts, in this order: `metadata` (JSON: the case, the kind, a title and the day
/// it was received) and `file`. The content is recognised by its first bytes (PDF, JPEG, PNG, TIFF, HEIC; anything
/// else is 415 with the accepted list, whatever its name or declared type), may not be empty (422 `empty_file`)
/// or larger than the configured limit (413, without reading the rest). It is streamed into the database in
/// 256 KiB rows while its SHA-256 is computed, and the document exists only once the last row is committed: an
/// interrupted upload leaves nothing. Whoever may read the case may file (404 otherwise); the institutions that
/// see the case are told (`document.filed`, without content). An `Idempotency-Key` files a retried upload once.
#[utoipa::path(
    tag = "documents",
    operation_id = "file_document",
    security(("bearer_jwt" = [])),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Filed; `Location` names it, `ETag` carries its version.", body = Document),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[post("/documents")]
pub async fn file_document(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::UnsupportedMediaType(
            "this endpoint takes multipart/form-data with the parts `metadata` and `file`".into(),
        ));
    }
    let max = state.config.document_max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The multipart framing and the metadata take a little room beside the file.
    if declared.is_some_and(|n| n > max + METADATA_LIMIT as u64 + 4096) {
        return Err(too_large(max));
    }
    let key = req
        .headers()
        .get(idempotency::IDEMPOTENCY_KEY)
        .map(idempotency::model::parse_key)
        .transpose()?;
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);

    // The metadata first, so that the case is checked before a byte of the file is stored.
    let mut field = parts
        .try_next()
        .await
        .map_err(|_| multipart_error("the body is not valid multipart/form-data"))?
        .ok_or_else(|| multipart_error("the parts `metadata` and `file` are missing"))?;
    if field.name() != Some("metadata") {
        return Err(ApiError::field(
            "metadata",
            "required",
            "the first part must be `metadata` (JSON), then `file`",
        ));
    }
    let mut raw = Vec::new();
    while let Some(chunk) = field
        .try_next()
        .await
        .map_err(|_| multipart_error("the metadata part could not be read"))?
    {
        if raw.len() + chunk.len() > METADATA_LIMIT {
            return Err(ApiError::PayloadTooLarge(format!(
                "the metadata part is larger than {METADATA_LIMIT} bytes"
            )));
        }
        raw.extend_from_slice(&chunk);
    }
    // The multipart stream yields the next part only once this one is dropped.
    drop(field);
    let meta: NewDocumentMetadata = crate::foundation::json::parse(&raw)?;
    let today = state.clock.today();
    let checked = check_metadata(&meta, today)?;
    let case_type = meta.case_type.as_str();
    let access = {
        let (caller, case_id) = (caller.clone(), meta.case_id.clone());
        db::run_as(&state.pool, caller.principal(), move |conn| {
            case_access(conn, &caller, case_type, &case_id)
        })
        .await?
    };

    let mut field = parts
        .try_next()
        .await
        .map_err(|_| multipart_error("the file part could not be read"))?
        .ok_or_else(|| ApiError::field("file", "required", "the part `file` is missing"))?;
    if field.name() != Some("file") {
        return Err(ApiError::field(
            "file",
            "required",
            "the second part must be `file`",
        ));
    }
    let filename = clean_filename(
        field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("document"),
    );
    let id = uuid::Uuid::now_v7().to_string();
    let staged = DocumentRow {
        id: id.clone(),
        case_type: case_type.to_owned(),
        case_id: meta.case_id.clone(),
        person_id: access.person_id.clone(),
        kind: meta.kind.clone(),
        title: checked.title,
        filename,
        content_type: String::new(),
        size: 0,
        sha256: String::new(),
        received_on: checked.received_on,
        filed_by_institution_id: caller.institution_id.clone().unwrap_or_default(),
        filed_by_user_id: caller.id.clone(),
        status: FILING.to_owned(),
        recorded_at: db::now(),
        withdrawn_at: None,
        withdrawn_by: None,
        withdrawal_reason: None,
        version: 1,
    };
    {
        let row = staged.clone();
        db::run(&state.pool, move |conn| {
            db::write_tx(conn, |conn| store::insert(conn, &row))
        })
        .await?;
    }
    let streamed = stream_content(&state, &id, &mut field, max).await;
    drop(field);
    let (content_type, size, sha256) = match streamed {
        Ok(done) => done,
        Err(e) => {
            discard(&state, &id).await;
            return Err(e);
        }
    };
    // Nothing may follow the file.
    if let Ok(Some(_)) = parts.try_next().await {
        discard(&state, &id).await;
        return Err(multipart_error(
            "only the parts `metadata` and `file` are taken",
        ));
    }
    let path = req.path().to_owned();
    let print = key.as_ref().map(|_| {
        let mut seen = raw.clone();
        seen.extend_from_slice(staged.filename.as_bytes());
        seen.extend_from_slice(sha256.as_bytes());
        idempotency::model::fingerprint("POST", &path, &seen)
    });
    if let (Some(key), Some(print)) = (&key, &print) {
        let (caller_id, key, print) = (caller.id.clone(), key.clone(), print.clone());
        let claimed = db::run_as(&state.pool, caller.principal(), move |conn| {
            idempotency::store::claim(conn, &caller_id, &key, &print, db::now())
        })
        .await;
        match claimed {
            Ok(idempotency::model::Claimed::New) => {}
            Ok(idempotency::model::Claimed::Replay(stored)) => {
                discard(&state, &id).await;
                return Ok(stored.into_response());
            }
            Ok(idempotency::model::Claimed::Refused(e)) | Err(e) => {
                discard(&state, &id).await;
                return Err(e);
            }
        }
    }
    let filed = {
        let caller = caller.clone();
        let mut row = staged;
        db::run_as(&state.pool, caller.principal(), move |conn| {
            db::write_tx(conn, |conn| {
                store::mark_filed(conn, &row.id, content_type, size, &sha256)?;
                (row.content_type, row.size, row.sha256, row.status) = (
                    content_type.to_owned(),
                    size,
                    sha256,
                    store::FILED.to_owned(),
                );
                let recipients: Vec<&str> = access.recipients.iter().map(String::as_str).collect();
                let detail = format!("{} {}", row.case_type, row.kind);
                super::announce_filed(conn, &caller, &row, &recipients, detail)?;
                view(row)
            })
        })
        .await
    };
    let doc = match filed {
        Ok(doc) => doc,
        Err(e) => {
            discard(&state, &id).await;
            if let Some(key) = key {
                let caller_id = caller.id.clone();
                let _ = db::run(&state.pool, move |conn| {
                    idempotency::store::release(conn, &caller_id, &key)
                })
                .await;
            }
            return Err(e);
        }
    };
    let response = crate::foundation::http::record_response(
        actix_web::http::StatusCode::CREATED,
        doc.version,
        COLLECTION,
        &doc.id,
        &doc,
    );
    if let Some(key) = key {
        let body = serde_json::to_vec(&doc).map_err(ApiError::internal)?;
        let headers = vec![
            ("location".to_owned(), format!("{COLLECTION}/{}", doc.id)),
            ("etag".to_owned(), format!("\"{}\"", doc.version)),
            ("content-type".to_owned(), "application/json".to_owned()),
        ];
        let caller_id = caller.id.clone();
        let stored = db::run(&state.pool, move |conn| {
            idempotency::store::complete(conn, &caller_id, &key, 201, &headers, &body)
        })
        .await;
        if let Err(e) = stored {
            log::error!("idempotency record of an upload not stored: {e}");
        }
    }
    Ok(response)
}

struct CheckedMetadata {
    title: String,
    received_on: NaiveDate,
}

fn check_metadata(
    meta: &NewDocumentMetadata,
    today: NaiveDate,
) -> Result<CheckedMetadata, ApiError> {
    let mut errors = Vec::new();
    if !kind_allowed(meta.case_type.as_str(), &meta.kind) {
        errors.push(FieldError::new(
            "metadata.kind",
            "unknown_kind",
            format!(
                "a {} takes no document of this kind",
                meta.case_type.as_str()
            ),
        ));
    }
    if meta.case_id.trim().is_empty() || meta.case_id.len() > 64 {
        errors.push(FieldError::new(
            "metadata.case_id",
            "length",
            "1 to 64 characters",
        ));
    }
    let title = crate::foundation::validation::required_text("metadata.title", &meta.title, 200);
    let received_on = crate::foundation::legal_date::check(
        "metadata.received_on",
        meta.received_on.unwrap_or(today),
        today,
        &[],
    );
    match (title, received_on) {
        (Ok(title), Ok(received_on)) if errors.is_empty() => {
            Ok(CheckedMetadata { title, received_on })
        }
        (t, r) => {
            errors.extend(t.err());
            errors.extend(r.err());
            Err(ApiError::Validation(errors))
        }
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::PayloadTooLarge(format!("a document may have at most {max} bytes"))
}

/// Streams the file part into content rows; answers the detected type, the size and the SHA-256.
async fn stream_content(
    state: &web::Data<AppState>,
    id: &str,
    field: &mut actix_multipart::Field,
    max: u64,
) -> Result<(&'static str, i64, String), ApiError> {
    let mut hasher = Sha256::new();
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK_BYTES);
    let mut size: u64 = 0;
    let mut seq = 0;
    let mut content_type: Option<&'static str> = None;
    loop {
        let next = field
            .try_next()
            .await
            .map_err(|_| multipart_error("the upload was cut off"))?;
        let done = next.is_none();
        if let Some(bytes) = next {
            size += bytes.len() as u64;
            if size > max {
                return Err(too_large(max));
            }
            hasher.update(&bytes);
            buffer.extend_from_slice(&bytes);
        }
        if content_type.is_none() && (buffer.len() >= 16 || (done && size > 0)) {
            content_type = Some(detect(&buffer).ok_or_else(|| {
                ApiError::UnsupportedMediaType(format!(
                    "the file is none of the accepted types: {}",
                    ACCEPTED.join(", ")
                ))
            })?);
        }
        while buffer.len() >= CHUNK_BYTES || (done && !buffer.is_empty()) {
            let take = buffer.len().min(CHUNK_BYTES);
            let rest = buffer.split_off(take);
            let chunk = std::mem::replace(&mut buffer, rest);
            let (doc, n) = (id.to_owned(), seq);
            db::run(&state.pool, move |conn| {
                db::write_tx(conn, |conn| store::insert_chunk(conn, &doc, n, &chunk))
            })
            .await?;
            seq += 1;
        }
        if done {
            break;
        }
    }
    if size == 0 {
        return Err(ApiError::field("file", "empty_file", "the file is empty"));
    }
    let content_type = content_type.ok_or_else(|| ApiError::internal("content type undetected"))?;
    Ok((content_type, size as i64, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Removes what a refused or failed upload stored; the sweep catches it if this fails too.
async fn discard(state: &web::Data<AppState>, id: &str) {
    let id = id.to_owned();
    if let Err(e) = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| store::discard(conn, &id))
    })
    .await
    {
        log::warn!("an interrupted upload is left for the sweep: {e}");
    }
}
