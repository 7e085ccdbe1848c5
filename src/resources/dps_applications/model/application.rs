//! A new placement application as filed, and its checks.

use crate::foundation::validation::{gather, optional_text, required_text};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::foundation::error::{ApiError, FieldError};

use super::facts::{ApplicationForm, DpsApplicantKind, DpsType};

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
        if let Err(e) =
            crate::foundation::legal_date::check("received_on", self.received_on, today, &[])
        {
            errors.push(e);
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

/// The legal date of an act: not before the `earlier` act it follows, not in the future (422 on the field naming
/// the earlier act and its date).
pub fn dated(
    field: &str,
    day: NaiveDate,
    earlier: crate::foundation::legal_date::Earlier<'_>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    crate::foundation::legal_date::check(field, day, today, &[earlier])
        .map_err(|e| ApiError::Validation(vec![e]))?;
    Ok(())
}
