//! The directory and the system: institutions, accounts, webhooks, the audit trail, which roles each kind
//! of institution has.

use crate::foundation::error::ApiError;
use crate::identity::caller::Caller;
use crate::identity::kinds::{InstitutionKind, Role};

use super::roles::forbidden;

/// Reading the directory of institutions: every signed-in caller (applications must name a CIS).
pub fn may_read_institutions(_caller: &Caller) -> Result<(), ApiError> {
    Ok(())
}

/// Registering an institution: platform admins only.
pub fn may_create_institution(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_platform_admin() {
        Ok(())
    } else {
        Err(forbidden("register institutions"))
    }
}

/// Whose accounts (users and API clients) a caller administers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminScope {
    /// A platform admin: every institution.
    Platform,
    /// An institution's admin: that institution only.
    Institution(String),
}

impl AdminScope {
    pub fn covers(&self, institution_id: &str) -> bool {
        match self {
            AdminScope::Platform => true,
            AdminScope::Institution(own) => own == institution_id,
        }
    }
}

impl AdminScope {
    /// The institution a list of accounts is restricted to: a platform admin's optional filter, or an
    /// institution admin's own institution (naming another one is refused).
    pub fn list_filter(&self, requested: Option<String>) -> Result<Option<String>, ApiError> {
        match (self, requested) {
            (AdminScope::Platform, requested) => Ok(requested),
            (AdminScope::Institution(own), None) => Ok(Some(own.clone())),
            (AdminScope::Institution(own), Some(r)) if *own == r => Ok(Some(r)),
            (AdminScope::Institution(_), Some(_)) => Err(ApiError::Forbidden(
                "an institution's admin sees only the accounts of their own institution".into(),
            )),
        }
    }
}

/// Managing accounts: an institution's `admin` for its own institution, a platform admin for any.
pub fn account_admin_scope(caller: &Caller) -> Result<AdminScope, ApiError> {
    match (caller.role, &caller.institution_id) {
        (Role::PlatformAdmin, _) => Ok(AdminScope::Platform),
        (Role::Admin, Some(inst)) => Ok(AdminScope::Institution(inst.clone())),
        _ => Err(forbidden("manage user accounts or API clients")),
    }
}

/// Registering and following webhook endpoints: an institution's `admin`, for its own institution's events (a
/// platform admin has no institution and so no feed). Returns the institution.
pub fn may_manage_webhooks(caller: &Caller) -> Result<String, ApiError> {
    match (caller.role, &caller.institution_id) {
        (Role::Admin, Some(inst)) => Ok(inst.clone()),
        _ => Err(forbidden("manage webhook endpoints")),
    }
}

/// Reading the audit trail: MOPR directors (MOPR keeps the city's registry of persons) and platform admins.
pub fn may_read_audit(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_platform_admin()
        || (caller.is_kind(InstitutionKind::Mopr) && caller.role == Role::Director)
    {
        Ok(())
    } else {
        Err(forbidden("read the audit trail"))
    }
}

/// Which roles an account of an institution of `kind` may hold.
pub fn role_allowed_in(kind: InstitutionKind, role: Role) -> bool {
    match role {
        Role::SocialWorker => kind == InstitutionKind::Mopr,
        Role::PlatformAdmin => false,
        Role::Staff | Role::Director | Role::Admin => true,
    }
}
