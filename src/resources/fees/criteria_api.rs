//! The income criteria (kryteria dochodowe) in force over time.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{IncomeCriterion, MAX_AMOUNT, Thresholds};
use super::store::{self, CriterionRow};
use crate::foundation::db;
use crate::foundation::error::{ApiError, FieldError};
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

/// An income criterion with the fee thresholds it sets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncomeCriterionRecord {
    pub applies_from: NaiveDate,
    /// For a person living alone, in grosze.
    pub single: i64,
    /// Per person in a family, in grosze.
    pub per_person_in_family: i64,
    /// The regulation that set it.
    pub legal_basis: String,
    /// 300% of each: a relative pays only above these and is never left below them (art. 61 ust. 2 pkt 2).
    pub fee_thresholds: Thresholds,
}

impl From<CriterionRow> for IncomeCriterionRecord {
    fn from(r: CriterionRow) -> Self {
        let c = IncomeCriterion {
            applies_from: r.applies_from,
            single: r.single,
            per_person_in_family: r.per_person_in_family,
        };
        IncomeCriterionRecord {
            applies_from: r.applies_from,
            single: r.single,
            per_person_in_family: r.per_person_in_family,
            legal_basis: r.legal_basis,
            fee_thresholds: c.into(),
        }
    }
}

/// A new income criterion, from a new regulation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"applies_from": "2028-01-01", "single": 110000, "per_person_in_family": 90000,
    "legal_basis": "rozporządzenie Rady Ministrów w sprawie zweryfikowanych kryteriów dochodowych"}))]
pub struct NewIncomeCriterion {
    /// After the latest criterion.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub applies_from: NaiveDate,
    /// In grosze, 1 to 10,000,000,000.
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub single: i64,
    /// In grosze, 1 to 10,000,000,000.
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub per_person_in_family: i64,
    #[schema(min_length = 1, max_length = 500)]
    pub legal_basis: String,
}

/// The list of criteria: every one, oldest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IncomeCriteria {
    pub items: Vec<IncomeCriterionRecord>,
}

/// List the income criteria.
///
/// Every income criterion since 2015 (single person / per person in a family), with the 300% fee thresholds each
/// sets. A fee decision uses the criterion valid on the day its fee applies from. The criteria change by
/// regulation, about every three years; the list is short and returned whole.
#[utoipa::path(
    tag = "fees",
    operation_id = "list_income_criteria",
    security(("bearer_jwt" = [])),
    responses((status = 200, description = "Every criterion, oldest first.", body = IncomeCriteria))
)]
#[get("/income-criteria")]
pub async fn list_income_criteria(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    policy::may_read_institutions(&caller)?;
    let rows = db::read_as(&state.pool, caller.principal(), store::criteria).await?;
    Ok(HttpResponse::Ok().json(IncomeCriteria {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Add an income criterion.
///
/// When a new regulation verifies the criteria, a platform admin adds them, applying from a day after the latest
/// criterion (409 `not_after_latest`): earlier fee decisions keep the criterion they used.
#[utoipa::path(
    tag = "fees",
    operation_id = "add_income_criterion",
    security(("bearer_jwt" = [])),
    request_body = NewIncomeCriterion,
    responses(
        (status = 201, description = "Added; `Location` is the list.", body = IncomeCriterionRecord),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/income-criteria")]
pub async fn add_income_criterion(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewIncomeCriterion>,
) -> Result<HttpResponse, ApiError> {
    policy::may_add_income_criterion(&caller)?;
    let new = body.into_inner();
    let mut errors: Vec<FieldError> = Vec::new();
    for (field, v) in [
        ("single", new.single),
        ("per_person_in_family", new.per_person_in_family),
    ] {
        if !(1..=MAX_AMOUNT).contains(&v) {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                format!("an amount in grosze from 1 to {MAX_AMOUNT}"),
            ));
        }
    }
    let legal_basis = crate::foundation::validation::gather(
        &mut errors,
        crate::foundation::validation::required_text("legal_basis", &new.legal_basis, 500),
    )
    .unwrap_or_default();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            if let Some(last) = store::criteria(conn)?.last()
                && new.applies_from <= last.applies_from
            {
                return Err(ApiError::conflict(
                    "not_after_latest",
                    format!(
                        "the latest criterion applies from {}; a new one applies from a later day",
                        last.applies_from
                    ),
                ));
            }
            let row = CriterionRow {
                applies_from: new.applies_from,
                single: new.single,
                per_person_in_family: new.per_person_in_family,
                legal_basis,
                created_at: db::now(),
            };
            store::insert_criterion(conn, &row)?;
            audit::record(
                conn,
                &caller,
                Entry::new(
                    Action::Create,
                    "income_criterion",
                    &row.applies_from.to_string(),
                ),
            )?;
            Ok(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/income-criteria"))
        .json(IncomeCriterionRecord::from(row)))
}
