use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::PersonRow;
use crate::foundation::db::schema::{person_access, person_changes, persons};
use crate::foundation::db::{AsyncPgConnection, Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::stale;
use crate::foundation::pagination::PageRequest;
use crate::identity::policy::PersonScope;

/// Why an institution may see a person.
pub mod reason {
    pub const REGISTERED: &str = "registered";
}

pub fn find_id_by_pesel(conn: &mut DbConnection, pesel: &str) -> Result<Option<String>, ApiError> {
    Ok(persons::table
        .filter(persons::pesel.eq(pesel))
        .select(persons::id)
        .get_result(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &PersonRow) -> Result<(), ApiError> {
    diesel::insert_into(persons::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Lets these institutions see a person from now on; idempotent.
pub fn grant_access(
    conn: &mut DbConnection,
    person_id: &str,
    institutions: &[&str],
    why: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let rows: Vec<_> = institutions
        .iter()
        .map(|institution_id| {
            (
                person_access::person_id.eq(person_id),
                person_access::institution_id.eq(*institution_id),
                person_access::reason.eq(why),
                person_access::granted_at.eq(now),
            )
        })
        .collect();
    // One statement for all of them, whether or not a grant exists already (the primary key is institution,
    // person, reason).
    let rows = rows.as_slice();
    crate::exact_rows!(rows => crate::per_backend!(conn, c => diesel::insert_into(person_access::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(c)))?;
    Ok(())
}

pub fn is_visible(
    conn: &mut DbConnection,
    scope: &PersonScope,
    person_id: &str,
) -> Result<bool, ApiError> {
    match scope {
        PersonScope::All => Ok(true),
        PersonScope::Institution(inst) => Ok(person_access::table
            .filter(person_access::institution_id.eq(inst))
            .filter(person_access::person_id.eq(person_id))
            .count()
            .get_result::<i64>(conn)?
            > 0),
    }
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<PersonRow>, ApiError> {
    // On the inner connection: see `per_backend!`.
    Ok(crate::per_backend!(conn, c => persons::table
        .find(id)
        .select(PersonRow::as_select())
        .get_result(c)
        .optional())?)
}

/// The query of [`get_visible`] for an institution's scope, shared with [`get_visible_pg`].
macro_rules! visible_to {
    ($inst:expr, $id:expr) => {
        persons::table
            .filter(persons::id.eq($id))
            .filter(diesel::dsl::exists(
                person_access::table
                    .filter(person_access::institution_id.eq($inst))
                    .filter(person_access::person_id.eq(persons::id)),
            ))
            .select(PersonRow::as_select())
    };
}

/// The person, if it exists and the scope may see it; `None` either way otherwise.
pub fn get_visible(
    conn: &mut DbConnection,
    scope: &PersonScope,
    id: &str,
) -> Result<Option<PersonRow>, ApiError> {
    // One statement, not a lookup and then an access check: this is the hottest read of the API.
    match scope {
        PersonScope::All => get(conn, id),
        // On the inner connection: see `per_backend!`.
        PersonScope::Institution(inst) => Ok(crate::per_backend!(conn, c => visible_to!(inst, id)
            .get_result(c)
            .optional())?),
    }
}

/// [`get_visible`] on an HTTP worker's PostgreSQL connection ([`crate::foundation::db::lookup_unchecked`]).
pub async fn get_visible_pg(
    mut conn: &AsyncPgConnection,
    scope: PersonScope,
    id: String,
) -> QueryResult<Option<PersonRow>> {
    match &scope {
        PersonScope::All => {
            let query = persons::table.find(&id).select(PersonRow::as_select());
            diesel_async::RunQueryDsl::get_result(query, &mut conn)
                .await
                .optional()
        }
        PersonScope::Institution(inst) => {
            diesel_async::RunQueryDsl::get_result(visible_to!(inst, &id), &mut conn)
                .await
                .optional()
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct SearchFilter {
    pub pesel: Option<String>,
    /// Folded prefix of the last name.
    pub last_name_prefix: Option<String>,
    pub birth_date: Option<NaiveDate>,
}

/// Cursor positions are (last_name_key, id); the id (a UUID) never contains the separator.
pub fn cursor_of(row: &PersonRow) -> String {
    format!("{}\t{}", row.last_name_key, row.id)
}

/// Visible persons matching the filter, in (last name, id) order; `limit + 1` rows.
pub fn search(
    conn: &mut DbConnection,
    scope: &PersonScope,
    filter: &SearchFilter,
    page: &PageRequest,
) -> Result<Vec<PersonRow>, ApiError> {
    let mut q = persons::table
        .select(PersonRow::as_select())
        .into_boxed::<Backend>();
    if let PersonScope::Institution(inst) = scope {
        q = q.filter(
            persons::id.eq_any(
                person_access::table
                    .filter(person_access::institution_id.eq(inst.clone()))
                    .select(person_access::person_id),
            ),
        );
    }
    if let Some(p) = &filter.pesel {
        q = q.filter(persons::pesel.eq(p.clone()));
    }
    if let Some(prefix) = &filter.last_name_prefix {
        q = q.filter(persons::last_name_key.ge(prefix.clone()));
        if let Some(upper) = super::names::prefix_upper_bound(prefix) {
            q = q.filter(persons::last_name_key.lt(upper));
        }
    }
    if let Some(d) = filter.birth_date {
        q = q.filter(persons::birth_date.eq(d));
    }
    if let Some(after) = &page.after {
        let (key, id) = after
            .rsplit_once('\t')
            .ok_or_else(|| ApiError::BadRequest {
                code: "invalid_cursor",
                detail: "the cursor is not one this list issued".into(),
            })?;
        q = q.filter(
            persons::last_name_key
                .gt(key.to_owned())
                .or(persons::last_name_key
                    .eq(key.to_owned())
                    .and(persons::id.gt(id.to_owned()))),
        );
    }
    Ok(q.order((persons::last_name_key.asc(), persons::id.asc()))
        .limit(page.limit + 1)
        .load(conn)?)
}

/// Writes the new state if the stored version is still `expected_version`; 412 otherwise.
pub fn update(
    conn: &mut DbConnection,
    row: &PersonRow,
    expected_version: i32,
) -> Result<(), ApiError> {
    let updated = diesel::update(
        persons::table
            .filter(persons::id.eq(&row.id))
            .filter(persons::version.eq(expected_version)),
    )
    .set((
        persons::first_name.eq(&row.first_name),
        persons::last_name.eq(&row.last_name),
        persons::last_name_key.eq(&row.last_name_key),
        persons::pesel.eq(&row.pesel),
        persons::birth_date.eq(row.birth_date),
        persons::sex.eq(&row.sex),
        persons::residence_address.eq(&row.residence_address),
        persons::stay_address.eq(&row.stay_address),
        persons::phone.eq(&row.phone),
        persons::email.eq(&row.email),
        persons::updated_at.eq(row.updated_at),
        persons::version.eq(row.version),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(stale("person"));
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = person_changes, treat_none_as_default_value = false)]
pub struct PersonChangeRow {
    pub id: String,
    pub person_id: String,
    pub version: i32,
    pub changed_at: NaiveDateTime,
    pub actor_id: String,
    pub actor_institution_id: Option<String>,
    pub fields: String,
}

pub fn insert_change(conn: &mut DbConnection, change: &PersonChangeRow) -> Result<(), ApiError> {
    diesel::insert_into(person_changes::table)
        .values(change)
        .execute(conn)?;
    Ok(())
}

pub fn changes(
    conn: &mut DbConnection,
    person_id: &str,
    page: &PageRequest,
) -> Result<Vec<PersonChangeRow>, ApiError> {
    let mut q = person_changes::table
        .filter(person_changes::person_id.eq(person_id.to_owned()))
        .select(PersonChangeRow::as_select())
        .into_boxed::<Backend>();
    if let Some(after) = &page.after {
        q = q.filter(person_changes::id.gt(after.clone()));
    }
    Ok(q.order(person_changes::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}
