//! Care homes, their cost history and residents: types and the pure rules.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::{care_home_costs, care_home_residents, care_homes};
use crate::foundation::error::{ApiError, FieldError};
use crate::resources::dps_applications::model::{DpsType, text, to_json};
use crate::resources::fees::model::MAX_AMOUNT;

crate::stored_enum! {
    /// Why a resident left the home.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum LeaveReason {
        Died,
        /// Left of their own will (or their representative's).
        MovedOut,
        /// Moved to another care home.
        Transferred,
        Other,
    }
}

/// The stored home. `dps_types` is a JSON list; `occupied` is kept by admissions and departures only.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = care_homes, treat_none_as_default_value = false)]
pub struct CareHomeRow {
    pub id: String,
    pub name: String,
    pub address: String,
    pub dps_types: String,
    pub places: i32,
    pub occupied: i32,
    pub operator: String,
    pub placing_institution_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// One published average monthly cost of stay.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = care_home_costs, treat_none_as_default_value = false)]
pub struct CostRow {
    pub care_home_id: String,
    pub applies_from: NaiveDate,
    pub monthly_cost: i64,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

/// A resident's stay.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = care_home_residents, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ResidentRow {
    pub id: String,
    pub care_home_id: String,
    pub person_id: Option<String>,
    pub waiting_list_entry_id: Option<String>,
    pub admitted_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The average monthly cost of stay (średni miesięczny koszt utrzymania mieszkańca), published each year by the
/// home's operator, from the day it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"applies_from": "2026-03-01", "monthly_cost": 620000}))]
pub struct CostOfStay {
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub applies_from: NaiveDate,
    /// In grosze (620000 is 6,200.00 zł).
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub monthly_cost: i64,
}

impl From<&CostRow> for CostOfStay {
    fn from(r: &CostRow) -> Self {
        CostOfStay {
            applies_from: r.applies_from,
            monthly_cost: r.monthly_cost,
        }
    }
}

/// The cost valid on `date`: the latest one applying from that day or earlier.
pub fn cost_on(history: &[CostOfStay], date: NaiveDate) -> Option<CostOfStay> {
    history
        .iter()
        .filter(|c| c.applies_from <= date)
        .max_by_key(|c| c.applies_from)
        .copied()
}

/// A new cost is appended after the last one: the history is never rewritten.
pub fn check_new_cost(new: &CostOfStay, history: &[CostOfStay]) -> Result<(), ApiError> {
    if !(1..=MAX_AMOUNT).contains(&new.monthly_cost) {
        return Err(ApiError::field(
            "monthly_cost",
            "out_of_range",
            format!("an amount in grosze from 1 to {MAX_AMOUNT}"),
        ));
    }
    if let Some(last) = history.iter().map(|c| c.applies_from).max()
        && new.applies_from <= last
    {
        return Err(ApiError::conflict(
            "not_after_latest",
            format!(
                "the last published cost applies from {last}; a new one applies from a later day (the history is never rewritten)"
            ),
        ));
    }
    Ok(())
}

/// A care home to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Dom Pomocy Społecznej w Toruniu, ul. Żółkiewskiego", "address": "ul. Żółkiewskiego 42, 87-100 Toruń",
    "dps_types": ["elderly", "chronically_somatically_ill"], "places": 120, "operator": "Gmina Miasta Toruń",
    "placing_institution_id": "0193…", "average_cost": {"applies_from": "2026-03-01", "monthly_cost": 620000}}))]
pub struct NewCareHome {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    /// The types of resident it serves (at least one, each once).
    #[schema(min_items = 1, max_items = 7)]
    pub dps_types: Vec<DpsType>,
    /// Its number of places (0 to 5000).
    #[schema(minimum = 0, maximum = 5000)]
    pub places: i32,
    /// Who runs it (a municipality, a county, an NGO or church body commissioned by one).
    #[schema(min_length = 1, max_length = 300)]
    pub operator: String,
    /// The MOPR or PCPR that issues its placement decisions and keeps its waiting list.
    pub placing_institution_id: String,
    /// The average monthly cost in force, if already published.
    pub average_cost: Option<CostOfStay>,
}

/// Checked text fields of a new home.
pub struct CheckedCareHome {
    pub name: String,
    pub address: String,
    pub operator: String,
    pub dps_types: String,
}

impl NewCareHome {
    pub fn check(&self) -> Result<CheckedCareHome, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut take = |field: &str, value: &str, max: usize| match text(field, value, max) {
            Ok(t) => t,
            Err(ApiError::Validation(mut e)) => {
                errors.append(&mut e);
                String::new()
            }
            Err(_) => String::new(),
        };
        let name = take("name", &self.name, 200);
        let address = take("address", &self.address, 300);
        let operator = take("operator", &self.operator, 300);
        let mut types = self.dps_types.clone();
        types.sort_by_key(|t| t.as_str());
        types.dedup();
        if self.dps_types.is_empty() {
            errors.push(FieldError::new(
                "dps_types",
                "required",
                "at least one DPS type",
            ));
        } else if types.len() != self.dps_types.len() {
            errors.push(FieldError::new("dps_types", "duplicate", "each type once"));
        }
        if !(0..=5000).contains(&self.places) {
            errors.push(FieldError::new(
                "places",
                "out_of_range",
                "0 to 5000 places",
            ));
        }
        if let Some(c) = &self.average_cost
            && !(1..=MAX_AMOUNT).contains(&c.monthly_cost)
        {
            errors.push(FieldError::new(
                "average_cost.monthly_cost",
                "out_of_range",
                format!("an amount in grosze from 1 to {MAX_AMOUNT}"),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(CheckedCareHome {
            name,
            address,
            operator,
            dps_types: to_json(&self.dps_types)?,
        })
    }
}

/// A care home as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CareHome {
    pub id: String,
    pub name: String,
    pub address: String,
    pub dps_types: Vec<DpsType>,
    pub places: i32,
    /// Current residents (admitted and not left), counting placements whose admission day is still ahead.
    pub occupied: i32,
    /// `places - occupied`.
    pub free_places: i32,
    pub operator: String,
    pub placing_institution_id: String,
    /// The cost valid today; `null` before the first one applies.
    pub average_cost: Option<CostOfStay>,
    /// Every published cost, oldest first.
    pub cost_history: Vec<CostOfStay>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl CareHomeRow {
    pub fn types(&self) -> Result<Vec<DpsType>, ApiError> {
        serde_json::from_str(&self.dps_types)
            .map_err(|e| ApiError::internal(format!("care home types: {e}")))
    }

    pub fn view(self, costs: &[CostRow], today: NaiveDate) -> Result<CareHome, ApiError> {
        let history: Vec<CostOfStay> = costs.iter().map(CostOfStay::from).collect();
        Ok(CareHome {
            dps_types: self.types()?,
            free_places: self.places - self.occupied,
            average_cost: cost_on(&history, today),
            cost_history: history,
            id: self.id,
            name: self.name,
            address: self.address,
            places: self.places,
            occupied: self.occupied,
            operator: self.operator,
            placing_institution_id: self.placing_institution_id,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        })
    }
}

/// An admission recorded by the placing institution outside a placement through this API (a resident who came
/// before the home was registered here, a transfer from another home).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person_id": null, "admitted_on": "2026-11-02"}))]
pub struct NewResident {
    /// The person, when registered and visible to you; `null` for a resident the registry does not hold.
    pub person_id: Option<String>,
    /// From 50 years ago to today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub admitted_on: NaiveDate,
}

/// A resident leaving the home.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"left_on": "2026-11-30", "reason": "died"}))]
pub struct Departure {
    /// From the admission to today.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub left_on: NaiveDate,
    pub reason: LeaveReason,
}

/// A resident's stay as the API shows it (to the placing institution).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Resident {
    pub id: String,
    pub care_home_id: String,
    pub person_id: Option<String>,
    /// The waiting-list entry whose placement decision brought them, if any.
    pub waiting_list_entry_id: Option<String>,
    pub admitted_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
    pub version: i32,
}

impl From<ResidentRow> for Resident {
    fn from(r: ResidentRow) -> Self {
        Resident {
            id: r.id,
            care_home_id: r.care_home_id,
            person_id: r.person_id,
            waiting_list_entry_id: r.waiting_list_entry_id,
            admitted_on: r.admitted_on,
            left_on: r.left_on,
            leave_reason: r.leave_reason,
            version: r.version,
        }
    }
}

/// A departure is dated from the admission to today, once.
pub fn check_departure(
    resident: &ResidentRow,
    left_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if resident.left_on.is_some() {
        return Err(ApiError::conflict(
            "already_left",
            "this resident's departure is already recorded",
        ));
    }
    if left_on < resident.admitted_on || left_on > today {
        return Err(ApiError::field(
            "left_on",
            "out_of_range",
            format!("between the admission ({}) and today", resident.admitted_on),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::inconsistent_digit_grouping)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn c(on: &str, cost: i64) -> CostOfStay {
        CostOfStay {
            applies_from: d(on),
            monthly_cost: cost,
        }
    }

    #[test]
    fn the_cost_valid_on_a_day_is_the_latest_published_before_it() {
        let h = [c("2025-03-01", 5_800_00), c("2026-03-01", 6_200_00)];
        assert_eq!(cost_on(&h, d("2025-02-28")), None);
        assert_eq!(cost_on(&h, d("2025-03-01")).unwrap().monthly_cost, 5_800_00);
        assert_eq!(cost_on(&h, d("2026-02-28")).unwrap().monthly_cost, 5_800_00);
        assert_eq!(cost_on(&h, d("2026-03-01")).unwrap().monthly_cost, 6_200_00);
    }

    #[test]
    fn a_new_cost_must_come_after_the_history_and_be_positive() {
        let h = [c("2026-03-01", 6_200_00)];
        assert!(check_new_cost(&c("2027-03-01", 6_500_00), &h).is_ok());
        assert_eq!(
            check_new_cost(&c("2026-03-01", 6_500_00), &h)
                .unwrap_err()
                .code(),
            "not_after_latest"
        );
        assert_eq!(
            check_new_cost(&c("2025-03-01", 6_500_00), &h)
                .unwrap_err()
                .code(),
            "not_after_latest"
        );
        assert_eq!(
            check_new_cost(&c("2027-03-01", 0), &h).unwrap_err().code(),
            "validation_failed"
        );
    }
}
