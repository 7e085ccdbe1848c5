//! Layer 3, cross-cutting records: what every procedure leaves behind or is guarded by — the audit trail, the
//! institutions' event feeds and their webhook deliveries, idempotency keys, rate limits — and the shared state
//! the handlers above reach.

pub mod acts;
pub mod audit;
pub mod events;
pub mod idempotency;
pub mod rate_limit;
pub mod state;
pub mod webhooks;
