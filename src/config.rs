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
    pub webhooks: crate::webhooks::dispatch::Settings,
    /// Requests per minute per caller on the token endpoint and on writes.
    pub rate_limits: crate::rate_limit::Limits,
}

impl Config {
    /// The HTTP worker threads to run: `workers`, or one per core when it is 0.
    pub fn http_workers(&self) -> usize {
        match self.workers {
            0 => crate::db::one_per_core(),
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
            demo: true,
            workers: 2,
            login_max_failures: 5,
            login_window: Duration::from_secs(300),
            cors_allowed_origins: Vec::new(),
            webhooks: crate::webhooks::dispatch::Settings::default(),
            rate_limits: crate::rate_limit::Limits::default(),
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
