//! Every demo role against every institution, user, API-client, audit and access-report endpoint: who gets 2xx,
//! who 403, who 404.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{DEMO_USERS, json, spawn_app};

#[tokio::test]
async fn every_role_gets_exactly_the_access_the_policy_gives_it() {
    let app = spawn_app().await;
    let cis = app.institution_id("CIS").await;
    let mopr_staff_id = app.user_id("mopr-staff").await;
    let cis_staff_id = app.user_id("cis-staff").await;
    let person = app
        .create_person(
            "mopr-staff",
            &json!({"first_name": "Ewa", "last_name": "Macierzowa", "birth_date": "1960-03-03", "sex": "female"}),
        )
        .await;
    let person_id = person["id"].as_str().unwrap().to_owned();

    for (n, (username, kind, role)) in DEMO_USERS.into_iter().enumerate() {
        let token = app.token(username).await;
        let is_admin = role == "admin";
        let is_platform = role == "platform_admin";
        let is_mopr_admin = is_admin && kind == "MOPR";

        // (what, method, path, body, expected status)
        let checks: Vec<(&str, Method, String, Option<serde_json::Value>, u16)> = vec![
            (
                "list institutions",
                Method::GET,
                "/api/v1/institutions".into(),
                None,
                200,
            ),
            (
                "get institution",
                Method::GET,
                format!("/api/v1/institutions/{cis}"),
                None,
                200,
            ),
            (
                "create institution",
                Method::POST,
                "/api/v1/institutions".into(),
                Some(
                    json!({"kind": "NGO", "name": format!("Fundacja {n}"), "address": "ul. Prosta 1, Toruń"}),
                ),
                if is_platform { 201 } else { 403 },
            ),
            (
                "list users",
                Method::GET,
                "/api/v1/users".into(),
                None,
                if is_admin || is_platform { 200 } else { 403 },
            ),
            (
                "create user in own institution",
                Method::POST,
                "/api/v1/users".into(),
                Some(
                    json!({"username": format!("new-user-{n}"), "password": "a long passphrase", "role": "staff"}),
                ),
                match () {
                    _ if is_admin => 201,
                    // A platform admin must name the institution.
                    _ if is_platform => 422,
                    _ => 403,
                },
            ),
            (
                "create user in the CIS",
                Method::POST,
                "/api/v1/users".into(),
                Some(
                    json!({"username": format!("cis-user-{n}"), "password": "a long passphrase",
                    "role": "staff", "institution_id": cis}),
                ),
                if is_platform { 201 } else { 403 },
            ),
            (
                "get a MOPR user",
                Method::GET,
                format!("/api/v1/users/{mopr_staff_id}"),
                None,
                match () {
                    _ if is_mopr_admin || is_platform => 200,
                    _ if is_admin => 404,
                    _ => 403,
                },
            ),
            (
                "get a CIS user",
                Method::GET,
                format!("/api/v1/users/{cis_staff_id}"),
                None,
                match () {
                    _ if is_platform => 200,
                    _ if is_admin => 404,
                    _ => 403,
                },
            ),
            (
                "list API clients",
                Method::GET,
                "/api/v1/api-clients".into(),
                None,
                if is_admin || is_platform { 200 } else { 403 },
            ),
            (
                "read the audit trail",
                Method::GET,
                "/api/v1/audit-events".into(),
                None,
                if is_platform || (kind == "MOPR" && role == "director") {
                    200
                } else {
                    403
                },
            ),
            (
                "a person's access report",
                Method::GET,
                format!("/api/v1/persons/{person_id}/disclosure"),
                None,
                if is_mopr_admin { 200 } else { 403 },
            ),
        ];
        for (what, method, path, body, expected) in checks {
            let resp = app.call(method, &path, &token, body.as_ref()).await;
            let got = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            assert_eq!(got, expected, "{username} / {what}: {text}");
            if got >= 400 {
                let problem: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(problem["status"], got, "{username} / {what}");
            }
        }
    }
    let _ = json;
}
