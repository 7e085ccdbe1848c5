//! Deactivating and reactivating accounts, and resetting passwords.

use super::api::change_user;
use super::model::{PasswordReset, User};
use super::store;
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::identity::policy;
use crate::identity::{Caller, password};
use crate::records::state::AppState;
use actix_web::{HttpResponse, post, web};
use validator::Validate;

/// Deactivate a user account.
///
/// The account can no longer sign in and its existing tokens stop working at once. Admins cannot deactivate
/// themselves (`cannot_deactivate_self`), so an institution is never left without a way back in. Requires `If-Match`.
#[utoipa::path(
    tag = "users",
    operation_id = "deactivate_user",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The user's id."),
        ("If-Match" = String, Header, description = "The ETag of the account as last read, e.g. `\"3\"`.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    responses(
        (status = 200, description = "Deactivated.", body = User),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    policy::account_admin_scope(&caller)?;
    if_match.required()?;
    let id = id.into_inner();
    if id == caller.id {
        return Err(ApiError::Conflict {
            code: "cannot_deactivate_self",
            detail: "you cannot deactivate your own account".into(),
            existing: None,
        });
    }
    change_user(
        state,
        caller,
        id,
        if_match,
        "deactivate",
        |conn, row, version| {
            store::set_user_active(conn, &row.id, version, false, crate::foundation::db::now())
        },
    )
    .await
}

/// Reactivate a user account.
///
/// Requires `If-Match`.
#[utoipa::path(
    tag = "users",
    operation_id = "activate_user",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The user's id."),
        ("If-Match" = String, Header, description = "The ETag of the account as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    responses(
        (status = 200, description = "Active again.", body = User),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[post("/users/{id}/activate")]
pub async fn activate_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    change_user(
        state,
        caller,
        id.into_inner(),
        if_match,
        "activate",
        |conn, row, version| {
            store::set_user_active(conn, &row.id, version, true, crate::foundation::db::now())
        },
    )
    .await
}

/// Reset a user's password.
///
/// Sets a new password chosen by the admin and clears the account's failed sign-in count. Requires `If-Match`.
#[utoipa::path(
    tag = "users",
    operation_id = "reset_user_password",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The user's id."),
        ("If-Match" = String, Header, description = "The ETag of the account as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = PasswordReset,
    responses(
        (status = 200, description = "The password is changed.", body = User),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[post("/users/{id}/password")]
pub async fn reset_user_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<PasswordReset>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let new_password = body.into_inner().password;
    // Hashed before the transaction opens, so the write lock is not held for the hash's ~tens of milliseconds.
    let hash = web::block(move || password::hash(&new_password)).await??;
    change_user(
        state,
        caller,
        id.into_inner(),
        if_match,
        "reset_password",
        move |conn, row, version| {
            store::set_user_password(conn, &row.id, version, &hash, crate::foundation::db::now())
        },
    )
    .await
}
