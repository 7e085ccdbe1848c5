use diesel::prelude::*;

use super::model::{IpzsRow, IpzsStatus};
use crate::foundation::db::schema::ipzs;
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;
use crate::identity::Caller;
use crate::identity::policy;

/// Inserts a new IPZS and its obligations.
pub fn insert(conn: &mut DbConnection, row: &IpzsRow) -> Result<(), ApiError> {
    diesel::insert_into(ipzs::table).values(row).execute(conn)?;
    crate::resources::deadlines::store::sync_ipzs(conn, row)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<IpzsRow>, ApiError> {
    Ok(ipzs::table
        .find(id)
        .select(IpzsRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_by_referral(
    conn: &mut DbConnection,
    referral_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(ipzs::table
        .filter(ipzs::referral_id.eq(referral_id))
        .select(ipzs::id)
        .get_result(conn)
        .optional()?)
}

/// The IPZS if the caller may see it (its MOPR or its CIS), else 404.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<IpzsRow, ApiError> {
    get(conn, id)?
        .filter(|r| policy::sees_ipzs(caller, &r.mopr_id, &r.cis_id))
        .ok_or_else(|| ApiError::not_found("IPZS"))
}

/// Writes `next` if the stored version is still `expected`; `next.version` must be `expected + 1`. Its obligations
/// follow in the same transaction.
pub fn save(conn: &mut DbConnection, next: &IpzsRow, expected: i32) -> Result<(), ApiError> {
    let updated = diesel::update(
        ipzs::table
            .filter(ipzs::id.eq(&next.id))
            .filter(ipzs::version.eq(expected)),
    )
    .set(next)
    .execute(conn)?;
    if updated == 0 {
        return Err(stale("IPZS"));
    }
    crate::resources::deadlines::store::sync_ipzs(conn, next)
}

/// Every IPZS of an institution (as MOPR or CIS); used by the deadline view.
pub fn all_of(conn: &mut DbConnection, institution_id: &str) -> Result<Vec<IpzsRow>, ApiError> {
    Ok(ipzs::table
        .filter(
            ipzs::mopr_id
                .eq(institution_id)
                .or(ipzs::cis_id.eq(institution_id)),
        )
        .select(IpzsRow::as_select())
        .order(ipzs::id.asc())
        .load(conn)?)
}

pub fn list(
    conn: &mut DbConnection,
    institution_id: &str,
    status: Option<IpzsStatus>,
    person_id: Option<&str>,
    recorded_late: Option<bool>,
    page: &PageRequest,
) -> Result<Vec<IpzsRow>, ApiError> {
    let inst = institution_id.to_owned();
    let mut q = ipzs::table
        .select(IpzsRow::as_select())
        .filter(ipzs::mopr_id.eq(inst.clone()).or(ipzs::cis_id.eq(inst)))
        .into_boxed::<Backend>();
    if let Some(s) = status {
        q = q.filter(ipzs::status.eq(s));
    }
    if let Some(p) = person_id {
        q = q.filter(ipzs::person_id.eq(p.to_owned()));
    }
    if let Some(late) = recorded_late {
        q = q.filter(ipzs::recorded_late.eq(late));
    }
    if let Some(after) = &page.after {
        q = q.filter(ipzs::id.gt(after.clone()));
    }
    Ok(q.order(ipzs::id.asc()).limit(page.limit + 1).load(conn)?)
}

/// The person's programme in `trial` or `active`, if any (there is at most one; a partial unique index keeps it so).
pub fn running_of_person(
    conn: &mut DbConnection,
    person_id: &str,
) -> Result<Option<IpzsRow>, ApiError> {
    Ok(ipzs::table
        .filter(ipzs::person_id.eq(person_id))
        .filter(ipzs::status.eq_any([IpzsStatus::Trial, IpzsStatus::Active]))
        .select(IpzsRow::as_select())
        .get_result(conn)
        .optional()?)
}
