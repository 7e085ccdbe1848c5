//! Who sees and files the documents of a case: whoever may read the case may list, read and file its documents,
//! within the procedure's limits. An institution that sees a case only as its applicant (an NGO or a PCPR that
//! applied for a referral, a PCPR that filed a DPS application) reads only the documents it filed itself, as it
//! cannot read the opinion or the file. Everyone else gets 404, as for the case.

use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::{Caller, policy};
use crate::resources::{dps_applications, ipzs, persons, referral_applications};

/// The kinds of case that keep documents.
pub const CASE_TYPES: &[&str] = &["person", "referral_application", "ipzs", "dps_application"];

/// What the caller may do with one case's documents.
#[derive(Debug, Clone)]
pub struct CaseAccess {
    pub person_id: String,
    /// `Some(institution)`: the caller reads only the documents its institution filed.
    pub only_filed_by: Option<String>,
    /// The institutions told of a document filed or withdrawn (those that see the case).
    pub recipients: Vec<String>,
}

impl CaseAccess {
    /// Whether the caller sees a document of this case filed by `filed_by`.
    pub fn sees(&self, filed_by: &str) -> bool {
        self.only_filed_by
            .as_deref()
            .is_none_or(|own| own == filed_by)
    }
}

/// The caller's access to a case, or 404 when it may not read it (or it does not exist).
pub fn case_access(
    conn: &mut DbConnection,
    caller: &Caller,
    case_type: &str,
    case_id: &str,
) -> Result<CaseAccess, ApiError> {
    let hidden = || ApiError::not_found("case");
    let own = caller.institution_id.clone().unwrap_or_default();
    match case_type {
        "person" => {
            let scope = policy::person_scope(caller)?;
            let person = persons::store::get_visible(conn, &scope, case_id)?.ok_or_else(hidden)?;
            Ok(CaseAccess {
                person_id: person.id,
                only_filed_by: None,
                recipients: vec![own],
            })
        }
        "referral_application" => {
            let app = referral_applications::store::load_visible(conn, caller, case_id)
                .map_err(|_| hidden())?;
            let applicant_only = !policy::sees_opinion(caller, app.parties());
            Ok(CaseAccess {
                only_filed_by: applicant_only.then_some(own),
                recipients: vec![
                    app.mopr_id.clone(),
                    app.target_cis_id.clone(),
                    app.filed_by_institution_id.clone(),
                ],
                person_id: app.person_id,
            })
        }
        "ipzs" => {
            let row = ipzs::store::load_visible(conn, caller, case_id).map_err(|_| hidden())?;
            Ok(CaseAccess {
                only_filed_by: None,
                recipients: vec![row.mopr_id.clone(), row.cis_id.clone()],
                person_id: row.person_id,
            })
        }
        "dps_application" => {
            let row = dps_applications::store::load_visible(conn, caller, case_id)
                .map_err(|_| hidden())?;
            let applicant_only = !policy::sees_dps_file(caller, &row.mopr_id);
            Ok(CaseAccess {
                only_filed_by: applicant_only.then_some(own),
                recipients: vec![row.mopr_id.clone(), row.filed_by_institution_id.clone()],
                person_id: row.person_id,
            })
        }
        _ => Err(hidden()),
    }
}
