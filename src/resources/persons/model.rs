//! Persons: the people the procedures are about. Validation lives here, pure and unit-tested: a draft (from a
//! create, or an existing record with a patch applied) becomes a [`ValidPerson`] or a list of field errors.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::names::search_key;
use super::pesel::{self, Sex};
use crate::foundation::db::schema::persons;
use crate::foundation::error::{ApiError, FieldError};

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

static POSTAL_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]{2}-[0-9]{3}$").expect("regex"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\+?[0-9 ()-]{6,20}$").expect("regex"));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$").expect("regex"));

/// A required text (see [`crate::foundation::validation::required_text`]), its error collected with the others.
fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) -> String {
    crate::foundation::validation::gather(
        errors,
        crate::foundation::validation::required_text(field, value, max),
    )
    .unwrap_or_default()
}

/// An optional text (see [`crate::foundation::validation::optional_text`]), its error collected with the others.
fn optional_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    crate::foundation::validation::gather(
        errors,
        crate::foundation::validation::optional_text(field, value, max),
    )
    .flatten()
}

/// An optional text with a format: the format is checked on the text as sent (as the contract's pattern is), the
/// text stored trimmed, and a blank one that the format allows (a phone of spaces) stored as none.
fn formatted(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
    format: &Regex,
    (code, message): (&str, &str),
) -> Option<String> {
    let reported = errors.len();
    let text = optional_text(errors, field, value, max);
    if errors.len() == reported && value.is_some_and(|raw| !format.is_match(raw)) {
        errors.push(FieldError::new(field, code, message));
    }
    text
}

fn address(errors: &mut Vec<FieldError>, field: &str, a: Option<&Address>) -> Option<Address> {
    let a = a?;
    let street = optional_text(errors, &format!("{field}.street"), a.street.as_deref(), 200);
    let building = text(errors, &format!("{field}.building"), &a.building, 20);
    let flat = optional_text(errors, &format!("{field}.flat"), a.flat.as_deref(), 20);
    let postal_code = a.postal_code.clone();
    if !POSTAL_CODE.is_match(&postal_code) {
        errors.push(FieldError::new(
            format!("{field}.postal_code"),
            "postal_code_format",
            "a Polish postal code is NN-NNN, e.g. 87-100",
        ));
    }
    let city = text(errors, &format!("{field}.city"), &a.city, 100);
    Some(Address {
        street,
        building,
        flat,
        postal_code,
        city,
    })
}

/// Checks a complete draft. `today` bounds the birth date.
#[allow(clippy::too_many_arguments)]
pub fn validate(
    first_name: &str,
    last_name: &str,
    pesel_value: Option<&str>,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
    residence: Option<&Address>,
    stay: Option<&Address>,
    phone: Option<&str>,
    email: Option<&str>,
    today: NaiveDate,
) -> Result<ValidPerson, ApiError> {
    let mut errors = Vec::new();
    let first_name = text(&mut errors, "first_name", first_name, 100);
    let last_name = text(&mut errors, "last_name", last_name, 100);

    // Checked as sent: the contract's pattern is eleven digits, so "" or " 44051401458" is not "no PESEL".
    let decoded = match pesel_value.map(pesel::parse) {
        Some(Ok(info)) => Some(info),
        Some(Err(e)) => {
            errors.push(FieldError::new("pesel", e.code(), e.message()));
            None
        }
        None => None,
    };
    let birth_date = match (birth_date, decoded) {
        (Some(given), Some(info)) if given != info.birth_date => {
            errors.push(FieldError::new(
                "birth_date",
                "pesel_birth_date_mismatch",
                format!("the PESEL encodes the birth date {}", info.birth_date),
            ));
            Some(given)
        }
        (Some(given), _) => Some(given),
        (None, Some(info)) => Some(info.birth_date),
        (None, None) => {
            if pesel_value.is_none() {
                errors.push(FieldError::new(
                    "birth_date",
                    "required",
                    "birth_date is required without a PESEL",
                ));
            }
            None
        }
    };
    if let Some(d) = birth_date
        && d > today
    {
        errors.push(FieldError::new(
            "birth_date",
            "in_future",
            "birth_date cannot be in the future",
        ));
    }
    let sex = match (sex, decoded) {
        (Some(given), Some(info)) if given != info.sex => {
            errors.push(FieldError::new(
                "sex",
                "pesel_sex_mismatch",
                format!("the PESEL encodes the sex {}", info.sex.as_str()),
            ));
            Some(given)
        }
        (Some(given), _) => Some(given),
        (None, Some(info)) => Some(info.sex),
        (None, None) => {
            if pesel_value.is_none() {
                errors.push(FieldError::new(
                    "sex",
                    "required",
                    "sex is required without a PESEL",
                ));
            }
            None
        }
    };
    let residence_address = address(&mut errors, "residence_address", residence);
    let stay_address = address(&mut errors, "stay_address", stay);
    let phone = formatted(
        &mut errors,
        "phone",
        phone,
        20,
        &PHONE,
        (
            "phone_format",
            "digits, spaces, brackets and dashes, 6 to 20, optionally after +",
        ),
    );
    let email = formatted(
        &mut errors,
        "email",
        email,
        254,
        &EMAIL,
        ("email_format", "not an e-mail address"),
    );
    match (errors.is_empty(), birth_date, sex) {
        (true, Some(birth_date), Some(sex)) => Ok(ValidPerson {
            first_name,
            last_name,
            pesel: pesel_value.map(str::to_owned),
            birth_date,
            sex,
            residence_address,
            stay_address,
            phone,
            email,
        }),
        _ => {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(ApiError::Validation(errors))
        }
    }
}

impl NewPerson {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidPerson, ApiError> {
        validate(
            &self.first_name,
            &self.last_name,
            self.pesel.as_deref(),
            self.birth_date,
            self.sex,
            self.residence_address.as_ref(),
            self.stay_address.as_ref(),
            self.phone.as_deref(),
            self.email.as_deref(),
            today,
        )
    }
}

impl PersonPatch {
    /// The record with this patch applied, validated as a whole; also the names of the fields it changes.
    pub fn apply(
        &self,
        current: &ValidPerson,
        today: NaiveDate,
    ) -> Result<(ValidPerson, Vec<&'static str>), ApiError> {
        let pesel_changed = self
            .pesel
            .as_ref()
            .is_some_and(|p| p.as_deref() != current.pesel.as_deref());
        // A new PESEL brings its own birth date and sex unless the patch gives them too.
        let (birth_date, sex) = if pesel_changed && self.pesel.as_ref().is_some_and(Option::is_some)
        {
            (self.birth_date, self.sex)
        } else {
            (
                self.birth_date.or(Some(current.birth_date)),
                self.sex.or(Some(current.sex)),
            )
        };
        let pick = |patch: &Option<Option<String>>, cur: &Option<String>| match patch {
            Some(v) => v.clone(),
            None => cur.clone(),
        };
        let pesel_value = pick(&self.pesel, &current.pesel);
        let residence = match &self.residence_address {
            Some(v) => v.clone(),
            None => current.residence_address.clone(),
        };
        let stay = match &self.stay_address {
            Some(v) => v.clone(),
            None => current.stay_address.clone(),
        };
        let next = validate(
            self.first_name.as_deref().unwrap_or(&current.first_name),
            self.last_name.as_deref().unwrap_or(&current.last_name),
            pesel_value.as_deref(),
            birth_date,
            sex,
            residence.as_ref(),
            stay.as_ref(),
            pick(&self.phone, &current.phone).as_deref(),
            pick(&self.email, &current.email).as_deref(),
            today,
        )?;
        let mut changed = Vec::new();
        let fields: [(&'static str, bool); 9] = [
            ("first_name", next.first_name != current.first_name),
            ("last_name", next.last_name != current.last_name),
            ("pesel", next.pesel != current.pesel),
            ("birth_date", next.birth_date != current.birth_date),
            ("sex", next.sex != current.sex),
            (
                "residence_address",
                next.residence_address != current.residence_address,
            ),
            ("stay_address", next.stay_address != current.stay_address),
            ("phone", next.phone != current.phone),
            ("email", next.email != current.email),
        ];
        changed.extend(fields.iter().filter(|(_, c)| *c).map(|(f, _)| *f));
        Ok((next, changed))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = persons, treat_none_as_default_value = false)]
pub struct PersonRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub last_name_key: String,
    pub pesel: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub residence_address: Option<String>,
    pub stay_address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub registered_by_institution_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

fn address_json(a: &Option<Address>) -> Option<String> {
    a.as_ref().and_then(|a| serde_json::to_string(a).ok())
}

fn address_from(s: &Option<String>) -> Result<Option<Address>, ApiError> {
    s.as_deref()
        .map(|s| {
            serde_json::from_str(s)
                .map_err(|e| ApiError::internal(format!("stored address unreadable: {e}")))
        })
        .transpose()
}

impl PersonRow {
    pub fn new(id: String, p: ValidPerson, institution_id: String, now: NaiveDateTime) -> Self {
        Self {
            id,
            last_name_key: search_key(&p.last_name),
            residence_address: address_json(&p.residence_address),
            stay_address: address_json(&p.stay_address),
            first_name: p.first_name,
            last_name: p.last_name,
            pesel: p.pesel,
            birth_date: p.birth_date,
            sex: p.sex,
            phone: p.phone,
            email: p.email,
            registered_by_institution_id: institution_id,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Replaces the data fields, keeping identity and bookkeeping.
    pub fn with(mut self, p: ValidPerson, now: NaiveDateTime) -> Self {
        self.last_name_key = search_key(&p.last_name);
        self.residence_address = address_json(&p.residence_address);
        self.stay_address = address_json(&p.stay_address);
        self.first_name = p.first_name;
        self.last_name = p.last_name;
        self.pesel = p.pesel;
        self.birth_date = p.birth_date;
        self.sex = p.sex;
        self.phone = p.phone;
        self.email = p.email;
        self.updated_at = now;
        self.version += 1;
        self
    }

    pub fn valid(&self) -> Result<ValidPerson, ApiError> {
        Ok(ValidPerson {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            pesel: self.pesel.clone(),
            birth_date: self.birth_date,
            sex: self.sex,
            residence_address: address_from(&self.residence_address)?,
            stay_address: address_from(&self.stay_address)?,
            phone: self.phone.clone(),
            email: self.email.clone(),
        })
    }

    pub fn into_view(self) -> Result<Person, ApiError> {
        let v = self.valid()?;
        Ok(Person {
            id: self.id,
            first_name: v.first_name,
            last_name: v.last_name,
            pesel: v.pesel,
            birth_date: v.birth_date,
            sex: v.sex,
            residence_address: v.residence_address,
            stay_address: v.stay_address,
            phone: v.phone,
            email: v.email,
            registered_by_institution_id: self.registered_by_institution_id,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            version: self.version,
        })
    }
}

/// One change of a person's record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonChange {
    /// The record's version after this change.
    pub version: i32,
    pub changed_at: DateTime<Utc>,
    /// The user or API client that made the change.
    pub actor_id: String,
    pub actor_institution_id: Option<String>,
    /// The fields changed (values are not repeated here).
    #[schema(example = json!(["phone", "stay_address"]))]
    pub fields: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn new(pesel: Option<&str>, birth: Option<&str>, sex: Option<Sex>) -> NewPerson {
        NewPerson {
            first_name: "Jan".into(),
            last_name: "Kowalski".into(),
            pesel: pesel.map(str::to_owned),
            birth_date: birth.map(|b| b.parse().unwrap()),
            sex,
            residence_address: None,
            stay_address: None,
            phone: None,
            email: None,
        }
    }

    fn codes(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Validation(list) => list.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn birth_date_and_sex_are_filled_from_the_pesel() {
        let v = new(Some("44051401458"), None, None)
            .validate(today())
            .unwrap();
        assert_eq!(v.birth_date.to_string(), "1944-05-14");
        assert_eq!(v.sex, Sex::Male);
    }

    #[test]
    fn given_birth_date_and_sex_must_agree_with_the_pesel() {
        let e = new(Some("44051401458"), Some("1944-05-15"), Some(Sex::Female))
            .validate(today())
            .unwrap_err();
        assert_eq!(
            codes(e),
            vec![
                ("birth_date".into(), "pesel_birth_date_mismatch".into()),
                ("sex".into(), "pesel_sex_mismatch".into())
            ]
        );
    }

    #[test]
    fn without_a_pesel_birth_date_and_sex_are_required() {
        let e = new(None, None, None).validate(today()).unwrap_err();
        assert_eq!(
            codes(e),
            vec![
                ("birth_date".into(), "required".into()),
                ("sex".into(), "required".into())
            ]
        );
        assert!(
            new(None, Some("1990-01-01"), Some(Sex::Female))
                .validate(today())
                .is_ok()
        );
        let e = new(None, Some("2030-01-01"), Some(Sex::Female))
            .validate(today())
            .unwrap_err();
        assert_eq!(codes(e), vec![("birth_date".into(), "in_future".into())]);
    }

    #[test]
    fn addresses_need_a_polish_postal_code() {
        let mut p = new(Some("44051401458"), None, None);
        p.residence_address = Some(Address {
            street: Some("ul. Szeroka".into()),
            building: "12".into(),
            flat: None,
            postal_code: "87100".into(),
            city: "Toruń".into(),
        });
        let e = p.validate(today()).unwrap_err();
        assert_eq!(
            codes(e),
            vec![(
                "residence_address.postal_code".into(),
                "postal_code_format".into()
            )]
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_reports_it() {
        let current = new(Some("44051401458"), None, None)
            .validate(today())
            .unwrap();
        let patch = PersonPatch {
            phone: Some(Some("+48 600 100 200".into())),
            ..Default::default()
        };
        let (next, changed) = patch.apply(&current, today()).unwrap();
        assert_eq!(changed, vec!["phone"]);
        assert_eq!(next.birth_date, current.birth_date);
        let clear = PersonPatch {
            phone: Some(None),
            ..Default::default()
        };
        let (cleared, changed) = clear.apply(&next, today()).unwrap();
        assert_eq!(cleared.phone, None);
        assert_eq!(changed, vec!["phone"]);
    }

    #[test]
    fn a_new_pesel_brings_its_birth_date_and_sex() {
        let current = new(Some("44051401458"), None, None)
            .validate(today())
            .unwrap();
        let patch = PersonPatch {
            pesel: Some(Some("75120804355".into())),
            ..Default::default()
        };
        let (next, changed) = patch.apply(&current, today()).unwrap();
        assert_eq!(next.birth_date.to_string(), "1975-12-08");
        assert_eq!(changed, vec!["pesel", "birth_date"]);
    }
}
