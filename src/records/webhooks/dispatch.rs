//! The delivery worker: one per node, on the service's background thread, that turns feed events into deliveries and sends the due ones.
//!
//! Deliveries come from the same outbox as `GET /api/v1/events`. Each endpoint keeps a cursor in its
//! institution's feed; the worker reads the settled events after it and, in one transaction, records a delivery
//! per subscribed event and moves the cursor (conditionally, so two nodes never both take the same events). A
//! delivery is claimed for one attempt by moving its due time forward (a lease): a node killed mid-attempt leaves
//! it due again when the lease ends, so an event is delivered at least once, and receivers deduplicate on
//! `webhook-id`. Nothing is kept only in memory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::model::{
    AttemptRow, DeliveryRow, DeliveryStatus, EndpointRow, address_allowed, host_ip, next_retry,
    payload, sign,
};
use super::store;
use crate::foundation::background::Stopping;
use crate::foundation::config::{TargetPolicy, WebhookSettings};
use crate::foundation::db::{self, DbPool};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::encode_cursor;
use crate::records::events::store::{FeedPosition, settled_after};

/// What the worker has done, for the metrics.
#[derive(Debug, Default)]
pub struct Counters {
    /// Deliveries waiting for an attempt, as of the last look.
    pub backlog: AtomicI64,
    pub succeeded: AtomicU64,
    pub failed_attempts: AtomicU64,
}

/// Events moved into deliveries per endpoint and look.
const FAN_OUT_BATCH: i64 = 200;
/// Deliveries attempted at once.
const SEND_BATCH: i64 = 32;

/// Delivers until the service stops; run on the background thread (see [`crate::foundation::background`]). A round in
/// progress when the service stops is finished, its attempts being bounded by [`WebhookSettings::timeout`].
pub async fn run(
    pool: DbPool,
    settings: WebhookSettings,
    counters: Arc<Counters>,
    mut stopping: Stopping,
) {
    let client = match client(&settings) {
        Ok(c) => c,
        Err(e) => {
            log::error!("webhook worker not started: {e}");
            return;
        }
    };
    let mut failing_since: Option<Instant> = None;
    while !stopping.is_stopping() {
        match round(&pool, &client, &settings, &counters).await {
            Ok(sent) => {
                if failing_since.take().is_some() {
                    log::info!("webhook worker reaches the database again");
                }
                if sent == 0 && stopping.sleep(settings.poll_interval).await {
                    break;
                }
            }
            Err(e) => {
                // Log the outage once, then back off up to 30 s rather than hammer a database that is down.
                let since = *failing_since.get_or_insert_with(|| {
                    log::warn!("webhook worker: {e}");
                    Instant::now()
                });
                let pause = since
                    .elapsed()
                    .clamp(settings.poll_interval, Duration::from_secs(30));
                if stopping.sleep(pause).await {
                    break;
                }
            }
        }
    }
}

/// One look: fan out new events, then attempt the due deliveries. Returns how many were attempted.
async fn round(
    pool: &DbPool,
    client: &reqwest::Client,
    settings: &WebhookSettings,
    counters: &Counters,
) -> Result<usize, ApiError> {
    let lease = settings.timeout + Duration::from_secs(30);
    let p = pool.clone();
    let (claimed, backlog) = tokio::task::spawn_blocking(move || {
        let mut conn = p.get()?;
        fan_out(&mut conn)?;
        let now = db::now();
        let lease_until = now + TimeDelta::from_std(lease).unwrap_or(TimeDelta::minutes(1));
        let mut claimed = Vec::new();
        for (delivery, endpoint) in store::due(&mut conn, now, SEND_BATCH)? {
            if db::write_tx(&mut conn, |conn| store::claim(conn, &delivery, lease_until))? {
                claimed.push((delivery, endpoint));
            }
        }
        Ok::<_, ApiError>((claimed, store::backlog(&mut conn)?))
    })
    .await
    .map_err(|e| ApiError::internal(format!("webhook worker task: {e}")))??;
    counters.backlog.store(backlog, Ordering::Relaxed);
    let sent = claimed.len();
    if sent == 0 {
        return Ok(0);
    }
    let attempts = futures_util::future::join_all(
        claimed
            .iter()
            .map(|(d, e)| attempt(client, settings.targets, d, e)),
    )
    .await;
    let schedule = settings.retry_schedule.clone();
    let p = pool.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let mut conn = p.get()?;
        let mut outcomes = Vec::new();
        for attempt in attempts {
            let ok = attempt.status_code.is_some_and(|s| (200..300).contains(&s));
            let (status, next) = if ok {
                (DeliveryStatus::Succeeded, None)
            } else {
                match next_retry(&schedule, attempt.attempt) {
                    Some(wait) => (
                        DeliveryStatus::Pending,
                        Some(attempt.attempted_at + TimeDelta::from_std(wait).unwrap_or_default()),
                    ),
                    None => (DeliveryStatus::Failed, None),
                }
            };
            db::write_tx(&mut conn, |conn| {
                store::record_attempt(conn, &attempt, status, next)
            })?;
            outcomes.push(ok);
        }
        Ok::<_, ApiError>(outcomes)
    })
    .await
    .map_err(|e| ApiError::internal(format!("webhook worker task: {e}")))??;
    for ok in outcomes {
        if ok {
            counters.succeeded.fetch_add(1, Ordering::Relaxed);
        } else {
            counters.failed_attempts.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(sent)
}

/// Moves every active endpoint's new events into deliveries.
fn fan_out(conn: &mut db::Conn) -> Result<(), ApiError> {
    for endpoint in store::active_endpoints(conn)? {
        let from = FeedPosition {
            txid: endpoint.cursor_txid,
            seq: endpoint.cursor_seq,
        };
        let events = settled_after(conn, &endpoint.institution_id, from, FAN_OUT_BATCH)?;
        let Some(last) = events.last() else {
            continue;
        };
        let to = FeedPosition::of(last);
        let now = db::now();
        db::write_tx(conn, |conn| {
            if !store::advance_cursor(conn, &endpoint.id, from, to)? {
                return Ok(()); // another node took these events
            }
            for e in events
                .iter()
                .filter(|e| endpoint.subscribes_to(&e.event_type))
            {
                let cursor = encode_cursor(&format!("{}.{}", e.txid, e.seq));
                store::insert_delivery(
                    conn,
                    &DeliveryRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        endpoint_id: endpoint.id.clone(),
                        event_id: e.id.clone(),
                        event_type: e.event_type.clone(),
                        payload: payload(e, &cursor),
                        status: DeliveryStatus::Pending,
                        attempts: 0,
                        next_attempt_at: Some(now),
                        created_at: now,
                        finished_at: None,
                    },
                )?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// One POST of a delivery, signed for this attempt's timestamp.
async fn attempt(
    client: &reqwest::Client,
    targets: TargetPolicy,
    delivery: &DeliveryRow,
    endpoint: &EndpointRow,
) -> AttemptRow {
    let started = Instant::now();
    let attempted_at = db::now();
    let timestamp = Utc::now().timestamp();
    let result = send(client, targets, delivery, endpoint, timestamp).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status_code, error) = match result {
        Ok(status) if (200..300).contains(&status) => (Some(i32::from(status)), None),
        Ok(status) => (
            Some(i32::from(status)),
            Some(format!("the endpoint answered {status}")),
        ),
        Err(e) => (None, Some(e)),
    };
    if let Some(e) = &error {
        log::info!(
            "webhook delivery {} attempt {} to endpoint {}: {e}",
            delivery.id,
            delivery.attempts + 1,
            endpoint.id
        );
    }
    AttemptRow {
        delivery_id: delivery.id.clone(),
        attempt: delivery.attempts + 1,
        attempted_at,
        status_code,
        error,
        duration_ms,
    }
}

async fn send(
    client: &reqwest::Client,
    targets: TargetPolicy,
    delivery: &DeliveryRow,
    endpoint: &EndpointRow,
    timestamp: i64,
) -> Result<u16, String> {
    let url = reqwest::Url::parse(&endpoint.url).map_err(|e| format!("invalid URL: {e}"))?;
    // IP literals never reach the resolver, so they are judged here (the policy may have changed since
    // registration).
    if host_ip(&url).is_some_and(|ip| !address_allowed(ip, targets)) {
        return Err("refused: the URL names a private address".into());
    }
    let signature = sign(
        &endpoint.secret,
        &delivery.event_id,
        timestamp,
        &delivery.payload,
    );
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &delivery.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(describe)?;
    // The body is not read: an endpoint's answer carries nothing the service acts on.
    Ok(response.status().as_u16())
}

fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    let mut text = if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    };
    text.truncate(300);
    text
}

fn client(settings: &WebhookSettings) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(settings.timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("reintegra-webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(GuardedResolver {
            targets: settings.targets,
        }))
        .build()
}

/// Resolves endpoint host names and drops the addresses a delivery may not reach, at the moment of connecting,
/// so a name re-pointed at an internal address after registration (DNS rebinding) is refused too.
struct GuardedResolver {
    targets: TargetPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let targets = self.targets;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| address_allowed(a.ip(), targets))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}
