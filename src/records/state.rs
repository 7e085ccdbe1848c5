//! The shared state every handler reaches, built once by the application ([`crate::app::Application::build`]).
//! It lives here, below the resources that use it, so that no handler imports the application layer.

use std::sync::Arc;

use crate::foundation::calendar::Clock;
use crate::foundation::config::Config;
use crate::foundation::db::DbPool;
use crate::identity::tokens::TokenService;
use crate::records::audit::group::{AuditLog, Counters as AuditCounters};
use crate::records::webhooks::dispatch::Counters as WebhookCounters;

/// What every handler can reach: the pool, the configuration, the token service and the audit log.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Commits the audit records of reads in groups (see [`crate::records::audit::group`]).
    pub audit: AuditLog,
    pub audit_counters: Arc<AuditCounters>,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenService>,
    pub clock: Arc<Clock>,
    /// What the webhook worker has done (see [`crate::records::webhooks::dispatch`]).
    pub webhook_counters: Arc<WebhookCounters>,
}
