//! API3:2023 Broken Object Property Level Authorization: what responses expose (no hashes or secrets, no
//! opinion text to the applying NGO) and fields a client may not set (mass assignment).

use reqwest::Method;
use serde_json::{Value, json};

use super::status_of;
use crate::helpers::{json, spawn_app};

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
