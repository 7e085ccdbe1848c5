//! The API's document types: the upload's metadata and multipart body, and a document as answered.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access::CASE_TYPES;
use super::store::DocumentRow;
use crate::foundation::error::ApiError;

pub(super) const COLLECTION: &str = "/api/v1/documents";

/// Largest `metadata` part read.
pub(super) const METADATA_LIMIT: usize = 16 * 1024;

/// The kinds of case a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentCaseType {
    Person,
    ReferralApplication,
    Ipzs,
    DpsApplication,
}

impl DocumentCaseType {
    const ALL: [DocumentCaseType; 4] = [
        Self::Person,
        Self::ReferralApplication,
        Self::Ipzs,
        Self::DpsApplication,
    ];

    pub fn as_str(self) -> &'static str {
        CASE_TYPES[self as usize]
    }

    fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The `metadata` part of an upload: what the file is and which case it belongs to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"case_type": "dps_application", "case_id": "0193…", "kind": "medical_certificate",
    "title": "Zaświadczenie lekarskie", "received_on": "2026-12-01"}))]
pub struct NewDocumentMetadata {
    pub case_type: DocumentCaseType,
    #[schema(min_length = 1, max_length = 64)]
    pub case_id: String,
    /// Every case takes `consent`, `community_interview`, `ipzs_signed` and `other`; a DPS case also takes the
    /// checklist codes (`medical_certificate`, `income_documents`, `court_order`, …). Another kind is 422.
    #[schema(min_length = 1, max_length = 64)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// The day the document reached the institution: not in the future, not before 2000. Today in
    /// Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub received_on: Option<NaiveDate>,
}

/// The multipart body of an upload: `metadata` first (JSON), then `file`.
// Deserialize only for `deny_unknown_fields`, which states `additionalProperties: false`: no other part is taken.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"metadata": {"case_type": "dps_application", "case_id": "0193…", "kind": "medical_certificate",
    "title": "Zaświadczenie lekarskie", "received_on": "2026-12-01"}, "file": "%PDF-1.7 …"}))]
#[allow(dead_code)]
pub struct DocumentUpload {
    pub metadata: NewDocumentMetadata,
    /// The file: PDF, JPEG, PNG, TIFF or HEIC, recognised by its content; at most `REINTEGRA_DOCUMENT_MAX_BYTES`
    /// (20 MiB by default).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Who filed a document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FiledBy {
    pub institution_id: String,
    pub user_id: String,
}

/// A filed document's metadata; its bytes are at `GET /api/v1/documents/{id}/content`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: String,
    pub case_type: DocumentCaseType,
    pub case_id: String,
    pub person_id: String,
    pub kind: String,
    pub title: String,
    /// The name the file was uploaded with (its last path segment).
    pub filename: String,
    /// Detected from the content: `application/pdf`, `image/jpeg`, `image/png`, `image/tiff` or `image/heic`.
    pub content_type: String,
    /// Bytes.
    #[schema(minimum = 1)]
    pub size: i64,
    /// SHA-256 of the content, lowercase hex; the content's `ETag` is derived from it.
    pub sha256: String,
    pub received_on: NaiveDate,
    pub filed_by: FiledBy,
    pub recorded_at: DateTime<Utc>,
    /// Send as `If-Match` to withdraw it.
    pub version: i32,
}

pub(super) fn view(r: DocumentRow) -> Result<Document, ApiError> {
    let case_type = DocumentCaseType::from_stored(&r.case_type)
        .ok_or_else(|| ApiError::internal(format!("document case type {}", r.case_type)))?;
    Ok(Document {
        case_type,
        filed_by: FiledBy {
            institution_id: r.filed_by_institution_id,
            user_id: r.filed_by_user_id,
        },
        recorded_at: r.recorded_at.and_utc(),
        id: r.id,
        case_id: r.case_id,
        person_id: r.person_id,
        kind: r.kind,
        title: r.title,
        filename: r.filename,
        content_type: r.content_type,
        size: r.size,
        sha256: r.sha256,
        received_on: r.received_on,
        version: r.version,
    })
}

pub(super) fn multipart_error(detail: &str) -> ApiError {
    ApiError::BadRequest {
        code: "malformed_multipart",
        detail: detail.to_owned(),
    }
}
