use actix_web::{HttpResponse, get, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Deadline, DeadlineKind, ipzs_deadlines, opinion_deadlines, sort_key};
use crate::AppState;
use crate::auth::{Caller, InstitutionKind, policy};
use crate::db;
use crate::db::schema::{opinions, referral_applications};
use crate::error::ApiError;
use crate::ipzs::model::DeadlineStatus;
use crate::opinions::model::OpinionRow;
use crate::pagination::{Page, PageParams, take_page};
use crate::referral_applications::model::ApplicationRow;

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
/// Every obligation the procedure gives your institution, soonest first: for MOPR the opinions, qualification
/// decisions and health-insurance (de)registrations; for a CIS the admission lists, qualification requests and
/// termination notices. Each has its due date, a status (`open`, `due_soon` within 3 days, `overdue`, `met`,
/// `met_late`) judged by today's date in Europe/Warsaw, and a link to the record. Institutions of other kinds have
/// none. Derived from the records, so it is always current.
#[utoipa::path(
    tag = "deadlines",
    operation_id = "list_deadlines",
    security(("bearer_jwt" = [])),
    params(DeadlineQuery, PageParams),
    responses(
        (status = 200, description = "One page of deadlines, soonest first.", body = Page<Deadline>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 422, response = crate::openapi::UnprocessableContent),
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
    let today = state.clock.today();
    let inst = caller.institution()?;
    let kind = caller.kind;
    let q = query.into_inner();
    let mut all: Vec<Deadline> = db::run(&state.pool, move |conn| {
        let mut out = Vec::new();
        match kind {
            Some(InstitutionKind::Mopr) => {
                let apps: Vec<(ApplicationRow, Option<OpinionRow>)> = referral_applications::table
                    .left_join(opinions::table)
                    .filter(referral_applications::mopr_id.eq(&inst))
                    .select((
                        ApplicationRow::as_select(),
                        Option::<OpinionRow>::as_select(),
                    ))
                    .load(conn)?;
                out.extend(opinion_deadlines(&apps, today));
            }
            Some(InstitutionKind::Cis) => {}
            _ => return Ok(out),
        }
        let rows = crate::ipzs::store::all_of(conn, &inst)?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let quals = crate::qualifications::store::all_for(conn, &ids)?;
        for row in &rows {
            let qual = quals.iter().find(|x| x.ipzs_id == row.id);
            out.extend(ipzs_deadlines(
                row,
                qual,
                caller.belongs_to(&row.cis_id),
                today,
            ));
        }
        Ok(out)
    })
    .await?;
    all.retain(|d| q.kind.is_none_or(|k| d.kind == k) && q.status.is_none_or(|s| d.status == s));
    all.sort_by_key(sort_key);
    if let Some(after) = &page.after {
        all.retain(|d| sort_key(d) > *after);
    }
    let next_cursor = take_page(&mut all, page.limit, sort_key);
    Ok(HttpResponse::Ok().json(Page {
        items: all,
        next_cursor,
    }))
}
