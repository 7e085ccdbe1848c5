use super::*;
use crate::identity::PrincipalType;
use crate::identity::caller::Caller;
use crate::identity::kinds::{InstitutionKind, Role};

pub fn caller(kind: Option<InstitutionKind>, role: Role) -> Caller {
    Caller {
        id: "u".into(),
        principal: PrincipalType::User,
        institution_id: kind.map(|k| format!("inst-{}", k.as_str())),
        kind,
        role,
        generation: 1,
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

#[cfg(test)]
mod person_tests {
    use super::caller;
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
    use super::caller;
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
