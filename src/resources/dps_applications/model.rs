//! The rules of a placement case in a care home (dom pomocy społecznej, DPS; seed 003): who applies, which
//! documents the file needs given the facts of the case, when the decision is due (KPA art. 35, with the periods
//! art. 35 §5 leaves out and the art. 36 notices), and when a decision becomes final (KPA art. 127a, 129).
//!
//! ```text
//!   collecting ──qualifying team (complete file)──▶ assessed ──decision──▶ decided ──(all waived / windows lapse)──▶ final
//!                                                      ▲                      │
//!                                                      │                      └──appeal──▶ appealed ──SKO upholds/changes──▶ closed
//!                                                      └──────────── SKO annuls and remands ◀──────┘
//! ```

use crate::foundation::validation::{gather, optional_text, required_text};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;
use crate::foundation::db::schema::dps_applications;
use crate::foundation::error::{ApiError, FieldError};

crate::stored_enum! {
    /// Who applies (seed 003: the person, another natural or legal person, a PCPR or an OPS).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DpsApplicantKind {
        /// The person themselves (or their legal representative).
        Person,
        /// Another natural or legal person, named in `applicant_name`.
        OtherPerson,
        /// A county family-assistance centre (PCPR), filing through the API in its own name.
        Pcpr,
        /// A social-assistance centre (OPS; MOPR itself, or another one named in `applicant_name`).
        Ops,
    }
}

crate::stored_enum! {
    /// How the application was made: on the form, or orally and recorded in a protocol.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum ApplicationForm {
        Written,
        /// Protokół z ustnego zgłoszenia podania.
        Oral,
    }
}

crate::stored_enum! {
    /// The types of care home (seed 003; rozporządzenie w sprawie domów pomocy społecznej).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DpsType {
        /// Osoby w podeszłym wieku.
        Elderly,
        /// Osoby przewlekle somatycznie chore.
        ChronicallySomaticallyIll,
        /// Osoby przewlekle psychicznie chore: a psychiatrist's certificate is always required.
        ChronicallyMentallyIll,
        /// Dorośli niepełnosprawni intelektualnie.
        IntellectuallyDisabledAdults,
        /// Dzieci i młodzież niepełnosprawne intelektualnie.
        IntellectuallyDisabledChildren,
        /// Osoby niepełnosprawne fizycznie.
        PhysicallyDisabled,
        /// Osoby uzależnione od alkoholu.
        AlcoholDependent,
    }
}

crate::stored_enum! {
    /// The state of a placement case.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DpsStatus {
        /// The social worker completes the file.
        Collecting,
        /// The qualifying team has given its opinion; the decision is next.
        Assessed,
        /// The decision is issued; deliveries and appeal windows run (its `finality` tells when it is final).
        Decided,
        /// A party appealed to the SKO through MOPR.
        Appealed,
        /// The SKO upheld or changed the decision: the case is closed with a final decision.
        Closed,
    }
}

/// A family member obliged to pay for the stay (spouse, descendants, ascendants), in the order they are obliged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Spouse,
    Descendant,
    Ascendant,
}

/// A relative obliged to pay; each needs a family interview of their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligedRelative {
    #[schema(min_length = 1, max_length = 200, example = "Anna Kowalska")]
    pub name: String,
    pub relation: Relation,
}

/// One of the four conditions of eligibility, as the social worker assessed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub met: bool,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// The four conditions of seed 003, all of which must hold for a placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Old age, illness or disability.
    pub age_illness_or_disability: Condition,
    /// Needs 24-hour care because of it.
    pub needs_round_the_clock_care: Condition,
    /// Cannot function independently in daily life.
    pub cannot_live_independently: Condition,
    /// Care services at home cannot give the help needed.
    pub home_care_insufficient: Condition,
}

impl Eligibility {
    pub fn all_met(&self) -> bool {
        [
            &self.age_illness_or_disability,
            &self.needs_round_the_clock_care,
            &self.cannot_live_independently,
            &self.home_care_insufficient,
        ]
        .iter()
        .all(|c| c.met)
    }
}

/// The facts that decide which documents the file needs, recorded by the MOPR social worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "receives_permanent_allowance": false, "receives_pension": true, "combatant": false,
    "placement_by_court_order": false, "psychiatrist_certificate_indicated": false,
    "obliged_relatives": [{"name": "Anna Kowalska", "relation": "descendant"}],
    "eligibility": {
        "age_illness_or_disability": {"met": true, "note": "82 lata, po udarze"},
        "needs_round_the_clock_care": {"met": true, "note": null},
        "cannot_live_independently": {"met": true, "note": null},
        "home_care_insufficient": {"met": true, "note": "usługi opiekuńcze 8 h dziennie nie wystarczają"}
    }
}))]
pub struct Facts {
    /// Receives a permanent allowance (zasiłek stały).
    pub receives_permanent_allowance: bool,
    /// Receives a retirement or disability pension (emerytura, renta).
    pub receives_pension: bool,
    /// A combatant or another person entitled under the combatants' act (priority on the waiting list).
    pub combatant: bool,
    /// Placement without the person's consent by a court order (art. 38/39 of the mental-health act).
    pub placement_by_court_order: bool,
    /// The medical certificate indicates a psychiatrist's certificate.
    pub psychiatrist_certificate_indicated: bool,
    /// Spouse, descendants and ascendants obliged to pay for the stay (at most 20).
    #[schema(max_items = 20)]
    pub obliged_relatives: Vec<ObligedRelative>,
    pub eligibility: Eligibility,
}

impl Facts {
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self.obliged_relatives.len() > 20 {
            errors.push(FieldError::new(
                "obliged_relatives",
                "too_many",
                "at most 20 relatives",
            ));
        }
        for (i, r) in self.obliged_relatives.iter().enumerate() {
            // As sent for the limit, trimmed for blankness (see `validation::required_text`).
            if r.name.trim().is_empty() || r.name.chars().count() > 200 {
                errors.push(FieldError::new(
                    format!("obliged_relatives[{i}].name"),
                    "length",
                    "1 to 200 characters",
                ));
            }
        }
        let e = &self.eligibility;
        for (field, c) in [
            ("age_illness_or_disability", &e.age_illness_or_disability),
            ("needs_round_the_clock_care", &e.needs_round_the_clock_care),
            ("cannot_live_independently", &e.cannot_live_independently),
            ("home_care_insufficient", &e.home_care_insufficient),
        ] {
            if c.note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
                errors.push(FieldError::new(
                    format!("eligibility.{field}.note"),
                    "too_long",
                    "at most 2000 characters",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

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

/// Why the decision's period does not run for a while (KPA art. 35 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// The proceedings were suspended (zawieszenie postępowania).
    Suspension,
    /// Delay caused by the party, e.g. waiting for its documents.
    PartyDelay,
    /// Delay for reasons beyond MOPR's control.
    OutsideControl,
}

/// A period left out of the decision's deadline (both days included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pause {
    pub kind: PauseKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

impl Pause {
    pub fn days(&self) -> u64 {
        (self.to - self.from).num_days().max(0) as u64 + 1
    }
}

/// An art. 36 notice: MOPR tells the parties why the deadline cannot be met and sets a new date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DelayNotice {
    pub notified_on: NaiveDate,
    pub reason: String,
    pub new_due_on: NaiveDate,
}

/// When the decision is due: one month from the start of proceedings (two in a particularly complicated case),
/// plus the days of the periods KPA art. 35 §5 leaves out, moved off Saturdays and holidays (art. 57); an art. 36
/// notice replaces it with the new date it sets.
pub fn decision_due_on(
    received_on: NaiveDate,
    complicated: bool,
    pauses: &[Pause],
    notices: &[DelayNotice],
) -> NaiveDate {
    if let Some(last) = notices.last() {
        return last.new_due_on;
    }
    let months = if complicated { 2 } else { 1 };
    let paused: u64 = pauses.iter().map(Pause::days).sum();
    calendar::next_working_day_from(
        calendar::add_months_clamped(received_on, months) + Days::new(paused),
    )
}

/// A pause lies within the case (from its start to today) and overlaps no other.
pub fn check_pause(
    new: &Pause,
    existing: &[Pause],
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if new.to < new.from {
        return Err(ApiError::field(
            "to",
            "before_from",
            "the pause ends on or after it starts",
        ));
    }
    if new.from < received_on || new.to > today {
        return Err(ApiError::field(
            "from",
            "out_of_range",
            format!("a pause lies between the start of proceedings ({received_on}) and today"),
        ));
    }
    if existing
        .iter()
        .any(|p| p.from <= new.to && new.from <= p.to)
    {
        return Err(ApiError::conflict(
            "pause_overlaps",
            "this period overlaps a pause already recorded; record each day once",
        ));
    }
    Ok(())
}

/// Marking the case particularly complicated gives two months, but only while the one month still runs.
pub fn check_complicated(
    already: bool,
    status: DpsStatus,
    one_month_due_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if already {
        return Err(ApiError::conflict(
            "already_complicated",
            "the case is already marked particularly complicated",
        ));
    }
    if !matches!(status, DpsStatus::Collecting | DpsStatus::Assessed) {
        return Err(ApiError::conflict(
            "already_decided",
            "the decision is issued; its deadline no longer runs",
        ));
    }
    if today > one_month_due_on {
        return Err(ApiError::conflict(
            "complicated_too_late",
            format!(
                "the one-month deadline ended on {one_month_due_on}; a case is marked complicated before that (use an art. 36 notice now)"
            ),
        ));
    }
    Ok(())
}

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
    if status != DpsStatus::Decided || parties.is_empty() {
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

/// An application for placement in a care home (wniosek o umieszczenie w domu pomocy społecznej, załącznik 9).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "person_id": "0193…", "applicant_kind": "person", "form": "written", "received_on": "2026-11-23",
    "dps_type": "elderly", "preferred_home": "DPS Toruń, ul. Żółkiewskiego",
    "justification": "Po udarze wymaga całodobowej opieki; usługi opiekuńcze nie wystarczają.",
    "income_documents_filed": true
}))]
pub struct NewDpsApplication {
    /// The person to be placed (registered with `POST /api/v1/persons`, visible to you).
    pub person_id: String,
    /// The MOPR that decides; may be omitted when the platform serves one MOPR (MOPR callers decide themselves).
    pub mopr_id: Option<String>,
    /// Who applies. A PCPR files as itself (`pcpr`, the default for it); MOPR records any kind and must say which.
    pub applicant_kind: Option<DpsApplicantKind>,
    /// Required for `other_person`; for `ops`, another OPS's name (omit when MOPR applies itself).
    #[schema(max_length = 200)]
    pub applicant_name: Option<String>,
    /// `written` on the form, or `oral` (recorded in a protocol).
    pub form: ApplicationForm,
    /// Data wpływu: the day the application reached MOPR; the proceedings start then. Not in the future.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub received_on: NaiveDate,
    /// The type of home asked for.
    pub dps_type: DpsType,
    /// A home the person prefers, if any.
    #[schema(max_length = 200)]
    pub preferred_home: Option<String>,
    #[schema(min_length = 1, max_length = 4000)]
    pub justification: String,
    /// Whether the income documents (attachments 1–8) came with the application; if not, the checklist asks for them.
    #[serde(default)]
    pub income_documents_filed: bool,
}

/// The checked content of a new DPS application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDpsApplication {
    pub applicant_kind: DpsApplicantKind,
    pub applicant_name: Option<String>,
    pub preferred_home: Option<String>,
    pub justification: String,
}

impl NewDpsApplication {
    pub fn check(
        &self,
        filer: crate::identity::InstitutionKind,
        today: NaiveDate,
    ) -> Result<CheckedDpsApplication, ApiError> {
        use crate::identity::InstitutionKind;
        let mut errors = Vec::new();
        let applicant_kind = match (filer, self.applicant_kind) {
            (InstitutionKind::Pcpr, None | Some(DpsApplicantKind::Pcpr)) => DpsApplicantKind::Pcpr,
            (InstitutionKind::Pcpr, Some(_)) => {
                errors.push(FieldError::new(
                    "applicant_kind",
                    "applicant_kind_not_allowed",
                    "a PCPR applies in its own name",
                ));
                DpsApplicantKind::Pcpr
            }
            (_, Some(kind)) => kind,
            (_, None) => {
                errors.push(FieldError::new(
                    "applicant_kind",
                    "required",
                    "MOPR staff must say who applies (person, other_person, pcpr, ops)",
                ));
                DpsApplicantKind::Person
            }
        };
        // `None`: refused and reported; `Some(None)`: absent or blank.
        let mut optional = |field, value: &Option<String>, max| {
            gather(&mut errors, optional_text(field, value.as_deref(), max))
        };
        let applicant_name = optional("applicant_name", &self.applicant_name, 200);
        let preferred_home = optional("preferred_home", &self.preferred_home, 200);
        if applicant_kind == DpsApplicantKind::OtherPerson && applicant_name == Some(None) {
            errors.push(FieldError::new(
                "applicant_name",
                "required",
                "name the person who applies",
            ));
        }
        let justification = gather(
            &mut errors,
            required_text("justification", &self.justification, 4000),
        )
        .unwrap_or_default();
        if self.received_on > today {
            errors.push(FieldError::new(
                "received_on",
                "in_future",
                "received_on cannot be in the future",
            ));
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(ApiError::Validation(errors));
        }
        Ok(CheckedDpsApplication {
            applicant_name: match applicant_kind {
                DpsApplicantKind::OtherPerson | DpsApplicantKind::Ops => applicant_name.flatten(),
                _ => None,
            },
            applicant_kind,
            preferred_home: preferred_home.flatten(),
            justification,
        })
    }
}

/// A required text: trimmed, 1 to `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    crate::foundation::validation::required_text(field, value, max)
        .map_err(|e| ApiError::Validation(vec![e]))
}

/// A day from `from` to today.
pub fn dated(
    field: &str,
    day: NaiveDate,
    from: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if day < from || day > today {
        return Err(ApiError::field(
            field,
            "out_of_range",
            format!("between {from} and today"),
        ));
    }
    Ok(())
}

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
    pub fn settle_completion(&mut self, today: NaiveDate) {
        match (self.file_complete(), self.row.file_completed_on) {
            (true, None) => self.row.file_completed_on = Some(today),
            (false, Some(_)) => self.row.file_completed_on = None,
            _ => {}
        }
    }
}

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
    /// A granted placement waits for its fee decision (decyzja ustalająca opłatę), which this version of the API
    /// does not issue yet.
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn yes() -> Condition {
        Condition {
            met: true,
            note: None,
        }
    }

    fn facts() -> Facts {
        Facts {
            receives_permanent_allowance: false,
            receives_pension: false,
            combatant: false,
            placement_by_court_order: false,
            psychiatrist_certificate_indicated: false,
            obliged_relatives: vec![],
            eligibility: Eligibility {
                age_illness_or_disability: yes(),
                needs_round_the_clock_care: yes(),
                cannot_live_independently: yes(),
                home_care_insufficient: yes(),
            },
        }
    }

    fn codes(t: DpsType, filed: bool, f: Option<&Facts>) -> Vec<String> {
        required_documents(t, filed, f, &[])
            .into_iter()
            .map(|(c, _, _)| c)
            .collect()
    }

    #[test]
    fn the_checklist_follows_the_facts() {
        // Plain case: the unconditional items and the consent.
        assert_eq!(
            codes(DpsType::Elderly, true, Some(&facts())),
            vec![
                "family_interview",
                "placement_consent",
                "medical_certificate",
                "fitness_questionnaire",
                "data_processing_consent"
            ]
        );
        // Court order instead of consent; pension papers; combatant; two relatives; income not filed.
        let mut f = facts();
        f.placement_by_court_order = true;
        f.receives_pension = true;
        f.combatant = true;
        f.obliged_relatives = vec![
            ObligedRelative {
                name: "Anna".into(),
                relation: Relation::Descendant,
            },
            ObligedRelative {
                name: "Jan".into(),
                relation: Relation::Spouse,
            },
        ];
        assert_eq!(
            codes(DpsType::ChronicallySomaticallyIll, false, Some(&f)),
            vec![
                "family_interview",
                "court_order",
                "pension_decision",
                "pension_fee_consent",
                "combatant_certificate",
                "relative_interview_1",
                "relative_interview_2",
                "medical_certificate",
                "fitness_questionnaire",
                "income_documents",
                "data_processing_consent"
            ]
        );
        // A home for the chronically mentally ill always needs the psychiatrist; elsewhere only when indicated.
        let c = codes(DpsType::ChronicallyMentallyIll, true, Some(&facts()));
        assert!(c.contains(&"psychiatrist_certificate".to_owned()));
        let mut indicated = facts();
        indicated.psychiatrist_certificate_indicated = true;
        assert!(
            codes(DpsType::Elderly, true, Some(&indicated))
                .contains(&"psychiatrist_certificate".to_owned())
        );
        assert!(
            !codes(DpsType::Elderly, true, Some(&facts()))
                .contains(&"psychiatrist_certificate".to_owned())
        );
        // Permanent allowance: the decision and both consents.
        let mut allowance = facts();
        allowance.receives_permanent_allowance = true;
        let c = codes(DpsType::PhysicallyDisabled, true, Some(&allowance));
        for code in [
            "permanent_allowance_decision",
            "permanent_allowance_fee_consent",
            "permanent_allowance_deduction_consent",
        ] {
            assert!(c.contains(&code.to_owned()), "{code}");
        }
        // Before the facts are recorded, only what does not depend on them.
        assert_eq!(
            codes(DpsType::Elderly, true, None),
            vec![
                "family_interview",
                "medical_certificate",
                "fitness_questionnaire",
                "data_processing_consent"
            ]
        );
    }

    #[test]
    fn the_decision_is_due_in_a_month_or_two_plus_pauses_moved_off_holidays() {
        // Received Mon 2 Nov 2026: a month later Wed 2 Dec.
        assert_eq!(
            decision_due_on(d("2026-11-02"), false, &[], &[]),
            d("2026-12-02")
        );
        // Two months: Sat 2 Jan 2027 -> Mon 4 Jan.
        assert_eq!(
            decision_due_on(d("2026-11-02"), true, &[], &[]),
            d("2027-01-04")
        );
        // From 31 Jan 2026 a month ends on Sat 28 Feb -> Mon 2 Mar.
        assert_eq!(
            decision_due_on(d("2026-01-31"), false, &[], &[]),
            d("2026-03-02")
        );
        // Received 11 Oct 2026: 11 Nov is a holiday -> Thu 12 Nov.
        assert_eq!(
            decision_due_on(d("2026-10-11"), false, &[], &[]),
            d("2026-11-12")
        );
        // A suspension of 10 days (both ends counted) and a party delay of 5 move 2 Dec to 17 Dec (Thursday).
        let pauses = [
            Pause {
                kind: PauseKind::Suspension,
                from: d("2026-11-05"),
                to: d("2026-11-14"),
                reason: "x".into(),
            },
            Pause {
                kind: PauseKind::PartyDelay,
                from: d("2026-11-16"),
                to: d("2026-11-20"),
                reason: "x".into(),
            },
        ];
        assert_eq!(
            decision_due_on(d("2026-11-02"), false, &pauses, &[]),
            d("2026-12-17")
        );
        // Six days more: 23 Dec; seven more: 24 Dec, a holiday from 2025 -> Mon 28 Dec.
        let mut more = pauses.to_vec();
        more.push(Pause {
            kind: PauseKind::OutsideControl,
            from: d("2026-11-21"),
            to: d("2026-11-27"),
            reason: "x".into(),
        });
        assert_eq!(
            decision_due_on(d("2026-11-02"), false, &more, &[]),
            d("2026-12-28")
        );
        // An art. 36 notice sets the date.
        let notice = DelayNotice {
            notified_on: d("2026-12-01"),
            reason: "opinia biegłego".into(),
            new_due_on: d("2027-01-15"),
        };
        assert_eq!(
            decision_due_on(d("2026-11-02"), false, &pauses, &[notice]),
            d("2027-01-15")
        );
    }

    #[test]
    fn pauses_stay_inside_the_case_and_do_not_overlap() {
        let p = |from: &str, to: &str| Pause {
            kind: PauseKind::Suspension,
            from: d(from),
            to: d(to),
            reason: "x".into(),
        };
        let received = d("2026-11-02");
        let today = d("2026-11-30");
        assert!(check_pause(&p("2026-11-05", "2026-11-10"), &[], received, today).is_ok());
        assert_eq!(
            check_pause(
                &p("2026-11-08", "2026-11-12"),
                &[p("2026-11-05", "2026-11-10")],
                received,
                today
            )
            .unwrap_err()
            .code(),
            "pause_overlaps"
        );
        assert!(check_pause(&p("2026-11-01", "2026-11-03"), &[], received, today).is_err());
        assert!(check_pause(&p("2026-11-20", "2026-12-01"), &[], received, today).is_err());
        assert!(check_pause(&p("2026-11-20", "2026-11-19"), &[], received, today).is_err());
    }

    #[test]
    fn complicated_only_while_the_month_runs() {
        let due = d("2026-12-02");
        assert!(check_complicated(false, DpsStatus::Collecting, due, due).is_ok());
        assert_eq!(
            check_complicated(false, DpsStatus::Collecting, due, d("2026-12-03"))
                .unwrap_err()
                .code(),
            "complicated_too_late"
        );
        assert_eq!(
            check_complicated(true, DpsStatus::Assessed, due, due)
                .unwrap_err()
                .code(),
            "already_complicated"
        );
        assert_eq!(
            check_complicated(false, DpsStatus::Decided, due, due)
                .unwrap_err()
                .code(),
            "already_decided"
        );
    }

    fn party(delivered: &str, waiver: Option<&str>) -> Party {
        Party {
            id: "party_1".into(),
            name: "x".into(),
            role: PartyRole::Person,
            delivered_on: d(delivered),
            method: DeliveryMethod::PostWithAcknowledgement,
            appeal_deadline: appeal_deadline(d(delivered)),
            waiver_received_on: waiver.map(d),
        }
    }

    #[test]
    fn appeal_windows_and_forwarding_follow_kpa_days() {
        // Delivered Fri 28 Oct 2026: 14 days = Wed 11 Nov (holiday) -> Thu 12 Nov.
        assert_eq!(appeal_deadline(d("2026-10-28")), d("2026-11-12"));
        // Delivered Sat 7 Nov: Sat 21 Nov -> Mon 23 Nov.
        assert_eq!(appeal_deadline(d("2026-11-07")), d("2026-11-23"));
        // Delivered 10 Dec 2026: 24 Dec (holiday), 25, 26, 27 -> Mon 28 Dec.
        assert_eq!(appeal_deadline(d("2026-12-10")), d("2026-12-28"));
        // Lodged Wed 4 Nov 2026: 11 Nov (holiday) -> 12 Nov.
        assert_eq!(forwarding_due_on(d("2026-11-04")), d("2026-11-12"));
        // Lodged Thu 26 Nov: Thu 3 Dec.
        assert_eq!(forwarding_due_on(d("2026-11-26")), d("2026-12-03"));
    }

    #[test]
    fn a_decision_is_final_on_the_last_waiver_or_the_day_after_the_last_window() {
        let decided = DpsStatus::Decided;
        // One party, window to Thu 12 Nov: final on Fri 13 Nov, not before.
        let one = [party("2026-10-28", None)];
        assert!(!finality(decided, &one, &[], d("2026-11-12")).is_final);
        let f = finality(decided, &one, &[], d("2026-11-13"));
        assert_eq!(
            (f.is_final, f.final_on, f.basis),
            (true, Some(d("2026-11-13")), Some(FinalityBasis::Lapse))
        );
        // Both parties waive: final on the day the last waiver reached MOPR.
        let both = [
            party("2026-11-02", Some("2026-11-03")),
            party("2026-11-04", Some("2026-11-05")),
        ];
        let f = finality(decided, &both, &[], d("2026-11-05"));
        assert_eq!(
            (f.is_final, f.final_on, f.basis),
            (true, Some(d("2026-11-05")), Some(FinalityBasis::Waivers))
        );
        // One waived, the other's window still runs: not final until it lapses.
        let mixed = [
            party("2026-11-02", Some("2026-11-03")),
            party("2026-11-04", None),
        ];
        assert!(!finality(decided, &mixed, &[], d("2026-11-10")).is_final);
        // 4 Nov + 14 = Wed 18 Nov; final on 19 Nov.
        assert_eq!(
            finality(decided, &mixed, &[], d("2026-11-19")).final_on,
            Some(d("2026-11-19"))
        );
        // An appeal stops finality; no parties, no finality.
        assert!(!finality(DpsStatus::Appealed, &one, &[], d("2027-01-01")).is_final);
        assert!(!finality(decided, &[], &[], d("2027-01-01")).is_final);
    }

    #[test]
    fn a_waiver_is_made_while_the_window_runs_and_not_after_an_appeal() {
        let p = party("2026-10-28", None);
        assert!(check_waiver(&p, false, d("2026-11-12"), d("2026-11-20")).is_ok());
        assert_eq!(
            check_waiver(&p, false, d("2026-11-13"), d("2026-11-20"))
                .unwrap_err()
                .code(),
            "appeal_window_closed"
        );
        assert_eq!(
            check_waiver(&p, true, d("2026-11-02"), d("2026-11-20"))
                .unwrap_err()
                .code(),
            "party_appealed"
        );
        assert_eq!(
            check_waiver(&p, false, d("2026-10-27"), d("2026-11-20"))
                .unwrap_err()
                .code(),
            "validation_failed"
        );
        let waived = party("2026-10-28", Some("2026-10-29"));
        assert_eq!(
            check_waiver(&waived, false, d("2026-10-30"), d("2026-11-20"))
                .unwrap_err()
                .code(),
            "already_waived"
        );
    }

    #[test]
    fn documents_are_due_fourteen_kpa_days_after_filing() {
        assert_eq!(documents_due_on(d("2026-11-09")), d("2026-11-23"));
        assert_eq!(documents_due_on(d("2026-10-28")), d("2026-11-12"));
    }

    #[test]
    fn the_decision_needs_the_team_and_comes_once() {
        assert!(check_decision_allowed(DpsStatus::Assessed).is_ok());
        assert_eq!(
            check_decision_allowed(DpsStatus::Collecting)
                .unwrap_err()
                .code(),
            "team_opinion_required"
        );
        assert_eq!(
            check_decision_allowed(DpsStatus::Decided)
                .unwrap_err()
                .code(),
            "already_decided"
        );
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("x", " a ", 3).unwrap(), "a");
        // The limit counts the text as sent, as the contract's maxLength does.
        assert_eq!(
            text("x", "  a  ", 3).unwrap_err().code(),
            "validation_failed"
        );
        assert_eq!(text("x", "   ", 3).unwrap_err().code(), "validation_failed");
        assert_eq!(
            text("x", "abcd", 3).unwrap_err().code(),
            "validation_failed"
        );
    }

    #[test]
    fn dates_lie_between_their_event_and_today() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(dated("f", d("2026-11-20"), d("2026-11-20"), d("2026-11-24")).is_ok());
        assert!(dated("f", d("2026-11-19"), d("2026-11-20"), d("2026-11-24")).is_err());
        assert!(dated("f", d("2026-11-25"), d("2026-11-20"), d("2026-11-24")).is_err());
    }
}
