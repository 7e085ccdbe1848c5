//! A person in the registry as the API shows it, with their address.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::resources::persons::pesel::Sex;

/// A postal address as on the MOPR application form (adres zamieszkania / adres pobytu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"street": "ul. Szeroka", "building": "12", "flat": "4", "postal_code": "87-100", "city": "Toruń"}))]
pub struct Address {
    /// Street with its prefix (`ul.`, `al.`, `pl.`); may be empty in a village without street names.
    #[schema(max_length = 200, example = "ul. Szeroka")]
    #[serde(default)]
    pub street: Option<String>,
    /// Building number, with letters if any (`12A`).
    #[schema(min_length = 1, max_length = 20, example = "12")]
    pub building: String,
    /// Flat number, if any.
    #[schema(max_length = 20, example = "4")]
    #[serde(default)]
    pub flat: Option<String>,
    /// Polish postal code `NN-NNN`.
    #[schema(pattern = r"^[0-9]{2}-[0-9]{3}$", example = "87-100")]
    pub postal_code: String,
    #[schema(min_length = 1, max_length = 100, example = "Toruń")]
    pub city: String,
}

/// A person in the registry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: String,
    #[schema(example = "Jan")]
    pub first_name: String,
    #[schema(example = "Żółkiewski")]
    pub last_name: String,
    /// 11 digits; `null` for persons without one (foreigners, refugees).
    #[schema(example = "44051401458")]
    pub pesel: Option<String>,
    #[schema(example = "1944-05-14")]
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Adres zamieszkania: where the person lives permanently.
    pub residence_address: Option<Address>,
    /// Adres pobytu: where the person actually stays, when different.
    pub stay_address: Option<Address>,
    #[schema(example = "+48 600 100 200")]
    pub phone: Option<String>,
    #[schema(example = "jan.zolkiewski@example.pl")]
    pub email: Option<String>,
    /// The institution that registered the record.
    pub registered_by_institution_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` to update the record.
    pub version: i32,
}
