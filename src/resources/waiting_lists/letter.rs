//! The placement decision as a letter, issued by the institution that places when a place frees up.

use chrono::NaiveDate;

use super::model::EntryRow;
use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::resources::dps_applications::letters::{common, target};
use crate::resources::letters::dps::placement_decision;
use crate::resources::letters::issue::{issue, letterhead};

/// Issues the placement decision of `entry` on its DPS case.
#[allow(clippy::too_many_arguments)]
pub(super) fn issue_placement_letter(
    conn: &mut DbConnection,
    caller: &Caller,
    entry: &EntryRow,
    care_home: &str,
    admission_on: NaiveDate,
    decided_on: NaiveDate,
    out_of_order_reason: Option<&str>,
    appeal_body: &str,
) -> Result<(), ApiError> {
    let case = crate::resources::dps_applications::store::get(conn, &entry.dps_application_id)?
        .ok_or_else(|| ApiError::internal("a waiting-list entry without its case"))?;
    let (mut c, person) = common(conn, caller, &case, decided_on, None, appeal_body)?;
    if entry.placing_institution_id != case.mopr_id {
        c.issuer = letterhead(conn, &entry.placing_institution_id)?;
    }
    let letter = placement_decision(
        c,
        &person,
        care_home,
        admission_on,
        entry.entered_on,
        out_of_order_reason,
    );
    let mut to = target(&case);
    to.recipients.push(&entry.placing_institution_id);
    issue(conn, caller, to, "placement.decided", &letter)?;
    Ok(())
}
