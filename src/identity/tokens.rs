//! Access tokens: short-lived HS256 JWTs signed by this service. Validation pins the algorithm, issuer,
//! audience and expiry; `alg: none` and every other algorithm are refused.
//!
//! A client sends the same token with every request until it expires, and checking it (two base64 decodes, an
//! HMAC and two JSON parses) was an eighth of the CPU a one-row read costs. So each thread remembers the claims of
//! the tokens it has verified, keyed by the exact token text and the service that verified them: a later request
//! with the same text gets the same claims without the work, and its expiry is still checked every time. Only a
//! token that passed the full check is remembered, so nothing a client makes up can fill the memory, and whether
//! the account is still active is checked per request elsewhere, not here.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::kinds::{InstitutionKind, PrincipalType, Role};
use crate::foundation::config::Config;
use crate::foundation::error::ApiError;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user's or API client's id.
    pub sub: String,
    /// Whether `sub` is a user or an API client.
    pub sub_type: PrincipalType,
    /// The institution id; absent for a platform admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inst: Option<String>,
    /// The institution's kind; absent for a platform admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InstitutionKind>,
    pub role: Role,
    /// The account's version when the token was issued. Every change of an account (deactivation, reactivation,
    /// a new password) moves its version, so the tokens issued before the change stop working with it.
    #[serde(rename = "gen")]
    pub generation: i32,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
}

/// The subject a token is issued for.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: String,
    pub sub_type: PrincipalType,
    pub institution_id: Option<String>,
    pub kind: Option<InstitutionKind>,
    pub role: Role,
    /// The account's version (see [`Claims::generation`]).
    pub generation: i32,
}

/// How long after its `exp` a token is still taken: the clocks of the nodes that share the signing secret may
/// differ by this much. Kept short, since an expired token should stop working when it says.
pub const LEEWAY_SECS: u64 = 5;

pub struct TokenService {
    /// Tells this service's remembered tokens from another's on the same thread (tests run several, with other
    /// secrets).
    id: u64,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl TokenService {
    pub fn new(config: &Config) -> Self {
        let secret = config.jwt_secret.expose().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl_secs: config.token_ttl.as_secs() as i64,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(&self, subject: &Subject) -> Result<String, ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: subject.id.clone(),
            sub_type: subject.sub_type,
            inst: subject.institution_id.clone(),
            kind: subject.kind,
            role: subject.role,
            generation: subject.generation,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl_secs,
            iat: now,
            jti: uuid::Uuid::now_v7().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("token signing failed: {e}")))
    }

    /// The claims of a valid token; any failure is the same 401 so as not to help an attacker.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        self.verify_at(token, Utc::now().timestamp())
    }

    fn verify_at(&self, token: &str, now: i64) -> Result<Claims, ApiError> {
        // jsonwebtoken's own rule: expired once `exp` is more than the leeway in the past.
        let unexpired = |claims: &Claims| claims.exp >= now - self.validation.leeway as i64;
        let remembered = VERIFIED.with_borrow(|cache| {
            cache
                .get(token)
                .filter(|entry| entry.service == self.id && unexpired(&entry.claims))
                .map(|entry| entry.claims.clone())
        });
        if let Some(claims) = remembered {
            return Ok(claims);
        }
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .ok()
            .filter(unexpired)
            .ok_or_else(|| {
                log::debug!("token rejected");
                ApiError::Unauthorized("the bearer token is missing, expired or invalid".into())
            })?;
        VERIFIED.with_borrow_mut(|cache| {
            if cache.len() >= REMEMBERED_PER_THREAD {
                cache.retain(|_, entry| entry.claims.exp >= now);
                if cache.len() >= REMEMBERED_PER_THREAD {
                    cache.clear();
                }
            }
            cache.insert(
                token.into(),
                Verified {
                    service: self.id,
                    claims: claims.clone(),
                },
            );
        });
        Ok(claims)
    }
}

/// Tokens one thread remembers; about a kilobyte each. More callers than this at once only cost the full check.
const REMEMBERED_PER_THREAD: usize = 512;

struct Verified {
    service: u64,
    claims: Claims,
}

thread_local! {
    static VERIFIED: RefCell<HashMap<Box<str>, Verified>> = RefCell::new(HashMap::new());
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn service() -> TokenService {
        TokenService::new(&Config::for_tests("x.db"))
    }

    fn subject() -> Subject {
        Subject {
            id: "u1".into(),
            sub_type: PrincipalType::User,
            institution_id: Some("i1".into()),
            kind: Some(InstitutionKind::Mopr),
            role: Role::Director,
            generation: 1,
        }
    }

    #[test]
    fn issued_tokens_verify_with_all_claims() {
        let s = service();
        let claims = s.verify(&s.issue(&subject()).unwrap()).unwrap();
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.kind, Some(InstitutionKind::Mopr));
        assert_eq!(claims.role, Role::Director);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn alg_none_and_foreign_signatures_are_refused() {
        let s = service();
        let token = s.issue(&subject()).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(s.verify(&format!("{none_header}.{payload}.")).is_err());
        let other = TokenService::new(&Config::for_tests("y.db"));
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let s = service();
        let token = s.issue(&subject()).unwrap();
        let now = Utc::now().timestamp();
        assert!(s.verify_at(&token, now).is_ok());
        // Within the leeway after `exp` it is still good, from memory; past it, refused.
        let exp = s.verify_at(&token, now).unwrap().exp;
        assert!(s.verify_at(&token, exp + LEEWAY_SECS as i64).is_ok());
        assert!(s.verify_at(&token, exp + LEEWAY_SECS as i64 + 1).is_err());
    }

    #[test]
    fn a_token_remembered_by_one_service_is_not_taken_by_another() {
        let s = service();
        let token = s.issue(&subject()).unwrap();
        assert!(s.verify(&token).is_ok());
        // Another service on the same thread, with its own (random) secret.
        let other = TokenService::new(&Config::for_tests("x.db"));
        assert!(other.verify(&token).is_err());
        assert!(s.verify(&token).is_ok());
    }

    #[test]
    fn remembering_is_bounded() {
        let s = service();
        for _ in 0..REMEMBERED_PER_THREAD + 10 {
            s.verify(&s.issue(&subject()).unwrap()).unwrap();
        }
        assert!(VERIFIED.with_borrow(|cache| cache.len()) <= REMEMBERED_PER_THREAD);
    }
}
