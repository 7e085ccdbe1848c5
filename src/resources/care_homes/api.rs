//! The care-home registry: list, read, register, publish a new average cost.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{CareHome, CareHomeRow, CostOfStay, CostRow, NewCareHome, check_new_cost};
use super::store;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, InstitutionKind, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

const COLLECTION: &str = "/api/v1/care-homes";

fn respond(status: StatusCode, view: CareHome) -> HttpResponse {
    crate::foundation::http::record_response(status, view.version, COLLECTION, &view.id, &view)
}

/// The home with its cost history, as of `today`.
pub fn load_view(
    conn: &mut DbConnection,
    id: &str,
    today: chrono::NaiveDate,
) -> Result<CareHome, ApiError> {
    let row = store::get_or_404(conn, id)?;
    let costs = store::costs(conn, id)?;
    row.view(&costs, today)
}

/// Filters of the care-home registry.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CareHomeQuery {
    /// Only the homes this MOPR or PCPR places people in.
    pub placing_institution_id: Option<String>,
}

/// List care homes.
///
/// The registry of care homes (domy pomocy społecznej) in registration order, with the types of resident each
/// serves, its places, free places and average monthly cost. It holds no personal data: every signed-in caller
/// may read it.
#[utoipa::path(
    tag = "care-homes",
    operation_id = "list_care_homes",
    security(("bearer_jwt" = [])),
    params(CareHomeQuery, PageParams),
    responses(
        (status = 200, description = "One page of homes.", body = Page<CareHome>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/care-homes")]
pub async fn list_care_homes(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CareHomeQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::may_read_institutions(&caller)?;
    let page = page.resolve()?;
    let today = state.clock.today();
    let q = query.into_inner();
    let result = db::read_as(&state.pool, caller.principal(), move |conn| {
        let mut rows = store::list(conn, q.placing_institution_id.as_deref(), &page)?;
        let next_cursor = take_page(&mut rows, page.limit, |r| r.id.clone());
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let costs = store::costs_of(conn, &ids)?;
        let items = rows
            .into_iter()
            .map(|r| {
                let own: Vec<CostRow> = costs
                    .iter()
                    .filter(|c| c.care_home_id == r.id)
                    .cloned()
                    .collect();
                r.view(&own, today)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a care home.
///
/// The home with its places, free places and cost history; readable by every signed-in caller. The `ETag` is
/// what `POST …/costs` takes as `If-Match`.
#[utoipa::path(
    tag = "care-homes",
    operation_id = "get_care_home",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The home's id.")),
    responses(
        (status = 200, description = "The home; `ETag` carries its version.", body = CareHome),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/care-homes/{id}")]
pub async fn get_care_home(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::may_read_institutions(&caller)?;
    let id = id.into_inner();
    let today = state.clock.today();
    let view = db::read_as(&state.pool, caller.principal(), move |conn| {
        load_view(conn, &id, today)
    })
    .await?;
    Ok(respond(StatusCode::OK, view))
}

/// Register a care home.
///
/// A platform admin, or the director of the MOPR or PCPR named in `placing_institution_id` (the institution that
/// issues the home's placement decisions and keeps its waiting list: a city's MOPR for the city's homes, a
/// county's PCPR for the county's). The home starts with no residents; record the ones already living there with
/// `POST /api/v1/care-homes/{id}/residents`. Names are unique (409 `duplicate_name`).
#[utoipa::path(
    tag = "care-homes",
    operation_id = "create_care_home",
    security(("bearer_jwt" = [])),
    request_body = NewCareHome,
    responses(
        (status = 201, description = "Registered; `Location` names it, `ETag` carries its version.", body = CareHome),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/care-homes")]
pub async fn create_care_home(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewCareHome>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    policy::may_register_care_home(&caller, &new.placing_institution_id)?;
    let checked = new.check()?;
    let today = state.clock.today();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        let placing =
            crate::resources::institutions::store::get(conn, &new.placing_institution_id)?;
        if !placing.is_some_and(|i| matches!(i.kind, InstitutionKind::Mopr | InstitutionKind::Pcpr))
        {
            return Err(ApiError::field(
                "placing_institution_id",
                "not_a_placing_institution",
                "placement decisions are issued by a registered MOPR or PCPR",
            ));
        }
        db::write_tx(conn, |conn| {
            if let Some(existing) = store::name_taken(conn, &checked.name)? {
                return Err(ApiError::Conflict {
                    code: "duplicate_name",
                    detail: "a care home with this name is registered".into(),
                    existing: Some(format!("{COLLECTION}/{existing}")),
                });
            }
            let now = db::now();
            let row = CareHomeRow {
                id: uuid::Uuid::now_v7().to_string(),
                name: checked.name,
                address: checked.address,
                dps_types: checked.dps_types,
                places: new.places,
                occupied: 0,
                operator: checked.operator,
                placing_institution_id: new.placing_institution_id.clone(),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert(conn, &row)?;
            if let Some(cost) = new.average_cost {
                store::insert_cost(
                    conn,
                    &CostRow {
                        care_home_id: row.id.clone(),
                        applies_from: cost.applies_from,
                        monthly_cost: cost.monthly_cost,
                        recorded_by: caller.id.clone(),
                        created_at: now,
                    },
                )?;
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "care_home", &row.id),
            )?;
            load_view(conn, &row.id, today)
        })
    })
    .await?;
    Ok(respond(StatusCode::CREATED, view))
}

/// Publish a new average monthly cost.
///
/// The operator publishes the average monthly cost of stay each year (in the voivodeship's official journal);
/// the new figure is appended to the home's history from the day it applies, which must come after the last one
/// (409 `not_after_latest`): the history is never rewritten, and a fee decision always names the figure it used.
/// A new cost does not change issued fee decisions: MOPR issues new ones. A platform admin or the director of the
/// home's placing institution. Requires `If-Match` with the home's ETag.
#[utoipa::path(
    tag = "care-homes",
    operation_id = "publish_care_home_cost",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The home's id."),
        ("If-Match" = String, Header, description = "The ETag of the home as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = CostOfStay,
    responses(
        (status = 200, description = "Published; the home with its history.", body = CareHome),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/care-homes/{id}/costs")]
pub async fn publish_care_home_cost(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<CostOfStay>,
) -> Result<HttpResponse, ApiError> {
    // Whoever could publish for some home gets past here (403 before 428); the home's own institution is checked
    // once the home is loaded.
    let own = caller.institution_id.clone().unwrap_or_default();
    policy::may_publish_care_home_cost(&caller, &own)?;
    let expected = if_match.required()?;
    let cost = body.into_inner();
    let id = id.into_inner();
    let today = state.clock.today();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let home = store::get_or_404(conn, &id)?;
            policy::may_publish_care_home_cost(&caller, &home.placing_institution_id)?;
            let history: Vec<CostOfStay> = store::costs(conn, &id)?
                .iter()
                .map(CostOfStay::from)
                .collect();
            check_new_cost(&cost, &history)?;
            store::bump_version(conn, &id, expected)?;
            store::insert_cost(
                conn,
                &CostRow {
                    care_home_id: id.clone(),
                    applies_from: cost.applies_from,
                    monthly_cost: cost.monthly_cost,
                    recorded_by: caller.id.clone(),
                    created_at: db::now(),
                },
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Update, "care_home", &id).detail("average_cost"),
            )?;
            load_view(conn, &id, today)
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, view))
}
