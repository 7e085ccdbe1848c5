//! Which obligations each institution has, derived from the records of the procedure (nothing is stored twice).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ipzs::model::{
    DeadlineStatus, IpzsRow, IpzsStatus, deadline_status, insurance_reporting_due_on,
};
use crate::opinions::model::OpinionRow;
use crate::qualifications::model::QualificationRow;
use crate::referral_applications::model::{ApplicationRow, ApplicationStatus};

/// The kinds of obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// MOPR: the social worker's opinion, 14 days after the application reached MOPR.
    Opinion,
    /// CIS: the admission list, 5 working days after signing the IPZS.
    AdmissionList,
    /// CIS: the qualification request, in the last week of the trial month.
    QualificationRequest,
    /// MOPR: the qualification decision, before the proper period starts.
    QualificationDecision,
    /// MOPR: health-insurance registration, 7 days after the obligation starts (which is 30 days after the IPZS
    /// starts), moved off Saturdays and holidays.
    InsuranceRegistration,
    /// MOPR: de-registration, 7 days after the programme ends, moved off Saturdays and holidays.
    InsuranceDeregistration,
    /// CIS: informing MOPR of an early termination, 5 working days after it.
    TerminationNotice,
}

/// One obligation of the caller's institution.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    pub status: DeadlineStatus,
    /// When it was met, if it was.
    pub met_on: Option<NaiveDate>,
    /// `referral_application`, `ipzs` or `qualification`.
    pub resource_type: String,
    pub resource_id: String,
    /// The API path of the record the obligation is about.
    pub link: String,
    pub person_id: String,
}

fn deadline(
    kind: DeadlineKind,
    due_on: NaiveDate,
    met_on: Option<NaiveDate>,
    resource_type: &str,
    resource_id: &str,
    person_id: &str,
    today: NaiveDate,
) -> Deadline {
    Deadline {
        kind,
        due_on,
        status: deadline_status(due_on, met_on, today),
        met_on,
        resource_type: resource_type.to_owned(),
        resource_id: resource_id.to_owned(),
        link: crate::events::link(resource_type, resource_id),
        person_id: person_id.to_owned(),
    }
}

/// MOPR's opinion deadlines for its applications (withdrawn ones owe nothing).
pub fn opinion_deadlines(
    apps: &[(ApplicationRow, Option<OpinionRow>)],
    today: NaiveDate,
) -> Vec<Deadline> {
    apps.iter()
        .filter(|(a, o)| a.status != ApplicationStatus::Withdrawn || o.is_some())
        .map(|(a, o)| {
            let met = o.as_ref().map(|o| {
                o.issued_at
                    .and_utc()
                    .with_timezone(&chrono_tz::Europe::Warsaw)
                    .date_naive()
            });
            deadline(
                DeadlineKind::Opinion,
                a.opinion_due_on,
                met,
                "referral_application",
                &a.id,
                &a.person_id,
                today,
            )
        })
        .collect()
}

/// The obligations an IPZS gives the CIS (`as_cis`) or MOPR.
pub fn ipzs_deadlines(
    row: &IpzsRow,
    q: Option<&QualificationRow>,
    as_cis: bool,
    today: NaiveDate,
) -> Vec<Deadline> {
    let schedule = row.schedule();
    let status = row.status;
    let mut out = Vec::new();
    let mut add = |kind, due, met, rtype: &str, rid: &str| {
        out.push(deadline(kind, due, met, rtype, rid, &row.person_id, today));
    };
    if as_cis {
        add(
            DeadlineKind::AdmissionList,
            row.admission_list_due_on,
            row.admission_listed_on,
            "ipzs",
            &row.id,
        );
        // Owed while the trial runs, and kept once asked; a programme ended in its trial owes no request.
        if q.is_some() || status == IpzsStatus::Trial {
            add(
                DeadlineKind::QualificationRequest,
                schedule.trial_ends_on,
                q.map(|q| q.requested_on),
                "ipzs",
                &row.id,
            );
        }
        if let Some(due) = row.termination_notice_due_on {
            add(
                DeadlineKind::TerminationNotice,
                due,
                row.mopr_informed_on,
                "ipzs",
                &row.id,
            );
        }
    } else {
        if let Some(q) = q {
            add(
                DeadlineKind::QualificationDecision,
                schedule.proper_period_starts_on - Days::new(1),
                q.decided_on,
                "qualification",
                &q.id,
            );
        }
        // Registration is owed if the programme was still running when the obligation started.
        if row
            .ended_on
            .is_none_or(|end| end >= row.insurance_starts_on)
        {
            add(
                DeadlineKind::InsuranceRegistration,
                schedule.insurance_registration_due_on,
                row.insurance_registered_on,
                "ipzs",
                &row.id,
            );
        }
        if let (Some(end), Some(_)) = (row.insurance_ends_on, row.insurance_registered_on) {
            add(
                DeadlineKind::InsuranceDeregistration,
                insurance_reporting_due_on(end),
                row.insurance_deregistered_on,
                "ipzs",
                &row.id,
            );
        }
    }
    out
}

/// The order of the view: soonest due first, then by kind and record, so that paging is stable.
pub fn sort_key(d: &Deadline) -> String {
    format!("{}|{:?}|{}", d.due_on, d.kind, d.resource_id)
}
