//! What an institution holds about a person, read straight from the tables of each procedure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Access, HeldCase, HeldDocument, InstitutionAccesses, Recipient};
use crate::foundation::db::DbConnection;
use crate::foundation::db::schema::{
    api_clients, audit_events, documents, dps_applications, institutions, ipzs, person_access,
    referral_applications, users,
};
use crate::foundation::error::ApiError;
use crate::resources::documents::store::FILED;

/// Most accesses listed in one answer.
pub const MAX_ACCESSES: i64 = 10_000;

/// The person's cases an institution takes part in, and what follows from them for its report.
pub struct Held {
    /// Oldest first.
    pub cases: Vec<HeldCase>,
    /// The cases whose whole file the institution reads; on the others (its own applications to another
    /// institution) it holds only the documents it filed.
    pub whole_files: Vec<String>,
    /// The other institutions of those cases: the ones it shared the person's data with through them.
    pub partners: BTreeSet<String>,
}

type AppRow = (String, String, chrono::NaiveDate, String, String, String);
type CaseRow = (String, String, chrono::NaiveDate, String, String);

/// The person's cases the institution takes part in.
pub fn cases(conn: &mut DbConnection, person: &str, inst: &str) -> Result<Held, ApiError> {
    let mut out = Vec::new();
    let mut whole_files = Vec::new();
    let mut partners = BTreeSet::new();
    let apps: Vec<AppRow> = referral_applications::table
        .filter(referral_applications::person_id.eq(person))
        .filter(
            referral_applications::mopr_id
                .eq(inst)
                .or(referral_applications::target_cis_id.eq(inst))
                .or(referral_applications::filed_by_institution_id.eq(inst)),
        )
        .select((
            referral_applications::id,
            referral_applications::status,
            referral_applications::received_on,
            referral_applications::mopr_id,
            referral_applications::target_cis_id,
            referral_applications::filed_by_institution_id,
        ))
        .load(conn)?;
    for (id, status, on, mopr, cis, filer) in apps {
        if mopr == inst || cis == inst {
            whole_files.push(id.clone());
        }
        partners.extend([mopr, cis, filer]);
        out.push(held("referral_application", id, status, on));
    }
    let programmes: Vec<CaseRow> = ipzs::table
        .filter(ipzs::person_id.eq(person))
        .filter(ipzs::mopr_id.eq(inst).or(ipzs::cis_id.eq(inst)))
        .select((
            ipzs::id,
            ipzs::status,
            ipzs::signed_on,
            ipzs::mopr_id,
            ipzs::cis_id,
        ))
        .load(conn)?;
    for (id, status, on, mopr, cis) in programmes {
        whole_files.push(id.clone());
        partners.extend([mopr, cis]);
        out.push(held("ipzs", id, status, on));
    }
    let dps: Vec<CaseRow> = dps_applications::table
        .filter(dps_applications::person_id.eq(person))
        .filter(
            dps_applications::mopr_id
                .eq(inst)
                .or(dps_applications::filed_by_institution_id.eq(inst)),
        )
        .select((
            dps_applications::id,
            dps_applications::status,
            dps_applications::received_on,
            dps_applications::mopr_id,
            dps_applications::filed_by_institution_id,
        ))
        .load(conn)?;
    for (id, status, on, mopr, filer) in dps {
        if mopr == inst {
            whole_files.push(id.clone());
        }
        partners.extend([mopr, filer]);
        out.push(held("dps_application", id, status, on));
    }
    out.sort_by(|a, b| (a.started_on, &a.case_id).cmp(&(b.started_on, &b.case_id)));
    partners.remove(inst);
    Ok(Held {
        cases: out,
        whole_files,
        partners,
    })
}

fn held(
    case_type: &str,
    case_id: String,
    status: String,
    started_on: chrono::NaiveDate,
) -> HeldCase {
    HeldCase {
        case_type: case_type.to_owned(),
        case_id,
        status,
        started_on,
    }
}

type DocumentTuple = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDate,
    String,
    i64,
    String,
);

/// The filed documents of the person the institution holds: every document of the cases whose whole file it
/// reads, and those it filed itself.
pub fn documents(
    conn: &mut DbConnection,
    person: &str,
    inst: &str,
    whole_files: &[String],
) -> Result<Vec<HeldDocument>, ApiError> {
    let rows: Vec<DocumentTuple> = documents::table
        .filter(documents::person_id.eq(person))
        .filter(documents::status.eq(FILED))
        .filter(
            documents::case_id
                .eq_any(whole_files)
                .or(documents::filed_by_institution_id.eq(inst)),
        )
        .order(documents::id.asc())
        .select((
            documents::id,
            documents::case_type,
            documents::case_id,
            documents::kind,
            documents::title,
            documents::received_on,
            documents::filed_by_institution_id,
            documents::size,
            documents::sha256,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, case_type, case_id, kind, title, received_on, filed_by, size, sha256)| {
                HeldDocument {
                    id,
                    case_type,
                    case_id,
                    kind,
                    title,
                    received_on,
                    filed_by_institution_id: filed_by,
                    size,
                    sha256,
                }
            },
        )
        .collect())
}

/// The institutions other than `inst` that received the person's data, with why and since when; only those
/// `among` the given ones when there are (an institution's partners in its own cases).
pub fn recipients(
    conn: &mut DbConnection,
    person: &str,
    inst: &str,
    among: Option<&BTreeSet<String>>,
) -> Result<Vec<Recipient>, ApiError> {
    let rows: Vec<(String, String, NaiveDateTime, String, String)> = person_access::table
        .inner_join(institutions::table.on(institutions::id.eq(person_access::institution_id)))
        .filter(person_access::person_id.eq(person))
        .filter(person_access::institution_id.ne(inst))
        .order((
            person_access::granted_at.asc(),
            person_access::institution_id.asc(),
        ))
        .select((
            person_access::institution_id,
            person_access::reason,
            person_access::granted_at,
            institutions::name,
            institutions::kind,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| among.is_none_or(|a| a.contains(&r.0)))
        .map(|(id, reason, at, name, kind)| Recipient {
            institution_id: id,
            institution_name: name,
            institution_kind: kind,
            reason,
            since: at.and_utc(),
        })
        .collect())
}

type AuditRow = (
    NaiveDateTime,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

/// Which recorded accesses a report shows.
pub enum AccessScope<'a> {
    /// Every access to the person's data (the registry's keeper, MOPR).
    All,
    /// The institution's own accesses, and the others' to the records it holds (the person record, its cases
    /// and its documents).
    Own {
        institution: &'a str,
        records: Vec<&'a str>,
    },
}

/// The recorded accesses to the person's data in `scope`, grouped by institution (the institution first
/// accessing first); answers whether more than [`MAX_ACCESSES`] exist.
pub fn accesses(
    conn: &mut DbConnection,
    person: &str,
    scope: AccessScope<'_>,
) -> Result<(Vec<InstitutionAccesses>, bool), ApiError> {
    let mut query = audit_events::table
        .filter(audit_events::person_id.eq(person))
        .into_boxed();
    if let AccessScope::Own {
        institution,
        records,
    } = scope
    {
        query = query.filter(
            audit_events::actor_institution_id
                .eq(institution)
                .or(audit_events::resource_id.eq_any(records)),
        );
    }
    let mut rows: Vec<AuditRow> = query
        .order((audit_events::occurred_at.asc(), audit_events::id.asc()))
        .limit(MAX_ACCESSES + 1)
        .select((
            audit_events::occurred_at,
            audit_events::actor_id,
            audit_events::actor_institution_id,
            audit_events::action,
            audit_events::resource_type,
            audit_events::resource_id,
            audit_events::detail,
        ))
        .load(conn)?;
    let truncated = rows.len() as i64 > MAX_ACCESSES;
    rows.truncate(MAX_ACCESSES as usize);
    let mut actors: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    actors.sort_unstable();
    actors.dedup();
    let mut roles: BTreeMap<String, String> = users::table
        .filter(users::id.eq_any(&actors))
        .select((users::id, users::role))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    roles.extend(
        api_clients::table
            .filter(api_clients::id.eq_any(&actors))
            .select((api_clients::id, api_clients::role))
            .load::<(String, String)>(conn)?,
    );
    let mut seen: Vec<&str> = rows.iter().filter_map(|r| r.2.as_deref()).collect();
    seen.sort_unstable();
    seen.dedup();
    let names: BTreeMap<String, String> = institutions::table
        .filter(institutions::id.eq_any(&seen))
        .select((institutions::id, institutions::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut groups: Vec<InstitutionAccesses> = Vec::new();
    for (at, actor, inst, action, resource_type, resource_id, detail) in rows {
        let read = action == "read" || action == "list";
        let i = match groups.iter().position(|g| g.institution_id == inst) {
            Some(i) => i,
            None => {
                groups.push(InstitutionAccesses {
                    institution_name: inst.as_ref().and_then(|i| names.get(i).cloned()),
                    institution_id: inst,
                    reads: 0,
                    changes: 0,
                    entries: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        if read {
            g.reads += 1;
        } else {
            g.changes += 1;
        }
        g.entries.push(Access {
            at: at.and_utc(),
            role: roles.get(&actor).cloned(),
            actor_id: actor,
            access: if read { "read" } else { "change" }.to_owned(),
            action,
            resource_type,
            resource_id,
            detail,
        });
    }
    Ok((groups, truncated))
}
