//! The pure rules of idempotency keys: which keys are accepted, what makes two requests the same, how long a
//! record lives.

use actix_web::HttpResponse;
use actix_web::http::header::{HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

use crate::foundation::error::ApiError;

/// Records are kept this long; a key may be reused for a new request after it.
pub const TTL_HOURS: i64 = 24;
/// How long a reservation holds its key for the attempt that made it. A request ends with its node, and a node
/// stopping gracefully lets its requests run this long at most (`shutdown_timeout`), so an older reservation that
/// never completed belongs to an attempt that died (a node killed, say): the retry may run.
pub const LEASE_SECONDS: i64 = 30;
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// What a new attempt finds.
pub enum Claimed {
    /// No earlier attempt: go on, and store the answer.
    New,
    /// The same request answered before: answer it again.
    Replay(StoredResponse),
    /// Refused: the key was used for another request (422), or the first attempt still runs (409).
    Refused(ApiError),
}

/// The key as sent: a Structured Field string (`"8e03…"`, as the draft specifies) or, for clients that send it
/// bare, the token itself; 1 to 255 visible ASCII characters. Anything else is 400 `invalid_idempotency_key`.
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: "invalid_idempotency_key",
        detail: format!(
            "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters, e.g. \"8e03978e-40d5-43e8-bc93-6894a57f9324\""
        ),
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    let inner = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted,
        None => text,
    };
    let ok = !inner.is_empty()
        && inner.len() <= MAX_KEY_CHARS
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if ok {
        Ok(inner.to_owned())
    } else {
        Err(invalid())
    }
}

/// What makes a retry "the same request": method, path and body, hashed.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How an earlier record answers a new attempt with the same key.
pub fn judge(stored_print: &str, completed: bool, print: &str) -> Option<ApiError> {
    if stored_print != print {
        return Some(ApiError::Unprocessable {
            code: "idempotency_key_reused",
            detail: "this Idempotency-Key was used for a different request; use a new key for a new request".into(),
        });
    }
    if !completed {
        return Some(ApiError::conflict(
            "idempotency_request_in_progress",
            "the first request with this Idempotency-Key has not finished; retry in a moment",
        ));
    }
    None
}

/// Marks a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// A stored response, answered again.
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl StoredResponse {
    pub fn into_response(self) -> HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status)
            .unwrap_or(actix_web::http::StatusCode::OK);
        let mut b = HttpResponse::build(status);
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                b.insert_header((k, v));
            }
        }
        b.insert_header((REPLAYED, "true"));
        b.body(self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Result<String, ApiError> {
        parse_key(&HeaderValue::from_str(s).unwrap())
    }

    #[test]
    fn keys_are_structured_strings_or_bare_tokens() {
        assert_eq!(key("\"abc-123\"").unwrap(), "abc-123");
        assert_eq!(key("abc-123").unwrap(), "abc-123");
        assert!(key("\"\"").is_err());
        assert!(key("a b").is_err());
        assert!(key(&"x".repeat(256)).is_err());
        assert!(key(&"x".repeat(255)).is_ok());
    }

    #[test]
    fn the_same_request_is_replayed_and_another_refused() {
        let a = fingerprint("POST", "/api/v1/persons", b"{\"a\":1}");
        let b = fingerprint("POST", "/api/v1/persons", b"{\"a\":2}");
        assert_ne!(a, b);
        assert_eq!(a, fingerprint("POST", "/api/v1/persons", b"{\"a\":1}"));
        assert!(judge(&a, true, &a).is_none());
        assert_eq!(
            judge(&a, true, &b).unwrap().code(),
            "idempotency_key_reused"
        );
        assert_eq!(
            judge(&a, false, &a).unwrap().code(),
            "idempotency_request_in_progress"
        );
    }
}
