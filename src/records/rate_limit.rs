//! Rate limits per caller: on the token endpoint (per client address: it is where passwords are guessed) and on
//! writes (per token subject: a runaway integration must not starve the others). Every limited response carries
//! `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers); a refusal is 429 with `Retry-After`.
//! The limits are kept in this node's memory (GCRA, the `governor` crate): behind N nodes a caller may get up to N
//! times the quota, which bounds abuse without a shared store on the request path.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::foundation::config::RateLimitSettings;
use crate::foundation::error::ApiError;
use crate::identity::tokens::TokenService;

pub const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

type Keyed =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One named limit: its quota, the limiter and how often it was asked (to prune forgotten callers now and then).
struct Policy {
    name: &'static str,
    per_minute: u32,
    limiter: Keyed,
    checks: AtomicU64,
}

impl Policy {
    fn new(name: &'static str, per_minute: u32) -> Option<Self> {
        let n = NonZeroU32::new(per_minute)?;
        Some(Policy {
            name,
            per_minute,
            limiter: RateLimiter::keyed(Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>(),
            checks: AtomicU64::new(0),
        })
    }

    fn header_policy(&self) -> String {
        format!("\"{}\";q={};w=60", self.name, self.per_minute)
    }

    /// Seconds until the caller's full quota is back, from what is left of it.
    fn reset_after(&self, remaining: u32) -> u64 {
        let used = u64::from(self.per_minute.saturating_sub(remaining));
        (used * 60).div_ceil(u64::from(self.per_minute))
    }

    fn check(&self, key: String) -> Decision {
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                Decision::Allowed {
                    policy: self.header_policy(),
                    limit: format!(
                        "\"{}\";r={remaining};t={}",
                        self.name,
                        self.reset_after(remaining)
                    ),
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Decision::Refused {
                    policy: self.header_policy(),
                    limit: format!("\"{}\";r=0;t={}", self.name, secs.max(1)),
                    retry_after: Duration::from_secs(secs.max(1)),
                }
            }
        }
    }
}

enum Decision {
    Allowed {
        policy: String,
        limit: String,
    },
    Refused {
        policy: String,
        limit: String,
        retry_after: Duration,
    },
}

/// The limiters of one service.
pub struct RateLimits {
    token: Option<Policy>,
    writes: Option<Policy>,
}

impl RateLimits {
    pub fn new(limits: RateLimitSettings) -> Arc<Self> {
        Arc::new(RateLimits {
            token: Policy::new("token", limits.token_per_minute),
            writes: Policy::new("writes", limits.writes_per_minute),
        })
    }
}

fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    )
}

fn client_ip(req: &ServiceRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
        .to_string()
}

/// The subject of a valid bearer token, or the client address.
fn writer_key(req: &ServiceRequest) -> String {
    let tokens = req.app_data::<web::Data<TokenService>>();
    match tokens.and_then(|t| crate::identity::caller::verified_subject(req.headers(), t)) {
        Some(sub) => format!("sub:{sub}"),
        None => format!("ip:{}", client_ip(req)),
    }
}

fn set(headers: &mut header::HeaderMap, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// Middleware around the API.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let decision = match req.app_data::<web::Data<RateLimits>>() {
        Some(limits) if req.path().starts_with("/api/v1/") && is_write(req.method()) => {
            if req.path() == "/api/v1/auth/token" {
                limits.token.as_ref().map(|p| p.check(client_ip(&req)))
            } else {
                limits.writes.as_ref().map(|p| p.check(writer_key(&req)))
            }
        }
        _ => None,
    };
    match decision {
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Some(Decision::Allowed { policy, limit }) => {
            let mut res = next.call(req).await?.map_into_boxed_body();
            set(res.headers_mut(), RATELIMIT_POLICY, &policy);
            set(res.headers_mut(), RATELIMIT, &limit);
            Ok(res)
        }
        Some(Decision::Refused {
            policy,
            limit,
            retry_after,
        }) => {
            let mut response = ApiError::TooManyRequests {
                detail: format!(
                    "too many requests from you; retry in {} s",
                    retry_after.as_secs()
                ),
                retry_after_secs: retry_after.as_secs(),
            }
            .error_response();
            set(response.headers_mut(), RATELIMIT_POLICY, &policy);
            set(response.headers_mut(), RATELIMIT, &limit);
            Ok(req.into_response(response))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_gets_its_quota_then_a_refusal_with_the_wait() {
        let p = Policy::new("writes", 3).unwrap();
        for left in [2, 1, 0] {
            match p.check("a".into()) {
                Decision::Allowed { limit, policy } => {
                    assert_eq!(policy, "\"writes\";q=3;w=60");
                    assert!(
                        limit.starts_with(&format!("\"writes\";r={left};t=")),
                        "{limit}"
                    );
                }
                Decision::Refused { .. } => panic!("refused within the quota"),
            }
        }
        match p.check("a".into()) {
            Decision::Refused {
                retry_after, limit, ..
            } => {
                // One request comes back every 20 s at 3 per minute.
                assert!((1..=20).contains(&retry_after.as_secs()), "{retry_after:?}");
                assert!(limit.starts_with("\"writes\";r=0;t="), "{limit}");
            }
            Decision::Allowed { .. } => panic!("allowed beyond the quota"),
        }
        // Another caller has its own quota.
        assert!(matches!(p.check("b".into()), Decision::Allowed { .. }));
    }

    #[test]
    fn a_zero_limit_is_off_and_the_reset_counts_what_was_used() {
        assert!(Policy::new("token", 0).is_none());
        let p = Policy::new("token", 60).unwrap();
        assert_eq!(p.reset_after(60), 0);
        assert_eq!(p.reset_after(59), 1);
        assert_eq!(p.reset_after(0), 60);
    }
}
