//! The case as the API shows it: the full view for the case's MOPR, the restricted one for the applicant.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appeals::{Appeal, Finality, finality};
use super::checklist::{ChecklistItem, missing};
use super::deadline::{DelayNotice, Pause};
use super::decision::{DecisionOutcome, DpsDecision, Party};
use super::facts::{ApplicationForm, DpsApplicantKind, DpsStatus, DpsType, Facts};
use super::row::{DpsCase, QualifyingTeam};

/// The checklist's state for the view.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileState {
    /// The facts are recorded and no required document is missing.
    pub complete: bool,
    /// The day the file became complete.
    pub completed_on: Option<NaiveDate>,
    /// The codes of the missing documents (all conditional items are unknown until the facts are recorded).
    pub missing: Vec<String>,
    pub items: Vec<ChecklistItem>,
}

/// The decision's deadline for the view.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionDeadline {
    /// One month from the start of proceedings, two once marked complicated, plus the paused days, moved off
    /// Saturdays and holidays; or the date of the last art. 36 notice.
    pub due_on: NaiveDate,
    pub complicated: bool,
    pub complicated_reason: Option<String>,
    /// The days left out of the period (KPA art. 35 §5).
    #[schema(value_type = i64, minimum = 0)]
    pub paused_days: u64,
    pub pauses: Vec<Pause>,
    pub delay_notices: Vec<DelayNotice>,
}

/// A placement case as its MOPR sees it (an applying PCPR sees the application, the status, the outcome and the
/// finality; the other parts are `null` for it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DpsApplication {
    pub id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub applicant_kind: DpsApplicantKind,
    pub applicant_name: Option<String>,
    pub form: ApplicationForm,
    /// Data wpływu: the proceedings start on this day (KPA art. 61 §3).
    pub received_on: NaiveDate,
    /// The documents are due 14 days after filing.
    pub documents_due_on: NaiveDate,
    pub dps_type: DpsType,
    pub preferred_home: Option<String>,
    pub justification: String,
    /// Whether the income documents (attachments 1–8) came with the application.
    pub income_documents_filed: bool,
    pub filed_by_institution_id: String,
    pub status: DpsStatus,
    pub facts: Option<Facts>,
    pub file: Option<FileState>,
    pub qualifying_team: Option<QualifyingTeam>,
    pub decision_deadline: Option<DecisionDeadline>,
    /// The decision's outcome, once issued (shown to the applying PCPR too).
    pub outcome: Option<DecisionOutcome>,
    /// The day the decision was issued.
    pub decided_on: Option<NaiveDate>,
    /// The whole decision, for MOPR.
    pub decision: Option<DpsDecision>,
    /// `true` while a granted placement has no fee decision (decyzja ustalająca opłatę) yet; MOPR's director
    /// issues it with `POST /api/v1/dps-applications/{id}/fee-decisions`.
    pub awaiting_fee_decision: bool,
    /// Decisions the SKO annulled and remanded.
    pub previous_decisions: Option<Vec<DpsDecision>>,
    pub parties: Option<Vec<Party>>,
    pub appeals: Option<Vec<Appeal>>,
    pub finality: Finality,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` with any change.
    pub version: i32,
    /// Some act of this case was recorded more than 7 days after its legal date (see `GET …/{id}/acts`).
    pub recorded_late: bool,
}

impl DpsCase {
    /// The view; `full` for the case's MOPR, otherwise the applicant's restricted view.
    pub fn view(self, full: bool, today: NaiveDate) -> DpsApplication {
        let finality = finality(self.row.status, &self.parties, &self.appeals, today);
        let file = full.then(|| {
            let items = self.checklist();
            let missing = missing(&items);
            FileState {
                complete: self.facts.is_some() && missing.is_empty(),
                completed_on: self.row.file_completed_on,
                missing,
                items,
            }
        });
        let deadline = full.then(|| DecisionDeadline {
            due_on: self.decision_due_on(),
            complicated: self.row.complicated,
            complicated_reason: self.row.complicated_reason.clone(),
            paused_days: self.pauses.iter().map(Pause::days).sum(),
            pauses: self.pauses.clone(),
            delay_notices: self.delay_notices.clone(),
        });
        let outcome = self.decision.as_ref().map(|d| d.outcome);
        let awaiting_fee_decision = self
            .decision
            .as_ref()
            .is_some_and(|d| d.outcome == DecisionOutcome::Granted && d.fee_decision_id.is_none());
        let decided_on = self.decision.as_ref().map(|d| d.decided_on);
        let decision = self.decision.filter(|_| full);
        let r = self.row;
        DpsApplication {
            id: r.id,
            person_id: r.person_id,
            mopr_id: r.mopr_id,
            applicant_kind: r.applicant_kind,
            applicant_name: r.applicant_name,
            form: r.form,
            received_on: r.received_on,
            documents_due_on: r.documents_due_on,
            dps_type: r.dps_type,
            preferred_home: r.preferred_home,
            justification: r.justification,
            income_documents_filed: r.income_documents_filed,
            filed_by_institution_id: r.filed_by_institution_id,
            status: r.status,
            facts: if full { self.facts } else { None },
            file,
            qualifying_team: if full { self.team } else { None },
            decision_deadline: deadline,
            outcome,
            decided_on,
            decision,
            awaiting_fee_decision,
            previous_decisions: full.then_some(self.previous_decisions),
            parties: full.then_some(self.parties),
            appeals: full.then_some(self.appeals),
            finality,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            version: r.version,
            recorded_late: r.recorded_late,
        }
    }
}
