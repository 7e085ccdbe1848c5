//! The queries of referrals.

use diesel::prelude::*;

use super::model::{Decision, ReferralRow};
use crate::foundation::db::schema::{referral_applications, referrals};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::foundation::pagination::PageRequest;
use crate::resources::referral_applications::model::ApplicationRow;

pub fn insert(conn: &mut DbConnection, row: &ReferralRow) -> Result<(), ApiError> {
    diesel::insert_into(referrals::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ReferralRow>, ApiError> {
    Ok(referrals::table
        .find(id)
        .select(ReferralRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// One page of the referrals an institution is party to (as the MOPR or the target CIS), with their applications.
pub fn list(
    conn: &mut DbConnection,
    institution_id: &str,
    decision: Option<Decision>,
    person_id: Option<&str>,
    page: &PageRequest,
) -> Result<Vec<(ReferralRow, ApplicationRow)>, ApiError> {
    let inst = institution_id.to_owned();
    let mut sel = referrals::table
        .inner_join(referral_applications::table)
        .filter(
            referral_applications::mopr_id
                .eq(inst.clone())
                .or(referral_applications::target_cis_id.eq(inst)),
        )
        .select((ReferralRow::as_select(), ApplicationRow::as_select()))
        .into_boxed::<Backend>();
    if let Some(d) = decision {
        sel = sel.filter(referrals::decision.eq(d.as_str()));
    }
    if let Some(p) = person_id {
        sel = sel.filter(referral_applications::person_id.eq(p.to_owned()));
    }
    if let Some(after) = &page.after {
        sel = sel.filter(referrals::id.gt(after.clone()));
    }
    Ok(sel
        .order(referrals::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}
