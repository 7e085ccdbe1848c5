//! Waiting-list entries and placement decisions: types and the pure rules (order, priority, the estimate of the
//! waiting time, who may be placed).

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::waiting_list_entries;
use crate::foundation::error::ApiError;

crate::stored_enum! {
    /// Why a person goes ahead of the others (art. 18 ust. 1 of the act on combatants and victims of repression).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum PriorityBasis {
        /// A combatant (kombatant), shown by the certificate in the file.
        Combatant,
        /// Another person the act entitles (a victim of repression, a combatant's widow or widower, …).
        OtherEntitled,
    }
}

crate::stored_enum! {
    /// Where an entry stands.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum EntryStatus {
        /// On the list.
        Waiting,
        /// Placed by a placement decision.
        Placed,
        /// The person (or their representative) withdrew.
        Withdrawn,
        Died,
        /// Placed in another home, or no longer in need of this one.
        MovedElsewhere,
    }
}

/// Why a person leaves the list other than by placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeavingReason {
    Withdrawn,
    Died,
    MovedElsewhere,
}

impl From<LeavingReason> for EntryStatus {
    fn from(r: LeavingReason) -> Self {
        match r {
            LeavingReason::Withdrawn => EntryStatus::Withdrawn,
            LeavingReason::Died => EntryStatus::Died,
            LeavingReason::MovedElsewhere => EntryStatus::MovedElsewhere,
        }
    }
}

/// The stored entry; `placement` is the JSON of [`Placement`].
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = waiting_list_entries, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct EntryRow {
    pub id: String,
    pub care_home_id: String,
    pub dps_application_id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub placing_institution_id: String,
    pub entered_on: NaiveDate,
    pub priority_basis: Option<PriorityBasis>,
    pub queue_key: String,
    pub status: EntryStatus,
    pub left_on: Option<NaiveDate>,
    pub leave_note: Option<String>,
    pub placement: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The list's order as one sortable text: entitled persons first, then by the day of entry, then by the entry's
/// id (UUIDv7: the order of recording).
pub fn queue_key(priority: Option<PriorityBasis>, entered_on: NaiveDate, id: &str) -> String {
    let rank = if priority.is_some() { '0' } else { '1' };
    format!("{rank}|{entered_on}|{id}")
}

/// The priority an entry gets: the basis asked for, or `combatant` when the facts of the case record one. A basis
/// the case's facts do not support is refused: priority is never typed in on its own.
pub fn resolve_priority(
    requested: Option<PriorityBasis>,
    facts_say_entitled: bool,
) -> Result<Option<PriorityBasis>, ApiError> {
    match (requested, facts_say_entitled) {
        (Some(_), false) => Err(ApiError::field(
            "priority_basis",
            "priority_not_established",
            "the facts of the case do not record the person as a combatant or other entitled person",
        )),
        (Some(b), true) => Ok(Some(b)),
        (None, true) => Ok(Some(PriorityBasis::Combatant)),
        (None, false) => Ok(None),
    }
}

/// How long a person at `position` is expected to wait, in days: nobody waits while a place is free for them;
/// otherwise the places ahead of them free up at the pace the home admitted residents over the last twelve months
/// (`admissions_last_year` a year, so `(position - free) * 365 / admissions` days, rounded up). `None` when the
/// home admitted nobody in that year: there is no pace to go by.
pub fn expected_wait_days(
    position: i64,
    free_places: i64,
    admissions_last_year: i64,
) -> Option<i64> {
    let ahead = position - free_places.max(0);
    if ahead <= 0 {
        return Some(0);
    }
    if admissions_last_year <= 0 {
        return None;
    }
    Some((ahead * 365 + admissions_last_year - 1) / admissions_last_year)
}

/// The placement decision as recorded on the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Placement {
    pub decided_on: NaiveDate,
    /// The day of admission to the home.
    pub admission_on: NaiveDate,
    /// The director who signed.
    pub decided_by: String,
    /// The entry's place on the list when it was placed.
    pub position: i64,
    /// Why someone other than the first was placed.
    pub out_of_order_reason: Option<String>,
    /// The resident's stay it opened (`/api/v1/care-homes/{id}/residents`).
    pub resident_id: String,
}

/// The first on the list is placed; anyone else only with a reason on record (trimmed, 1 to 2000 characters).
pub fn check_placement_order(
    position: i64,
    out_of_order_reason: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let reason = crate::foundation::validation::optional_text(
        "out_of_order_reason",
        out_of_order_reason,
        2000,
    )
    .map_err(|e| ApiError::Validation(vec![e]))?;
    match (position, reason) {
        (1, r) => Ok(r),
        (_, Some(r)) => Ok(Some(r)),
        (p, None) => Err(ApiError::field(
            "out_of_order_reason",
            "required_when_not_first",
            format!(
                "this person is number {p} on the list; placing them before the first needs a reason"
            ),
        )),
    }
}

/// The admission is dated from 30 days ago (a decision recorded after the person moved in) to 180 days ahead.
pub fn check_admission_day(admission_on: NaiveDate, decided_on: NaiveDate) -> Result<(), ApiError> {
    let from = decided_on
        .checked_sub_days(Days::new(30))
        .unwrap_or(decided_on);
    let to = decided_on
        .checked_add_days(Days::new(180))
        .unwrap_or(decided_on);
    if admission_on < from || admission_on > to {
        return Err(ApiError::field(
            "admission_on",
            "out_of_range",
            format!("from {from} to {to}"),
        ));
    }
    Ok(())
}

/// Entering a case on a home's list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"care_home_id": "0193…", "dps_application_id": "0193…", "priority_basis": null}))]
pub struct NewEntry {
    pub care_home_id: String,
    /// A case of your MOPR whose decision granting placement is final.
    pub dps_application_id: String,
    /// Omit to take it from the case's facts (`combatant: true` gives `combatant`); giving one the facts do not
    /// support is 422 `priority_not_established`.
    pub priority_basis: Option<PriorityBasis>,
    /// The day the person was entered on the list (its legal date; the queue keeps this order): not in the
    /// future, not before the decision was issued (`before_decision`), and the decision must have been final on
    /// that day (409 `decision_not_final`). Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub entered_on: Option<NaiveDate>,
}

/// Taking someone off the list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "withdrawn", "left_on": "2026-12-01", "note": "Rodzina zapewniła opiekę."}))]
pub struct Leaving {
    pub reason: LeavingReason,
    /// From the day of entry to today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub left_on: NaiveDate,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// The placement decision to issue.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"admission_on": "2026-12-07", "out_of_order_reason": null}))]
pub struct NewPlacement {
    /// The day the placing institution decided (its legal date): not in the future, not before the person was
    /// entered on the list (422 `before_entry`). Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub decided_on: Option<NaiveDate>,
    /// From 30 days before the decision to 180 days after it.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub admission_on: NaiveDate,
    /// Required unless the entry is first on the list (1 to 2000 characters).
    #[schema(max_length = 2000)]
    pub out_of_order_reason: Option<String>,
}

/// The estimate of a waiting person's wait, and what it rests on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExpectedWait {
    /// Days from today; `null` when the home admitted nobody in the last twelve months.
    pub days: Option<i64>,
    pub expected_placement_on: Option<NaiveDate>,
    pub free_places: i64,
    /// Admissions to the home in the twelve months before today: the pace the estimate assumes.
    pub admissions_last_12_months: i64,
}

/// A waiting-list entry as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WaitingListEntry {
    pub id: String,
    pub care_home_id: String,
    pub dps_application_id: String,
    pub person_id: String,
    /// The MOPR of the case.
    pub mopr_id: String,
    /// The institution keeping the list and placing.
    pub placing_institution_id: String,
    pub entered_on: NaiveDate,
    pub priority: bool,
    pub priority_basis: Option<PriorityBasis>,
    pub status: EntryStatus,
    /// 1 for the first in line; `null` once off the list.
    pub position: Option<i64>,
    /// Days on the list so far (to today, or to the day it left).
    pub waiting_days: i64,
    /// While waiting: how long the wait is expected to last.
    pub expected_wait: Option<ExpectedWait>,
    pub left_on: Option<NaiveDate>,
    pub leave_note: Option<String>,
    pub placement: Option<Placement>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

/// What the view needs besides the row, computed by the store for waiting entries.
#[derive(Debug, Clone, Copy)]
pub struct QueueState {
    pub position: i64,
    pub free_places: i64,
    pub admissions_last_year: i64,
}

impl EntryRow {
    pub fn view(
        self,
        queue: Option<QueueState>,
        today: NaiveDate,
    ) -> Result<WaitingListEntry, ApiError> {
        let placement: Option<Placement> = self
            .placement
            .as_deref()
            .map(|p| crate::resources::dps_applications::model::from_json("placement", p))
            .transpose()?;
        let until = self
            .left_on
            .or(placement.as_ref().map(|p| p.decided_on))
            .unwrap_or(today);
        let waiting = self.status == EntryStatus::Waiting;
        let queue = queue.filter(|_| waiting);
        let expected_wait = queue.map(|q| {
            let days = expected_wait_days(q.position, q.free_places, q.admissions_last_year);
            ExpectedWait {
                days,
                expected_placement_on: days
                    .and_then(|d| today.checked_add_days(Days::new(d as u64))),
                free_places: q.free_places,
                admissions_last_12_months: q.admissions_last_year,
            }
        });
        Ok(WaitingListEntry {
            priority: self.priority_basis.is_some(),
            position: queue.map(|q| q.position),
            waiting_days: (until - self.entered_on).num_days().max(0),
            expected_wait,
            placement,
            id: self.id,
            care_home_id: self.care_home_id,
            dps_application_id: self.dps_application_id,
            person_id: self.person_id,
            mopr_id: self.mopr_id,
            placing_institution_id: self.placing_institution_id,
            entered_on: self.entered_on,
            priority_basis: self.priority_basis,
            status: self.status,
            left_on: self.left_on,
            leave_note: self.leave_note,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        })
    }
}

/// Only a waiting entry can be placed or taken off the list.
pub fn check_waiting(status: EntryStatus) -> Result<(), ApiError> {
    if status == EntryStatus::Waiting {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "not_waiting",
            format!(
                "this entry is no longer waiting (it is {})",
                status.as_str()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn entitled_persons_sort_first_then_by_day_of_entry() {
        let early = queue_key(None, d("2026-01-05"), "b");
        let late_combatant = queue_key(Some(PriorityBasis::Combatant), d("2026-11-30"), "c");
        let late_other = queue_key(Some(PriorityBasis::OtherEntitled), d("2026-11-29"), "d");
        let same_day = queue_key(None, d("2026-01-05"), "a");
        let mut keys = vec![
            early.clone(),
            late_combatant.clone(),
            same_day.clone(),
            late_other.clone(),
        ];
        keys.sort();
        assert_eq!(keys, vec![late_other, late_combatant, same_day, early]);
    }

    #[test]
    fn priority_comes_from_the_facts_of_the_case() {
        assert_eq!(
            resolve_priority(None, true).unwrap(),
            Some(PriorityBasis::Combatant)
        );
        assert_eq!(
            resolve_priority(Some(PriorityBasis::OtherEntitled), true).unwrap(),
            Some(PriorityBasis::OtherEntitled)
        );
        assert_eq!(resolve_priority(None, false).unwrap(), None);
        assert_eq!(
            resolve_priority(Some(PriorityBasis::Combatant), false)
                .unwrap_err()
                .code(),
            "validation_failed"
        );
    }

    #[test]
    fn the_wait_follows_the_homes_pace_of_admissions() {
        // A free place for the first in line: no wait.
        assert_eq!(expected_wait_days(1, 1, 0), Some(0));
        // Full, 12 admissions a year: one place frees about every 30.4 days; third in line waits 92 days.
        assert_eq!(expected_wait_days(1, 0, 12), Some(31));
        assert_eq!(expected_wait_days(3, 0, 12), Some(92));
        // One free place and third in line: two places ahead still to free up.
        assert_eq!(expected_wait_days(3, 1, 12), Some(61));
        // Nobody admitted in a year: no estimate.
        assert_eq!(expected_wait_days(2, 0, 0), None);
        assert_eq!(expected_wait_days(1, 0, 365), Some(1));
    }

    #[test]
    fn only_the_first_is_placed_without_a_reason() {
        assert_eq!(check_placement_order(1, None).unwrap(), None);
        assert_eq!(check_placement_order(1, Some("  ")).unwrap(), None);
        assert_eq!(
            check_placement_order(2, Some(" pilne ")).unwrap(),
            Some("pilne".into())
        );
        assert_eq!(
            check_placement_order(2, Some("  ")).unwrap_err().code(),
            "validation_failed"
        );
        assert_eq!(
            check_placement_order(3, None).unwrap_err().code(),
            "validation_failed"
        );
        assert_eq!(
            check_placement_order(2, Some(&"x".repeat(2001)))
                .unwrap_err()
                .code(),
            "validation_failed"
        );
    }

    #[test]
    fn the_admission_day_is_near_today() {
        let today = d("2026-12-01");
        assert!(check_admission_day(d("2026-11-01"), today).is_ok());
        assert!(check_admission_day(d("2026-10-31"), today).is_err());
        assert!(check_admission_day(d("2027-05-30"), today).is_ok());
        assert!(check_admission_day(d("2027-05-31"), today).is_err());
    }
}
