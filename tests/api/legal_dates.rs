//! Every act carries the day it was really done: periods run from it, it never predates the act it follows nor
//! lies in the future, and an act recorded more than 7 days after it is marked `recorded_late`.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use reintegra::foundation::calendar;
use reqwest::Method;
use serde_json::{Value, json};

use crate::dps::{facts, path, v};
use crate::helpers::{TestApp, application_body, json, spawn_app};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A person registered by the NGO and its application to the demo CIS, received on `received_on`.
async fn application(app: &TestApp, received_on: NaiveDate) -> Value {
    app.file_application("ngo-staff", "ngo-staff", received_on)
        .await
}

async fn opinion(app: &TestApp, application: &Value, issued_on: NaiveDate, expect: u16) -> Value {
    let body = json!({"application_id": application["id"], "family_interview_on": issued_on,
        "recommendation": "positive", "justification": "Wywiad potwierdza motywację.", "issued_on": issued_on});
    app.transition(
        "mopr-worker",
        "/api/v1/opinions",
        v(application),
        Some(&body),
        expect,
    )
    .await
}

async fn referral(
    app: &TestApp,
    application_id: &Value,
    version: i64,
    issued_on: NaiveDate,
    expect: u16,
) -> Value {
    let body =
        json!({"application_id": application_id, "decision": "referred", "issued_on": issued_on});
    app.transition(
        "mopr-director",
        "/api/v1/referrals",
        version,
        Some(&body),
        expect,
    )
    .await
}

async fn ipzs(app: &TestApp, referral: &Value, signed_on: NaiveDate, expect: u16) -> Value {
    let token = app.token("cis-staff").await;
    let body = json!({
        "referral_id": referral["id"], "signed_on": signed_on, "start_on": signed_on,
        "planned_end_on": signed_on + Days::new(180),
        "diagnosis": "Diagnoza.", "goals": "Cele.",
        "activities": [{"kind": "vocational", "description": "Warsztat"}, {"kind": "social", "description": "Trening"}],
        "participant_informed_of_insurance": true
    });
    let resp = app
        .call(Method::POST, "/api/v1/ipzs", &token, Some(&body))
        .await;
    let status = resp.status().as_u16();
    let v = json(resp).await;
    assert_eq!(status, expect, "{v}");
    v
}

/// The 422 names the field, the rule and the earlier act's date.
fn refused(problem: &Value, field: &str, code: &str, date: Option<NaiveDate>) {
    let e = &problem["errors"][0];
    assert_eq!(
        (e["field"].as_str(), e["code"].as_str()),
        (Some(field), Some(code)),
        "{problem}"
    );
    if let Some(date) = date {
        assert!(
            e["message"].as_str().unwrap().contains(&date.to_string()),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn a_referral_signed_on_thursday_and_entered_on_monday_lets_the_friday_ipzs_in() {
    let app = spawn_app().await;
    // The office's week: the clerk types everything in on the next Monday.
    while app.today().weekday() != Weekday::Mon {
        app.clock.advance(1);
    }
    let monday = app.today();
    let (thursday, friday) = (monday - Days::new(4), monday - Days::new(3));
    let a = application(&app, monday - Days::new(12)).await;
    let o = opinion(&app, &a, monday - Days::new(6), 201).await;
    assert_eq!(o["issued_on"], (monday - Days::new(6)).to_string());
    assert_eq!(o["issued_on_time"], true);
    // Not before the opinion, not in the future: each refusal names the earlier act and its day.
    let before = referral(
        &app,
        &a["id"],
        o["application_version"].as_i64().unwrap(),
        monday - Days::new(7),
        422,
    )
    .await;
    refused(
        &before,
        "issued_on",
        "before_opinion",
        Some(monday - Days::new(6)),
    );
    let future = referral(
        &app,
        &a["id"],
        o["application_version"].as_i64().unwrap(),
        monday + Days::new(1),
        422,
    )
    .await;
    refused(&future, "issued_on", "in_future", None);
    let r = referral(
        &app,
        &a["id"],
        o["application_version"].as_i64().unwrap(),
        thursday,
        201,
    )
    .await;
    assert_eq!(r["issued_on"], thursday.to_string());
    assert_eq!(r["recorded_late"], false);
    // Wednesday is before the referral; Friday is not.
    let early = ipzs(&app, &r, thursday - Days::new(1), 422).await;
    refused(&early, "signed_on", "before_referral", Some(thursday));
    let p = ipzs(&app, &r, friday, 201).await;
    assert_eq!(
        p["admission_list"]["due_on"],
        calendar::add_working_days(friday, 5).to_string()
    );
    // The application shows the referral's day; the register keeps each act's day and its recording.
    let a = app
        .fetch(
            "ngo-staff",
            &format!(
                "/api/v1/referral-applications/{}",
                a["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(a["outcome"]["decided_on"], thursday.to_string());
    let register = app
        .fetch(
            "mopr-staff",
            &format!(
                "/api/v1/referral-applications/{}/acts",
                a["id"].as_str().unwrap()
            ),
        )
        .await;
    let acts: Vec<(&str, &str)> = register["acts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["act"].as_str().unwrap(),
                x["legal_date"].as_str().unwrap(),
            )
        })
        .collect();
    let (received, opined) = (
        (monday - Days::new(12)).to_string(),
        (monday - Days::new(6)).to_string(),
    );
    assert_eq!(
        acts,
        [
            ("application.submitted", received.as_str()),
            ("opinion.issued", opined.as_str()),
            ("referral.issued", thursday.to_string().as_str()),
        ]
    );
    // The received day (12 days back) was recorded late; the others were not.
    assert_eq!(register["recorded_late"], true);
    assert_eq!(register["acts"][0]["recorded_late"], true);
    assert_eq!(register["acts"][2]["recorded_late"], false);
    // Events and audit carry the legal date beside the moment recorded.
    let (events, _) = app.feed("cis-staff", None).await;
    let issued = events
        .iter()
        .find(|e| e["type"] == "referral.issued")
        .unwrap();
    assert_eq!(issued["legal_date"], thursday.to_string());
    let audit = app
        .fetch(
            "mopr-director",
            &format!(
                "/api/v1/audit-events?resource_id={}",
                r["id"].as_str().unwrap()
            ),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["legal_date"] == thursday.to_string()),
        "{audit}"
    );
}

#[tokio::test]
async fn periods_run_from_past_legal_dates_across_holidays_and_month_ends() {
    let app = spawn_app().await;
    // Received 10 Dec 2025: 14 days end on 24 Dec, a holiday from 2025; 25, 26 Dec are holidays and the 27th a
    // Saturday, so the opinion is due on Monday 29 Dec.
    let a = application(&app, d("2025-12-10")).await;
    assert_eq!(a["opinion_due_on"], "2025-12-29");
    let o = opinion(&app, &a, d("2026-01-05"), 201).await;
    assert_eq!(o["issued_on_time"], false);
    assert_eq!(o["recorded_late"], true);
    let deadline = app
        .deadline("mopr-staff", "opinion", a["id"].as_str().unwrap())
        .await;
    assert_eq!(
        (deadline["due_on"].as_str(), deadline["status"].as_str()),
        (Some("2025-12-29"), Some("met_late"))
    );
    // A DPS case started on 30 January 2026: one month ends on 28 February, a Saturday, so the decision is due
    // on Monday 2 March.
    let case = dps_case(&app, d("2026-01-30")).await;
    assert_eq!(case["decision_deadline"]["due_on"], "2026-03-02");
    // The file is complete on the day its last document arrived, not on the day it was typed in.
    assert_eq!(case["file"]["completed_on"], "2026-01-30");
    let documents = app
        .deadline("mopr-staff", "dps_documents", case["id"].as_str().unwrap())
        .await;
    assert_eq!(documents["met_on"], "2026-01-30");
    // The calendar reaches back to 2000: Easter Monday 2003 was 21 April.
    assert_eq!(calendar::kpa_days(d("2003-04-06"), 14), d("2003-04-22"));
}

/// A DPS case filed (by MOPR) on `received_on`, its file complete and its team sat on that day.
async fn dps_case(app: &TestApp, received_on: NaiveDate) -> Value {
    let person = app
        .create_person("mopr-staff", &json!({"first_name": "Helena", "last_name": "Dawna", "birth_date": "1940-03-01", "sex": "female"}))
        .await;
    let token = app.token("mopr-staff").await;
    let body = json!({"person_id": person["id"], "form": "written", "received_on": received_on, "applicant_kind": "person",
        "dps_type": "elderly", "justification": "Wymaga całodobowej opieki.", "income_documents_filed": true});
    let resp = app
        .call(
            Method::POST,
            "/api/v1/dps-applications",
            &token,
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let case = json(resp).await;
    let mut case = app
        .transition(
            "mopr-worker",
            &path(&case, "/facts"),
            v(&case),
            Some(&facts(json!({}))),
            200,
        )
        .await;
    for code in case["file"]["missing"].as_array().unwrap().clone() {
        let doc = json!({"status": "received", "received_on": received_on});
        case = app
            .transition(
                "mopr-staff",
                &path(&case, &format!("/documents/{}", code.as_str().unwrap())),
                v(&case),
                Some(&doc),
                200,
            )
            .await;
    }
    let team = json!({"sat_on": received_on, "members": ["Jan Nowak"], "justified": true, "reasons": "Spełnia warunki."});
    app.transition(
        "mopr-staff",
        &path(&case, "/qualifying-team"),
        v(&case),
        Some(&team),
        200,
    )
    .await
}

fn decision(outcome: &str, decided_on: NaiveDate) -> Value {
    json!({"outcome": outcome, "reasons": "Uzasadnienie.", "legal_basis": "art. 54 ustawy o pomocy społecznej",
        "signed_as": "director", "decided_on": decided_on})
}

fn delivery(delivered_on: NaiveDate) -> Value {
    json!({"party_name": "Helena Dawna", "party_role": "person", "delivered_on": delivered_on,
        "method": "post_with_acknowledgement"})
}

#[tokio::test]
async fn a_decision_delivered_weeks_ago_is_final_by_lapse_and_a_late_appeal_is_marked() {
    let app = spawn_app().await;
    let today = app.today();
    let case = dps_case(&app, today - Days::new(60)).await;
    // Not before the team sat, not in the future.
    let resp = app
        .transition(
            "mopr-director",
            &path(&case, "/decision"),
            v(&case),
            Some(&decision("granted", today - Days::new(61))),
            422,
        )
        .await;
    refused(
        &resp,
        "decided_on",
        "before_team_opinion",
        Some(today - Days::new(60)),
    );
    let resp = app
        .transition(
            "mopr-director",
            &path(&case, "/decision"),
            v(&case),
            Some(&decision("granted", today + Days::new(1))),
            422,
        )
        .await;
    refused(&resp, "decided_on", "in_future", None);
    let decided_on = today - Days::new(40);
    let case = app
        .transition(
            "mopr-director",
            &path(&case, "/decision"),
            v(&case),
            Some(&decision("granted", decided_on)),
            200,
        )
        .await;
    assert_eq!(case["decision"]["decided_on"], decided_on.to_string());
    assert_eq!(case["decision"]["on_time"], true);
    // A delivery before the decision is refused, naming it.
    let resp = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries"),
            v(&case),
            Some(&delivery(decided_on - Days::new(1))),
            422,
        )
        .await;
    refused(&resp, "delivered_on", "before_decision", Some(decided_on));
    let delivered_on = today - Days::new(30);
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries"),
            v(&case),
            Some(&delivery(delivered_on)),
            200,
        )
        .await;
    // The window closed weeks ago: final at once, by lapse.
    let window = calendar::kpa_days(delivered_on, 14);
    assert_eq!(case["finality"]["final"], true, "{case}");
    assert_eq!(case["finality"]["basis"], "lapse");
    assert_eq!(
        case["finality"]["final_on"],
        (window + Days::new(1)).to_string()
    );
    assert_eq!(case["recorded_late"], true);
    // An appeal lodged after its window is recorded as late.
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/appeals"),
            v(&case),
            Some(&json!({"party_id": "party_1", "lodged_on": window + Days::new(2)})),
            200,
        )
        .await;
    assert_eq!(case["appeals"][0]["late"], true, "{case}");
    // A late appeal does not stop the decision from being final (KPA art. 134: the SKO declares it late).
    assert_eq!(case["finality"]["final"], true, "{case}");
    // The DPS register is for the MOPR that runs the case: the CIS, the NGO and the PCPR get 404.
    let acts = path(&case, "/acts");
    assert_eq!(
        app.fetch("mopr-director", &acts).await["acts"][0]["act"],
        "dps_application.submitted"
    );
    for user in ["cis-staff", "ngo-staff", "pcpr-staff"] {
        let token = app.token(user).await;
        assert_eq!(
            app.call(Method::GET, &acts, &token, None).await.status(),
            404,
            "{user}"
        );
    }
    // The lists filter on back-dating.
    let late = app
        .fetch(
            "mopr-staff",
            "/api/v1/dps-applications?recorded_late=true&limit=200",
        )
        .await;
    assert!(
        late["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case["id"])
    );
    let on_time = app
        .fetch(
            "mopr-staff",
            "/api/v1/dps-applications?recorded_late=false&limit=200",
        )
        .await;
    assert!(
        !on_time["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case["id"])
    );
}

#[tokio::test]
async fn every_dated_act_refuses_the_future_and_its_predecessor() {
    let app = spawn_app().await;
    let today = app.today();
    let tomorrow = today + Days::new(1);
    // Opinion: not before the application reached MOPR.
    let a = application(&app, today - Days::new(5)).await;
    refused(
        &opinion(&app, &a, today - Days::new(6), 422).await,
        "issued_on",
        "before_application",
        Some(today - Days::new(5)),
    );
    refused(
        &opinion(&app, &a, tomorrow, 422).await,
        "issued_on",
        "in_future",
        None,
    );
    // Withdrawal: not before the application.
    let path_of = |x: &Value, tail: &str| {
        format!(
            "/api/v1/referral-applications/{}{tail}",
            x["id"].as_str().unwrap()
        )
    };
    let resp = app
        .transition(
            "ngo-staff",
            &path_of(&a, "/withdraw"),
            v(&a),
            Some(&json!({"withdrawn_on": today - Days::new(6)})),
            422,
        )
        .await;
    refused(
        &resp,
        "withdrawn_on",
        "before_application",
        Some(today - Days::new(5)),
    );
    let withdrawn = app
        .transition(
            "ngo-staff",
            &path_of(&a, "/withdraw"),
            v(&a),
            Some(&json!({"withdrawn_on": today - Days::new(2)})),
            200,
        )
        .await;
    assert_eq!(
        withdrawn["withdrawn_on"],
        (today - Days::new(2)).to_string()
    );
    // An IPZS signed 40 days ago: the admission list and the qualification follow it.
    let a = application(&app, today - Days::new(50)).await;
    let o = opinion(&app, &a, today - Days::new(45), 201).await;
    let r = referral(
        &app,
        &a["id"],
        o["application_version"].as_i64().unwrap(),
        today - Days::new(44),
        201,
    )
    .await;
    let signed_on = today - Days::new(40);
    let p = ipzs(&app, &r, signed_on, 201).await;
    let token = app.token("cis-director").await;
    let list = |sent_on: NaiveDate| json!({"ipzs_ids": [p["id"]], "sent_on": sent_on});
    for (sent_on, code) in [
        (signed_on - Days::new(1), "before_signing"),
        (tomorrow, "in_future"),
    ] {
        let resp = app
            .call(
                Method::POST,
                "/api/v1/admission-lists",
                &token,
                Some(&list(sent_on)),
            )
            .await;
        assert_eq!(resp.status(), 422);
        refused(&json(resp).await, "sent_on", code, None);
    }
    let resp = app
        .call(
            Method::POST,
            "/api/v1/admission-lists",
            &token,
            Some(&list(signed_on + Days::new(3))),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let sent = json(resp).await;
    assert_eq!(sent["sent_on"], (signed_on + Days::new(3)).to_string());
    assert_eq!(sent["recorded_late"], true);
    let p = app
        .fetch(
            "cis-staff",
            &format!("/api/v1/ipzs/{}", p["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(p["admission_list"]["status"], "met", "{p}");
    assert_eq!(p["recorded_late"], true);
    let late = app
        .fetch("cis-staff", "/api/v1/ipzs?recorded_late=true&limit=200")
        .await;
    assert!(
        late["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == p["id"])
    );
    // The register of the IPZS is for its CIS and MOPR; the applying NGO gets 404.
    let acts = format!("/api/v1/ipzs/{}/acts", p["id"].as_str().unwrap());
    assert_eq!(
        app.fetch("mopr-staff", &acts).await["acts"][1]["act"],
        "admission_list.sent"
    );
    let ngo = app.token("ngo-staff").await;
    assert_eq!(app.call(Method::GET, &acts, &ngo, None).await.status(), 404);
    // Qualification: requested in the trial's last week (dated), decided not before the request.
    let trial_ends = day(&p["trial_ends_on"]);
    let requested_on = trial_ends - Days::new(2);
    let q = app
        .transition(
            "cis-director",
            "/api/v1/qualifications",
            v(&p),
            Some(&json!({"ipzs_id": p["id"], "channel": "email", "requested_on": requested_on})),
            201,
        )
        .await;
    assert_eq!(q["requested_on"], requested_on.to_string());
    let q_path = format!(
        "/api/v1/qualifications/{}/decision",
        q["id"].as_str().unwrap()
    );
    let resp = app
        .transition("mopr-director", &q_path, v(&q),
            Some(&json!({"decision": "qualified", "channel": "email", "decided_on": requested_on - Days::new(1)})), 422)
        .await;
    refused(&resp, "decided_on", "before_request", Some(requested_on));
    let q = app
        .transition("mopr-director", &q_path, v(&q),
            Some(&json!({"decision": "qualified", "channel": "email", "decided_on": requested_on + Days::new(1)})), 200)
        .await;
    assert_eq!(q["decided_on"], (requested_on + Days::new(1)).to_string());
    // Early termination, then the notice: not before the termination.
    let p = app
        .fetch(
            "cis-staff",
            &format!("/api/v1/ipzs/{}", p["id"].as_str().unwrap()),
        )
        .await;
    let ipzs_path = |tail: &str| format!("/api/v1/ipzs/{}{tail}", p["id"].as_str().unwrap());
    let ended_on = today - Days::new(3);
    let p = app
        .transition(
            "cis-staff",
            &ipzs_path("/terminate"),
            v(&p),
            Some(&json!({"reason": "absence", "terminated_on": ended_on})),
            200,
        )
        .await;
    let resp = app
        .transition(
            "cis-director",
            &ipzs_path("/termination-notice"),
            v(&p),
            Some(&json!({"sent_on": ended_on - Days::new(1)})),
            422,
        )
        .await;
    refused(&resp, "sent_on", "before_termination", Some(ended_on));
    let p = app
        .transition(
            "cis-director",
            &ipzs_path("/termination-notice"),
            v(&p),
            Some(&json!({"sent_on": ended_on + Days::new(1)})),
            200,
        )
        .await;
    assert_eq!(
        p["termination"]["mopr_informed_on"],
        (ended_on + Days::new(1)).to_string(),
        "{p}"
    );
    // DPS: the fee decision, the waiting list and the placement each follow their predecessor.
    let case = dps_case(&app, today - Days::new(60)).await;
    let case = app
        .transition(
            "mopr-director",
            &path(&case, "/decision"),
            v(&case),
            Some(&decision("granted", today - Days::new(40))),
            200,
        )
        .await;
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries"),
            v(&case),
            Some(&delivery(today - Days::new(38))),
            200,
        )
        .await;
    assert_eq!(case["finality"]["final"], true);
    let token = app.token("mopr-staff").await;
    let mopr = app.institution_id("MOPR").await;
    let home = crate::placements::create_home(&app, "mopr-director", &mopr, 10, json!({})).await;
    let entry = |entered_on: NaiveDate| json!({"care_home_id": home["id"], "dps_application_id": case["id"], "entered_on": entered_on});
    let resp = app
        .call(
            Method::POST,
            "/api/v1/waiting-list-entries",
            &token,
            Some(&entry(today - Days::new(41))),
        )
        .await;
    assert_eq!(resp.status(), 422);
    refused(
        &json(resp).await,
        "entered_on",
        "before_decision",
        Some(today - Days::new(40)),
    );
    // Entered while the appeal window still ran: the decision was not final on that day.
    let resp = app
        .call(
            Method::POST,
            "/api/v1/waiting-list-entries",
            &token,
            Some(&entry(today - Days::new(30))),
        )
        .await;
    assert_eq!(resp.status(), 409);
    let final_on = day(&case["finality"]["final_on"]);
    let resp = app
        .call(
            Method::POST,
            "/api/v1/waiting-list-entries",
            &token,
            Some(&entry(final_on)),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let e = json(resp).await;
    assert_eq!(e["entered_on"], final_on.to_string());
    let entry_path = format!(
        "/api/v1/waiting-list-entries/{}/placement",
        e["id"].as_str().unwrap()
    );
    let resp = app
        .transition(
            "mopr-director",
            &entry_path,
            v(&e),
            Some(&json!({"admission_on": today, "decided_on": final_on - Days::new(1)})),
            422,
        )
        .await;
    refused(&resp, "decided_on", "before_entry", Some(final_on));
}

fn day(x: &Value) -> NaiveDate {
    x.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_recorded_late_application_is_found_by_the_filter_and_nothing_else_is() {
    let app = spawn_app().await;
    let fresh = application(&app, app.today()).await;
    let old = application(&app, app.today() - Days::new(20)).await;
    assert_eq!(
        (
            fresh["recorded_late"].as_bool(),
            old["recorded_late"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let late = app
        .fetch(
            "mopr-staff",
            "/api/v1/referral-applications?recorded_late=true&limit=200",
        )
        .await;
    let on_time = app
        .fetch(
            "mopr-staff",
            "/api/v1/referral-applications?recorded_late=false&limit=200",
        )
        .await;
    assert!(ids(&late).contains(&old["id"].as_str().unwrap().to_owned()));
    assert!(!ids(&late).contains(&fresh["id"].as_str().unwrap().to_owned()));
    assert!(ids(&on_time).contains(&fresh["id"].as_str().unwrap().to_owned()));
    // An application body with a legal date older than 2000 is outside the calendar.
    let token = app.token("ngo-staff").await;
    let cis = app.institution_id("CIS").await;
    let body = application_body(fresh["person_id"].as_str().unwrap(), &cis, d("1999-12-31"));
    let resp = app
        .call(
            Method::POST,
            "/api/v1/referral-applications",
            &token,
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 422);
}
