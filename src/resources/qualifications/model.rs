//! The qualification request and MOPR's answer (seed 000 II.3): types and how a stored record reads.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db::schema::qualifications;
use crate::foundation::error::ApiError;
use crate::resources::ipzs::model::{Channel, IpzsRow, decision_late, request_late};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = qualifications, treat_none_as_default_value = false)]
pub struct QualificationRow {
    pub id: String,
    pub ipzs_id: String,
    pub requested_on: NaiveDate,
    pub requested_by: String,
    pub request_channel: Channel,
    pub decision: Option<QualificationDecision>,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decision_channel: Option<Channel>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

crate::stored_enum! {
    /// MOPR's answer.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum QualificationDecision {
        Qualified,
        NotQualified,
    }
}

/// A request to qualify a participant after the trial month, and MOPR's decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Qualification {
    pub id: String,
    pub ipzs_id: String,
    pub person_id: String,
    pub requested_on: NaiveDate,
    pub request_channel: Channel,
    pub requested_by: String,
    /// The request came after the trial month had ended (accepted, but late; the CIS's deadline shows
    /// `met_late`).
    pub request_late: bool,
    /// The decision must be recorded before this day (the start of the proper period).
    pub decision_due_before: NaiveDate,
    pub decision: Option<QualificationDecision>,
    pub decided_on: Option<NaiveDate>,
    pub decision_channel: Option<Channel>,
    pub decided_by: Option<String>,
    /// The decision came on or after the start of the proper period (possible, but flagged); `null` until decided.
    pub decision_late: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send as `If-Match` with the decision.
    pub version: i32,
}

pub fn view(q: QualificationRow, ipzs: &IpzsRow) -> Result<Qualification, ApiError> {
    let schedule = ipzs.schedule();
    Ok(Qualification {
        request_channel: q.request_channel,
        decision: q.decision,
        decision_channel: q.decision_channel,
        decision_late: q.decided_on.map(|d| decision_late(d, &schedule)),
        request_late: request_late(q.requested_on, &schedule),
        decision_due_before: schedule.proper_period_starts_on,
        person_id: ipzs.person_id.clone(),
        id: q.id,
        ipzs_id: q.ipzs_id,
        requested_on: q.requested_on,
        requested_by: q.requested_by,
        decided_on: q.decided_on,
        decided_by: q.decided_by,
        created_at: q.created_at.and_utc(),
        updated_at: q.updated_at.and_utc(),
        version: q.version,
    })
}
