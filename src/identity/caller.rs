//! The [`Caller`] extractor: who is making this request, from a verified bearer token. Every protected handler
//! takes a `Caller`; a request without a valid token never reaches it. That the token's account is still active
//! is checked in the handler's unit of work (`db::run_as`, `db::read_as`), so a deactivated account's tokens stop
//! working at once on every node without a second database round trip per request.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::kinds::{InstitutionKind, PrincipalType, Role};
use crate::foundation::error::ApiError;
use crate::foundation::http::RequestId;
use crate::identity::tokens::TokenService;

/// The authenticated principal of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's or API client's id.
    pub id: String,
    pub principal: PrincipalType,
    /// `None` only for a platform admin.
    pub institution_id: Option<String>,
    pub kind: Option<InstitutionKind>,
    pub role: Role,
    /// The account's version the token was issued at (see [`crate::identity::tokens::Claims::generation`]).
    pub generation: i32,
    /// Written into audit records.
    pub request_id: String,
}

/// Who must still be active for a request to proceed; checked inside the request's unit of work
/// ([`crate::foundation::db::run_as`], [`crate::foundation::db::read_as`]) or, for an audited read, in the audit commit that precedes its
/// response ([`crate::records::audit::group::run_read`]).
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: PrincipalType,
    pub id: String,
    /// The account's version the token was issued at: a token outlives no change of its account.
    pub generation: i32,
}

impl Caller {
    pub fn principal(&self) -> Principal {
        Principal {
            kind: self.principal,
            id: self.id.clone(),
            generation: self.generation,
        }
    }

    pub fn is_platform_admin(&self) -> bool {
        self.role == Role::PlatformAdmin
    }

    pub fn is_kind(&self, kind: InstitutionKind) -> bool {
        self.kind == Some(kind)
    }

    pub fn belongs_to(&self, institution_id: &str) -> bool {
        self.institution_id.as_deref() == Some(institution_id)
    }

    /// The caller's institution. Casework handlers call it after the policy, which admits only callers that
    /// belong to one, so a missing institution here is a bug (500), never the client's doing.
    pub fn institution(&self) -> Result<String, ApiError> {
        self.institution_id
            .clone()
            .ok_or_else(|| ApiError::internal("caller without institution"))
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case), if there is one.
pub fn bearer_token(headers: &header::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The subject of the request's bearer token when the token is valid; for middleware that keys state by caller
/// (rate limits, idempotency keys) and lets the handler answer 401 otherwise.
pub fn verified_subject(
    headers: &header::HeaderMap,
    tokens: &crate::identity::tokens::TokenService,
) -> Option<String> {
    verified_principal(headers, tokens).map(|p| p.id)
}

/// The account of the request's bearer token when the token is valid, for middleware that acts for the caller
/// before its handler does (an idempotent replay): it must pass the same account check as the handler.
pub fn verified_principal(
    headers: &header::HeaderMap,
    tokens: &crate::identity::tokens::TokenService,
) -> Option<Principal> {
    let claims = tokens.verify(bearer_token(headers)?).ok()?;
    Some(Principal {
        kind: claims.sub_type,
        id: claims.sub,
        generation: claims.generation,
    })
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    bearer_token(req.headers())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::Unauthorized("send Authorization: Bearer <access token>".into()))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let tokens = req.app_data::<web::Data<TokenService>>().cloned();
        let token = bearer(req);
        let request_id = RequestId::from_request(req, &mut Payload::None).into_inner();
        Box::pin(async move {
            let tokens = tokens.ok_or_else(|| ApiError::internal("token service missing"))?;
            let claims = tokens.verify(&token?)?;
            let consistent = match claims.role {
                Role::PlatformAdmin => claims.inst.is_none() && claims.kind.is_none(),
                _ => claims.inst.is_some() && claims.kind.is_some(),
            };
            if !consistent {
                return Err(ApiError::Unauthorized(
                    "the token's claims are inconsistent".into(),
                ));
            }
            // Whether the account is still active is checked in the handler's own unit of work
            // (`db::run_as`), on the same connection and blocking-pool hop as its queries.
            Ok(Caller {
                id: claims.sub,
                principal: claims.sub_type,
                institution_id: claims.inst,
                kind: claims.kind,
                role: claims.role,
                generation: claims.generation,
                request_id: request_id.map(|r| r.0).unwrap_or_default(),
            })
        })
    }
}
