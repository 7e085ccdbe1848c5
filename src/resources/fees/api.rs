//! Fee decisions (decyzja ustalająca opłatę za pobyt w DPS): issued by the MOPR director for a granted placement,
//! immutable; a new average cost or income criterion means a new decision that supersedes the last.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{
    FeeInput, FeeSplit, IncomeCriterion, Relative, Volunteer, check_agreements, check_input,
    criterion_on, split,
};
use super::store::{self, FeeDecisionRow};
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::http::{IfMatch, stale};
use crate::foundation::json::Json;
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;
use crate::resources::care_homes::model::{CostOfStay, cost_on};
use crate::resources::dps_applications::model::{DecisionOutcome, DpsCase, from_json, to_json};

/// What the official enters for a fee decision; the average cost and the criterion come from the registry.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"care_home_id": "0193…", "applies_from": "2026-12-01", "resident_income": 250000,
    "relatives": [{"name": "Anna Kowalska", "relation": "descendant", "household": {"kind": "single", "income": 450000}, "agreed": 100000}],
    "volunteers": []}))]
pub struct NewFeeDecision {
    /// The home whose average monthly cost the fee is set against.
    pub care_home_id: String,
    /// The day the fee decision was signed (its legal date): not in the future, not before the placement decision
    /// (422 `before_decision`). Today in Europe/Warsaw when omitted.
    #[serde(
        default,
        deserialize_with = "crate::foundation::validation::optional_date"
    )]
    pub issued_on: Option<NaiveDate>,
    /// The day the fee applies from (usually the admission): picks the cost and the criterion in force. From the
    /// day the proceedings started to a year ahead.
    #[serde(deserialize_with = "crate::foundation::validation::date")]
    pub applies_from: NaiveDate,
    /// The resident's monthly net income, in grosze (0 to 10,000,000,000).
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub resident_income: i64,
    /// The spouse, descendants and ascendants with the amount agreed with each (at most 20; art. 103 ust. 2).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub relatives: Vec<Relative>,
    /// Others who pay of their own will (at most 20; art. 61 ust. 2a).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub volunteers: Vec<Volunteer>,
}

/// What a fee decision was computed from, stored with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredInput {
    resident_income: i64,
    relatives: Vec<Relative>,
    volunteers: Vec<Volunteer>,
}

/// A fee decision with every figure of the split, so an official can check it line by line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeeDecision {
    pub id: String,
    pub dps_application_id: String,
    pub person_id: String,
    pub care_home_id: String,
    pub applies_from: NaiveDate,
    /// The income criterion valid on `applies_from`.
    pub criterion: IncomeCriterion,
    /// The home's average monthly cost valid on `applies_from`.
    pub average_cost: CostOfStay,
    pub resident_income: i64,
    /// The relatives and their agreements as entered.
    pub relatives: Vec<Relative>,
    pub volunteers: Vec<Volunteer>,
    /// Who pays what, in grosze: the resident (70% of income, rounded down to the grosz, at most the cost), the
    /// volunteers, each relative (with their legal maximum), and the municipality (the rest).
    pub split: FeeSplit,
    /// The decision this one replaced.
    pub supersedes_id: Option<String>,
    /// Whether this is the case's decision in force (not superseded).
    pub current: bool,
    /// The day it was signed (its legal date).
    pub issued_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// Recorded more than 7 days after `issued_on`.
    pub recorded_late: bool,
    /// The director who signed.
    pub issued_by: String,
}

pub(super) fn view(row: FeeDecisionRow, current_id: Option<&str>) -> Result<FeeDecision, ApiError> {
    let input: StoredInput = from_json("fee input", &row.input)?;
    let split: FeeSplit = from_json("fee split", &row.split)?;
    Ok(FeeDecision {
        current: current_id == Some(row.id.as_str()),
        criterion: IncomeCriterion {
            applies_from: row.criterion_applies_from,
            single: split.thresholds.single / 3,
            per_person_in_family: split.thresholds.per_person_in_family / 3,
        },
        average_cost: CostOfStay {
            applies_from: row.cost_applies_from,
            monthly_cost: split.average_cost,
        },
        resident_income: input.resident_income,
        relatives: input.relatives,
        volunteers: input.volunteers,
        split,
        id: row.id,
        dps_application_id: row.dps_application_id,
        person_id: row.person_id,
        care_home_id: row.care_home_id,
        applies_from: row.applies_from,
        supersedes_id: row.supersedes_id,
        recorded_late: crate::foundation::legal_date::recorded_late(row.issued_on, row.created_at),
        recorded_at: row.created_at.and_utc(),
        issued_on: row.issued_on,
        issued_by: row.issued_by,
    })
}

/// The case (its MOPR only: fees are computed from incomes) and its fee decision in force.
pub(super) fn case_for_fees(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<DpsCase, ApiError> {
    let row = crate::resources::dps_applications::store::load_visible(conn, caller, id)?;
    if !policy::sees_dps_file(caller, &row.mopr_id) {
        return Err(ApiError::not_found("DPS application"));
    }
    DpsCase::read(row)
}

pub(super) fn current_fee_id(case: &DpsCase) -> Option<String> {
    case.decision
        .as_ref()
        .and_then(|d| d.fee_decision_id.clone())
}

/// Issue a fee decision.
///
/// *Decyzja ustalająca opłatę za pobyt w domu pomocy społecznej* (art. 59–61 of the social-assistance act), for a
/// case whose placement was granted (409 `decision_required`, `decision_not_granted`), by the MOPR director. The
/// fee is computed against the home's average monthly cost and the income criterion valid on `applies_from`
/// (422 `no_average_cost` / `no_income_criterion` on `applies_from` when none applies yet), in the statute's
/// order: (1) the resident pays 70% of their income (rounded down to the grosz), never more than the cost; (2)
/// volunteers' payments lower what is left; (3) the spouse, then descendants, then ascendants pay what was agreed
/// with them, each only above 300% of the criterion (alone: single-person; in a family: per person) and never
/// left below it — an agreement above a relative's legal maximum is 422 `above_legal_maximum` on
/// `relatives[i].agreed`, naming them and the maximum; (4) the municipality pays the rest. When the resident
/// covers the cost nobody else pays.
///
/// A decision is never edited: a new average cost or criterion means a new fee decision, which supersedes the one
/// in force (`supersedes_id`) and takes its place in the case's `decision.fee_decision_id` (the case's ETag
/// changes). Requires `If-Match` with the case's ETag.
#[utoipa::path(
    tag = "fees",
    operation_id = "issue_fee_decision",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The DPS case's id."),
        ("If-Match" = String, Header, description = "The ETag of the DPS case as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    request_body = NewFeeDecision,
    responses(
        (status = 201, description = "Issued; `Location` names it.", body = FeeDecision),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/dps-applications/{id}/fee-decisions")]
pub async fn issue_fee_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<NewFeeDecision>,
) -> Result<HttpResponse, ApiError> {
    policy::may_issue_fee_decision(&caller)?;
    let expected = if_match.required()?;
    let new = body.into_inner();
    let errors = check_input(new.resident_income, &new.relatives, &new.volunteers);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let today = state.clock.today();
    let appeal_body = state.config.appeal_body.clone();
    let id = id.into_inner();
    let decision = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let mut case = case_for_fees(conn, &caller, &id)?;
            if case.row.version != expected {
                return Err(stale("DPS application"));
            }
            match case.decision.as_ref().map(|d| d.outcome) {
                None => {
                    return Err(ApiError::conflict(
                        "decision_required",
                        "the placement is not decided yet",
                    ));
                }
                Some(DecisionOutcome::Refused) => {
                    return Err(ApiError::conflict(
                        "decision_not_granted",
                        "the placement was refused; there is no fee to set",
                    ));
                }
                Some(DecisionOutcome::Granted) => {}
            }
            let issued_on = case.dated_after_decision("issued_on", new.issued_on, today)?;
            let latest = today.checked_add_days(Days::new(366)).unwrap_or(today);
            if new.applies_from < case.row.received_on || new.applies_from > latest {
                return Err(ApiError::field(
                    "applies_from",
                    "out_of_range",
                    format!(
                        "from the start of the proceedings ({}) to a year ahead",
                        case.row.received_on
                    ),
                ));
            }
            let Some(home) = crate::resources::care_homes::store::get(conn, &new.care_home_id)?
            else {
                return Err(ApiError::field(
                    "care_home_id",
                    "unknown_care_home",
                    "no care home with this id",
                ));
            };
            let history: Vec<IncomeCriterion> = store::criteria(conn)?
                .into_iter()
                .map(|r| IncomeCriterion {
                    applies_from: r.applies_from,
                    single: r.single,
                    per_person_in_family: r.per_person_in_family,
                })
                .collect();
            let criterion = criterion_on(new.applies_from, &history).ok_or_else(|| {
                ApiError::field(
                    "applies_from",
                    "no_income_criterion",
                    "no income criterion applies on this day",
                )
            })?;
            let costs: Vec<CostOfStay> =
                crate::resources::care_homes::store::costs(conn, &new.care_home_id)?
                    .iter()
                    .map(CostOfStay::from)
                    .collect();
            let cost = cost_on(&costs, new.applies_from).ok_or_else(|| {
                ApiError::field(
                    "applies_from",
                    "no_average_cost",
                    "the home has no average monthly cost published for this day",
                )
            })?;
            let thresholds = criterion.into();
            let errors = check_agreements(&new.relatives, thresholds);
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            let input = FeeInput {
                average_cost: cost.monthly_cost,
                resident_income: new.resident_income,
                relatives: new.relatives.clone(),
                volunteers: new.volunteers.clone(),
            };
            // Every refusal of `split` was checked above with the field named; one here is a bug.
            let computed = split(&input, thresholds)
                .map_err(|e| ApiError::internal(format!("fee split after checks: {e:?}")))?;
            let volunteer_names = new.volunteers.iter().map(|v| v.name.clone()).collect();
            let row = FeeDecisionRow {
                id: uuid::Uuid::now_v7().to_string(),
                dps_application_id: case.row.id.clone(),
                person_id: case.row.person_id.clone(),
                mopr_id: case.row.mopr_id.clone(),
                care_home_id: new.care_home_id.clone(),
                applies_from: new.applies_from,
                criterion_applies_from: criterion.applies_from,
                cost_applies_from: cost.applies_from,
                input: to_json(&StoredInput {
                    resident_income: new.resident_income,
                    relatives: new.relatives,
                    volunteers: new.volunteers,
                })?,
                split: to_json(&computed)?,
                supersedes_id: current_fee_id(&case),
                issued_on,
                issued_by: caller.id.clone(),
                created_at: db::now(),
            };
            store::insert(conn, &row)?;
            if let Some(d) = case.decision.as_mut() {
                d.fee_decision_id = Some(row.id.clone());
            }
            let case = crate::resources::dps_applications::store::save(conn, case, expected)?;
            crate::records::acts::record(
                conn,
                &caller,
                crate::records::acts::CaseType::DpsApplication,
                &row.dps_application_id,
                "fee_decision.issued",
                issued_on,
            )?;
            let figures = super::letter::Figures {
                split: &computed,
                criterion,
                cost: &cost,
                resident_income: input.resident_income,
                volunteers: volunteer_names,
                care_home: format!("{}, {}", home.name, home.address),
            };
            super::letter::issue_fee_letter(conn, &caller, &case.row, &row, figures, &appeal_body)?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Create, "fee_decision", &row.id)
                    .person(&row.person_id)
                    .on(issued_on),
            )?;
            let current = row.id.clone();
            view(row, Some(&current))
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/fee-decisions/{}", decision.id),
        ))
        .json(decision))
}
