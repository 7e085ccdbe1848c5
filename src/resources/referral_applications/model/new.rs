//! A new application as filed, and its checks.

use crate::foundation::validation::{gather, optional_text, required_text};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::foundation::error::{ApiError, FieldError};
use crate::identity::InstitutionKind;

use super::terms::{ApplicantKind, Consent, EligibilityCategory, ExcludingBenefit};

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
        if let Err(e) =
            crate::foundation::legal_date::check("received_on", self.received_on, today, &[])
        {
            errors.push(e);
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
