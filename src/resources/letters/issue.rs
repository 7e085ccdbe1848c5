//! Filing an issued letter in the case file, inside the transaction of the act that issues it: the act, its
//! letter and the letter's hash on the act's register row commit together or not at all.

use sha2::{Digest, Sha256};

use super::{Letter, Letterhead, Signatory, pdf};
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;
use crate::identity::Caller;
use crate::identity::kinds::{PrincipalType, Role};
use crate::records::acts::{self, IssuedLetter};
use crate::resources::documents::announce_filed;
use crate::resources::documents::store::{self, CHUNK_BYTES, DocumentRow, FILED};
use crate::resources::persons::pesel::Sex;

/// The case a letter is filed on, and who is told of it (the institutions that see the case).
pub struct Target<'a> {
    /// `referral_application`, `ipzs` or `dps_application`.
    pub case_type: &'a str,
    pub case_id: &'a str,
    pub person_id: &'a str,
    pub recipients: Vec<&'a str>,
}

/// Renders `letter`, files it on the case as a document of its kind, and records it on the case's latest `act`.
pub fn issue(
    conn: &mut DbConnection,
    caller: &Caller,
    target: Target<'_>,
    act: &str,
    letter: &Letter,
) -> Result<IssuedLetter, ApiError> {
    let pdf = pdf::render(letter)?;
    issue_rendered(conn, caller, target, act, letter, &pdf)
}

/// [`issue`] for a letter already rendered: one admission list is filed on every IPZS it names.
pub fn issue_rendered(
    conn: &mut DbConnection,
    caller: &Caller,
    target: Target<'_>,
    act: &str,
    letter: &Letter,
    pdf: &[u8],
) -> Result<IssuedLetter, ApiError> {
    let Target {
        case_type,
        case_id,
        person_id,
        mut recipients,
    } = target;
    recipients.sort_unstable();
    recipients.dedup();
    // The issuing institution made the act; the others that see the case are told.
    recipients.retain(|r| Some(*r) != caller.institution_id.as_deref());
    let sha256: String = Sha256::digest(pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let row = DocumentRow {
        id: uuid::Uuid::now_v7().to_string(),
        case_type: case_type.to_owned(),
        case_id: case_id.to_owned(),
        person_id: person_id.to_owned(),
        kind: letter.kind.clone(),
        title: letter.title.clone(),
        filename: letter.filename(),
        content_type: "application/pdf".to_owned(),
        size: pdf.len() as i64,
        sha256: sha256.clone(),
        received_on: letter.date,
        filed_by_institution_id: caller.institution_id.clone().unwrap_or_default(),
        filed_by_user_id: caller.id.clone(),
        status: FILED.to_owned(),
        recorded_at: db::now(),
        withdrawn_at: None,
        withdrawn_by: None,
        withdrawal_reason: None,
        version: 1,
    };
    store::insert(conn, &row)?;
    for (seq, chunk) in pdf.chunks(CHUNK_BYTES).enumerate() {
        store::insert_chunk(conn, &row.id, seq as i32, chunk)?;
    }
    let issued = IssuedLetter {
        document_id: row.id.clone(),
        sha256,
    };
    let source = serde_json::to_string(letter)
        .map_err(|e| ApiError::internal(format!("letter source: {e}")))?;
    acts::attach_letter(conn, case_type, case_id, act, &issued, &source)?;
    let detail = format!("{case_type} {} sha256 {}", row.kind, issued.sha256);
    announce_filed(conn, caller, &row, &recipients, detail)?;
    Ok(issued)
}

/// The letterhead of an institution, from its record.
pub fn letterhead(conn: &mut DbConnection, institution_id: &str) -> Result<Letterhead, ApiError> {
    let i = crate::resources::institutions::store::get(conn, institution_id)?
        .ok_or_else(|| ApiError::internal(format!("institution {institution_id} is gone")))?;
    Ok(Letterhead {
        name: i.name,
        address: i.address,
    })
}

/// The caller as a signatory: their name as their account gives it, their position from their role, and the
/// capacity they sign in (`None` when they act in their own name).
pub fn signatory(
    conn: &mut DbConnection,
    caller: &Caller,
    position: Option<&str>,
    capacity: Option<String>,
) -> Result<Signatory, ApiError> {
    let name = match caller.principal {
        PrincipalType::User => crate::resources::users::store::get_user(conn, &caller.id)?
            .map(|u| u.display_name.unwrap_or(u.username))
            .unwrap_or_else(|| caller.id.clone()),
        PrincipalType::Client => format!("system partnerski ({})", caller.id),
    };
    let position = position.map(str::to_owned).unwrap_or_else(|| {
        match caller.role {
            Role::Director => "Dyrektor",
            Role::SocialWorker => "Pracownik socjalny",
            _ => "Pracownik",
        }
        .to_owned()
    });
    Ok(Signatory {
        name,
        position,
        capacity,
    })
}

/// The name of a person as a letter addresses them, with their address of residence when known.
pub fn person_lines(
    conn: &mut DbConnection,
    person_id: &str,
) -> Result<(String, Vec<String>), ApiError> {
    let p = crate::resources::persons::store::get(conn, person_id)?
        .ok_or_else(|| ApiError::internal(format!("person {person_id} is gone")))?
        .into_view()?;
    let name = format!("{} {}", p.first_name, p.last_name);
    let mut lines = vec![format!(
        "{} {}",
        if p.sex == Sex::Female { "Pani" } else { "Pan" },
        name
    )];
    // A letter goes where the person stays when that differs from where they live.
    if let Some(a) = p.stay_address.or(p.residence_address) {
        let street = a.street.map(|s| format!("{s} ")).unwrap_or_default();
        let flat = a.flat.map(|f| format!("/{f}")).unwrap_or_default();
        lines.push(format!("{street}{}{flat}", a.building));
        lines.push(format!("{} {}", a.postal_code, a.city));
    }
    Ok((name, lines))
}
