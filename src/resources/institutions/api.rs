use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Institution, InstitutionRow, NewInstitution};
use super::store;
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::{Caller, InstitutionKind, policy};
use crate::records::state::AppState;

/// Filters of the institution directory.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstitutionQuery {
    /// Only institutions of this kind, e.g. `CIS` to pick the target of an application.
    pub kind: Option<InstitutionKind>,
}

/// List institutions.
///
/// The directory of partner institutions, in registration order. Every signed-in caller may read it: an
/// application must name its target CIS by id.
#[utoipa::path(
    tag = "institutions",
    operation_id = "list_institutions",
    security(("bearer_jwt" = [])),
    params(InstitutionQuery, PageParams),
    responses(
        (status = 200, description = "One page of institutions.", body = Page<Institution>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/institutions")]
pub async fn list_institutions(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<InstitutionQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::may_read_institutions(&caller)?;
    let page = page.resolve()?;
    let (kind, limit) = (query.kind, page.limit);
    let rows = db::read_as(&state.pool, caller.principal(), move |conn| {
        store::list(conn, kind, &page)
    })
    .await?;
    let page = Page::try_from_rows(rows, limit, |r| &r.id, InstitutionRow::into_view)?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an institution.
///
/// One entry of the directory: kind, name, address and, for a MOPR, its area. Readable by every signed-in caller.
#[utoipa::path(
    tag = "institutions",
    operation_id = "get_institution",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The institution's id.")),
    responses(
        (status = 200, description = "The institution.", body = Institution),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/institutions/{id}")]
pub async fn get_institution(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::may_read_institutions(&caller)?;
    let id = id.into_inner();
    let pg_id = id.clone();
    let row = db::lookup_as(
        &state.pool,
        caller.principal(),
        move |conn| store::get(conn, &id),
        move |conn| Box::pin(store::get_pg(conn, pg_id)),
    )
    .await?;
    let row = row.ok_or_else(|| ApiError::not_found("institution"))?;
    Ok(HttpResponse::Ok().json(row.into_view()?))
}

/// Register an institution.
///
/// Platform admins only. After registering, create the institution's first `admin` user with
/// `POST /api/v1/users` (giving `institution_id`); that admin then manages the institution's own accounts.
#[utoipa::path(
    tag = "institutions",
    operation_id = "create_institution",
    security(("bearer_jwt" = [])),
    request_body = NewInstitution,
    responses(
        (status = 201, description = "Registered; `Location` names the new record.", body = Institution),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/institutions")]
pub async fn create_institution(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewInstitution>,
) -> Result<HttpResponse, ApiError> {
    policy::may_create_institution(&caller)?;
    let new = body.into_inner();
    new.check()?;
    let row = InstitutionRow {
        id: uuid::Uuid::now_v7().to_string(),
        kind: new.kind,
        name: new.name.trim().to_owned(),
        address: new.address,
        area: new.area,
        created_at: crate::foundation::db::now(),
    };
    let stored = row.clone();
    db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            store::insert(conn, &stored)?;
            crate::records::audit::record(
                conn,
                &caller,
                crate::records::audit::Entry::new(
                    crate::records::audit::Action::Create,
                    "institution",
                    &stored.id,
                ),
            )
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/institutions/{}", row.id)))
        .json(row.into_view()?))
}
