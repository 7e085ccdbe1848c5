use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{NewPerson, Person, PersonRow};
use super::store::{self, PersonChangeRow, SearchFilter};
use super::{names, pesel};
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::Caller;
use crate::identity::policy::{self, PersonScope};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

/// 409 for a PESEL already in the registry; links the existing record only when the caller may see it.
pub(super) fn duplicate_pesel(
    conn: &mut DbConnection,
    scope: &PersonScope,
    existing: &str,
) -> Result<ApiError, ApiError> {
    let link =
        store::is_visible(conn, scope, existing)?.then(|| format!("/api/v1/persons/{existing}"));
    Ok(ApiError::Conflict {
        code: "duplicate_pesel",
        detail: "a person with this PESEL is already registered".into(),
        existing: link,
    })
}

pub(super) fn change_row(
    caller: &Caller,
    person_id: &str,
    version: i32,
    fields: &[&str],
) -> PersonChangeRow {
    PersonChangeRow {
        id: uuid::Uuid::now_v7().to_string(),
        person_id: person_id.to_owned(),
        version,
        changed_at: db::now(),
        actor_id: caller.id.clone(),
        actor_institution_id: caller.institution_id.clone(),
        fields: fields.join(","),
    }
}

pub(super) fn with_etag(
    status: actix_web::http::StatusCode,
    row: PersonRow,
) -> Result<HttpResponse, ApiError> {
    let view = row.into_view()?;
    Ok(crate::foundation::http::record_response(
        status,
        view.version,
        "/api/v1/persons",
        &view.id,
        &view,
    ))
}

/// Register a person.
///
/// For MOPR, PCPR and NGO casework roles. A PESEL is validated fully (11 digits, check digit, a real date with the
/// century in the month) and gives the birth date and sex when they are omitted; when given they must agree with
/// it. A PESEL already in the registry is a 409 `duplicate_pesel`, whose `existing` link appears only if you may
/// see that record. The registering institution sees the person from then on.
#[utoipa::path(
    tag = "persons",
    operation_id = "create_person",
    security(("bearer_jwt" = [])),
    request_body = NewPerson,
    responses(
        (status = 201, description = "Registered; `Location` names the record and `ETag` carries its version.", body = Person),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/persons")]
pub async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    policy::may_register_person(&caller)?;
    let scope = policy::person_scope(&caller)?;
    let valid = body.validate(state.clock.today())?;
    let institution = caller
        .institution_id
        .clone()
        .ok_or_else(|| ApiError::internal("caller has no institution"))?;
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            if let Some(p) = &valid.pesel
                && let Some(existing) = store::find_id_by_pesel(conn, p)?
            {
                return Err(duplicate_pesel(conn, &scope, &existing)?);
            }
            let now = db::now();
            let row = PersonRow::new(
                uuid::Uuid::now_v7().to_string(),
                valid,
                institution.clone(),
                now,
            );
            store::insert(conn, &row)?;
            store::grant_access(
                conn,
                &row.id,
                &[&institution],
                store::reason::REGISTERED,
                now,
            )?;
            store::insert_change(conn, &change_row(&caller, &row.id, 1, &["created"]))?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "person", &row.id).person(&row.id),
            )?;
            Ok(row)
        })
    })
    .await?;
    with_etag(actix_web::http::StatusCode::CREATED, row)
}

/// Search parameters of the registry; combine freely (AND).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Exact PESEL.
    #[param(pattern = r"^[0-9]{11}$", example = "44051401458")]
    pub pesel: Option<String>,
    /// Prefix of the last name, ignoring case and Polish diacritics: `zolk` finds `Żółkiewski`.
    #[param(min_length = 1, max_length = 100, example = "zolk")]
    pub last_name: Option<String>,
    /// Exact birth date.
    #[param(example = "1944-05-14")]
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub birth_date: Option<NaiveDate>,
}

/// Search persons.
///
/// Lists the persons you may see (MOPR: everyone; other institutions: those they registered or have a case with),
/// ordered by last name, filtered by PESEL, last-name prefix and birth date. Each person returned is audited as read.
#[utoipa::path(
    tag = "persons",
    operation_id = "list_persons",
    security(("bearer_jwt" = [])),
    params(PersonQuery, PageParams),
    responses(
        (status = 200, description = "One page of persons, by last name.", body = Page<Person>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/persons")]
pub async fn list_persons(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PersonQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let q = query.into_inner();
    // Only the format is checked: a well-formed number that is no valid PESEL simply matches nobody.
    if let Some(p) = &q.pesel
        && pesel::parse(p) == Err(pesel::PeselError::Format)
    {
        return Err(ApiError::field(
            "pesel",
            "pesel_format",
            pesel::PeselError::Format.message(),
        ));
    }
    let last_name_prefix = match q.last_name.as_deref().map(names::search_key) {
        Some(key) if key.is_empty() || key.chars().count() > 100 => {
            return Err(ApiError::field(
                "last_name",
                "length",
                "last_name must be 1 to 100 characters",
            ));
        }
        other => other,
    };
    let filter = SearchFilter {
        pesel: q.pesel,
        last_name_prefix,
        birth_date: q.birth_date,
    };
    let limit = page.limit;
    let mut rows = audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let rows = store::search(conn, &scope, &filter, &page)?;
            trail.listed(
                &caller,
                "person",
                rows.iter()
                    .take(limit as usize)
                    .map(|r| (r.id.as_str(), r.id.as_str())),
            );
            Ok(rows)
        },
    )
    .await?;
    let next_cursor = take_page(&mut rows, limit, store::cursor_of);
    let items = rows
        .into_iter()
        .map(PersonRow::into_view)
        .collect::<Result<Vec<Person>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Get a person.
///
/// 404 when the person does not exist or is not visible to your institution.
#[utoipa::path(
    tag = "persons",
    operation_id = "get_person",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The person's id.")),
    responses(
        (status = 200, description = "The person; `ETag` carries the version.", body = Person),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/persons/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::person_scope(&caller)?;
    let id = id.into_inner();
    let (pg_scope, pg_id) = (scope.clone(), id.clone());
    let found = db::lookup_unchecked(
        &state.pool,
        move |conn| store::get_visible(conn, &scope, &id),
        move |conn| Box::pin(store::get_visible_pg(conn, pg_scope, pg_id)),
    )
    .await
    .and_then(|row| row.ok_or_else(|| ApiError::not_found("person")));
    let row = audit::group::settle(&state.audit, caller.principal(), found, |row, trail| {
        trail.read(
            &caller,
            Entry::new(Action::Read, "person", &row.id).person(&row.id),
        )
    })
    .await?;
    with_etag(actix_web::http::StatusCode::OK, row)
}
