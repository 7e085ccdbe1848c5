//! Prometheus metrics at `GET /metrics` (text exposition format): requests by method, route template and status,
//! their latency, the connection pool's use and the audit writer's commits and records (records per commit is
//! the group-commit batch size). Labels carry route templates (`/api/v1/persons/{id}`), never ids, query
//! strings or anything about a person. The endpoint needs no token, like the health probes: expose it to the
//! scraper only (at the load balancer or by network policy).

use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::records::state::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    pool: IntGaugeVec,
    audit_commits: IntGauge,
    audit_records: IntGauge,
    sqlite_writes: IntGauge,
    sqlite_write_commits: IntGauge,
    webhook_backlog: IntGauge,
    webhook_succeeded: IntGauge,
    webhook_failed_attempts: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry =
            Registry::new_custom(Some("reintegra".into()), None).expect("a valid metrics prefix");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by method, route template and status.",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer, by method and route template.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections of this node's pools (writes, reads, the audit writer), by state.",
            ),
            &["state"],
        )
        .expect("valid metric");
        let audit_commits = IntGauge::new(
            "audit_read_commits_total",
            "Commits of the read-audit writer (each commits the records of many reads).",
        )
        .expect("valid metric");
        let audit_records = IntGauge::new(
            "audit_read_records_total",
            "Read-audit records committed by the writer; divided by the commits, the batch size.",
        )
        .expect("valid metric");
        let sqlite_writes = IntGauge::new(
            "sqlite_writes_total",
            "Write transactions committed on SQLite (0 on PostgreSQL).",
        )
        .expect("valid metric");
        let sqlite_write_commits = IntGauge::new(
            "sqlite_write_commits_total",
            "SQLite commits carrying those writes; writes divided by commits is the group size.",
        )
        .expect("valid metric");
        let webhook_backlog = IntGauge::new(
            "webhook_backlog",
            "Webhook deliveries waiting for an attempt (first or retry), as of the worker's last look.",
        )
        .expect("valid metric");
        let webhook_succeeded = IntGauge::new(
            "webhook_deliveries_succeeded_total",
            "Webhook deliveries this node completed with a 2xx answer.",
        )
        .expect("valid metric");
        let webhook_failed_attempts = IntGauge::new(
            "webhook_attempts_failed_total",
            "Webhook attempts of this node that got no 2xx answer (each is retried per the schedule).",
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(duration.clone()),
            Box::new(pool.clone()),
            Box::new(audit_commits.clone()),
            Box::new(audit_records.clone()),
            Box::new(sqlite_writes.clone()),
            Box::new(sqlite_write_commits.clone()),
            Box::new(webhook_backlog.clone()),
            Box::new(webhook_succeeded.clone()),
            Box::new(webhook_failed_attempts.clone()),
        ] {
            registry.register(c).expect("each metric registered once");
        }
        Metrics {
            registry,
            requests,
            duration,
            pool,
            audit_commits,
            audit_records,
            sqlite_writes,
            sqlite_write_commits,
            webhook_backlog,
            webhook_succeeded,
            webhook_failed_attempts,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, started: Instant) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.duration
            .with_label_values(&[method, route])
            .observe(started.elapsed().as_secs_f64());
    }

    /// The current values in the text exposition format.
    pub fn render(&self, state: &AppState) -> String {
        let (open, idle) = state.pool.connections();
        self.pool.with_label_values(&["idle"]).set(i64::from(idle));
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(open - idle));
        self.audit_commits
            .set(state.audit_counters.commits.load(Ordering::Relaxed) as i64);
        self.audit_records
            .set(state.audit_counters.records.load(Ordering::Relaxed) as i64);
        let (writes, commits) = state.pool.write_stats();
        self.sqlite_writes.set(writes as i64);
        self.sqlite_write_commits.set(commits as i64);
        let hooks = &state.webhook_counters;
        self.webhook_backlog
            .set(hooks.backlog.load(Ordering::Relaxed));
        self.webhook_succeeded
            .set(hooks.succeeded.load(Ordering::Relaxed) as i64);
        self.webhook_failed_attempts
            .set(hooks.failed_attempts.load(Ordering::Relaxed) as i64);
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            log::error!("metrics encoding failed: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Middleware: counts and times every request under its route template (`unmatched` for paths no route has).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics.observe(&method, &route, res.status().as_u16(), started);
    }
    Ok(res)
}

/// `GET /metrics`.
pub async fn scrape(metrics: web::Data<Metrics>, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(&state))
}
