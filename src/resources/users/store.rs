use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ApiClientRow, UserRow};
use crate::foundation::db::schema::{api_clients, users};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;

pub fn insert_user(conn: &mut DbConnection, row: &UserRow) -> Result<(), ApiError> {
    let taken = users::table
        .filter(users::username.eq(&row.username))
        .count()
        .get_result::<i64>(conn)?;
    if taken > 0 {
        // Usernames are global; the existing account may belong to another institution, so no link is given.
        return Err(ApiError::Conflict {
            code: "duplicate_username",
            detail: "this username is taken".into(),
            existing: None,
        });
    }
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get_user(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn list_users(
    conn: &mut DbConnection,
    institution_id: Option<&str>,
    page: &PageRequest,
) -> Result<Vec<UserRow>, ApiError> {
    let mut q = users::table
        .select(UserRow::as_select())
        .into_boxed::<Backend>();
    if let Some(inst) = institution_id {
        q = q.filter(users::institution_id.eq(inst.to_owned()));
    }
    if let Some(after) = &page.after {
        q = q.filter(users::id.gt(after));
    }
    Ok(q.order(users::id.asc()).limit(page.limit + 1).load(conn)?)
}

/// Applies a change guarded by the version the client read: 412 when someone else changed it first.
fn after_versioned_update(
    conn: &mut DbConnection,
    updated: usize,
    id: &str,
    what: &str,
) -> Result<UserRow, ApiError> {
    let row = get_user(conn, id)?.ok_or_else(|| ApiError::not_found(what))?;
    if updated == 0 {
        return Err(stale(what));
    }
    Ok(row)
}

pub fn set_user_active(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    active: bool,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::version.eq(expected_version)),
    )
    .set((
        users::active.eq(active),
        users::updated_at.eq(now),
        users::version.eq(users::version + 1),
    ))
    .execute(conn)?;
    after_versioned_update(conn, updated, id, "user")
}

pub fn set_user_password(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::version.eq(expected_version)),
    )
    .set((
        users::password_hash.eq(password_hash),
        users::failed_logins.eq(0),
        users::last_failed_login_at.eq(None::<NaiveDateTime>),
        users::updated_at.eq(now),
        users::version.eq(users::version + 1),
    ))
    .execute(conn)?;
    if updated == 1 {
        crate::identity::store::clear_sign_in_failures(conn, id, None)?;
    }
    after_versioned_update(conn, updated, id, "user")
}

pub fn insert_client(conn: &mut DbConnection, row: &ApiClientRow) -> Result<(), ApiError> {
    diesel::insert_into(api_clients::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get_client(conn: &mut DbConnection, id: &str) -> Result<Option<ApiClientRow>, ApiError> {
    Ok(api_clients::table
        .find(id)
        .select(ApiClientRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn list_clients(
    conn: &mut DbConnection,
    institution_id: Option<&str>,
    page: &PageRequest,
) -> Result<Vec<ApiClientRow>, ApiError> {
    let mut q = api_clients::table
        .select(ApiClientRow::as_select())
        .into_boxed::<Backend>();
    if let Some(inst) = institution_id {
        q = q.filter(api_clients::institution_id.eq(inst.to_owned()));
    }
    if let Some(after) = &page.after {
        q = q.filter(api_clients::id.gt(after));
    }
    Ok(q.order(api_clients::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

pub fn deactivate_client(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
) -> Result<ApiClientRow, ApiError> {
    let updated = diesel::update(
        api_clients::table
            .filter(api_clients::id.eq(id))
            .filter(api_clients::version.eq(expected_version)),
    )
    .set((
        api_clients::active.eq(false),
        api_clients::version.eq(api_clients::version + 1),
    ))
    .execute(conn)?;
    let row = get_client(conn, id)?.ok_or_else(|| ApiError::not_found("API client"))?;
    if updated == 0 {
        return Err(stale("API client"));
    }
    Ok(row)
}
