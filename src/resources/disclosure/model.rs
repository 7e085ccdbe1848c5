//! The answer to a person's request for access (GDPR art. 15) as the API shows it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::resources::persons::model::Person;

/// The institution that answers: the controller of the data it holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Controller {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub address: String,
}

/// A case of the person in which the institution takes part.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldCase {
    /// `referral_application`, `ipzs` or `dps_application`.
    pub case_type: String,
    pub case_id: String,
    pub status: String,
    /// The day the case started (the application reached MOPR, the IPZS was signed).
    pub started_on: NaiveDate,
}

/// A document of the person's cases that the institution may read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldDocument {
    pub id: String,
    pub case_type: String,
    pub case_id: String,
    pub kind: String,
    pub title: String,
    pub received_on: NaiveDate,
    pub filed_by_institution_id: String,
    pub size: i64,
    pub sha256: String,
}

/// Why the data is processed, and on what legal basis, for one procedure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Purpose {
    /// `person_record`, `cis_referral` or `dps_placement`.
    pub procedure: String,
    pub purpose: String,
    pub legal_basis: String,
}

/// An institution that received the person's data through a procedure, and since when.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recipient {
    pub institution_id: String,
    pub institution_name: String,
    pub institution_kind: String,
    /// Why it received it: `registered`, `referral_application`, `ipzs`, `dps_application`, …
    pub reason: String,
    pub since: DateTime<Utc>,
}

/// One access to the person's data, from the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Access {
    pub at: DateTime<Utc>,
    /// The user or API client.
    pub actor_id: String,
    /// Their role now (`null` when the account is gone).
    pub role: Option<String>,
    /// `read` or `change`.
    pub access: String,
    /// What was done: `read`, `list`, `create`, `update`, `transition`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub detail: Option<String>,
}

/// The accesses of one institution.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InstitutionAccesses {
    /// `null` for the platform's operators.
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub reads: usize,
    pub changes: usize,
    /// Oldest first.
    pub entries: Vec<Access>,
}

/// What an institution holds about a person, why, who received it and who accessed it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Disclosure {
    pub person: Person,
    pub controller: Controller,
    pub generated_at: DateTime<Utc>,
    pub cases: Vec<HeldCase>,
    pub documents: Vec<HeldDocument>,
    pub purposes: Vec<Purpose>,
    pub recipients: Vec<Recipient>,
    /// How long the data is kept.
    pub retention: String,
    /// Every access recorded in the audit trail, grouped by institution.
    pub accesses: Vec<InstitutionAccesses>,
    /// More than 10,000 accesses exist; the oldest 10,000 are listed.
    pub accesses_truncated: bool,
}

pub const RETENTION: &str = "Dane spraw i dokumenty są przechowywane przez okres wynikający z ustawy o narodowym zasobie \
    archiwalnym i archiwach oraz z instrukcji kancelaryjnej i jednolitego rzeczowego wykazu akt instytucji, liczony od \
    zakończenia sprawy; zapisy dziennika dostępu przez ten sam okres. System nie usuwa danych spraw przed jego upływem.";

/// The purposes and legal bases of the procedures the institution processes the person's data in.
pub fn purposes(cis: bool, dps: bool) -> Vec<Purpose> {
    let mut out = vec![Purpose {
        procedure: "person_record".into(),
        purpose: "Rejestr osób, których dotyczą sprawy prowadzone we współpracy instytucji pomocy społecznej.".into(),
        legal_basis: "art. 6 ust. 1 lit. c i e oraz art. 9 ust. 2 lit. b i h RODO; ustawa z dnia 12 marca 2004 r. \
                      o pomocy społecznej (art. 100, art. 106)"
            .into(),
    }];
    if cis {
        out.push(Purpose {
            procedure: "cis_referral".into(),
            purpose: "Skierowanie do Centrum Integracji Społecznej i uczestnictwo w zajęciach (IPZS, ubezpieczenie \
                      zdrowotne)."
                .into(),
            legal_basis: "art. 6 ust. 1 lit. c oraz art. 9 ust. 2 lit. b RODO; ustawa z dnia 13 czerwca 2003 r. \
                          o zatrudnieniu socjalnym (art. 1, 12–14)"
                .into(),
        });
    }
    if dps {
        out.push(Purpose {
            procedure: "dps_placement".into(),
            purpose: "Postępowanie w sprawie umieszczenia w domu pomocy społecznej i ustalenia opłaty za pobyt.".into(),
            legal_basis: "art. 6 ust. 1 lit. c i e oraz art. 9 ust. 2 lit. b i h RODO; ustawa z dnia 12 marca 2004 r. \
                          o pomocy społecznej (art. 54–61); Kodeks postępowania administracyjnego"
                .into(),
        });
    }
    out
}
