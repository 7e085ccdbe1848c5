//! When the decision is due: one month, two in a complicated case (KPA art. 35), without the periods art. 35 §5
//! leaves out, and the art. 36 notice of a delay.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;
use crate::foundation::error::ApiError;

use super::facts::DpsStatus;

/// Why the decision's period does not run for a while (KPA art. 35 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// The proceedings were suspended (zawieszenie postępowania).
    Suspension,
    /// Delay caused by the party, e.g. waiting for its documents.
    PartyDelay,
    /// Delay for reasons beyond MOPR's control.
    OutsideControl,
}

/// A period left out of the decision's deadline (both days included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pause {
    pub kind: PauseKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

impl Pause {
    pub fn days(&self) -> u64 {
        (self.to - self.from).num_days().max(0) as u64 + 1
    }
}

/// An art. 36 notice: MOPR tells the parties why the deadline cannot be met and sets a new date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DelayNotice {
    pub notified_on: NaiveDate,
    pub reason: String,
    pub new_due_on: NaiveDate,
}

/// When the decision is due: one month from the start of proceedings (two in a particularly complicated case),
/// plus the days of the periods KPA art. 35 §5 leaves out, moved off Saturdays and holidays (art. 57); an art. 36
/// notice replaces it with the new date it sets.
pub fn decision_due_on(
    received_on: NaiveDate,
    complicated: bool,
    pauses: &[Pause],
    notices: &[DelayNotice],
) -> NaiveDate {
    if let Some(last) = notices.last() {
        return last.new_due_on;
    }
    let months = if complicated { 2 } else { 1 };
    let paused: u64 = pauses.iter().map(Pause::days).sum();
    calendar::next_working_day_from(
        calendar::add_months_clamped(received_on, months) + Days::new(paused),
    )
}

/// A pause lies within the case (from its start to today) and overlaps no other.
pub fn check_pause(
    new: &Pause,
    existing: &[Pause],
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if new.to < new.from {
        return Err(ApiError::field(
            "to",
            "before_from",
            "the pause ends on or after it starts",
        ));
    }
    if new.from < received_on || new.to > today {
        return Err(ApiError::field(
            "from",
            "out_of_range",
            format!("a pause lies between the start of proceedings ({received_on}) and today"),
        ));
    }
    if existing
        .iter()
        .any(|p| p.from <= new.to && new.from <= p.to)
    {
        return Err(ApiError::conflict(
            "pause_overlaps",
            "this period overlaps a pause already recorded; record each day once",
        ));
    }
    Ok(())
}

/// Marking the case particularly complicated gives two months, but only while the one month still runs.
pub fn check_complicated(
    already: bool,
    status: DpsStatus,
    one_month_due_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if already {
        return Err(ApiError::conflict(
            "already_complicated",
            "the case is already marked particularly complicated",
        ));
    }
    if !matches!(status, DpsStatus::Collecting | DpsStatus::Assessed) {
        return Err(ApiError::conflict(
            "already_decided",
            "the decision is issued; its deadline no longer runs",
        ));
    }
    if today > one_month_due_on {
        return Err(ApiError::conflict(
            "complicated_too_late",
            format!(
                "the one-month deadline ended on {one_month_due_on}; a case is marked complicated before that (use an art. 36 notice now)"
            ),
        ));
    }
    Ok(())
}
