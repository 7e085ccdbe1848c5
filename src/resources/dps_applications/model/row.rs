//! The stored case: its row, the JSON columns it carries, and the case assembled from them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::dps_applications;
use crate::foundation::error::ApiError;

use super::appeals::Appeal;
use super::checklist::{
    ChecklistItem, CustomDocument, DocumentRecord, checklist, missing, required_documents,
};
use super::deadline::{DelayNotice, Pause, decision_due_on};
use super::decision::{DpsDecision, Party};
use super::facts::{ApplicationForm, DpsApplicantKind, DpsStatus, DpsType, Facts};

/// The stored case.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = dps_applications, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct DpsRow {
    pub id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub applicant_kind: DpsApplicantKind,
    pub applicant_name: Option<String>,
    pub form: ApplicationForm,
    pub received_on: NaiveDate,
    pub documents_due_on: NaiveDate,
    pub dps_type: DpsType,
    pub preferred_home: Option<String>,
    pub justification: String,
    pub income_documents_filed: bool,
    pub filed_by_institution_id: String,
    pub filed_by_user_id: String,
    pub status: DpsStatus,
    pub complicated: bool,
    pub complicated_reason: Option<String>,
    /// JSON: [`Facts`].
    pub facts: Option<String>,
    /// JSON: `[DocumentRecord]`.
    pub documents: String,
    /// JSON: `[CustomDocument]`.
    pub custom_documents: String,
    pub file_completed_on: Option<NaiveDate>,
    /// JSON: [`QualifyingTeam`].
    pub qualifying_team: Option<String>,
    /// JSON: `[Pause]`.
    pub pauses: String,
    /// JSON: `[DelayNotice]`.
    pub delay_notices: String,
    /// JSON: [`DpsDecision`].
    pub decision: Option<String>,
    /// JSON: `[DpsDecision]` annulled by the SKO.
    pub previous_decisions: String,
    /// JSON: `[Party]`.
    pub parties: String,
    /// JSON: `[Appeal]`.
    pub appeals: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Set by the case register (`records::acts`) only; never written back with the row.
    #[diesel(skip_update)]
    pub recorded_late: bool,
}

/// The qualifying team's sitting and opinion (Zespół Kwalifikujący).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QualifyingTeam {
    pub sat_on: NaiveDate,
    pub members: Vec<String>,
    /// Whether the team finds the placement justified.
    pub justified: bool,
    pub reasons: String,
}

pub fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, ApiError> {
    serde_json::from_str(s).map_err(|e| ApiError::internal(format!("{what}: {e}")))
}

fn from_json_opt<T: serde::de::DeserializeOwned>(
    what: &str,
    s: Option<&str>,
) -> Result<Option<T>, ApiError> {
    s.map(|s| from_json(what, s)).transpose()
}

pub fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// The case with its JSON parts read.
#[derive(Debug, Clone)]
pub struct DpsCase {
    pub row: DpsRow,
    pub facts: Option<Facts>,
    pub documents: Vec<DocumentRecord>,
    pub custom_documents: Vec<CustomDocument>,
    pub team: Option<QualifyingTeam>,
    pub pauses: Vec<Pause>,
    pub delay_notices: Vec<DelayNotice>,
    pub decision: Option<DpsDecision>,
    pub previous_decisions: Vec<DpsDecision>,
    pub parties: Vec<Party>,
    pub appeals: Vec<Appeal>,
    /// Not stored: the legal date of the act a change records, set by the change's rule for the case register,
    /// the event and the audit record.
    pub legal_date: Option<NaiveDate>,
}

impl DpsCase {
    pub fn read(row: DpsRow) -> Result<Self, ApiError> {
        Ok(DpsCase {
            facts: from_json_opt("facts", row.facts.as_deref())?,
            documents: from_json("documents", &row.documents)?,
            custom_documents: from_json("custom documents", &row.custom_documents)?,
            team: from_json_opt("team", row.qualifying_team.as_deref())?,
            pauses: from_json("pauses", &row.pauses)?,
            delay_notices: from_json("delay notices", &row.delay_notices)?,
            decision: from_json_opt("decision", row.decision.as_deref())?,
            previous_decisions: from_json("previous decisions", &row.previous_decisions)?,
            parties: from_json("parties", &row.parties)?,
            appeals: from_json("appeals", &row.appeals)?,
            legal_date: None,
            row,
        })
    }

    /// Writes the JSON parts back into the row.
    pub fn into_row(mut self) -> Result<DpsRow, ApiError> {
        self.row.facts = self.facts.as_ref().map(to_json).transpose()?;
        self.row.documents = to_json(&self.documents)?;
        self.row.custom_documents = to_json(&self.custom_documents)?;
        self.row.qualifying_team = self.team.as_ref().map(to_json).transpose()?;
        self.row.pauses = to_json(&self.pauses)?;
        self.row.delay_notices = to_json(&self.delay_notices)?;
        self.row.decision = self.decision.as_ref().map(to_json).transpose()?;
        self.row.previous_decisions = to_json(&self.previous_decisions)?;
        self.row.parties = to_json(&self.parties)?;
        self.row.appeals = to_json(&self.appeals)?;
        Ok(self.row)
    }

    pub fn checklist(&self) -> Vec<ChecklistItem> {
        checklist(
            required_documents(
                self.row.dps_type,
                self.row.income_documents_filed,
                self.facts.as_ref(),
                &self.custom_documents,
            ),
            &self.documents,
        )
    }

    /// Complete: the facts are recorded and no required document is missing.
    pub fn file_complete(&self) -> bool {
        self.facts.is_some() && missing(&self.checklist()).is_empty()
    }

    pub fn decision_due_on(&self) -> NaiveDate {
        decision_due_on(
            self.row.received_on,
            self.row.complicated,
            &self.pauses,
            &self.delay_notices,
        )
    }

    /// Keeps `file_completed_on` true to the file: set the day it became complete, cleared if it no longer is.
    /// The legal date of an act that follows the decision (a fee decision, a waiting-list entry): `given` or
    /// today, not in the future and not before the decision (422 `before_decision`).
    pub fn dated_after_decision(
        &self,
        field: &str,
        given: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<NaiveDate, ApiError> {
        let earlier: Vec<_> = self
            .decision
            .iter()
            .map(|d| {
                crate::foundation::legal_date::Earlier::new(
                    "before_decision",
                    "the placement decision was issued",
                    d.decided_on,
                )
            })
            .collect();
        crate::foundation::legal_date::legal_date(field, given, today, &earlier)
    }

    pub fn settle_completion(&mut self, today: NaiveDate) {
        match (self.file_complete(), self.row.file_completed_on) {
            // Complete on the legal date of the act that completed it (a document's day of receipt).
            (true, None) => self.row.file_completed_on = Some(self.legal_date.unwrap_or(today)),
            (false, Some(_)) => self.row.file_completed_on = None,
            _ => {}
        }
    }
}
