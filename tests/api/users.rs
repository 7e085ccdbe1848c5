use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, etag_of, json, spawn_app};

#[tokio::test]
async fn an_admin_creates_an_account_that_can_sign_in() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let body = json!({"username": "anna.kowalska", "password": "a long passphrase",
        "role": "social_worker", "display_name": "Anna Kowalska"});
    let resp = app
        .call(Method::POST, "/api/v1/users", &admin, Some(&body))
        .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(etag_of(&resp), "\"1\"");
    let location = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let user = json(resp).await;
    assert_eq!(
        location,
        format!("/api/v1/users/{}", user["id"].as_str().unwrap())
    );
    assert_eq!(user["institution_id"], app.institution_id("MOPR").await);
    assert_eq!(user["active"], true);
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    let token = app.login_as("anna.kowalska", "a long passphrase").await;
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["role"], "social_worker");
}

#[tokio::test]
async fn account_rules_are_validated() {
    let app = spawn_app().await;
    let cis_admin_body = |username: &str, role: &str, password: &str| json!({"username": username, "password": password, "role": role});
    // Only a platform admin can create users in the CIS; it then acts as the CIS's admin would.
    let platform = app.token("platform-admin").await;
    let cis = app.institution_id("CIS").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/users",
            &platform,
            Some(&json!({"username": "cis-admin", "password": "a long passphrase", "role": "admin", "institution_id": cis})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let cis_admin = app.login_as("cis-admin", "a long passphrase").await;

    let body = assert_problem(
        app.call(
            Method::POST,
            "/api/v1/users",
            &cis_admin,
            Some(&cis_admin_body(
                "cis-sw",
                "social_worker",
                "a long passphrase",
            )),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "role_not_allowed_in_institution");

    let body = assert_problem(
        app.call(
            Method::POST,
            "/api/v1/users",
            &cis_admin,
            Some(&cis_admin_body("Bad Name", "staff", "short")),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["password", "username"]);

    assert_problem(
        app.call(
            Method::POST,
            "/api/v1/users",
            &cis_admin,
            Some(&cis_admin_body("cis-staff", "staff", "a long passphrase")),
        )
        .await,
        StatusCode::CONFLICT,
        "duplicate_username",
    )
    .await;
    let body = assert_problem(
        app.call(
            Method::POST,
            "/api/v1/users",
            &cis_admin,
            Some(&cis_admin_body(
                "x-admin",
                "platform_admin",
                "a long passphrase",
            )),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "role");
}

#[tokio::test]
async fn an_admin_cannot_manage_another_institutions_accounts() {
    let app = spawn_app().await;
    let mopr_admin = app.token("mopr-admin").await;
    let cis = app.institution_id("CIS").await;
    let cis_staff = app.user_id("cis-staff").await;

    let resp = app
        .call(
            Method::POST,
            "/api/v1/users",
            &mopr_admin,
            Some(&json!({"username": "intruder", "password": "a long passphrase", "role": "staff", "institution_id": cis})),
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/users?institution_id={cis}"),
            &mopr_admin,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/users/{cis_staff}"),
            &mopr_admin,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    for action in ["deactivate", "activate"] {
        let resp = app
            .call_if_match(
                Method::POST,
                &format!("/api/v1/users/{cis_staff}/{action}"),
                &mopr_admin,
                "\"1\"",
                None,
            )
            .await;
        assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    }
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/users/{cis_staff}/password"),
            &mopr_admin,
            "\"1\"",
            Some(&json!({"password": "taken over now!"})),
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    // The CIS account is untouched and still signs in.
    app.token("cis-staff").await;
    // The MOPR admin's own list holds only MOPR accounts.
    let page = json(
        app.call(Method::GET, "/api/v1/users", &mopr_admin, None)
            .await,
    )
    .await;
    let mopr = app.institution_id("MOPR").await;
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["institution_id"] == mopr.as_str())
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn account_changes_need_a_current_if_match() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let id = app.user_id("mopr-staff").await;
    let path = format!("/api/v1/users/{id}/deactivate");

    let resp = app.call(Method::POST, &path, &admin, None).await;
    assert_problem(resp, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    let resp = app
        .call_if_match(Method::POST, &path, &admin, "\"7\"", None)
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "version_mismatch").await;
    let resp = app
        .call_if_match(Method::POST, &path, &admin, "*", None)
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    let resp = app
        .call_if_match(Method::POST, &path, &admin, "version one", None)
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_if_match").await;
    let resp = app
        .call_if_match(Method::POST, &path, &admin, "\"99999999999999\"", None)
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "version_mismatch").await;

    let resp = app
        .call_if_match(Method::POST, &path, &admin, "\"1\"", None)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(etag_of(&resp), "\"2\"");
    // The same, stale version again is refused; the record keeps its state.
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/users/{id}/activate"),
            &admin,
            "\"1\"",
            None,
        )
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "version_mismatch").await;
    let user = json(
        app.call(Method::GET, &format!("/api/v1/users/{id}"), &admin, None)
            .await,
    )
    .await;
    assert_eq!(user["active"], false);
    assert_eq!(user["version"], 2);
}

#[tokio::test]
async fn an_admin_cannot_deactivate_themselves() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let id = app.user_id("mopr-admin").await;
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/users/{id}/deactivate"),
            &admin,
            "\"1\"",
            None,
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "cannot_deactivate_self").await;
}

#[tokio::test]
async fn a_password_reset_replaces_the_old_password() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let id = app.user_id("mopr-worker").await;
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/users/{id}/password"),
            &admin,
            "\"1\"",
            Some(&json!({"password": "brand new passphrase"})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    app.login_as("mopr-worker", "brand new passphrase").await;
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "mopr-worker"),
            ("password", "reintegra-demo"),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/users/{id}/password"),
            &admin,
            "\"2\"",
            Some(&json!({"password": "short"})),
        )
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn user_lists_page_with_an_opaque_cursor() {
    let app = spawn_app().await;
    let platform = app.token("platform-admin").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=4".to_owned();
    loop {
        let page = json(app.call(Method::GET, &path, &platform, None).await).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 4);
        seen.extend(
            items
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=4&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 9);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 9, "no duplicates across pages");

    let resp = app
        .call(Method::GET, "/api/v1/users?limit=0", &platform, None)
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = app
        .call(Method::GET, "/api/v1/users?cursor=forged", &platform, None)
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_cursor").await;
    let resp = app
        .call(Method::GET, "/api/v1/users?limit=abc", &platform, None)
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}
