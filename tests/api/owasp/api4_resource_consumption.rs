//! API4:2023 Unrestricted Resource Consumption: body, string, page and list bounds, and per-caller rate limits.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, json, spawn_app};

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
async fn api4_writes_beyond_a_callers_quota_get_429_and_change_nothing() {
    let app = crate::helpers::spawn_app_with(|c| c.rate_limits.writes_per_minute = 3).await;
    let staff = app.token("mopr-staff").await;
    let person = |n: usize| json!({"first_name": "Anna", "last_name": format!("Limit{n}"), "birth_date": "1970-01-01", "sex": "female"});
    for n in 0..3 {
        let resp = app
            .call(Method::POST, "/api/v1/persons", &staff, Some(&person(n)))
            .await;
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.headers()["ratelimit-policy"], "\"writes\";q=3;w=60");
        let left = resp.headers()["ratelimit"].to_str().unwrap().to_owned();
        assert!(
            left.starts_with(&format!("\"writes\";r={};t=", 2 - n)),
            "{left}"
        );
    }
    let refused = app
        .call(Method::POST, "/api/v1/persons", &staff, Some(&person(3)))
        .await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    // Reads are not limited, and the refused write created nothing.
    let resp = app
        .call(Method::GET, "/api/v1/persons?last_name=Limit", &staff, None)
        .await;
    assert_eq!(resp.status(), 200);
    assert!(!resp.headers().contains_key("ratelimit"));
    let names: Vec<String> = json(resp).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["last_name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!names.contains(&"Limit3".to_owned()), "{names:?}");
    // Another caller has its own quota.
    let other = app.token("mopr-worker").await;
    let resp = app
        .call(Method::POST, "/api/v1/persons", &other, Some(&person(4)))
        .await;
    assert_eq!(resp.status(), 201);
}
