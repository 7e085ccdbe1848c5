//! A new IPZS as signed, and its checks.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::foundation::error::{ApiError, FieldError};

use super::schedule::{Activity, LAST_DATE, MAX_PARTICIPATION_MONTHS, Schedule};

/// Signs an IPZS (indywidualny program zatrudnienia socjalnego) with the participant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "referral_id": "0193…", "signed_on": "2026-11-23", "start_on": "2026-11-24", "planned_end_on": "2027-05-23",
    "diagnosis": "Długotrwale bezrobotny, motywacja do zmiany.", "goals": "Nabycie kwalifikacji i podjęcie zatrudnienia.",
    "participant_informed_of_insurance": true,
    "activities": [{"kind": "vocational", "description": "Warsztat stolarski"}, {"kind": "social", "description": "Trening kompetencji społecznych"}]
}))]
pub struct NewIpzs {
    /// A referral addressed to your CIS with the decision `referred`.
    pub referral_id: String,
    /// The day the CIS and the participant signed; on or after the day of the referral, never in the future.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub signed_on: NaiveDate,
    /// The first day of participation, on or after signing; the trial month starts here. Every deadline it sets
    /// must fit a four-digit year, so a start in the last weeks of 9999 is refused (`out_of_range`).
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub start_on: NaiveDate,
    /// The planned end of participation: after the trial month, and at most 12 months from the start (art. 13 of
    /// the social-employment act; for a start on 24 November 2026 the latest end is 23 November 2027).
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub planned_end_on: NaiveDate,
    /// Diagnosis of the participant's situation.
    #[schema(min_length = 1, max_length = 8000)]
    pub diagnosis: String,
    #[schema(min_length = 1, max_length = 8000)]
    pub goals: String,
    /// Planned social and vocational reintegration activities, at least one.
    #[schema(min_items = 1, max_items = 50)]
    pub activities: Vec<Activity>,
    /// Must be `true`: at signing the CIS told the participant about health insurance (MOPR registers a
    /// participant with no other title 30 days after the start) and that they must see the MOPR social worker to
    /// complete the formalities (seed 000 II.2). Recorded on the IPZS with the signing date.
    pub participant_informed_of_insurance: bool,
}

/// An IPZS follows its referral: it cannot be signed before the day MOPR referred the person.
pub fn check_signed_after_referral(
    signed_on: NaiveDate,
    referred_on: NaiveDate,
) -> Result<(), ApiError> {
    if signed_on < referred_on {
        return Err(ApiError::field(
            "signed_on",
            "before_referral",
            format!("the referral was issued on {referred_on}; the IPZS is signed on or after it"),
        ));
    }
    Ok(())
}

impl NewIpzs {
    pub fn check(&self, today: NaiveDate) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        let schedule = Schedule::of(self.signed_on, self.start_on);
        if let Err(e) =
            crate::foundation::legal_date::check("signed_on", self.signed_on, today, &[])
        {
            errors.push(e);
        }
        if self.start_on < self.signed_on {
            errors.push(FieldError::new(
                "start_on",
                "before_signing",
                "participation starts on or after signing",
            ));
        }
        if self.planned_end_on <= schedule.proper_period_starts_on {
            errors.push(FieldError::new(
                "planned_end_on",
                "too_early",
                format!(
                    "the planned end must be after the trial month (after {})",
                    schedule.proper_period_starts_on
                ),
            ));
        }
        if self.planned_end_on > schedule.latest_planned_end_on {
            errors.push(FieldError::new(
                "planned_end_on",
                "too_late",
                format!(
                    "participation lasts at most {MAX_PARTICIPATION_MONTHS} months (art. 13): the planned end is {} at the latest",
                    schedule.latest_planned_end_on
                ),
            ));
        }
        // Dates are written with four-digit years; a start in the last days of 9999 would give a health-insurance
        // registration deadline in the year 10000, which the contract's `format: date` cannot carry.
        if schedule.insurance_registration_due_on > LAST_DATE {
            errors.push(FieldError::new(
                "start_on",
                "out_of_range",
                format!(
                    "the insurance registration deadline would be {}, after 9999-12-31",
                    schedule.insurance_registration_due_on
                ),
            ));
        }
        if !self.participant_informed_of_insurance {
            errors.push(FieldError::new(
                "participant_informed_of_insurance",
                "briefing_required",
                "the CIS informs the participant about health insurance and the MOPR social worker at signing",
            ));
        }
        for (field, text) in [("diagnosis", &self.diagnosis), ("goals", &self.goals)] {
            if let Err(e) = crate::foundation::validation::required_text(field, text, 8000) {
                errors.push(e);
            }
        }
        if self.activities.is_empty() || self.activities.len() > 50 {
            errors.push(FieldError::new(
                "activities",
                "count",
                "plan 1 to 50 activities",
            ));
        }
        for (i, a) in self.activities.iter().enumerate() {
            // As sent for the limit, trimmed for blankness (see `validation::required_text`).
            if a.description.trim().is_empty() || a.description.chars().count() > 1000 {
                errors.push(FieldError::new(
                    format!("activities[{i}].description"),
                    "length",
                    "1 to 1000 characters",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}
