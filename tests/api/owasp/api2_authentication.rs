//! API2:2023 Broken Authentication: forged and unsigned tokens are refused, and the token endpoint is rate
//! limited per client address on top of the per-account throttle.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use reqwest::{Method, StatusCode};

use crate::helpers::{assert_problem, spawn_app_with};

#[tokio::test]
async fn api2_forged_and_unsigned_tokens_are_refused() {
    let app = spawn_app_with(|_| {}).await;
    let token = app.token("ngo-staff").await;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&B64URL.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = "platform_admin".into();
    claims["kind"] = serde_json::Value::Null;
    let forged_payload = B64URL.encode(serde_json::to_vec(&claims).unwrap());
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    let unsigned = format!(
        "{}.{}.",
        B64URL.encode(br#"{"alg":"none","typ":"JWT"}"#),
        forged_payload
    );
    for bad in [forged, unsigned, format!("{token}x")] {
        let resp = app.call(Method::GET, "/api/v1/users", &bad, None).await;
        assert!(resp.headers().contains_key("www-authenticate"));
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn api2_the_token_endpoint_answers_429_beyond_its_quota_even_to_the_right_password() {
    let app = spawn_app_with(|c| c.rate_limits.token_per_minute = 3).await;
    let good = [
        ("grant_type", "password"),
        ("username", "mopr-staff"),
        ("password", "reintegra-demo"),
    ];
    let bad = [
        ("grant_type", "password"),
        ("username", "cis-staff"),
        ("password", "not the password"),
    ];
    let first = app.token_request(&good).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["ratelimit-policy"], "\"token\";q=3;w=60");
    assert!(
        first.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"token\";r=2;t=")
    );
    for _ in 0..2 {
        assert_eq!(app.token_request(&bad).await.status(), 400);
    }
    let refused = app.token_request(&good).await;
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert!(
        refused.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"token\";r=0;t=")
    );
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
}
