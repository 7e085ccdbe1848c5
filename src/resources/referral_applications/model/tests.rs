use super::*;
use crate::foundation::error::ApiError;
use crate::identity::InstitutionKind;
use crate::resources::referrals::model::check_referral_allowed;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn app(kind: Option<ApplicantKind>) -> NewReferralApplication {
    NewReferralApplication {
        person_id: "p".into(),
        target_cis_id: "c".into(),
        mopr_id: None,
        applicant_kind: kind,
        applicant_name: None,
        eligibility_categories: vec![EligibilityCategory::LongTermUnemployed],
        other_category_description: None,
        justification: "needs work".into(),
        received_on: d("2026-11-20"),
        consent: Consent {
            given: true,
            given_on: d("2026-11-18"),
            given_by: ConsentGivenBy::Person,
        },
        declared_benefits: vec![],
    }
}

fn codes(e: ApiError) -> Vec<String> {
    match e {
        ApiError::Validation(v) => v
            .into_iter()
            .map(|f| format!("{}:{}", f.field, f.code))
            .collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_opinion_is_due_14_days_after_receipt_moved_off_holidays() {
    assert_eq!(opinion_due_on(d("2026-11-09")), d("2026-11-23"));
    // Across a month end.
    assert_eq!(opinion_due_on(d("2026-01-20")), d("2026-02-03"));
    assert_eq!(opinion_due_on(d("2026-02-20")), d("2026-03-06"));
    // 2026-10-28 + 14 = Wed 11 Nov (holiday) -> Thu 12 Nov.
    assert_eq!(opinion_due_on(d("2026-10-28")), d("2026-11-12"));
    // 2025-12-17 + 14 = Wed 31 Dec; 2025-12-18 + 14 = 1 Jan -> Fri 2 Jan.
    assert_eq!(opinion_due_on(d("2025-12-17")), d("2025-12-31"));
    assert_eq!(opinion_due_on(d("2025-12-18")), d("2026-01-02"));
}

#[test]
fn overdue_means_still_waiting_after_the_due_date() {
    let due = d("2026-11-23");
    assert!(!opinion_overdue(ApplicationStatus::Submitted, due, due));
    assert!(opinion_overdue(
        ApplicationStatus::Submitted,
        due,
        d("2026-11-24")
    ));
    assert!(!opinion_overdue(
        ApplicationStatus::OpinionIssued,
        due,
        d("2026-12-24")
    ));
    assert!(!opinion_overdue(
        ApplicationStatus::Withdrawn,
        due,
        d("2026-12-24")
    ));
}

#[test]
fn transitions_follow_the_procedure() {
    use ApplicationStatus::*;
    assert!(check_opinion_allowed(Submitted).is_ok());
    for (s, code) in [
        (Withdrawn, "application_withdrawn"),
        (OpinionIssued, "opinion_already_issued"),
        (Referred, "opinion_already_issued"),
    ] {
        assert_eq!(check_opinion_allowed(s).unwrap_err().code(), code);
    }
    assert!(check_decision_allowed(OpinionIssued).is_ok());
    for (s, code) in [
        (Submitted, "opinion_required"),
        (Withdrawn, "application_withdrawn"),
        (Refused, "already_decided"),
        (Referred, "already_decided"),
    ] {
        assert_eq!(check_decision_allowed(s).unwrap_err().code(), code);
    }
    assert!(check_withdrawal_allowed(Submitted).is_ok());
    assert!(check_withdrawal_allowed(OpinionIssued).is_ok());
    assert_eq!(
        check_withdrawal_allowed(Referred).unwrap_err().code(),
        "already_decided"
    );
    assert_eq!(
        check_withdrawal_allowed(Withdrawn).unwrap_err().code(),
        "already_withdrawn"
    );
}

#[test]
fn institutions_apply_in_their_own_name_and_mopr_records_others() {
    let today = d("2026-11-23");
    assert_eq!(
        app(None)
            .check(InstitutionKind::Ngo, today)
            .unwrap()
            .applicant_kind,
        ApplicantKind::Ngo
    );
    assert_eq!(
        codes(
            app(Some(ApplicantKind::Person))
                .check(InstitutionKind::Pcpr, today)
                .unwrap_err()
        ),
        vec!["applicant_kind:applicant_kind_not_allowed"]
    );
    assert_eq!(
        codes(app(None).check(InstitutionKind::Mopr, today).unwrap_err()),
        vec!["applicant_kind:required"]
    );
    assert_eq!(
        codes(
            app(Some(ApplicantKind::Kis))
                .check(InstitutionKind::Mopr, today)
                .unwrap_err()
        ),
        vec!["applicant_name:required"]
    );
    let mut kis = app(Some(ApplicantKind::Kis));
    kis.applicant_name = Some("KIS Toruń".into());
    assert_eq!(
        kis.check(InstitutionKind::Mopr, today)
            .unwrap()
            .applicant_name
            .as_deref(),
        Some("KIS Toruń")
    );
}

#[test]
fn consent_categories_and_income_are_checked() {
    let today = d("2026-11-23");
    let mut a = app(None);
    a.consent.given = false;
    a.eligibility_categories = vec![EligibilityCategory::Other];
    a.received_on = d("2026-12-01");
    assert_eq!(
        codes(a.check(InstitutionKind::Ngo, today).unwrap_err()),
        vec![
            "consent.given:consent_required",
            "other_category_description:required",
            "received_on:in_future",
        ]
    );
}

#[test]
fn declared_benefits_are_recorded_and_make_mopr_refuse() {
    let today = d("2026-11-23");
    let mut a = app(None);
    a.declared_benefits = vec![
        ExcludingBenefit::RetirementPension,
        ExcludingBenefit::UnemploymentBenefit,
        ExcludingBenefit::RetirementPension,
    ];
    a.eligibility_categories = vec![
        EligibilityCategory::Disabled,
        EligibilityCategory::LongTermUnemployed,
        EligibilityCategory::Disabled,
    ];
    let checked = a.check(InstitutionKind::Ngo, today).unwrap();
    assert_eq!(
        checked.declared_benefits,
        vec![
            ExcludingBenefit::RetirementPension,
            ExcludingBenefit::UnemploymentBenefit
        ]
    );
    // Duplicates that are not adjacent are removed too, keeping the first order.
    assert_eq!(
        checked.categories,
        vec![
            EligibilityCategory::Disabled,
            EligibilityCategory::LongTermUnemployed
        ]
    );
    assert_eq!(
        check_referral_allowed(Decision::Referred, &checked.declared_benefits)
            .unwrap_err()
            .code(),
        "benefit_excludes_participation"
    );
    assert!(check_referral_allowed(Decision::Refused, &checked.declared_benefits).is_ok());
    assert!(check_referral_allowed(Decision::Referred, &[]).is_ok());
}
