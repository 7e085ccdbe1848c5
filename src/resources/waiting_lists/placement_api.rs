//! The placement decision (decyzja o umieszczeniu w domu pomocy społecznej).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};

use super::api::{load_visible, respond, view};
use super::model::{
    EntryStatus, NewPlacement, Placement, check_admission_day, check_placement_order, check_waiting,
};
use super::store;
use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::care_homes::model::ResidentRow;
use crate::resources::dps_applications::model::to_json;

/// Issue the placement decision.
///
/// When a place is free, the director of the home's placing institution issues the decision placing the person,
/// with the day of admission (from 30 days ago to 180 days ahead). The first on the list is placed; placing
/// anyone else needs `out_of_order_reason` (422 `required_when_not_first`), which is recorded. The decision takes
/// one place and records the resident's admission; when no place is free it is 409 `no_free_place` — even when
/// two decisions race for the last place, exactly one wins. The entry becomes `placed`, and the case's MOPR gets
/// `placement.decided`. Only a waiting entry (409 `not_waiting`). Requires `If-Match` with the entry's ETag.
#[utoipa::path(
    tag = "waiting-lists",
    operation_id = "issue_placement_decision",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The entry's id."),
        ("If-Match" = String, Header, description = "The ETag of the entry as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewPlacement,
    responses(
        (status = 200, description = "Placed; `placement` records the decision.", body = super::model::WaitingListEntry),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/waiting-list-entries/{id}/placement")]
pub async fn issue_placement_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewPlacement>,
) -> Result<HttpResponse, ApiError> {
    let own = caller.institution_id.clone().unwrap_or_default();
    policy::may_issue_placement(&caller, &own)?;
    let expected = if_match.required()?;
    let new = body.into_inner();
    let today = state.clock.today();
    let appeal_body = state.config.appeal_body.clone();
    let id = id.into_inner();
    let entry = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let mut row = load_visible(conn, &caller, &id)?;
            policy::may_issue_placement(&caller, &row.placing_institution_id)?;
            if row.version != expected {
                return Err(stale("waiting-list entry"));
            }
            check_waiting(row.status)?;
            let decided_on = crate::foundation::legal_date::legal_date(
                "decided_on",
                new.decided_on,
                today,
                &[crate::foundation::legal_date::Earlier::new(
                    "before_entry",
                    "the person entered the waiting list",
                    row.entered_on,
                )],
            )?;
            check_admission_day(new.admission_on, decided_on)?;
            let position = store::position(conn, &row)?;
            let reason = check_placement_order(position, new.out_of_order_reason.as_deref())?;
            let reason_text = reason.clone();
            if !crate::resources::care_homes::store::take_place(conn, &row.care_home_id)? {
                return Err(ApiError::conflict(
                    "no_free_place",
                    "every place of this home is taken",
                ));
            }
            let now = db::now();
            let resident = ResidentRow {
                id: uuid::Uuid::now_v7().to_string(),
                care_home_id: row.care_home_id.clone(),
                person_id: Some(row.person_id.clone()),
                waiting_list_entry_id: Some(row.id.clone()),
                admitted_on: new.admission_on,
                left_on: None,
                leave_reason: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            crate::resources::care_homes::store::insert_resident(conn, &resident)?;
            row.status = EntryStatus::Placed;
            row.placement = Some(to_json(&Placement {
                decided_on,
                admission_on: new.admission_on,
                decided_by: caller.id.clone(),
                position,
                out_of_order_reason: reason,
                resident_id: resident.id.clone(),
            })?);
            let row = store::save(conn, row, expected)?;
            crate::records::acts::record(
                conn,
                &caller,
                crate::records::acts::CaseType::DpsApplication,
                &row.dps_application_id,
                "placement.decided",
                decided_on,
            )?;
            let care_home = crate::resources::care_homes::store::get(conn, &row.care_home_id)?
                .map(|h| format!("{}, {}", h.name, h.address))
                .unwrap_or_else(|| row.care_home_id.clone());
            super::letter::issue_placement_letter(
                conn,
                &caller,
                &row,
                &care_home,
                new.admission_on,
                decided_on,
                reason_text.as_deref(),
                &appeal_body,
            )?;
            events::emit_act(
                conn,
                EventType::PlacementDecided,
                "waiting_list_entry",
                &row.id,
                &[&row.mopr_id],
                Some(decided_on),
            )?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "waiting_list_entry", &row.id)
                    .person(&row.person_id)
                    .detail("placement")
                    .on(decided_on),
            )?;
            view(conn, row, today)
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, entry))
}
