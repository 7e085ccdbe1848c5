//! The IPZS's schedule: activities, the trial month, the proper period, and the dates the admission list and the
//! health-insurance registration are due.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;

/// Social or vocational reintegration (reintegracja społeczna / zawodowa).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Social,
    Vocational,
}

/// A planned reintegration activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub kind: ActivityKind,
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Warsztat stolarski, 6 godzin dziennie"
    )]
    pub description: String,
}

/// The dates an IPZS's obligations follow from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub proper_period_starts_on: NaiveDate,
    pub trial_ends_on: NaiveDate,
    pub admission_list_due_on: NaiveDate,
    pub insurance_starts_on: NaiveDate,
    pub insurance_registration_due_on: NaiveDate,
    /// The latest planned end the act allows at signing (12 months of participation, art. 13).
    pub latest_planned_end_on: NaiveDate,
}

/// Months of participation an IPZS may plan (ustawa o zatrudnieniu socjalnym, art. 13 as amended in 2022: up to
/// 12 months; a later extension of up to 6 months in particularly justified cases is a separate act).
pub const MAX_PARTICIPATION_MONTHS: u32 = 12;

/// The payer must report a person to health insurance within 7 days of the obligation arising, and de-register
/// them within 7 days of its end (ustawa o systemie ubezpieczeń społecznych art. 36 ust. 4 and 11, applied to
/// health insurance by art. 74 of the health-care benefits act).
pub const INSURANCE_REPORTING_DAYS: u64 = 7;

/// The last date a `YYYY-MM-DD` can carry.
pub(super) const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();

/// A reporting deadline of 7 days after `event` (the event day not counted; a Saturday or holiday end moves to
/// the next working day).
pub fn insurance_reporting_due_on(event: NaiveDate) -> NaiveDate {
    calendar::kpa_days(event, INSURANCE_REPORTING_DAYS)
}

impl Schedule {
    /// The trial month begins on the start day and ends on the day before the same day number a month later, or
    /// on the last day of a shorter month (KC art. 112): a start on 31 January ends the trial on 28 February and
    /// the proper period starts on 1 March. The admission list is due 5 working days after signing; health
    /// insurance starts 30 days after the start and must be reported 7 days after that.
    pub fn of(signed_on: NaiveDate, start_on: NaiveDate) -> Self {
        let trial_ends_on = calendar::last_day_of_months_from(start_on, 1);
        let insurance_starts_on = start_on + Days::new(30);
        Schedule {
            proper_period_starts_on: trial_ends_on + Days::new(1),
            trial_ends_on,
            admission_list_due_on: calendar::add_working_days(signed_on, 5),
            insurance_starts_on,
            insurance_registration_due_on: insurance_reporting_due_on(insurance_starts_on),
            latest_planned_end_on: calendar::last_day_of_months_from(
                start_on,
                MAX_PARTICIPATION_MONTHS,
            ),
        }
    }

    /// The last week of the trial month, when the CIS director asks MOPR to qualify the participant.
    pub fn qualification_window(&self) -> (NaiveDate, NaiveDate) {
        (self.trial_ends_on - Days::new(6), self.trial_ends_on)
    }

    /// Where a trial that failed ends: on the trial's last day, or on MOPR's decision day if that came later
    /// (the participant kept attending until told).
    pub fn failed_trial_ends_on(&self, decided_on: NaiveDate) -> NaiveDate {
        self.trial_ends_on.max(decided_on)
    }
}
