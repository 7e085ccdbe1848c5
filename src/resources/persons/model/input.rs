//! What a client sends to register a person or change their record, and the checked result.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::resources::persons::pesel::Sex;

use super::person::Address;

/// Registers a person. With a PESEL, `birth_date` and `sex` may be omitted (they are read from it) and, when
/// given, must agree with it. Without a PESEL both are required.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "first_name": "Jan", "last_name": "Żółkiewski", "pesel": "44051401458",
    "residence_address": {"street": "ul. Szeroka", "building": "12", "flat": "4", "postal_code": "87-100", "city": "Toruń"},
    "phone": "+48 600 100 200"
}))]
pub struct NewPerson {
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    #[schema(pattern = r"^[0-9]{11}$")]
    pub pesel: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub residence_address: Option<Address>,
    pub stay_address: Option<Address>,
    #[schema(pattern = r"^\+?[0-9 ()-]{6,20}$")]
    pub phone: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// Deserialises a field that may be absent (leave as is), `null` (clear) or a value (set).
fn patch_field<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A JSON merge patch (RFC 7396) of a person: absent fields stay, `null` clears an optional field, a value sets
/// it. Changing `pesel` without `birth_date`/`sex` takes them from the new PESEL.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+48 600 999 888", "stay_address": null}))]
pub struct PersonPatch {
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{11}$")]
    pub pesel: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Address>)]
    pub residence_address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Address>)]
    pub stay_address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, pattern = r"^\+?[0-9 ()-]{6,20}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Option<String>>,
}

/// A person's data after validation: every field checked, birth date and sex known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPerson {
    pub first_name: String,
    pub last_name: String,
    pub pesel: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub residence_address: Option<Address>,
    pub stay_address: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
}
