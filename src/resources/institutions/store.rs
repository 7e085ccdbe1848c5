use diesel::prelude::*;

use super::model::InstitutionRow;
use crate::foundation::db::schema::institutions;
use crate::foundation::db::{AsyncPgConnection, Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::PageRequest;
use crate::identity::{Caller, InstitutionKind};

pub fn insert(conn: &mut DbConnection, row: &InstitutionRow) -> Result<(), ApiError> {
    let exists = institutions::table
        .filter(institutions::name.eq(&row.name))
        .select(institutions::id)
        .get_result::<String>(conn)
        .optional()?;
    if let Some(id) = exists {
        return Err(ApiError::Conflict {
            code: "duplicate_institution_name",
            detail: "an institution with this name is already registered".into(),
            existing: Some(format!("/api/v1/institutions/{id}")),
        });
    }
    diesel::insert_into(institutions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<InstitutionRow>, ApiError> {
    // Every institution-scoped check reads this row: on the inner connection (see `per_backend!`).
    Ok(crate::per_backend!(conn, c => institutions::table
        .find(id)
        .select(InstitutionRow::as_select())
        .get_result(c)
        .optional())?)
}

/// [`get`] on an HTTP worker's PostgreSQL connection ([`crate::foundation::db::lookup_as`]).
pub async fn get_pg(
    mut conn: &AsyncPgConnection,
    id: String,
) -> QueryResult<Option<InstitutionRow>> {
    let query = institutions::table
        .find(&id)
        .select(InstitutionRow::as_select());
    diesel_async::RunQueryDsl::get_result(query, &mut conn)
        .await
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    kind: Option<InstitutionKind>,
    page: &PageRequest,
) -> Result<Vec<InstitutionRow>, ApiError> {
    let mut q = institutions::table
        .select(InstitutionRow::as_select())
        .into_boxed::<Backend>();
    if let Some(k) = kind {
        q = q.filter(institutions::kind.eq(k.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(institutions::id.gt(after));
    }
    Ok(q.order(institutions::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

/// The MOPR that will decide: the filer itself, the one named, or the only one the platform has.
pub fn resolve_mopr(
    conn: &mut DbConnection,
    caller: &Caller,
    named: Option<&str>,
) -> Result<String, ApiError> {
    if caller.is_kind(InstitutionKind::Mopr) {
        return caller.institution();
    }
    let unknown = || ApiError::field("mopr_id", "not_a_mopr", "mopr_id must name a MOPR");
    if let Some(id) = named {
        let inst = get(conn, id)?.ok_or_else(unknown)?;
        return if inst.kind()? == InstitutionKind::Mopr {
            Ok(inst.id)
        } else {
            Err(unknown())
        };
    }
    let page = crate::foundation::pagination::PageRequest {
        limit: 2,
        after: None,
    };
    let moprs = list(conn, Some(InstitutionKind::Mopr), &page)?;
    match moprs.as_slice() {
        [only] => Ok(only.id.clone()),
        _ => Err(ApiError::field(
            "mopr_id",
            "required",
            "name the MOPR that should decide",
        )),
    }
}
