//! The fee for a stay in a care home (opłata za pobyt w DPS; ustawa o pomocy społecznej art. 61, seed 003), as a
//! pure computation an official can check line by line. Amounts are in grosze (1 zł = 100 gr), as integers.
//!
//! Order of payers: (1) the resident, at most 70% of their income; (2) the spouse, then descendants before
//! ascendants, by agreement, each only above 300% of the income criterion (single person, or per person in a
//! family) and never left below it; (3) the municipality pays the rest up to the average monthly cost. Anyone may
//! volunteer to pay, which lowers what the relatives and the municipality owe. When the resident pays the full cost,
//! nobody else pays.
//!
//! Rounding: the resident's 70% is rounded down to the grosz (never more than the statute allows); the thresholds
//! are exactly three times the criterion, so they need no rounding.

// Amounts are written as zł_gr (`1_902_00` is 1,902.00 zł), so the last group has two digits on purpose.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::error::FieldError;

/// An income criterion (kryterium dochodowe) and the day it applies from; they change by regulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncomeCriterion {
    pub applies_from: NaiveDate,
    /// For a person living alone (osoba samotnie gospodarująca), in grosze.
    pub single: i64,
    /// Per person in a family (osoba w rodzinie), in grosze.
    pub per_person_in_family: i64,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// The criteria in force since 2015, from the regulations of the Council of Ministers.
pub fn criteria_history() -> Vec<IncomeCriterion> {
    vec![
        IncomeCriterion {
            applies_from: day(2015, 10, 1),
            single: 634_00,
            per_person_in_family: 514_00,
        },
        IncomeCriterion {
            applies_from: day(2018, 10, 1),
            single: 701_00,
            per_person_in_family: 528_00,
        },
        IncomeCriterion {
            applies_from: day(2022, 1, 1),
            single: 776_00,
            per_person_in_family: 600_00,
        },
        IncomeCriterion {
            applies_from: day(2025, 1, 1),
            single: 1_010_00,
            per_person_in_family: 823_00,
        },
    ]
}

/// The criterion valid on `date`: the latest one that applies from that day or earlier.
pub fn criterion_on(date: NaiveDate, history: &[IncomeCriterion]) -> Option<IncomeCriterion> {
    history
        .iter()
        .filter(|c| c.applies_from <= date)
        .max_by_key(|c| c.applies_from)
        .copied()
}

/// The thresholds of art. 61 ust. 2 pkt 2: 300% of the criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Thresholds {
    pub single: i64,
    pub per_person_in_family: i64,
}

impl From<IncomeCriterion> for Thresholds {
    fn from(c: IncomeCriterion) -> Self {
        Thresholds {
            single: 3 * c.single,
            per_person_in_family: 3 * c.per_person_in_family,
        }
    }
}

/// A relative's relation to the resident; its order (spouse, descendants, ascendants) is the order they are obliged
/// in (art. 61 ust. 1 pkt 2).
pub use crate::resources::dps_applications::model::Relation;

/// How a relative's household is assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Household {
    /// Lives alone: their own income against the single-person threshold.
    Single {
        /// Monthly net income in grosze (0 to 10,000,000,000).
        #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
        income: i64,
    },
    /// In a family of `members` persons with this total monthly income.
    Family {
        /// 1 to 30 persons.
        #[schema(value_type = i32, minimum = 1, maximum = 30)]
        members: u32,
        /// The family's monthly net income in grosze (0 to 10,000,000,000).
        #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
        total_income: i64,
    },
}

/// A relative obliged to pay, with the amount agreed with them (umowa, art. 103 ust. 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Relative {
    pub name: String,
    pub relation: Relation,
    pub household: Household,
    /// The monthly amount agreed, in grosze (0 to 10,000,000,000; at most the relative's `legal_maximum`).
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub agreed: i64,
}

/// Someone who pays voluntarily.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Volunteer {
    pub name: String,
    /// The monthly amount in grosze (0 to 10,000,000,000).
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub amount: i64,
}

/// What the fee is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeInput {
    /// The home's average monthly cost of stay valid on the day the fee applies from.
    pub average_cost: i64,
    pub resident_income: i64,
    pub relatives: Vec<Relative>,
    pub volunteers: Vec<Volunteer>,
}

/// One relative's line of the split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RelativeShare {
    pub name: String,
    pub relation: Relation,
    /// The most the statute allows them to pay.
    pub legal_maximum: i64,
    pub agreed: i64,
    /// What they pay: their agreement, limited by what is still uncovered.
    pub pays: i64,
}

/// The whole split, every figure visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeSplit {
    pub average_cost: i64,
    pub thresholds: Thresholds,
    /// 70% of the resident's income, rounded down.
    pub resident_limit: i64,
    pub resident_pays: i64,
    pub volunteers_pay: i64,
    pub relatives: Vec<RelativeShare>,
    pub municipality_pays: i64,
}

/// Why a fee cannot be computed as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeError {
    /// An agreement above the relative's legal maximum (the relative is named).
    AboveLegalMaximum { name: String, legal_maximum: i64 },
    /// A negative amount or an empty family.
    Invalid(&'static str),
}

/// The most a relative may pay: what their household has above the threshold.
pub fn legal_maximum(household: Household, thresholds: Thresholds) -> i64 {
    match household {
        Household::Single { income } => (income - thresholds.single).max(0),
        Household::Family {
            members,
            total_income,
        } => (total_income - i64::from(members) * thresholds.per_person_in_family).max(0),
    }
}

/// Splits the average cost among the payers in the statute's order.
pub fn split(input: &FeeInput, thresholds: Thresholds) -> Result<FeeSplit, FeeError> {
    if input.average_cost < 0 || input.resident_income < 0 {
        return Err(FeeError::Invalid("amounts cannot be negative"));
    }
    let resident_limit = input.resident_income * 7 / 10;
    let resident_pays = resident_limit.min(input.average_cost);
    let mut uncovered = input.average_cost - resident_pays;

    let mut volunteers_pay = 0;
    for v in &input.volunteers {
        if v.amount < 0 {
            return Err(FeeError::Invalid("amounts cannot be negative"));
        }
        let pays = v.amount.min(uncovered);
        volunteers_pay += pays;
        uncovered -= pays;
    }

    // The spouse first, then descendants before ascendants; the input order within a group is kept.
    let mut relatives: Vec<&Relative> = input.relatives.iter().collect();
    relatives.sort_by_key(|r| r.relation);
    let mut shares = Vec::with_capacity(relatives.len());
    for r in relatives {
        if r.agreed < 0 {
            return Err(FeeError::Invalid("amounts cannot be negative"));
        }
        if let Household::Family { members: 0, .. } = r.household {
            return Err(FeeError::Invalid("a family has at least one member"));
        }
        let max = legal_maximum(r.household, thresholds);
        if r.agreed > max {
            return Err(FeeError::AboveLegalMaximum {
                name: r.name.clone(),
                legal_maximum: max,
            });
        }
        let pays = r.agreed.min(uncovered);
        uncovered -= pays;
        shares.push(RelativeShare {
            name: r.name.clone(),
            relation: r.relation,
            legal_maximum: max,
            agreed: r.agreed,
            pays,
        });
    }

    Ok(FeeSplit {
        average_cost: input.average_cost,
        thresholds,
        resident_limit,
        resident_pays,
        volunteers_pay,
        relatives: shares,
        municipality_pays: uncovered,
    })
}

/// The largest amount accepted anywhere in a fee computation: 100,000,000.00 zł, far above any income or cost, so
/// that sums of a few of them can never overflow.
pub const MAX_AMOUNT: i64 = 10_000_000_000;

/// Bounds of what a caller may send: amounts from 0 to [`MAX_AMOUNT`], names of 1 to 200 characters, families of
/// 1 to 30 members, at most 20 relatives and 20 volunteers. Every broken bound is listed.
pub fn check_input(
    resident_income: i64,
    relatives: &[Relative],
    volunteers: &[Volunteer],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let amount = |errors: &mut Vec<FieldError>, field: String, value: i64| {
        if !(0..=MAX_AMOUNT).contains(&value) {
            errors.push(FieldError::new(
                &field,
                "out_of_range",
                format!("an amount in grosze from 0 to {MAX_AMOUNT}"),
            ));
        }
    };
    amount(&mut errors, "resident_income".into(), resident_income);
    if relatives.len() > 20 {
        errors.push(FieldError::new(
            "relatives",
            "too_many",
            "at most 20 relatives",
        ));
    }
    if volunteers.len() > 20 {
        errors.push(FieldError::new(
            "volunteers",
            "too_many",
            "at most 20 volunteers",
        ));
    }
    for (i, r) in relatives.iter().enumerate() {
        if let Err(e) = crate::foundation::validation::required_text(
            &format!("relatives[{i}].name"),
            &r.name,
            200,
        ) {
            errors.push(e);
        }
        amount(&mut errors, format!("relatives[{i}].agreed"), r.agreed);
        match r.household {
            Household::Single { income } => amount(
                &mut errors,
                format!("relatives[{i}].household.income"),
                income,
            ),
            Household::Family {
                members,
                total_income,
            } => {
                if !(1..=30).contains(&members) {
                    errors.push(FieldError::new(
                        format!("relatives[{i}].household.members"),
                        "out_of_range",
                        "a family of 1 to 30 persons",
                    ));
                }
                amount(
                    &mut errors,
                    format!("relatives[{i}].household.total_income"),
                    total_income,
                );
            }
        }
    }
    for (i, v) in volunteers.iter().enumerate() {
        if let Err(e) = crate::foundation::validation::required_text(
            &format!("volunteers[{i}].name"),
            &v.name,
            200,
        ) {
            errors.push(e);
        }
        amount(&mut errors, format!("volunteers[{i}].amount"), v.amount);
    }
    errors
}

/// Every relative whose agreed amount is above the most the statute lets them pay, named with the maximum, so an
/// official can correct all agreements at once.
pub fn check_agreements(relatives: &[Relative], thresholds: Thresholds) -> Vec<FieldError> {
    relatives
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let max = legal_maximum(r.household, thresholds);
            (r.agreed > max).then(|| {
                FieldError::new(
                    format!("relatives[{i}].agreed"),
                    "above_legal_maximum",
                    format!(
                        "{} may pay at most {} gr a month (what their household has above 300% of the income criterion)",
                        r.name, max
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thresholds_on(date: NaiveDate) -> Thresholds {
        criterion_on(date, &criteria_history()).unwrap().into()
    }

    fn input(cost: i64, income: i64) -> FeeInput {
        FeeInput {
            average_cost: cost,
            resident_income: income,
            relatives: vec![],
            volunteers: vec![],
        }
    }

    fn relative(name: &str, relation: Relation, household: Household, agreed: i64) -> Relative {
        Relative {
            name: name.into(),
            relation,
            household,
            agreed,
        }
    }

    #[test]
    fn the_2016_criterion_reproduces_the_seeds_thresholds_and_2025_its_own() {
        // Seed 003: 1,902 zł (single) and 1,542 zł (per person), 300% of 634 / 514 zł.
        assert_eq!(
            thresholds_on(day(2016, 6, 1)),
            Thresholds {
                single: 1_902_00,
                per_person_in_family: 1_542_00
            }
        );
        assert_eq!(
            thresholds_on(day(2025, 3, 1)),
            Thresholds {
                single: 3_030_00,
                per_person_in_family: 2_469_00
            }
        );
        // The day a criterion applies from, and the day before it.
        assert_eq!(thresholds_on(day(2018, 10, 1)).single, 2_103_00);
        assert_eq!(thresholds_on(day(2018, 9, 30)).single, 1_902_00);
        assert_eq!(thresholds_on(day(2024, 12, 31)).single, 2_328_00);
        assert_eq!(criterion_on(day(2015, 9, 30), &criteria_history()), None);
    }

    #[test]
    fn a_resident_who_covers_the_cost_pays_it_alone() {
        // Income 8,000 zł: 70% is 5,600 zł, above a cost of 5,200 zł.
        let mut i = input(5_200_00, 8_000_00);
        i.relatives = vec![relative(
            "Anna",
            Relation::Descendant,
            Household::Single { income: 9_000_00 },
            1_000_00,
        )];
        let s = split(&i, thresholds_on(day(2025, 3, 1))).unwrap();
        assert_eq!(s.resident_limit, 5_600_00);
        assert_eq!(s.resident_pays, 5_200_00);
        assert_eq!(s.relatives[0].pays, 0);
        assert_eq!(s.municipality_pays, 0);
    }

    #[test]
    fn the_municipality_pays_what_the_resident_cannot() {
        // Income 2,345.67 zł: 70% = 1,641.969 zł, rounded down to 1,641.96 zł; cost 6,000 zł.
        let s = split(&input(6_000_00, 2_345_67), thresholds_on(day(2025, 3, 1))).unwrap();
        assert_eq!(s.resident_pays, 1_641_96);
        assert_eq!(s.municipality_pays, 6_000_00 - 1_641_96);
    }

    #[test]
    fn a_relative_below_the_threshold_pays_nothing_and_one_above_keeps_it() {
        let t = thresholds_on(day(2025, 3, 1));
        // Living alone on 2,900 zł (below 3,030 zł): nothing may be agreed.
        assert_eq!(legal_maximum(Household::Single { income: 2_900_00 }, t), 0);
        let mut i = input(6_000_00, 2_000_00);
        i.relatives = vec![relative(
            "Jan",
            Relation::Descendant,
            Household::Single { income: 2_900_00 },
            100_00,
        )];
        assert_eq!(
            split(&i, t),
            Err(FeeError::AboveLegalMaximum {
                name: "Jan".into(),
                legal_maximum: 0
            })
        );
        // On 4,000 zł the most is 970 zł, so that 3,030 zł remain.
        i.relatives[0].household = Household::Single { income: 4_000_00 };
        i.relatives[0].agreed = 970_00;
        let s = split(&i, t).unwrap();
        assert_eq!(s.relatives[0].legal_maximum, 970_00);
        assert_eq!(s.relatives[0].pays, 970_00);
        // 6,000 - 1,400 (70% of 2,000) - 970 = 3,630 zł for the municipality.
        assert_eq!(s.resident_pays, 1_400_00);
        assert_eq!(s.municipality_pays, 3_630_00);
        i.relatives[0].agreed = 970_01;
        assert!(matches!(
            split(&i, t),
            Err(FeeError::AboveLegalMaximum {
                legal_maximum: 970_00,
                ..
            })
        ));
    }

    #[test]
    fn a_family_of_four_keeps_the_threshold_per_person() {
        // 2016 thresholds: 1,542 zł per person; a family of four with 8,000 zł keeps 6,168 zł, so at most
        // 1,832 zł. The spouse is asked first, then the descendant; the cost runs out before the descendant's
        // agreement is used up.
        let t = thresholds_on(day(2016, 6, 1));
        let family = Household::Family {
            members: 4,
            total_income: 8_000_00,
        };
        assert_eq!(legal_maximum(family, t), 1_832_00);
        let mut i = input(3_500_00, 1_000_00);
        i.relatives = vec![
            relative("Syn", Relation::Descendant, family, 1_832_00),
            relative(
                "Żona",
                Relation::Spouse,
                Household::Single { income: 2_502_00 },
                600_00,
            ),
        ];
        let s = split(&i, t).unwrap();
        // Resident 700 zł; spouse (600 of her 600 zł maximum); son the remaining 2,200 zł, capped by his
        // agreement at 1,832 zł; municipality 368 zł.
        assert_eq!(s.resident_pays, 700_00);
        assert_eq!(s.relatives[0].name, "Żona");
        assert_eq!(s.relatives[0].legal_maximum, 600_00);
        assert_eq!(s.relatives[0].pays, 600_00);
        assert_eq!(s.relatives[1].pays, 1_832_00);
        assert_eq!(s.municipality_pays, 368_00);
        assert_eq!(
            s.resident_pays + s.relatives.iter().map(|r| r.pays).sum::<i64>() + s.municipality_pays,
            3_500_00
        );
    }

    #[test]
    fn a_volunteer_lowers_what_the_others_owe() {
        let t = thresholds_on(day(2025, 3, 1));
        let mut i = input(5_000_00, 2_000_00);
        i.volunteers = vec![Volunteer {
            name: "Parafia".into(),
            amount: 1_000_00,
        }];
        i.relatives = vec![relative(
            "Anna",
            Relation::Descendant,
            Household::Single { income: 6_030_00 },
            3_000_00,
        )];
        let s = split(&i, t).unwrap();
        // 5,000 - 1,400 (resident) - 1,000 (volunteer) = 2,600 zł left for the daughter, within her 3,000 zł.
        assert_eq!(s.volunteers_pay, 1_000_00);
        assert_eq!(s.relatives[0].pays, 2_600_00);
        assert_eq!(s.municipality_pays, 0);
        // A volunteer who pays more than is left pays only what is left.
        i.volunteers[0].amount = 9_000_00;
        let s = split(&i, t).unwrap();
        assert_eq!(s.volunteers_pay, 3_600_00);
        assert_eq!(s.relatives[0].pays, 0);
    }

    #[test]
    fn bad_amounts_are_refused() {
        let t = thresholds_on(day(2025, 3, 1));
        assert_eq!(
            split(&input(-1, 0), t),
            Err(FeeError::Invalid("amounts cannot be negative"))
        );
        let mut i = input(1_000_00, 0);
        i.relatives = vec![relative(
            "X",
            Relation::Ascendant,
            Household::Family {
                members: 0,
                total_income: 1,
            },
            0,
        )];
        assert!(matches!(split(&i, t), Err(FeeError::Invalid(_))));
    }

    #[test]
    fn agreements_above_the_maximum_are_listed_with_the_relative_and_bounds_are_checked() {
        let t = thresholds_on(day(2025, 3, 1));
        let relatives = vec![
            relative(
                "Anna",
                Relation::Descendant,
                Household::Single { income: 4_000_00 },
                970_00,
            ),
            relative(
                "Jan",
                Relation::Descendant,
                Household::Single { income: 4_000_00 },
                970_01,
            ),
        ];
        let errors = check_agreements(&relatives, t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "relatives[1].agreed");
        assert!(
            errors[0].message.contains("Jan may pay at most 97000 gr"),
            "{}",
            errors[0].message
        );

        let mut bad = relatives.clone();
        bad[0].household = Household::Family {
            members: 0,
            total_income: 1,
        };
        bad[1].name = " ".into();
        let errors = check_input(
            -1,
            &bad,
            &[Volunteer {
                name: "P".into(),
                amount: MAX_AMOUNT + 1,
            }],
        );
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "resident_income",
                "relatives[0].household.members",
                "relatives[1].name",
                "volunteers[0].amount"
            ]
        );
        assert!(check_input(0, &relatives, &[]).is_empty());
    }
}
