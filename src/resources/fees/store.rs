//! The queries of income criteria and fee decisions.

use diesel::prelude::*;

use crate::foundation::db::DbConnection;
use crate::foundation::db::schema::{fee_decisions, income_criteria};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::PageRequest;
use chrono::{NaiveDate, NaiveDateTime};

/// A stored income criterion.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = income_criteria, treat_none_as_default_value = false)]
pub struct CriterionRow {
    pub applies_from: NaiveDate,
    pub single: i64,
    pub per_person_in_family: i64,
    pub legal_basis: String,
    pub created_at: NaiveDateTime,
}

/// A stored fee decision; `input` and `split` are JSON written by [`super::api`].
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fee_decisions, treat_none_as_default_value = false)]
pub struct FeeDecisionRow {
    pub id: String,
    pub dps_application_id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub care_home_id: String,
    pub applies_from: NaiveDate,
    pub criterion_applies_from: NaiveDate,
    pub cost_applies_from: NaiveDate,
    pub input: String,
    pub split: String,
    pub supersedes_id: Option<String>,
    pub issued_on: NaiveDate,
    pub issued_by: String,
    pub created_at: NaiveDateTime,
}

/// Every criterion, oldest first (a handful of rows: one per regulation).
pub fn criteria(conn: &mut DbConnection) -> Result<Vec<CriterionRow>, ApiError> {
    Ok(income_criteria::table
        .order(income_criteria::applies_from.asc())
        .select(CriterionRow::as_select())
        .load(conn)?)
}

pub fn insert_criterion(conn: &mut DbConnection, row: &CriterionRow) -> Result<(), ApiError> {
    diesel::insert_into(income_criteria::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert(conn: &mut DbConnection, row: &FeeDecisionRow) -> Result<(), ApiError> {
    diesel::insert_into(fee_decisions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<FeeDecisionRow>, ApiError> {
    Ok(fee_decisions::table
        .find(id)
        .select(FeeDecisionRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// One page of a case's fee decisions, oldest first.
pub fn of_case(
    conn: &mut DbConnection,
    case_id: &str,
    page: &PageRequest,
) -> Result<Vec<FeeDecisionRow>, ApiError> {
    let mut q = fee_decisions::table
        .filter(fee_decisions::dps_application_id.eq(case_id.to_owned()))
        .select(FeeDecisionRow::as_select())
        .into_boxed::<crate::foundation::db::Backend>();
    if let Some(after) = &page.after {
        q = q.filter(fee_decisions::id.gt(after.clone()));
    }
    Ok(q.order(fee_decisions::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}
