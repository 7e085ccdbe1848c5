//! The facts of a placement case the file is judged by: who applies, for which type of home, the person's
//! eligibility, conditions and obliged relatives.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
