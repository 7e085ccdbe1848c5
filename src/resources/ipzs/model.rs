//! The rules of participation (seed 000, section II): the IPZS's schedule (trial month, proper period, admission
//! list and insurance dates), the qualification window, termination and completion.
//!
//! ```text
//!   trial ──qualified──▶ active ──planned end──▶ completed
//!     │  └─not qualified─▶ not_qualified
//!     └──────────┴──terminate (before the planned end)──▶ terminated
//! ```

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;
use crate::foundation::db::schema::ipzs;
use crate::foundation::error::{ApiError, FieldError};

/// Days before the due date from which an open obligation counts as `due_soon`.
pub const DUE_SOON_DAYS: u64 = 3;

crate::stored_enum! {
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum IpzsStatus {
        /// The trial month (okres próbny).
        Trial,
        /// Qualified; the proper period (okres właściwy) runs.
        Active,
        /// Ended at the planned end.
        Completed,
        /// MOPR did not qualify the participant after the trial month.
        NotQualified,
        /// Dissolved before the planned end (breach, absence, withdrawal, other).
        Terminated,
    }
}

crate::stored_enum! {
    /// Why an IPZS was dissolved early (art. 13: persistent breach, absence, withdrawal).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum TerminationReason {
        Breach,
        Absence,
        Withdrawal,
        Other,
    }
}

crate::stored_enum! {
    /// How a message travelled between the institutions (time is short, so e-mail and fax are allowed).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Channel {
        Letter,
        Email,
        Fax,
        Api,
    }
}

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
const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();

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

/// A qualification request is accepted from the first day of the trial month's last week, during the trial only.
/// A request after the trial month has ended is accepted too (refusing it would leave no way to qualify the
/// participant at all) and counts as late: see [`request_late`].
pub fn check_qualification_request(
    status: IpzsStatus,
    schedule: &Schedule,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if status != IpzsStatus::Trial {
        return Err(ApiError::conflict(
            "not_in_trial",
            "qualification is asked for during the trial month only",
        ));
    }
    let (from, to) = schedule.qualification_window();
    if today < from {
        return Err(ApiError::conflict(
            "qualification_request_too_early",
            format!("ask in the last week of the trial month: from {from} to {to}"),
        ));
    }
    Ok(())
}

/// Whether a qualification request came after the last week of the trial month (accepted, but flagged).
pub fn request_late(requested_on: NaiveDate, schedule: &Schedule) -> bool {
    requested_on > schedule.trial_ends_on
}

/// Who concluded that the trial month failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedTrial {
    /// MOPR decided `not_qualified`; the IPZS is already `not_qualified`.
    DecidedByMopr { decided_on: NaiveDate },
    /// The CIS director concluded it without asking MOPR (seed 000 II.3); the IPZS is still in `trial`.
    ConcludedByCis,
}

/// The CIS director's letter to a participant who is not qualified (copy to MOPR), sent after the trial month
/// has ended (seed 000 II.3: "po zakończeniu miesiąca próbnego"). From `trial` it concludes the failed trial
/// itself, which needs the trial to be over and no qualification request waiting for MOPR's answer. Returns the
/// day the programme ends.
pub fn check_non_qualification_letter(
    status: IpzsStatus,
    schedule: &Schedule,
    pending_request: bool,
    decided_on: Option<NaiveDate>,
    letter_already_sent: bool,
    sent_on: NaiveDate,
    today: NaiveDate,
) -> Result<(FailedTrial, NaiveDate), ApiError> {
    if letter_already_sent {
        return Err(ApiError::conflict(
            "letter_already_sent",
            "the letter is already recorded",
        ));
    }
    let failed = match (status, decided_on) {
        (IpzsStatus::NotQualified, Some(decided_on)) => FailedTrial::DecidedByMopr { decided_on },
        (IpzsStatus::Trial, _) if pending_request => {
            return Err(ApiError::conflict(
                "qualification_pending",
                "the CIS asked MOPR to qualify this participant; wait for MOPR's decision",
            ));
        }
        (IpzsStatus::Trial, _) if today <= schedule.trial_ends_on => {
            return Err(ApiError::conflict(
                "trial_not_over",
                format!(
                    "the trial month ends on {}; the letter is sent after it",
                    schedule.trial_ends_on
                ),
            ));
        }
        (IpzsStatus::Trial, _) => FailedTrial::ConcludedByCis,
        _ => {
            return Err(ApiError::conflict(
                "not_qualified_required",
                "the letter follows a failed trial month (an IPZS in `trial` after the trial month, or \
                 `not_qualified` by MOPR)",
            ));
        }
    };
    let earliest = match failed {
        FailedTrial::DecidedByMopr { decided_on } => {
            decided_on.max(schedule.proper_period_starts_on)
        }
        FailedTrial::ConcludedByCis => schedule.proper_period_starts_on,
    };
    if sent_on < earliest || sent_on > today {
        return Err(ApiError::field(
            "sent_on",
            "out_of_range",
            format!(
                "the letter is sent after the trial month and MOPR's decision: from {earliest} to today"
            ),
        ));
    }
    let ends_on = match failed {
        FailedTrial::DecidedByMopr { decided_on } => schedule.failed_trial_ends_on(decided_on),
        FailedTrial::ConcludedByCis => schedule.trial_ends_on,
    };
    Ok((failed, ends_on))
}

/// Whether the decision came after the proper period should have started (possible, but flagged).
pub fn decision_late(decided_on: NaiveDate, schedule: &Schedule) -> bool {
    decided_on >= schedule.proper_period_starts_on
}

/// Terminating early: only a running programme, on a day within it and before its planned end. Returns the date
/// by which MOPR must be informed (5 working days).
pub fn check_termination(
    status: IpzsStatus,
    start_on: NaiveDate,
    planned_end_on: NaiveDate,
    terminated_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, ApiError> {
    if !matches!(status, IpzsStatus::Trial | IpzsStatus::Active) {
        return Err(ApiError::conflict(
            "ipzs_not_running",
            format!("an IPZS that is {} cannot be terminated", status.as_str()),
        ));
    }
    if terminated_on < start_on || terminated_on > today {
        return Err(ApiError::field(
            "terminated_on",
            "out_of_range",
            "terminated_on must be between the start of the IPZS and today",
        ));
    }
    if terminated_on >= planned_end_on {
        return Err(ApiError::conflict(
            "not_early",
            "on or after the planned end the IPZS is completed, not terminated",
        ));
    }
    Ok(calendar::add_working_days(terminated_on, 5))
}

/// Completion at the planned end: only an active (qualified) programme whose planned end has come.
pub fn check_completion(
    status: IpzsStatus,
    planned_end_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if status != IpzsStatus::Active {
        return Err(ApiError::conflict(
            "ipzs_not_active",
            format!("an IPZS that is {} cannot be completed", status.as_str()),
        ));
    }
    if today < planned_end_on {
        return Err(ApiError::conflict(
            "planned_end_not_reached",
            format!("the planned end is {planned_end_on}; end it earlier by terminating it"),
        ));
    }
    Ok(())
}

/// The state of an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Not yet done, and not due within 3 days.
    Open,
    /// Not yet done, due within 3 days (today included).
    DueSoon,
    /// Not done, and the due date has passed.
    Overdue,
    /// Done on or before the due date.
    Met,
    /// Done, but after the due date.
    MetLate,
}

pub fn deadline_status(
    due_on: NaiveDate,
    met_on: Option<NaiveDate>,
    today: NaiveDate,
) -> DeadlineStatus {
    match met_on {
        Some(done) if done <= due_on => DeadlineStatus::Met,
        Some(_) => DeadlineStatus::MetLate,
        None if today > due_on => DeadlineStatus::Overdue,
        None if today + Days::new(DUE_SOON_DAYS) >= due_on => DeadlineStatus::DueSoon,
        None => DeadlineStatus::Open,
    }
}

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
        if self.signed_on > today {
            errors.push(FieldError::new(
                "signed_on",
                "in_future",
                "an IPZS is recorded once signed",
            ));
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ipzs, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct IpzsRow {
    pub id: String,
    pub referral_id: String,
    pub person_id: String,
    pub cis_id: String,
    pub mopr_id: String,
    pub signed_on: NaiveDate,
    pub start_on: NaiveDate,
    pub proper_period_starts_on: NaiveDate,
    pub planned_end_on: NaiveDate,
    pub diagnosis: String,
    pub goals: String,
    pub activities: String,
    pub status: IpzsStatus,
    pub admission_list_due_on: NaiveDate,
    pub admission_list_id: Option<String>,
    pub admission_listed_on: Option<NaiveDate>,
    pub insurance_starts_on: NaiveDate,
    pub insurance_ends_on: Option<NaiveDate>,
    pub insurance_registered_on: Option<NaiveDate>,
    pub insurance_deregistered_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub termination_reason: Option<TerminationReason>,
    pub termination_details: Option<String>,
    pub termination_notice_due_on: Option<NaiveDate>,
    pub mopr_informed_on: Option<NaiveDate>,
    pub non_qualification_letter_sent_on: Option<NaiveDate>,
    pub participant_informed_of_insurance: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl IpzsRow {
    pub fn schedule(&self) -> Schedule {
        Schedule::of(self.signed_on, self.start_on)
    }
}

/// The admission-list obligation of an IPZS, as shown on it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdmissionListState {
    /// 5 working days after signing.
    pub due_on: NaiveDate,
    /// The list that reported this participant to MOPR, once sent.
    pub admission_list_id: Option<String>,
    /// The day it was sent.
    pub sent_on: Option<NaiveDate>,
    pub status: DeadlineStatus,
}

/// Health insurance of the participant, registered by MOPR.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Insurance {
    /// 30 days after the IPZS starts.
    pub obligation_starts_on: NaiveDate,
    /// MOPR must report the participant within 7 days of the obligation starting (moved off Saturdays and
    /// holidays to the next working day).
    pub registration_due_on: NaiveDate,
    /// The programme's end or termination, once known.
    pub obligation_ends_on: Option<NaiveDate>,
    /// 7 days after the obligation ends (moved off Saturdays and holidays), once it is known.
    pub deregistration_due_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    pub deregistered_on: Option<NaiveDate>,
    /// The day the CIS told the participant about insurance and the MOPR social worker (the signing day);
    /// `null` for programmes recorded before this was asked.
    pub participant_informed_on: Option<NaiveDate>,
}

/// Early termination and the notice to MOPR.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Termination {
    pub reason: TerminationReason,
    pub details: Option<String>,
    pub terminated_on: NaiveDate,
    /// MOPR must be informed within 5 working days.
    pub notice_due_on: NaiveDate,
    pub mopr_informed_on: Option<NaiveDate>,
    pub notice_status: DeadlineStatus,
}

/// An individual programme of social employment (IPZS) and its obligations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ipzs {
    pub id: String,
    pub referral_id: String,
    pub person_id: String,
    pub cis_id: String,
    pub mopr_id: String,
    pub signed_on: NaiveDate,
    pub start_on: NaiveDate,
    /// The last day of the trial month.
    pub trial_ends_on: NaiveDate,
    /// The first day of the proper period; MOPR's qualification must reach the CIS before it.
    pub proper_period_starts_on: NaiveDate,
    pub planned_end_on: NaiveDate,
    pub diagnosis: String,
    pub goals: String,
    pub activities: Vec<Activity>,
    pub status: IpzsStatus,
    /// The day the programme ended (completed, not qualified or terminated).
    pub ended_on: Option<NaiveDate>,
    pub admission_list: AdmissionListState,
    pub insurance: Insurance,
    pub termination: Option<Termination>,
    /// After a negative qualification, the day the CIS sent the participant its letter (copy to MOPR).
    pub non_qualification_letter_sent_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` with any transition.
    pub version: i32,
}

impl IpzsRow {
    pub fn into_view(self, today: NaiveDate) -> Result<Ipzs, ApiError> {
        let schedule = self.schedule();
        let status = self.status;
        let activities: Vec<Activity> = serde_json::from_str(&self.activities)
            .map_err(|e| ApiError::internal(format!("activities: {e}")))?;
        let termination = match (
            &self.termination_reason,
            self.ended_on,
            self.termination_notice_due_on,
        ) {
            (Some(reason), Some(ended), Some(due)) => Some(Termination {
                reason: *reason,
                details: self.termination_details.clone(),
                terminated_on: ended,
                notice_due_on: due,
                mopr_informed_on: self.mopr_informed_on,
                notice_status: deadline_status(due, self.mopr_informed_on, today),
            }),
            _ => None,
        };
        Ok(Ipzs {
            trial_ends_on: schedule.trial_ends_on,
            admission_list: AdmissionListState {
                due_on: self.admission_list_due_on,
                status: deadline_status(
                    self.admission_list_due_on,
                    self.admission_listed_on,
                    today,
                ),
                admission_list_id: self.admission_list_id,
                sent_on: self.admission_listed_on,
            },
            insurance: Insurance {
                obligation_starts_on: self.insurance_starts_on,
                registration_due_on: insurance_reporting_due_on(self.insurance_starts_on),
                obligation_ends_on: self.insurance_ends_on,
                deregistration_due_on: self.insurance_ends_on.map(insurance_reporting_due_on),
                registered_on: self.insurance_registered_on,
                deregistered_on: self.insurance_deregistered_on,
                participant_informed_on: self
                    .participant_informed_of_insurance
                    .then_some(self.signed_on),
            },
            termination,
            status,
            activities,
            id: self.id,
            referral_id: self.referral_id,
            person_id: self.person_id,
            cis_id: self.cis_id,
            mopr_id: self.mopr_id,
            signed_on: self.signed_on,
            start_on: self.start_on,
            proper_period_starts_on: schedule.proper_period_starts_on,
            planned_end_on: self.planned_end_on,
            diagnosis: self.diagnosis,
            goals: self.goals,
            ended_on: self.ended_on,
            non_qualification_letter_sent_on: self.non_qualification_letter_sent_on,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_schedule_follows_the_seed() {
        let s = Schedule::of(d("2026-04-28"), d("2026-05-04"));
        assert_eq!(s.proper_period_starts_on, d("2026-06-04"));
        assert_eq!(s.trial_ends_on, d("2026-06-03"));
        // Signed Tue 28 Apr 2026: 29, 30 Apr, (1 May holiday, weekend, 3 May holiday) 4, 5, 6 May.
        assert_eq!(s.admission_list_due_on, d("2026-05-06"));
        assert_eq!(s.insurance_starts_on, d("2026-06-03"));
        // 3 Jun + 7 = Wed 10 Jun 2026 (Corpus Christi is 4 Jun, inside the period, which does not matter).
        assert_eq!(s.insurance_registration_due_on, d("2026-06-10"));
        assert_eq!(s.qualification_window(), (d("2026-05-28"), d("2026-06-03")));
        assert_eq!(s.latest_planned_end_on, d("2027-05-03"));
    }

    #[test]
    fn a_trial_month_from_the_29th_to_the_31st_ends_on_the_last_day_of_the_shorter_month() {
        for (start, trial_end, proper) in [
            ("2026-01-31", "2026-02-28", "2026-03-01"),
            ("2026-01-30", "2026-02-28", "2026-03-01"),
            ("2026-01-29", "2026-02-28", "2026-03-01"),
            ("2026-01-28", "2026-02-27", "2026-02-28"),
            ("2028-01-29", "2028-02-28", "2028-02-29"),
            ("2028-01-30", "2028-02-29", "2028-03-01"),
            ("2028-01-31", "2028-02-29", "2028-03-01"),
            ("2026-03-31", "2026-04-30", "2026-05-01"),
            ("2026-03-30", "2026-04-29", "2026-04-30"),
            ("2026-05-31", "2026-06-30", "2026-07-01"),
            ("2026-08-31", "2026-09-30", "2026-10-01"),
            ("2026-10-31", "2026-11-30", "2026-12-01"),
            ("2026-12-31", "2027-01-30", "2027-01-31"),
        ] {
            let s = Schedule::of(d(start), d(start));
            assert_eq!(
                s.trial_ends_on,
                d(trial_end),
                "trial end for a start on {start}"
            );
            assert_eq!(
                s.proper_period_starts_on,
                d(proper),
                "proper period for {start}"
            );
        }
        // The last week of a trial that ends on 28 Feb is 22-28 Feb.
        let s = Schedule::of(d("2026-01-31"), d("2026-01-31"));
        assert_eq!(s.qualification_window(), (d("2026-02-22"), d("2026-02-28")));
    }

    #[test]
    fn insurance_is_reported_7_days_after_it_starts_and_ends_moved_off_saturdays_and_holidays() {
        // Start Sat 3 Oct 2026: obligation from Mon 2 Nov; + 7 = Mon 9 Nov.
        let s = Schedule::of(d("2026-10-02"), d("2026-10-03"));
        assert_eq!(s.insurance_starts_on, d("2026-11-02"));
        assert_eq!(s.insurance_registration_due_on, d("2026-11-09"));
        // Start 5 Oct 2026: obligation from Wed 4 Nov; + 7 = Wed 11 Nov (holiday) -> Thu 12 Nov.
        let s = Schedule::of(d("2026-10-05"), d("2026-10-05"));
        assert_eq!(s.insurance_starts_on, d("2026-11-04"));
        assert_eq!(s.insurance_registration_due_on, d("2026-11-12"));
        // Obligation from Thu 17 Dec 2026: + 7 = Thu 24 Dec (holiday from 2025), 25, 26, 27 -> Mon 28 Dec.
        let s = Schedule::of(d("2026-11-17"), d("2026-11-17"));
        assert_eq!(s.insurance_registration_due_on, d("2026-12-28"));
        // Obligation from Sat 26 Dec 2026 + 7 = Sat 2 Jan 2027 -> Mon 4 Jan.
        let s = Schedule::of(d("2026-11-26"), d("2026-11-26"));
        assert_eq!(s.insurance_starts_on, d("2026-12-26"));
        assert_eq!(s.insurance_registration_due_on, d("2027-01-04"));
        // De-registration: ended Wed 4 Nov 2026 -> Wed 11 Nov (holiday) -> Thu 12 Nov.
        assert_eq!(insurance_reporting_due_on(d("2026-11-04")), d("2026-11-12"));
        // Ended Fri 24 Apr 2026 -> Fri 1 May (holiday), Sat 2, Sun 3 May (holiday) -> Mon 4 May.
        assert_eq!(insurance_reporting_due_on(d("2026-04-24")), d("2026-05-04"));
        // Ended Tue 10 Nov 2026 -> Tue 17 Nov, a working day.
        assert_eq!(insurance_reporting_due_on(d("2026-11-10")), d("2026-11-17"));
    }

    #[test]
    fn participation_is_planned_for_at_most_twelve_months() {
        let new = |start: &str, end: &str| NewIpzs {
            referral_id: "r".into(),
            signed_on: d(start),
            start_on: d(start),
            planned_end_on: d(end),
            diagnosis: "d".into(),
            goals: "g".into(),
            activities: vec![Activity {
                kind: ActivityKind::Social,
                description: "x".into(),
            }],
            participant_informed_of_insurance: true,
        };
        let today = d("2026-12-31");
        assert!(new("2026-11-24", "2027-11-23").check(today).is_ok());
        let codes = |e: ApiError| match e {
            ApiError::Validation(v) => v.into_iter().map(|f| f.code).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            codes(new("2026-11-24", "2027-11-24").check(today).unwrap_err()),
            vec!["too_late"]
        );
        // From 31 Jan the twelve months end on 30 Jan of the next year.
        assert!(new("2026-01-31", "2027-01-30").check(today).is_ok());
        assert!(new("2026-01-31", "2027-01-31").check(today).is_err());
        // The last start whose deadlines all have four-digit years: 9999-11-20 gives insurance from 20 December
        // and its registration due on Mon 27 December; a start on the 25th would put that into the year 10000.
        let end_of_time = d("9999-12-31");
        assert!(new("9999-11-20", "9999-12-31").check(end_of_time).is_ok());
        assert_eq!(
            codes(
                new("9999-11-25", "9999-12-31")
                    .check(end_of_time)
                    .unwrap_err()
            ),
            vec!["out_of_range"]
        );
        let mut uninformed = new("2026-11-24", "2027-05-23");
        uninformed.participant_informed_of_insurance = false;
        assert_eq!(
            codes(uninformed.check(today).unwrap_err()),
            vec!["briefing_required"]
        );
        assert_eq!(
            check_signed_after_referral(d("2026-11-23"), d("2026-11-24"))
                .unwrap_err()
                .code(),
            "validation_failed"
        );
        assert!(check_signed_after_referral(d("2026-11-24"), d("2026-11-24")).is_ok());
    }

    #[test]
    fn qualification_is_asked_in_the_last_week_of_the_trial_only() {
        let s = Schedule::of(d("2026-11-02"), d("2026-11-02"));
        let code = |today: &str, status| {
            check_qualification_request(status, &s, d(today))
                .err()
                .map(|e| e.code())
        };
        // Trial 2 Nov - 1 Dec; its last week is 25 Nov - 1 Dec.
        assert_eq!(
            code("2026-11-24", IpzsStatus::Trial),
            Some("qualification_request_too_early")
        );
        assert_eq!(code("2026-11-25", IpzsStatus::Trial), None);
        assert_eq!(code("2026-12-01", IpzsStatus::Trial), None);
        // After the trial month a request is still accepted, and flagged late.
        assert_eq!(code("2026-12-02", IpzsStatus::Trial), None);
        assert!(!request_late(d("2026-12-01"), &s));
        assert!(request_late(d("2026-12-02"), &s));
        assert_eq!(code("2026-11-28", IpzsStatus::Active), Some("not_in_trial"));
        assert!(!decision_late(d("2026-12-01"), &s));
        assert!(decision_late(d("2026-12-02"), &s));
    }

    #[test]
    fn a_failed_trial_runs_to_its_end_and_the_letter_comes_after_it() {
        // Trial 2 Nov - 1 Dec 2026; the proper period would start on 2 Dec.
        let s = Schedule::of(d("2026-11-02"), d("2026-11-02"));
        // MOPR decides early: the programme still ends with the trial month; a late decision ends it that day.
        assert_eq!(s.failed_trial_ends_on(d("2026-11-27")), d("2026-12-01"));
        assert_eq!(s.failed_trial_ends_on(d("2026-12-04")), d("2026-12-04"));
        let letter = |status, pending, decided: Option<&str>, sent: &str, today: &str| {
            check_non_qualification_letter(
                status,
                &s,
                pending,
                decided.map(d),
                false,
                d(sent),
                d(today),
            )
        };
        // The CIS director concludes the failed trial without MOPR, after the trial month.
        assert_eq!(
            letter(IpzsStatus::Trial, false, None, "2026-12-02", "2026-12-03").unwrap(),
            (FailedTrial::ConcludedByCis, d("2026-12-01"))
        );
        let code = |r: Result<(FailedTrial, NaiveDate), ApiError>| r.unwrap_err().code();
        assert_eq!(
            code(letter(
                IpzsStatus::Trial,
                false,
                None,
                "2026-12-01",
                "2026-12-01"
            )),
            "trial_not_over"
        );
        assert_eq!(
            code(letter(
                IpzsStatus::Trial,
                true,
                None,
                "2026-12-02",
                "2026-12-03"
            )),
            "qualification_pending"
        );
        // On the trial's last day the letter is too early; after today it is in the future.
        assert_eq!(
            code(letter(
                IpzsStatus::Trial,
                false,
                None,
                "2026-12-01",
                "2026-12-03"
            )),
            "validation_failed"
        );
        assert_eq!(
            code(letter(
                IpzsStatus::Trial,
                false,
                None,
                "2026-12-04",
                "2026-12-03"
            )),
            "validation_failed"
        );
        // After MOPR's negative decision: from the later of the decision and the end of the trial.
        assert_eq!(
            letter(
                IpzsStatus::NotQualified,
                false,
                Some("2026-11-27"),
                "2026-12-02",
                "2026-12-02"
            )
            .unwrap(),
            (
                FailedTrial::DecidedByMopr {
                    decided_on: d("2026-11-27")
                },
                d("2026-12-01")
            )
        );
        assert_eq!(
            code(letter(
                IpzsStatus::NotQualified,
                false,
                Some("2026-12-04"),
                "2026-12-03",
                "2026-12-05"
            )),
            "validation_failed"
        );
        assert_eq!(
            code(letter(
                IpzsStatus::Active,
                false,
                None,
                "2026-12-02",
                "2026-12-03"
            )),
            "not_qualified_required"
        );
    }

    #[test]
    fn termination_is_early_and_gives_mopr_five_working_days() {
        let due = check_termination(
            IpzsStatus::Active,
            d("2026-10-01"),
            d("2027-03-31"),
            d("2026-11-10"),
            d("2026-11-23"),
        );
        // Tue 10 Nov: 12, 13, 16, 17, 18 Nov (11 Nov is a holiday).
        assert_eq!(due.unwrap(), d("2026-11-18"));
        let e = check_termination(
            IpzsStatus::Completed,
            d("2026-10-01"),
            d("2027-03-31"),
            d("2026-11-10"),
            d("2026-11-23"),
        );
        assert_eq!(e.unwrap_err().code(), "ipzs_not_running");
        let e = check_termination(
            IpzsStatus::Trial,
            d("2026-10-01"),
            d("2026-11-10"),
            d("2026-11-10"),
            d("2026-11-23"),
        );
        assert_eq!(e.unwrap_err().code(), "not_early");
        let e = check_termination(
            IpzsStatus::Trial,
            d("2026-10-01"),
            d("2027-03-31"),
            d("2026-12-10"),
            d("2026-11-23"),
        );
        assert_eq!(e.unwrap_err().code(), "validation_failed");
    }

    #[test]
    fn completion_needs_an_active_programme_at_its_planned_end() {
        assert!(check_completion(IpzsStatus::Active, d("2026-11-23"), d("2026-11-23")).is_ok());
        assert_eq!(
            check_completion(IpzsStatus::Active, d("2026-11-24"), d("2026-11-23"))
                .unwrap_err()
                .code(),
            "planned_end_not_reached"
        );
        assert_eq!(
            check_completion(IpzsStatus::Trial, d("2026-11-01"), d("2026-11-23"))
                .unwrap_err()
                .code(),
            "ipzs_not_active"
        );
    }

    #[test]
    fn deadline_statuses() {
        let due = d("2026-11-23");
        assert_eq!(
            deadline_status(due, None, d("2026-11-19")),
            DeadlineStatus::Open
        );
        assert_eq!(
            deadline_status(due, None, d("2026-11-20")),
            DeadlineStatus::DueSoon
        );
        assert_eq!(deadline_status(due, None, due), DeadlineStatus::DueSoon);
        assert_eq!(
            deadline_status(due, None, d("2026-11-24")),
            DeadlineStatus::Overdue
        );
        assert_eq!(
            deadline_status(due, Some(due), d("2026-12-24")),
            DeadlineStatus::Met
        );
        assert_eq!(
            deadline_status(due, Some(d("2026-11-24")), d("2026-12-24")),
            DeadlineStatus::MetLate
        );
    }
}
