//! The admission list (lista osób przyjętych, seed 000 II.1): what the CIS director sends MOPR.

use chrono::{DateTime, NaiveDateTime, Utc};
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
}

/// A list of persons admitted, as sent to MOPR.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdmissionList {
    pub id: String,
    pub cis_id: String,
    pub mopr_id: String,
    pub sent_at: DateTime<Utc>,
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
}

impl AdmissionListRow {
    pub fn into_view(self, ipzs_ids: Vec<String>) -> AdmissionList {
        AdmissionList {
            id: self.id,
            cis_id: self.cis_id,
            mopr_id: self.mopr_id,
            sent_at: self.sent_at.and_utc(),
            sent_by: self.sent_by,
            ipzs_ids,
        }
    }
}
