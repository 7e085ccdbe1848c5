//! Corrections of a person's record (merge patches with `If-Match`) and their history.

use super::api::{change_row, duplicate_pesel, with_etag};
use super::model::{Person, PersonChange, PersonPatch};
use super::store::{self};
use crate::foundation::db::{self};
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams};
use crate::identity::Caller;
use crate::identity::policy;
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;
use actix_web::{HttpResponse, get, patch, web};

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
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[patch("/persons/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<PersonPatch>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::person_scope(&caller)?;
    let expected = if_match.required()?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let today = state.clock.today();
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
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
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
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
    let rows = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            store::get_visible(conn, &scope, &id)?.ok_or_else(|| ApiError::not_found("person"))?;
            let rows = store::changes(conn, &id, &page)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, "person", &id)
                    .person(&id)
                    .detail("changes"),
            );
            Ok(rows)
        },
    )
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
