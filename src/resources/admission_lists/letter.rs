//! The admission list as the letter a CIS sends MOPR (seed 000 II.1), filed on every IPZS it names.

use chrono::NaiveDate;

use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::resources::ipzs::model::IpzsRow;
use crate::resources::letters::Letter;
use crate::resources::letters::cis::{Admitted, admission_list};
use crate::resources::letters::dps::Common;
use crate::resources::letters::issue::{letterhead, person_lines, signatory};

/// The letter of the list `list_id` naming `rows` (all of one CIS and one MOPR).
pub(super) fn build(
    conn: &mut DbConnection,
    caller: &Caller,
    rows: &[IpzsRow],
    list_id: &str,
    sent_on: NaiveDate,
) -> Result<Letter, ApiError> {
    let first = rows
        .first()
        .ok_or_else(|| ApiError::internal("an empty admission list"))?;
    let issuer = letterhead(conn, &first.cis_id)?;
    let mopr = letterhead(conn, &first.mopr_id)?;
    let mut admitted = Vec::with_capacity(rows.len());
    for r in rows {
        admitted.push(Admitted {
            name: person_lines(conn, &r.person_id)?.0,
            signed_on: r.signed_on,
            start_on: r.start_on,
            proper_period_starts_on: r.proper_period_starts_on,
        });
    }
    let c = Common {
        issuer,
        date: sent_on,
        reference: format!("LISTA-{list_id}"),
        addressee: vec![mopr.name.clone(), mopr.address],
        signatory: signatory(conn, caller, None, None)?,
        copies: vec![mopr.name],
        appeal_body: String::new(),
    };
    Ok(admission_list(c, &admitted))
}
