//! The stored application, MOPR's decision on it, and the application as the API shows it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::referral_applications;
use crate::foundation::error::ApiError;
use crate::identity::policy::CaseParties;

use super::status::ApplicationStatus;
use super::terms::{ApplicantKind, Consent, ConsentGivenBy, EligibilityCategory, ExcludingBenefit};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_applications, treat_none_as_default_value = false)]
pub struct ApplicationRow {
    pub id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub target_cis_id: String,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: Option<String>,
    pub filed_by_institution_id: String,
    pub filed_by_user_id: String,
    pub eligibility_categories: String,
    pub other_category_description: Option<String>,
    pub justification: String,
    pub received_on: NaiveDate,
    pub consent_given_on: NaiveDate,
    pub consent_given_by: ConsentGivenBy,
    pub opinion_due_on: NaiveDate,
    pub status: ApplicationStatus,
    /// JSON array of [`ExcludingBenefit`] names.
    pub declared_benefits: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub withdrawn_on: Option<NaiveDate>,
    /// Set by the case register (`records::acts`) only.
    pub recorded_late: bool,
}

impl ApplicationRow {
    /// The institutions the policy judges this application's visibility by.
    pub fn parties(&self) -> CaseParties<'_> {
        CaseParties {
            mopr_id: &self.mopr_id,
            target_cis_id: &self.target_cis_id,
            filed_by: &self.filed_by_institution_id,
        }
    }

    pub fn declared_benefits(&self) -> Result<Vec<ExcludingBenefit>, ApiError> {
        serde_json::from_str(&self.declared_benefits)
            .map_err(|e| ApiError::internal(format!("declared benefits: {e}")))
    }
}

crate::stored_enum! {
    /// MOPR's decision on an application.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Decision {
        /// Skierowanie: the person is referred to the CIS.
        Referred,
        /// The referral is refused, with reasons.
        Refused,
    }
}

/// The outcome of an application as the applicant sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub referral_id: Option<String>,
    pub decision: Decision,
    /// The day the director signed the referral or refusal (its legal date).
    pub decided_on: NaiveDate,
    /// When the decision was recorded.
    pub decided_at: DateTime<Utc>,
}

/// An application for referral to a CIS.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferralApplication {
    pub id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub target_cis_id: String,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: Option<String>,
    /// The institution that filed it (for `self` and `mopr`, the MOPR that recorded it).
    pub filed_by_institution_id: String,
    pub eligibility_categories: Vec<EligibilityCategory>,
    pub other_category_description: Option<String>,
    pub justification: String,
    pub received_on: NaiveDate,
    pub consent: Consent,
    /// Benefits declared under art. 1 ust. 3; any of them means MOPR refuses the referral.
    pub declared_benefits: Vec<ExcludingBenefit>,
    pub status: ApplicationStatus,
    /// The social worker's opinion is due on this date (14 days after `received_on`, KPA art. 57).
    pub opinion_due_on: NaiveDate,
    /// Still waiting for the opinion after `opinion_due_on` (today in Europe/Warsaw).
    pub opinion_overdue: bool,
    /// The opinion, for MOPR and the target CIS only (`null` before it is issued and for other institutions).
    pub opinion_id: Option<String>,
    /// MOPR's decision, once taken. The referral's id is given to MOPR and the target CIS only.
    pub outcome: Option<Outcome>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` with any transition (opinion, referral, withdrawal).
    pub version: i32,
    /// The day the applicant withdrew it, once withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// Some act of this case was recorded more than 7 days after its legal date (see `GET …/{id}/acts`).
    pub recorded_late: bool,
}
