//! The queries of care homes, their costs and residents.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{CareHomeRow, CostRow, ResidentRow};
use crate::foundation::db::schema::{care_home_costs, care_home_residents, care_homes};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;

pub fn insert(conn: &mut DbConnection, row: &CareHomeRow) -> Result<(), ApiError> {
    diesel::insert_into(care_homes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<CareHomeRow>, ApiError> {
    Ok(care_homes::table
        .find(id)
        .select(CareHomeRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn get_or_404(conn: &mut DbConnection, id: &str) -> Result<CareHomeRow, ApiError> {
    get(conn, id)?.ok_or_else(|| ApiError::not_found("care home"))
}

pub fn name_taken(conn: &mut DbConnection, name: &str) -> Result<Option<String>, ApiError> {
    Ok(care_homes::table
        .filter(care_homes::name.eq(name))
        .select(care_homes::id)
        .get_result(conn)
        .optional()?)
}

/// One page of homes in registration order, optionally those of one placing institution.
pub fn list(
    conn: &mut DbConnection,
    placing_institution_id: Option<&str>,
    page: &PageRequest,
) -> Result<Vec<CareHomeRow>, ApiError> {
    let mut q = care_homes::table
        .select(CareHomeRow::as_select())
        .into_boxed::<Backend>();
    if let Some(p) = placing_institution_id {
        q = q.filter(care_homes::placing_institution_id.eq(p.to_owned()));
    }
    if let Some(after) = &page.after {
        q = q.filter(care_homes::id.gt(after.clone()));
    }
    Ok(q.order(care_homes::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

/// The costs of one home, oldest first.
pub fn costs(conn: &mut DbConnection, home_id: &str) -> Result<Vec<CostRow>, ApiError> {
    Ok(care_home_costs::table
        .filter(care_home_costs::care_home_id.eq(home_id))
        .order(care_home_costs::applies_from.asc())
        .select(CostRow::as_select())
        .load(conn)?)
}

/// The costs of several homes (one query for a page of homes).
pub fn costs_of(conn: &mut DbConnection, home_ids: &[String]) -> Result<Vec<CostRow>, ApiError> {
    Ok(care_home_costs::table
        .filter(care_home_costs::care_home_id.eq_any(home_ids))
        .order((
            care_home_costs::care_home_id.asc(),
            care_home_costs::applies_from.asc(),
        ))
        .select(CostRow::as_select())
        .load(conn)?)
}

pub fn insert_cost(conn: &mut DbConnection, row: &CostRow) -> Result<(), ApiError> {
    diesel::insert_into(care_home_costs::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Moves the home to its next version if it is still at `expected` (412 otherwise).
pub fn bump_version(conn: &mut DbConnection, id: &str, expected: i32) -> Result<(), ApiError> {
    let n = diesel::update(
        care_homes::table
            .filter(care_homes::id.eq(id))
            .filter(care_homes::version.eq(expected)),
    )
    .set((
        care_homes::version.eq(expected + 1),
        care_homes::updated_at.eq(crate::foundation::db::now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(stale("care home"));
    }
    Ok(())
}

/// Takes one free place, atomically: the row is changed only while a place is free, so two concurrent
/// placements into the last place cannot both succeed (on PostgreSQL the second waits for the first's row lock
/// and re-checks the condition; SQLite has one writer). `false` when the home is full.
pub fn take_place(conn: &mut DbConnection, home_id: &str) -> Result<bool, ApiError> {
    let n = diesel::update(
        care_homes::table
            .filter(care_homes::id.eq(home_id))
            .filter(care_homes::occupied.lt(care_homes::places)),
    )
    .set(care_homes::occupied.eq(care_homes::occupied + 1))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives a place back when a resident leaves.
pub fn free_place(conn: &mut DbConnection, home_id: &str) -> Result<(), ApiError> {
    diesel::update(
        care_homes::table
            .filter(care_homes::id.eq(home_id))
            .filter(care_homes::occupied.gt(0)),
    )
    .set(care_homes::occupied.eq(care_homes::occupied - 1))
    .execute(conn)?;
    Ok(())
}

pub fn insert_resident(conn: &mut DbConnection, row: &ResidentRow) -> Result<(), ApiError> {
    diesel::insert_into(care_home_residents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get_resident(
    conn: &mut DbConnection,
    home_id: &str,
    id: &str,
) -> Result<Option<ResidentRow>, ApiError> {
    Ok(care_home_residents::table
        .filter(care_home_residents::care_home_id.eq(home_id))
        .filter(care_home_residents::id.eq(id))
        .select(ResidentRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn save_resident(
    conn: &mut DbConnection,
    mut row: ResidentRow,
    expected: i32,
) -> Result<ResidentRow, ApiError> {
    row.version = expected + 1;
    row.updated_at = crate::foundation::db::now();
    let n = diesel::update(
        care_home_residents::table
            .filter(care_home_residents::id.eq(&row.id))
            .filter(care_home_residents::version.eq(expected)),
    )
    .set(&row)
    .execute(conn)?;
    if n == 0 {
        return Err(stale("resident"));
    }
    Ok(row)
}

/// One page of a home's residents, in order of record.
pub fn residents(
    conn: &mut DbConnection,
    home_id: &str,
    current_only: bool,
    page: &PageRequest,
) -> Result<Vec<ResidentRow>, ApiError> {
    let mut q = care_home_residents::table
        .filter(care_home_residents::care_home_id.eq(home_id.to_owned()))
        .select(ResidentRow::as_select())
        .into_boxed::<Backend>();
    if current_only {
        q = q.filter(care_home_residents::left_on.is_null());
    }
    if let Some(after) = &page.after {
        q = q.filter(care_home_residents::id.gt(after.clone()));
    }
    Ok(q.order(care_home_residents::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

/// How many residents the home admitted from `since` (inclusive) to `until` (exclusive): the pace at which its
/// places free up, for the waiting list's estimate.
pub fn admissions_between(
    conn: &mut DbConnection,
    home_id: &str,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<i64, ApiError> {
    Ok(care_home_residents::table
        .filter(care_home_residents::care_home_id.eq(home_id))
        .filter(care_home_residents::admitted_on.ge(since))
        .filter(care_home_residents::admitted_on.lt(until))
        .count()
        .get_result(conn)?)
}
