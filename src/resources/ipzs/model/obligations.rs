//! The state of an obligation (open, due soon, overdue, met, met late) on a given day.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Days before the due date from which an open obligation counts as `due_soon`.
pub const DUE_SOON_DAYS: u64 = 3;

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
