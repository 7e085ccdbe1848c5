//! The transitions after the trial month and at the end: the qualification request and decision, the letter to a
//! participant who did not qualify, early termination and completion.

use chrono::NaiveDate;

use crate::foundation::calendar;
use crate::foundation::error::ApiError;

use super::schedule::Schedule;
use super::status::IpzsStatus;

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
