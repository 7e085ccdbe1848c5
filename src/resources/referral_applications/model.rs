//! The rules of the referral procedure (seed 000, section I): who may apply for whom, what an application must
//! contain, when the social worker's opinion is due, and which state may follow which.
//!
//! ```text
//!   submitted ──opinion──▶ opinion_issued ──referral──▶ referred
//!       │                        │          └─refusal──▶ refused
//!       └──────withdraw──────────┴──▶ withdrawn
//! ```

use crate::foundation::validation::{gather, optional_text, required_text};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::calendar;
use crate::foundation::db::schema::referral_applications;
use crate::foundation::error::{ApiError, FieldError};
use crate::identity::InstitutionKind;
use crate::identity::policy::CaseParties;

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
    fn is_other_institution(self) -> bool {
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

crate::stored_enum! {
    /// The state of an application.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum ApplicationStatus {
        /// Waiting for the social worker's opinion (due 14 days after `received_on`).
        Submitted,
        /// The opinion is issued; waiting for MOPR's decision.
        OpinionIssued,
        /// MOPR referred the person to the CIS.
        Referred,
        /// MOPR refused the referral.
        Refused,
        /// The applicant withdrew it before a decision.
        Withdrawn,
    }
}

/// Whether the social worker's opinion may be issued now.
pub fn check_opinion_allowed(status: ApplicationStatus) -> Result<(), ApiError> {
    match status {
        ApplicationStatus::Submitted => Ok(()),
        ApplicationStatus::Withdrawn => Err(ApiError::conflict(
            "application_withdrawn",
            "the application was withdrawn",
        )),
        ApplicationStatus::OpinionIssued
        | ApplicationStatus::Referred
        | ApplicationStatus::Refused => Err(ApiError::conflict(
            "opinion_already_issued",
            "this application already has its opinion; there is one opinion per application",
        )),
    }
}

/// Whether MOPR may decide (refer or refuse) now.
pub fn check_decision_allowed(status: ApplicationStatus) -> Result<(), ApiError> {
    match status {
        ApplicationStatus::OpinionIssued => Ok(()),
        ApplicationStatus::Submitted => Err(ApiError::conflict(
            "opinion_required",
            "a referral needs the social worker's opinion first",
        )),
        ApplicationStatus::Withdrawn => Err(ApiError::conflict(
            "application_withdrawn",
            "the application was withdrawn",
        )),
        ApplicationStatus::Referred | ApplicationStatus::Refused => Err(ApiError::conflict(
            "already_decided",
            "MOPR has already decided on this application",
        )),
    }
}

/// Whether the applicant may still withdraw.
pub fn check_withdrawal_allowed(status: ApplicationStatus) -> Result<(), ApiError> {
    match status {
        ApplicationStatus::Submitted | ApplicationStatus::OpinionIssued => Ok(()),
        ApplicationStatus::Withdrawn => Err(ApiError::conflict(
            "already_withdrawn",
            "the application is already withdrawn",
        )),
        ApplicationStatus::Referred | ApplicationStatus::Refused => Err(ApiError::conflict(
            "already_decided",
            "MOPR has already decided; a decided application cannot be withdrawn",
        )),
    }
}

/// The opinion is due 14 days after the application reached MOPR (KPA art. 57: the day of receipt is not
/// counted; a deadline on a Saturday or a holiday moves to the next working day).
pub fn opinion_due_on(received_on: NaiveDate) -> NaiveDate {
    calendar::kpa_days(received_on, 14)
}

/// Overdue: still waiting for the opinion after its due date.
pub fn opinion_overdue(status: ApplicationStatus, due: NaiveDate, today: NaiveDate) -> bool {
    status == ApplicationStatus::Submitted && today > due
}

/// Files an application for referral to a CIS (wniosek o skierowanie do uczestnictwa w zajęciach CIS).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "person_id": "0193…", "target_cis_id": "0193…", "applicant_kind": "ngo",
    "eligibility_categories": ["homeless_on_programme", "long_term_unemployed"],
    "justification": "Pan Jan realizuje indywidualny program wychodzenia z bezdomności i chce wrócić do pracy.",
    "received_on": "2026-11-20",
    "consent": {"given": true, "given_on": "2026-11-18", "given_by": "person"},
    "declared_benefits": []
}))]
pub struct NewReferralApplication {
    /// The person to refer (registered with `POST /api/v1/persons`, visible to you).
    pub person_id: String,
    /// The CIS the person should attend.
    pub target_cis_id: String,
    /// The MOPR that decides; may be omitted when the platform serves one MOPR.
    pub mopr_id: Option<String>,
    /// Who applies. A PCPR or NGO files as itself (`pcpr`/`ngo`, the default for them); MOPR staff may record any kind.
    pub applicant_kind: Option<ApplicantKind>,
    /// For `addiction_treatment_facility`, `ops`, `kis` recorded by MOPR: the institution's name.
    #[schema(max_length = 200)]
    pub applicant_name: Option<String>,
    /// At least one group of art. 1 ust. 2.
    #[schema(min_items = 1)]
    pub eligibility_categories: Vec<EligibilityCategory>,
    /// Required with `other`.
    #[schema(max_length = 500)]
    pub other_category_description: Option<String>,
    /// Why participation is proposed.
    #[schema(min_length = 1, max_length = 4000)]
    pub justification: String,
    /// Data wpływu: the date the application reached MOPR; the opinion is due 14 days later.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub received_on: NaiveDate,
    pub consent: Consent,
    /// Benefits the person declares an entitlement to from the list of art. 1 ust. 3 (each at most once). Recorded
    /// on the application; MOPR refuses the referral on them. Empty or absent when there are none.
    #[serde(default)]
    #[schema(max_items = 7)]
    pub declared_benefits: Vec<ExcludingBenefit>,
}

/// The checked content of a new application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedApplication {
    pub applicant_kind: ApplicantKind,
    pub applicant_name: Option<String>,
    pub categories: Vec<EligibilityCategory>,
    pub other_category_description: Option<String>,
    pub justification: String,
    pub received_on: NaiveDate,
    pub consent: Consent,
    pub declared_benefits: Vec<ExcludingBenefit>,
}

/// The items of a list in their first order, each once.
fn unique<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}

impl NewReferralApplication {
    /// Checks the content for a filer of `filer_kind`, as of `today`.
    pub fn check(
        &self,
        filer_kind: InstitutionKind,
        today: NaiveDate,
    ) -> Result<CheckedApplication, ApiError> {
        let mut errors = Vec::new();
        let applicant_kind = match (filer_kind, self.applicant_kind) {
            (InstitutionKind::Pcpr, None | Some(ApplicantKind::Pcpr)) => ApplicantKind::Pcpr,
            (InstitutionKind::Ngo, None | Some(ApplicantKind::Ngo)) => ApplicantKind::Ngo,
            (InstitutionKind::Mopr, Some(kind)) => kind,
            (InstitutionKind::Mopr, None) => {
                errors.push(FieldError::new(
                    "applicant_kind",
                    "required",
                    "MOPR staff must say who applies (self, mopr, or the institution)",
                ));
                ApplicantKind::Mopr
            }
            (_, Some(_)) => {
                errors.push(FieldError::new(
                    "applicant_kind",
                    "applicant_kind_not_allowed",
                    "an institution applies in its own name",
                ));
                ApplicantKind::Ngo
            }
            (_, None) => ApplicantKind::Ngo,
        };
        // `None`: refused and reported; `Some(None)`: absent or blank.
        let mut optional = |field, value: &Option<String>, max| {
            gather(&mut errors, optional_text(field, value.as_deref(), max))
        };
        let applicant_name = optional("applicant_name", &self.applicant_name, 200);
        let other = optional(
            "other_category_description",
            &self.other_category_description,
            500,
        );
        if filer_kind == InstitutionKind::Mopr
            && applicant_kind.is_other_institution()
            && applicant_name == Some(None)
        {
            errors.push(FieldError::new(
                "applicant_name",
                "required",
                "name the institution that applied on paper",
            ));
        }
        let categories = unique(&self.eligibility_categories);
        if categories.is_empty() {
            errors.push(FieldError::new(
                "eligibility_categories",
                "required",
                "claim at least one group of art. 1 ust. 2",
            ));
        }
        if categories.contains(&EligibilityCategory::Other) && other == Some(None) {
            errors.push(FieldError::new(
                "other_category_description",
                "required",
                "describe the group when claiming `other`",
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
        if !self.consent.given {
            errors.push(FieldError::new(
                "consent.given",
                "consent_required",
                "an application needs the person's consent",
            ));
        }
        if self.consent.given_on > today {
            errors.push(FieldError::new(
                "consent.given_on",
                "in_future",
                "consent cannot be dated in the future",
            ));
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(ApiError::Validation(errors));
        }
        Ok(CheckedApplication {
            applicant_kind,
            applicant_name: if applicant_kind.is_other_institution()
                && filer_kind == InstitutionKind::Mopr
            {
                applicant_name.flatten()
            } else {
                None
            },
            categories,
            other_category_description: other.flatten(),
            justification,
            received_on: self.received_on,
            consent: self.consent.clone(),
            declared_benefits: unique(&self.declared_benefits),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_applications, treat_none_as_default_value = false)]
pub struct ApplicationRow {
    pub id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub target_cis_id: String,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: Option<String>,
    pub filed_by_institution_id: String,
    pub filed_by_user_id: String,
    pub eligibility_categories: String,
    pub other_category_description: Option<String>,
    pub justification: String,
    pub received_on: NaiveDate,
    pub consent_given_on: NaiveDate,
    pub consent_given_by: ConsentGivenBy,
    pub opinion_due_on: NaiveDate,
    pub status: ApplicationStatus,
    /// JSON array of [`ExcludingBenefit`] names.
    pub declared_benefits: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl ApplicationRow {
    /// The institutions the policy judges this application's visibility by.
    pub fn parties(&self) -> CaseParties<'_> {
        CaseParties {
            mopr_id: &self.mopr_id,
            target_cis_id: &self.target_cis_id,
            filed_by: &self.filed_by_institution_id,
        }
    }

    pub fn declared_benefits(&self) -> Result<Vec<ExcludingBenefit>, ApiError> {
        serde_json::from_str(&self.declared_benefits)
            .map_err(|e| ApiError::internal(format!("declared benefits: {e}")))
    }
}

crate::stored_enum! {
    /// MOPR's decision on an application.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Decision {
        /// Skierowanie: the person is referred to the CIS.
        Referred,
        /// The referral is refused, with reasons.
        Refused,
    }
}

/// The outcome of an application as the applicant sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub referral_id: Option<String>,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
}

/// An application for referral to a CIS.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferralApplication {
    pub id: String,
    pub person_id: String,
    pub mopr_id: String,
    pub target_cis_id: String,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: Option<String>,
    /// The institution that filed it (for `self` and `mopr`, the MOPR that recorded it).
    pub filed_by_institution_id: String,
    pub eligibility_categories: Vec<EligibilityCategory>,
    pub other_category_description: Option<String>,
    pub justification: String,
    pub received_on: NaiveDate,
    pub consent: Consent,
    /// Benefits declared under art. 1 ust. 3; any of them means MOPR refuses the referral.
    pub declared_benefits: Vec<ExcludingBenefit>,
    pub status: ApplicationStatus,
    /// The social worker's opinion is due on this date (14 days after `received_on`, KPA art. 57).
    pub opinion_due_on: NaiveDate,
    /// Still waiting for the opinion after `opinion_due_on` (today in Europe/Warsaw).
    pub opinion_overdue: bool,
    /// The opinion, for MOPR and the target CIS only (`null` before it is issued and for other institutions).
    pub opinion_id: Option<String>,
    /// MOPR's decision, once taken. The referral's id is given to MOPR and the target CIS only.
    pub outcome: Option<Outcome>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` with any transition (opinion, referral, withdrawal).
    pub version: i32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::referrals::model::check_referral_allowed;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn app(kind: Option<ApplicantKind>) -> NewReferralApplication {
        NewReferralApplication {
            person_id: "p".into(),
            target_cis_id: "c".into(),
            mopr_id: None,
            applicant_kind: kind,
            applicant_name: None,
            eligibility_categories: vec![EligibilityCategory::LongTermUnemployed],
            other_category_description: None,
            justification: "needs work".into(),
            received_on: d("2026-11-20"),
            consent: Consent {
                given: true,
                given_on: d("2026-11-18"),
                given_by: ConsentGivenBy::Person,
            },
            declared_benefits: vec![],
        }
    }

    fn codes(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Validation(v) => v
                .into_iter()
                .map(|f| format!("{}:{}", f.field, f.code))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_opinion_is_due_14_days_after_receipt_moved_off_holidays() {
        assert_eq!(opinion_due_on(d("2026-11-09")), d("2026-11-23"));
        // Across a month end.
        assert_eq!(opinion_due_on(d("2026-01-20")), d("2026-02-03"));
        assert_eq!(opinion_due_on(d("2026-02-20")), d("2026-03-06"));
        // 2026-10-28 + 14 = Wed 11 Nov (holiday) -> Thu 12 Nov.
        assert_eq!(opinion_due_on(d("2026-10-28")), d("2026-11-12"));
        // 2025-12-17 + 14 = Wed 31 Dec; 2025-12-18 + 14 = 1 Jan -> Fri 2 Jan.
        assert_eq!(opinion_due_on(d("2025-12-17")), d("2025-12-31"));
        assert_eq!(opinion_due_on(d("2025-12-18")), d("2026-01-02"));
    }

    #[test]
    fn overdue_means_still_waiting_after_the_due_date() {
        let due = d("2026-11-23");
        assert!(!opinion_overdue(ApplicationStatus::Submitted, due, due));
        assert!(opinion_overdue(
            ApplicationStatus::Submitted,
            due,
            d("2026-11-24")
        ));
        assert!(!opinion_overdue(
            ApplicationStatus::OpinionIssued,
            due,
            d("2026-12-24")
        ));
        assert!(!opinion_overdue(
            ApplicationStatus::Withdrawn,
            due,
            d("2026-12-24")
        ));
    }

    #[test]
    fn transitions_follow_the_procedure() {
        use ApplicationStatus::*;
        assert!(check_opinion_allowed(Submitted).is_ok());
        for (s, code) in [
            (Withdrawn, "application_withdrawn"),
            (OpinionIssued, "opinion_already_issued"),
            (Referred, "opinion_already_issued"),
        ] {
            assert_eq!(check_opinion_allowed(s).unwrap_err().code(), code);
        }
        assert!(check_decision_allowed(OpinionIssued).is_ok());
        for (s, code) in [
            (Submitted, "opinion_required"),
            (Withdrawn, "application_withdrawn"),
            (Refused, "already_decided"),
            (Referred, "already_decided"),
        ] {
            assert_eq!(check_decision_allowed(s).unwrap_err().code(), code);
        }
        assert!(check_withdrawal_allowed(Submitted).is_ok());
        assert!(check_withdrawal_allowed(OpinionIssued).is_ok());
        assert_eq!(
            check_withdrawal_allowed(Referred).unwrap_err().code(),
            "already_decided"
        );
        assert_eq!(
            check_withdrawal_allowed(Withdrawn).unwrap_err().code(),
            "already_withdrawn"
        );
    }

    #[test]
    fn institutions_apply_in_their_own_name_and_mopr_records_others() {
        let today = d("2026-11-23");
        assert_eq!(
            app(None)
                .check(InstitutionKind::Ngo, today)
                .unwrap()
                .applicant_kind,
            ApplicantKind::Ngo
        );
        assert_eq!(
            codes(
                app(Some(ApplicantKind::Person))
                    .check(InstitutionKind::Pcpr, today)
                    .unwrap_err()
            ),
            vec!["applicant_kind:applicant_kind_not_allowed"]
        );
        assert_eq!(
            codes(app(None).check(InstitutionKind::Mopr, today).unwrap_err()),
            vec!["applicant_kind:required"]
        );
        assert_eq!(
            codes(
                app(Some(ApplicantKind::Kis))
                    .check(InstitutionKind::Mopr, today)
                    .unwrap_err()
            ),
            vec!["applicant_name:required"]
        );
        let mut kis = app(Some(ApplicantKind::Kis));
        kis.applicant_name = Some("KIS Toruń".into());
        assert_eq!(
            kis.check(InstitutionKind::Mopr, today)
                .unwrap()
                .applicant_name
                .as_deref(),
            Some("KIS Toruń")
        );
    }

    #[test]
    fn consent_categories_and_income_are_checked() {
        let today = d("2026-11-23");
        let mut a = app(None);
        a.consent.given = false;
        a.eligibility_categories = vec![EligibilityCategory::Other];
        a.received_on = d("2026-12-01");
        assert_eq!(
            codes(a.check(InstitutionKind::Ngo, today).unwrap_err()),
            vec![
                "consent.given:consent_required",
                "other_category_description:required",
                "received_on:in_future",
            ]
        );
    }

    #[test]
    fn declared_benefits_are_recorded_and_make_mopr_refuse() {
        let today = d("2026-11-23");
        let mut a = app(None);
        a.declared_benefits = vec![
            ExcludingBenefit::RetirementPension,
            ExcludingBenefit::UnemploymentBenefit,
            ExcludingBenefit::RetirementPension,
        ];
        a.eligibility_categories = vec![
            EligibilityCategory::Disabled,
            EligibilityCategory::LongTermUnemployed,
            EligibilityCategory::Disabled,
        ];
        let checked = a.check(InstitutionKind::Ngo, today).unwrap();
        assert_eq!(
            checked.declared_benefits,
            vec![
                ExcludingBenefit::RetirementPension,
                ExcludingBenefit::UnemploymentBenefit
            ]
        );
        // Duplicates that are not adjacent are removed too, keeping the first order.
        assert_eq!(
            checked.categories,
            vec![
                EligibilityCategory::Disabled,
                EligibilityCategory::LongTermUnemployed
            ]
        );
        assert_eq!(
            check_referral_allowed(Decision::Referred, &checked.declared_benefits)
                .unwrap_err()
                .code(),
            "benefit_excludes_participation"
        );
        assert!(check_referral_allowed(Decision::Refused, &checked.declared_benefits).is_ok());
        assert!(check_referral_allowed(Decision::Referred, &[]).is_ok());
    }
}
