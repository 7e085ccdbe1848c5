use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};

use super::model::{AdmissionList, AdmissionListRow, NewAdmissionList};
use super::store;

use crate::foundation::db;
use crate::foundation::error::{ApiError, FieldError};
use crate::foundation::json::Json;
use crate::foundation::legal_date::{Earlier, legal_date};
use crate::identity::{Caller, policy};
use crate::records::acts::{self, CaseType};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::ipzs::store as ipzs_store;

/// Send an admission list.
///
/// *Lista osób przyjętych*: the CIS director reports to MOPR the persons whose IPZS were signed, within 5 working
/// days of signing (each IPZS shows its due date and whether it was reported, and the deadline view tracks it).
/// An IPZS is reported once (409 `already_reported`); all must be your CIS's and share one MOPR (422). MOPR gets
/// `admission_list.sent` in its feed.
#[utoipa::path(
    tag = "admission-lists",
    operation_id = "send_admission_list",
    security(("bearer_jwt" = [])),
    request_body = NewAdmissionList,
    responses(
        (status = 201, description = "Sent to MOPR.", body = AdmissionList),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/admission-lists")]
pub async fn send_admission_list(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewAdmissionList>,
) -> Result<HttpResponse, ApiError> {
    policy::may_act_as_cis_director(&caller)?;
    let new = body.into_inner();
    let given_sent_on = new.sent_on;
    let mut ids = new.ipzs_ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > 200 {
        return Err(ApiError::field("ipzs_ids", "count", "list 1 to 200 IPZS"));
    }
    let today = state.clock.today();
    let list = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let mut rows = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                let row = ipzs_store::get(conn, id)?
                    .filter(|r| caller.belongs_to(&r.cis_id))
                    .ok_or_else(|| {
                        ApiError::Validation(vec![FieldError::new(
                            format!("ipzs_ids[{i}]"),
                            "unknown_ipzs",
                            "no IPZS of your CIS has this id",
                        )])
                    })?;
                if row.admission_list_id.is_some() {
                    return Err(ApiError::Conflict {
                        code: "already_reported",
                        detail: format!("IPZS {id} is already on an admission list"),
                        existing: row
                            .admission_list_id
                            .map(|l| format!("/api/v1/admission-lists/{l}")),
                    });
                }
                rows.push(row);
            }
            let mopr_id = rows[0].mopr_id.clone();
            if rows.iter().any(|r| r.mopr_id != mopr_id) {
                return Err(ApiError::field(
                    "ipzs_ids",
                    "several_moprs",
                    "send one list per MOPR",
                ));
            }
            let latest = rows
                .iter()
                .max_by_key(|r| r.signed_on)
                .map(|r| r.signed_on)
                .unwrap_or(today);
            let sent_on = legal_date(
                "sent_on",
                given_sent_on,
                today,
                &[Earlier::new(
                    "before_signing",
                    "an IPZS on the list was signed",
                    latest,
                )],
            )?;
            let now = db::now();
            let stored = AdmissionListRow {
                id: uuid::Uuid::now_v7().to_string(),
                cis_id: rows[0].cis_id.clone(),
                mopr_id: mopr_id.clone(),
                sent_at: now,
                sent_by: caller.id.clone(),
                sent_on,
            };
            store::insert(conn, &stored)?;
            let list = stored.into_view(ids.clone());
            let letter = super::letter::build(conn, &caller, &rows, &list.id, sent_on)?;
            let pdf = crate::resources::letters::pdf::render(&letter)?;
            for mut row in rows {
                let before = row.version;
                row.admission_list_id = Some(list.id.clone());
                row.admission_listed_on = Some(sent_on);
                row.version = before + 1;
                row.updated_at = now;
                ipzs_store::save(conn, &row, before)?;
                acts::record(
                    conn,
                    &caller,
                    CaseType::Ipzs,
                    &row.id,
                    "admission_list.sent",
                    sent_on,
                )?;
                let target = crate::resources::letters::issue::Target {
                    case_type: "ipzs",
                    case_id: &row.id,
                    person_id: &row.person_id,
                    recipients: vec![&row.mopr_id, &row.cis_id],
                };
                crate::resources::letters::issue::issue_rendered(
                    conn,
                    &caller,
                    target,
                    "admission_list.sent",
                    &letter,
                    &pdf,
                )?;
                audit::record(
                    conn,
                    &caller,
                    Entry::new(Action::Create, "admission_list", &list.id)
                        .person(&row.person_id)
                        .on(sent_on),
                )?;
            }
            events::emit_act(
                conn,
                EventType::AdmissionListSent,
                "admission_list",
                &list.id,
                &[&mopr_id],
                Some(sent_on),
            )?;
            Ok(list)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/admission-lists/{}", list.id),
        ))
        .json(list))
}

/// Get an admission list.
///
/// For the CIS that sent it and the MOPR it was sent to; 404 for everyone else.
#[utoipa::path(
    tag = "admission-lists",
    operation_id = "get_admission_list",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The admission list's id.")),
    responses(
        (status = 200, description = "The list.", body = AdmissionList),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/admission-lists/{id}")]
pub async fn get_admission_list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let id = id.into_inner();
    let list = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let hidden = || ApiError::not_found("admission list");
            let stored = store::find(conn, &id)?.ok_or_else(hidden)?;
            if !policy::sees_ipzs(&caller, &stored.mopr_id, &stored.cis_id) {
                return Err(hidden());
            }
            let entries = store::entries(conn, &stored.id)?;
            for (_, person) in &entries {
                trail.read(
                    &caller,
                    Entry::new(Action::Read, "admission_list", &stored.id).person(person),
                );
            }
            Ok(stored.into_view(entries.into_iter().map(|(i, _)| i).collect()))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
