//! The audit trail: an append-only record of every read and change of personal data (who, for which
//! institution, did what, to which record, when, in which request).
//!
//! Records are written synchronously on the request's own connection: a change's record in the change's
//! transaction (they commit together or not at all), a read's record right after the read. Nothing is buffered in
//! memory, so nothing is lost when the process stops or is killed. The database refuses updates and deletes of
//! these rows (triggers), and no endpoint offers either.

pub mod api;
pub mod group;
pub mod store;

use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;

crate::stored_enum! {
    /// What was done. Stored as snake_case text.
    #[strum(serialize_all = "snake_case")]
    pub enum Action {
        Read,
        List,
        Create,
        Update,
        Transition,
    }
}

/// One thing to audit.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub action: Action,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    /// The person whose data this concerns, when there is one.
    pub person_id: Option<&'a str>,
    /// A short non-personal note, e.g. the transition's name or the fields changed. Never personal data.
    pub detail: Option<String>,
    /// For a change that records an act: the act's legal date (the day it was done), beside the moment recorded.
    pub legal_date: Option<chrono::NaiveDate>,
}

impl<'a> Entry<'a> {
    pub fn new(action: Action, resource_type: &'a str, resource_id: &'a str) -> Self {
        Self {
            action,
            resource_type,
            resource_id,
            person_id: None,
            detail: None,
            legal_date: None,
        }
    }

    /// The legal date of the act this change records.
    pub fn on(mut self, legal_date: chrono::NaiveDate) -> Self {
        self.legal_date = Some(legal_date);
        self
    }

    pub fn person(mut self, person_id: &'a str) -> Self {
        self.person_id = Some(person_id);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Appends one audit record on this connection, inside the change's transaction: changes and their records commit
/// together. Reads use [`read`] and [`group::AuditLog`] instead.
pub fn record(conn: &mut DbConnection, caller: &Caller, entry: Entry<'_>) -> Result<(), ApiError> {
    store::insert(conn, &read(caller, entry))
}

/// The record of a read, to be committed by the group writer before the response is sent.
pub fn read(caller: &Caller, entry: Entry<'_>) -> store::NewAuditEvent {
    {
        store::NewAuditEvent {
            id: uuid::Uuid::now_v7().to_string(),
            occurred_at: crate::foundation::db::now(),
            actor_id: caller.id.clone(),
            actor_institution_id: caller.institution_id.clone(),
            action: entry.action,
            resource_type: entry.resource_type.to_owned(),
            resource_id: entry.resource_id.to_owned(),
            person_id: entry.person_id.map(str::to_owned),
            request_id: caller.request_id.clone(),
            detail: entry.detail,
            legal_date: entry.legal_date,
        }
    }
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_audit_events);
}
