//! Reading the waiting lists: a home's list in its order, one entry.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::api::{load_visible, respond, view};
use super::model::{EntryStatus, QueueState, WaitingListEntry};
use super::store::{self, ListFilter};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::audit::{Action, Entry};
use crate::records::state::AppState;

/// Filters of the waiting lists; combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// One home's list, in the list's order (entitled persons first, then by the day of entry).
    pub care_home_id: Option<String>,
    /// The entries of one DPS case.
    pub dps_application_id: Option<String>,
    /// E.g. `waiting` for who waits now.
    pub status: Option<EntryStatus>,
}

/// List waiting-list entries.
///
/// The entries your institution is party to: the placing institution sees its homes' lists (who waits, since
/// when, `waiting_days`, position and expected wait), a MOPR the entries of its cases. With `care_home_id`, in the
/// list's order; otherwise in order of entry. Each entry shown is audited.
#[utoipa::path(
    tag = "waiting-lists",
    operation_id = "list_waiting_list_entries",
    security(("bearer_jwt" = [])),
    params(EntryQuery, PageParams),
    responses(
        (status = 200, description = "One page of entries.", body = Page<WaitingListEntry>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/waiting-list-entries")]
pub async fn list_waiting_list_entries(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EntryQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let inst = caller.institution()?;
    let q = query.into_inner();
    let filter = ListFilter {
        care_home_id: q.care_home_id,
        dps_application_id: q.dps_application_id,
        status: q.status,
    };
    let today = state.clock.today();
    let result = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let in_queue_order = filter.care_home_id.is_some();
            let mut rows = store::list(conn, &inst, &filter, &page)?;
            let next_cursor = take_page(&mut rows, page.limit, |r| {
                if in_queue_order {
                    r.queue_key.clone()
                } else {
                    r.id.clone()
                }
            });
            trail.listed(
                &caller,
                "waiting_list_entry",
                rows.iter().map(|r| (r.id.as_str(), r.person_id.as_str())),
            );
            // A home's free places and pace are the same for every entry of the home: asked once per home.
            let mut homes: HashMap<String, (i64, i64)> = HashMap::new();
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let queue = if row.status == EntryStatus::Waiting {
                    let (free_places, admissions_last_year) = match homes.get(&row.care_home_id) {
                        Some(pace) => *pace,
                        None => {
                            let pace = store::home_pace(conn, &row.care_home_id, today)?;
                            homes.insert(row.care_home_id.clone(), pace);
                            pace
                        }
                    };
                    Some(QueueState {
                        position: store::position(conn, &row)?,
                        free_places,
                        admissions_last_year,
                    })
                } else {
                    None
                };
                items.push(row.view(queue, today)?);
            }
            Ok(Page { items, next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a waiting-list entry.
///
/// For the case's MOPR and the home's placing institution; 404 for everyone else.
#[utoipa::path(
    tag = "waiting-lists",
    operation_id = "get_waiting_list_entry",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The entry's id.")),
    responses(
        (status = 200, description = "The entry; `ETag` carries its version.", body = WaitingListEntry),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/waiting-list-entries/{id}")]
pub async fn get_waiting_list_entry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let today = state.clock.today();
    let entry = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let row = load_visible(conn, &caller, &id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "waiting_list_entry", &row.id).person(&row.person_id),
            );
            view(conn, row, today)
        },
    )
    .await?;
    Ok(respond(StatusCode::OK, entry))
}
