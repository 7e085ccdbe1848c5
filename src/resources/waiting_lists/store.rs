//! The queries of waiting lists.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use super::model::{EntryRow, EntryStatus, QueueState};
use crate::foundation::db::schema::waiting_list_entries;
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;

pub fn insert(conn: &mut DbConnection, row: &EntryRow) -> Result<(), ApiError> {
    diesel::insert_into(waiting_list_entries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<EntryRow>, ApiError> {
    Ok(waiting_list_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Whether the case already waits for this home.
pub fn waiting_for(
    conn: &mut DbConnection,
    home_id: &str,
    case_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(waiting_list_entries::table
        .filter(waiting_list_entries::care_home_id.eq(home_id))
        .filter(waiting_list_entries::dps_application_id.eq(case_id))
        .filter(waiting_list_entries::status.eq(EntryStatus::Waiting))
        .select(waiting_list_entries::id)
        .get_result(conn)
        .optional()?)
}

pub fn save(
    conn: &mut DbConnection,
    mut row: EntryRow,
    expected: i32,
) -> Result<EntryRow, ApiError> {
    row.version = expected + 1;
    row.updated_at = crate::foundation::db::now();
    let n = diesel::update(
        waiting_list_entries::table
            .filter(waiting_list_entries::id.eq(&row.id))
            .filter(waiting_list_entries::version.eq(expected)),
    )
    .set(&row)
    .execute(conn)?;
    if n == 0 {
        return Err(stale("waiting-list entry"));
    }
    Ok(row)
}

/// The entry's place in its home's queue (1 = first) with what the estimate needs.
pub fn queue_state(
    conn: &mut DbConnection,
    row: &EntryRow,
    today: NaiveDate,
) -> Result<QueueState, ApiError> {
    let (free_places, admissions_last_year) = home_pace(conn, &row.care_home_id, today)?;
    Ok(QueueState {
        position: position(conn, row)?,
        free_places,
        admissions_last_year,
    })
}

/// A home's free places and its admissions over the year before `today`: the same for every entry of the home.
pub fn home_pace(
    conn: &mut DbConnection,
    home_id: &str,
    today: NaiveDate,
) -> Result<(i64, i64), ApiError> {
    let home = crate::resources::care_homes::store::get_or_404(conn, home_id)?;
    let year_ago = today.checked_sub_days(Days::new(365)).unwrap_or(today);
    let admissions = crate::resources::care_homes::store::admissions_between(
        conn,
        home_id,
        year_ago,
        today + Days::new(1),
    )?;
    Ok((i64::from(home.places - home.occupied), admissions))
}

/// What a list is filtered on.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub care_home_id: Option<String>,
    pub dps_application_id: Option<String>,
    pub status: Option<EntryStatus>,
}

/// One page of the entries an institution is party to (as the case's MOPR or the placing institution). With a
/// home named, in the queue's order (keyset on `queue_key`); otherwise in order of entry (on `id`).
pub fn list(
    conn: &mut DbConnection,
    institution_id: &str,
    filter: &ListFilter,
    page: &PageRequest,
) -> Result<Vec<EntryRow>, ApiError> {
    let inst = institution_id.to_owned();
    let mut q = waiting_list_entries::table
        .select(EntryRow::as_select())
        .filter(
            waiting_list_entries::mopr_id
                .eq(inst.clone())
                .or(waiting_list_entries::placing_institution_id.eq(inst)),
        )
        .into_boxed::<Backend>();
    if let Some(s) = filter.status {
        q = q.filter(waiting_list_entries::status.eq(s));
    }
    if let Some(c) = &filter.dps_application_id {
        q = q.filter(waiting_list_entries::dps_application_id.eq(c.clone()));
    }
    match &filter.care_home_id {
        Some(home) => {
            q = q.filter(waiting_list_entries::care_home_id.eq(home.clone()));
            if let Some(after) = &page.after {
                q = q.filter(waiting_list_entries::queue_key.gt(after.clone()));
            }
            q = q.order(waiting_list_entries::queue_key.asc());
        }
        None => {
            if let Some(after) = &page.after {
                q = q.filter(waiting_list_entries::id.gt(after.clone()));
            }
            q = q.order(waiting_list_entries::id.asc());
        }
    }
    Ok(q.limit(page.limit + 1).load(conn)?)
}

/// The entry's position in its home's queue (1 = first): an index range count on (care_home_id, status, queue_key).
pub fn position(conn: &mut DbConnection, row: &EntryRow) -> Result<i64, ApiError> {
    let ahead: i64 = waiting_list_entries::table
        .filter(waiting_list_entries::care_home_id.eq(&row.care_home_id))
        .filter(waiting_list_entries::status.eq(EntryStatus::Waiting))
        .filter(waiting_list_entries::queue_key.lt(&row.queue_key))
        .count()
        .get_result(conn)?;
    Ok(ahead + 1)
}
