//! HTTP plumbing shared by every resource: request ids, extractor configuration, the fallback that answers 404 or
//! 405, and the safety net that turns any error response actix produces on its own into problem+json.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::{Ready, ready};

use crate::foundation::error::{ApiError, FieldError, PROBLEM_JSON};
use crate::foundation::redact::without_values;

/// The largest JSON body the service reads, in bytes (`REINTEGRA_JSON_LIMIT_BYTES`), as application data for the
/// middleware that reads bodies before their handler does.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// `REINTEGRA_JSON_LIMIT_BYTES`'s default.
    pub const DEFAULT: usize = 65_536;
}

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request: taken from a well-formed incoming `X-Request-Id` (so a partner can correlate
/// its logs with ours), otherwise a fresh UUIDv7. Echoed in the response and written into audit records.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl FromRequest for RequestId {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(uuid::Uuid::now_v7().to_string()));
        ready(Ok(id))
    }
}

fn acceptable_request_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    ok.then(|| s.to_owned())
}

/// Middleware: assigns the request id and echoes it on the response.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.call(req).await?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID, v);
    }
    Ok(res)
}

/// Safety net: any 4xx/5xx that is not already problem+json (actix's own plain-text errors from extractors,
/// payload limits, panicking handlers) is replaced by a problem of the same status.
pub fn problem_for_plain_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Our own errors are problem+json; the token endpoint's are RFC 6749 JSON. Both pass untouched.
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let err = error_for_status(status);
    let (req, old) = res.into_parts();
    let mut new = err.error_response();
    // Keep protocol headers actix set (Allow, WWW-Authenticate) that the generic problem does not know.
    for name in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
        if let Some(v) = old.headers().get(&name) {
            new.headers_mut().insert(name, v.clone());
        }
    }
    *new.status_mut() = status;
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body::<B>(),
    ))
}

fn error_for_status(status: StatusCode) -> ApiError {
    match status.as_u16() {
        400 => ApiError::BadRequest {
            code: "bad_request",
            detail: "the request could not be understood".into(),
        },
        401 => ApiError::Unauthorized("a valid bearer token is required".into()),
        403 => ApiError::Forbidden("you may not do this".into()),
        404 => ApiError::NotFound("no such resource".into()),
        405 => ApiError::MethodNotAllowed { allow: vec![] },
        413 => ApiError::PayloadTooLarge("the request body is too large".into()),
        415 => ApiError::UnsupportedMediaType("unsupported content type".into()),
        503 => ApiError::ServiceUnavailable("the service is not available".into()),
        s if (400..500).contains(&s) => ApiError::BadRequest {
            code: "bad_request",
            detail: format!("the request was rejected ({s})"),
        },
        _ => ApiError::internal(format!("unhandled error response {status}")),
    }
}

/// `application/json` or a `+json` type: the bodies the JSON extractor takes.
pub fn is_json(mime: &mime::Mime) -> bool {
    mime.essence_str() == "application/json" || mime.suffix() == Some(mime::JSON)
}

/// Query strings: unknown or malformed parameters are a 400 naming the problem.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let detail = match &err {
            QueryPayloadError::Deserialize(e) => {
                format!("invalid query string: {}", without_values(&e.to_string()))
            }
            other => format!(
                "invalid query string: {}",
                without_values(&other.to_string())
            ),
        };
        ApiError::BadRequest {
            code: "invalid_query",
            detail,
        }
        .into()
    })
}

/// Path segments that do not parse (an id that is not a UUID) cannot name a record: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_err: PathError, _req| ApiError::not_found("record").into())
}

/// The routes the API serves, used to tell 405 (the path exists with other methods) from 404.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(actix_web::dev::ResourceDef, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<String> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                if methods.iter().any(|m| m == "GET") {
                    methods.insert(1, "HEAD".to_owned());
                }
                (actix_web::dev::ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods a path accepts, if the API serves it at all.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let mut found: Option<Vec<String>> = None;
        for (def, methods) in &self.routes {
            if def.is_match(path) {
                let entry = found.get_or_insert_with(Vec::new);
                for m in methods {
                    if !entry.contains(m) {
                        entry.push(m.clone());
                    }
                }
            }
        }
        found
    }
}

/// The default service: 405 with `Allow` when the path exists, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<Arc<RouteTable>>,
) -> Result<HttpResponse, ApiError> {
    match table.allowed(req.path()) {
        Some(allow)
            if !allow.iter().any(|m| m == req.method().as_str())
                || req.method() == Method::OPTIONS =>
        {
            Err(ApiError::MethodNotAllowed { allow })
        }
        _ => Err(ApiError::NotFound(format!("no resource at {}", req.path()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_clients_are_bounded_and_plain() {
        assert!(acceptable_request_id(&HeaderValue::from_static("abc-123_x.y")).is_some());
        assert!(acceptable_request_id(&HeaderValue::from_static("")).is_none());
        assert!(acceptable_request_id(&HeaderValue::from_static("a b")).is_none());
        let long = "a".repeat(65);
        assert!(acceptable_request_id(&HeaderValue::from_str(&long).unwrap()).is_none());
    }
}

/// The version a client read, from `If-Match: "3"` (weak `W/"3"` accepted). Updates and transitions call
/// [`IfMatch::required`]: 428 without the header, and the store answers 412 when the version is stale.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i32>);

impl IfMatch {
    pub fn required(self) -> Result<i32, ApiError> {
        self.0.ok_or(ApiError::PreconditionRequired)
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get(header::IF_MATCH) else {
            return ready(Ok(IfMatch(None)));
        };
        let text = raw.to_str().unwrap_or("").trim();
        // `*` would match any version and so defeat the check: it counts as no precondition at all (428).
        if text == "*" {
            return ready(Ok(IfMatch(None)));
        }
        let parsed = text
            .strip_prefix("W/")
            .unwrap_or(text)
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            // A well-formed ETag too large for any version simply matches none: -1 never equals a version, so
            // the request gets the same 412 as any other stale version.
            .map(|s| s.parse::<i32>().unwrap_or(-1));
        ready(match parsed {
            Some(v) => Ok(IfMatch(Some(v))),
            None => Err(ApiError::BadRequest {
                code: "invalid_if_match",
                detail: "If-Match must be the record's ETag, e.g. \"3\"".into(),
            }),
        })
    }
}

/// The ETag of a record version.
pub fn etag(version: i32) -> (HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A record's JSON with its `ETag`; when `status` is 201 also its `Location` (`collection` is the API path of
/// its collection, e.g. `/api/v1/persons`).
pub fn record_response<T: serde::Serialize>(
    status: StatusCode,
    version: i32,
    collection: &str,
    id: &str,
    body: &T,
) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.insert_header(etag(version));
    if status == StatusCode::CREATED {
        resp.insert_header((header::LOCATION, format!("{collection}/{id}")));
    }
    resp.json(body)
}

/// The 412 for a stale version, shared by every store.
pub fn stale(what: &str) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "the {what} was changed since you read it; GET it again and retry with its new ETag"
    ))
}

/// CORS for the browser apps of the configured origins: the methods and headers the API uses, and the response
/// headers a client needs to read (the ETag for If-Match, Location, the request id, the replay flag, Retry-After and
/// the rate-limit state).
/// With no origin configured it is not installed at all (see [`crate::Application::build`]).
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("idempotency-key"),
            X_REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            X_REQUEST_ID,
            HeaderName::from_static("idempotent-replayed"),
            crate::records::rate_limit::RATELIMIT,
            crate::records::rate_limit::RATELIMIT_POLICY,
        ])
        .max_age(3600);
    for o in origins {
        cors = cors.allowed_origin(o);
    }
    cors
}

/// Reads a request's whole body, up to `limit` bytes (413 beyond), for a middleware that must see it before the
/// handler; hand it back with `set_payload`.
pub async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::BadRequest {
            code: "malformed_body",
            detail: "the request body could not be read".into(),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "the body is larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether a query string's percent-encoded bytes are UTF-8. The query extractor decodes lossily (`%ff` becomes
/// U+FFFD), so a search for bytes that are no text would quietly search for something else.
pub fn decodes_to_utf8(query: &str) -> bool {
    let bytes = query.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                decoded.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// Refuses the NUL character (U+0000) wherever a client can send one. PostgreSQL's text cannot hold it (the query
/// failed: a 500), SQLite would have stored it, and no name, note or id of these procedures contains one. A path
/// with `%00` names no record (404), a query string with it is a 400 `invalid_query`, and a JSON body with a
/// `\u0000` escape a 422 naming the body; the handler never runs. A query string whose percent-encoded bytes are
/// not UTF-8 is refused here too (400 `invalid_query`). The sign-in form checks its own fields, since it
/// answers in OAuth's error format.
pub async fn reject_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Percent-decoding is one pass, so a decoded NUL comes from `%00` and from nothing else (`%2500` is `%00`
    // as text); the HTTP parser refuses a raw one.
    let refusal = if req.uri().path().contains("%00") {
        Some(ApiError::not_found("record"))
    } else if req.uri().query().is_some_and(|q| q.contains("%00")) {
        Some(ApiError::BadRequest {
            code: "invalid_query",
            detail: "invalid query string: it contains a NUL character (%00)".into(),
        })
    } else if req.uri().query().is_some_and(|q| !decodes_to_utf8(q)) {
        Some(ApiError::BadRequest {
            code: "invalid_query",
            detail: "invalid query string: its percent-encoded bytes are not UTF-8".into(),
        })
    } else {
        None
    };
    if let Some(e) = refusal {
        return Ok(req.into_response(e.error_response()));
    }
    let json_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH)
        && req.mime_type().ok().flatten().is_some_and(|m| is_json(&m));
    let limit = req.app_data::<web::Data<BodyLimit>>().map(|l| l.0);
    if let (true, Some(limit)) = (json_body, limit) {
        let body = match read_body(&mut req, limit).await {
            Ok(b) => b,
            Err(e) => return Ok(req.into_response(e.error_response())),
        };
        if json_has_nul_escape(&body) {
            let e = ApiError::Validation(vec![FieldError::new(
                "body",
                "nul_character",
                "text must not contain the NUL character (\\u0000)",
            )]);
            return Ok(req.into_response(e.error_response()));
        }
        req.set_payload(actix_http::Payload::from(body));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Whether a JSON text holds a `\u0000` escape: JSON allows no raw control character, so this is the one way a NUL
/// gets into a string or a key. A backslash that is itself escaped (`\\u0000`) starts no escape.
fn json_has_nul_escape(body: &[u8]) -> bool {
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' {
            if body.get(i + 1..i + 6) == Some(b"u0000".as_slice()) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod nul_tests {
    use super::json_has_nul_escape;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(json_has_nul_escape(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul_escape(br#"{"a\u0000":1}"#));
        assert!(json_has_nul_escape(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul_escape(br#"{"a":"\\u0000"}"#));
        assert!(!json_has_nul_escape(br#"{"a":"\u0041\u00e9 u0000"}"#));
        assert!(!json_has_nul_escape(br#"{"a":"\u000"}"#));
        assert!(!json_has_nul_escape(br#"{"a":"\"#));
        assert!(!json_has_nul_escape(b""));
    }
}
