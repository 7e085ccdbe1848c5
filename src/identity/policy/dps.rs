//! The DPS procedure: the case, its file and decision, care homes and their residents, fees, waiting lists and
//! placements.

use crate::foundation::error::ApiError;
use crate::identity::caller::Caller;
use crate::identity::kinds::{InstitutionKind, Role};

use super::roles::{forbidden, is_caseworker, is_mopr_caseworker};

/// A DPS case is seen by its MOPR and, for what it filed, the applying PCPR.
pub fn sees_dps_case(caller: &Caller, mopr_id: &str, filed_by: &str) -> bool {
    is_caseworker(caller) && (caller.belongs_to(mopr_id) || caller.belongs_to(filed_by))
}

/// The whole case (facts, checklist, team, decision reasons, parties) is for its MOPR only.
pub fn sees_dps_file(caller: &Caller, mopr_id: &str) -> bool {
    is_caseworker(caller) && caller.belongs_to(mopr_id)
}

/// Filing a DPS application: MOPR casework roles record any applicant; a PCPR files in its own name.
pub fn may_file_dps_application(caller: &Caller) -> Result<InstitutionKind, ApiError> {
    match caller.kind {
        Some(kind @ (InstitutionKind::Mopr | InstitutionKind::Pcpr)) if is_caseworker(caller) => {
            Ok(kind)
        }
        _ => Err(forbidden("file DPS applications")),
    }
}

/// The facts of the case and the eligibility assessment: the MOPR social worker.
pub fn may_record_dps_facts(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_kind(InstitutionKind::Mopr) && caller.role == Role::SocialWorker {
        Ok(())
    } else {
        Err(forbidden("record the facts of a DPS case"))
    }
}

/// The file (documents, the qualifying team, pauses, deliveries, waivers, appeals): MOPR casework roles.
pub fn may_handle_dps_file(caller: &Caller) -> Result<(), ApiError> {
    if is_mopr_caseworker(caller) {
        Ok(())
    } else {
        Err(forbidden("handle a DPS file"))
    }
}

/// The decision, marking a case complicated and art. 36 notices: the MOPR director (or deputy, or head of
/// department, who are given director accounts).
pub fn may_decide_dps(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_kind(InstitutionKind::Mopr) && caller.role == Role::Director {
        Ok(())
    } else {
        Err(forbidden("issue DPS decisions"))
    }
}

/// Registering a care home: a platform admin, or the director of the MOPR or PCPR that will place people in it.
pub fn may_register_care_home(
    caller: &Caller,
    placing_institution_id: &str,
) -> Result<(), ApiError> {
    if caller.is_platform_admin() || is_placing_director(caller, placing_institution_id) {
        Ok(())
    } else {
        Err(forbidden(
            "register a care home placed by another institution",
        ))
    }
}

/// Publishing a home's average monthly cost: a platform admin, or the director of its placing institution.
pub fn may_publish_care_home_cost(
    caller: &Caller,
    placing_institution_id: &str,
) -> Result<(), ApiError> {
    if caller.is_platform_admin() || is_placing_director(caller, placing_institution_id) {
        Ok(())
    } else {
        Err(forbidden(
            "publish the cost of a care home placed by another institution",
        ))
    }
}

fn is_placing_director(caller: &Caller, placing_institution_id: &str) -> bool {
    matches!(
        caller.kind,
        Some(InstitutionKind::Mopr | InstitutionKind::Pcpr)
    ) && caller.role == Role::Director
        && caller.belongs_to(placing_institution_id)
}

/// A home's residents (who lives there, admissions, departures): the casework roles of its placing institution.
pub fn may_handle_residents(caller: &Caller, placing_institution_id: &str) -> Result<(), ApiError> {
    if is_caseworker(caller) && caller.belongs_to(placing_institution_id) {
        Ok(())
    } else {
        Err(forbidden(
            "handle the residents of a care home placed by another institution",
        ))
    }
}

/// Adding an income criterion (a new regulation): platform admins.
pub fn may_add_income_criterion(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_platform_admin() {
        Ok(())
    } else {
        Err(forbidden("add income criteria"))
    }
}

/// The fee decision is an administrative decision of the MOPR that decided the placement: its director.
pub fn may_issue_fee_decision(caller: &Caller) -> Result<(), ApiError> {
    may_decide_dps(caller).map_err(|_| forbidden("issue fee decisions"))
}

/// Entering a case with a final decision on a home's waiting list: the casework roles of the case's MOPR.
pub fn may_enter_waiting_list(caller: &Caller) -> Result<(), ApiError> {
    if is_mopr_caseworker(caller) {
        Ok(())
    } else {
        Err(forbidden("enter persons on a waiting list"))
    }
}

/// A waiting-list entry is seen by the case's MOPR and the home's placing institution.
pub fn sees_waiting_list_entry(
    caller: &Caller,
    mopr_id: &str,
    placing_institution_id: &str,
) -> bool {
    is_caseworker(caller)
        && (caller.belongs_to(mopr_id) || caller.belongs_to(placing_institution_id))
}

/// Taking a person off the list (withdrawn, died, moved elsewhere): casework roles of either institution.
pub fn may_remove_from_waiting_list(
    caller: &Caller,
    mopr_id: &str,
    placing_institution_id: &str,
) -> Result<(), ApiError> {
    if sees_waiting_list_entry(caller, mopr_id, placing_institution_id) {
        Ok(())
    } else {
        Err(forbidden("change this waiting list"))
    }
}

/// The placement decision (decyzja o umieszczeniu) is the placing institution's director's.
pub fn may_issue_placement(caller: &Caller, placing_institution_id: &str) -> Result<(), ApiError> {
    if is_placing_director(caller, placing_institution_id) {
        Ok(())
    } else {
        Err(forbidden("issue placement decisions for this care home"))
    }
}
