//! The fee decision as a letter: each payer's monthly amount in a table, the income criterion and the home's
//! average cost it was computed from (art. 61 u.p.s.).

use super::model::{FeeSplit, IncomeCriterion, Relation};
use super::store::FeeDecisionRow;
use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::resources::care_homes::model::CostOfStay;
use crate::resources::dps_applications::letters::{common, target};
use crate::resources::dps_applications::model::DpsRow;
use crate::resources::letters::dps::{FeeRuling, Payer, fee_decision};
use crate::resources::letters::issue::issue;
use crate::resources::letters::text::money;

/// What a fee decision was computed from, as the handler had it.
pub(super) struct Figures<'a> {
    pub split: &'a FeeSplit,
    pub criterion: IncomeCriterion,
    pub cost: &'a CostOfStay,
    pub resident_income: i64,
    pub volunteers: Vec<String>,
    /// The home's name and address.
    pub care_home: String,
}

fn relation(r: Relation) -> &'static str {
    match r {
        Relation::Spouse => "małżonek",
        Relation::Descendant => "zstępny",
        Relation::Ascendant => "wstępny",
    }
}

/// Issues the letter of the fee decision `row` on its case.
pub(super) fn issue_fee_letter(
    conn: &mut DbConnection,
    caller: &Caller,
    case: &DpsRow,
    row: &FeeDecisionRow,
    f: Figures<'_>,
    appeal_body: &str,
) -> Result<(), ApiError> {
    let (c, person) = common(conn, caller, case, row.issued_on, None, appeal_body)?;
    let s = f.split;
    let mut payers = vec![Payer {
        who: format!("Mieszkaniec: {person}"),
        basis: format!(
            "70% dochodu {} (najwyżej {}), art. 61 ust. 1 pkt 1",
            money(f.resident_income),
            money(s.resident_limit)
        ),
        monthly: s.resident_pays,
    }];
    for r in &s.relatives {
        payers.push(Payer {
            who: format!("{} ({})", r.name, relation(r.relation)),
            basis: format!(
                "umowa na {}, najwyżej {}, art. 61 ust. 1 pkt 2",
                money(r.agreed),
                money(r.legal_maximum)
            ),
            monthly: r.pays,
        });
    }
    if s.volunteers_pay > 0 || !f.volunteers.is_empty() {
        payers.push(Payer {
            who: format!("Inne osoby: {}", f.volunteers.join(", ")),
            basis: "dobrowolnie, art. 61 ust. 1 pkt 4".to_owned(),
            monthly: s.volunteers_pay,
        });
    }
    payers.push(Payer {
        who: c
            .issuer
            .name
            .replace("Miejski Ośrodek Pomocy Rodzinie", "Gmina (MOPR)"),
        basis: "różnica do średniego kosztu, art. 61 ust. 1 pkt 3 i ust. 2 pkt 3".to_owned(),
        monthly: s.municipality_pays,
    });
    let letter = fee_decision(
        c,
        FeeRuling {
            person,
            care_home: f.care_home,
            applies_from: row.applies_from,
            average_cost: s.average_cost,
            cost_applies_from: f.cost.applies_from,
            resident_income: f.resident_income,
            resident_limit: s.resident_limit,
            criterion_single: f.criterion.single,
            criterion_family: f.criterion.per_person_in_family,
            criterion_applies_from: f.criterion.applies_from,
            payers,
        },
    );
    issue(conn, caller, target(case), "fee_decision.issued", &letter)?;
    Ok(())
}
