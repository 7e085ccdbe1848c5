//! Access tokens: short-lived HS256 JWTs signed by this service. Validation pins the algorithm, issuer,
//! audience and expiry; `alg: none` and every other algorithm are refused.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::{InstitutionKind, PrincipalType, Role};
use crate::config::Config;
use crate::error::ApiError;

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
}

pub struct TokenService {
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
        validation.leeway = 30;
        Self {
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
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                log::debug!("token rejected: {e}");
                ApiError::Unauthorized("the bearer token is missing, expired or invalid".into())
            })
    }
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
}
