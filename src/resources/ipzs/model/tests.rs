use super::*;
use crate::foundation::error::ApiError;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_schedule_follows_the_seed() {
    let s = Schedule::of(d("2026-04-28"), d("2026-05-04"));
    assert_eq!(s.proper_period_starts_on, d("2026-06-04"));
    assert_eq!(s.trial_ends_on, d("2026-06-03"));
    // Signed Tue 28 Apr 2026: 29, 30 Apr, (1 May holiday, weekend, 3 May holiday) 4, 5, 6 May.
    assert_eq!(s.admission_list_due_on, d("2026-05-06"));
    assert_eq!(s.insurance_starts_on, d("2026-06-03"));
    // 3 Jun + 7 = Wed 10 Jun 2026 (Corpus Christi is 4 Jun, inside the period, which does not matter).
    assert_eq!(s.insurance_registration_due_on, d("2026-06-10"));
    assert_eq!(s.qualification_window(), (d("2026-05-28"), d("2026-06-03")));
    assert_eq!(s.latest_planned_end_on, d("2027-05-03"));
}

#[test]
fn a_trial_month_from_the_29th_to_the_31st_ends_on_the_last_day_of_the_shorter_month() {
    for (start, trial_end, proper) in [
        ("2026-01-31", "2026-02-28", "2026-03-01"),
        ("2026-01-30", "2026-02-28", "2026-03-01"),
        ("2026-01-29", "2026-02-28", "2026-03-01"),
        ("2026-01-28", "2026-02-27", "2026-02-28"),
        ("2028-01-29", "2028-02-28", "2028-02-29"),
        ("2028-01-30", "2028-02-29", "2028-03-01"),
        ("2028-01-31", "2028-02-29", "2028-03-01"),
        ("2026-03-31", "2026-04-30", "2026-05-01"),
        ("2026-03-30", "2026-04-29", "2026-04-30"),
        ("2026-05-31", "2026-06-30", "2026-07-01"),
        ("2026-08-31", "2026-09-30", "2026-10-01"),
        ("2026-10-31", "2026-11-30", "2026-12-01"),
        ("2026-12-31", "2027-01-30", "2027-01-31"),
    ] {
        let s = Schedule::of(d(start), d(start));
        assert_eq!(
            s.trial_ends_on,
            d(trial_end),
            "trial end for a start on {start}"
        );
        assert_eq!(
            s.proper_period_starts_on,
            d(proper),
            "proper period for {start}"
        );
    }
    // The last week of a trial that ends on 28 Feb is 22-28 Feb.
    let s = Schedule::of(d("2026-01-31"), d("2026-01-31"));
    assert_eq!(s.qualification_window(), (d("2026-02-22"), d("2026-02-28")));
}

#[test]
fn insurance_is_reported_7_days_after_it_starts_and_ends_moved_off_saturdays_and_holidays() {
    // Start Sat 3 Oct 2026: obligation from Mon 2 Nov; + 7 = Mon 9 Nov.
    let s = Schedule::of(d("2026-10-02"), d("2026-10-03"));
    assert_eq!(s.insurance_starts_on, d("2026-11-02"));
    assert_eq!(s.insurance_registration_due_on, d("2026-11-09"));
    // Start 5 Oct 2026: obligation from Wed 4 Nov; + 7 = Wed 11 Nov (holiday) -> Thu 12 Nov.
    let s = Schedule::of(d("2026-10-05"), d("2026-10-05"));
    assert_eq!(s.insurance_starts_on, d("2026-11-04"));
    assert_eq!(s.insurance_registration_due_on, d("2026-11-12"));
    // Obligation from Thu 17 Dec 2026: + 7 = Thu 24 Dec (holiday from 2025), 25, 26, 27 -> Mon 28 Dec.
    let s = Schedule::of(d("2026-11-17"), d("2026-11-17"));
    assert_eq!(s.insurance_registration_due_on, d("2026-12-28"));
    // Obligation from Sat 26 Dec 2026 + 7 = Sat 2 Jan 2027 -> Mon 4 Jan.
    let s = Schedule::of(d("2026-11-26"), d("2026-11-26"));
    assert_eq!(s.insurance_starts_on, d("2026-12-26"));
    assert_eq!(s.insurance_registration_due_on, d("2027-01-04"));
    // De-registration: ended Wed 4 Nov 2026 -> Wed 11 Nov (holiday) -> Thu 12 Nov.
    assert_eq!(insurance_reporting_due_on(d("2026-11-04")), d("2026-11-12"));
    // Ended Fri 24 Apr 2026 -> Fri 1 May (holiday), Sat 2, Sun 3 May (holiday) -> Mon 4 May.
    assert_eq!(insurance_reporting_due_on(d("2026-04-24")), d("2026-05-04"));
    // Ended Tue 10 Nov 2026 -> Tue 17 Nov, a working day.
    assert_eq!(insurance_reporting_due_on(d("2026-11-10")), d("2026-11-17"));
}

#[test]
fn participation_is_planned_for_at_most_twelve_months() {
    let new = |start: &str, end: &str| NewIpzs {
        referral_id: "r".into(),
        signed_on: d(start),
        start_on: d(start),
        planned_end_on: d(end),
        diagnosis: "d".into(),
        goals: "g".into(),
        activities: vec![Activity {
            kind: ActivityKind::Social,
            description: "x".into(),
        }],
        participant_informed_of_insurance: true,
    };
    let today = d("2026-12-31");
    assert!(new("2026-11-24", "2027-11-23").check(today).is_ok());
    let codes = |e: ApiError| match e {
        ApiError::Validation(v) => v.into_iter().map(|f| f.code).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        codes(new("2026-11-24", "2027-11-24").check(today).unwrap_err()),
        vec!["too_late"]
    );
    // From 31 Jan the twelve months end on 30 Jan of the next year.
    assert!(new("2026-01-31", "2027-01-30").check(today).is_ok());
    assert!(new("2026-01-31", "2027-01-31").check(today).is_err());
    // The last start whose deadlines all have four-digit years: 9999-11-20 gives insurance from 20 December
    // and its registration due on Mon 27 December; a start on the 25th would put that into the year 10000.
    let end_of_time = d("9999-12-31");
    assert!(new("9999-11-20", "9999-12-31").check(end_of_time).is_ok());
    assert_eq!(
        codes(
            new("9999-11-25", "9999-12-31")
                .check(end_of_time)
                .unwrap_err()
        ),
        vec!["out_of_range"]
    );
    let mut uninformed = new("2026-11-24", "2027-05-23");
    uninformed.participant_informed_of_insurance = false;
    assert_eq!(
        codes(uninformed.check(today).unwrap_err()),
        vec!["briefing_required"]
    );
    assert_eq!(
        check_signed_after_referral(d("2026-11-23"), d("2026-11-24"))
            .unwrap_err()
            .code(),
        "validation_failed"
    );
    assert!(check_signed_after_referral(d("2026-11-24"), d("2026-11-24")).is_ok());
}

#[test]
fn qualification_is_asked_in_the_last_week_of_the_trial_only() {
    let s = Schedule::of(d("2026-11-02"), d("2026-11-02"));
    let code = |today: &str, status| {
        check_qualification_request(status, &s, d(today))
            .err()
            .map(|e| e.code())
    };
    // Trial 2 Nov - 1 Dec; its last week is 25 Nov - 1 Dec.
    assert_eq!(
        code("2026-11-24", IpzsStatus::Trial),
        Some("qualification_request_too_early")
    );
    assert_eq!(code("2026-11-25", IpzsStatus::Trial), None);
    assert_eq!(code("2026-12-01", IpzsStatus::Trial), None);
    // After the trial month a request is still accepted, and flagged late.
    assert_eq!(code("2026-12-02", IpzsStatus::Trial), None);
    assert!(!request_late(d("2026-12-01"), &s));
    assert!(request_late(d("2026-12-02"), &s));
    assert_eq!(code("2026-11-28", IpzsStatus::Active), Some("not_in_trial"));
    assert!(!decision_late(d("2026-12-01"), &s));
    assert!(decision_late(d("2026-12-02"), &s));
}

#[test]
fn a_failed_trial_runs_to_its_end_and_the_letter_comes_after_it() {
    // Trial 2 Nov - 1 Dec 2026; the proper period would start on 2 Dec.
    let s = Schedule::of(d("2026-11-02"), d("2026-11-02"));
    // MOPR decides early: the programme still ends with the trial month; a late decision ends it that day.
    assert_eq!(s.failed_trial_ends_on(d("2026-11-27")), d("2026-12-01"));
    assert_eq!(s.failed_trial_ends_on(d("2026-12-04")), d("2026-12-04"));
    let letter = |status, pending, decided: Option<&str>, sent: &str, today: &str| {
        check_non_qualification_letter(
            status,
            &s,
            pending,
            decided.map(d),
            false,
            d(sent),
            d(today),
        )
    };
    // The CIS director concludes the failed trial without MOPR, after the trial month.
    assert_eq!(
        letter(IpzsStatus::Trial, false, None, "2026-12-02", "2026-12-03").unwrap(),
        (FailedTrial::ConcludedByCis, d("2026-12-01"))
    );
    let code = |r: Result<(FailedTrial, NaiveDate), ApiError>| r.unwrap_err().code();
    assert_eq!(
        code(letter(
            IpzsStatus::Trial,
            false,
            None,
            "2026-12-01",
            "2026-12-01"
        )),
        "trial_not_over"
    );
    assert_eq!(
        code(letter(
            IpzsStatus::Trial,
            true,
            None,
            "2026-12-02",
            "2026-12-03"
        )),
        "qualification_pending"
    );
    // On the trial's last day the letter is too early; after today it is in the future.
    assert_eq!(
        code(letter(
            IpzsStatus::Trial,
            false,
            None,
            "2026-12-01",
            "2026-12-03"
        )),
        "validation_failed"
    );
    assert_eq!(
        code(letter(
            IpzsStatus::Trial,
            false,
            None,
            "2026-12-04",
            "2026-12-03"
        )),
        "validation_failed"
    );
    // After MOPR's negative decision: from the later of the decision and the end of the trial.
    assert_eq!(
        letter(
            IpzsStatus::NotQualified,
            false,
            Some("2026-11-27"),
            "2026-12-02",
            "2026-12-02"
        )
        .unwrap(),
        (
            FailedTrial::DecidedByMopr {
                decided_on: d("2026-11-27")
            },
            d("2026-12-01")
        )
    );
    assert_eq!(
        code(letter(
            IpzsStatus::NotQualified,
            false,
            Some("2026-12-04"),
            "2026-12-03",
            "2026-12-05"
        )),
        "validation_failed"
    );
    assert_eq!(
        code(letter(
            IpzsStatus::Active,
            false,
            None,
            "2026-12-02",
            "2026-12-03"
        )),
        "not_qualified_required"
    );
}

#[test]
fn termination_is_early_and_gives_mopr_five_working_days() {
    let due = check_termination(
        IpzsStatus::Active,
        d("2026-10-01"),
        d("2027-03-31"),
        d("2026-11-10"),
        d("2026-11-23"),
    );
    // Tue 10 Nov: 12, 13, 16, 17, 18 Nov (11 Nov is a holiday).
    assert_eq!(due.unwrap(), d("2026-11-18"));
    let e = check_termination(
        IpzsStatus::Completed,
        d("2026-10-01"),
        d("2027-03-31"),
        d("2026-11-10"),
        d("2026-11-23"),
    );
    assert_eq!(e.unwrap_err().code(), "ipzs_not_running");
    let e = check_termination(
        IpzsStatus::Trial,
        d("2026-10-01"),
        d("2026-11-10"),
        d("2026-11-10"),
        d("2026-11-23"),
    );
    assert_eq!(e.unwrap_err().code(), "not_early");
    let e = check_termination(
        IpzsStatus::Trial,
        d("2026-10-01"),
        d("2027-03-31"),
        d("2026-12-10"),
        d("2026-11-23"),
    );
    assert_eq!(e.unwrap_err().code(), "validation_failed");
}

#[test]
fn completion_needs_an_active_programme_at_its_planned_end() {
    assert!(check_completion(IpzsStatus::Active, d("2026-11-23"), d("2026-11-23")).is_ok());
    assert_eq!(
        check_completion(IpzsStatus::Active, d("2026-11-24"), d("2026-11-23"))
            .unwrap_err()
            .code(),
        "planned_end_not_reached"
    );
    assert_eq!(
        check_completion(IpzsStatus::Trial, d("2026-11-01"), d("2026-11-23"))
            .unwrap_err()
            .code(),
        "ipzs_not_active"
    );
}

#[test]
fn deadline_statuses() {
    let due = d("2026-11-23");
    assert_eq!(
        deadline_status(due, None, d("2026-11-19")),
        DeadlineStatus::Open
    );
    assert_eq!(
        deadline_status(due, None, d("2026-11-20")),
        DeadlineStatus::DueSoon
    );
    assert_eq!(deadline_status(due, None, due), DeadlineStatus::DueSoon);
    assert_eq!(
        deadline_status(due, None, d("2026-11-24")),
        DeadlineStatus::Overdue
    );
    assert_eq!(
        deadline_status(due, Some(due), d("2026-12-24")),
        DeadlineStatus::Met
    );
    assert_eq!(
        deadline_status(due, Some(d("2026-11-24")), d("2026-12-24")),
        DeadlineStatus::MetLate
    );
}
