use chrono::Days;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, json, spawn_app};

fn v(x: &Value) -> i64 {
    x["version"].as_i64().unwrap()
}

#[tokio::test]
async fn a_participant_goes_from_referral_through_qualification_to_completion() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 90).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/ipzs/{id}");
    assert_eq!(ipzs["status"], "trial");
    let start = app.today();
    assert_eq!(
        ipzs["insurance"]["obligation_starts_on"],
        (start + Days::new(30)).to_string()
    );
    assert_eq!(
        ipzs["insurance"]["registration_due_on"],
        reintegra::foundation::calendar::kpa_days(start + Days::new(30), 7).to_string()
    );
    assert_eq!(
        ipzs["insurance"]["participant_informed_on"],
        start.to_string()
    );
    assert_eq!(
        ipzs["admission_list"]["due_on"],
        reintegra::foundation::calendar::add_working_days(start, 5).to_string()
    );
    let (mopr_events, _) = app.feed("mopr-staff", None).await;
    assert!(
        mopr_events
            .iter()
            .any(|e| e["type"] == "ipzs.signed" && e["resource_id"] == id.as_str())
    );

    // The admission list: open, then met once the director sends it.
    let d = app.deadline("cis-director", "admission_list", &id).await;
    assert!(
        ["open", "due_soon"].contains(&d["status"].as_str().unwrap()),
        "{d}"
    );
    let token = app.token("cis-director").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/admission-lists",
            &token,
            Some(&json!({"ipzs_ids": [id]})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let list = json(resp).await;
    assert_eq!(
        app.deadline("cis-director", "admission_list", &id).await["status"],
        "met"
    );
    let got = app
        .fetch(
            "mopr-staff",
            &format!("/api/v1/admission-lists/{}", list["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(got["ipzs_ids"], json!([id]));
    let resp = app
        .call(
            Method::POST,
            "/api/v1/admission-lists",
            &token,
            Some(&json!({"ipzs_ids": [id]})),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "already_reported").await;

    // In the last week of the trial month the CIS director asks; the MOPR director qualifies in time.
    app.clock.advance(26);
    let ipzs = app.fetch("cis-staff", &path).await;
    let d = app
        .deadline("cis-director", "qualification_request", &id)
        .await;
    // Due on the trial's last day, 27 to 30 days after the start depending on the month.
    assert!(
        ["open", "due_soon"].contains(&d["status"].as_str().unwrap()),
        "{d}"
    );
    assert_eq!(d["due_on"], ipzs["trial_ends_on"]);
    let q = app
        .transition(
            "cis-director",
            "/api/v1/qualifications",
            v(&ipzs),
            Some(&json!({"ipzs_id": id, "channel": "email"})),
            201,
        )
        .await;
    assert_eq!(
        app.deadline("cis-director", "qualification_request", &id)
            .await["status"],
        "met"
    );
    let qd = app
        .deadline(
            "mopr-director",
            "qualification_decision",
            q["id"].as_str().unwrap(),
        )
        .await;
    assert_eq!(qd["due_on"], ipzs["trial_ends_on"]);
    let decided = app
        .transition(
            "mopr-director",
            &format!(
                "/api/v1/qualifications/{}/decision",
                q["id"].as_str().unwrap()
            ),
            v(&q),
            Some(&json!({"decision": "qualified", "channel": "fax"})),
            200,
        )
        .await;
    assert_eq!(decided["decision_late"], false);
    assert_eq!(
        app.deadline(
            "mopr-director",
            "qualification_decision",
            q["id"].as_str().unwrap()
        )
        .await["status"],
        "met"
    );
    let (cis_events, _) = app.feed("cis-staff", None).await;
    assert!(
        cis_events
            .iter()
            .any(|e| e["type"] == "qualification.decided")
    );
    let ipzs = app.fetch("cis-staff", &path).await;
    assert_eq!(ipzs["status"], "active");

    // MOPR registers the participant for health insurance.
    let ipzs = app
        .transition(
            "mopr-staff",
            &format!("{path}/insurance"),
            v(&ipzs),
            Some(&json!({"registered_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(
        app.deadline("mopr-staff", "insurance_registration", &id)
            .await["status"],
        "met"
    );

    // Completion before the planned end is refused; at the planned end it works and ends insurance.
    let resp = app
        .transition(
            "cis-staff",
            &format!("{path}/complete"),
            v(&ipzs),
            None,
            409,
        )
        .await;
    assert_eq!(resp["code"], "planned_end_not_reached");
    app.clock.advance(64);
    let done = app
        .transition(
            "cis-staff",
            &format!("{path}/complete"),
            v(&ipzs),
            None,
            200,
        )
        .await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["insurance"]["obligation_ends_on"],
        done["planned_end_on"]
    );
    let d = app
        .deadline("mopr-staff", "insurance_deregistration", &id)
        .await;
    assert!(
        ["open", "due_soon"].contains(&d["status"].as_str().unwrap()),
        "{d}"
    );
}

#[tokio::test]
async fn a_failed_trial_ends_the_programme_and_the_cis_writes_to_the_participant() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 120).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/ipzs/{id}");

    // Too early: not yet the last week of the trial month.
    let resp = app
        .transition(
            "cis-director",
            "/api/v1/qualifications",
            v(&ipzs),
            Some(&json!({"ipzs_id": id, "channel": "letter"})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "qualification_request_too_early");

    app.clock.advance(25);
    let q = app
        .transition(
            "cis-director",
            "/api/v1/qualifications",
            v(&ipzs),
            Some(&json!({"ipzs_id": id, "channel": "letter"})),
            201,
        )
        .await;
    // Decided only after the proper period should have started: accepted but flagged.
    app.clock.advance(10);
    let decided = app
        .transition(
            "mopr-director",
            &format!(
                "/api/v1/qualifications/{}/decision",
                q["id"].as_str().unwrap()
            ),
            v(&q),
            Some(&json!({"decision": "not_qualified", "channel": "letter"})),
            200,
        )
        .await;
    assert_eq!(decided["decision_late"], true);
    assert_eq!(
        app.deadline(
            "mopr-director",
            "qualification_decision",
            q["id"].as_str().unwrap()
        )
        .await["status"],
        "met_late"
    );
    let ipzs = app.fetch("cis-staff", &path).await;
    assert_eq!(ipzs["status"], "not_qualified");
    // The decision came after the trial month: the participant attended until it.
    assert_eq!(
        ipzs["insurance"]["obligation_ends_on"],
        app.today().to_string()
    );

    let again = app
        .transition(
            "mopr-director",
            &format!(
                "/api/v1/qualifications/{}/decision",
                q["id"].as_str().unwrap()
            ),
            v(&decided),
            Some(&json!({"decision": "qualified", "channel": "letter"})),
            409,
        )
        .await;
    assert_eq!(again["code"], "already_decided");

    // The letter is the CIS director's act.
    app.transition(
        "cis-staff",
        &format!("{path}/non-qualification-letter"),
        v(&ipzs),
        Some(&json!({"sent_on": app.today()})),
        403,
    )
    .await;
    let ipzs = app
        .transition(
            "cis-director",
            &format!("{path}/non-qualification-letter"),
            v(&ipzs),
            Some(&json!({"sent_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(
        ipzs["non_qualification_letter_sent_on"],
        app.today().to_string()
    );
    let (mopr_events, _) = app.feed("mopr-staff", None).await;
    assert!(
        mopr_events
            .iter()
            .any(|e| e["type"] == "ipzs.non_qualification_letter_sent")
    );
    // A finished programme cannot be terminated or completed.
    let resp = app
        .transition(
            "cis-staff",
            &format!("{path}/terminate"),
            v(&ipzs),
            Some(&json!({"reason": "absence", "terminated_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "ipzs_not_running");
}

#[tokio::test]
async fn early_termination_must_be_notified_to_mopr_within_five_working_days() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 180).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let path = format!("{}/{id}", "/api/v1/ipzs");

    app.clock.advance(10);
    let terminated_on = app.today();
    let ipzs = app
        .transition(
            "cis-staff",
            &format!("{path}/terminate"),
            v(&ipzs),
            Some(&json!({"reason": "absence", "terminated_on": terminated_on, "details": "Nieobecny od 2 tygodni."})),
            200,
        )
        .await;
    assert_eq!(ipzs["status"], "terminated");
    let due = reintegra::foundation::calendar::add_working_days(terminated_on, 5);
    assert_eq!(ipzs["termination"]["notice_due_on"], due.to_string());
    assert_eq!(ipzs["termination"]["mopr_informed_on"], Value::Null);
    let d = app.deadline("cis-staff", "termination_notice", &id).await;
    assert!(
        ["open", "due_soon"].contains(&d["status"].as_str().unwrap()),
        "{d}"
    );

    // Not notified in time: overdue; notified late: met_late. Five working days can span 12 calendar days
    // around Christmas, so wait 20.
    app.clock.advance(20);
    assert_eq!(
        app.deadline("cis-staff", "termination_notice", &id).await["status"],
        "overdue"
    );
    // The notice is the CIS director's act.
    app.transition(
        "cis-staff",
        &format!("{path}/termination-notice"),
        v(&ipzs),
        None,
        403,
    )
    .await;
    let ipzs = app
        .transition(
            "cis-director",
            &format!("{path}/termination-notice"),
            v(&ipzs),
            None,
            200,
        )
        .await;
    assert_eq!(ipzs["termination"]["notice_status"], "met_late");
    assert_eq!(
        app.deadline("cis-staff", "termination_notice", &id).await["status"],
        "met_late"
    );
    let (mopr_events, _) = app.feed("mopr-staff", None).await;
    assert!(
        mopr_events
            .iter()
            .any(|e| e["type"] == "ipzs.terminated" && e["resource_id"] == id.as_str())
    );
    let again = app
        .transition(
            "cis-director",
            &format!("{path}/termination-notice"),
            v(&ipzs),
            None,
            409,
        )
        .await;
    assert_eq!(again["code"], "already_informed");
    // The admission list was never sent: overdue by now.
    assert_eq!(
        app.deadline("cis-director", "admission_list", &id).await["status"],
        "overdue"
    );
}

#[tokio::test]
async fn only_the_cis_and_mopr_of_the_case_handle_an_ipzs() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 90).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/ipzs/{id}");
    let body = json!({"referral_id": referral["id"], "signed_on": app.today(), "start_on": app.today(),
        "planned_end_on": app.today() + Days::new(90), "diagnosis": "d", "goals": "g",
        "activities": [{"kind": "social", "description": "x"}], "participant_informed_of_insurance": true});

    for (user, read, sign) in [
        ("mopr-staff", 200, 403),
        ("mopr-director", 200, 403),
        ("cis-staff", 200, 409),
        ("cis-director", 200, 409),
        ("ngo-staff", 404, 403),
        ("pcpr-staff", 404, 403),
    ] {
        let token = app.token(user).await;
        assert_eq!(
            app.call(Method::GET, &path, &token, None)
                .await
                .status()
                .as_u16(),
            read,
            "{user} reads"
        );
        let resp = app
            .call(Method::POST, "/api/v1/ipzs", &token, Some(&body))
            .await;
        assert_eq!(resp.status().as_u16(), sign, "{user} signs again");
    }
    for user in ["mopr-admin", "platform-admin"] {
        let token = app.token(user).await;
        assert_problem(
            app.call(Method::GET, &path, &token, None).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // Named roles for named acts.
    let cases: [(&str, &str, Value, u16); 6] = [
        (
            "cis-staff",
            "/api/v1/admission-lists",
            json!({"ipzs_ids": [id]}),
            403,
        ),
        (
            "mopr-director",
            "/api/v1/admission-lists",
            json!({"ipzs_ids": [id]}),
            403,
        ),
        (
            "cis-staff",
            "/api/v1/qualifications",
            json!({"ipzs_id": id, "channel": "email"}),
            403,
        ),
        (
            "mopr-staff",
            &format!("{path}/terminate"),
            json!({"reason": "other", "terminated_on": app.today()}),
            403,
        ),
        (
            "cis-staff",
            &format!("{path}/insurance"),
            json!({"registered_on": app.today()}),
            403,
        ),
        ("ngo-staff", &format!("{path}/complete"), Value::Null, 403),
    ];
    for (user, p, b, expect) in cases {
        let body = if b.is_null() { None } else { Some(&b) };
        app.transition(user, p, 1, body, expect).await;
    }
    // A CIS signs only from a referral addressed to it that was referred.
    let token = app.token("cis-staff").await;
    let mut other = body.clone();
    other["referral_id"] = json!("no-such-referral");
    let resp = app
        .call(Method::POST, "/api/v1/ipzs", &token, Some(&other))
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "unknown_referral");
    // After the trial month a request is late but accepted, so the participant can still be qualified.
    app.clock.advance(40);
    let q = app
        .transition(
            "cis-director",
            "/api/v1/qualifications",
            v(&ipzs),
            Some(&json!({"ipzs_id": id, "channel": "email"})),
            201,
        )
        .await;
    assert_eq!(q["request_late"], true);
    assert_eq!(
        app.deadline("cis-director", "qualification_request", &id)
            .await["status"],
        "met_late"
    );
}

#[tokio::test]
async fn the_cis_director_concludes_a_failed_trial_without_mopr() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 120).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/ipzs/{id}");
    let letter = format!("{path}/non-qualification-letter");
    let trial_ends_on: chrono::NaiveDate = ipzs["trial_ends_on"].as_str().unwrap().parse().unwrap();

    // During the trial month the letter is refused: the trial runs to its end.
    let resp = app
        .transition(
            "cis-director",
            &letter,
            v(&ipzs),
            Some(&json!({"sent_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "trial_not_over");

    // The day after the trial month: only the director writes, and not dated on the trial's last day.
    let days = (trial_ends_on - app.today()).num_days() + 1;
    app.clock.advance(days);
    app.transition(
        "cis-staff",
        &letter,
        v(&ipzs),
        Some(&json!({"sent_on": app.today()})),
        403,
    )
    .await;
    app.transition(
        "mopr-director",
        &letter,
        v(&ipzs),
        Some(&json!({"sent_on": app.today()})),
        403,
    )
    .await;
    let resp = app
        .transition(
            "cis-director",
            &letter,
            v(&ipzs),
            Some(&json!({"sent_on": trial_ends_on})),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["field"], "sent_on");
    let done = app
        .transition(
            "cis-director",
            &letter,
            v(&ipzs),
            Some(&json!({"sent_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(done["status"], "not_qualified");
    assert_eq!(done["ended_on"], trial_ends_on.to_string());
    assert_eq!(
        done["insurance"]["obligation_ends_on"],
        trial_ends_on.to_string()
    );
    assert_eq!(
        done["non_qualification_letter_sent_on"],
        app.today().to_string()
    );
    // MOPR has its copy; the CIS owes no qualification request any more.
    let (mopr_events, _) = app.feed("mopr-staff", None).await;
    assert!(
        mopr_events
            .iter()
            .any(|e| e["type"] == "ipzs.non_qualification_letter_sent"
                && e["resource_id"] == id.as_str())
    );
    let page = app
        .fetch(
            "cis-director",
            "/api/v1/deadlines?kind=qualification_request&limit=200",
        )
        .await;
    assert!(
        !page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["resource_id"] == id.as_str()),
        "{page}"
    );
    let again = app
        .transition(
            "cis-director",
            &letter,
            v(&done),
            Some(&json!({"sent_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(again["code"], "letter_already_sent");
}

#[tokio::test]
async fn an_early_negative_decision_lets_the_trial_run_to_its_end() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 120).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let trial_ends_on = ipzs["trial_ends_on"].as_str().unwrap().to_owned();
    app.clock.advance(25);
    let q = app
        .transition(
            "cis-director",
            "/api/v1/qualifications",
            v(&ipzs),
            Some(&json!({"ipzs_id": id, "channel": "email"})),
            201,
        )
        .await;
    assert_eq!(q["request_late"], false);
    app.transition(
        "mopr-director",
        &format!(
            "/api/v1/qualifications/{}/decision",
            q["id"].as_str().unwrap()
        ),
        v(&q),
        Some(&json!({"decision": "not_qualified", "channel": "email"})),
        200,
    )
    .await;
    let ipzs = app
        .fetch("cis-director", &format!("/api/v1/ipzs/{id}"))
        .await;
    assert_eq!(ipzs["status"], "not_qualified");
    assert_eq!(ipzs["ended_on"], trial_ends_on);
    assert_eq!(ipzs["insurance"]["obligation_ends_on"], trial_ends_on);
    // The letter comes after the trial month, not on the decision day.
    let resp = app
        .transition(
            "cis-director",
            &format!("/api/v1/ipzs/{id}/non-qualification-letter"),
            v(&ipzs),
            Some(&json!({"sent_on": app.today()})),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["code"], "out_of_range");
}

#[tokio::test]
async fn one_programme_at_a_time_signed_after_its_referral_and_at_most_twelve_months() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let person_id = referral["person_id"].as_str().unwrap().to_owned();
    let token = app.token("cis-staff").await;
    let today = app.today();
    let body = |signed: chrono::NaiveDate, end: chrono::NaiveDate| {
        json!({"referral_id": referral["id"], "signed_on": signed, "start_on": today,
            "planned_end_on": end, "diagnosis": "d", "goals": "g",
            "activities": [{"kind": "social", "description": "x"}], "participant_informed_of_insurance": true})
    };
    // Signed before the referral existed.
    let resp = app
        .call(
            Method::POST,
            "/api/v1/ipzs",
            &token,
            Some(&body(today - Days::new(1), today + Days::new(90))),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "before_referral");
    // Twelve months of participation at most.
    let latest = reintegra::foundation::calendar::last_day_of_months_from(today, 12);
    let resp = app
        .call(
            Method::POST,
            "/api/v1/ipzs",
            &token,
            Some(&body(today, latest + Days::new(1))),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "too_late");
    // Without the insurance briefing.
    let mut unbriefed = body(today, latest);
    unbriefed["participant_informed_of_insurance"] = json!(false);
    let resp = app
        .call(Method::POST, "/api/v1/ipzs", &token, Some(&unbriefed))
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "briefing_required");
    let resp = app
        .call(
            Method::POST,
            "/api/v1/ipzs",
            &token,
            Some(&body(today, latest)),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let first = json(resp).await;

    // A second referral of the same person (the first application is decided, so a new one may be filed).
    let second = app
        .file_application_for("ngo-staff", &person_id, today)
        .await;
    let opinion = app.opine(&second).await;
    let referral2 = app
        .refer(
            second["id"].as_str().unwrap(),
            opinion["application_version"].as_i64().unwrap(),
        )
        .await;
    let mut again = body(today, latest);
    again["referral_id"] = referral2["id"].clone();
    let resp = app
        .call(Method::POST, "/api/v1/ipzs", &token, Some(&again))
        .await;
    let problem = assert_problem(resp, StatusCode::CONFLICT, "programme_running").await;
    assert_eq!(
        problem["existing"],
        format!("/api/v1/ipzs/{}", first["id"].as_str().unwrap())
    );
}

/// A start on the last day chrono knows used to overflow the trial month's arithmetic (a panic, answered as a 500);
/// a request date is `YYYY-MM-DD` now, so it is a 422 and no programme is signed.
#[tokio::test]
async fn a_programme_dated_beyond_four_digit_years_is_refused() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let token = app.token("cis-staff").await;
    let today = app.today();
    for (field, bad) in [
        ("start_on", "+262142-12-31"),
        ("planned_end_on", "+262142-12-31"),
        ("signed_on", "-262143-01-01"),
        // Four digits, but its insurance registration deadline would fall in the year 10000.
        ("start_on", "9999-11-28"),
    ] {
        let mut body = json!({"referral_id": referral["id"], "signed_on": today, "start_on": today,
            "planned_end_on": today + Days::new(90), "diagnosis": "d", "goals": "g",
            "activities": [{"kind": "social", "description": "x"}], "participant_informed_of_insurance": true});
        body[field] = json!(bad);
        if bad.starts_with("9999") {
            body["planned_end_on"] = json!("9999-12-31");
        }
        let resp = app
            .call(Method::POST, "/api/v1/ipzs", &token, Some(&body))
            .await;
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        if bad.starts_with("9999") {
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
            assert_eq!(problem["errors"][0]["code"], "out_of_range", "{problem}");
        }
    }
    let resp = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/ipzs?person_id={}",
                referral["person_id"].as_str().unwrap()
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["items"], json!([]));
}
