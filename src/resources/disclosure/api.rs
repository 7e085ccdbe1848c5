//! `GET /api/v1/persons/{id}/disclosure`: the answer to a person's request for access, as JSON or as a PDF to
//! hand over.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::model::{Controller, Disclosure, RETENTION, purposes};
use super::store::{self, AccessScope};
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::identity::policy::PersonScope;
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

/// Answer a person's request for access.
///
/// *Prawo dostępu do danych* (GDPR art. 15) in one call, for an institution's `admin` (403 for every other role):
/// what the institution holds about the person (the record, every case it takes part in, every document of
/// them), the purposes and legal bases per procedure, the institutions that received the person's data through
/// a procedure and since when, how long the data is kept, and every access to the person's data recorded in the
/// audit trail (who: institution, role and user; when; what; read or change), grouped by institution. A MOPR keeps
/// the registry and its report covers everything; another institution's covers what it holds (the documents of its
/// cases it may read, the institutions of its own cases as recipients, the accesses to its cases and documents),
/// so that no report tells of proceedings the institution has no part in. A person
/// the institution does not hold is 404. With `Accept: application/pdf` the same report comes as a PDF to hand
/// to the person. The request itself is audited.
#[utoipa::path(
    tag = "persons",
    operation_id = "get_person_disclosure",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The person's id.")),
    responses(
        (status = 200, description = "The report; `application/pdf` when asked for.", content(
            (Disclosure = "application/json"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 403, response = crate::foundation::openapi::Forbidden),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/persons/{id}/disclosure")]
pub async fn get_person_disclosure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::may_answer_access_request(&caller)?;
    let pdf = wants_pdf(&req);
    let id = id.into_inner();
    let own = caller.institution_id.clone().unwrap_or_default();
    let report = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let person = crate::resources::persons::store::get_visible(conn, &scope, &id)?
                .ok_or_else(|| ApiError::not_found("person"))?;
            let inst = crate::resources::institutions::store::get(conn, &own)?
                .ok_or_else(|| ApiError::not_found("person"))?;
            // MOPR keeps the registry and sees every person's whole record; another institution reports what it
            // holds: its cases, the documents it may read, whom it shared them with, and the accesses to them.
            let registry = scope == PersonScope::All;
            let held = store::cases(conn, &person.id, &own)?;
            let documents = store::documents(conn, &person.id, &own, &held.whole_files)?;
            let among = (!registry).then_some(&held.partners);
            let recipients = store::recipients(conn, &person.id, &own, among)?;
            // The request is recorded first, so that the report lists itself.
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Read, "person_disclosure", &person.id)
                    .person(&person.id)
                    .detail(if pdf { "pdf" } else { "json" }),
            )?;
            let access_scope = if registry {
                AccessScope::All
            } else {
                // Not the person record: who else reads it is the registry's matter, and would tell of cases
                // this institution has no part in.
                let mut records: Vec<&str> =
                    held.cases.iter().map(|c| c.case_id.as_str()).collect();
                records.extend(documents.iter().map(|d| d.id.as_str()));
                AccessScope::Own {
                    institution: &own,
                    records,
                }
            };
            let (accesses, accesses_truncated) = store::accesses(conn, &person.id, access_scope)?;
            let cases = held.cases;
            let cis = cases.iter().any(|c| c.case_type != "dps_application");
            let dps = cases.iter().any(|c| c.case_type == "dps_application");
            Ok(Disclosure {
                person: person.into_view()?,
                controller: Controller {
                    id: inst.id,
                    kind: inst.kind.as_str().to_owned(),
                    name: inst.name,
                    address: inst.address,
                },
                generated_at: db::now().and_utc(),
                purposes: purposes(cis, dps),
                cases,
                documents,
                recipients,
                retention: RETENTION.to_owned(),
                accesses,
                accesses_truncated,
            })
        })
    })
    .await?;
    if pdf {
        let bytes = super::pdf::render(&report)?;
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"disclosure.pdf\"",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(bytes));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(report))
}

/// Whether the `Accept` header prefers a PDF over JSON.
fn wants_pdf(req: &HttpRequest) -> bool {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let quality = |wanted: &str| {
        accept
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let media = it.next()?.trim();
                (media.eq_ignore_ascii_case(wanted)).then(|| {
                    it.find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0)
                })
            })
            .fold(0.0_f32, f32::max)
    };
    let pdf = quality("application/pdf");
    pdf > 0.0 && pdf >= quality("application/json")
}
