//! The queries of documents and their content chunks.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::foundation::db::schema::{document_chunks, documents};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::PageRequest;

/// The size of a content row: large enough that a 20 MiB file is 80 rows, small enough that neither an upload
/// nor a download holds more than one in memory per request.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// While its chunks arrive; invisible to every read.
pub const FILING: &str = "filing";
pub const FILED: &str = "filed";
pub const WITHDRAWN: &str = "withdrawn";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents, treat_none_as_default_value = false)]
pub struct DocumentRow {
    pub id: String,
    pub case_type: String,
    pub case_id: String,
    pub person_id: String,
    pub kind: String,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub received_on: NaiveDate,
    pub filed_by_institution_id: String,
    pub filed_by_user_id: String,
    pub status: String,
    pub recorded_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<String>,
    pub withdrawal_reason: Option<String>,
    pub version: i32,
}

pub fn insert(conn: &mut DbConnection, row: &DocumentRow) -> Result<(), ApiError> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_chunk(
    conn: &mut DbConnection,
    document_id: &str,
    seq: i32,
    data: &[u8],
) -> Result<(), ApiError> {
    diesel::insert_into(document_chunks::table)
        .values((
            document_chunks::document_id.eq(document_id),
            document_chunks::seq.eq(seq),
            document_chunks::data.eq(data),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a staged upload filed with what its content turned out to be.
pub fn mark_filed(
    conn: &mut DbConnection,
    id: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
) -> Result<(), ApiError> {
    diesel::update(
        documents::table
            .find(id)
            .filter(documents::status.eq(FILING)),
    )
    .set((
        documents::status.eq(FILED),
        documents::content_type.eq(content_type),
        documents::size.eq(size),
        documents::sha256.eq(sha256),
    ))
    .execute(conn)?;
    Ok(())
}

/// Removes a document's content, and the document itself when it never became filed.
pub fn discard(conn: &mut DbConnection, id: &str) -> Result<(), ApiError> {
    diesel::delete(document_chunks::table.filter(document_chunks::document_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        documents::table
            .find(id)
            .filter(documents::status.eq(FILING)),
    )
    .execute(conn)?;
    Ok(())
}

/// A filed or withdrawn document.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<DocumentRow>, ApiError> {
    Ok(documents::table
        .find(id)
        .filter(documents::status.ne(FILING))
        .select(DocumentRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The filed documents of a case, newest first; `filed_by` limits them to one institution's.
pub fn list(
    conn: &mut DbConnection,
    case_type: &str,
    case_id: &str,
    kind: Option<&str>,
    filed_by: Option<&str>,
    page: &PageRequest,
) -> Result<Vec<DocumentRow>, ApiError> {
    let mut q = documents::table
        .select(DocumentRow::as_select())
        .filter(documents::case_id.eq(case_id.to_owned()))
        .filter(documents::case_type.eq(case_type.to_owned()))
        .filter(documents::status.eq(FILED))
        .into_boxed::<Backend>();
    if let Some(k) = kind {
        q = q.filter(documents::kind.eq(k.to_owned()));
    }
    if let Some(inst) = filed_by {
        q = q.filter(documents::filed_by_institution_id.eq(inst.to_owned()));
    }
    if let Some(before) = &page.after {
        q = q.filter(documents::id.lt(before.clone()));
    }
    Ok(q.order(documents::id.desc())
        .limit(page.limit + 1)
        .load(conn)?)
}

/// One content row.
pub fn chunk(
    conn: &mut DbConnection,
    document_id: &str,
    seq: i32,
) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(document_chunks::table
        .find((document_id, seq))
        .select(document_chunks::data)
        .get_result(conn)
        .optional()?)
}

/// Whether a filed (not withdrawn) document of this case has this id.
pub fn is_filed_on(
    conn: &mut DbConnection,
    case_type: &str,
    case_id: &str,
    id: &str,
) -> Result<bool, ApiError> {
    let found: i64 = documents::table
        .filter(documents::id.eq(id))
        .filter(documents::case_type.eq(case_type))
        .filter(documents::case_id.eq(case_id))
        .filter(documents::status.eq(FILED))
        .count()
        .get_result(conn)?;
    Ok(found == 1)
}

/// Withdraws a filed document if its version is still `expected`: the content is deleted in the same
/// transaction, the metadata (with the hash) stays for the audit.
pub fn withdraw(
    conn: &mut DbConnection,
    id: &str,
    expected: i32,
    by: &str,
    reason: &str,
    at: NaiveDateTime,
) -> Result<bool, ApiError> {
    let updated = diesel::update(
        documents::table
            .find(id)
            .filter(documents::status.eq(FILED))
            .filter(documents::version.eq(expected)),
    )
    .set((
        documents::status.eq(WITHDRAWN),
        documents::withdrawn_at.eq(at),
        documents::withdrawn_by.eq(by),
        documents::withdrawal_reason.eq(reason),
        documents::version.eq(expected + 1),
    ))
    .execute(conn)?;
    if updated == 1 {
        diesel::delete(document_chunks::table.filter(document_chunks::document_id.eq(id)))
            .execute(conn)?;
    }
    Ok(updated == 1)
}

/// Uploads left `filing` since before `cutoff` (their process died or their connection was cut): their ids.
pub fn stale_uploads(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
) -> Result<Vec<String>, ApiError> {
    Ok(documents::table
        .filter(documents::status.eq(FILING))
        .filter(documents::recorded_at.lt(cutoff))
        .select(documents::id)
        .load(conn)?)
}
