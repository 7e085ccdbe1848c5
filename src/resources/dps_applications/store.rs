//! The queries of DPS placement cases.

use diesel::prelude::*;

use super::model::{DpsCase, DpsRow, DpsStatus};
use crate::foundation::db::schema::dps_applications;
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;
use crate::identity::{Caller, policy};

/// Inserts a new case and its obligations.
pub fn insert(conn: &mut DbConnection, case: DpsCase) -> Result<DpsCase, ApiError> {
    let row = case.into_row()?;
    diesel::insert_into(dps_applications::table)
        .values(&row)
        .execute(conn)?;
    let case = DpsCase::read(row)?;
    crate::resources::deadlines::store::sync_dps(conn, &case)?;
    Ok(case)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<DpsRow>, ApiError> {
    Ok(dps_applications::table
        .find(id)
        .select(DpsRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The case if the caller may see it (its MOPR, or the PCPR that filed it), else 404.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<DpsRow, ApiError> {
    get(conn, id)?
        .filter(|r| policy::sees_dps_case(caller, &r.mopr_id, &r.filed_by_institution_id))
        .ok_or_else(|| ApiError::not_found("DPS application"))
}

/// Writes the case if the stored version is still `expected`, with the next version; its obligations follow.
pub fn save(conn: &mut DbConnection, case: DpsCase, expected: i32) -> Result<DpsCase, ApiError> {
    let mut row = case.into_row()?;
    row.version = expected + 1;
    row.updated_at = crate::foundation::db::now();
    let updated = diesel::update(
        dps_applications::table
            .filter(dps_applications::id.eq(&row.id))
            .filter(dps_applications::version.eq(expected)),
    )
    .set(&row)
    .execute(conn)?;
    if updated == 0 {
        return Err(stale("DPS application"));
    }
    let case = DpsCase::read(row)?;
    crate::resources::deadlines::store::sync_dps(conn, &case)?;
    Ok(case)
}

/// One page of the cases an institution is party to (as the deciding MOPR or the filing PCPR), oldest first.
pub fn list(
    conn: &mut DbConnection,
    institution_id: &str,
    status: Option<DpsStatus>,
    person_id: Option<&str>,
    recorded_late: Option<bool>,
    page: &PageRequest,
) -> Result<Vec<DpsRow>, ApiError> {
    let inst = institution_id.to_owned();
    let mut q = dps_applications::table
        .select(DpsRow::as_select())
        .filter(
            dps_applications::mopr_id
                .eq(inst.clone())
                .or(dps_applications::filed_by_institution_id.eq(inst)),
        )
        .into_boxed::<Backend>();
    if let Some(s) = status {
        q = q.filter(dps_applications::status.eq(s));
    }
    if let Some(p) = person_id {
        q = q.filter(dps_applications::person_id.eq(p.to_owned()));
    }
    if let Some(late) = recorded_late {
        q = q.filter(dps_applications::recorded_late.eq(late));
    }
    if let Some(after) = &page.after {
        q = q.filter(dps_applications::id.gt(after.clone()));
    }
    Ok(q.order(dps_applications::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}
