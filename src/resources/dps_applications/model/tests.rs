use super::*;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn yes() -> Condition {
    Condition {
        met: true,
        note: None,
    }
}

fn facts() -> Facts {
    Facts {
        receives_permanent_allowance: false,
        receives_pension: false,
        combatant: false,
        placement_by_court_order: false,
        psychiatrist_certificate_indicated: false,
        obliged_relatives: vec![],
        eligibility: Eligibility {
            age_illness_or_disability: yes(),
            needs_round_the_clock_care: yes(),
            cannot_live_independently: yes(),
            home_care_insufficient: yes(),
        },
    }
}

fn codes(t: DpsType, filed: bool, f: Option<&Facts>) -> Vec<String> {
    required_documents(t, filed, f, &[])
        .into_iter()
        .map(|(c, _, _)| c)
        .collect()
}

#[test]
fn the_checklist_follows_the_facts() {
    // Plain case: the unconditional items and the consent.
    assert_eq!(
        codes(DpsType::Elderly, true, Some(&facts())),
        vec![
            "family_interview",
            "placement_consent",
            "medical_certificate",
            "fitness_questionnaire",
            "data_processing_consent"
        ]
    );
    // Court order instead of consent; pension papers; combatant; two relatives; income not filed.
    let mut f = facts();
    f.placement_by_court_order = true;
    f.receives_pension = true;
    f.combatant = true;
    f.obliged_relatives = vec![
        ObligedRelative {
            name: "Anna".into(),
            relation: Relation::Descendant,
        },
        ObligedRelative {
            name: "Jan".into(),
            relation: Relation::Spouse,
        },
    ];
    assert_eq!(
        codes(DpsType::ChronicallySomaticallyIll, false, Some(&f)),
        vec![
            "family_interview",
            "court_order",
            "pension_decision",
            "pension_fee_consent",
            "combatant_certificate",
            "relative_interview_1",
            "relative_interview_2",
            "medical_certificate",
            "fitness_questionnaire",
            "income_documents",
            "data_processing_consent"
        ]
    );
    // A home for the chronically mentally ill always needs the psychiatrist; elsewhere only when indicated.
    let c = codes(DpsType::ChronicallyMentallyIll, true, Some(&facts()));
    assert!(c.contains(&"psychiatrist_certificate".to_owned()));
    let mut indicated = facts();
    indicated.psychiatrist_certificate_indicated = true;
    assert!(
        codes(DpsType::Elderly, true, Some(&indicated))
            .contains(&"psychiatrist_certificate".to_owned())
    );
    assert!(
        !codes(DpsType::Elderly, true, Some(&facts()))
            .contains(&"psychiatrist_certificate".to_owned())
    );
    // Permanent allowance: the decision and both consents.
    let mut allowance = facts();
    allowance.receives_permanent_allowance = true;
    let c = codes(DpsType::PhysicallyDisabled, true, Some(&allowance));
    for code in [
        "permanent_allowance_decision",
        "permanent_allowance_fee_consent",
        "permanent_allowance_deduction_consent",
    ] {
        assert!(c.contains(&code.to_owned()), "{code}");
    }
    // Before the facts are recorded, only what does not depend on them.
    assert_eq!(
        codes(DpsType::Elderly, true, None),
        vec![
            "family_interview",
            "medical_certificate",
            "fitness_questionnaire",
            "data_processing_consent"
        ]
    );
}

#[test]
fn the_decision_is_due_in_a_month_or_two_plus_pauses_moved_off_holidays() {
    // Received Mon 2 Nov 2026: a month later Wed 2 Dec.
    assert_eq!(
        decision_due_on(d("2026-11-02"), false, &[], &[]),
        d("2026-12-02")
    );
    // Two months: Sat 2 Jan 2027 -> Mon 4 Jan.
    assert_eq!(
        decision_due_on(d("2026-11-02"), true, &[], &[]),
        d("2027-01-04")
    );
    // From 31 Jan 2026 a month ends on Sat 28 Feb -> Mon 2 Mar.
    assert_eq!(
        decision_due_on(d("2026-01-31"), false, &[], &[]),
        d("2026-03-02")
    );
    // Received 11 Oct 2026: 11 Nov is a holiday -> Thu 12 Nov.
    assert_eq!(
        decision_due_on(d("2026-10-11"), false, &[], &[]),
        d("2026-11-12")
    );
    // A suspension of 10 days (both ends counted) and a party delay of 5 move 2 Dec to 17 Dec (Thursday).
    let pauses = [
        Pause {
            kind: PauseKind::Suspension,
            from: d("2026-11-05"),
            to: d("2026-11-14"),
            reason: "x".into(),
        },
        Pause {
            kind: PauseKind::PartyDelay,
            from: d("2026-11-16"),
            to: d("2026-11-20"),
            reason: "x".into(),
        },
    ];
    assert_eq!(
        decision_due_on(d("2026-11-02"), false, &pauses, &[]),
        d("2026-12-17")
    );
    // Six days more: 23 Dec; seven more: 24 Dec, a holiday from 2025 -> Mon 28 Dec.
    let mut more = pauses.to_vec();
    more.push(Pause {
        kind: PauseKind::OutsideControl,
        from: d("2026-11-21"),
        to: d("2026-11-27"),
        reason: "x".into(),
    });
    assert_eq!(
        decision_due_on(d("2026-11-02"), false, &more, &[]),
        d("2026-12-28")
    );
    // An art. 36 notice sets the date.
    let notice = DelayNotice {
        notified_on: d("2026-12-01"),
        reason: "opinia biegłego".into(),
        new_due_on: d("2027-01-15"),
    };
    assert_eq!(
        decision_due_on(d("2026-11-02"), false, &pauses, &[notice]),
        d("2027-01-15")
    );
}

#[test]
fn pauses_stay_inside_the_case_and_do_not_overlap() {
    let p = |from: &str, to: &str| Pause {
        kind: PauseKind::Suspension,
        from: d(from),
        to: d(to),
        reason: "x".into(),
    };
    let received = d("2026-11-02");
    let today = d("2026-11-30");
    assert!(check_pause(&p("2026-11-05", "2026-11-10"), &[], received, today).is_ok());
    assert_eq!(
        check_pause(
            &p("2026-11-08", "2026-11-12"),
            &[p("2026-11-05", "2026-11-10")],
            received,
            today
        )
        .unwrap_err()
        .code(),
        "pause_overlaps"
    );
    assert!(check_pause(&p("2026-11-01", "2026-11-03"), &[], received, today).is_err());
    assert!(check_pause(&p("2026-11-20", "2026-12-01"), &[], received, today).is_err());
    assert!(check_pause(&p("2026-11-20", "2026-11-19"), &[], received, today).is_err());
}

#[test]
fn complicated_only_while_the_month_runs() {
    let due = d("2026-12-02");
    assert!(check_complicated(false, DpsStatus::Collecting, due, due).is_ok());
    assert_eq!(
        check_complicated(false, DpsStatus::Collecting, due, d("2026-12-03"))
            .unwrap_err()
            .code(),
        "complicated_too_late"
    );
    assert_eq!(
        check_complicated(true, DpsStatus::Assessed, due, due)
            .unwrap_err()
            .code(),
        "already_complicated"
    );
    assert_eq!(
        check_complicated(false, DpsStatus::Decided, due, due)
            .unwrap_err()
            .code(),
        "already_decided"
    );
}

fn party(delivered: &str, waiver: Option<&str>) -> Party {
    Party {
        id: "party_1".into(),
        name: "x".into(),
        role: PartyRole::Person,
        delivered_on: d(delivered),
        method: DeliveryMethod::PostWithAcknowledgement,
        appeal_deadline: appeal_deadline(d(delivered)),
        waiver_received_on: waiver.map(d),
    }
}

#[test]
fn appeal_windows_and_forwarding_follow_kpa_days() {
    // Delivered Fri 28 Oct 2026: 14 days = Wed 11 Nov (holiday) -> Thu 12 Nov.
    assert_eq!(appeal_deadline(d("2026-10-28")), d("2026-11-12"));
    // Delivered Sat 7 Nov: Sat 21 Nov -> Mon 23 Nov.
    assert_eq!(appeal_deadline(d("2026-11-07")), d("2026-11-23"));
    // Delivered 10 Dec 2026: 24 Dec (holiday), 25, 26, 27 -> Mon 28 Dec.
    assert_eq!(appeal_deadline(d("2026-12-10")), d("2026-12-28"));
    // Lodged Wed 4 Nov 2026: 11 Nov (holiday) -> 12 Nov.
    assert_eq!(forwarding_due_on(d("2026-11-04")), d("2026-11-12"));
    // Lodged Thu 26 Nov: Thu 3 Dec.
    assert_eq!(forwarding_due_on(d("2026-11-26")), d("2026-12-03"));
}

#[test]
fn a_decision_is_final_on_the_last_waiver_or_the_day_after_the_last_window() {
    let decided = DpsStatus::Decided;
    // One party, window to Thu 12 Nov: final on Fri 13 Nov, not before.
    let one = [party("2026-10-28", None)];
    assert!(!finality(decided, &one, &[], d("2026-11-12")).is_final);
    let f = finality(decided, &one, &[], d("2026-11-13"));
    assert_eq!(
        (f.is_final, f.final_on, f.basis),
        (true, Some(d("2026-11-13")), Some(FinalityBasis::Lapse))
    );
    // Both parties waive: final on the day the last waiver reached MOPR.
    let both = [
        party("2026-11-02", Some("2026-11-03")),
        party("2026-11-04", Some("2026-11-05")),
    ];
    let f = finality(decided, &both, &[], d("2026-11-05"));
    assert_eq!(
        (f.is_final, f.final_on, f.basis),
        (true, Some(d("2026-11-05")), Some(FinalityBasis::Waivers))
    );
    // One waived, the other's window still runs: not final until it lapses.
    let mixed = [
        party("2026-11-02", Some("2026-11-03")),
        party("2026-11-04", None),
    ];
    assert!(!finality(decided, &mixed, &[], d("2026-11-10")).is_final);
    // 4 Nov + 14 = Wed 18 Nov; final on 19 Nov.
    assert_eq!(
        finality(decided, &mixed, &[], d("2026-11-19")).final_on,
        Some(d("2026-11-19"))
    );
    // An appeal stops finality; no parties, no finality.
    assert!(!finality(DpsStatus::Appealed, &one, &[], d("2027-01-01")).is_final);
    assert!(!finality(decided, &[], &[], d("2027-01-01")).is_final);
}

#[test]
fn a_waiver_is_made_while_the_window_runs_and_not_after_an_appeal() {
    let p = party("2026-10-28", None);
    assert!(check_waiver(&p, false, d("2026-11-12"), d("2026-11-20")).is_ok());
    assert_eq!(
        check_waiver(&p, false, d("2026-11-13"), d("2026-11-20"))
            .unwrap_err()
            .code(),
        "appeal_window_closed"
    );
    assert_eq!(
        check_waiver(&p, true, d("2026-11-02"), d("2026-11-20"))
            .unwrap_err()
            .code(),
        "party_appealed"
    );
    assert_eq!(
        check_waiver(&p, false, d("2026-10-27"), d("2026-11-20"))
            .unwrap_err()
            .code(),
        "validation_failed"
    );
    let waived = party("2026-10-28", Some("2026-10-29"));
    assert_eq!(
        check_waiver(&waived, false, d("2026-10-30"), d("2026-11-20"))
            .unwrap_err()
            .code(),
        "already_waived"
    );
}

#[test]
fn documents_are_due_fourteen_kpa_days_after_filing() {
    assert_eq!(documents_due_on(d("2026-11-09")), d("2026-11-23"));
    assert_eq!(documents_due_on(d("2026-10-28")), d("2026-11-12"));
}

#[test]
fn the_decision_needs_the_team_and_comes_once() {
    assert!(check_decision_allowed(DpsStatus::Assessed).is_ok());
    assert_eq!(
        check_decision_allowed(DpsStatus::Collecting)
            .unwrap_err()
            .code(),
        "team_opinion_required"
    );
    assert_eq!(
        check_decision_allowed(DpsStatus::Decided)
            .unwrap_err()
            .code(),
        "already_decided"
    );
}

#[test]
fn texts_are_trimmed_and_bounded() {
    assert_eq!(text("x", " a ", 3).unwrap(), "a");
    // The limit counts the text as sent, as the contract's maxLength does.
    assert_eq!(
        text("x", "  a  ", 3).unwrap_err().code(),
        "validation_failed"
    );
    assert_eq!(text("x", "   ", 3).unwrap_err().code(), "validation_failed");
    assert_eq!(
        text("x", "abcd", 3).unwrap_err().code(),
        "validation_failed"
    );
}

#[test]
fn dates_lie_between_their_event_and_today() {
    use crate::foundation::legal_date::Earlier;
    let decision = Earlier::new(
        "before_decision",
        "the decision was issued",
        d("2026-11-20"),
    );
    let code = |day| dated("f", d(day), decision, d("2026-11-24")).map_err(|e| e.to_string());
    assert!(code("2026-11-20").is_ok());
    assert!(code("2026-11-19").is_err() && code("2026-11-25").is_err());
}
