//! The referral to a CIS, or its refusal with reasons, as the letter MOPR sends (seed 000 I.3).

use super::model::{Decision, ReferralRow, RefusalGround};
use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::resources::letters::cis::{referral, refusal};
use crate::resources::letters::dps::Common;
use crate::resources::letters::issue::{Target, issue, letterhead, person_lines, signatory};
use crate::resources::referral_applications::model::ApplicationRow;

fn ground(g: RefusalGround) -> &'static str {
    match g {
        RefusalGround::BenefitEntitlement => {
            "prawo do świadczenia, o którym mowa w art. 1 ust. 3 ustawy o zatrudnieniu socjalnym"
        }
        RefusalGround::NotInEligibleGroup => {
            "osoba nie należy do żadnej z grup, o których mowa w art. 1 ust. 2 ustawy"
        }
        RefusalGround::NegativeOpinion => "negatywna opinia pracownika socjalnego",
        RefusalGround::Other => "inna, wskazana w uzasadnieniu",
    }
}

/// Issues the letter of the referral `row` on its application; the applicant is told by its event, as it may
/// not read the referral.
pub(super) fn issue_referral_letter(
    conn: &mut DbConnection,
    caller: &Caller,
    app: &ApplicationRow,
    row: &ReferralRow,
    opinion_on: chrono::NaiveDate,
    act: &str,
) -> Result<(), ApiError> {
    let issuer = letterhead(conn, &app.mopr_id)?;
    let cis = letterhead(conn, &app.target_cis_id)?;
    let cis_line = format!("{}, {}", cis.name, cis.address);
    let (person, addressee) = person_lines(conn, &app.person_id)?;
    let mut copies = vec![cis.name.clone()];
    if let Some(a) = &app.applicant_name {
        copies.push(format!("Wnioskodawca: {a}"));
    }
    let c = Common {
        issuer,
        date: row.issued_on,
        reference: format!("CIS-{}", app.id),
        addressee,
        signatory: signatory(conn, caller, None, None)?,
        copies,
        appeal_body: String::new(),
    };
    let letter = match row.decision {
        Decision::Referred => referral(c, &person, &cis_line, app.received_on, opinion_on),
        Decision::Refused => refusal(
            c,
            &person,
            &cis_line,
            app.received_on,
            ground(row.refusal_ground.unwrap_or(RefusalGround::Other)),
            row.reasons.as_deref().unwrap_or_default(),
        ),
    };
    let target = Target {
        case_type: "referral_application",
        case_id: &app.id,
        person_id: &app.person_id,
        recipients: vec![&app.mopr_id, &app.target_cis_id],
    };
    issue(conn, caller, target, act, &letter)?;
    Ok(())
}
