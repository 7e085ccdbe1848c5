//! The letters a DPS case's acts issue: the decision, the art. 36 notice, and (for the fee and placement
//! decisions, recorded elsewhere) what every decision of the case shares.

use chrono::NaiveDate;

use super::model::{DecisionOutcome, DpsCase, DpsRow, DpsType, SigningCapacity};
use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::resources::letters::dps::{self, Common, PlacementRuling};
use crate::resources::letters::issue::{Target, issue, letterhead, person_lines, signatory};
use crate::resources::letters::text::{on_authorisation, place};

/// "dom pomocy społecznej dla …"
fn for_whom(t: DpsType) -> &'static str {
    match t {
        DpsType::Elderly => "osób w podeszłym wieku",
        DpsType::ChronicallySomaticallyIll => "osób przewlekle somatycznie chorych",
        DpsType::ChronicallyMentallyIll => "osób przewlekle psychicznie chorych",
        DpsType::IntellectuallyDisabledAdults => "dorosłych niepełnosprawnych intelektualnie",
        DpsType::IntellectuallyDisabledChildren => {
            "dzieci i młodzieży niepełnosprawnych intelektualnie"
        }
        DpsType::PhysicallyDisabled => "osób niepełnosprawnych fizycznie",
        DpsType::AlcoholDependent => "osób uzależnionych od alkoholu",
    }
}

/// The case's reference (znak sprawy) on every letter.
pub fn reference(case_id: &str) -> String {
    format!("DPS-{case_id}")
}

/// What every letter of a DPS case shares: MOPR's letterhead, the person as addressee, the signatory on the
/// executive's authorisation, the copies to the parties. Answers it with the person's name.
pub fn common(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &DpsRow,
    date: NaiveDate,
    position: Option<&str>,
    appeal_body: &str,
) -> Result<(Common, String), ApiError> {
    let issuer = letterhead(conn, &row.mopr_id)?;
    let (person, addressee) = person_lines(conn, &row.person_id)?;
    let capacity = on_authorisation(place(&issuer.address).as_deref());
    let signatory = signatory(conn, caller, position, Some(capacity))?;
    let mut copies = vec![format!("Strona: {person}")];
    if let Some(a) = &row.applicant_name {
        copies.push(format!("Wnioskodawca: {a}"));
    }
    if row.filed_by_institution_id != row.mopr_id {
        copies.push(letterhead(conn, &row.filed_by_institution_id)?.name);
    }
    Ok((
        Common {
            issuer,
            date,
            reference: reference(&row.id),
            addressee,
            signatory,
            copies,
            appeal_body: appeal_body.to_owned(),
        },
        person,
    ))
}

/// Where a DPS case's letter is filed and who hears of it.
pub fn target(row: &DpsRow) -> Target<'_> {
    Target {
        case_type: "dps_application",
        case_id: &row.id,
        person_id: &row.person_id,
        recipients: vec![&row.mopr_id, &row.filed_by_institution_id],
    }
}

/// Issues the letter of the act `what` just recorded on the case, if the act has one.
pub(super) fn issue_for(
    conn: &mut DbConnection,
    caller: &Caller,
    case: &DpsCase,
    what: &str,
    appeal_body: &str,
) -> Result<(), ApiError> {
    let letter = match what {
        "decision" => {
            let Some(d) = &case.decision else {
                return Ok(());
            };
            let position = match d.signed_as {
                SigningCapacity::Director => "Dyrektor",
                SigningCapacity::DeputyDirector => "Zastępca Dyrektora",
                SigningCapacity::HeadOfDepartment => "Kierownik Działu",
            };
            let (c, person) = common(
                conn,
                caller,
                &case.row,
                d.decided_on,
                Some(position),
                appeal_body,
            )?;
            dps::dps_decision(
                c,
                PlacementRuling {
                    person,
                    granted: d.outcome == DecisionOutcome::Granted,
                    dps_type: for_whom(case.row.dps_type).to_owned(),
                    preferred_home: case.row.preferred_home.clone(),
                    received_on: case.row.received_on,
                    legal_basis: d.legal_basis.clone(),
                    reasons: d.reasons.clone(),
                },
            )
        }
        "delay_notice" => {
            let Some(n) = case.delay_notices.last() else {
                return Ok(());
            };
            let (c, person) = common(conn, caller, &case.row, n.notified_on, None, appeal_body)?;
            dps::delay_notice(c, &person, case.row.received_on, &n.reason, n.new_due_on)
        }
        _ => return Ok(()),
    };
    issue(
        conn,
        caller,
        target(&case.row),
        &format!("dps_application.{what}"),
        &letter,
    )?;
    Ok(())
}
