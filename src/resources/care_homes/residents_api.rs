//! Residents in and out: the placing institution's record of who occupies the home's places.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::Days;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Departure, NewResident, Resident, ResidentRow, check_departure};
use super::store;
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

fn respond(status: StatusCode, r: Resident) -> HttpResponse {
    let collection = format!("/api/v1/care-homes/{}/residents", r.care_home_id);
    crate::foundation::http::record_response(status, r.version, &collection, &r.id, &r)
}

/// Filters of a home's residents.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResidentQuery {
    /// `true` (default): only residents who have not left; `false`: every stay recorded.
    pub current: Option<bool>,
}

/// List a home's residents.
///
/// For the casework roles of the home's placing institution (403 for others: the home is public, its residents
/// are not). In order of record. Each stay that names a person is audited.
#[utoipa::path(
    tag = "care-homes",
    operation_id = "list_care_home_residents",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The home's id."), ResidentQuery, PageParams),
    responses(
        (status = 200, description = "One page of stays.", body = Page<Resident>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/care-homes/{id}/residents")]
pub async fn list_care_home_residents(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<ResidentQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page.resolve()?;
    let current = query.current.unwrap_or(true);
    let id = id.into_inner();
    let result = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let home = store::get_or_404(conn, &id)?;
            policy::may_handle_residents(&caller, &home.placing_institution_id)?;
            let mut rows = store::residents(conn, &id, current, &page)?;
            let next_cursor = take_page(&mut rows, page.limit, |r| r.id.clone());
            trail.listed(
                &caller,
                "care_home_resident",
                rows.iter()
                    .filter_map(|r| r.person_id.as_deref().map(|p| (r.id.as_str(), p))),
            );
            Ok(Page {
                items: rows.into_iter().map(Resident::from).collect(),
                next_cursor,
            })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Record an admission.
///
/// A resident who came other than by a placement decision through this API (already living there when the home
/// was registered, a transfer): takes one place (409 `no_free_place` when the home is full). Placements through
/// the waiting list record their admission themselves. Casework roles of the home's placing institution.
#[utoipa::path(
    tag = "care-homes",
    operation_id = "admit_care_home_resident",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The home's id.")),
    request_body = NewResident,
    responses(
        (status = 201, description = "Recorded; `Location` names the stay.", body = Resident),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/care-homes/{id}/residents")]
pub async fn admit_care_home_resident(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<NewResident>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let today = state.clock.today();
    let earliest = today.checked_sub_days(Days::new(50 * 366)).unwrap_or(today);
    if new.admitted_on < earliest || new.admitted_on > today {
        return Err(ApiError::field(
            "admitted_on",
            "out_of_range",
            "from 50 years ago to today",
        ));
    }
    let id = id.into_inner();
    let resident = db::run_as(&state.pool, caller.principal(), move |conn| {
        let home = store::get_or_404(conn, &id)?;
        policy::may_handle_residents(&caller, &home.placing_institution_id)?;
        if let Some(person) = &new.person_id {
            let scope = policy::person_scope(&caller)?;
            if !crate::resources::persons::store::is_visible(conn, &scope, person)?
                || crate::resources::persons::store::get(conn, person)?.is_none()
            {
                return Err(ApiError::field(
                    "person_id",
                    "unknown_person",
                    "no person with this id is visible to you",
                ));
            }
        }
        db::write_tx(conn, |conn| {
            if !store::take_place(conn, &id)? {
                return Err(ApiError::conflict(
                    "no_free_place",
                    "every place of this home is taken",
                ));
            }
            let now = db::now();
            let row = ResidentRow {
                id: uuid::Uuid::now_v7().to_string(),
                care_home_id: id.clone(),
                person_id: new.person_id.clone(),
                waiting_list_entry_id: None,
                admitted_on: new.admitted_on,
                left_on: None,
                leave_reason: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert_resident(conn, &row)?;
            let mut entry = Entry::new(Action::Create, "care_home_resident", &row.id);
            if let Some(p) = &row.person_id {
                entry = entry.person(p);
            }
            audit::record(conn, &caller, entry)?;
            Ok(Resident::from(row))
        })
    })
    .await?;
    Ok(respond(StatusCode::CREATED, resident))
}

/// Record a departure.
///
/// The resident left (died, moved out, transferred, other) on `left_on`: their place is free again, for the first
/// person on the home's waiting list. Casework roles of the home's placing institution. Requires `If-Match` with
/// the stay's ETag (its `version`).
#[utoipa::path(
    tag = "care-homes",
    operation_id = "record_resident_departure",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The home's id."),
        ("resident_id" = String, Path, description = "The stay's id."),
        ("If-Match" = String, Header, description = "The ETag of the stay as last read: `GET /api/v1/care-homes/{id}/residents` lists each stay with its `version` (the ETag is `\"<version>\"`).", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = Departure,
    responses(
        (status = 200, description = "Recorded; the place is free.", body = Resident),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/care-homes/{id}/residents/{resident_id}/departure")]
pub async fn record_resident_departure(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: Json<Departure>,
) -> Result<HttpResponse, ApiError> {
    let own = caller.institution_id.clone().unwrap_or_default();
    policy::may_handle_residents(&caller, &own)?;
    let expected = if_match.required()?;
    let (id, resident_id) = path.into_inner();
    let departure = body.into_inner();
    let today = state.clock.today();
    let resident = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let home = store::get_or_404(conn, &id)?;
            policy::may_handle_residents(&caller, &home.placing_institution_id)?;
            let mut row = store::get_resident(conn, &id, &resident_id)?
                .ok_or_else(|| ApiError::not_found("resident"))?;
            if row.version != expected {
                return Err(crate::foundation::http::stale("resident"));
            }
            check_departure(&row, departure.left_on, today)?;
            row.left_on = Some(departure.left_on);
            row.leave_reason = Some(departure.reason);
            let row = store::save_resident(conn, row, expected)?;
            store::free_place(conn, &id)?;
            let mut entry =
                Entry::new(Action::Transition, "care_home_resident", &row.id).detail("departure");
            if let Some(p) = &row.person_id {
                entry = entry.person(p);
            }
            audit::record(conn, &caller, entry)?;
            Ok(Resident::from(row))
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, resident))
}
