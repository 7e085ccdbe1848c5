use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{NewPerson, Person, PersonChange, PersonPatch, PersonRow};
use super::store::{self, PersonChangeRow, SearchFilter};
use super::{names, pesel};
use crate::AppState;
use crate::audit::{self, Action, Entry};
use crate::auth::Caller;
use crate::auth::policy::{self, PersonScope};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::http::{IfMatch, stale};
use crate::pagination::{Page, PageParams, take_page};

/// 409 for a PESEL already in the registry; links the existing record only when the caller may see it.
fn duplicate_pesel(
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

fn change_row(caller: &Caller, person_id: &str, version: i32, fields: &[&str]) -> PersonChangeRow {
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

fn with_etag(
    status: actix_web::http::StatusCode,
    row: PersonRow,
) -> Result<HttpResponse, ApiError> {
    let view = row.into_view()?;
    Ok(crate::http::record_response(
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
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/persons")]
pub async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    policy::may_register_person(&caller)?;
    let scope = policy::person_scope(&caller)?;
    let valid = body.validate(state.clock.today())?;
    let institution = caller
        .institution_id
        .clone()
        .ok_or_else(|| ApiError::internal("caller has no institution"))?;
    let row = db::run(&state.pool, move |conn| {
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
            store::grant_access(conn, &row.id, &institution, store::reason::REGISTERED, now)?;
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
    #[param(pattern = r"^\d{11}$", example = "44051401458")]
    pub pesel: Option<String>,
    /// Prefix of the last name, ignoring case and Polish diacritics: `zolk` finds `Żółkiewski`.
    #[param(min_length = 1, max_length = 100, example = "zolk")]
    pub last_name: Option<String>,
    /// Exact birth date.
    #[param(example = "1944-05-14")]
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
        (status = 400, response = crate::openapi::BadRequest),
        (status = 422, response = crate::openapi::UnprocessableContent),
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
    let rows = db::run(&state.pool, move |conn| {
        let rows = store::search(conn, &scope, &filter, &page)?;
        if !rows.is_empty() {
            db::write_tx(conn, |conn| {
                for row in rows.iter().take(limit as usize) {
                    audit::record(
                        conn,
                        &caller,
                        Entry::new(Action::List, "person", &row.id).person(&row.id),
                    )?;
                }
                Ok(())
            })?;
        }
        Ok(rows)
    })
    .await?;
    let mut rows = rows;
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
        (status = 404, response = crate::openapi::NotFound),
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
    let row = db::run(&state.pool, move |conn| {
        let row =
            store::get_visible(conn, &scope, &id)?.ok_or_else(|| ApiError::not_found("person"))?;
        audit::record(
            conn,
            &caller,
            Entry::new(Action::Read, "person", &row.id).person(&row.id),
        )?;
        Ok(row)
    })
    .await?;
    with_etag(actix_web::http::StatusCode::OK, row)
}

/// Update a person.
///
/// A JSON merge patch (RFC 7396; `application/json` or `application/merge-patch+json`): fields you send are set,
/// `null` clears an optional field, others stay. The whole record is validated again. Requires `If-Match` with the
/// ETag you read (428 without it, 412 if it changed since). MOPR may correct any record; another institution only
/// the records it registered. Which fields changed, by whom and when, is kept (`GET …/changes`).
#[utoipa::path(
    tag = "persons",
    operation_id = "update_person",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The person's id."),
        ("If-Match" = String, Header, description = "The ETag of the record as last read, e.g. `\"1\"`.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = PersonPatch,
    responses(
        (status = 200, description = "Updated; `ETag` carries the new version.", body = Person),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[patch("/persons/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: web::Json<PersonPatch>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::person_scope(&caller)?;
    let expected = if_match.required()?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let today = state.clock.today();
    let row = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let current = store::get_visible(conn, &scope, &id)?
                .ok_or_else(|| ApiError::not_found("person"))?;
            policy::may_update_person(&caller, &current.registered_by_institution_id)?;
            if current.version != expected {
                return Err(stale("person"));
            }
            let (next, changed) = patch.apply(&current.valid()?, today)?;
            if changed.is_empty() {
                return Ok(current);
            }
            if changed.contains(&"pesel")
                && let Some(p) = &next.pesel
                && let Some(existing) = store::find_id_by_pesel(conn, p)?
                && existing != id
            {
                return Err(duplicate_pesel(conn, &scope, &existing)?);
            }
            let row = current.with(next, db::now());
            store::update(conn, &row, expected)?;
            store::insert_change(conn, &change_row(&caller, &row.id, row.version, &changed))?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Update, "person", &row.id)
                    .person(&row.id)
                    .detail(changed.join(",")),
            )?;
            Ok(row)
        })
    })
    .await?;
    with_etag(actix_web::http::StatusCode::OK, row)
}

/// List a person's changes.
///
/// Who changed which fields of the record, and when, oldest first. The values themselves are not repeated.
#[utoipa::path(
    tag = "persons",
    operation_id = "list_person_changes",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The person's id."), PageParams),
    responses(
        (status = 200, description = "One page of changes, oldest first.", body = Page<PersonChange>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::UnprocessableContent),
    )
)]
#[get("/persons/{id}/changes")]
pub async fn list_person_changes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::person_scope(&caller)?;
    let page = page.resolve()?;
    let limit = page.limit;
    let id = id.into_inner();
    let rows = db::run(&state.pool, move |conn| {
        store::get_visible(conn, &scope, &id)?.ok_or_else(|| ApiError::not_found("person"))?;
        let rows = store::changes(conn, &id, &page)?;
        audit::record(
            conn,
            &caller,
            Entry::new(Action::Read, "person", &id)
                .person(&id)
                .detail("changes"),
        )?;
        Ok(rows)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| &r.id,
        |r| PersonChange {
            version: r.version,
            changed_at: r.changed_at.and_utc(),
            actor_id: r.actor_id,
            actor_institution_id: r.actor_institution_id,
            fields: r.fields.split(',').map(str::to_owned).collect(),
        },
    )))
}
