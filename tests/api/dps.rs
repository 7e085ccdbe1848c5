use chrono::{Days, NaiveDate};
use reintegra::foundation::calendar;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json, spawn_app};

pub(crate) fn v(x: &Value) -> i64 {
    x["version"].as_i64().unwrap()
}

pub(crate) fn day(x: &Value) -> NaiveDate {
    x.as_str().unwrap().parse().unwrap()
}

/// Registers a person (as `registrar`) and files a DPS application for them (as `filer`).
pub(crate) async fn file_case(app: &TestApp, registrar: &str, filer: &str, extra: Value) -> Value {
    let person = app
        .create_person(
            registrar,
            &json!({"first_name": "Helena", "last_name": "Testowa", "birth_date": "1940-03-01", "sex": "female"}),
        )
        .await;
    let mut body = json!({"person_id": person["id"], "form": "written", "received_on": app.today(),
        "dps_type": "elderly", "justification": "Wymaga całodobowej opieki.", "income_documents_filed": true});
    if filer.starts_with("mopr") {
        body["applicant_kind"] = json!("person");
    }
    for (k, val) in extra.as_object().unwrap() {
        body[k] = val.clone();
    }
    let token = app.token(filer).await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/dps-applications",
            &token,
            Some(&body),
        )
        .await;
    let status = resp.status();
    let case = json(resp).await;
    assert_eq!(status, 201, "{case}");
    case
}

pub(crate) fn path(case: &Value, tail: &str) -> String {
    format!(
        "/api/v1/dps-applications/{}{tail}",
        case["id"].as_str().unwrap()
    )
}

pub(crate) fn facts(extra: Value) -> Value {
    let yes = json!({"met": true, "note": null});
    let mut f = json!({"receives_permanent_allowance": false, "receives_pension": false, "combatant": false,
        "placement_by_court_order": false, "psychiatrist_certificate_indicated": false, "obliged_relatives": [],
        "eligibility": {"age_illness_or_disability": yes, "needs_round_the_clock_care": yes,
            "cannot_live_independently": yes, "home_care_insufficient": yes}});
    for (k, val) in extra.as_object().unwrap() {
        f[k] = val.clone();
    }
    f
}

pub(crate) fn codes(case: &Value) -> Vec<String> {
    case["file"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Records the facts and marks every missing document received; returns the case.
pub(crate) async fn complete_file(app: &TestApp, case: &Value, facts_extra: Value) -> Value {
    let mut case = app
        .transition(
            "mopr-worker",
            &path(case, "/facts"),
            v(case),
            Some(&facts(facts_extra)),
            200,
        )
        .await;
    for code in case["file"]["missing"].as_array().unwrap().clone() {
        case = app
            .transition(
                "mopr-staff",
                &path(&case, &format!("/documents/{}", code.as_str().unwrap())),
                v(&case),
                Some(&json!({"status": "received", "received_on": app.today()})),
                200,
            )
            .await;
    }
    assert_eq!(case["file"]["complete"], true, "{case}");
    case
}

pub(crate) async fn assess(app: &TestApp, case: &Value) -> Value {
    let team = json!({"sat_on": app.today(), "members": ["Jan Nowak", "Ewa Wiśniewska"], "justified": true,
        "reasons": "Spełnia warunki."});
    app.transition(
        "mopr-staff",
        &path(case, "/qualifying-team"),
        v(case),
        Some(&team),
        200,
    )
    .await
}

pub(crate) async fn decide(app: &TestApp, case: &Value, outcome: &str) -> Value {
    let body = json!({"outcome": outcome, "reasons": "Uzasadnienie.", "legal_basis": "art. 54 ustawy o pomocy społecznej",
        "signed_as": "deputy_director"});
    app.transition(
        "mopr-director",
        &path(case, "/decision"),
        v(case),
        Some(&body),
        200,
    )
    .await
}

pub(crate) async fn deliver(app: &TestApp, case: &Value, name: &str) -> Value {
    let body = json!({"party_name": name, "party_role": "person", "delivered_on": app.today(),
        "method": "post_with_acknowledgement"});
    app.transition(
        "mopr-staff",
        &path(case, "/deliveries"),
        v(case),
        Some(&body),
        200,
    )
    .await
}

#[tokio::test]
async fn a_pcpr_case_goes_through_the_file_and_the_team_to_a_final_decision_by_waiver() {
    let app = spawn_app().await;
    let case = file_case(&app, "pcpr-staff", "pcpr-staff", json!({})).await;
    assert_eq!(case["applicant_kind"], "pcpr");
    assert_eq!(case["status"], "collecting");
    assert_eq!(
        case["documents_due_on"],
        calendar::kpa_days(app.today(), 14).to_string()
    );
    // The PCPR sees its application, not the file.
    assert_eq!(case["file"], Value::Null);
    let (mopr_events, _) = app.feed("mopr-staff", None).await;
    assert!(
        mopr_events
            .iter()
            .any(|e| e["type"] == "dps_application.submitted" && e["link"] == path(&case, ""))
    );

    let case = app.fetch("mopr-staff", &path(&case, "")).await;
    assert_eq!(case["file"]["complete"], false);
    // The qualifying team needs a complete file; the decision needs the team.
    let team = json!({"sat_on": app.today(), "members": ["A"], "justified": true, "reasons": "x"});
    let resp = app
        .transition(
            "mopr-staff",
            &path(&case, "/qualifying-team"),
            v(&case),
            Some(&team),
            409,
        )
        .await;
    assert_eq!(resp["code"], "file_incomplete");
    // Before the facts, the problem still names every document already known to be missing.
    let detail = resp["detail"].as_str().unwrap();
    assert!(detail.contains("facts"), "{detail}");
    let missing = case["file"]["missing"].as_array().unwrap();
    assert!(!missing.is_empty());
    for code in missing {
        assert!(detail.contains(code.as_str().unwrap()), "{detail}");
    }
    let resp = app
        .transition(
            "mopr-director",
            &path(&case, "/decision"),
            v(&case),
            Some(&json!({"outcome": "granted", "reasons": "x", "legal_basis": "x", "signed_as": "director"})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "team_opinion_required");

    let case = complete_file(
        &app,
        &case,
        json!({"receives_pension": true, "obliged_relatives": [{"name": "Anna Testowa", "relation": "descendant"}]}),
    )
    .await;
    for code in [
        "pension_decision",
        "pension_fee_consent",
        "relative_interview_1",
    ] {
        assert!(codes(&case).contains(&code.to_owned()), "{code}");
    }
    let doc_deadline = app
        .deadline("mopr-staff", "dps_documents", case["id"].as_str().unwrap())
        .await;
    assert_eq!(doc_deadline["status"], "met");
    // Stale If-Match is 412 and changes nothing.
    app.transition(
        "mopr-staff",
        &path(&case, "/qualifying-team"),
        v(&case) - 1,
        Some(&team),
        412,
    )
    .await;
    let case = assess(&app, &case).await;
    assert_eq!(case["status"], "assessed");
    // The file is closed once the team has sat.
    let resp = app
        .transition(
            "mopr-worker",
            &path(&case, "/facts"),
            v(&case),
            Some(&facts(json!({}))),
            409,
        )
        .await;
    assert_eq!(resp["code"], "file_closed");

    let case = decide(&app, &case, "granted").await;
    assert_eq!(case["status"], "decided");
    assert_eq!(case["decision"]["signed_as"], "deputy_director");
    assert_eq!(case["decision"]["on_time"], true);
    assert_eq!(case["awaiting_fee_decision"], true);
    assert_eq!(case["finality"]["final"], false);
    let decision_deadline = app
        .deadline(
            "mopr-director",
            "dps_decision",
            case["id"].as_str().unwrap(),
        )
        .await;
    assert_eq!(decision_deadline["status"], "met");
    let (pcpr_events, _) = app.feed("pcpr-staff", None).await;
    assert!(
        pcpr_events
            .iter()
            .any(|e| e["type"] == "dps_application.decided")
    );
    let seen = app.fetch("pcpr-staff", &path(&case, "")).await;
    assert_eq!(seen["outcome"], "granted");
    assert_eq!(seen["decision"], Value::Null);
    assert_eq!(seen["facts"], Value::Null);

    // Two parties; the decision is final when the last waiver reaches MOPR.
    let case = deliver(&app, &case, "Helena Testowa").await;
    let case = deliver(&app, &case, "Anna Testowa").await;
    let first = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries/party_1/waiver"),
            v(&case),
            Some(&json!({"received_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(first["finality"]["final"], false);
    app.clock.advance(2);
    let done = app
        .transition(
            "mopr-staff",
            &path(&first, "/deliveries/party_2/waiver"),
            v(&first),
            Some(&json!({"received_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(done["finality"]["final"], true);
    assert_eq!(done["finality"]["basis"], "waivers");
    assert_eq!(done["finality"]["final_on"], app.today().to_string());
    let again = app
        .transition(
            "mopr-staff",
            &path(&done, "/deliveries/party_2/waiver"),
            v(&done),
            Some(&json!({"received_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(again["code"], "already_waived");
}

#[tokio::test]
async fn a_refused_decision_becomes_final_the_day_after_the_appeal_window() {
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let case = complete_file(&app, &case, json!({})).await;
    let case = assess(&app, &case).await;
    let case = decide(&app, &case, "refused").await;
    assert_eq!(case["decision"]["outcome"], "refused");
    assert_eq!(case["awaiting_fee_decision"], false);
    let case = deliver(&app, &case, "Helena Testowa").await;
    let deadline = day(&case["parties"][0]["appeal_deadline"]);
    assert_eq!(deadline, calendar::kpa_days(app.today(), 14));
    // Still within the window on its last day.
    let days = (deadline - app.today()).num_days();
    app.clock.advance(days);
    let case = app.fetch("mopr-staff", &path(&case, "")).await;
    assert_eq!(case["finality"]["final"], false);
    // A waiver after the window is refused.
    app.clock.advance(1);
    let resp = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries/party_1/waiver"),
            v(&case),
            Some(&json!({"received_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "appeal_window_closed");
    let case = app.fetch("mopr-staff", &path(&case, "")).await;
    assert_eq!(case["finality"]["final"], true);
    assert_eq!(case["finality"]["basis"], "lapse");
    assert_eq!(
        case["finality"]["final_on"],
        (deadline + Days::new(1)).to_string()
    );
}

#[tokio::test]
async fn an_appeal_is_forwarded_within_seven_days_and_the_sko_decides() {
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let case = complete_file(&app, &case, json!({})).await;
    let case = assess(&app, &case).await;
    let case = decide(&app, &case, "refused").await;
    let case = deliver(&app, &case, "Helena Testowa").await;
    app.clock.advance(3);
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals"),
            v(&case),
            Some(&json!({"party_id": "party_1", "lodged_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(case["status"], "appealed");
    assert_eq!(case["appeals"][0]["late"], false);
    assert_eq!(
        case["appeals"][0]["forwarding_due_on"],
        calendar::kpa_days(app.today(), 7).to_string()
    );
    let resource = case["id"].as_str().unwrap().to_owned();
    let forwarding = app
        .deadline("mopr-staff", "dps_appeal_forwarding", &resource)
        .await;
    assert_eq!(forwarding["appeal_id"], "appeal_1");
    assert_eq!(
        forwarding["link"],
        format!("/api/v1/dps-applications/{resource}")
    );
    assert!(
        ["open", "due_soon"].contains(&forwarding["status"].as_str().unwrap()),
        "{forwarding}"
    );
    // After an appeal the party cannot waive; the SKO decides only a forwarded appeal.
    let resp = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries/party_1/waiver"),
            v(&case),
            Some(&json!({"received_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "party_appealed");
    let resp = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals/appeal_1/outcome"),
            v(&case),
            Some(&json!({"outcome": "upheld", "decided_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "not_forwarded");
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals/appeal_1/forwarding"),
            v(&case),
            Some(&json!({"forwarded_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(
        app.deadline("mopr-staff", "dps_appeal_forwarding", &resource)
            .await["status"],
        "met"
    );
    app.clock.advance(20);
    // Annulled and remanded: back to `assessed` for a new decision.
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals/appeal_1/outcome"),
            v(&case),
            Some(&json!({"outcome": "annulled_and_remanded", "decided_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(case["status"], "assessed");
    assert_eq!(case["previous_decisions"].as_array().unwrap().len(), 1);
    assert_eq!(case["parties"], json!([]));
    let case = decide(&app, &case, "granted").await;
    let case = deliver(&app, &case, "Helena Testowa").await;
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals"),
            v(&case),
            Some(&json!({"party_id": "party_1", "lodged_on": app.today()})),
            200,
        )
        .await;
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals/appeal_1/forwarding"),
            v(&case),
            Some(&json!({"forwarded_on": app.today()})),
            200,
        )
        .await;
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals/appeal_1/outcome"),
            v(&case),
            Some(&json!({"outcome": "upheld", "decided_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(case["status"], "closed");
    assert_eq!(case["finality"]["final"], true);
    assert_eq!(case["finality"]["basis"], "sko");
    // MOPR filed this case itself: nobody else is told.
    let (mopr_events, _) = app.feed("mopr-staff", None).await;
    assert!(
        mopr_events
            .iter()
            .all(|e| e["type"] != "dps_application.sko_decided")
    );
}

#[tokio::test]
async fn a_complicated_case_with_a_suspension_moves_its_due_date() {
    let app = spawn_app().await;
    let received = app.today();
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let case = app.fetch("mopr-staff", &path(&case, "")).await;
    let one_month = calendar::kpa_months(received, 1);
    assert_eq!(case["decision_deadline"]["due_on"], one_month.to_string());
    assert_eq!(
        app.deadline(
            "mopr-director",
            "dps_decision",
            case["id"].as_str().unwrap()
        )
        .await["due_on"],
        one_month.to_string()
    );
    // Only the director marks it complicated: two months.
    app.transition(
        "mopr-staff",
        &path(&case, "/complicated"),
        v(&case),
        Some(&json!({"reason": "x"})),
        403,
    )
    .await;
    let case = app
        .transition(
            "mopr-director",
            &path(&case, "/complicated"),
            v(&case),
            Some(&json!({"reason": "Pięć osób zobowiązanych."})),
            200,
        )
        .await;
    let two_months = calendar::add_months_clamped(received, 2);
    assert_eq!(
        case["decision_deadline"]["due_on"],
        calendar::next_working_day_from(two_months).to_string()
    );
    // A suspension of 5 days, both ends counted, moves it by 5 days.
    app.clock.advance(10);
    let pause = json!({"kind": "suspension", "from": received + Days::new(2), "to": received + Days::new(6),
        "reason": "Zawieszenie do czasu ustalenia przedstawiciela ustawowego."});
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/pauses"),
            v(&case),
            Some(&pause),
            200,
        )
        .await;
    assert_eq!(case["decision_deadline"]["paused_days"], 5);
    let due = calendar::next_working_day_from(two_months + Days::new(5));
    assert_eq!(case["decision_deadline"]["due_on"], due.to_string());
    assert_eq!(
        app.deadline(
            "mopr-director",
            "dps_decision",
            case["id"].as_str().unwrap()
        )
        .await["due_on"],
        due.to_string()
    );
    // The same days cannot be paused twice.
    let resp = app
        .transition(
            "mopr-staff",
            &path(&case, "/pauses"),
            v(&case),
            Some(&pause),
            409,
        )
        .await;
    assert_eq!(resp["code"], "pause_overlaps");
    // An art. 36 notice sets a later date.
    let later = due + Days::new(20);
    let case = app
        .transition(
            "mopr-director",
            &path(&case, "/delay-notices"),
            v(&case),
            Some(&json!({"reason": "Oczekiwanie na opinię biegłego.", "new_due_on": later})),
            200,
        )
        .await;
    assert_eq!(case["decision_deadline"]["due_on"], later.to_string());

    // Marking complicated after the one-month period is refused.
    let other = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    app.clock.advance(40);
    let resp = app
        .transition(
            "mopr-director",
            &path(&other, "/complicated"),
            v(&other),
            Some(&json!({"reason": "x"})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "complicated_too_late");
}

#[tokio::test]
async fn the_checklist_follows_the_facts_of_each_case() {
    let app = spawn_app().await;
    // A home for the chronically mentally ill, placed by court order, income documents not filed.
    let case = file_case(
        &app,
        "mopr-staff",
        "mopr-staff",
        json!({"dps_type": "chronically_mentally_ill", "income_documents_filed": false}),
    )
    .await;
    let before = codes(&case);
    assert!(before.contains(&"psychiatrist_certificate".to_owned()));
    assert!(before.contains(&"income_documents".to_owned()));
    let case = app
        .transition(
            "mopr-worker",
            &path(&case, "/facts"),
            v(&case),
            Some(&facts(
                json!({"placement_by_court_order": true, "combatant": true}),
            )),
            200,
        )
        .await;
    let c = codes(&case);
    assert!(c.contains(&"court_order".to_owned()));
    assert!(!c.contains(&"placement_consent".to_owned()));
    assert!(c.contains(&"combatant_certificate".to_owned()));
    // A permanent-allowance recipient with consent, the psychiatrist indicated, in a home for the elderly.
    let plain = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let plain = app
        .transition(
            "mopr-worker",
            &path(&plain, "/facts"),
            v(&plain),
            Some(&facts(json!({"receives_permanent_allowance": true, "psychiatrist_certificate_indicated": true}))),
            200,
        )
        .await;
    let c = codes(&plain);
    for code in [
        "placement_consent",
        "permanent_allowance_decision",
        "permanent_allowance_fee_consent",
        "permanent_allowance_deduction_consent",
        "psychiatrist_certificate",
    ] {
        assert!(c.contains(&code.to_owned()), "{code}");
    }
    assert!(!c.contains(&"income_documents".to_owned()));
    // The social worker adds a document; unknown codes and a received document without its date are 422.
    let plain = app
        .transition(
            "mopr-worker",
            &path(&plain, "/documents"),
            v(&plain),
            Some(&json!({"name": "Opinia kuratora"})),
            200,
        )
        .await;
    assert!(codes(&plain).contains(&"other_1".to_owned()));
    let resp = app
        .transition(
            "mopr-staff",
            &path(&plain, "/documents/no_such_document"),
            v(&plain),
            Some(&json!({"status": "received", "received_on": app.today()})),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["code"], "unknown_document");
    let resp = app
        .transition(
            "mopr-staff",
            &path(&plain, "/documents/other_1"),
            v(&plain),
            Some(&json!({"status": "received"})),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["field"], "received_on");
    let plain = app
        .transition(
            "mopr-staff",
            &path(&plain, "/documents/other_1"),
            v(&plain),
            Some(&json!({"status": "not_applicable", "note": "Brak kuratora."})),
            200,
        )
        .await;
    let item = plain["file"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "other_1")
        .unwrap()
        .clone();
    assert_eq!(item["status"], "not_applicable");
    assert!(
        !plain["file"]["missing"]
            .as_array()
            .unwrap()
            .contains(&json!("other_1"))
    );
}

/// Every action of the procedure with the roles that may take it; every other demo role must get 403 (or 404
/// where the case is not theirs to see at all).
#[tokio::test]
async fn every_role_gets_its_refusal_on_every_dps_action() {
    let app = spawn_app().await;
    let case = file_case(&app, "pcpr-staff", "pcpr-staff", json!({})).await;
    let users = [
        "mopr-admin",
        "mopr-director",
        "mopr-worker",
        "mopr-staff",
        "cis-director",
        "cis-staff",
        "pcpr-staff",
        "ngo-staff",
        "platform-admin",
    ];
    // Reading: MOPR casework and the filing PCPR; CIS and NGO do not see it; admins may not read casework.
    for user in users {
        let token = app.token(user).await;
        let status = app
            .call(Method::GET, &path(&case, ""), &token, None)
            .await
            .status()
            .as_u16();
        let expected = match user {
            "mopr-director" | "mopr-worker" | "mopr-staff" | "pcpr-staff" => 200,
            "cis-director" | "cis-staff" | "ngo-staff" => 404,
            _ => 403,
        };
        assert_eq!(status, expected, "{user} reads");
    }
    // Filing: MOPR casework and PCPR; the others 403.
    for user in users {
        let token = app.token(user).await;
        let body = json!({"person_id": case["person_id"], "form": "written", "received_on": app.today(),
            "dps_type": "elderly", "justification": "x", "applicant_kind": "person"});
        let status = app
            .call(
                Method::POST,
                "/api/v1/dps-applications",
                &token,
                Some(&body),
            )
            .await
            .status()
            .as_u16();
        let allowed = matches!(
            user,
            "mopr-director" | "mopr-worker" | "mopr-staff" | "pcpr-staff"
        );
        assert_eq!(status == 403, !allowed, "{user} files: {status}");
    }
    let actions: [(&str, Value, &[&str]); 13] = [
        ("/facts", facts(json!({})), &["mopr-worker"]),
        (
            "/documents",
            json!({"name": "x"}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/documents/family_interview",
            json!({"status": "not_applicable"}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/qualifying-team",
            json!({"sat_on": app.today(), "members": ["A"], "justified": true, "reasons": "x"}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        ("/complicated", json!({"reason": "x"}), &["mopr-director"]),
        (
            "/pauses",
            json!({"kind": "suspension", "from": app.today(), "to": app.today(), "reason": "x"}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/delay-notices",
            json!({"reason": "x", "new_due_on": app.today() + Days::new(90)}),
            &["mopr-director"],
        ),
        (
            "/decision",
            json!({"outcome": "granted", "reasons": "x", "legal_basis": "x", "signed_as": "director"}),
            &["mopr-director"],
        ),
        (
            "/deliveries",
            json!({"party_name": "x", "party_role": "person", "delivered_on": app.today(), "method": "in_person"}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/deliveries/party_1/waiver",
            json!({"received_on": app.today()}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/appeals",
            json!({"party_id": "party_1", "lodged_on": app.today()}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/appeals/appeal_1/forwarding",
            json!({"forwarded_on": app.today()}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
        (
            "/appeals/appeal_1/outcome",
            json!({"outcome": "upheld", "decided_on": app.today()}),
            &["mopr-director", "mopr-worker", "mopr-staff"],
        ),
    ];
    for (tail, body, allowed) in actions {
        for user in users {
            let current = app.fetch("mopr-staff", &path(&case, "")).await;
            let token = app.token(user).await;
            let resp = app
                .call_if_match(
                    Method::POST,
                    &path(&case, tail),
                    &token,
                    &format!("\"{}\"", v(&current)),
                    Some(&body),
                )
                .await;
            let status = resp.status().as_u16();
            if allowed.contains(&user) {
                assert!(
                    ![401, 403, 404].contains(&status),
                    "{user} may {tail}, got {status}"
                );
            } else {
                assert_eq!(status, 403, "{user} may not {tail}");
            }
        }
    }
    // The applying PCPR sees the outcome, but the file's actions are MOPR's: 403, not a leak of existence.
    let token = app.token("pcpr-staff").await;
    let resp = app
        .call_if_match(
            Method::POST,
            &path(&case, "/deliveries"),
            &token,
            "\"1\"",
            Some(&json!({"party_name": "x", "party_role": "person", "delivered_on": app.today(), "method": "in_person"})),
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
}
