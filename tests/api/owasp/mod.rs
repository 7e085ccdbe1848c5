//! Security tests named after the OWASP API Security Top 10 (2023), one module per risk, on both backends.

mod api10_unsafe_consumption;
mod api1_object_level_authorization;
mod api2_authentication;
mod api3_property_level_authorization;
mod api4_resource_consumption;
mod api5_function_level_authorization;
mod api6_business_flows;
mod api7_ssrf;
mod api8_misconfiguration;
mod api9_inventory;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json};

/// Registers an institution of `kind` and a staff account in it; returns the account's token.
pub async fn second_institution(app: &TestApp, kind: &str, username: &str) -> String {
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

pub async fn status_of(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> u16 {
    app.call(method, path, token, body).await.status().as_u16()
}
