//! The inbox feed: everything a procedure forwards to an institution ("przekazuje niezwłocznie do CIS"), in
//! order. Events are written in the same transaction as the change that causes them, so none is lost and none
//! exists for a change that did not happen. Writers take no lock. The feed is ordered by (writing transaction id,
//! `seq`): on SQLite the single writer makes that the commit order (the txid is 0); on PostgreSQL a read delivers
//! only events of transactions older than the oldest one still running (the snapshot's xmin), and every later
//! commit has a larger txid, so a reader polling with its last cursor never skips or repeats an event. The price
//! is delivery latency, never loss: an event waits until the transactions older than its own have ended.

pub mod api;
pub mod store;

use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;

crate::stored_enum! {
    /// The kinds of event, as `type` in the feed and in webhook subscriptions.
    pub enum EventType {
        #[serde(rename = "application.submitted")]
        #[strum(serialize = "application.submitted")]
        ApplicationSubmitted,
        #[serde(rename = "application.withdrawn")]
        #[strum(serialize = "application.withdrawn")]
        ApplicationWithdrawn,
        #[serde(rename = "opinion.issued")]
        #[strum(serialize = "opinion.issued")]
        OpinionIssued,
        #[serde(rename = "referral.issued")]
        #[strum(serialize = "referral.issued")]
        ReferralIssued,
        #[serde(rename = "referral.refused")]
        #[strum(serialize = "referral.refused")]
        ReferralRefused,
        #[serde(rename = "ipzs.signed")]
        #[strum(serialize = "ipzs.signed")]
        IpzsSigned,
        #[serde(rename = "admission_list.sent")]
        #[strum(serialize = "admission_list.sent")]
        AdmissionListSent,
        #[serde(rename = "qualification.requested")]
        #[strum(serialize = "qualification.requested")]
        QualificationRequested,
        #[serde(rename = "qualification.decided")]
        #[strum(serialize = "qualification.decided")]
        QualificationDecided,
        #[serde(rename = "ipzs.non_qualification_letter_sent")]
        #[strum(serialize = "ipzs.non_qualification_letter_sent")]
        NonQualificationLetterSent,
        #[serde(rename = "ipzs.terminated")]
        #[strum(serialize = "ipzs.terminated")]
        IpzsTerminationNotice,
        #[serde(rename = "ipzs.completed")]
        #[strum(serialize = "ipzs.completed")]
        IpzsCompleted,
        #[serde(rename = "ipzs.insurance_recorded")]
        #[strum(serialize = "ipzs.insurance_recorded")]
        InsuranceRecorded,
        #[serde(rename = "dps_application.submitted")]
        #[strum(serialize = "dps_application.submitted")]
        DpsApplicationSubmitted,
        #[serde(rename = "dps_application.decided")]
        #[strum(serialize = "dps_application.decided")]
        DpsDecisionIssued,
        #[serde(rename = "dps_application.sko_decided")]
        #[strum(serialize = "dps_application.sko_decided")]
        DpsSkoDecided,
        #[serde(rename = "waiting_list.entered")]
        #[strum(serialize = "waiting_list.entered")]
        WaitingListEntered,
        #[serde(rename = "waiting_list.left")]
        #[strum(serialize = "waiting_list.left")]
        WaitingListLeft,
        /// A case document was filed (no content in the event; fetch its metadata and content).
        #[serde(rename = "document.filed")]
        #[strum(serialize = "document.filed")]
        DocumentFiled,
        /// A case document was withdrawn; its content is gone.
        #[serde(rename = "document.withdrawn")]
        #[strum(serialize = "document.withdrawn")]
        DocumentWithdrawn,
        #[serde(rename = "placement.decided")]
        #[strum(serialize = "placement.decided")]
        PlacementDecided,
    }
}

/// Appends one event per recipient (duplicates among recipients are sent once). Call inside the write
/// transaction of the change.
pub fn emit(
    conn: &mut DbConnection,
    event_type: EventType,
    resource_type: &str,
    resource_id: &str,
    recipients: &[&str],
) -> Result<(), ApiError> {
    emit_act(
        conn,
        event_type,
        resource_type,
        resource_id,
        recipients,
        None,
    )
}

/// [`emit`] for an act of a procedure: the event carries the act's legal date beside the moment it was recorded.
pub fn emit_act(
    conn: &mut DbConnection,
    event_type: EventType,
    resource_type: &str,
    resource_id: &str,
    recipients: &[&str],
    legal_date: Option<chrono::NaiveDate>,
) -> Result<(), ApiError> {
    let mut seen: Vec<&str> = Vec::new();
    for r in recipients {
        if !seen.contains(r) {
            seen.push(r);
        }
    }
    store::append(
        conn,
        event_type.as_str(),
        resource_type,
        resource_id,
        &seen,
        legal_date,
    )
}

/// The API path of a resource named in an event.
pub fn link(resource_type: &str, resource_id: &str) -> String {
    let collection = match resource_type {
        "referral_application" => "referral-applications",
        "opinion" => "opinions",
        "referral" => "referrals",
        "ipzs" => "ipzs",
        "qualification" => "qualifications",
        "admission_list" => "admission-lists",
        "dps_application" => "dps-applications",
        "waiting_list_entry" => "waiting-list-entries",
        "document" => "documents",
        other => other,
    };
    format!("/api/v1/{collection}/{resource_id}")
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_events);
}
