//! The queries of the obligation projection: replacing a record's obligations, the paged view, and the one-off
//! rebuild for records written before the projection existed.

use diesel::prelude::*;

use super::model::{
    DeadlineKind, Obligation, Position, StatusFilter, application_obligations, ipzs_obligations,
};
use crate::foundation::db::schema::{
    dps_applications, ipzs, obligations, opinions, qualifications, referral_applications,
};
use crate::foundation::db::{Backend, DbConnection};
use crate::foundation::error::ApiError;
use crate::resources::ipzs::model::IpzsRow;
use crate::resources::opinions::model::OpinionRow;
use crate::resources::qualifications::model::QualificationRow;
use crate::resources::referral_applications::model::ApplicationRow;

/// Replaces the obligations derived from one record (application or IPZS) with `current`.
pub fn replace(
    conn: &mut DbConnection,
    source_id: &str,
    current: &[Obligation],
) -> Result<(), ApiError> {
    diesel::delete(obligations::table.filter(obligations::source_id.eq(source_id)))
        .execute(conn)?;
    insert_new(conn, current)
}

/// Writes the obligations of a record just inserted: it has no opinion or qualification yet and no obligations to
/// replace, so the two queries [`sync_application`] would make are left out of the hottest write.
pub fn insert_new(conn: &mut DbConnection, current: &[Obligation]) -> Result<(), ApiError> {
    if current.is_empty() {
        return Ok(());
    }
    // Multi-row VALUES is backend-specific in diesel, so it runs on the inner connection.
    crate::exact_rows!(current => crate::per_backend!(conn, c => diesel::insert_into(obligations::table)
        .values(current)
        .execute(c)))?;
    Ok(())
}

/// Recomputes an application's obligations; call in the transaction of every change of the application.
pub fn sync_application(conn: &mut DbConnection, app: &ApplicationRow) -> Result<(), ApiError> {
    let opinion = opinions::table
        .filter(opinions::application_id.eq(&app.id))
        .select(OpinionRow::as_select())
        .get_result(conn)
        .optional()?;
    replace(
        conn,
        &app.id,
        &application_obligations(app, opinion.as_ref()),
    )
}

/// Recomputes an IPZS's obligations (its qualification included); call in the transaction of every change of the
/// IPZS or its qualification.
pub fn sync_ipzs(conn: &mut DbConnection, row: &IpzsRow) -> Result<(), ApiError> {
    let q = crate::resources::qualifications::store::find_by_ipzs(conn, &row.id)?;
    replace(conn, &row.id, &ipzs_obligations(row, q.as_ref()))
}

/// Recomputes a DPS case's obligations; call in the transaction of every change of the case.
pub fn sync_dps(
    conn: &mut DbConnection,
    case: &crate::resources::dps_applications::model::DpsCase,
) -> Result<(), ApiError> {
    replace(conn, &case.row.id, &super::model::dps_obligations(case))
}

/// One page of an institution's obligations, soonest due first, optionally of one kind and one status today.
pub fn page(
    conn: &mut DbConnection,
    institution_id: &str,
    kind: Option<DeadlineKind>,
    status: Option<StatusFilter>,
    after: Option<&Position>,
    limit: i64,
) -> Result<Vec<Obligation>, ApiError> {
    let mut q = obligations::table
        .filter(obligations::institution_id.eq(institution_id.to_owned()))
        .select(Obligation::as_select())
        .into_boxed::<Backend>();
    if let Some(kind) = kind {
        q = q.filter(obligations::kind.eq(kind));
    }
    match status {
        None => {}
        Some(StatusFilter::Met) => {
            q = q.filter(
                obligations::met_on
                    .is_not_null()
                    .and(obligations::met_on.le(obligations::due_on.nullable())),
            )
        }
        Some(StatusFilter::MetLate) => {
            q = q.filter(
                obligations::met_on
                    .is_not_null()
                    .and(obligations::met_on.gt(obligations::due_on.nullable())),
            )
        }
        Some(StatusFilter::Unmet { from, to }) => {
            q = q.filter(obligations::met_on.is_null());
            if let Some(from) = from {
                q = q.filter(obligations::due_on.ge(from));
            }
            if let Some(to) = to {
                q = q.filter(obligations::due_on.le(to));
            }
        }
    }
    if let Some(p) = after {
        q = q.filter(
            obligations::due_on
                .gt(p.due_on)
                .or(obligations::due_on.eq(p.due_on).and(
                    obligations::kind.gt(p.kind).or(obligations::kind
                        .eq(p.kind)
                        .and(obligations::resource_id.gt(p.resource_id.clone()))),
                )),
        );
    }
    Ok(q.order((
        obligations::due_on.asc(),
        obligations::kind.asc(),
        obligations::resource_id.asc(),
    ))
    .limit(limit + 1)
    .load(conn)?)
}

/// Writes the obligations of every record once, when the projection is empty but records exist (the first start
/// after the migration that created it). Returns how many records were projected.
pub fn rebuild_if_empty(conn: &mut crate::foundation::db::Conn) -> Result<usize, ApiError> {
    let any: Option<String> = obligations::table
        .select(obligations::source_id)
        .first(&mut **conn)
        .optional()?;
    if any.is_some() {
        return Ok(0);
    }
    crate::foundation::db::write_tx(conn, |conn| {
        let apps: Vec<(ApplicationRow, Option<OpinionRow>)> = referral_applications::table
            .left_join(opinions::table)
            .select((
                ApplicationRow::as_select(),
                Option::<OpinionRow>::as_select(),
            ))
            .load(conn)?;
        let programmes: Vec<(IpzsRow, Option<QualificationRow>)> = ipzs::table
            .left_join(qualifications::table)
            .select((
                IpzsRow::as_select(),
                Option::<QualificationRow>::as_select(),
            ))
            .load(conn)?;
        for (app, opinion) in &apps {
            replace(
                conn,
                &app.id,
                &application_obligations(app, opinion.as_ref()),
            )?;
        }
        for (row, q) in &programmes {
            replace(conn, &row.id, &ipzs_obligations(row, q.as_ref()))?;
        }
        let cases: Vec<crate::resources::dps_applications::model::DpsRow> = dps_applications::table
            .select(crate::resources::dps_applications::model::DpsRow::as_select())
            .load(conn)?;
        let n_cases = cases.len();
        for row in cases {
            sync_dps(
                conn,
                &crate::resources::dps_applications::model::DpsCase::read(row)?,
            )?;
        }
        Ok(apps.len() + programmes.len() + n_cases)
    })
}
