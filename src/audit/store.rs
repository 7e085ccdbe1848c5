use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_events;
use crate::db::{Backend, DbConnection};
use crate::error::ApiError;
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct NewAuditEvent {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: String,
    pub actor_institution_id: Option<String>,
    pub action: super::Action,
    pub resource_type: String,
    pub resource_id: String,
    pub person_id: Option<String>,
    pub request_id: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: String,
    pub actor_institution_id: Option<String>,
    pub action: super::Action,
    pub resource_type: String,
    pub resource_id: String,
    pub person_id: Option<String>,
    pub request_id: String,
    pub detail: Option<String>,
}

/// Most records [`insert_many`] writes with one statement: ten values each, within SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
pub const ROWS_PER_STATEMENT: usize = 3000;

/// Inserts several records (the group commit's batch), one statement per [`ROWS_PER_STATEMENT`].
pub fn insert_many(conn: &mut DbConnection, events: &[NewAuditEvent]) -> Result<(), ApiError> {
    // Multi-row VALUES is backend-specific in diesel, so it runs on the inner connection.
    crate::per_backend!(conn, c => {
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(c)?;
        }
    });
    Ok(())
}

pub fn insert(conn: &mut DbConnection, event: &NewAuditEvent) -> Result<(), ApiError> {
    // Every change writes one: on the inner connection (see `per_backend!`).
    crate::per_backend!(conn, c => diesel::insert_into(audit_events::table)
        .values(event)
        .execute(c))?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub person_id: Option<String>,
    pub actor_id: Option<String>,
    pub institution_id: Option<String>,
    pub resource_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Newest first; fetches `limit + 1` rows so the page knows whether another follows.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Vec<AuditEventRow>, ApiError> {
    let mut q = audit_events::table
        .select(AuditEventRow::as_select())
        .into_boxed::<Backend>();
    if let Some(p) = &filter.person_id {
        q = q.filter(audit_events::person_id.eq(p));
    }
    if let Some(a) = &filter.actor_id {
        q = q.filter(audit_events::actor_id.eq(a));
    }
    if let Some(i) = &filter.institution_id {
        q = q.filter(audit_events::actor_institution_id.eq(i));
    }
    if let Some(r) = &filter.resource_id {
        q = q.filter(audit_events::resource_id.eq(r));
    }
    if let Some(from) = filter.from {
        q = q.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(after) = &page.after {
        q = q.filter(audit_events::id.lt(after));
    }
    Ok(q.order(audit_events::id.desc())
        .limit(page.limit + 1)
        .load(conn)?)
}
