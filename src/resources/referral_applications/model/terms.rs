//! The terms of an application: who applies, for which eligibility category, the benefits that exclude a
//! referral, the person's consent.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::stored_enum! {
    /// Who applies (art. 12 ust. 2 ustawy o zatrudnieniu socjalnym).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum ApplicantKind {
        /// The person themselves (recorded by MOPR staff).
        #[serde(rename = "self")]
        #[strum(serialize = "self")]
        Person,
        /// MOPR itself, with the person's consent.
        Mopr,
        Pcpr,
        Ngo,
        /// Zakład leczenia odwykowego (recorded by MOPR).
        AddictionTreatmentFacility,
        /// Another ośrodek pomocy społecznej (recorded by MOPR).
        Ops,
        /// Klub integracji społecznej (recorded by MOPR).
        Kis,
    }
}

impl ApplicantKind {
    /// Another institution applying on paper, whose name MOPR records.
    pub(super) fn is_other_institution(self) -> bool {
        !matches!(self, Self::Person | Self::Mopr)
    }
}

crate::stored_enum! {
    /// Groups the act applies to (art. 1 ust. 2 of the social-employment act, as amended in 2022; the list is open).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum EligibilityCategory {
        /// Homeless persons on an individual programme of leaving homelessness (pkt 1).
        HomelessOnProgramme,
        /// Alcohol-dependent persons (pkt 2; since 2022 no completed therapy is required).
        #[serde(alias = "alcohol_dependent_after_therapy")]
        AlcoholDependent,
        /// Persons dependent on drugs or other intoxicants (pkt 3).
        #[serde(alias = "drug_dependent_after_therapy")]
        DrugDependent,
        /// Persons with mental disorders within the mental-health act (pkt 4).
        MentalDisorder,
        /// Long-term unemployed within the employment-promotion act (pkt 5).
        LongTermUnemployed,
        /// Released from prison, with difficulties integrating (pkt 6).
        ReleasedFromPrison,
        /// Refugees on an individual integration programme (pkt 7).
        RefugeeOnIntegrationProgramme,
        /// Disabled persons within the vocational-rehabilitation act (pkt 8).
        Disabled,
        /// Another group (the list is open); describe it in `other_category_description`.
        Other,
    }
}

/// A benefit the person is entitled to that excludes participation in a CIS (art. 1 ust. 3 of the
/// social-employment act). Declaring one does not stop the filing: MOPR checks the entitlement and refuses the
/// referral on it (`refusal_ground: benefit_entitlement`); a referral for such an application is refused with 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExcludingBenefit {
    /// Zasiłek dla bezrobotnych (pkt 1).
    UnemploymentBenefit,
    /// Zasiłek przedemerytalny (pkt 2).
    PreRetirementBenefit,
    /// Świadczenie przedemerytalne (pkt 3).
    PreRetirementAllowance,
    /// Renta strukturalna (pkt 5).
    StructuralPension,
    /// Renta z tytułu niezdolności do pracy (pkt 6); such a person may attend a KIS instead (ust. 3a).
    IncapacityPension,
    /// Emerytura (pkt 7).
    RetirementPension,
    /// Nauczycielskie świadczenie kompensacyjne (pkt 8).
    TeachersCompensationBenefit,
}

crate::stored_enum! {
    /// Who gave the consent to apply.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum ConsentGivenBy {
        Person,
        LegalRepresentative,
    }
}

/// The person's consent to the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Must be `true`: no application without the person's consent.
    pub given: bool,
    /// The date the consent was given.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub given_on: NaiveDate,
    pub given_by: ConsentGivenBy,
}
