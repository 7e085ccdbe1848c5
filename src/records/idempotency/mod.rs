//! `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header), so that a client retrying on a flaky
//! network never files twice. Per caller (the token's subject) and key, the first attempt's response is stored
//! for 24 hours: the same key with the same request answers that response again (with `Idempotent-Replayed:
//! true`); the same key with a different request is 422 `idempotency_key_reused`; a retry while the first attempt
//! is still running is 409 `idempotency_request_in_progress`. A 5xx answer is not stored, so the client may retry.
//! Requests without the header behave as before.

pub mod model;
pub mod store;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};

use self::model::{Claimed, fingerprint, parse_key};
pub use self::model::{REPLAYED, StoredResponse};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::identity::caller::Principal;
use crate::records::state::AppState;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The response headers a replay repeats.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

fn applies(req: &ServiceRequest) -> bool {
    req.method() == Method::POST
        && req.path().starts_with("/api/v1/")
        && req.path() != "/api/v1/auth/token"
        && req.headers().contains_key(IDEMPOTENCY_KEY)
        && !is_multipart(req)
}

/// A streamed upload is not read into memory here: its handler fingerprints the content as it streams and
/// claims the key itself (see `resources::documents`).
fn is_multipart(req: &ServiceRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

/// The caller a key belongs to: the account of a valid bearer token. Without one the request goes on and its
/// handler answers 401 as usual.
fn caller_of(req: &ServiceRequest, state: &AppState) -> Option<Principal> {
    crate::identity::caller::verified_principal(req.headers(), &state.tokens)
}

fn problem(e: ApiError) -> HttpResponse {
    e.error_response()
}

/// Middleware around the API.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !applies(&req) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let raw = req.headers().get(IDEMPOTENCY_KEY).cloned();
    let key = match raw.as_ref().map(parse_key) {
        Some(Ok(k)) => k,
        Some(Err(e)) => return Ok(req.into_response(problem(e))),
        None => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    let Some(principal) = caller_of(&req, &state) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The body is read here (within the configured limit) to fingerprint it, then handed back to the handler.
    let limit = state.config.json_limit_bytes;
    let body = match crate::foundation::http::read_body(&mut req, limit).await {
        Ok(b) => b,
        Err(e) => return Ok(req.into_response(problem(e))),
    };
    let print = fingerprint(req.method().as_str(), req.path(), &body);
    req.set_payload(actix_http::Payload::from(body));

    let caller = principal.id.clone();
    // The claim runs after the same account check as the handler's unit of work, so a deactivated account's
    // token can neither replay a stored answer nor reserve a key.
    let claim = {
        let (caller, key, print) = (caller.clone(), key.clone(), print.clone());
        db::run_as(&state.pool, principal, move |conn| {
            store::claim(conn, &caller, &key, &print, db::now())
        })
        .await
    };
    match claim {
        Err(e) => return Ok(req.into_response(problem(e))),
        Ok(Claimed::Replay(stored)) => return Ok(req.into_response(stored.into_response())),
        Ok(Claimed::Refused(e)) => return Ok(req.into_response(problem(e))),
        Ok(Claimed::New) => {}
    }

    let res = next.call(req).await?;
    let (http_req, res) = res.into_parts();
    let status = res.status();
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|h| {
            res.headers()
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(|v| (h.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let mut builder = HttpResponse::build(status);
    for (k, v) in res.headers() {
        builder.append_header((k.clone(), v.clone()));
    }
    let bytes = actix_web::body::to_bytes(res.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body"))?;
    let outcome = {
        let body = bytes.to_vec();
        db::run(&state.pool, move |conn| {
            if status.is_server_error() {
                store::release(conn, &caller, &key)
            } else {
                store::complete(conn, &caller, &key, status.as_u16(), &headers, &body)
            }
        })
        .await
    };
    if let Err(e) = outcome {
        // The change itself is committed; only its replay record is missing. Say so in the log, answer as usual.
        log::error!("idempotency record not stored: {e}");
    }
    Ok(ServiceResponse::new(http_req, builder.body(bytes)))
}

/// Drops records older than 24 hours, at start-up and every hour until the service stops; run on the background
/// thread (see [`crate::foundation::background`]).
pub async fn clean_up_hourly(
    pool: crate::foundation::db::DbPool,
    mut stopping: crate::foundation::background::Stopping,
) {
    loop {
        let p = pool.clone();
        let swept = tokio::task::spawn_blocking(move || {
            let mut conn = p.get().map_err(|e| e.to_string())?;
            store::expire(&mut conn, db::now()).map_err(|e| e.to_string())
        })
        .await;
        match swept {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => log::warn!("idempotency cleanup: {e}"),
            Err(e) => log::warn!("idempotency cleanup task: {e}"),
        }
        if stopping.sleep(std::time::Duration::from_secs(3600)).await {
            return;
        }
    }
}
