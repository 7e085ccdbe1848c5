//! The letters a CIS sends during participation: the notice of early termination to MOPR (seed 000 II.4) and the
//! letter to a participant who did not qualify after the trial month, with a copy to MOPR (II.3).

use chrono::Days;

use super::model::{IpzsRow, TerminationReason};
use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::resources::letters::cis::{non_qualification, termination_notice};
use crate::resources::letters::dps::Common;
use crate::resources::letters::issue::{Target, issue, letterhead, person_lines, signatory};

fn reason(r: Option<TerminationReason>, details: Option<&str>) -> String {
    let named = match r {
        Some(TerminationReason::Breach) => "uporczywe naruszanie postanowień programu",
        Some(TerminationReason::Absence) => "nieusprawiedliwiona nieobecność na zajęciach",
        Some(TerminationReason::Withdrawal) => "rezygnacja uczestnika",
        Some(TerminationReason::Other) | None => "inna przyczyna",
    };
    match details {
        Some(d) => format!("{named}. {d}"),
        None => format!("{named}."),
    }
}

/// Issues the letter of the act `what` just recorded on the IPZS, if it has one.
pub(super) fn issue_for(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &IpzsRow,
    what: &str,
) -> Result<(), ApiError> {
    let (date, notice) = match what {
        "termination_notice" => (row.mopr_informed_on, true),
        "non_qualification_letter" => (row.non_qualification_letter_sent_on, false),
        _ => return Ok(()),
    };
    let Some(date) = date else {
        return Ok(());
    };
    let issuer = letterhead(conn, &row.cis_id)?;
    let mopr = letterhead(conn, &row.mopr_id)?;
    let (person, person_address) = person_lines(conn, &row.person_id)?;
    let ended_on = row.ended_on.unwrap_or(row.start_on);
    let common = |addressee: Vec<String>, copies: Vec<String>, signatory| Common {
        issuer: issuer.clone(),
        date,
        reference: format!("IPZS-{}", row.id),
        addressee,
        signatory,
        copies,
        appeal_body: String::new(),
    };
    let signatory = signatory(conn, caller, None, None)?;
    let letter = if notice {
        termination_notice(
            common(
                vec![mopr.name.clone(), mopr.address.clone()],
                vec![mopr.name.clone()],
                signatory,
            ),
            &person,
            row.signed_on,
            row.planned_end_on,
            ended_on,
            &reason(row.termination_reason, row.termination_details.as_deref()),
        )
    } else {
        let trial_ended_on = row
            .proper_period_starts_on
            .checked_sub_days(Days::new(1))
            .unwrap_or(row.proper_period_starts_on);
        non_qualification(
            common(
                person_address,
                vec![
                    format!("Uczestnik: {person}"),
                    format!("{} (kopia)", mopr.name),
                ],
                signatory,
            ),
            &person,
            trial_ended_on,
            ended_on,
        )
    };
    let target = Target {
        case_type: "ipzs",
        case_id: &row.id,
        person_id: &row.person_id,
        recipients: vec![&row.mopr_id, &row.cis_id],
    };
    issue(conn, caller, target, &format!("ipzs.{what}"), &letter)?;
    Ok(())
}
