use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::model::{NewUser, User, UserRow, check_role};
use super::store;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::policy::{self, AdminScope};
use crate::identity::{Caller, InstitutionKind, password};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;
use crate::resources::institutions;

/// The institution a new account will belong to: the one named, or the admin's own. An institution admin
/// naming another institution is refused (403); a platform admin must name an existing one (422).
pub(crate) fn target_institution(
    conn: &mut DbConnection,
    scope: &AdminScope,
    requested: Option<&str>,
) -> Result<(String, InstitutionKind), ApiError> {
    let id = match (scope, requested) {
        (AdminScope::Institution(own), None) => own.clone(),
        (AdminScope::Platform, Some(id)) => id.to_owned(),
        (AdminScope::Institution(own), Some(id)) if own == id => id.to_owned(),
        (AdminScope::Institution(_), Some(_)) => {
            return Err(ApiError::Forbidden(
                "an institution's admin manages only the accounts of their own institution".into(),
            ));
        }
        (AdminScope::Platform, None) => {
            return Err(ApiError::field(
                "institution_id",
                "required",
                "a platform admin must name the institution",
            ));
        }
    };
    let inst = institutions::store::get(conn, &id)?.ok_or_else(|| {
        ApiError::field(
            "institution_id",
            "unknown_institution",
            "no institution has this id",
        )
    })?;
    Ok((id, inst.kind()?))
}

/// Whether a scope covers an account that may belong to no institution (a platform admin's).
pub(super) fn covers(scope: &AdminScope, institution_id: Option<&str>) -> bool {
    match institution_id {
        Some(inst) => scope.covers(inst),
        None => *scope == AdminScope::Platform,
    }
}

pub(super) fn respond(
    status: actix_web::http::StatusCode,
    row: UserRow,
) -> Result<HttpResponse, ApiError> {
    let view = row.into_view()?;
    Ok(crate::foundation::http::record_response(
        status,
        view.version,
        "/api/v1/users",
        &view.id,
        &view,
    ))
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Platform admins: only users of this institution. An institution's admin always sees only their own, and
    /// naming another institution is refused.
    pub institution_id: Option<String>,
}

/// List user accounts.
///
/// An institution's `admin` sees the accounts of their own institution; a platform admin sees every account.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    security(("bearer_jwt" = [])),
    params(UserQuery, PageParams),
    responses(
        (status = 200, description = "One page of accounts.", body = Page<User>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UserQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let page = page.resolve()?;
    let institution = scope.list_filter(query.into_inner().institution_id)?;
    let limit = page.limit;
    let rows = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let rows = store::list_users(conn, institution.as_deref(), &page)?;
            trail.read(
                &caller,
                Entry::new(Action::List, "user", institution.as_deref().unwrap_or("*")),
            );
            Ok(rows)
        },
    )
    .await?;
    let page = Page::try_from_rows(rows, limit, |r| &r.id, UserRow::into_view)?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a user account.
///
/// An institution's `admin` creates accounts in their own institution; a platform admin creates them in any
/// institution (in particular each institution's first `admin`). `social_worker` exists only in a MOPR.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    security(("bearer_jwt" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created; `Location` names it and `ETag` carries its version.", body = User),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let new = body.into_inner();
    new.validate()?;
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        let (institution_id, kind) =
            target_institution(conn, &scope, new.institution_id.as_deref())?;
        check_role(kind, new.role)?;
        let now = crate::foundation::db::now();
        let row = UserRow {
            id: uuid::Uuid::now_v7().to_string(),
            institution_id: Some(institution_id),
            username: new.username,
            display_name: new.display_name,
            password_hash: password::hash(&new.password)?,
            role: new.role,
            active: true,
            failed_logins: 0,
            last_failed_login_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        db::write_tx(conn, |conn| {
            store::insert_user(conn, &row)?;
            audit::record(conn, &caller, Entry::new(Action::Create, "user", &row.id))
        })?;
        Ok(row)
    })
    .await?;
    respond(actix_web::http::StatusCode::CREATED, row)
}

/// Get a user account.
///
/// An account of another institution answers 404, as if it did not exist.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 200, description = "The account; `ETag` carries its version.", body = User),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let id = id.into_inner();
    let row = audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let row = store::get_user(conn, &id)?
                .filter(|r| covers(&scope, r.institution_id.as_deref()))
                .ok_or_else(|| ApiError::not_found("user"))?;
            trail.read(&caller, Entry::new(Action::Read, "user", &row.id));
            Ok(row)
        },
    )
    .await?;
    respond(actix_web::http::StatusCode::OK, row)
}

pub(super) async fn change_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    if_match: IfMatch,
    what: &'static str,
    change: impl FnOnce(&mut DbConnection, &UserRow, i32) -> Result<UserRow, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let version = if_match.required()?;
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let current = store::get_user(conn, &id)?
                .filter(|r| covers(&scope, r.institution_id.as_deref()))
                .ok_or_else(|| ApiError::not_found("user"))?;
            let updated = change(conn, &current, version)?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Update, "user", &id).detail(what),
            )?;
            Ok(updated)
        })
    })
    .await?;
    respond(actix_web::http::StatusCode::OK, row)
}
