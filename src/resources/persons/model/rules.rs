//! The checks of a person's data: names, PESEL and the birth date and sex it gives, address, phone and e-mail.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::foundation::error::{ApiError, FieldError};
use crate::resources::persons::pesel::{self, Sex};

use super::input::{NewPerson, PersonPatch, ValidPerson};
use super::person::Address;

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

pub(super) fn address(
    errors: &mut Vec<FieldError>,
    field: &str,
    a: Option<&Address>,
) -> Option<Address> {
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
