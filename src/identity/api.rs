//! `POST /api/v1/auth/token` (an OAuth 2.0 token endpoint, RFC 6749) and `GET /api/v1/me`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::Caller;
use super::kinds::{InstitutionKind, PrincipalType, Role};
use super::throttle::throttled_for;
use super::tokens::Subject;
use super::{password, store};
use crate::foundation::config::Config;
use crate::foundation::db;
use crate::foundation::db::DbPool;
use crate::foundation::error::ApiError;
use crate::identity::tokens::TokenService;

/// The form fields of a token request (`application/x-www-form-urlencoded`).
///
/// * People: `grant_type=password&username=…&password=…`
/// * Partner software: `grant_type=client_credentials&client_id=…&client_secret=…`, or the client id and secret
///   in an HTTP Basic `Authorization` header (RFC 6749 §2.3.1).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password` or `client_credentials`.
    #[schema(example = "password")]
    pub grant_type: String,
    /// For `password`: the user's login name.
    #[schema(example = "mopr-worker")]
    pub username: Option<String>,
    /// For `password`: the user's password.
    #[schema(example = "reintegra-demo", format = Password)]
    pub password: Option<String>,
    /// For `client_credentials`: the API client's id.
    pub client_id: Option<String>,
    /// For `client_credentials`: the API client's secret.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// Ignored; tokens carry the account's role, not scopes.
    pub scope: Option<String>,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires; request a new one before then.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// A token error in the shape RFC 6749 §5.2 prescribes (this endpoint does not use problem+json, so that
/// standard OAuth client libraries understand it).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant` or `unsupported_grant_type`.
    #[schema(example = "invalid_grant")]
    pub error: String,
    /// A sentence for the developer.
    pub error_description: String,
}

fn oauth_error(
    status: actix_web::http::StatusCode,
    error: &str,
    description: &str,
) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    if status == actix_web::http::StatusCode::UNAUTHORIZED {
        resp.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="reintegra""#));
    }
    resp.insert_header((header::PRAGMA, "no-cache"))
        .json(OAuthError {
            error: error.to_owned(),
            error_description: description.to_owned(),
        })
}

fn invalid_request(description: &str) -> HttpResponse {
    oauth_error(
        actix_web::http::StatusCode::BAD_REQUEST,
        "invalid_request",
        description,
    )
}

/// Client credentials from an HTTP Basic header, if present.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

enum Grant {
    Password { username: String, password: String },
    Client { client_id: String, secret: String },
}

enum Outcome {
    Issued(Subject),
    InvalidCredentials,
    Throttled(u64),
}

/// Obtain an access token.
///
/// An OAuth 2.0 token endpoint (RFC 6749) for two grants: `password` for people signing in with their
/// username and password, `client_credentials` for partner software with an API client id and secret. The
/// answer is a short-lived JWT whose claims carry the account id (`sub`), institution (`inst`), institution
/// kind (`kind`) and role (`role`).
///
/// Wrong credentials, an unknown account and a deactivated one all answer the same `invalid_grant`
/// (`invalid_client` for clients) so that nothing is revealed about which accounts exist. After 5 failed attempts
/// of one account from one client address, each further attempt from that address waits 1, 2, 4, … seconds (at
/// most 5 minutes): 429 with `Retry-After`, even for the right password. Other addresses are not slowed down, so
/// a guesser cannot lock the account's owner out.
#[utoipa::path(
    tag = "auth",
    operation_id = "issue_token",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded",
        example = json!({"grant_type": "password", "username": "mopr-worker", "password": "reintegra-demo"})),
    responses(
        (status = 200, description = "A token was issued.", body = TokenResponse,
            example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 900})),
        (status = 400, description = "A field is missing, the grant type is unsupported, or the credentials are wrong (`invalid_grant`).", body = OAuthError),
        (status = 401, description = "The API client's credentials are wrong (`invalid_client`).", body = OAuthError),
        (status = 429, response = crate::foundation::openapi::TooManyRequests),
        (status = 503, response = crate::foundation::openapi::ServiceUnavailable),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    config: web::Data<Config>,
    tokens: web::Data<TokenService>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(invalid_request(
            "send the request as application/x-www-form-urlencoded (RFC 6749 §4.3.2)",
        ));
    }
    // No field of the form holds a NUL, `scope` included (the contract states it of every text; PostgreSQL's text
    // cannot hold one).
    if url::form_urlencoded::parse(&body).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Ok(invalid_request(
            "the form must not contain the NUL character (%00)",
        ));
    }
    let Ok(form) = serde_urlencoded::from_bytes::<TokenRequest>(&body) else {
        return Ok(invalid_request(
            "the form could not be parsed; grant_type is required",
        ));
    };
    let grant = match form.grant_type.as_str() {
        "password" => match (form.username, form.password) {
            (Some(username), Some(password)) if !username.is_empty() => {
                Grant::Password { username, password }
            }
            _ => {
                return Ok(invalid_request(
                    "the password grant needs username and password",
                ));
            }
        },
        "client_credentials" => {
            let creds = basic_credentials(&req).or(form.client_id.zip(form.client_secret));
            match creds {
                Some((client_id, secret)) if !client_id.is_empty() => {
                    Grant::Client { client_id, secret }
                }
                _ => {
                    return Ok(invalid_request(
                        "the client_credentials grant needs client_id and client_secret",
                    ));
                }
            }
        }
        _ => {
            return Ok(oauth_error(
                actix_web::http::StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be password or client_credentials",
            ));
        }
    };
    // No account name or secret holds a NUL (PostgreSQL's text cannot; the lookup failed with a 500).
    let (name, secret) = match &grant {
        Grant::Password { username, password } => (username, password),
        Grant::Client { client_id, secret } => (client_id, secret),
    };
    if name.contains('\0') || secret.contains('\0') {
        return Ok(invalid_request(
            "credentials must not contain the NUL character (%00)",
        ));
    }
    let is_client = matches!(grant, Grant::Client { .. });
    let free = config.login_max_failures;
    let longest = TimeDelta::from_std(config.login_window).unwrap_or(TimeDelta::minutes(5));
    // Behind a load balancer this is the balancer's address, as for the token endpoint's rate limit.
    let client_addr = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let outcome = db::run(&pool, move |conn| {
        let (kind, account, secret) = match &grant {
            Grant::Password { username, password } => (
                PrincipalType::User,
                store::find_user_login(conn, username)?,
                password.as_str(),
            ),
            Grant::Client { client_id, secret } => (
                PrincipalType::Client,
                store::find_client_login(conn, client_id)?,
                secret.as_str(),
            ),
        };
        let Some(account) = account else {
            password::burn_time();
            return Ok(Outcome::InvalidCredentials);
        };
        let now = crate::foundation::db::now();
        let streak = store::sign_in_failures(conn, &account.id, &client_addr)?;
        let (failures, last_failed) = streak.map_or((0, None), |(n, at)| (n, Some(at)));
        if let Some(wait) = throttled_for(failures, last_failed, now, free, longest) {
            return Ok(Outcome::Throttled(wait));
        }
        if !password::verify(secret, &account.secret_hash) {
            crate::foundation::db::write_tx(conn, |conn| {
                store::record_sign_in_failure(conn, &account.id, &client_addr, now)
            })?;
            log::info!("failed sign-in for account {}", account.id);
            return Ok(Outcome::InvalidCredentials);
        }
        // Checked after the password, so a guesser cannot learn which accounts are deactivated.
        if !account.active {
            return Ok(Outcome::InvalidCredentials);
        }
        if streak.is_some() {
            crate::foundation::db::write_tx(conn, |conn| {
                store::clear_sign_in_failures(conn, &account.id, Some(&client_addr))
            })?;
        }
        let role = account.role;
        let kind_of_institution = account
            .institution_kind
            .as_deref()
            .and_then(InstitutionKind::parse);
        Ok(Outcome::Issued(Subject {
            id: account.id,
            sub_type: kind,
            institution_id: account.institution_id,
            kind: kind_of_institution,
            role,
            generation: account.version,
        }))
    })
    .await?;
    match outcome {
        Outcome::Issued(subject) => Ok(HttpResponse::Ok()
            .insert_header((header::PRAGMA, "no-cache"))
            .json(TokenResponse {
                access_token: tokens.issue(&subject)?,
                token_type: "Bearer".into(),
                expires_in: tokens.ttl_secs(),
            })),
        Outcome::Throttled(retry_after_secs) => Err(ApiError::TooManyRequests {
            detail: "too many failed sign-in attempts for this account; wait before trying again"
                .into(),
            retry_after_secs,
        }),
        Outcome::InvalidCredentials if is_client => Ok(oauth_error(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client, wrong secret or deactivated client",
        )),
        Outcome::InvalidCredentials => Ok(oauth_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            "invalid_grant",
            "wrong username or password, or the account is deactivated",
        )),
    }
}

/// Who the token says the caller is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// The user's or API client's id (`sub`).
    pub id: String,
    pub principal_type: PrincipalType,
    /// The institution the caller acts for; `null` for a platform admin.
    pub institution_id: Option<String>,
    /// The kind of that institution; `null` for a platform admin.
    pub institution_kind: Option<InstitutionKind>,
    pub role: Role,
}

/// Who am I.
///
/// Echoes the identity the bearer token carries, after checking that the account is still active. Useful to
/// verify a token and to decide which parts of an app to show.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "The caller's identity.", body = Me,
            example = json!({"id": "0193…", "principal_type": "user", "institution_id": "0193…", "institution_kind": "MOPR", "role": "social_worker"})),
    )
)]
#[get("/me")]
pub async fn get_me(pool: web::Data<DbPool>, caller: Caller) -> Result<HttpResponse, ApiError> {
    crate::foundation::db::read_as(&pool, caller.principal(), |_| Ok(())).await?;
    Ok(HttpResponse::Ok().json(Me {
        id: caller.id,
        principal_type: caller.principal,
        institution_id: caller.institution_id,
        institution_kind: caller.kind,
        role: caller.role,
    }))
}
