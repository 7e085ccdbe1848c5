//! The reusable problem responses every operation refers to (`#/components/responses/...`), and the name of the
//! bearer-token security scheme. The document itself is put together in [`crate::app::openapi`].

use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

use crate::foundation::error::PROBLEM_JSON;

/// The name of the bearer-JWT security scheme in the spec.
pub const BEARER: &str = "bearer_jwt";

pub fn problem_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// 429, with the headers that say when to come back: `Retry-After` and the rate-limit state
/// (draft-ietf-httpapi-ratelimit-headers), which every rate-limited response carries.
pub struct TooManyRequests;
impl<'s> utoipa::ToResponse<'s> for TooManyRequests {
    fn response() -> (&'s str, RefOr<Response>) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = |description: &str| {
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(description))
                .build()
        };
        let response = ResponseBuilder::new()
            .description(
                "Too many requests: a caller's write quota or a client address's token quota is spent, or an account \
                 is throttled after failed sign-ins; `Retry-After` says how many seconds to wait \
                 (`too_many_requests`).",
            )
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1))))
                    .description(Some("Seconds to wait before retrying."))
                    .build(),
            )
            .header(
                "RateLimit-Policy",
                text("The quota, e.g. `\"writes\";q=1200;w=60` (1200 writes per 60 seconds)."),
            )
            .header(
                "RateLimit",
                text("What is left of it and when it is whole again, e.g. `\"writes\";r=0;t=3`."),
            )
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        ("TooManyRequests", response.into())
    }
}

macro_rules! problem_responses {
    ($($name:ident => $description:expr;)*) => {
        $(
            #[doc = $description]
            pub struct $name;
            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), problem_response($description))
                }
            }
        )*
    };
}

problem_responses! {
    BadRequest => "The body is not valid JSON, or the query string is malformed (`malformed_json`, `invalid_query`).";
    Unauthorized => "No bearer token, or one that is expired, tampered with or not issued for this API (`unauthorized`). Carries `WWW-Authenticate: Bearer`.";
    Forbidden => "The caller is known but its institution kind or role may not do this (`forbidden`).";
    NotFound => "No such record, or one the caller may not see; the two are indistinguishable (`not_found`).";
    Conflict => "A duplicate, or a state transition the procedure does not allow; `code` names the rule.";
    PreconditionFailed => "The `If-Match` version is stale: someone changed the record first. GET it again (`version_mismatch`).";
    PayloadTooLarge => "The body is larger than the service accepts (`payload_too_large`).";
    UnsupportedMediaType => "The body is not `application/json` (`unsupported_media_type`).";
    UnprocessableContent => "The request parsed but breaks validation rules; `errors` lists each field (`validation_failed`) or `code` names the rule.";
    PreconditionRequired => "The update has no `If-Match` header (`if_match_required`).";
    ServiceUnavailable => "The database does not answer; retry later (`service_unavailable`).";
    InternalError => "An unexpected failure. The body says nothing about it; quote `X-Request-Id` when reporting it (`internal_error`).";
}
