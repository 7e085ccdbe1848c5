//! Which obligations each institution has, derived from the records of the procedure by pure rules. The derived
//! obligations are stored (table `obligations`) and replaced in the same transaction as every change of their
//! record, so the deadline view is one indexed, paged query; the state (`open`, `overdue`, …) depends on today and
//! is computed when read.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::obligations;
use crate::resources::ipzs::model::{
    DUE_SOON_DAYS, DeadlineStatus, IpzsRow, IpzsStatus, deadline_status, insurance_reporting_due_on,
};
use crate::resources::opinions::model::OpinionRow;
use crate::resources::qualifications::model::QualificationRow;
use crate::resources::referral_applications::model::{ApplicationRow, ApplicationStatus};

crate::stored_enum! {
    /// The kinds of obligation.
    #[derive(PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
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
        /// MOPR: the DPS file's documents, due 14 days after the application (met when the file is complete).
        DpsDocuments,
        /// MOPR: the DPS decision, one month (two if complicated) from the start of proceedings, plus pauses.
        DpsDecision,
        /// MOPR: forwarding an appeal with the files to the SKO, 7 days after it was lodged.
        DpsAppealForwarding,
    }
}

/// Joins a case id and an appeal id in a stored `resource_id`; neither id can hold it.
const APPEAL_SEPARATOR: char = '#';

/// One obligation as stored: who owes what by when, and when it was met.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = obligations, treat_none_as_default_value = false)]
pub struct Obligation {
    pub institution_id: String,
    pub kind: DeadlineKind,
    pub resource_type: String,
    pub resource_id: String,
    /// The application or IPZS the obligation is derived from; its obligations are replaced together.
    pub source_id: String,
    pub person_id: String,
    pub due_on: NaiveDate,
    pub met_on: Option<NaiveDate>,
}

/// One obligation of the caller's institution.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    pub status: DeadlineStatus,
    /// When it was met, if it was.
    pub met_on: Option<NaiveDate>,
    /// `referral_application`, `ipzs`, `qualification` or `dps_application`.
    pub resource_type: String,
    /// The id of the record (for the DPS kinds, the case).
    pub resource_id: String,
    /// For `dps_appeal_forwarding`, the appeal to forward, as the case's `appeals[].id` names it (forward it with
    /// `POST /api/v1/dps-applications/{resource_id}/appeals/{appeal_id}/forwarding`); null for every other kind.
    pub appeal_id: Option<String>,
    /// The API path of the record the obligation is about.
    pub link: String,
    pub person_id: String,
}

impl Obligation {
    pub fn view(self, today: NaiveDate) -> Deadline {
        // Stored as `<case id>#<appeal id>` so that each appeal is a row of its own (see `dps_obligations`).
        let (resource_id, appeal_id) = match self.resource_id.split_once(APPEAL_SEPARATOR) {
            Some((case, appeal)) => (case.to_owned(), Some(appeal.to_owned())),
            None => (self.resource_id, None),
        };
        Deadline {
            status: deadline_status(self.due_on, self.met_on, today),
            link: crate::records::events::link(&self.resource_type, &resource_id),
            kind: self.kind,
            due_on: self.due_on,
            met_on: self.met_on,
            resource_type: self.resource_type,
            resource_id,
            appeal_id,
            person_id: self.person_id,
        }
    }

    /// The position in the view's order (soonest due first, then kind, then record): the cursor of a page.
    pub fn position(&self) -> String {
        format!(
            "{}|{}|{}",
            self.due_on,
            self.kind.as_str(),
            self.resource_id
        )
    }
}

/// A position decoded from a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub due_on: NaiveDate,
    pub kind: DeadlineKind,
    pub resource_id: String,
}

impl Position {
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, '|');
        Some(Position {
            // Held to `YYYY-MM-DD` like a request date: a crafted cursor is client input too.
            due_on: crate::foundation::validation::parse_date(parts.next()?)?,
            kind: DeadlineKind::parse(parts.next()?)?,
            resource_id: parts.next()?.to_owned(),
        })
    }
}

/// The due dates that make an obligation of a given status today, for a status filter in SQL: `met` and
/// `met_late` compare `met_on` with `due_on`; the open ones depend on how far `due_on` is from today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Met on or before the due date.
    Met,
    /// Met after the due date.
    MetLate,
    /// Not met, due within this inclusive range of days.
    Unmet {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl StatusFilter {
    pub fn of(status: DeadlineStatus, today: NaiveDate) -> Self {
        let soon = today + Days::new(DUE_SOON_DAYS);
        match status {
            DeadlineStatus::Met => StatusFilter::Met,
            DeadlineStatus::MetLate => StatusFilter::MetLate,
            DeadlineStatus::Overdue => StatusFilter::Unmet {
                from: None,
                to: today.pred_opt(),
            },
            DeadlineStatus::DueSoon => StatusFilter::Unmet {
                from: Some(today),
                to: Some(soon),
            },
            DeadlineStatus::Open => StatusFilter::Unmet {
                from: soon.succ_opt(),
                to: None,
            },
        }
    }
}

/// MOPR's opinion deadline for an application (a withdrawn one without an opinion owes nothing).
pub fn application_obligations(
    app: &ApplicationRow,
    opinion: Option<&OpinionRow>,
) -> Vec<Obligation> {
    if app.status == ApplicationStatus::Withdrawn && opinion.is_none() {
        return Vec::new();
    }
    vec![Obligation {
        institution_id: app.mopr_id.clone(),
        kind: DeadlineKind::Opinion,
        resource_type: "referral_application".into(),
        resource_id: app.id.clone(),
        source_id: app.id.clone(),
        person_id: app.person_id.clone(),
        due_on: app.opinion_due_on,
        met_on: opinion.map(|o| o.issued_on),
    }]
}

/// The obligations an IPZS gives its CIS and its MOPR.
pub fn ipzs_obligations(row: &IpzsRow, q: Option<&QualificationRow>) -> Vec<Obligation> {
    let schedule = row.schedule();
    let mut out = Vec::new();
    let mut add =
        |institution: &str, kind, due_on, met_on, resource_type: &str, resource_id: &str| {
            out.push(Obligation {
                institution_id: institution.to_owned(),
                kind,
                resource_type: resource_type.to_owned(),
                resource_id: resource_id.to_owned(),
                source_id: row.id.clone(),
                person_id: row.person_id.clone(),
                due_on,
                met_on,
            })
        };
    let (cis, mopr) = (row.cis_id.as_str(), row.mopr_id.as_str());
    add(
        cis,
        DeadlineKind::AdmissionList,
        row.admission_list_due_on,
        row.admission_listed_on,
        "ipzs",
        &row.id,
    );
    // Owed while the trial runs, and kept once asked; a programme ended in its trial owes no request.
    if q.is_some() || row.status == IpzsStatus::Trial {
        add(
            cis,
            DeadlineKind::QualificationRequest,
            schedule.trial_ends_on,
            q.map(|q| q.requested_on),
            "ipzs",
            &row.id,
        );
    }
    if let Some(due) = row.termination_notice_due_on {
        add(
            cis,
            DeadlineKind::TerminationNotice,
            due,
            row.mopr_informed_on,
            "ipzs",
            &row.id,
        );
    }
    if let Some(q) = q {
        add(
            mopr,
            DeadlineKind::QualificationDecision,
            schedule.trial_ends_on,
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
            mopr,
            DeadlineKind::InsuranceRegistration,
            schedule.insurance_registration_due_on,
            row.insurance_registered_on,
            "ipzs",
            &row.id,
        );
    }
    if let (Some(end), Some(_)) = (row.insurance_ends_on, row.insurance_registered_on) {
        add(
            mopr,
            DeadlineKind::InsuranceDeregistration,
            insurance_reporting_due_on(end),
            row.insurance_deregistered_on,
            "ipzs",
            &row.id,
        );
    }
    out
}

/// The obligations a DPS case gives its MOPR: the documents, the decision, and forwarding each appeal.
pub fn dps_obligations(
    case: &crate::resources::dps_applications::model::DpsCase,
) -> Vec<Obligation> {
    let r = &case.row;
    let obligation = |kind, due_on, met_on| Obligation {
        institution_id: r.mopr_id.clone(),
        kind,
        resource_type: "dps_application".into(),
        resource_id: r.id.clone(),
        source_id: r.id.clone(),
        person_id: r.person_id.clone(),
        due_on,
        met_on,
    };
    let mut out = vec![
        obligation(
            DeadlineKind::DpsDocuments,
            r.documents_due_on,
            r.file_completed_on,
        ),
        obligation(
            DeadlineKind::DpsDecision,
            case.decision_due_on(),
            case.decision.as_ref().map(|d| d.decided_on),
        ),
    ];
    for a in &case.appeals {
        let mut o = obligation(
            DeadlineKind::DpsAppealForwarding,
            a.forwarding_due_on,
            a.forwarded_on,
        );
        // One row per appeal: the appeal's id keeps them apart; the view splits it into `appeal_id` again.
        o.resource_id = format!("{}{APPEAL_SEPARATOR}{}", r.id, a.id);
        out.push(o);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_status_filter_selects_exactly_the_obligations_of_that_status() {
        let today = d("2026-11-24");
        let due_dates: Vec<NaiveDate> = (0..20).map(|i| d("2026-11-15") + Days::new(i)).collect();
        for status in [
            DeadlineStatus::Open,
            DeadlineStatus::DueSoon,
            DeadlineStatus::Overdue,
        ] {
            let StatusFilter::Unmet { from, to } = StatusFilter::of(status, today) else {
                panic!("{status:?} is an unmet status");
            };
            for due in &due_dates {
                let in_range = from.is_none_or(|f| *due >= f) && to.is_none_or(|t| *due <= t);
                assert_eq!(
                    in_range,
                    deadline_status(*due, None, today) == status,
                    "{status:?} for {due}"
                );
            }
        }
    }

    #[test]
    fn positions_survive_a_round_trip() {
        let o = Obligation {
            institution_id: "i".into(),
            kind: DeadlineKind::InsuranceRegistration,
            resource_type: "ipzs".into(),
            resource_id: "0193-a|b".into(),
            source_id: "s".into(),
            person_id: "p".into(),
            due_on: d("2026-12-28"),
            met_on: None,
        };
        assert_eq!(
            Position::parse(&o.position()),
            Some(Position {
                due_on: d("2026-12-28"),
                kind: DeadlineKind::InsuranceRegistration,
                resource_id: "0193-a|b".into()
            })
        );
        assert_eq!(Position::parse("garbage"), None);
        let kind = DeadlineKind::InsuranceRegistration.as_str();
        assert!(Position::parse(&format!("2026-12-28|{kind}|x")).is_some());
        assert_eq!(Position::parse(&format!("-4714-01-01|{kind}|x")), None);
    }
}
