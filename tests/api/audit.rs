use diesel::{Connection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, claims_of, json, spawn_app};

#[tokio::test]
async fn reads_and_changes_leave_audit_records_with_actor_and_request_id() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let admin_id = claims_of(&admin)["sub"].as_str().unwrap().to_owned();
    let resp = app
        .call(
            Method::POST,
            "/api/v1/users",
            &admin,
            Some(&json!({"username": "audited", "password": "a long passphrase", "role": "staff"})),
        )
        .await;
    let created_request = resp
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let user_id = json(resp).await["id"].as_str().unwrap().to_owned();
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/users/{user_id}"),
            &admin,
            None,
        )
        .await;
    let read_request = resp
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    let director = app.token("mopr-director").await;
    let page = json(
        app.call(
            Method::GET,
            &format!("/api/v1/audit-events?resource_id={user_id}"),
            &director,
            None,
        )
        .await,
    )
    .await;
    let events = page["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{page}");
    // Newest first.
    assert_eq!(events[0]["action"], "read");
    assert_eq!(events[0]["request_id"], read_request.as_str());
    assert_eq!(events[1]["action"], "create");
    assert_eq!(events[1]["request_id"], created_request.as_str());
    for e in events {
        assert_eq!(e["actor_id"], admin_id.as_str());
        assert_eq!(e["actor_institution_id"], app.institution_id("MOPR").await);
        assert_eq!(e["resource_type"], "user");
    }
    let by_actor = json(
        app.call(
            Method::GET,
            &format!("/api/v1/audit-events?actor_id={admin_id}&limit=200"),
            &director,
            None,
        )
        .await,
    )
    .await;
    assert!(
        by_actor["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_id"] == admin_id.as_str())
    );
    let future = json(
        app.call(
            Method::GET,
            "/api/v1/audit-events?from=2999-01-01T00:00:00Z",
            &director,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(future["items"].as_array().unwrap().len(), 0);
    // A signed year is no RFC 3339 instant (PostgreSQL failed the query with one before 4713 BC): a 400.
    for bad in [
        "from=-4714-01-01T00:00:00Z",
        "to=%2B262142-01-01T00:00:00Z",
        "from=2026-12-03",
    ] {
        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/audit-events?{bad}"),
                &director,
                None,
            )
            .await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
}

#[tokio::test]
async fn only_mopr_directors_and_platform_admins_read_the_trail() {
    let app = spawn_app().await;
    for user in [
        "mopr-staff",
        "mopr-worker",
        "mopr-admin",
        "cis-director",
        "pcpr-staff",
        "ngo-staff",
    ] {
        let token = app.token(user).await;
        let resp = app
            .call(Method::GET, "/api/v1/audit-events", &token, None)
            .await;
        assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_records() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let id = app.user_id("mopr-staff").await;
    app.call(Method::GET, &format!("/api/v1/users/{id}"), &admin, None)
        .await;
    let mut conn = reintegra::foundation::db::DbConnection::establish(&app.database_url).unwrap();
    let updated =
        diesel::sql_query("UPDATE audit_events SET actor_id = 'someone-else'").execute(&mut conn);
    assert!(updated.is_err(), "update must be refused");
    let deleted = diesel::sql_query("DELETE FROM audit_events").execute(&mut conn);
    assert!(deleted.is_err(), "delete must be refused");
}
