//! The stored person and the record of each change.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::persons;
use crate::foundation::error::ApiError;
use crate::resources::persons::names::search_key;
use crate::resources::persons::pesel::Sex;

use super::input::ValidPerson;
use super::person::{Address, Person};

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
