use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::foundation::db::schema::institutions;
use crate::foundation::error::ApiError;
use crate::identity::InstitutionKind;

/// A partner institution.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Institution {
    pub id: String,
    pub kind: InstitutionKind,
    #[schema(example = "Miejski Ośrodek Pomocy Rodzinie w Toruniu")]
    pub name: String,
    #[schema(example = "ul. Łazienna 18, 87-100 Toruń")]
    pub address: String,
    /// For a MOPR: the area (gmina) whose residents it serves.
    #[schema(example = "Gmina Miasta Toruń")]
    pub area: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Registers an institution.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "CIS", "name": "Centrum Integracji Społecznej CISTOR", "address": "ul. Szosa Chełmińska 220, 87-100 Toruń"}))]
pub struct NewInstitution {
    pub kind: InstitutionKind,
    /// Unique across the platform.
    #[validate(length(
        min = 1,
        max = 200,
        code = "length",
        message = "name must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(length(
        min = 1,
        max = 500,
        code = "length",
        message = "address must be 1 to 500 characters"
    ))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: String,
    /// Required for a MOPR (the area it serves); optional for other kinds.
    #[validate(length(
        min = 1,
        max = 200,
        code = "length",
        message = "area must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub area: Option<String>,
}

impl NewInstitution {
    /// Field rules plus: a MOPR must say which area it serves.
    pub fn check(&self) -> Result<(), ApiError> {
        self.validate()?;
        if self.kind == InstitutionKind::Mopr && self.area.is_none() {
            return Err(ApiError::field(
                "area",
                "required",
                "a MOPR must name the area it serves",
            ));
        }
        if self.name.trim().is_empty() {
            return Err(ApiError::field("name", "blank", "name must not be blank"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = institutions, treat_none_as_default_value = false)]
pub struct InstitutionRow {
    pub id: String,
    pub kind: InstitutionKind,
    pub name: String,
    pub address: String,
    pub area: Option<String>,
    pub created_at: NaiveDateTime,
}

impl InstitutionRow {
    pub fn kind(&self) -> Result<InstitutionKind, ApiError> {
        Ok(self.kind)
    }

    pub fn into_view(self) -> Result<Institution, ApiError> {
        Ok(Institution {
            kind: self.kind()?,
            id: self.id,
            name: self.name,
            address: self.address,
            area: self.area,
            created_at: self.created_at.and_utc(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(kind: InstitutionKind, area: Option<&str>) -> NewInstitution {
        NewInstitution {
            kind,
            name: "X".into(),
            address: "Y".into(),
            area: area.map(str::to_owned),
        }
    }

    #[test]
    fn a_mopr_needs_an_area_others_do_not() {
        assert!(new(InstitutionKind::Mopr, None).check().is_err());
        assert!(new(InstitutionKind::Mopr, Some("Toruń")).check().is_ok());
        assert!(new(InstitutionKind::Cis, None).check().is_ok());
    }
}
