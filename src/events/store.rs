use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::events;
use crate::db::{self, DbConnection};
use crate::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub seq: i64,
    pub id: String,
    pub institution_id: String,
    pub event_type: String,
    pub resource_type: String,
    pub resource_id: String,
    pub occurred_at: NaiveDateTime,
}

/// Any fixed key: it only has to be the same for every writer of `events`.
const EVENTS_LOCK_KEY: i64 = 0x0072_6569_6e74_6567;

pub fn append(
    conn: &mut DbConnection,
    event_type: &str,
    resource_type: &str,
    resource_id: &str,
    recipients: &[&str],
) -> Result<(), ApiError> {
    crate::per_backend!(conn,
        pg c => {
            // Held until commit: the next writer takes a larger seq and commits after us.
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({EVENTS_LOCK_KEY})")).execute(c)?;
        },
        sqlite _c => {}
    );
    let now = db::now();
    for institution in recipients {
        diesel::insert_into(events::table)
            .values((
                events::id.eq(uuid::Uuid::now_v7().to_string()),
                events::institution_id.eq(*institution),
                events::event_type.eq(event_type),
                events::resource_type.eq(resource_type),
                events::resource_id.eq(resource_id),
                events::occurred_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn after(
    conn: &mut DbConnection,
    institution_id: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    Ok(events::table
        .filter(events::institution_id.eq(institution_id))
        .filter(events::seq.gt(after_seq))
        .order(events::seq.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}
