//! The bytes of a document, streamed from its content rows one at a time: the whole file, or one byte range so
//! that a phone resumes a broken download.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::api::load_visible;
use super::model::{RangeRequest, byte_range, content_disposition};
use super::store::{self, CHUNK_BYTES};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::identity::{Caller, policy};
use crate::records::audit::{Action, Entry};
use crate::records::state::AppState;

/// Download a document's content.
///
/// The bytes as filed, with `Content-Type` (as detected), `Content-Length`, `Content-Disposition` (attachment;
/// the filename as `filename*` in UTF-8, RFC 6266/5987, with an ASCII fallback) and `ETag` (from the SHA-256).
/// `If-None-Match` with that ETag answers 304. A single `Range: bytes=…` answers 206 with `Content-Range` (416 when
/// it lies beyond the end); several ranges are answered with the whole file. Every download is an audited read.
#[utoipa::path(
    tag = "documents",
    operation_id = "get_document_content",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The document's id."),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=1048576-`."),
        ("If-None-Match" = Option<String>, Header, description = "The content's ETag from an earlier download."),
    ),
    responses(
        (status = 200, description = "The whole file.", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The requested range.", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Unchanged since the download whose ETag was sent."),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 416, description = "The range lies beyond the end of the file.", body = crate::foundation::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/documents/{id}/content")]
pub async fn get_document_content(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let row = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let (row, _) = load_visible(conn, &caller, &id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "document", &row.id)
                    .person(&row.person_id)
                    .detail("content"),
            );
            Ok(row)
        },
    )
    .await?;
    let etag = format!("\"sha256-{}\"", row.sha256);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let size = row.size.max(0) as u64;
    let range = match req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    {
        Some(h) => match byte_range(h, size) {
            RangeRequest::Part(first, last) => Some((first, last)),
            RangeRequest::Whole => None,
            RangeRequest::Unsatisfiable => {
                let problem = serde_json::json!({
                    "type": format!("{}range_not_satisfiable", crate::foundation::error::PROBLEM_TYPE_BASE),
                    "title": "Range Not Satisfiable", "status": 416, "code": "range_not_satisfiable",
                    "detail": format!("the document has {size} bytes"),
                });
                return Ok(HttpResponse::RangeNotSatisfiable()
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                    .content_type("application/problem+json")
                    .body(problem.to_string()));
            }
        },
        None => None,
    };
    let (first, last) = range.unwrap_or((0, size.saturating_sub(1)));
    let length = if size == 0 { 0 } else { last - first + 1 };
    let mut resp = HttpResponse::build(if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    });
    resp.insert_header((header::CONTENT_TYPE, row.content_type.clone()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(&row.filename),
        ))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    if range.is_some() {
        resp.insert_header((
            header::CONTENT_RANGE,
            format!("bytes {first}-{last}/{size}"),
        ));
    }
    resp.no_chunking(length);
    let pool = state.pool.clone();
    let chunk = CHUNK_BYTES as u64;
    let start = (first / chunk) as i32;
    let end = if length == 0 {
        start - 1
    } else {
        (last / chunk) as i32
    };
    let document = row.id;
    let body = futures_util::stream::unfold(start, move |seq| {
        let (pool, document) = (pool.clone(), document.clone());
        async move {
            if seq > end {
                return None;
            }
            let data = db::run(&pool, move |conn| store::chunk(conn, &document, seq)).await;
            let item = match data {
                Ok(Some(data)) => {
                    // Cut the first and last rows down to the range.
                    let base = seq as u64 * chunk;
                    let from = first.saturating_sub(base) as usize;
                    let to = ((last + 1 - base) as usize).min(data.len());
                    Ok(web::Bytes::copy_from_slice(&data[from.min(to)..to]))
                }
                Ok(None) => Err(actix_web::error::ErrorGone("the document was withdrawn")),
                Err(e) => Err(actix_web::error::ErrorServiceUnavailable(e.to_string())),
            };
            Some((item, seq + 1))
        }
    });
    Ok(resp.streaming(body))
}
