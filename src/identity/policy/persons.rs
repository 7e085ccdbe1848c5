//! The person registry: which persons a caller sees, who registers and corrects them.

use crate::foundation::error::ApiError;
use crate::identity::caller::Caller;
use crate::identity::kinds::{InstitutionKind, Role};

use super::roles::forbidden;

/// Which persons a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonScope {
    /// MOPR keeps the city's registry: every person.
    All,
    /// Any other institution: the persons it registered or has a case with (`person_access`).
    Institution(String),
}

/// Handling persons' data is casework: the non-admin roles of the four institution kinds. Account admins and
/// platform admins run the system and see no one.
pub fn person_scope(caller: &Caller) -> Result<PersonScope, ApiError> {
    match (caller.role, caller.kind, &caller.institution_id) {
        (Role::Admin | Role::PlatformAdmin, _, _) => Err(forbidden("handle persons' data")),
        (_, Some(InstitutionKind::Mopr), _) => Ok(PersonScope::All),
        (_, Some(_), Some(inst)) => Ok(PersonScope::Institution(inst.clone())),
        _ => Err(forbidden("handle persons' data")),
    }
}

/// Registering a person: MOPR, and the PCPR and NGOs that apply on a person's behalf. A CIS receives persons
/// with referrals and does not register them.
pub fn may_register_person(caller: &Caller) -> Result<(), ApiError> {
    person_scope(caller)?;
    match caller.kind {
        Some(InstitutionKind::Mopr | InstitutionKind::Pcpr | InstitutionKind::Ngo) => Ok(()),
        _ => Err(forbidden("register persons")),
    }
}

/// Correcting a person's record (the caller already sees it): MOPR, or the institution that registered it.
pub fn may_update_person(caller: &Caller, registered_by: &str) -> Result<(), ApiError> {
    match person_scope(caller)? {
        PersonScope::All => Ok(()),
        PersonScope::Institution(own) if own == registered_by => Ok(()),
        PersonScope::Institution(_) => Err(forbidden(
            "change a person registered by another institution",
        )),
    }
}

/// Answering a person's request for access (GDPR art. 15): the account admin of an institution, who sees what
/// their institution holds about the person (a MOPR holds the city's registry; any other institution the persons
/// it registered or has a case with). Casework roles and platform admins may not.
pub fn may_answer_access_request(caller: &Caller) -> Result<PersonScope, ApiError> {
    match (caller.role, caller.kind, &caller.institution_id) {
        (Role::Admin, Some(InstitutionKind::Mopr), Some(_)) => Ok(PersonScope::All),
        (Role::Admin, Some(_), Some(inst)) => Ok(PersonScope::Institution(inst.clone())),
        _ => Err(forbidden(
            "answer a person's request for access (only an institution's admin may)",
        )),
    }
}
