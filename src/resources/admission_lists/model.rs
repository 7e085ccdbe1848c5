//! The admission list (lista osób przyjętych, seed 000 II.1): what the CIS director sends MOPR.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::admission_lists;

/// Sends MOPR the list of persons admitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ipzs_ids": ["0193…"]}))]
pub struct NewAdmissionList {
    /// The IPZS of the persons admitted: signed by your CIS, not yet reported, with one MOPR.
    #[schema(min_items = 1, max_items = 200)]
    pub ipzs_ids: Vec<String>,
    /// The day the list was sent (its legal date; each IPZS's 5 working days are judged by it): not in the
    /// future, not before any listed IPZS was signed (422 `before_signing`). Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub sent_on: Option<NaiveDate>,
}

/// A list of persons admitted, as sent to MOPR.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdmissionList {
    pub id: String,
    pub cis_id: String,
    pub mopr_id: String,
    /// The day it was sent (its legal date).
    pub sent_on: NaiveDate,
    /// When it was recorded.
    pub sent_at: DateTime<Utc>,
    /// Recorded more than 7 days after `sent_on`.
    pub recorded_late: bool,
    /// The CIS director who sent it.
    pub sent_by: String,
    pub ipzs_ids: Vec<String>,
}

/// A stored list; its persons are the IPZS that point at it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = admission_lists, treat_none_as_default_value = false)]
pub struct AdmissionListRow {
    pub id: String,
    pub cis_id: String,
    pub mopr_id: String,
    pub sent_at: NaiveDateTime,
    pub sent_by: String,
    pub sent_on: NaiveDate,
}

impl AdmissionListRow {
    pub fn into_view(self, ipzs_ids: Vec<String>) -> AdmissionList {
        AdmissionList {
            id: self.id,
            cis_id: self.cis_id,
            mopr_id: self.mopr_id,
            sent_on: self.sent_on,
            recorded_late: crate::foundation::legal_date::recorded_late(self.sent_on, self.sent_at),
            sent_at: self.sent_at.and_utc(),
            sent_by: self.sent_by,
            ipzs_ids,
        }
    }
}
