//! The one place that decides who may do what. Deny by default: every function lists the callers it allows and
//! refuses everyone else. Handlers call these and never compare roles themselves.
//!
//! Two refusals exist on purpose: 403 when the caller may know the record exists but may not act on it, and 404
//! when the caller may not even know it exists (see [`crate::foundation::error::ApiError::NotFound`]).

use super::caller::Caller;
use super::kinds::{InstitutionKind, Role};
use crate::foundation::error::ApiError;

fn forbidden(what: &str) -> ApiError {
    ApiError::Forbidden(format!("your institution kind or role may not {what}"))
}

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

/// The institutions a referral case involves.
#[derive(Debug, Clone, Copy)]
pub struct CaseParties<'a> {
    pub mopr_id: &'a str,
    pub target_cis_id: &'a str,
    pub filed_by: &'a str,
}

fn is_caseworker(caller: &Caller) -> bool {
    !matches!(caller.role, Role::Admin | Role::PlatformAdmin) && caller.institution_id.is_some()
}

fn is_mopr_caseworker(caller: &Caller) -> bool {
    caller.is_kind(InstitutionKind::Mopr) && is_caseworker(caller)
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

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::identity::PrincipalType;

    pub fn caller(kind: Option<InstitutionKind>, role: Role) -> Caller {
        Caller {
            id: "u".into(),
            principal: PrincipalType::User,
            institution_id: kind.map(|k| format!("inst-{}", k.as_str())),
            kind,
            role,
            request_id: "r".into(),
        }
    }

    #[test]
    fn only_platform_admins_register_institutions() {
        assert!(may_create_institution(&caller(None, Role::PlatformAdmin)).is_ok());
        for kind in InstitutionKind::ALL {
            for role in [Role::Staff, Role::SocialWorker, Role::Director, Role::Admin] {
                assert!(may_create_institution(&caller(Some(kind), role)).is_err());
            }
        }
    }

    #[test]
    fn admins_manage_only_their_own_institution() {
        let admin = caller(Some(InstitutionKind::Cis), Role::Admin);
        let scope = account_admin_scope(&admin).unwrap();
        assert!(scope.covers("inst-CIS"));
        assert!(!scope.covers("inst-MOPR"));
        assert!(
            account_admin_scope(&caller(None, Role::PlatformAdmin))
                .unwrap()
                .covers("x")
        );
        for role in [Role::Staff, Role::SocialWorker, Role::Director] {
            assert!(account_admin_scope(&caller(Some(InstitutionKind::Mopr), role)).is_err());
        }
    }

    #[test]
    fn audit_is_for_mopr_directors_and_platform_admins() {
        for kind in InstitutionKind::ALL {
            for role in [Role::Staff, Role::SocialWorker, Role::Director, Role::Admin] {
                let allowed = kind == InstitutionKind::Mopr && role == Role::Director;
                assert_eq!(
                    may_read_audit(&caller(Some(kind), role)).is_ok(),
                    allowed,
                    "{kind:?} {role:?}"
                );
            }
        }
        assert!(may_read_audit(&caller(None, Role::PlatformAdmin)).is_ok());
    }

    #[test]
    fn social_workers_exist_only_in_mopr() {
        assert!(role_allowed_in(InstitutionKind::Mopr, Role::SocialWorker));
        for kind in [
            InstitutionKind::Cis,
            InstitutionKind::Pcpr,
            InstitutionKind::Ngo,
        ] {
            assert!(!role_allowed_in(kind, Role::SocialWorker));
            assert!(role_allowed_in(kind, Role::Director));
        }
        assert!(!role_allowed_in(InstitutionKind::Mopr, Role::PlatformAdmin));
    }
}

#[cfg(test)]
mod person_tests {
    use super::tests::caller;
    use super::*;

    #[test]
    fn persons_are_casework_not_administration() {
        for kind in InstitutionKind::ALL {
            assert!(person_scope(&caller(Some(kind), Role::Admin)).is_err());
            assert!(person_scope(&caller(Some(kind), Role::Staff)).is_ok());
        }
        assert!(person_scope(&caller(None, Role::PlatformAdmin)).is_err());
        assert_eq!(
            person_scope(&caller(Some(InstitutionKind::Mopr), Role::Staff)).unwrap(),
            PersonScope::All
        );
    }

    #[test]
    fn a_cis_does_not_register_persons() {
        assert!(may_register_person(&caller(Some(InstitutionKind::Cis), Role::Director)).is_err());
        for kind in [
            InstitutionKind::Mopr,
            InstitutionKind::Pcpr,
            InstitutionKind::Ngo,
        ] {
            assert!(may_register_person(&caller(Some(kind), Role::Staff)).is_ok());
        }
    }

    #[test]
    fn only_mopr_and_the_registering_institution_correct_a_record() {
        let ngo = caller(Some(InstitutionKind::Ngo), Role::Staff);
        assert!(may_update_person(&ngo, "inst-NGO").is_ok());
        assert!(may_update_person(&ngo, "inst-PCPR").is_err());
        assert!(
            may_update_person(
                &caller(Some(InstitutionKind::Mopr), Role::Staff),
                "inst-NGO"
            )
            .is_ok()
        );
    }
}

#[cfg(test)]
mod case_tests {
    use super::tests::caller;
    use super::*;

    const CASE: CaseParties<'static> = CaseParties {
        mopr_id: "inst-MOPR",
        target_cis_id: "inst-CIS",
        filed_by: "inst-NGO",
    };

    #[test]
    fn the_three_parties_see_the_application_others_do_not() {
        for kind in InstitutionKind::ALL {
            let sees = kind != InstitutionKind::Pcpr;
            assert_eq!(
                sees_application(&caller(Some(kind), Role::Staff), CASE),
                sees,
                "{kind:?}"
            );
            assert!(!sees_application(&caller(Some(kind), Role::Admin), CASE));
        }
    }

    #[test]
    fn the_applicant_does_not_see_the_opinion() {
        assert!(sees_opinion(
            &caller(Some(InstitutionKind::Mopr), Role::Staff),
            CASE
        ));
        assert!(sees_opinion(
            &caller(Some(InstitutionKind::Cis), Role::Staff),
            CASE
        ));
        assert!(!sees_opinion(
            &caller(Some(InstitutionKind::Ngo), Role::Staff),
            CASE
        ));
    }

    #[test]
    fn opinions_and_decisions_belong_to_named_mopr_roles() {
        for kind in InstitutionKind::ALL {
            for role in [Role::Staff, Role::SocialWorker, Role::Director, Role::Admin] {
                let c = caller(Some(kind), role);
                let mopr = kind == InstitutionKind::Mopr;
                assert_eq!(
                    may_issue_opinion(&c).is_ok(),
                    mopr && role == Role::SocialWorker
                );
                assert_eq!(
                    may_decide_referral(&c).is_ok(),
                    mopr && role == Role::Director
                );
            }
        }
    }

    #[test]
    fn care_homes_are_run_by_their_placing_institution() {
        for kind in InstitutionKind::ALL {
            for role in [Role::Staff, Role::SocialWorker, Role::Director, Role::Admin] {
                let c = caller(Some(kind), role);
                let own = format!("inst-{}", kind.as_str());
                let placing_director =
                    matches!(kind, InstitutionKind::Mopr | InstitutionKind::Pcpr)
                        && role == Role::Director;
                assert_eq!(
                    may_register_care_home(&c, &own).is_ok(),
                    placing_director,
                    "{kind:?} {role:?}"
                );
                assert_eq!(
                    may_issue_placement(&c, &own).is_ok(),
                    placing_director,
                    "{kind:?} {role:?}"
                );
                assert!(may_register_care_home(&c, "other").is_err());
                assert!(may_issue_placement(&c, "other").is_err());
                assert_eq!(may_handle_residents(&c, &own).is_ok(), role != Role::Admin);
                assert!(may_handle_residents(&c, "other").is_err());
                assert_eq!(
                    may_enter_waiting_list(&c).is_ok(),
                    kind == InstitutionKind::Mopr && role != Role::Admin
                );
                assert_eq!(
                    may_issue_fee_decision(&c).is_ok(),
                    kind == InstitutionKind::Mopr && role == Role::Director
                );
                assert!(may_add_income_criterion(&c).is_err());
            }
        }
        let platform = caller(None, Role::PlatformAdmin);
        assert!(may_register_care_home(&platform, "x").is_ok());
        assert!(may_add_income_criterion(&platform).is_ok());
        assert!(may_issue_placement(&platform, "x").is_err());
        assert!(may_handle_residents(&platform, "x").is_err());
    }
}
