//! The director's decision, its parties and their delivery, and the states in which a decision may be recorded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::error::ApiError;

use super::facts::DpsStatus;

/// The decision on placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// Przyznanie świadczenia w formie skierowania do DPS.
    Granted,
    /// Odmowa.
    Refused,
}

/// In what capacity the decision was signed on the mayor's authority (seed 003: the director, the deputy
/// director or the head of the family-assistance department).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SigningCapacity {
    Director,
    DeputyDirector,
    HeadOfDepartment,
}

/// The administrative decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DpsDecision {
    pub outcome: DecisionOutcome,
    pub reasons: String,
    pub legal_basis: String,
    pub decided_on: NaiveDate,
    /// The user who signed.
    pub decided_by: String,
    pub signed_as: SigningCapacity,
    /// Whether it was issued by the due date.
    pub on_time: bool,
    /// The fee decision in force (decyzja ustalająca opłatę) issued with a granted placement
    /// (`POST /api/v1/dps-applications/{id}/fee-decisions`); `null` until it is issued. A later fee decision (a new
    /// average cost or income criterion) supersedes it and takes its place here.
    pub fee_decision_id: Option<String>,
}

/// How a decision reached a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// By post with acknowledgement of receipt.
    PostWithAcknowledgement,
    /// Handed over by a social worker.
    SocialWorker,
    /// Collected in person.
    InPerson,
}

/// Who a party to the proceedings is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// The person to be placed.
    Person,
    LegalRepresentative,
    /// The applicant, when a party.
    Applicant,
    Other,
}

/// A party the decision was delivered to, with its appeal window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Party {
    /// `party_1`, `party_2`, … in the order of delivery records.
    pub id: String,
    pub name: String,
    pub role: PartyRole,
    pub delivered_on: NaiveDate,
    pub method: DeliveryMethod,
    /// 14 days after delivery, moved off Saturdays and holidays (KPA art. 129 §2, art. 57).
    pub appeal_deadline: NaiveDate,
    /// The day the party's waiver of appeal reached MOPR (art. 127a).
    pub waiver_received_on: Option<NaiveDate>,
}

/// A decision can be issued once the qualifying team has given its opinion.
pub fn check_decision_allowed(status: DpsStatus) -> Result<(), ApiError> {
    match status {
        DpsStatus::Assessed => Ok(()),
        DpsStatus::Collecting => Err(ApiError::conflict(
            "team_opinion_required",
            "the qualifying team gives its opinion on the complete file before the decision",
        )),
        _ => Err(ApiError::conflict(
            "already_decided",
            "the decision is already issued",
        )),
    }
}

/// Delivery, waiver and appeal records follow a decision.
pub fn check_decided(status: DpsStatus) -> Result<(), ApiError> {
    match status {
        DpsStatus::Decided | DpsStatus::Appealed => Ok(()),
        DpsStatus::Closed => Err(ApiError::conflict(
            "case_closed",
            "the SKO has decided; the case is closed",
        )),
        _ => Err(ApiError::conflict(
            "decision_required",
            "there is no decision yet",
        )),
    }
}
