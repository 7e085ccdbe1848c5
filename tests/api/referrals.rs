use chrono::Days;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, etag_of, json, spawn_app, today};

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn an_ngo_application_goes_through_opinion_and_referral_to_the_cis_inbox() {
    let app = spawn_app().await;
    // NGO registers the person and applies.
    let application = app
        .file_application("ngo-staff", "ngo-staff", today())
        .await;
    let id = application["id"].as_str().unwrap().to_owned();
    assert_eq!(application["status"], "submitted");
    assert_eq!(application["applicant_kind"], "ngo");
    assert_eq!(application["opinion_overdue"], false);
    assert_eq!(
        application["opinion_due_on"],
        reintegra::foundation::calendar::kpa_days(today(), 14).to_string()
    );

    // MOPR learns of it from its feed.
    let (mopr_events, mopr_cursor) = app.feed("mopr-staff", None).await;
    assert_eq!(types(&mopr_events), vec!["application.submitted"]);
    assert_eq!(
        mopr_events[0]["link"],
        format!("/api/v1/referral-applications/{id}")
    );

    // The social worker opines; the CIS gets the opinion at once.
    let opinion = app.opine(&application).await;
    assert_eq!(opinion["application_status"], "opinion_issued");
    assert_eq!(opinion["issued_on_time"], true);
    let (cis_events, cis_cursor) = app.feed("cis-staff", None).await;
    assert_eq!(types(&cis_events), vec!["opinion.issued"]);

    // The director refers; the CIS and the NGO are told.
    let referral = app
        .refer(&id, opinion["application_version"].as_i64().unwrap())
        .await;
    assert_eq!(referral["decision"], "referred");
    assert_eq!(referral["opinion_id"], opinion["id"]);
    let (new_cis, _) = app.feed("cis-staff", cis_cursor.as_deref()).await;
    // The referral's letter is filed on the application, which the CIS reads.
    assert_eq!(types(&new_cis), vec!["referral.issued", "document.filed"]);
    let (ngo_events, _) = app.feed("ngo-staff", None).await;
    assert_eq!(types(&ngo_events), vec!["referral.issued"]);
    let (no_new_mopr, same) = app.feed("mopr-staff", mopr_cursor.as_deref()).await;
    assert!(no_new_mopr.is_empty());
    assert_eq!(same, mopr_cursor, "an empty poll keeps the cursor");

    // The CIS reads what it was sent, including the person.
    let cis = app.token("cis-staff").await;
    let link = new_cis[0]["link"].as_str().unwrap();
    let got = json(app.call(Method::GET, link, &cis, None).await).await;
    assert_eq!(got["decision"], "referred");
    let got = json(
        app.call(
            Method::GET,
            &format!("/api/v1/opinions/{}", opinion["id"].as_str().unwrap()),
            &cis,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(got["recommendation"], "positive");
    let resp = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/persons/{}",
                application["person_id"].as_str().unwrap()
            ),
            &cis,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);

    // The NGO sees the outcome, not the opinion.
    let ngo = app.token("ngo-staff").await;
    let seen = json(
        app.call(
            Method::GET,
            &format!("/api/v1/referral-applications/{id}"),
            &ngo,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(seen["status"], "referred");
    assert_eq!(seen["outcome"]["decision"], "referred");
    assert_eq!(seen["opinion_id"], Value::Null);
    assert_eq!(seen["outcome"]["referral_id"], Value::Null);
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/opinions/{}", opinion["id"].as_str().unwrap()),
            &ngo,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap()),
            &ngo,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn every_role_of_every_kind_gets_its_refusal_on_every_action() {
    let app = spawn_app().await;
    let application = app
        .file_application("ngo-staff", "ngo-staff", today())
        .await;
    let id = application["id"].as_str().unwrap().to_owned();
    let person_id = application["person_id"].as_str().unwrap().to_owned();
    let cis = app.institution_id("CIS").await;
    // A second application, already decided, to test reading the opinion and referral.
    let decided = app
        .file_application("mopr-staff", "mopr-staff", today())
        .await;
    let opinion = app.opine(&decided).await;
    let referral = app.refer(decided["id"].as_str().unwrap(), 2).await;

    let users = [
        // The worker before the director: the decision needs the opinion.
        "mopr-admin",
        "mopr-worker",
        "mopr-director",
        "mopr-staff",
        "cis-director",
        "cis-staff",
        "pcpr-staff",
        "ngo-staff",
        "platform-admin",
    ];
    for user in users {
        let token = app.token(user).await;
        let admin = user.ends_with("admin");
        let kind = user.split('-').next().unwrap();
        let mopr = kind == "mopr" && !admin;
        let sees_app = !admin && matches!(kind, "mopr" | "cis" | "ngo");
        let sees_docs = !admin && matches!(kind, "mopr" | "cis");

        let body = json!({"person_id": person_id, "target_cis_id": cis, "eligibility_categories": ["disabled"],
            "justification": "x", "received_on": today(), "applicant_kind": "ngo",
            "consent": {"given": true, "given_on": today(), "given_by": "person"}});
        let resp = app
            .call(
                Method::POST,
                "/api/v1/referral-applications",
                &token,
                Some(&body),
            )
            .await;
        let expected = match () {
            _ if admin || kind == "cis" => 403,
            // PCPR cannot see the person; MOPR must and may record an NGO's paper application (it needs a name).
            _ if kind == "pcpr" => 422,
            _ if mopr => 422,
            _ => 201,
        };
        assert_eq!(resp.status().as_u16(), expected, "{user} files");

        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/referral-applications/{id}"),
                &token,
                None,
            )
            .await;
        let expected = if admin {
            403
        } else if sees_app {
            200
        } else {
            404
        };
        assert_eq!(
            resp.status().as_u16(),
            expected,
            "{user} reads the application"
        );

        let opinion_body = json!({"application_id": id, "family_interview_on": today(),
            "recommendation": "negative", "justification": "x"});
        let resp = app
            .call_if_match(
                Method::POST,
                "/api/v1/opinions",
                &token,
                "\"1\"",
                Some(&opinion_body),
            )
            .await;
        let expected = if user == "mopr-worker" { 201 } else { 403 };
        assert_eq!(resp.status().as_u16(), expected, "{user} opines");

        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/opinions/{}", opinion["id"].as_str().unwrap()),
                &token,
                None,
            )
            .await;
        let expected = if admin {
            403
        } else if sees_docs {
            200
        } else {
            404
        };
        assert_eq!(resp.status().as_u16(), expected, "{user} reads the opinion");

        let decision = json!({"application_id": id, "decision": "refused", "reasons": "x"});
        let resp = app
            .call_if_match(
                Method::POST,
                "/api/v1/referrals",
                &token,
                "\"2\"",
                Some(&decision),
            )
            .await;
        let expected = if user == "mopr-director" { 201 } else { 403 };
        assert_eq!(resp.status().as_u16(), expected, "{user} decides");

        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap()),
                &token,
                None,
            )
            .await;
        let expected = if admin {
            403
        } else if sees_docs {
            200
        } else {
            404
        };
        assert_eq!(
            resp.status().as_u16(),
            expected,
            "{user} reads the referral"
        );

        let resp = app.call(Method::GET, "/api/v1/events", &token, None).await;
        assert_eq!(
            resp.status().as_u16(),
            if admin { 403 } else { 200 },
            "{user} reads the feed"
        );
    }
    // Withdrawal is the filer's: after the refusal above it is decided, so even the NGO gets 409 now; others 403/404.
    for (user, expected) in [
        ("cis-staff", 403),
        ("pcpr-staff", 404),
        ("mopr-staff", 403),
        ("mopr-admin", 403),
        ("ngo-staff", 409),
    ] {
        let token = app.token(user).await;
        let resp = app
            .call_if_match(
                Method::POST,
                &format!("/api/v1/referral-applications/{id}/withdraw"),
                &token,
                "\"3\"",
                None,
            )
            .await;
        assert_eq!(resp.status().as_u16(), expected, "{user} withdraws");
    }
}

#[tokio::test]
async fn transitions_in_the_wrong_order_are_409_naming_the_rule() {
    let app = spawn_app().await;
    let director = app.token("mopr-director").await;
    let worker = app.token("mopr-worker").await;
    let ngo = app.token("ngo-staff").await;
    let a = app
        .file_application("ngo-staff", "ngo-staff", today())
        .await;
    let id = a["id"].as_str().unwrap().to_owned();

    let refer = json!({"application_id": id, "decision": "referred"});
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/referrals",
            &director,
            "\"1\"",
            Some(&refer),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "opinion_required").await;

    app.opine(&a).await;
    let opinion = json!({"application_id": id, "family_interview_on": today(), "recommendation": "positive", "justification": "x"});
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/opinions",
            &worker,
            "\"2\"",
            Some(&opinion),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "opinion_already_issued").await;

    // Stale version and missing If-Match come before the rules.
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/referrals",
            &director,
            "\"1\"",
            Some(&refer),
        )
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "version_mismatch").await;
    let resp = app
        .call(Method::POST, "/api/v1/referrals", &director, Some(&refer))
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    let refuse = json!({"application_id": id, "decision": "refused"});
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/referrals",
            &director,
            "\"2\"",
            Some(&refuse),
        )
        .await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "reasons_required");

    let refuse = json!({"application_id": id, "decision": "refused", "reasons": "Brak motywacji."});
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/referrals",
            &director,
            "\"2\"",
            Some(&refuse),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/referrals",
            &director,
            "\"3\"",
            Some(&refer),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "already_decided").await;
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/referral-applications/{id}/withdraw"),
            &ngo,
            "\"3\"",
            None,
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "already_decided").await;

    // A withdrawn application takes no opinion.
    let b = app
        .file_application("ngo-staff", "ngo-staff", today())
        .await;
    let bid = b["id"].as_str().unwrap();
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/referral-applications/{bid}/withdraw"),
            &ngo,
            "\"1\"",
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(etag_of(&resp), "\"2\"");
    assert_eq!(json(resp).await["status"], "withdrawn");
    let opinion = json!({"application_id": bid, "family_interview_on": today(), "recommendation": "positive", "justification": "x"});
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/opinions",
            &worker,
            "\"2\"",
            Some(&opinion),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "application_withdrawn").await;
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/referral-applications/{bid}/withdraw"),
            &ngo,
            "\"2\"",
            None,
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "already_withdrawn").await;
    // MOPR and the CIS were told of the withdrawal.
    let (cis_events, _) = app.feed("cis-staff", None).await;
    assert!(types(&cis_events).contains(&"application.withdrawn"));
}

#[tokio::test]
async fn overdue_opinions_are_flagged_and_filterable() {
    let app = spawn_app().await;
    let old_day = today() - Days::new(30);
    let old = app
        .file_application("mopr-staff", "mopr-staff", old_day)
        .await;
    let fresh = app
        .file_application("mopr-staff", "mopr-staff", today())
        .await;
    assert_eq!(old["opinion_overdue"], true);
    assert_eq!(
        old["opinion_due_on"],
        reintegra::foundation::calendar::kpa_days(old_day, 14).to_string()
    );
    assert_eq!(fresh["opinion_overdue"], false);

    let staff = app.token("mopr-staff").await;
    let page = json(
        app.call(
            Method::GET,
            "/api/v1/referral-applications?opinion_overdue=true",
            &staff,
            None,
        )
        .await,
    )
    .await;
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![old["id"].as_str().unwrap()]);

    // A late opinion is accepted but marked, and the application is no longer overdue.
    let opinion = app.opine(&old).await;
    assert_eq!(opinion["issued_on_time"], false);
    let page = json(
        app.call(
            Method::GET,
            "/api/v1/referral-applications?opinion_overdue=true",
            &staff,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    let page = json(
        app.call(
            Method::GET,
            "/api/v1/referral-applications?status=submitted",
            &staff,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn applications_are_refused_for_missing_consent_unknown_persons_and_non_cis_targets() {
    let app = spawn_app().await;
    let ngo = app.token("ngo-staff").await;
    let person = app
        .create_person("ngo-staff", &json!({"first_name": "A", "last_name": "B", "birth_date": "1970-01-01", "sex": "male"}))
        .await;
    let hidden = app
        .create_person("pcpr-staff", &json!({"first_name": "C", "last_name": "D", "birth_date": "1970-01-01", "sex": "male"}))
        .await;
    let cis = app.institution_id("CIS").await;
    let pcpr = app.institution_id("PCPR").await;
    let base = json!({"person_id": person["id"], "target_cis_id": cis, "eligibility_categories": ["disabled"],
        "justification": "x", "received_on": today(),
        "consent": {"given": true, "given_on": today(), "given_by": "person"}});
    let with = |patch: Value| {
        let mut b = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (
            with(json!({"consent": {"given": false, "given_on": today(), "given_by": "person"}})),
            "consent.given",
            "consent_required",
        ),
        (
            with(json!({"person_id": hidden["id"]})),
            "person_id",
            "unknown_person",
        ),
        (
            with(json!({"target_cis_id": pcpr})),
            "target_cis_id",
            "not_a_cis",
        ),
        (
            with(json!({"eligibility_categories": []})),
            "eligibility_categories",
            "required",
        ),
    ];
    for (body, field, code) in cases {
        let resp = app
            .call(
                Method::POST,
                "/api/v1/referral-applications",
                &ngo,
                Some(&body),
            )
            .await;
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    let page = json(
        app.call(Method::GET, "/api/v1/referral-applications", &ngo, None)
            .await,
    )
    .await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        0,
        "nothing was filed"
    );
}

#[tokio::test]
async fn the_feed_never_repeats_or_skips_events_for_a_cursor() {
    let app = spawn_app().await;
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    for _ in 0..3 {
        app.file_application("mopr-staff", "mopr-staff", today())
            .await;
        let (events, next) = app.feed("mopr-staff", cursor.as_deref()).await;
        assert_eq!(events.len(), 1);
        seen.extend(events.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        cursor = next;
    }
    let (all, _) = app.feed("mopr-staff", None).await;
    let all_ids: Vec<String> = all
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all_ids, seen);
    let token = app.token("mopr-staff").await;
    let resp = app
        .call(Method::GET, "/api/v1/events?after=bogus", &token, None)
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_cursor").await;
}

#[tokio::test]
async fn declared_benefits_are_recorded_and_mopr_refuses_on_them() {
    let app = spawn_app().await;
    let ngo = app.token("ngo-staff").await;
    let person = app
        .create_person("ngo-staff", &json!({"first_name": "E", "last_name": "F", "birth_date": "1960-01-01", "sex": "female"}))
        .await;
    let cis = app.institution_id("CIS").await;
    let body = json!({"person_id": person["id"], "target_cis_id": cis,
        "eligibility_categories": ["alcohol_dependent", "alcohol_dependent", "disabled"],
        "justification": "x", "received_on": today(),
        "consent": {"given": true, "given_on": today(), "given_by": "person"},
        "declared_benefits": ["retirement_pension"]});
    let resp = app
        .call(
            Method::POST,
            "/api/v1/referral-applications",
            &ngo,
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let application = json(resp).await;
    assert_eq!(
        application["declared_benefits"],
        json!(["retirement_pension"])
    );
    assert_eq!(
        application["eligibility_categories"],
        json!(["alcohol_dependent", "disabled"])
    );
    let opinion = app.opine(&application).await;
    let version = opinion["application_version"].as_i64().unwrap();
    let id = application["id"].as_str().unwrap();
    let refer = json!({"application_id": id, "decision": "referred"});
    let resp = app
        .transition(
            "mopr-director",
            "/api/v1/referrals",
            version,
            Some(&refer),
            409,
        )
        .await;
    assert_eq!(resp["code"], "benefit_excludes_participation");
    let grounded_referral =
        json!({"application_id": id, "decision": "referred", "refusal_ground": "other"});
    app.transition(
        "mopr-director",
        "/api/v1/referrals",
        version,
        Some(&grounded_referral),
        422,
    )
    .await;
    let refuse = json!({"application_id": id, "decision": "refused",
        "reasons": "Osoba ma prawo do emerytury (art. 1 ust. 3 pkt 7).", "refusal_ground": "benefit_entitlement"});
    let refused = app
        .transition(
            "mopr-director",
            "/api/v1/referrals",
            version,
            Some(&refuse),
            201,
        )
        .await;
    assert_eq!(refused["refusal_ground"], "benefit_entitlement");

    // The NGO's inbox event links to something it may read: the application, not the referral document.
    let (events, _) = app.feed("ngo-staff", None).await;
    let event = events
        .iter()
        .find(|e| e["type"] == "referral.refused")
        .expect("the NGO learns the outcome");
    let link = event["link"].as_str().unwrap();
    assert_eq!(link, format!("/api/v1/referral-applications/{id}"));
    let got = json(app.call(Method::GET, link, &ngo, None).await).await;
    assert_eq!(got["status"], "refused");
    // The CIS's event still links to the referral, which it may read.
    let (cis_events, _) = app.feed("cis-staff", None).await;
    let cis_event = cis_events
        .iter()
        .find(|e| e["type"] == "referral.refused")
        .unwrap();
    let cis = app.token("cis-staff").await;
    let resp = app
        .call(Method::GET, cis_event["link"].as_str().unwrap(), &cis, None)
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_second_open_application_for_the_same_person_and_cis_is_409_with_a_link() {
    let app = spawn_app().await;
    let first = app
        .file_application("ngo-staff", "ngo-staff", today())
        .await;
    let person_id = first["person_id"].as_str().unwrap();
    let cis = app.institution_id("CIS").await;
    let body = json!({"person_id": person_id, "target_cis_id": cis, "eligibility_categories": ["disabled"],
        "justification": "x", "received_on": today(),
        "consent": {"given": true, "given_on": today(), "given_by": "person"}});
    let link = format!(
        "/api/v1/referral-applications/{}",
        first["id"].as_str().unwrap()
    );
    for (user, extra, sees) in [
        ("ngo-staff", json!({}), true),
        ("mopr-staff", json!({"applicant_kind": "self"}), true),
    ] {
        let mut b = body.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        let token = app.token(user).await;
        let resp = app
            .call(
                Method::POST,
                "/api/v1/referral-applications",
                &token,
                Some(&b),
            )
            .await;
        let problem = assert_problem(resp, StatusCode::CONFLICT, "application_exists").await;
        assert_eq!(
            problem["existing"] == json!(link),
            sees,
            "{user}: {problem}"
        );
    }
    // Once the first is withdrawn, a new application may be filed.
    let ngo = app.token("ngo-staff").await;
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("{link}/withdraw"),
            &ngo,
            &format!("\"{}\"", first["version"]),
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .call(
            Method::POST,
            "/api/v1/referral-applications",
            &ngo,
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 201);
}
