//! Webhook endpoints and deliveries: types and the pure rules (URL safety, signatures, the retry schedule).

pub use crate::foundation::config::TargetPolicy;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use crate::foundation::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::foundation::error::{ApiError, FieldError};
use crate::records::events::EventType;

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;
/// Endpoints one institution may register.
pub const MAX_ENDPOINTS_PER_INSTITUTION: i64 = 20;

/// The stored endpoint. `event_types` is a comma-separated list; the cursor is the feed position up to which
/// the institution's events have been turned into deliveries.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints, treat_none_as_default_value = false)]
pub struct EndpointRow {
    pub id: String,
    pub institution_id: String,
    pub url: String,
    pub event_types: String,
    pub description: String,
    pub secret: String,
    pub active: bool,
    pub cursor_txid: i64,
    pub cursor_seq: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl EndpointRow {
    pub fn subscribes_to(&self, event_type: &str) -> bool {
        self.event_types.split(',').any(|t| t == event_type)
    }

    pub fn view(&self) -> Webhook {
        Webhook {
            id: self.id.clone(),
            institution_id: self.institution_id.clone(),
            url: self.url.clone(),
            event_types: self
                .event_types
                .split(',')
                .filter_map(EventType::parse)
                .collect(),
            description: self.description.clone(),
            active: self.active,
            created_by: self.created_by.clone(),
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        }
    }
}

crate::stored_enum! {
    /// Where a delivery stands: `pending` (waiting for its first or next attempt), `succeeded` (the endpoint
    /// answered 2xx), `failed` (every attempt of the schedule failed; the event stays in `GET /api/v1/events`).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DeliveryStatus {
        Pending,
        Succeeded,
        Failed,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts, treat_none_as_default_value = false)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i32,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// An endpoint to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://integracja.cis-torun.example/reintegra/webhooks",
    "event_types": ["opinion.issued", "referral.issued"], "description": "CIS case system"}))]
pub struct NewWebhook {
    /// Where deliveries are POSTed: an `https://` URL on a public address (no credentials in it). Private,
    /// loopback and link-local targets, and plain `http://`, are refused unless the service is configured to
    /// allow them (`REINTEGRA_WEBHOOK_ALLOW_PRIVATE_TARGETS`, for on-premise networks).
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "https://integracja.cis-torun.example/reintegra/webhooks"
    )]
    pub url: String,
    /// The event types to deliver (at least one, each once: a repeated type is 422 `duplicate`); the same types
    /// as `GET /api/v1/events`.
    #[schema(min_items = 1, max_items = 32)]
    pub event_types: Vec<EventType>,
    /// What the endpoint is, for the admins (up to 200 characters).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub description: Option<String>,
}

impl NewWebhook {
    /// The endpoint's fields as stored, or every field error at once.
    pub fn check(&self, targets: TargetPolicy) -> Result<(String, String, String), ApiError> {
        let mut errors = Vec::new();
        let url = match check_url(&self.url, targets) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut types: Vec<&'static str> = Vec::new();
        for t in &self.event_types {
            if types.contains(&t.as_str()) {
                errors.push(FieldError::new(
                    "event_types",
                    "duplicate",
                    format!("{} is listed twice", t.as_str()),
                ));
            }
            types.push(t.as_str());
        }
        if types.is_empty() {
            errors.push(FieldError::new(
                "event_types",
                "required",
                "name at least one event type",
            ));
        }
        let description = self.description.clone().unwrap_or_default();
        if description.chars().count() > 200 {
            errors.push(FieldError::new(
                "description",
                "too_long",
                "at most 200 characters",
            ));
        }
        match url {
            Some(url) if errors.is_empty() => Ok((url, types.join(","), description)),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// A registered endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: String,
    /// The institution whose events are delivered (the admin's own).
    pub institution_id: String,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: String,
    /// `false` once deactivated: nothing more is delivered.
    pub active: bool,
    /// The admin who registered it.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A registered endpoint with its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisteredWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks signing secret (`whsec_` and the base64 of 32 random bytes). Store it now: it is
    /// never shown again. Verify each delivery's `webhook-signature` with it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// One try of a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttempt {
    /// 1 for the first try.
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<i32>,
    /// Why the try failed without an answer (connection refused, timeout, a refused address), or the status.
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One event's delivery to one endpoint, with its attempts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    /// The `webhook-id` header of every attempt: the event's id in your feed (deduplicate on it).
    pub event_id: String,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When it succeeded or finally failed.
    pub finished_at: Option<DateTime<Utc>>,
    /// The exact body POSTed.
    pub payload: serde_json::Value,
    /// Oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

impl DeliveryRow {
    pub fn view(&self, attempts: &[AttemptRow]) -> Result<WebhookDelivery, ApiError> {
        Ok(WebhookDelivery {
            id: self.id.clone(),
            event_id: self.event_id.clone(),
            event_type: EventType::parse(&self.event_type)
                .ok_or_else(|| ApiError::internal("unknown stored event type"))?,
            status: self.status,
            next_attempt_at: self.next_attempt_at.map(|t| t.and_utc()),
            created_at: self.created_at.and_utc(),
            finished_at: self.finished_at.map(|t| t.and_utc()),
            payload: serde_json::from_str(&self.payload)
                .map_err(|e| ApiError::internal(format!("stored payload: {e}")))?,
            attempts: attempts
                .iter()
                .map(|a| DeliveryAttempt {
                    attempt: a.attempt,
                    attempted_at: a.attempted_at.and_utc(),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
        })
    }
}

fn url_error(code: &'static str, detail: impl Into<String>) -> FieldError {
    FieldError::new("url", code, detail)
}

/// Checks a webhook URL and returns it normalised. Hostnames are checked again, resolved, at every delivery (see
/// [`address_allowed`]), so a name that later resolves to a private address is refused then.
pub fn check_url(raw: &str, targets: TargetPolicy) -> Result<String, FieldError> {
    if raw.len() > MAX_URL_LEN {
        return Err(url_error(
            "too_long",
            format!("at most {MAX_URL_LEN} characters"),
        ));
    }
    let url = reqwest::Url::parse(raw)
        .map_err(|e| url_error("invalid_url", format!("not an absolute URL: {e}")))?;
    match (url.scheme(), targets) {
        ("https", _) | ("http", TargetPolicy::AllowPrivate) => {}
        ("http", TargetPolicy::PublicOnly) => {
            return Err(url_error(
                "insecure_scheme",
                "deliveries carry signed case notices: use https://",
            ));
        }
        _ => return Err(url_error("invalid_scheme", "use an https:// URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(url_error(
            "credentials_in_url",
            "put no credentials in the URL: verify the webhook-signature instead",
        ));
    }
    if url.fragment().is_some() {
        return Err(url_error("fragment_in_url", "a URL with a #fragment"));
    }
    let host = url
        .host()
        .ok_or_else(|| url_error("invalid_url", "the URL has no host"))?;
    if let url::Host::Domain(d) = host {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if targets == TargetPolicy::PublicOnly
            && (d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
                || !d.contains('.'))
        {
            return Err(url_error("private_target", "the host is not a public name"));
        }
    }
    if let Some(ip) = host_ip(&url)
        && !address_allowed(ip, targets)
    {
        return Err(url_error(
            "private_target",
            format!("{ip} is a private, loopback, link-local or reserved address"),
        ));
    }
    Ok(url.to_string())
}

/// The address a URL names literally (`https://10.0.0.1/`), if it names one rather than a host name. Such URLs
/// never reach a resolver, so they are judged by this address.
pub fn host_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(_) => None,
    }
}

/// Whether a delivery may connect to this address: any under [`TargetPolicy::AllowPrivate`], only globally
/// routable unicast addresses otherwise (IPv4 embedded in IPv6 is judged as IPv4).
pub fn address_allowed(ip: IpAddr, targets: TargetPolicy) -> bool {
    targets == TargetPolicy::AllowPrivate || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = a.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 target.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            !(a.is_unspecified()
                || a.is_loopback()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
                && a != Ipv6Addr::UNSPECIFIED
        }
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let o = a.octets();
    !(
        a.is_unspecified()
        || o[0] == 0
        || a.is_private()
        || a.is_loopback()
        || a.is_link_local()
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || a.is_documentation()
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || a.is_multicast()
        || o[0] >= 240
        // reserved and broadcast
    )
}

/// A new signing secret: `whsec_` and the base64 of 32 random bytes (the Standard Webhooks format).
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", B64.encode(bytes))
}

/// The `webhook-signature` header of a delivery: `v1,` and the base64 HMAC-SHA256, keyed with the secret's
/// bytes, of `{webhook-id}.{webhook-timestamp}.{body}` (Standard Webhooks, symmetric signature).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|k| B64.decode(k).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// After `attempts` failed tries, how long until the next one, or `None` when the schedule is spent.
pub fn next_retry(schedule: &[Duration], attempts: i32) -> Option<Duration> {
    usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| schedule.get(i).copied())
}

/// The body POSTed for an event: `type`, `timestamp` and `data` (Standard Webhooks' payload shape). It names the
/// resource and its link, never its content: the receiver fetches it with its own token, so access rules and the
/// audit trail apply as for any read.
pub fn payload(
    event_type: &str,
    occurred_at: DateTime<Utc>,
    event_id: &str,
    institution_id: &str,
    resource_type: &str,
    resource_id: &str,
    cursor: &str,
) -> String {
    serde_json::json!({
        "type": event_type,
        "timestamp": occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": {
            "id": event_id,
            "institution_id": institution_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "link": crate::records::events::link(resource_type, resource_id),
            "cursor": cursor,
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::config::default_retry_schedule;

    fn refused(url: &str) -> String {
        check_url(url, TargetPolicy::PublicOnly)
            .expect_err(url)
            .code
    }

    #[test]
    fn private_loopback_link_local_and_reserved_targets_are_refused() {
        for url in [
            "https://127.0.0.1/hook",
            "https://127.1.2.3/hook",
            "https://2130706433/hook", // 127.0.0.1 as one number
            "https://0x7f000001/hook",
            "https://0.0.0.0/hook",
            "https://10.1.2.3/hook",
            "https://172.16.0.1/hook",
            "https://192.168.1.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/hook",
            "https://[::1]/hook",
            "https://[::]/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook", // NAT64 of 169.254.169.254
            "https://224.0.0.1/hook",
            "https://255.255.255.255/hook",
            "https://localhost/hook",
            "https://api.localhost/hook",
            "https://intranet/hook",
            "https://printer.local/hook",
        ] {
            assert_eq!(refused(url), "private_target", "{url}");
        }
    }

    #[test]
    fn only_https_without_credentials_is_accepted_for_public_targets() {
        assert_eq!(refused("http://example.org/hook"), "insecure_scheme");
        assert_eq!(refused("ftp://example.org/hook"), "invalid_scheme");
        assert_eq!(refused("file:///etc/passwd"), "invalid_scheme");
        assert_eq!(refused("gopher://example.org/"), "invalid_scheme");
        assert_eq!(
            refused("https://user:pw@example.org/hook"),
            "credentials_in_url"
        );
        assert_eq!(refused("not a url"), "invalid_url");
        assert_eq!(refused("https://example.org/#x"), "fragment_in_url");
        assert_eq!(
            check_url("https://Example.ORG/hook?x=1", TargetPolicy::PublicOnly).unwrap(),
            "https://example.org/hook?x=1"
        );
        assert!(check_url("https://8.8.8.8/", TargetPolicy::PublicOnly).is_ok());
        assert!(check_url("https://[2a00:1450::1]/", TargetPolicy::PublicOnly).is_ok());
    }

    #[test]
    fn a_configured_private_network_allows_http_and_private_addresses() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.0.0.5/x",
        ] {
            assert!(check_url(url, TargetPolicy::AllowPrivate).is_ok(), "{url}");
        }
        assert!(check_url("ftp://10.0.0.5/x", TargetPolicy::AllowPrivate).is_err());
    }

    #[test]
    fn resolved_addresses_are_judged_like_literals() {
        let public: IpAddr = "93.184.215.14".parse().unwrap();
        let private: IpAddr = "192.168.0.10".parse().unwrap();
        assert!(address_allowed(public, TargetPolicy::PublicOnly));
        assert!(!address_allowed(private, TargetPolicy::PublicOnly));
        assert!(address_allowed(private, TargetPolicy::AllowPrivate));
    }

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn retries_follow_the_schedule_and_then_stop() {
        let s = default_retry_schedule();
        assert_eq!(next_retry(&s, 1), Some(Duration::from_secs(5)));
        assert_eq!(next_retry(&s, 2), Some(Duration::from_secs(300)));
        assert_eq!(next_retry(&s, 7), Some(Duration::from_secs(36000)));
        assert_eq!(next_retry(&s, 8), None);
        assert_eq!(next_retry(&s, 0), None);
    }
}
