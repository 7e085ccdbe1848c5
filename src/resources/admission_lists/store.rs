//! The queries of admission lists.

use diesel::prelude::*;

use super::model::AdmissionListRow;
use crate::foundation::db::DbConnection;
use crate::foundation::db::schema::{admission_lists, ipzs};
use crate::foundation::error::ApiError;

pub fn insert(conn: &mut DbConnection, row: &AdmissionListRow) -> Result<(), ApiError> {
    diesel::insert_into(admission_lists::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<AdmissionListRow>, ApiError> {
    Ok(admission_lists::table
        .find(id)
        .select(AdmissionListRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The (IPZS id, person id) pairs a list reported, in id order.
pub fn entries(conn: &mut DbConnection, list_id: &str) -> Result<Vec<(String, String)>, ApiError> {
    Ok(ipzs::table
        .filter(ipzs::admission_list_id.eq(list_id))
        .select((ipzs::id, ipzs::person_id))
        .order(ipzs::id.asc())
        .load(conn)?)
}
