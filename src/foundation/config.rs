//! Typed configuration, read once at start from flags and environment variables and passed in; no globals.
//! Secrets are wrapped so that `Debug` never prints them.

use std::fmt;
use std::time::Duration;

/// A value that must never reach a log line.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The shortest signing secret accepted: HS256 keys shorter than the hash output weaken it.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Everything the service needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` or a SQLite file path.
    pub database_url: String,
    /// Address to listen on, `host:port`; port 0 picks a free port (tests).
    pub bind: String,
    /// Connections in the pool.
    pub pool_size: u32,
    /// HMAC secret signing the access tokens.
    pub jwt_secret: Secret,
    /// `iss` and `aud` of the tokens this service issues and accepts.
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// How long an access token lives.
    pub token_ttl: Duration,
    /// Largest JSON body accepted.
    pub json_limit_bytes: usize,
    /// Largest case document accepted (`REINTEGRA_DOCUMENT_MAX_BYTES`, 20 MiB by default).
    pub document_max_bytes: u64,
    /// The appeal body decisions name, in the genitive (`REINTEGRA_APPEAL_BODY`; the SKO in Toruń by default).
    pub appeal_body: String,
    /// Seed demo institutions and users.
    pub demo: bool,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Failed logins of one account tolerated within `login_window` before it is throttled.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Origins of browser apps allowed to call the API cross-origin (CORS); empty: CORS off, no browser origin
    /// but the service's own may call it.
    pub cors_allowed_origins: Vec<String>,
    /// How webhooks are delivered: which targets are allowed, the retry schedule, polling and timeouts.
    pub webhooks: WebhookSettings,
    /// Requests per minute per caller on the token endpoint and on writes.
    pub rate_limits: RateLimitSettings,
}

impl Config {
    /// The HTTP worker threads to run: `workers`, or one per core when it is 0.
    pub fn http_workers(&self) -> usize {
        match self.workers {
            0 => one_per_core(),
            n => n,
        }
    }

    /// Defaults suitable for tests and development: an explicit SQLite path, an ephemeral port, a random secret.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind: "127.0.0.1:0".into(),
            pool_size: 4,
            jwt_secret: Secret::new(random_secret()),
            jwt_issuer: "reintegra".into(),
            jwt_audience: "reintegra-api".into(),
            token_ttl: Duration::from_secs(900),
            json_limit_bytes: 64 * 1024,
            document_max_bytes: 20 * 1024 * 1024,
            appeal_body: "Samorządowego Kolegium Odwoławczego w Toruniu".into(),
            demo: true,
            workers: 2,
            login_max_failures: 5,
            login_window: Duration::from_secs(300),
            cors_allowed_origins: Vec::new(),
            webhooks: WebhookSettings::default(),
            rate_limits: RateLimitSettings::default(),
        }
    }
}

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A fresh 256-bit secret, hex-encoded; used in demo mode when none is configured.
pub fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses `REINTEGRA_CORS_ORIGINS`: comma-separated origins, each `http://` or `https://` with a host and an
/// optional port and nothing else (no path, no `*`: an allowed origin is always named).
pub fn parse_cors_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(|| ConfigError::BadOrigin(raw.to_owned()))?;
        let ok = !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':');
        if !ok {
            return Err(ConfigError::BadOrigin(raw.to_owned()));
        }
        out.push(raw.to_ascii_lowercase());
    }
    Ok(out)
}

/// Why a configuration cannot be used; printed as one line at start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "REINTEGRA_JWT_SECRET is required outside --demo (at least {MIN_JWT_SECRET_BYTES} bytes)"
    )]
    MissingSecret,
    #[error(
        "REINTEGRA_JWT_SECRET is too short: {0} bytes, at least {MIN_JWT_SECRET_BYTES} are required"
    )]
    ShortSecret(usize),
    #[error(
        "REINTEGRA_CORS_ORIGINS has {0:?}: name each origin as http(s)://host[:port], comma-separated"
    )]
    BadOrigin(String),
}

/// Checks a configured secret, or makes one up in demo mode.
pub fn resolve_secret(configured: Option<String>, demo: bool) -> Result<Secret, ConfigError> {
    match configured.filter(|s| !s.is_empty()) {
        Some(s) if s.len() < MIN_JWT_SECRET_BYTES => Err(ConfigError::ShortSecret(s.len())),
        Some(s) => Ok(Secret::new(s)),
        None if demo => Ok(Secret::new(random_secret())),
        None => Err(ConfigError::MissingSecret),
    }
}

/// Requests per minute allowed per caller; 0 turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// `POST /api/v1/auth/token`, per client IP address.
    pub token_per_minute: u32,
    /// Every other POST, PATCH, PUT and DELETE under `/api/v1`, per token subject (per client address without a
    /// valid token).
    pub writes_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            token_per_minute: 60,
            writes_per_minute: 1200,
        }
    }
}

/// How the webhook worker delivers (`crate::records::webhooks::dispatch`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub targets: TargetPolicy,
    /// Waits before the second, third, … attempt; when spent, the delivery has failed.
    pub retry_schedule: Vec<Duration>,
    /// How often the feed and the queue are looked at when there is nothing to do.
    pub poll_interval: Duration,
    /// How long one attempt may take (connect, send, the endpoint's status line).
    pub timeout: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            targets: TargetPolicy::PublicOnly,
            retry_schedule: default_retry_schedule(),
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Which targets a webhook may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPolicy {
    /// `https://` to public addresses only.
    PublicOnly,
    /// Also `http://` and private, loopback and link-local addresses (on-premise networks, tests).
    AllowPrivate,
}

/// The waits before the second, third, … attempt: Standard Webhooks' recommended schedule (5 s, 5 min, 30 min,
/// 2 h, 5 h, 10 h, 10 h), so an endpoint that is down for most of a day still gets every event.
pub fn default_retry_schedule() -> Vec<Duration> {
    [5, 300, 1800, 7200, 18000, 36000, 36000]
        .into_iter()
        .map(Duration::from_secs)
        .collect()
}

/// The default number of HTTP workers: one per core.
pub fn one_per_core() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let c = Config::for_tests("x.db");
        assert!(!format!("{c:?}").contains(c.jwt_secret.expose()));
    }

    #[test]
    fn secret_is_required_outside_demo_and_must_be_long() {
        assert!(matches!(
            resolve_secret(None, false),
            Err(ConfigError::MissingSecret)
        ));
        assert!(matches!(
            resolve_secret(Some("short".into()), true),
            Err(ConfigError::ShortSecret(5))
        ));
        assert!(resolve_secret(None, true).is_ok());
        assert!(resolve_secret(Some("x".repeat(32)), false).is_ok());
    }

    #[test]
    fn cors_origins_are_named_origins_only() {
        assert_eq!(
            parse_cors_origins(" https://App.example , http://localhost:3000").unwrap(),
            ["https://app.example", "http://localhost:3000"]
        );
        assert!(parse_cors_origins("").unwrap().is_empty());
        for bad in [
            "*",
            "app.example",
            "https://app.example/path",
            "ftp://x",
            "https://",
        ] {
            assert!(parse_cors_origins(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn postgres_urls_are_recognised() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("postgresql://u@h/db"));
        assert!(!is_postgres_url("reintegra.db"));
    }
}
