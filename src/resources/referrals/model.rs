//! MOPR's decision on an application (skierowanie, or its refusal) and the rules it follows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::foundation::db::schema::referrals;
use crate::foundation::error::ApiError;
pub use crate::resources::referral_applications::model::Decision;
use crate::resources::referral_applications::model::ExcludingBenefit;

crate::stored_enum! {
    /// Why MOPR refuses a referral.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum RefusalGround {
        /// The person is entitled to a benefit of art. 1 ust. 3 (unemployment benefit, pension, …).
        BenefitEntitlement,
        /// The person belongs to none of the groups the act applies to (art. 1 ust. 2).
        NotInEligibleGroup,
        /// The social worker's opinion is negative.
        NegativeOpinion,
        /// Another reason, given in `reasons`.
        Other,
    }
}

/// Art. 1 ust. 3: a person entitled to one of the listed benefits cannot be referred; MOPR refuses instead.
pub fn check_referral_allowed(
    decision: Decision,
    declared: &[ExcludingBenefit],
) -> Result<(), ApiError> {
    if decision == Decision::Referred && !declared.is_empty() {
        return Err(ApiError::conflict(
            "benefit_excludes_participation",
            "the application declares a benefit of art. 1 ust. 3 that excludes participation; refuse it with \
             refusal_ground `benefit_entitlement`",
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals, treat_none_as_default_value = false)]
pub struct ReferralRow {
    pub id: String,
    pub application_id: String,
    pub decision: Decision,
    pub reasons: Option<String>,
    pub decided_by: String,
    /// When it was recorded.
    pub issued_at: NaiveDateTime,
    pub refusal_ground: Option<RefusalGround>,
    /// The day the director signed it: its legal date.
    pub issued_on: chrono::NaiveDate,
}
