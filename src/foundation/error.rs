//! The one error type of the API and its RFC 9457 `application/problem+json` rendering.
//!
//! Every failure a handler can produce is an [`ApiError`]; its status, stable `code` and body are decided here and
//! nowhere else, so a client can switch on `code` without parsing prose. 500 bodies never describe internals: the
//! cause goes to the log under the request id.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One rejected field of a request, inside a 422 problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field, as a dotted path into the request body or a query parameter name (`residence_address.postal_code`).
    #[schema(example = "pesel")]
    pub field: String,
    /// A stable snake_case code naming the rule that failed (`pesel_checksum`, `too_long`, ...).
    #[schema(example = "pesel_checksum")]
    pub code: String,
    /// A sentence for a person reading the log or a form.
    #[schema(example = "the PESEL check digit does not match")]
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document. Every non-2xx response of this API has this shape and the media type
/// `application/problem+json`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://reintegra.example/problems/validation_failed",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the request has 1 invalid field",
    "code": "validation_failed",
    "errors": [{"field": "pesel", "code": "pesel_checksum", "message": "the PESEL check digit does not match"}]
}))]
pub struct Problem {
    /// A URI naming the problem kind; it ends with `code`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code, repeated for clients that lose it.
    #[schema(value_type = i32, minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong in this request, in a sentence.
    pub detail: String,
    /// A stable snake_case code; switch on this, not on `detail`.
    pub code: String,
    /// For 422 only: each field that failed validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a 409 duplicate only, and only when the caller may see it: the path of the existing record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
}

/// The prefix of every problem `type` URI.
pub const PROBLEM_TYPE_BASE: &str = "https://reintegra.example/problems/";

/// Everything that can go wrong in a request, mapped 1:1 onto a status and a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body or the query string could not be parsed.
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// 401: no token, or a token that is not valid here.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: the record does not exist or the caller may not see it; the two are indistinguishable on purpose.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method; carries the methods it does take.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    /// 409: a duplicate, or a state transition the procedure does not allow; `code` names the rule.
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        /// An optional link to the existing record (only when the caller may see it).
        existing: Option<String>,
    },
    /// 412: the `If-Match` version is stale.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413: the body is larger than the configured limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not of a media type this endpoint accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the request parsed but its content breaks validation rules.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 422 with a single domain rule that is not tied to one field.
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 428: an update without `If-Match`.
    #[error("this update needs an If-Match header with the record's current ETag")]
    PreconditionRequired,
    /// 429: too many attempts; retry after the given number of seconds.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    /// 503: a dependency (the database) does not answer.
    #[error("{0}")]
    ServiceUnavailable(String),
    /// 500: a bug or an unexpected failure. The message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// 409 for a transition the procedure does not allow (no link to another record).
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
            existing: None,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("no {what} with this id is visible to you"))
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The stable snake_case code a client switches on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::PreconditionFailed(_) => "version_mismatch",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unprocessable { code, .. } => code,
            ApiError::PreconditionRequired => "if_match_required",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::ServiceUnavailable(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    /// The body sent to the client. For 500 it deliberately says nothing of the cause.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(_) => {
                "the service failed to handle this request; the incident is logged under the request id".to_owned()
            }
            ApiError::MethodNotAllowed { allow } => {
                format!("this path accepts only {}", allow.join(", "))
            }
            ApiError::Validation(errors) => match errors.len() {
                1 => format!("{}: {}", errors[0].field, errors[0].message),
                n => format!("the request has {n} invalid fields"),
            },
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        let existing = match self {
            ApiError::Conflict { existing, .. } => existing.clone(),
            _ => None,
        };
        Problem {
            type_uri: format!("{PROBLEM_TYPE_BASE}{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            errors,
            existing,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            log::error!("internal error: {cause}");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="reintegra""#));
            }
            ApiError::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Conflict {
                existing: Some(link),
                ..
            } => {
                builder.insert_header((header::LOCATION, link.as_str()));
            }
            _ => {}
        }
        builder.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(format!("blocking task failed: {e}"))
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => {
                ApiError::NotFound("no record with this id is visible to you".into())
            }
            // The pre-insert checks name the rule; this catches a concurrent insert that won the race.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
                code: "duplicate",
                detail: "a record with the same unique value already exists".into(),
                existing: None,
            },
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::ServiceUnavailable("the database is busy; retry the request".into())
            }
            other => ApiError::internal(format!("database error: {other}")),
        }
    }
}

impl From<r2d2_error::PoolError> for ApiError {
    fn from(e: r2d2_error::PoolError) -> Self {
        log::warn!("database pool: {e}");
        ApiError::ServiceUnavailable("the database does not answer; retry later".into())
    }
}

mod r2d2_error {
    pub use diesel::r2d2::PoolError;
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(e: &ApiError) -> serde_json::Value {
        let resp = e.error_response();
        let bytes = resp
            .into_body()
            .try_into_bytes()
            .expect("body is in memory");
        serde_json::from_slice(&bytes).expect("problem body is JSON")
    }

    #[test]
    fn every_variant_pins_its_status_and_code() {
        let table: Vec<(ApiError, u16, &str)> = vec![
            (
                ApiError::BadRequest {
                    code: "malformed_json",
                    detail: "x".into(),
                },
                400,
                "malformed_json",
            ),
            (ApiError::Unauthorized("x".into()), 401, "unauthorized"),
            (ApiError::Forbidden("x".into()), 403, "forbidden"),
            (ApiError::NotFound("x".into()), 404, "not_found"),
            (
                ApiError::MethodNotAllowed {
                    allow: vec!["GET".into()],
                },
                405,
                "method_not_allowed",
            ),
            (
                ApiError::Conflict {
                    code: "duplicate_pesel",
                    detail: "x".into(),
                    existing: None,
                },
                409,
                "duplicate_pesel",
            ),
            (
                ApiError::PreconditionFailed("x".into()),
                412,
                "version_mismatch",
            ),
            (
                ApiError::PayloadTooLarge("x".into()),
                413,
                "payload_too_large",
            ),
            (
                ApiError::UnsupportedMediaType("x".into()),
                415,
                "unsupported_media_type",
            ),
            (
                ApiError::field("pesel", "invalid_checksum", "bad"),
                422,
                "validation_failed",
            ),
            (ApiError::PreconditionRequired, 428, "if_match_required"),
            (
                ApiError::TooManyRequests {
                    detail: "x".into(),
                    retry_after_secs: 30,
                },
                429,
                "too_many_requests",
            ),
            (
                ApiError::ServiceUnavailable("x".into()),
                503,
                "service_unavailable",
            ),
            (
                ApiError::Internal("secret cause".into()),
                500,
                "internal_error",
            ),
        ];
        for (err, status, code) in table {
            let resp = err.error_response();
            assert_eq!(resp.status().as_u16(), status, "{err:?}");
            assert_eq!(
                resp.headers().get(header::CONTENT_TYPE).unwrap(),
                PROBLEM_JSON,
                "{err:?}"
            );
            let body = body_of(&err);
            assert_eq!(body["status"], status, "{err:?}");
            assert_eq!(body["code"], code, "{err:?}");
            assert_eq!(body["type"], format!("{PROBLEM_TYPE_BASE}{code}"));
            assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let body = body_of(&ApiError::Internal(
            "password=hunter2 in table users".into(),
        ));
        assert!(!body.to_string().contains("hunter2"));
        assert!(!body.to_string().contains("users"));
    }

    #[test]
    fn validation_lists_each_field() {
        let err = ApiError::Validation(vec![
            FieldError::new("pesel", "invalid_checksum", "bad check digit"),
            FieldError::new("last_name", "too_short", "empty"),
        ]);
        let body = body_of(&err);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(body["errors"][0]["field"], "pesel");
        assert_eq!(body["errors"][1]["code"], "too_short");
    }

    #[test]
    fn protocol_headers_accompany_their_statuses() {
        let r = ApiError::Unauthorized("x".into()).error_response();
        assert!(
            r.headers()
                .get(header::WWW_AUTHENTICATE)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let r = ApiError::MethodNotAllowed {
            allow: vec!["GET".into(), "POST".into()],
        }
        .error_response();
        assert_eq!(r.headers().get(header::ALLOW).unwrap(), "GET, POST");
        let r = ApiError::TooManyRequests {
            detail: "x".into(),
            retry_after_secs: 42,
        }
        .error_response();
        assert_eq!(r.headers().get(header::RETRY_AFTER).unwrap(), "42");
    }

    #[test]
    fn non_validation_problems_have_no_errors_member() {
        let body = body_of(&ApiError::NotFound("x".into()));
        assert!(body.get("errors").is_none());
    }
}
