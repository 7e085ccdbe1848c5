use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::foundation::db::schema::audit_events;
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::PageRequest;

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
    pub legal_date: Option<chrono::NaiveDate>,
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
    pub legal_date: Option<chrono::NaiveDate>,
}

/// Most records [`insert_many`] writes with one statement on PostgreSQL (eleven values each, within its 65,535 bound
/// parameters); on SQLite its chunks hold at most 256.
pub const ROWS_PER_STATEMENT: usize = 3000;

/// Inserts several records (the group commit's batch), one statement per [`ROWS_PER_STATEMENT`] on PostgreSQL.
pub fn insert_many(conn: &mut DbConnection, events: &[NewAuditEvent]) -> Result<(), ApiError> {
    // Multi-row VALUES is backend-specific in diesel, so it runs on the inner connection.
    crate::per_backend!(conn,
        pg c => {
            // One round trip per statement matters more here than preparing it anew each time.
            for chunk in events.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(audit_events::table)
                    .values(chunk)
                    .execute(c)?;
            }
        },
        sqlite c => {
            // A batch's SQL grows with its row count, so diesel prepares it at every use; on SQLite (no round
            // trips) fixed-size chunks are cheaper: each size is one statement, prepared once and cached.
            let mut rest = events;
            macro_rules! insert_chunks_of {
                ($n:literal) => {
                    while let Some((chunk, tail)) = rest.split_first_chunk::<$n>() {
                        diesel::insert_into(audit_events::table).values(chunk).execute(c)?;
                        rest = tail;
                    }
                };
            }
            insert_chunks_of!(256);
            insert_chunks_of!(64);
            insert_chunks_of!(16);
            insert_chunks_of!(4);
            insert_chunks_of!(1);
        }
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> NewAuditEvent {
        NewAuditEvent {
            id: format!("{n:08}"),
            occurred_at: crate::foundation::db::now(),
            actor_id: "actor".into(),
            actor_institution_id: None,
            action: super::super::Action::Read,
            resource_type: "person".into(),
            resource_id: format!("person-{n}"),
            person_id: Some(format!("person-{n}")),
            request_id: format!("request-{n}"),
            detail: None,
            legal_date: None,
        }
    }

    /// SQLite writes a batch in fixed-size chunks: every size, including those that leave a remainder at each
    /// chunk size, must write exactly its records.
    #[test]
    fn a_batch_of_any_size_is_written_whole_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        let pool = crate::foundation::db::connect(&path.display().to_string(), 1).unwrap();
        crate::foundation::db::migrate(&pool).unwrap();
        let mut conn = pool.get().unwrap();
        let mut written = 0;
        for size in [0, 1, 3, 4, 5, 17, 64, 85, 255, 256, 341, 1024] {
            let rows: Vec<_> = (written..written + size).map(record).collect();
            crate::foundation::db::write_tx(&mut conn, |c| insert_many(c, &rows)).unwrap();
            written += size;
            let ids: Vec<String> = audit_events::table
                .select(audit_events::id)
                .order(audit_events::id)
                .load(&mut *conn)
                .unwrap();
            let expected: Vec<String> = (0..written).map(|n| format!("{n:08}")).collect();
            assert_eq!(ids, expected, "after a batch of {size}");
        }
    }
}
