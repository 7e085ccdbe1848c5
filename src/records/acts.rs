//! The case register (*metryka sprawy*, KPA art. 66a): every act of a case with its legal date, the moment it was
//! recorded and by whom. Written in the transaction of the act itself. An act recorded more than
//! [`RECORDED_LATE_DAYS`](crate::foundation::legal_date::RECORDED_LATE_DAYS) after its legal date is marked
//! `recorded_late`, and so is its case (the lists filter on it), so that a supervisor can see back-dating.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::{case_acts, dps_applications, ipzs, referral_applications};
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::legal_date::recorded_late;
use crate::identity::Caller;

/// The kinds of case that keep a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseType {
    ReferralApplication,
    Ipzs,
    DpsApplication,
}

impl CaseType {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseType::ReferralApplication => "referral_application",
            CaseType::Ipzs => "ipzs",
            CaseType::DpsApplication => "dps_application",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_acts, treat_none_as_default_value = false)]
pub struct ActRow {
    pub id: String,
    pub case_type: String,
    pub case_id: String,
    pub act: String,
    pub legal_date: NaiveDate,
    pub recorded_at: NaiveDateTime,
    pub recorded_by: String,
    pub institution_id: Option<String>,
    pub recorded_late: bool,
    pub letter_document_id: Option<String>,
    pub letter_sha256: Option<String>,
    pub letter_source: Option<String>,
}

/// The letter an act issued, kept as a case document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedLetter {
    /// Read it at `GET /api/v1/documents/{document_id}/content`.
    pub document_id: String,
    /// SHA-256 of the PDF as issued, lowercase hex: the document's `sha256` must equal it.
    pub sha256: String,
}

/// One act of a case, as the register keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "act": "referral.issued", "legal_date": "2026-12-03", "recorded_at": "2026-12-07T08:12:40.120Z",
    "recorded_by": "0193…", "institution_id": "0193…", "recorded_late": false,
    "letter": {"document_id": "0193…", "sha256": "9f2c…"}
}))]
pub struct CaseAct {
    /// What was done, named like the event it raised (`opinion.issued`, `dps_application.decided`, …).
    pub act: String,
    /// The day the act was really done, as the request gave it (today in Europe/Warsaw when it gave none); every
    /// statutory period runs from it.
    pub legal_date: NaiveDate,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The user or API client that recorded it.
    pub recorded_by: String,
    /// The institution it acted for.
    pub institution_id: Option<String>,
    /// Recorded more than 7 days after `legal_date`.
    pub recorded_late: bool,
    /// The letter or decision the act issued (its PDF is a case document of kind `letter_…`); `null` for acts
    /// that issue none.
    pub letter: Option<IssuedLetter>,
}

impl From<ActRow> for CaseAct {
    fn from(r: ActRow) -> Self {
        let letter = match (r.letter_document_id, r.letter_sha256) {
            (Some(document_id), Some(sha256)) => Some(IssuedLetter {
                document_id,
                sha256,
            }),
            _ => None,
        };
        CaseAct {
            letter,
            act: r.act,
            legal_date: r.legal_date,
            recorded_at: r.recorded_at.and_utc(),
            recorded_by: r.recorded_by,
            institution_id: r.institution_id,
            recorded_late: r.recorded_late,
        }
    }
}

/// The register of one case, oldest act first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseRegister {
    /// `referral_application`, `ipzs` or `dps_application`.
    pub case_type: String,
    pub case_id: String,
    /// Some act was recorded more than 7 days after its legal date.
    pub recorded_late: bool,
    pub acts: Vec<CaseAct>,
}

/// Registers an act of a case; answers whether it was recorded late (and then marks the case too).
pub fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    case: CaseType,
    case_id: &str,
    act: &str,
    legal_date: NaiveDate,
) -> Result<bool, ApiError> {
    let now = db::now();
    let late = recorded_late(legal_date, now);
    diesel::insert_into(case_acts::table)
        .values(&ActRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_type: case.as_str().to_owned(),
            case_id: case_id.to_owned(),
            act: act.to_owned(),
            legal_date,
            recorded_at: now,
            recorded_by: caller.id.clone(),
            institution_id: caller.institution_id.clone(),
            recorded_late: late,
            letter_document_id: None,
            letter_sha256: None,
            letter_source: None,
        })
        .execute(conn)?;
    if late {
        // The flag is not part of the cases' own rows, so their full-row updates later in this transaction
        // cannot reset it.
        match case {
            CaseType::ReferralApplication => {
                diesel::update(referral_applications::table.find(case_id))
                    .set(referral_applications::recorded_late.eq(true))
                    .execute(conn)?
            }
            CaseType::Ipzs => diesel::update(ipzs::table.find(case_id))
                .set(ipzs::recorded_late.eq(true))
                .execute(conn)?,
            CaseType::DpsApplication => diesel::update(dps_applications::table.find(case_id))
                .set(dps_applications::recorded_late.eq(true))
                .execute(conn)?,
        };
    }
    Ok(late)
}

/// Names the letter the latest `act` of a case issued, with its hash and the data it was rendered from.
pub fn attach_letter(
    conn: &mut DbConnection,
    case_type: &str,
    case_id: &str,
    act: &str,
    letter: &IssuedLetter,
    source: &str,
) -> Result<(), ApiError> {
    let id: String = case_acts::table
        .filter(case_acts::case_id.eq(case_id))
        .filter(case_acts::case_type.eq(case_type))
        .filter(case_acts::act.eq(act))
        .order(case_acts::id.desc())
        .select(case_acts::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("no act {act} on {case_type} {case_id}")))?;
    diesel::update(case_acts::table.find(id))
        .set((
            case_acts::letter_document_id.eq(&letter.document_id),
            case_acts::letter_sha256.eq(&letter.sha256),
            case_acts::letter_source.eq(source),
        ))
        .execute(conn)?;
    Ok(())
}

/// The data a kept letter was rendered from, by its document id.
pub fn letter_source(
    conn: &mut DbConnection,
    document_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(case_acts::table
        .filter(case_acts::letter_document_id.eq(document_id))
        .select(case_acts::letter_source)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The register of a case the caller was already found to see.
pub fn register(
    conn: &mut DbConnection,
    case: CaseType,
    case_id: &str,
) -> Result<CaseRegister, ApiError> {
    let acts: Vec<CaseAct> = case_acts::table
        .filter(case_acts::case_id.eq(case_id))
        .filter(case_acts::case_type.eq(case.as_str()))
        .order(case_acts::id.asc())
        .select(ActRow::as_select())
        .load(conn)?
        .into_iter()
        .map(CaseAct::from)
        .collect();
    Ok(CaseRegister {
        case_type: case.as_str().to_owned(),
        case_id: case_id.to_owned(),
        recorded_late: acts.iter().any(|a| a.recorded_late),
        acts,
    })
}
