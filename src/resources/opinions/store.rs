//! The queries of opinions.

use diesel::prelude::*;

use super::model::OpinionRow;
use crate::foundation::db::DbConnection;
use crate::foundation::db::schema::opinions;
use crate::foundation::error::ApiError;

pub fn insert(conn: &mut DbConnection, row: &OpinionRow) -> Result<(), ApiError> {
    diesel::insert_into(opinions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<OpinionRow>, ApiError> {
    Ok(opinions::table
        .find(id)
        .select(OpinionRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// An application's opinion; every decided application has one.
pub fn of_application(
    conn: &mut DbConnection,
    application_id: &str,
) -> Result<OpinionRow, ApiError> {
    Ok(opinions::table
        .filter(opinions::application_id.eq(application_id))
        .select(OpinionRow::as_select())
        .get_result(conn)?)
}

/// The id of an application's opinion; every decided application has one.
pub fn id_of_application(
    conn: &mut DbConnection,
    application_id: &str,
) -> Result<String, ApiError> {
    Ok(opinions::table
        .filter(opinions::application_id.eq(application_id))
        .select(opinions::id)
        .get_result(conn)?)
}
