//! The stored IPZS and the view the API shows, with its obligations.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::ipzs;
use crate::foundation::error::ApiError;

use super::obligations::{DeadlineStatus, deadline_status};
use super::schedule::{Activity, Schedule, insurance_reporting_due_on};
use super::status::{IpzsStatus, TerminationReason};

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
    /// Set by the case register (`records::acts`) only; never written back with the row.
    #[diesel(skip_update)]
    pub recorded_late: bool,
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
    /// Some act of this programme was recorded more than 7 days after its legal date (see `GET …/{id}/acts`).
    pub recorded_late: bool,
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
            recorded_late: self.recorded_late,
        })
    }
}
