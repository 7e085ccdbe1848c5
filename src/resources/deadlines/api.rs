use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Deadline, DeadlineKind, Position, StatusFilter};
use super::store;
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::state::AppState;
use crate::resources::ipzs::model::DeadlineStatus;

/// Filters of the deadline view.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    pub kind: Option<DeadlineKind>,
    /// `open`, `due_soon`, `overdue`, `met` or `met_late`.
    pub status: Option<DeadlineStatus>,
}

/// List your institution's deadlines.
///
/// Every obligation the procedures give your institution, soonest first: for MOPR the opinions, qualification
/// decisions and health-insurance (de)registrations, and in DPS cases the missing documents (`dps_documents`), the
/// decision (`dps_decision`) and the forwarding of appeals to the SKO (`dps_appeal_forwarding`); for a CIS the
/// admission lists, qualification requests and termination notices. Each has its due date, a status (`open`, `due_soon` within 3 days, `overdue`, `met`,
/// `met_late`) judged by today's date in Europe/Warsaw, and a link to the record. Institutions of other kinds have
/// none. Derived from the records in the same transaction as every change, so it is always current; one indexed
/// query per page, however many records the institution has.
#[utoipa::path(
    tag = "deadlines",
    operation_id = "list_deadlines",
    security(("bearer_jwt" = [])),
    params(DeadlineQuery, PageParams),
    responses(
        (status = 200, description = "One page of deadlines, soonest first.", body = Page<Deadline>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/deadlines")]
pub async fn list_deadlines(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DeadlineQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let after = page
        .after
        .as_deref()
        .map(|a| {
            Position::parse(a).ok_or_else(|| ApiError::BadRequest {
                code: "invalid_cursor",
                detail: "the cursor is not one this API issued; start again without it".into(),
            })
        })
        .transpose()?;
    let today = state.clock.today();
    let inst = caller.institution()?;
    let q = query.into_inner();
    let status = q.status.map(|s| StatusFilter::of(s, today));
    let limit = page.limit;
    let mut rows = db::read_as(&state.pool, caller.principal(), move |conn| {
        store::page(conn, &inst, q.kind, status, after.as_ref(), limit)
    })
    .await?;
    let next_cursor = take_page(&mut rows, limit, |o| o.position());
    let items: Vec<Deadline> = rows.into_iter().map(|o| o.view(today)).collect();
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}
