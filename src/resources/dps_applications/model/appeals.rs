//! Appeals to the SKO and finality: each party's 14-day window from its delivery (KPA art. 129), forwarding
//! within 7 days (art. 133), waivers (art. 127a) and when the decision becomes final.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;
use crate::foundation::error::ApiError;

use super::decision::Party;
use super::facts::DpsStatus;

/// The SKO's answer to an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkoOutcome {
    /// Utrzymuje w mocy: the decision stands and is final.
    Upheld,
    /// Uchyla i orzeka co do istoty: the SKO decides itself; final.
    Changed,
    /// Uchyla i przekazuje do ponownego rozpatrzenia: the case returns to MOPR for a new decision.
    AnnulledAndRemanded,
}

/// An appeal to the SKO, lodged through MOPR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Appeal {
    /// `appeal_1`, `appeal_2`, …
    pub id: String,
    pub party_id: String,
    pub lodged_on: NaiveDate,
    /// Lodged after the party's appeal deadline (recorded; the SKO rules on it).
    pub late: bool,
    /// MOPR forwards the appeal with the files within 7 days (KPA art. 133).
    pub forwarding_due_on: NaiveDate,
    pub forwarded_on: Option<NaiveDate>,
    pub sko_outcome: Option<SkoOutcome>,
    pub sko_decided_on: Option<NaiveDate>,
}

/// Appeal windows are 14 days from delivery (art. 129 §2 with art. 57).
pub fn appeal_deadline(delivered_on: NaiveDate) -> NaiveDate {
    calendar::kpa_days(delivered_on, 14)
}

/// MOPR forwards an appeal within 7 days (art. 133).
pub fn forwarding_due_on(lodged_on: NaiveDate) -> NaiveDate {
    calendar::kpa_days(lodged_on, 7)
}

/// How the decision became final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinalityBasis {
    /// The last party's waiver of appeal reached MOPR (art. 127a §2).
    Waivers,
    /// Every appeal window passed with no appeal.
    Lapse,
    /// The SKO upheld or changed the decision.
    Sko,
}

/// Whether and since when the decision is final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finality {
    #[serde(rename = "final")]
    pub is_final: bool,
    pub final_on: Option<NaiveDate>,
    pub basis: Option<FinalityBasis>,
}

/// A decided case is final once every party has waived or let its window lapse: on the day the last waiver reached
/// MOPR, or the day after the last window closed, whichever is later; never while an appeal is pending.
pub fn finality(
    status: DpsStatus,
    parties: &[Party],
    appeals: &[Appeal],
    today: NaiveDate,
) -> Finality {
    let not_final = Finality {
        is_final: false,
        final_on: None,
        basis: None,
    };
    if status == DpsStatus::Closed {
        let on = appeals.iter().filter_map(|a| a.sko_decided_on).max();
        return Finality {
            is_final: true,
            final_on: on,
            basis: Some(FinalityBasis::Sko),
        };
    }
    // An appeal lodged after its window does not hold finality back (KPA art. 134: the SKO only declares it
    // late); a case whose appeals are all late is final as if none had been lodged.
    let only_late_appeals =
        status == DpsStatus::Appealed && !appeals.is_empty() && appeals.iter().all(|a| a.late);
    if (status != DpsStatus::Decided && !only_late_appeals) || parties.is_empty() {
        return not_final;
    }
    let mut last: Option<(NaiveDate, FinalityBasis)> = None;
    for p in parties {
        let (on, basis) = match p.waiver_received_on {
            Some(w) => (w, FinalityBasis::Waivers),
            None => (p.appeal_deadline + Days::new(1), FinalityBasis::Lapse),
        };
        if last.is_none_or(|(l, _)| on > l) {
            last = Some((on, basis));
        }
    }
    match last {
        Some((on, basis)) if on <= today => Finality {
            is_final: true,
            final_on: Some(on),
            basis: Some(basis),
        },
        _ => not_final,
    }
}

/// A party may waive only while its window runs and it has not appealed.
pub fn check_waiver(
    party: &Party,
    appealed: bool,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if party.waiver_received_on.is_some() {
        return Err(ApiError::conflict(
            "already_waived",
            "this party has already waived the appeal",
        ));
    }
    if appealed {
        return Err(ApiError::conflict(
            "party_appealed",
            "this party has appealed; it can no longer waive",
        ));
    }
    if received_on < party.delivered_on || received_on > today {
        return Err(ApiError::field(
            "received_on",
            "out_of_range",
            format!("between the delivery ({}) and today", party.delivered_on),
        ));
    }
    if received_on > party.appeal_deadline {
        return Err(ApiError::conflict(
            "appeal_window_closed",
            format!(
                "the appeal window closed on {}; a waiver is made while it runs",
                party.appeal_deadline
            ),
        ));
    }
    Ok(())
}
