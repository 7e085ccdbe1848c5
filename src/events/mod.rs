//! The inbox feed: everything a procedure forwards to an institution ("przekazuje niezwłocznie do CIS"), in
//! order. Events are written in the same transaction as the change that causes them, so none is lost and none
//! exists for a change that did not happen. Writers take no lock. The feed is ordered by (writing transaction id,
//! `seq`): on SQLite the single writer makes that the commit order (the txid is 0); on PostgreSQL a read delivers
//! only events of transactions older than the oldest one still running (the snapshot's xmin), and every later
//! commit has a larger txid, so a reader polling with its last cursor never skips or repeats an event. The price
//! is delivery latency, never loss: an event waits until the transactions older than its own have ended.

pub mod api;
pub mod store;

use crate::db::DbConnection;
use crate::error::ApiError;

/// The kinds of event, as `type` in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    ApplicationSubmitted,
    ApplicationWithdrawn,
    OpinionIssued,
    ReferralIssued,
    ReferralRefused,
    IpzsSigned,
    AdmissionListSent,
    QualificationRequested,
    QualificationDecided,
    NonQualificationLetterSent,
    IpzsTerminationNotice,
    IpzsCompleted,
    InsuranceRecorded,
    DpsApplicationSubmitted,
    DpsDecisionIssued,
    DpsSkoDecided,
    WaitingListEntered,
    WaitingListLeft,
    PlacementDecided,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ApplicationSubmitted => "application.submitted",
            EventType::ApplicationWithdrawn => "application.withdrawn",
            EventType::OpinionIssued => "opinion.issued",
            EventType::ReferralIssued => "referral.issued",
            EventType::ReferralRefused => "referral.refused",
            EventType::IpzsSigned => "ipzs.signed",
            EventType::AdmissionListSent => "admission_list.sent",
            EventType::QualificationRequested => "qualification.requested",
            EventType::QualificationDecided => "qualification.decided",
            EventType::NonQualificationLetterSent => "ipzs.non_qualification_letter_sent",
            EventType::IpzsTerminationNotice => "ipzs.terminated",
            EventType::IpzsCompleted => "ipzs.completed",
            EventType::InsuranceRecorded => "ipzs.insurance_recorded",
            EventType::DpsApplicationSubmitted => "dps_application.submitted",
            EventType::DpsDecisionIssued => "dps_application.decided",
            EventType::DpsSkoDecided => "dps_application.sko_decided",
            EventType::WaitingListEntered => "waiting_list.entered",
            EventType::WaitingListLeft => "waiting_list.left",
            EventType::PlacementDecided => "placement.decided",
        }
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
    let mut seen: Vec<&str> = Vec::new();
    for r in recipients {
        if !seen.contains(r) {
            seen.push(r);
        }
    }
    store::append(conn, event_type.as_str(), resource_type, resource_id, &seen)
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
        other => other,
    };
    format!("/api/v1/{collection}/{resource_id}")
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_events);
}
