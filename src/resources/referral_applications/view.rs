//! Turning stored rows into what a given caller may see of an application.

use chrono::NaiveDate;

use super::model::{
    ApplicationRow, Consent, EligibilityCategory, Outcome, ReferralApplication, opinion_overdue,
};
use super::store;
use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::identity::policy;
use crate::resources::opinions::model::OpinionRow;
use crate::resources::referrals::model::ReferralRow;

fn bad(what: &str) -> ApiError {
    ApiError::internal(format!("unreadable {what} in database"))
}

pub fn build(
    caller: &Caller,
    row: ApplicationRow,
    opinion: Option<&OpinionRow>,
    referral: Option<&ReferralRow>,
    today: NaiveDate,
) -> Result<ReferralApplication, ApiError> {
    let sees_documents = policy::sees_opinion(caller, row.parties());
    let status = row.status;
    let categories = row
        .eligibility_categories
        .split(',')
        .map(|c| EligibilityCategory::parse(c).ok_or_else(|| bad("category")))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = referral
        .map(|r| -> Result<Outcome, ApiError> {
            Ok(Outcome {
                referral_id: sees_documents.then(|| r.id.clone()),
                decision: r.decision,
                decided_on: r.issued_on,
                decided_at: r.issued_at.and_utc(),
            })
        })
        .transpose()?;
    Ok(ReferralApplication {
        applicant_kind: row.applicant_kind,
        consent: Consent {
            given: true,
            given_on: row.consent_given_on,
            given_by: row.consent_given_by,
        },
        opinion_overdue: opinion_overdue(status, row.opinion_due_on, today),
        declared_benefits: row.declared_benefits()?,
        opinion_id: opinion.filter(|_| sees_documents).map(|o| o.id.clone()),
        outcome,
        status,
        eligibility_categories: categories,
        id: row.id,
        person_id: row.person_id,
        mopr_id: row.mopr_id,
        target_cis_id: row.target_cis_id,
        applicant_name: row.applicant_name,
        filed_by_institution_id: row.filed_by_institution_id,
        other_category_description: row.other_category_description,
        justification: row.justification,
        received_on: row.received_on,
        opinion_due_on: row.opinion_due_on,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        version: row.version,
        withdrawn_on: row.withdrawn_on,
        recorded_late: row.recorded_late,
    })
}

/// Views of several applications, fetching their opinions and referrals in two queries.
pub fn build_all(
    conn: &mut DbConnection,
    caller: &Caller,
    rows: Vec<ApplicationRow>,
    today: NaiveDate,
) -> Result<Vec<ReferralApplication>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let opinions = store::opinions_for(conn, &ids)?;
    let referrals = store::referrals_for(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let o = opinions.iter().find(|o| o.application_id == row.id);
            let r = referrals.iter().find(|r| r.application_id == row.id);
            build(caller, row, o, r, today)
        })
        .collect()
}
