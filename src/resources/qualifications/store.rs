//! The queries of qualifications.

use diesel::prelude::*;

use super::model::QualificationRow;
use crate::foundation::db::DbConnection;
use crate::foundation::db::schema::qualifications;
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;

pub fn insert(conn: &mut DbConnection, row: &QualificationRow) -> Result<(), ApiError> {
    diesel::insert_into(qualifications::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<QualificationRow>, ApiError> {
    Ok(qualifications::table
        .find(id)
        .select(QualificationRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The qualification of an IPZS (there is at most one).
pub fn find_by_ipzs(
    conn: &mut DbConnection,
    ipzs_id: &str,
) -> Result<Option<QualificationRow>, ApiError> {
    Ok(qualifications::table
        .filter(qualifications::ipzs_id.eq(ipzs_id))
        .select(QualificationRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Records MOPR's decision if the stored version is still `expected`; `q.version` must be `expected + 1`.
pub fn save_decision(
    conn: &mut DbConnection,
    q: &QualificationRow,
    expected: i32,
) -> Result<(), ApiError> {
    let updated = diesel::update(
        qualifications::table
            .filter(qualifications::id.eq(&q.id))
            .filter(qualifications::version.eq(expected)),
    )
    .set((
        qualifications::decision.eq(&q.decision),
        qualifications::decided_on.eq(q.decided_on),
        qualifications::decided_by.eq(&q.decided_by),
        qualifications::decision_channel.eq(&q.decision_channel),
        qualifications::updated_at.eq(q.updated_at),
        qualifications::version.eq(q.version),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(stale("qualification"));
    }
    Ok(())
}

/// The qualification of each IPZS, for the deadline view.
pub fn all_for(
    conn: &mut DbConnection,
    ipzs_ids: &[String],
) -> Result<Vec<QualificationRow>, ApiError> {
    Ok(qualifications::table
        .filter(qualifications::ipzs_id.eq_any(ipzs_ids))
        .select(QualificationRow::as_select())
        .load(conn)?)
}
