//! Security tests named after the OWASP API Security Top 10 (2023) they check: a second CIS and a second NGO
//! against the first ones' cases (API1), what responses expose (API3), body and page limits (API4), fields a
//! client may not set (API3 mass assignment), and the headers every response carries (API8).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json, spawn_app};

/// Registers an institution of `kind` and a staff account in it; returns the account's token.
async fn second_institution(app: &TestApp, kind: &str, username: &str) -> String {
    let platform = app.token("platform-admin").await;
    let body = json!({"kind": kind, "name": format!("{kind} druga ({username})"), "address": "ul. Inna 2, 87-100 Toruń"});
    let resp = app
        .call(Method::POST, "/api/v1/institutions", &platform, Some(&body))
        .await;
    assert_eq!(resp.status(), 201);
    let inst = json(resp).await;
    let body = json!({"username": username, "password": "a long passphrase", "role": "staff", "institution_id": inst["id"]});
    let resp = app
        .call(Method::POST, "/api/v1/users", &platform, Some(&body))
        .await;
    assert_eq!(resp.status(), 201);
    app.login_as(username, "a long passphrase").await
}

async fn status_of(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> u16 {
    app.call(method, path, token, body).await.status().as_u16()
}

#[tokio::test]
async fn api1_a_second_cis_and_a_second_ngo_see_nothing_of_the_first_ones_cases() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 200).await;
    let person = referral["person_id"].as_str().unwrap();
    let application = referral["application_id"].as_str().unwrap();
    let opinion = referral["opinion_id"].as_str().unwrap();
    let records = [
        format!("/api/v1/persons/{person}"),
        format!("/api/v1/persons/{person}/changes"),
        format!("/api/v1/referral-applications/{application}"),
        format!("/api/v1/opinions/{opinion}"),
        format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap()),
        format!("/api/v1/ipzs/{}", ipzs["id"].as_str().unwrap()),
    ];
    for (kind, user) in [("CIS", "cis-druga"), ("NGO", "ngo-druga")] {
        let token = second_institution(&app, kind, user).await;
        for path in &records {
            assert_eq!(
                status_of(&app, &token, Method::GET, path, None).await,
                404,
                "{user} GET {path}"
            );
        }
        // Transitions on records it cannot see are 404 too, never a hint that they exist.
        let withdraw = format!("/api/v1/referral-applications/{application}/withdraw");
        let resp = app
            .call_if_match(Method::POST, &withdraw, &token, "\"1\"", None)
            .await;
        // A CIS may never withdraw (403 for any id, so it tells nothing); the other NGO may, but not this one: 404.
        let expected = if kind == "CIS" { 403 } else { 404 };
        assert_eq!(resp.status().as_u16(), expected, "{user} withdraws");
        let resp = app
            .call_if_match(
                Method::POST,
                "/api/v1/referral-applications/no-such-id/withdraw",
                &token,
                "\"1\"",
                None,
            )
            .await;
        assert_eq!(
            resp.status().as_u16(),
            expected,
            "{user} withdraws a missing one the same way"
        );
        if kind == "CIS" {
            let terminate = format!("/api/v1/ipzs/{}/complete", ipzs["id"].as_str().unwrap());
            let resp = app
                .call_if_match(Method::POST, &terminate, &token, "\"1\"", None)
                .await;
            assert_eq!(resp.status(), 404, "{user} completes another CIS's IPZS");
        }
        // Lists, searches and feeds show nothing of it.
        for list in [
            "/api/v1/referral-applications",
            "/api/v1/ipzs",
            "/api/v1/persons?last_name=testowy",
            "/api/v1/events",
            "/api/v1/deadlines",
            "/api/v1/dps-applications",
            "/api/v1/waiting-list-entries",
        ] {
            let page = app.fetch_with(&token, list).await;
            assert_eq!(page["items"], json!([]), "{user} {list}: {page}");
        }
    }
}

#[tokio::test]
async fn api3_responses_expose_no_secrets_and_no_opinion_to_the_applying_ngo() {
    let app = spawn_app().await;
    let token = app.token("mopr-admin").await;
    let resp = app.call(Method::GET, "/api/v1/users", &token, None).await;
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
    let platform = app.token("platform-admin").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/api-clients",
            &platform,
            Some(&json!({"name": "Partner", "role": "staff",
            "institution_id": app.institution_id("CIS").await})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let created = json(resp).await;
    let id = created["id"].as_str().unwrap();
    let again = app
        .fetch_with(&platform, &format!("/api/v1/api-clients/{id}"))
        .await;
    let text = again.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("secret_hash"),
        "{text}"
    );
    assert!(
        again.get("client_secret").is_none(),
        "the secret is shown once, at creation: {again}"
    );
    let referral = app.referred_person().await;
    let seen = app
        .fetch(
            "ngo-staff",
            &format!(
                "/api/v1/referral-applications/{}",
                referral["application_id"].as_str().unwrap()
            ),
        )
        .await;
    let text = seen.to_string();
    assert!(
        !text.contains("potwierdza motyw"),
        "the opinion's text reached the NGO: {text}"
    );
    assert_eq!(seen["opinion_id"], Value::Null);
    let token = app.token("ngo-staff").await;
    let opinion = format!(
        "/api/v1/opinions/{}",
        referral["opinion_id"].as_str().unwrap()
    );
    assert_eq!(
        status_of(&app, &token, Method::GET, &opinion, None).await,
        404
    );
}

#[tokio::test]
async fn api3_fields_a_client_may_not_set_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    let base = json!({"first_name": "Masowa", "last_name": "Przypisana", "birth_date": "1970-01-01", "sex": "female"});
    for (field, value) in [
        ("id", json!("0193-forged")),
        ("version", json!(7)),
        ("registered_by_institution_id", json!("other")),
        ("created_at", json!("2020-01-01T00:00:00Z")),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let resp = app
            .call(Method::POST, "/api/v1/persons", &token, Some(&body))
            .await;
        assert_eq!(resp.status(), 422, "{field} in a new person");
    }
    let page = app
        .fetch("mopr-staff", "/api/v1/persons?last_name=przypisana")
        .await;
    assert_eq!(page["items"], json!([]));
    // An institution's admin cannot create accounts elsewhere, nor a platform admin.
    let admin = app.token("mopr-admin").await;
    let cis = app.institution_id("CIS").await;
    let body = json!({"username": "wtyczka", "password": "a long passphrase", "role": "staff", "institution_id": cis});
    let code = status_of(&app, &admin, Method::POST, "/api/v1/users", Some(&body)).await;
    assert_eq!(code, 403, "an account in another institution");
    let body =
        json!({"username": "wtyczka2", "password": "a long passphrase", "role": "platform_admin"});
    let code = status_of(&app, &admin, Method::POST, "/api/v1/users", Some(&body)).await;
    assert_eq!(
        code, 422,
        "a platform_admin role from an institution's admin"
    );
    // A merge patch cannot move a person's version or registering institution.
    let person = app.create_person("mopr-staff", &base).await;
    let path = format!("/api/v1/persons/{}", person["id"].as_str().unwrap());
    for patch in [
        json!({"version": 9}),
        json!({"registered_by_institution_id": "other"}),
        json!({"id": "x"}),
    ] {
        let resp = app
            .call_if_match(Method::PATCH, &path, &token, "\"1\"", Some(&patch))
            .await;
        assert_eq!(resp.status(), 422, "{patch}");
    }
    assert_eq!(app.fetch("mopr-staff", &path).await["version"], 1);
}

#[tokio::test]
async fn api4_bodies_strings_and_pages_are_bounded() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    let huge = json!({"first_name": "x".repeat(70 * 1024), "last_name": "y", "birth_date": "1970-01-01", "sex": "male"});
    let resp = app
        .call(Method::POST, "/api/v1/persons", &token, Some(&huge))
        .await;
    assert_problem(resp, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let long = json!({"first_name": "x".repeat(1000), "last_name": "y", "birth_date": "1970-01-01", "sex": "male"});
    let resp = app
        .call(Method::POST, "/api/v1/persons", &token, Some(&long))
        .await;
    assert_eq!(resp.status(), 422);
    for list in [
        "/api/v1/persons?limit=201",
        "/api/v1/referral-applications?limit=0",
        "/api/v1/events?limit=1000",
    ] {
        let resp = app.call(Method::GET, list, &token, None).await;
        assert_eq!(resp.status(), 422, "{list}");
    }
    let page = app
        .fetch("mopr-staff", "/api/v1/persons?last_name=a&limit=200")
        .await;
    assert!(page["items"].as_array().unwrap().len() <= 200);
}

#[tokio::test]
async fn api8_every_response_carries_the_security_headers_errors_included() {
    let app = spawn_app().await;
    for resp in [
        app.get("/health/live").await,
        app.get("/api/v1/persons").await,
        app.get("/api/v1/nothing-here").await,
    ] {
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h.get("x-request-id").is_some());
        assert!(
            h.get("server")
                .is_none_or(|s| !s.to_str().unwrap_or("").contains('/')),
            "no version banner"
        );
    }
}
