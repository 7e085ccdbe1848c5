//! The document checklist: which documents the file needs given the facts of the case, which are in, which are
//! missing, and when the missing ones are due.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;

use super::facts::{DpsType, Facts};

/// The state of one document of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Missing,
    Received,
    /// The social worker judged it not applicable to this case.
    NotApplicable,
}

/// What is recorded of a document (the checklist decides which documents exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub code: String,
    pub status: DocumentStatus,
    pub received_on: Option<NaiveDate>,
    pub note: Option<String>,
    /// The filed case document that is this item (`/api/v1/documents/{id}`), when one was linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
}

/// A document the social worker added to the checklist (seed 003 item 13: others needed for the decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomDocument {
    pub code: String,
    pub name: String,
}

/// One item of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistItem {
    /// Stable code, used in `POST …/documents/{code}`: `family_interview`, `placement_consent`, `court_order`,
    /// `permanent_allowance_decision`, `permanent_allowance_fee_consent`, `permanent_allowance_deduction_consent`,
    /// `pension_decision`, `pension_fee_consent`, `combatant_certificate`, `relative_interview_1`… (one per
    /// obliged relative), `medical_certificate`, `psychiatrist_certificate`, `fitness_questionnaire`,
    /// `income_documents`, `data_processing_consent`, and `other_1`… for documents the social worker added.
    pub code: String,
    /// What the document is, in the seed's words.
    pub name: String,
    /// Why it is required in this case.
    pub required_because: String,
    pub status: DocumentStatus,
    pub received_on: Option<NaiveDate>,
    pub note: Option<String>,
    /// The filed document that is this item: its metadata at `/api/v1/documents/{document_id}`, its bytes at
    /// `…/content`. `null` when none was linked.
    pub document_id: Option<String>,
}

/// The checklist's required items for a case: computed from the facts, never typed by hand.
pub fn required_documents(
    dps_type: DpsType,
    income_documents_filed: bool,
    facts: Option<&Facts>,
    custom: &[CustomDocument],
) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut add = |code: &str, name: &str, why: &str| {
        out.push((code.to_owned(), name.to_owned(), why.to_owned()));
    };
    add(
        "family_interview",
        "Kwestionariusz rodzinnego wywiadu środowiskowego (family interview)",
        "always",
    );
    if let Some(f) = facts {
        if f.placement_by_court_order {
            add(
                "court_order",
                "Postanowienie sądu o skierowaniu bez zgody (art. 38/39 ustawy o ochronie zdrowia psychicznego)",
                "placement by court order",
            );
        } else {
            add(
                "placement_consent",
                "Pisemna zgoda osoby lub przedstawiciela ustawowego na umieszczenie (załącznik 11)",
                "placement with consent",
            );
        }
        if f.receives_permanent_allowance {
            add(
                "permanent_allowance_decision",
                "Decyzja o przyznaniu zasiłku stałego",
                "receives a permanent allowance",
            );
            add(
                "permanent_allowance_fee_consent",
                "Pisemna zgoda na ponoszenie opłat za pobyt",
                "receives a permanent allowance",
            );
            add(
                "permanent_allowance_deduction_consent",
                "Pisemna zgoda na potrącanie opłaty z zasiłku stałego",
                "receives a permanent allowance",
            );
        }
        if f.receives_pension {
            add(
                "pension_decision",
                "Decyzja organu emerytalno-rentowego o wysokości emerytury lub renty",
                "receives a pension",
            );
            add(
                "pension_fee_consent",
                "Pisemna zgoda na ponoszenie opłaty i jej potrącanie ze świadczenia",
                "receives a pension",
            );
        }
        if f.combatant {
            add(
                "combatant_certificate",
                "Zaświadczenie z art. 22 ustawy o kombatantach",
                "a combatant or other entitled person",
            );
        }
        for (i, r) in f.obliged_relatives.iter().enumerate() {
            out.push((
                format!("relative_interview_{}", i + 1),
                format!(
                    "Rodzinny wywiad środowiskowy u osoby zobowiązanej: {}",
                    r.name.trim()
                ),
                "a relative obliged to pay".to_owned(),
            ));
        }
    }
    let mut add = |code: &str, name: &str, why: &str| {
        out.push((code.to_owned(), name.to_owned(), why.to_owned()));
    };
    add(
        "medical_certificate",
        "Zaświadczenie lekarskie o stanie zdrowia (załącznik 10)",
        "always",
    );
    if dps_type == DpsType::ChronicallyMentallyIll {
        add(
            "psychiatrist_certificate",
            "Zaświadczenie lekarza psychiatry",
            "always for a home for the chronically mentally ill",
        );
    } else if facts.is_some_and(|f| f.psychiatrist_certificate_indicated) {
        add(
            "psychiatrist_certificate",
            "Zaświadczenie lekarza psychiatry",
            "indicated by the medical certificate",
        );
    }
    add(
        "fitness_questionnaire",
        "Kwestionariusz ankiety oceniającej stopień sprawności",
        "always",
    );
    if !income_documents_filed {
        add(
            "income_documents",
            "Dokumenty o sytuacji finansowej (załączniki 1–8)",
            "not filed with the application",
        );
    }
    add(
        "data_processing_consent",
        "Zgoda na zbieranie i przetwarzanie danych osobowych",
        "always",
    );
    for c in custom {
        add(&c.code, &c.name, "asked for by the social worker");
    }
    out
}

/// The checklist with each item's recorded state (`missing` until recorded).
pub fn checklist(
    required: Vec<(String, String, String)>,
    records: &[DocumentRecord],
) -> Vec<ChecklistItem> {
    required
        .into_iter()
        .map(|(code, name, why)| {
            let rec = records.iter().find(|r| r.code == code);
            ChecklistItem {
                status: rec.map_or(DocumentStatus::Missing, |r| r.status),
                received_on: rec.and_then(|r| r.received_on),
                note: rec.and_then(|r| r.note.clone()),
                document_id: rec.and_then(|r| r.document_id.clone()),
                code,
                name,
                required_because: why,
            }
        })
        .collect()
}

/// The codes still missing; the file is complete when the facts are recorded and nothing is missing.
pub fn missing(items: &[ChecklistItem]) -> Vec<String> {
    items
        .iter()
        .filter(|i| i.status == DocumentStatus::Missing)
        .map(|i| i.code.clone())
        .collect()
}

/// Documents are due 14 days after filing (the applicant's declaration on the form; KPA art. 57 days).
pub fn documents_due_on(received_on: NaiveDate) -> NaiveDate {
    calendar::kpa_days(received_on, 14)
}
