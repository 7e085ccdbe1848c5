//! The building blocks of every rule: the refusal, and which callers do casework.

use crate::foundation::error::ApiError;
use crate::identity::caller::Caller;
use crate::identity::kinds::{InstitutionKind, Role};

pub(super) fn forbidden(what: &str) -> ApiError {
    ApiError::Forbidden(format!("your institution kind or role may not {what}"))
}

pub(super) fn is_caseworker(caller: &Caller) -> bool {
    !matches!(caller.role, Role::Admin | Role::PlatformAdmin) && caller.institution_id.is_some()
}

pub(super) fn is_mopr_caseworker(caller: &Caller) -> bool {
    caller.is_kind(InstitutionKind::Mopr) && is_caseworker(caller)
}
