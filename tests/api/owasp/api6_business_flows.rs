//! API6:2023 Unrestricted Access to Sensitive Business Flows: filing applications cannot be automated past a
//! caller's write quota, retries with an Idempotency-Key never file twice, and a person has one open application
//! per CIS.

use reqwest::{Method, StatusCode};

use crate::helpers::{application_body, assert_problem, json, spawn_app_with, today};

#[tokio::test]
async fn api6_mass_filing_stops_at_the_quota_and_retries_never_file_twice() {
    let app = spawn_app_with(|c| c.rate_limits.writes_per_minute = 4).await;
    let ngo = app.token("ngo-staff").await;
    let cis = app.institution_id("CIS").await;
    let person = app
        .create_person(
            "ngo-staff",
            &serde_json::json!({"first_name": "Jan", "last_name": "Seryjny", "birth_date": "1980-01-01", "sex": "male"}),
        )
        .await;
    let body = application_body(person["id"].as_str().unwrap(), &cis, today());
    let file = |key: Option<&'static str>| {
        let mut req = app
            .request(Method::POST, "/api/v1/referral-applications")
            .bearer_auth(&ngo)
            .json(&body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        req.send()
    };
    let first = file(Some("filing-1")).await.unwrap();
    assert_eq!(first.status(), 201);
    let first = json(first).await;
    let retry = file(Some("filing-1")).await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(json(retry).await["id"], first["id"]);
    // Without the key, a second filing for the same person and CIS is a duplicate.
    assert_problem(
        file(None).await.unwrap(),
        StatusCode::CONFLICT,
        "application_exists",
    )
    .await;
    // The quota (4 writes a minute: the person, two filings, the duplicate) is spent.
    assert_problem(
        file(None).await.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
    )
    .await;
    let mopr = app.token("mopr-staff").await;
    let list = json(
        app.call(Method::GET, "/api/v1/referral-applications", &mopr, None)
            .await,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}
