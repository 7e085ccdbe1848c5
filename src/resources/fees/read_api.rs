//! Reading fee decisions: the case's MOPR only.

use actix_web::{HttpResponse, get, web};

use super::api::{FeeDecision, case_for_fees, current_fee_id, view};
use super::store;
use crate::foundation::error::ApiError;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::audit::{Action, Entry};
use crate::records::state::AppState;

/// List a case's fee decisions.
///
/// Every fee decision of the case, oldest first; `current` marks the one in force. The case's MOPR only (404 for
/// everyone else, including the applying PCPR: fees are computed from incomes).
#[utoipa::path(
    tag = "fees",
    operation_id = "list_fee_decisions",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The DPS case's id."), PageParams),
    responses(
        (status = 200, description = "One page of fee decisions.", body = Page<FeeDecision>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/dps-applications/{id}/fee-decisions")]
pub async fn list_fee_decisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let id = id.into_inner();
    let result = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let case = case_for_fees(conn, &caller, &id)?;
            let current = current_fee_id(&case);
            let mut rows = store::of_case(conn, &id, &page)?;
            let next_cursor = take_page(&mut rows, page.limit, |r| r.id.clone());
            trail.listed(
                &caller,
                "fee_decision",
                rows.iter().map(|r| (r.id.as_str(), r.person_id.as_str())),
            );
            let items = rows
                .into_iter()
                .map(|r| view(r, current.as_deref()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a fee decision.
///
/// The case's MOPR only; 404 for everyone else.
#[utoipa::path(
    tag = "fees",
    operation_id = "get_fee_decision",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The fee decision's id.")),
    responses(
        (status = 200, description = "The fee decision.", body = FeeDecision),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/fee-decisions/{id}")]
pub async fn get_fee_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let decision = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let row = store::get(conn, &id)?.ok_or_else(|| ApiError::not_found("fee decision"))?;
            if !policy::sees_dps_file(&caller, &row.mopr_id) {
                return Err(ApiError::not_found("fee decision"));
            }
            let case = case_for_fees(conn, &caller, &row.dps_application_id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "fee_decision", &row.id).person(&row.person_id),
            );
            view(row, current_fee_id(&case).as_deref())
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(decision))
}
