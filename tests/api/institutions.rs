use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn the_directory_lists_the_demo_institutions_and_filters_by_kind() {
    let app = spawn_app().await;
    let token = app.token("ngo-staff").await;
    let page = json(
        app.call(Method::GET, "/api/v1/institutions", &token, None)
            .await,
    )
    .await;
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["MOPR", "CIS", "PCPR", "NGO"]);
    let page = json(
        app.call(Method::GET, "/api/v1/institutions?kind=CIS", &token, None)
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        page["items"][0]["name"],
        "Centrum Integracji Społecznej CISTOR"
    );
    let resp = app
        .call(Method::GET, "/api/v1/institutions?kind=XYZ", &token, None)
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn a_platform_admin_registers_an_institution_once() {
    let app = spawn_app().await;
    let token = app.token("platform-admin").await;
    let body =
        json!({"kind": "CIS", "name": "CIS Nowy Start", "address": "ul. Długa 5, 87-100 Toruń"});
    let resp = app
        .call(Method::POST, "/api/v1/institutions", &token, Some(&body))
        .await;
    assert_eq!(resp.status(), 201);
    let location = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let created = json(resp).await;
    let fetched = json(app.call(Method::GET, &location, &token, None).await).await;
    assert_eq!(created, fetched);

    let resp = app
        .call(Method::POST, "/api/v1/institutions", &token, Some(&body))
        .await;
    let problem = assert_problem(resp, StatusCode::CONFLICT, "duplicate_institution_name").await;
    assert_eq!(problem["existing"], location.as_str());

    let resp = app
        .call(
            Method::POST,
            "/api/v1/institutions",
            &token,
            Some(&json!({"kind": "MOPR", "name": "MOPR Bez Obszaru", "address": "x"})),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "area");
}

#[tokio::test]
async fn an_unknown_institution_is_404() {
    let app = spawn_app().await;
    let token = app.token("cis-staff").await;
    let resp = app
        .call(Method::GET, "/api/v1/institutions/0193-nope", &token, None)
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
}
