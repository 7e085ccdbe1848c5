//! The JSON body of every handler: `application/json` required, the configured size limit, and each failure as the
//! right problem. A value of the wrong type is a 422 naming its field by its path (`relatives[0].agreed`), and no
//! message carries what the client sent: the message reaches the response and, at `RUST_LOG=debug`, the log, and a
//! value sent in the wrong field may be a PESEL or a surname.

use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::foundation::error::{ApiError, FieldError};
use crate::foundation::http::{BodyLimit, is_json};
use crate::foundation::redact::without_values;

/// A request body deserialised from JSON (use in place of `actix_web::web::Json`).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req.mime_type().ok().flatten().is_some_and(|m| is_json(&m));
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map_or(BodyLimit::DEFAULT, |l| l.0);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "this endpoint takes a JSON body with Content-Type: application/json".into(),
                ));
            }
            let body = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge(format!("the JSON body is larger than {limit} bytes"))
                } else {
                    ApiError::BadRequest {
                        code: "malformed_json",
                        detail: "the body could not be read".into(),
                    }
                }
            })?;
            parse(&body).map(Json)
        })
    }
}

/// An optional JSON body: no body at all (an empty one, whatever its content type) is `T::default()`; any other is
/// taken as [`Json`] takes it. For acts whose body carries only optional fields, such as a legal date.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let empty = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .is_some_and(|l| l.as_bytes() == b"0")
            || (req
                .headers()
                .get(actix_web::http::header::CONTENT_LENGTH)
                .is_none()
                && req
                    .headers()
                    .get(actix_web::http::header::TRANSFER_ENCODING)
                    .is_none());
        if empty {
            return Box::pin(async { Ok(OptionalJson(T::default())) });
        }
        let json = Json::<T>::from_request(req, payload);
        Box::pin(async move { json.await.map(|j| OptionalJson(j.0)) })
    }
}

/// Deserialises a JSON body, naming the field of a value of the wrong type or shape by its path.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => de.end().map(|()| v).map_err(|e| (".".to_owned(), e)),
        Err(e) => Err((e.path().to_string(), e.into_inner())),
    };
    value.map_err(|(path, e)| {
        if e.is_data() {
            ApiError::Validation(vec![field_error(&path, &e)])
        } else {
            ApiError::BadRequest {
                code: "malformed_json",
                detail: format!(
                    "the body is not valid JSON: {}",
                    without_values(&e.to_string())
                ),
            }
        }
    })
}

/// The field error of a value that does not fit its field. serde names a missing or unknown field only in its
/// message; the path names where the rest happened (`.` is the body itself).
fn field_error(path: &str, e: &serde_json::Error) -> FieldError {
    let msg = without_values(&e.to_string());
    let backticked = |prefix: &str| {
        msg.strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let within = |name: String| match path {
        "." | "" => name,
        parent => format!("{parent}.{name}"),
    };
    if let Some(f) = backticked("missing field `") {
        FieldError::new(within(f), "required", msg)
    } else if let Some(f) = backticked("unknown field `") {
        // serde reports an unknown field where it stood: the path already ends with its name.
        let field = if path.ends_with(&f) {
            path.to_owned()
        } else {
            within(f)
        };
        FieldError::new(field, "unknown_field", msg)
    } else {
        let field = if matches!(path, "." | "") {
            "body".to_owned()
        } else {
            path.to_owned()
        };
        FieldError::new(field, "invalid_type", msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Relative {
        agreed: u32,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        #[serde(default)]
        relatives: Vec<Relative>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Person,
    }

    fn error_of(body: &str) -> FieldError {
        match parse::<Body>(body.as_bytes()) {
            Err(ApiError::Validation(mut errors)) => errors.remove(0),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_by_its_path_and_not_repeated() {
        let f = error_of(r#"{"name": 44051401458}"#);
        assert_eq!(
            (f.field.as_str(), f.code.as_str()),
            ("name", "invalid_type")
        );
        assert!(!f.message.contains("44051401458"), "{}", f.message);
        let f = error_of(r#"{"name": "a", "relatives": [{"agreed": "Kowalski"}]}"#);
        assert_eq!(f.field, "relatives[0].agreed");
        assert!(!f.message.contains("Kowalski"), "{}", f.message);
        let f = error_of(r#"{"name": "a", "kind": "Nowak"}"#);
        assert_eq!(
            (f.field.as_str(), f.code.as_str()),
            ("kind", "invalid_type")
        );
        assert!(
            !f.message.contains("Nowak") && f.message.contains("`person`"),
            "{}",
            f.message
        );
        let f = error_of(r#""Wisniewski""#);
        assert_eq!(f.field, "body");
        assert!(!f.message.contains("Wisniewski"), "{}", f.message);
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let f = error_of("{}");
        assert_eq!((f.field.as_str(), f.code.as_str()), ("name", "required"));
        let f = error_of(r#"{"name": "a", "x": 1}"#);
        assert_eq!((f.field.as_str(), f.code.as_str()), ("x", "unknown_field"));
        let f = error_of(r#"{"name": "a", "relatives": [{}]}"#);
        assert_eq!(
            (f.field.as_str(), f.code.as_str()),
            ("relatives[0].agreed", "required")
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request_without_the_text() {
        for body in [r#"{"name": "Kowalski""#, r#"{"name": "a"} Kowalski"#] {
            match parse::<Body>(body.as_bytes()) {
                Err(ApiError::BadRequest { code, detail }) => {
                    assert_eq!(code, "malformed_json");
                    assert!(!detail.contains("Kowalski"), "{detail}");
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
