//! The states of an application, which transition each allows, and when the social worker's opinion is due.

use chrono::NaiveDate;

use crate::foundation::calendar;
use crate::foundation::error::ApiError;

crate::stored_enum! {
    /// The state of an application.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum ApplicationStatus {
        /// Waiting for the social worker's opinion (due 14 days after `received_on`).
        Submitted,
        /// The opinion is issued; waiting for MOPR's decision.
        OpinionIssued,
        /// MOPR referred the person to the CIS.
        Referred,
        /// MOPR refused the referral.
        Refused,
        /// The applicant withdrew it before a decision.
        Withdrawn,
    }
}

/// Whether the social worker's opinion may be issued now.
pub fn check_opinion_allowed(status: ApplicationStatus) -> Result<(), ApiError> {
    match status {
        ApplicationStatus::Submitted => Ok(()),
        ApplicationStatus::Withdrawn => Err(ApiError::conflict(
            "application_withdrawn",
            "the application was withdrawn",
        )),
        ApplicationStatus::OpinionIssued
        | ApplicationStatus::Referred
        | ApplicationStatus::Refused => Err(ApiError::conflict(
            "opinion_already_issued",
            "this application already has its opinion; there is one opinion per application",
        )),
    }
}

/// Whether MOPR may decide (refer or refuse) now.
pub fn check_decision_allowed(status: ApplicationStatus) -> Result<(), ApiError> {
    match status {
        ApplicationStatus::OpinionIssued => Ok(()),
        ApplicationStatus::Submitted => Err(ApiError::conflict(
            "opinion_required",
            "a referral needs the social worker's opinion first",
        )),
        ApplicationStatus::Withdrawn => Err(ApiError::conflict(
            "application_withdrawn",
            "the application was withdrawn",
        )),
        ApplicationStatus::Referred | ApplicationStatus::Refused => Err(ApiError::conflict(
            "already_decided",
            "MOPR has already decided on this application",
        )),
    }
}

/// Whether the applicant may still withdraw.
pub fn check_withdrawal_allowed(status: ApplicationStatus) -> Result<(), ApiError> {
    match status {
        ApplicationStatus::Submitted | ApplicationStatus::OpinionIssued => Ok(()),
        ApplicationStatus::Withdrawn => Err(ApiError::conflict(
            "already_withdrawn",
            "the application is already withdrawn",
        )),
        ApplicationStatus::Referred | ApplicationStatus::Refused => Err(ApiError::conflict(
            "already_decided",
            "MOPR has already decided; a decided application cannot be withdrawn",
        )),
    }
}

/// The opinion is due 14 days after the application reached MOPR (KPA art. 57: the day of receipt is not
/// counted; a deadline on a Saturday or a holiday moves to the next working day).
pub fn opinion_due_on(received_on: NaiveDate) -> NaiveDate {
    calendar::kpa_days(received_on, 14)
}

/// Overdue: still waiting for the opinion after its due date.
pub fn opinion_overdue(status: ApplicationStatus, due: NaiveDate, today: NaiveDate) -> bool {
    status == ApplicationStatus::Submitted && today > due
}
