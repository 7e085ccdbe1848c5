use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{ApplicationRow, ApplicationStatus};
use crate::foundation::db::schema::{opinions, referral_applications, referrals};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;
use crate::identity::{Caller, policy};
use crate::resources::opinions::model::OpinionRow;
use crate::resources::referrals::model::ReferralRow;

/// Inserts a new application and its obligations.
pub fn insert(conn: &mut DbConnection, row: &ApplicationRow) -> Result<(), ApiError> {
    diesel::insert_into(referral_applications::table)
        .values(row)
        .execute(conn)?;
    crate::resources::deadlines::store::insert_new(
        conn,
        &crate::resources::deadlines::model::application_obligations(row, None),
    )
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<ApplicationRow>, ApiError> {
    Ok(referral_applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Moves an application to `status` if it is still at `expected_version`; returns the new row.
pub fn set_status(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    expected_version: i32,
    status: ApplicationStatus,
) -> Result<ApplicationRow, ApiError> {
    let now = crate::foundation::db::now();
    let updated = diesel::update(
        referral_applications::table
            .filter(referral_applications::id.eq(&row.id))
            .filter(referral_applications::version.eq(expected_version)),
    )
    .set((
        referral_applications::status.eq(status),
        referral_applications::updated_at.eq(now),
        referral_applications::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(stale("application"));
    }
    let next = get(conn, &row.id)?.ok_or_else(|| ApiError::not_found("application"))?;
    crate::resources::deadlines::store::sync_application(conn, &next)?;
    Ok(next)
}

#[derive(Debug, Default, Clone)]
pub struct ApplicationFilter {
    pub status: Option<ApplicationStatus>,
    pub target_cis_id: Option<String>,
    pub person_id: Option<String>,
    /// Waiting for an opinion whose due date is before this day.
    pub opinion_due_before: Option<NaiveDate>,
    pub recorded_late: Option<bool>,
}

pub fn set_withdrawn_on(
    conn: &mut DbConnection,
    id: &str,
    withdrawn_on: NaiveDate,
) -> Result<(), ApiError> {
    diesel::update(referral_applications::table.find(id))
        .set(referral_applications::withdrawn_on.eq(withdrawn_on))
        .execute(conn)?;
    Ok(())
}

/// Applications the institution is a party to (as MOPR, target CIS or filer), oldest first.
pub fn list(
    conn: &mut DbConnection,
    institution_id: &str,
    filter: &ApplicationFilter,
    page: &PageRequest,
) -> Result<Vec<ApplicationRow>, ApiError> {
    let inst = institution_id.to_owned();
    let mut q = referral_applications::table
        .select(ApplicationRow::as_select())
        .filter(
            referral_applications::mopr_id
                .eq(inst.clone())
                .or(referral_applications::target_cis_id.eq(inst.clone()))
                .or(referral_applications::filed_by_institution_id.eq(inst)),
        )
        .into_boxed::<Backend>();
    if let Some(s) = &filter.status {
        q = q.filter(referral_applications::status.eq(*s));
    }
    if let Some(c) = &filter.target_cis_id {
        q = q.filter(referral_applications::target_cis_id.eq(c.clone()));
    }
    if let Some(p) = &filter.person_id {
        q = q.filter(referral_applications::person_id.eq(p.clone()));
    }
    if let Some(day) = filter.opinion_due_before {
        q = q
            .filter(referral_applications::status.eq(ApplicationStatus::Submitted))
            .filter(referral_applications::opinion_due_on.lt(day));
    }
    if let Some(late) = filter.recorded_late {
        q = q.filter(referral_applications::recorded_late.eq(late));
    }
    if let Some(after) = &page.after {
        q = q.filter(referral_applications::id.gt(after.clone()));
    }
    Ok(q.order(referral_applications::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

pub fn opinions_for(
    conn: &mut DbConnection,
    application_ids: &[String],
) -> Result<Vec<OpinionRow>, ApiError> {
    Ok(opinions::table
        .filter(opinions::application_id.eq_any(application_ids))
        .select(OpinionRow::as_select())
        .load(conn)?)
}

pub fn referrals_for(
    conn: &mut DbConnection,
    application_ids: &[String],
) -> Result<Vec<ReferralRow>, ApiError> {
    Ok(referrals::table
        .filter(referrals::application_id.eq_any(application_ids))
        .select(ReferralRow::as_select())
        .load(conn)?)
}

/// The person's undecided (`submitted` or `opinion_issued`) application for a CIS, if any.
pub fn open_for(
    conn: &mut DbConnection,
    person_id: &str,
    target_cis_id: &str,
) -> Result<Option<ApplicationRow>, ApiError> {
    Ok(referral_applications::table
        .filter(referral_applications::person_id.eq(person_id))
        .filter(referral_applications::target_cis_id.eq(target_cis_id))
        .filter(referral_applications::status.eq_any([
            ApplicationStatus::Submitted,
            ApplicationStatus::OpinionIssued,
        ]))
        .select(ApplicationRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Loads an application the caller may see, or 404.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<ApplicationRow, ApiError> {
    get(conn, id)?
        .filter(|row| policy::sees_application(caller, row.parties()))
        .ok_or_else(|| ApiError::not_found("referral application"))
}
