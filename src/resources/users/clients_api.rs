//! API clients: credentials for partner software (client id + secret), bound to one institution and a role.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::api::target_institution;
use super::model::{ApiClientAccount, ApiClientRow, CreatedApiClient, NewApiClient, check_role};
use super::store;
use crate::foundation::config::random_secret;
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, etag};
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::policy;
use crate::identity::{Caller, Role, password};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

/// Filters of the API client list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiClientQuery {
    /// Platform admins: only clients of this institution.
    pub institution_id: Option<String>,
}

/// List API clients.
///
/// An institution's `admin` sees its own institution's clients; a platform admin sees all. Secrets are never listed.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "list_api_clients",
    security(("bearer_jwt" = [])),
    params(ApiClientQuery, PageParams),
    responses(
        (status = 200, description = "One page of API clients.", body = Page<ApiClientAccount>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/api-clients")]
pub async fn list_api_clients(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ApiClientQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let page = page.resolve()?;
    let institution = scope.list_filter(query.into_inner().institution_id)?;
    let limit = page.limit;
    let rows = db::read_as(&state.pool, caller.principal(), move |conn| {
        store::list_clients(conn, institution.as_deref(), &page)
    })
    .await?;
    let page = Page::try_from_rows(rows, limit, |r| &r.id, ApiClientRow::into_view)?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create an API client.
///
/// Returns the `client_secret` once; only its hash is stored. The client's tokens carry the institution and the
/// given role (`staff`, `social_worker` in a MOPR, or `director`; never `admin`).
#[utoipa::path(
    tag = "api-clients",
    operation_id = "create_api_client",
    security(("bearer_jwt" = [])),
    request_body = NewApiClient,
    responses(
        (status = 201, description = "Created; the body holds the only copy of the secret.", body = CreatedApiClient),
    )
)]
#[post("/api-clients")]
pub async fn create_api_client(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let new = body.into_inner();
    new.validate()?;
    if matches!(new.role, Role::Admin | Role::PlatformAdmin) {
        return Err(ApiError::field(
            "role",
            "role_not_allowed_for_client",
            "an API client may be staff, social_worker or director",
        ));
    }
    let secret = random_secret();
    let secret_hash = {
        let s = secret.clone();
        web::block(move || password::hash(&s)).await??
    };
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        let (institution_id, kind) =
            target_institution(conn, &scope, new.institution_id.as_deref())?;
        check_role(kind, new.role)?;
        let id = uuid::Uuid::now_v7();
        let row = ApiClientRow {
            id: id.to_string(),
            institution_id,
            client_id: format!("rc_{}", id.simple()),
            secret_hash,
            name: new.name,
            role: new.role,
            active: true,
            created_by: caller.id.clone(),
            created_at: crate::foundation::db::now(),
            failed_logins: 0,
            last_failed_login_at: None,
            version: 1,
        };
        db::write_tx(conn, |conn| {
            store::insert_client(conn, &row)?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "api_client", &row.id),
            )
        })?;
        Ok(row)
    })
    .await?;
    let client = row.into_view()?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/api-clients/{}", client.id),
        ))
        .insert_header(etag(client.version))
        .json(CreatedApiClient {
            client,
            client_secret: secret,
        }))
}

/// Get an API client.
///
/// The client's name, role, institution and whether it is active; its secret is never shown again. An admin of
/// its institution or a platform admin; others get 404.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "get_api_client",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The API client's id (not its client_id).")),
    responses(
        (status = 200, description = "The API client; `ETag` carries its version.", body = ApiClientAccount),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/api-clients/{id}")]
pub async fn get_api_client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let id = id.into_inner();
    let row = db::read_as(&state.pool, caller.principal(), move |conn| {
        store::get_client(conn, &id)
    })
    .await?;
    let row = row
        .filter(|r| scope.covers(&r.institution_id))
        .ok_or_else(|| ApiError::not_found("API client"))?;
    let view = row.into_view()?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

/// Deactivate an API client.
///
/// Its tokens stop working at once and it can obtain no new ones. Requires `If-Match`.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "deactivate_api_client",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The API client's id."),
        ("If-Match" = String, Header, description = "The ETag of the client as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    responses(
        (status = 200, description = "Deactivated.", body = ApiClientAccount),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[post("/api-clients/{id}/deactivate")]
pub async fn deactivate_api_client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::account_admin_scope(&caller)?;
    let version = if_match.required()?;
    let id = id.into_inner();
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            store::get_client(conn, &id)?
                .filter(|r| scope.covers(&r.institution_id))
                .ok_or_else(|| ApiError::not_found("API client"))?;
            let row = store::deactivate_client(conn, &id, version)?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Update, "api_client", &id).detail("deactivate"),
            )?;
            Ok(row)
        })
    })
    .await?;
    let view = row.into_view()?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}
