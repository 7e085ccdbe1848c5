//! The CIS procedure: referral applications, opinions, referrals, the IPZS, admission lists, qualification and
//! insurance.

use crate::foundation::error::ApiError;
use crate::identity::caller::Caller;
use crate::identity::kinds::{InstitutionKind, Role};

use super::roles::{forbidden, is_caseworker, is_mopr_caseworker};

/// The institutions a referral case involves.
#[derive(Debug, Clone, Copy)]
pub struct CaseParties<'a> {
    pub mopr_id: &'a str,
    pub target_cis_id: &'a str,
    pub filed_by: &'a str,
}

/// Filing an application for referral to a CIS: casework roles of MOPR, a PCPR or an NGO (art. 12 ust. 2).
/// Returns the filer's kind, which decides what it may claim.
pub fn may_file_application(caller: &Caller) -> Result<InstitutionKind, ApiError> {
    match caller.kind {
        Some(kind @ (InstitutionKind::Mopr | InstitutionKind::Pcpr | InstitutionKind::Ngo))
            if is_caseworker(caller) =>
        {
            Ok(kind)
        }
        _ => Err(forbidden("file applications for referral to a CIS")),
    }
}

/// An application is seen by its MOPR, its target CIS and the institution that filed it.
pub fn sees_application(caller: &Caller, case: CaseParties<'_>) -> bool {
    is_caseworker(caller)
        && [case.mopr_id, case.target_cis_id, case.filed_by]
            .iter()
            .any(|inst| caller.belongs_to(inst))
}

/// The opinion (and the referral document) go to MOPR and the target CIS only; an applying PCPR or NGO learns
/// the status and the outcome, not the social worker's text.
pub fn sees_opinion(caller: &Caller, case: CaseParties<'_>) -> bool {
    is_caseworker(caller)
        && (caller.belongs_to(case.mopr_id) || caller.belongs_to(case.target_cis_id))
}

/// The social worker's opinion is written by a MOPR `social_worker` only.
pub fn may_issue_opinion(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_kind(InstitutionKind::Mopr) && caller.role == Role::SocialWorker {
        Ok(())
    } else {
        Err(forbidden("issue a social worker's opinion"))
    }
}

/// The referral (or its refusal) is MOPR's director's decision. Delegation to an authorised employee is
/// expressed by giving that employee a `director` account, so that every decision is traceable to one.
pub fn may_decide_referral(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_kind(InstitutionKind::Mopr) && caller.role == Role::Director {
        Ok(())
    } else {
        Err(forbidden("decide on referrals to a CIS"))
    }
}

/// Withdrawing an application: the institution that filed it.
pub fn may_withdraw_application(caller: &Caller, case: CaseParties<'_>) -> Result<(), ApiError> {
    if is_caseworker(caller) && caller.belongs_to(case.filed_by) {
        Ok(())
    } else {
        Err(forbidden(
            "withdraw an application another institution filed",
        ))
    }
}

/// The institutions an IPZS involves: the CIS that runs it and the MOPR that referred the participant.
pub fn sees_ipzs(caller: &Caller, mopr_id: &str, cis_id: &str) -> bool {
    is_caseworker(caller) && (caller.belongs_to(mopr_id) || caller.belongs_to(cis_id))
}

/// Signing, terminating and completing an IPZS and writing to the participant: the CIS's casework roles.
pub fn may_run_ipzs(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_kind(InstitutionKind::Cis) && is_caseworker(caller) {
        Ok(())
    } else {
        Err(forbidden("sign or change an IPZS"))
    }
}

/// The admission list and the qualification request are sent by the CIS director.
pub fn may_act_as_cis_director(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_kind(InstitutionKind::Cis) && caller.role == Role::Director {
        Ok(())
    } else {
        Err(forbidden("act for the CIS director"))
    }
}

/// Qualification after the trial month is the MOPR director's decision.
pub fn may_decide_qualification(caller: &Caller) -> Result<(), ApiError> {
    may_decide_referral(caller).map_err(|_| forbidden("decide on qualification"))
}

/// Health-insurance registration is MOPR's (its casework roles).
pub fn may_record_insurance(caller: &Caller) -> Result<(), ApiError> {
    if is_mopr_caseworker(caller) {
        Ok(())
    } else {
        Err(forbidden("record health-insurance registration"))
    }
}
