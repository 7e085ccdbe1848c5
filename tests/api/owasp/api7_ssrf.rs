//! API7:2023 Server Side Request Forgery: a webhook URL cannot make the service call internal addresses (private,
//! loopback, link-local, cloud metadata, IPv4 in disguise), plain http, or carry credentials; deliveries resolve
//! the name again and refuse such addresses then (unit tests of `webhooks::model`).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn api7_private_loopback_and_metadata_targets_are_refused_by_default() {
    let app = spawn_app().await;
    let token = app.token("mopr-admin").await;
    for (url, code) in [
        ("http://partner.example.org/hook", "insecure_scheme"),
        ("https://127.0.0.1/hook", "private_target"),
        ("https://localhost:8080/hook", "private_target"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "private_target",
        ),
        ("https://10.0.0.7/hook", "private_target"),
        ("https://[::1]/hook", "private_target"),
        ("https://[::ffff:192.168.0.1]/hook", "private_target"),
        ("https://2130706433/hook", "private_target"),
        (
            "https://user:secret@partner.example.org/hook",
            "credentials_in_url",
        ),
        ("file:///etc/passwd", "invalid_scheme"),
    ] {
        let resp = app
            .call(
                Method::POST,
                "/api/v1/webhooks",
                &token,
                Some(&json!({"url": url, "event_types": ["opinion.issued"]})),
            )
            .await;
        let body =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "url", "{url}: {body}");
        assert_eq!(body["errors"][0]["code"], code, "{url}: {body}");
    }
    let resp = app
        .call(
            Method::POST,
            "/api/v1/webhooks",
            &token,
            Some(&json!({"url": "https://partner.example.org/hook", "event_types": ["opinion.issued", "opinion.issued"]})),
        )
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/webhooks",
            &token,
            Some(&json!({"url": "https://partner.example.org/hook", "event_types": ["person.deleted"]})),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let list = json(
        app.call(Method::GET, "/api/v1/webhooks", &token, None)
            .await,
    )
    .await;
    assert_eq!(list["items"], json!([]), "nothing was registered");
}
