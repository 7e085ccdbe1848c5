//! Entering a case on a home's waiting list, reading the lists, and taking someone off.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;

use super::model::{
    EntryRow, EntryStatus, Leaving, NewEntry, WaitingListEntry, check_waiting, queue_key,
    resolve_priority,
};
use super::store::{self};
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::events::{self, EventType};
use crate::records::state::AppState;
use crate::resources::dps_applications::model::{DecisionOutcome, DpsCase, finality};

const COLLECTION: &str = "/api/v1/waiting-list-entries";
/// Why the placing institution may see the person on its list.
const ACCESS_REASON: &str = "waiting_list";

pub(super) fn respond(status: StatusCode, view: WaitingListEntry) -> HttpResponse {
    crate::foundation::http::record_response(status, view.version, COLLECTION, &view.id, &view)
}

/// The entry as the API shows it, with its place in the queue while it waits.
pub(super) fn view(
    conn: &mut DbConnection,
    row: EntryRow,
    today: NaiveDate,
) -> Result<WaitingListEntry, ApiError> {
    let queue = if row.status == EntryStatus::Waiting {
        Some(store::queue_state(conn, &row, today)?)
    } else {
        None
    };
    row.view(queue, today)
}

/// The entry if the caller may see it (the case's MOPR, the placing institution), else 404.
pub(super) fn load_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<EntryRow, ApiError> {
    store::get(conn, id)?
        .filter(|r| policy::sees_waiting_list_entry(caller, &r.mopr_id, &r.placing_institution_id))
        .ok_or_else(|| ApiError::not_found("waiting-list entry"))
}

/// Enter a person on a waiting list.
///
/// The MOPR of a DPS case whose decision granting placement is final (409 `decision_not_final`,
/// `decision_not_granted`) enters the person on the list of a home that serves the case's DPS type (422
/// `type_not_served`), once per home (409 `already_waiting`, linking the entry). Combatants and other persons
/// entitled by art. 18 of the combatants' act go first: the priority comes from the case's facts (`combatant`)
/// and its basis is recorded. The answer tells the person's `position` and `expected_wait`; with a place free
/// and nobody ahead the placing institution may place them at once. The home's placing institution (a PCPR for
/// the county's homes) keeps the list from here on: it gets `waiting_list.entered` and may see the person.
/// MOPR casework roles.
#[utoipa::path(
    tag = "waiting-lists",
    operation_id = "create_waiting_list_entry",
    security(("bearer_jwt" = [])),
    request_body = NewEntry,
    responses(
        (status = 201, description = "Entered; `Location` names the entry, `ETag` carries its version.", body = WaitingListEntry),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/waiting-list-entries")]
pub async fn create_waiting_list_entry(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewEntry>,
) -> Result<HttpResponse, ApiError> {
    policy::may_enter_waiting_list(&caller)?;
    let new = body.into_inner();
    let today = state.clock.today();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let unknown_case = || {
                ApiError::field(
                    "dps_application_id",
                    "unknown_case",
                    "no DPS case of your MOPR with this id",
                )
            };
            let row =
                crate::resources::dps_applications::store::get(conn, &new.dps_application_id)?
                    .filter(|r| policy::sees_dps_file(&caller, &r.mopr_id))
                    .ok_or_else(unknown_case)?;
            let case = DpsCase::read(row)?;
            let home = crate::resources::care_homes::store::get(conn, &new.care_home_id)?
                .ok_or_else(|| {
                    ApiError::field(
                        "care_home_id",
                        "unknown_care_home",
                        "no care home with this id",
                    )
                })?;
            match case.decision.as_ref().map(|d| d.outcome) {
                Some(DecisionOutcome::Granted) => {}
                Some(DecisionOutcome::Refused) => {
                    return Err(ApiError::conflict(
                        "decision_not_granted",
                        "the placement was refused",
                    ));
                }
                None => {
                    return Err(ApiError::conflict(
                        "decision_not_final",
                        "the placement is not decided yet",
                    ));
                }
            }
            let entered_on = case.dated_after_decision("entered_on", new.entered_on, today)?;
            let fin = finality(case.row.status, &case.parties, &case.appeals, entered_on);
            if !fin.is_final {
                return Err(ApiError::conflict(
                    "decision_not_final",
                    "the decision granting placement is not final yet (see the case's `finality`)",
                ));
            }
            if !home.types()?.contains(&case.row.dps_type) {
                return Err(ApiError::field(
                    "care_home_id",
                    "type_not_served",
                    format!(
                        "this home does not serve the case's DPS type ({})",
                        case.row.dps_type.as_str()
                    ),
                ));
            }
            if let Some(existing) = store::waiting_for(conn, &home.id, &case.row.id)? {
                return Err(ApiError::Conflict {
                    code: "already_waiting",
                    detail: "the person already waits for this home".into(),
                    existing: Some(format!("{COLLECTION}/{existing}")),
                });
            }
            let combatant = case.facts.as_ref().is_some_and(|f| f.combatant);
            let priority = resolve_priority(new.priority_basis, combatant)?;
            let id = uuid::Uuid::now_v7().to_string();
            let now = db::now();
            let row = EntryRow {
                queue_key: queue_key(priority, entered_on, &id),
                id,
                care_home_id: home.id.clone(),
                dps_application_id: case.row.id.clone(),
                person_id: case.row.person_id.clone(),
                mopr_id: case.row.mopr_id.clone(),
                placing_institution_id: home.placing_institution_id.clone(),
                entered_on,
                priority_basis: priority,
                status: EntryStatus::Waiting,
                left_on: None,
                leave_note: None,
                placement: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert(conn, &row)?;
            crate::records::acts::record(
                conn,
                &caller,
                crate::records::acts::CaseType::DpsApplication,
                &row.dps_application_id,
                "waiting_list.entered",
                entered_on,
            )?;
            crate::resources::persons::store::grant_access(
                conn,
                &row.person_id,
                &[&row.placing_institution_id],
                ACCESS_REASON,
                now,
            )?;
            if row.placing_institution_id != row.mopr_id {
                events::emit_act(
                    conn,
                    EventType::WaitingListEntered,
                    "waiting_list_entry",
                    &row.id,
                    &[&row.placing_institution_id],
                    Some(entered_on),
                )?;
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "waiting_list_entry", &row.id)
                    .person(&row.person_id)
                    .on(entered_on),
            )?;
            view(conn, row, today)
        })
    })
    .await?;
    Ok(respond(StatusCode::CREATED, view))
}

/// Take a person off a waiting list.
///
/// The person withdrew, died or was placed elsewhere (`reason`), on `left_on` (from the day of entry to today).
/// Only a waiting entry (409 `not_waiting`); placement is `POST …/placement`. Casework roles of the case's MOPR or
/// of the placing institution; the other one is told (`waiting_list.left`). Requires `If-Match`.
#[utoipa::path(
    tag = "waiting-lists",
    operation_id = "remove_from_waiting_list",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The entry's id."),
        ("If-Match" = String, Header, description = "The ETag of the entry as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = Leaving,
    responses(
        (status = 200, description = "Off the list.", body = WaitingListEntry),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/waiting-list-entries/{id}/leave")]
pub async fn remove_from_waiting_list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<Leaving>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let expected = if_match.required()?;
    let leaving = body.into_inner();
    let note = crate::foundation::validation::optional_text("note", leaving.note.as_deref(), 2000)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let today = state.clock.today();
    let id = id.into_inner();
    let entry = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let mut row = load_visible(conn, &caller, &id)?;
            policy::may_remove_from_waiting_list(
                &caller,
                &row.mopr_id,
                &row.placing_institution_id,
            )?;
            if row.version != expected {
                return Err(stale("waiting-list entry"));
            }
            check_waiting(row.status)?;
            crate::resources::dps_applications::model::dated(
                "left_on",
                leaving.left_on,
                crate::foundation::legal_date::Earlier::new(
                    "before_entry",
                    "the person entered the waiting list",
                    row.entered_on,
                ),
                today,
            )?;
            row.status = leaving.reason.into();
            row.left_on = Some(leaving.left_on);
            row.leave_note = note;
            let row = store::save(conn, row, expected)?;
            let other = if caller.belongs_to(&row.mopr_id) {
                &row.placing_institution_id
            } else {
                &row.mopr_id
            };
            if !caller.belongs_to(other) {
                events::emit(
                    conn,
                    EventType::WaitingListLeft,
                    "waiting_list_entry",
                    &row.id,
                    &[other],
                )?;
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "waiting_list_entry", &row.id)
                    .person(&row.person_id)
                    .detail(row.status.as_str()),
            )?;
            view(conn, row, today)
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, entry))
}
