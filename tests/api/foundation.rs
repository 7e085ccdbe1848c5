use reqwest::{Method, StatusCode};

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;
    // The pools open their connections in the background after the start; ready once each has one.
    let started = std::time::Instant::now();
    while app.get("/health/ready").await.status() != 200 {
        assert!(started.elapsed().as_secs() < 10, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for path in ["/health/live", "/health/ready"] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(json(resp).await["status"], "ok");
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_problem_not_plain_text() {
    let app = spawn_app().await;
    for path in ["/nope", "/api/v1/nothing-here", "/api/v2/persons"] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let resp = app
        .request(Method::DELETE, "/health/ready")
        .send()
        .await
        .unwrap();
    let allow = resp
        .headers()
        .get("allow")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert_eq!(allow, "GET, HEAD");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_a_clean_one() {
    let app = spawn_app().await;
    let resp = app.get("/health/live").await;
    assert!(resp.headers().get("x-request-id").is_some());
    let resp = app
        .request(Method::GET, "/health/live")
        .header("x-request-id", "partner-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers().get("x-request-id").unwrap(),
        "partner-trace-42"
    );
    let resp = app
        .request(Method::GET, "/nope")
        .header("x-request-id", "has spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(resp.headers().get("x-request-id").unwrap(), "has spaces");
}

#[tokio::test]
async fn responses_are_not_cached_and_not_sniffed() {
    let app = spawn_app().await;
    let resp = app.get("/health/live").await;
    assert_eq!(resp.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(
        resp.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
}

#[test]
fn startup_fails_fast_with_one_line_when_postgres_is_unreachable() {
    // Port 1 on loopback refuses at once; the error must name the backend and not hang.
    let err = reintegra::foundation::db::connect("postgres://nobody@127.0.0.1:1/none", 1)
        .expect_err("connecting to a closed port fails");
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot connect to the database (PostgreSQL)"),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");
}

#[tokio::test]
async fn bad_bodies_get_the_right_problem_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.token("platform-admin").await;
    let before = institution_count(&app, &token).await;

    let send = |body: Vec<u8>, ctype: &'static str| {
        app.request(Method::POST, "/api/v1/institutions")
            .bearer_auth(&token)
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    assert_problem(
        send(b"{not json".to_vec(), "application/json")
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    assert_problem(
        send(br#"{"kind":"CIS"}"#.to_vec(), "text/plain")
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let huge = format!(
        r#"{{"kind":"CIS","name":"{}","address":"x"}}"#,
        "a".repeat(100_000)
    );
    assert_problem(
        send(huge.into_bytes(), "application/json").await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    let body = assert_problem(
        send(
            br#"{"kind":"CIS","address":"x"}"#.to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "name");
    assert_eq!(body["errors"][0]["code"], "required");
    let body = assert_problem(
        send(
            br#"{"kind":"CIS","name":"x","address":"x","extra":1}"#.to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    assert_problem(
        send(
            br#"{"kind":"SCHOOL","name":"x","address":"x"}"#.to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    assert_eq!(institution_count(&app, &token).await, before);
}

async fn institution_count(app: &crate::helpers::TestApp, token: &str) -> usize {
    let page = json(
        app.call(Method::GET, "/api/v1/institutions", token, None)
            .await,
    )
    .await;
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn cors_is_off_by_default_and_answers_only_the_configured_origins() {
    let preflight = |app: &crate::helpers::TestApp, origin: &str| {
        app.request(reqwest::Method::OPTIONS, "/api/v1/persons")
            .header("origin", origin.to_owned())
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
    };
    let app = crate::helpers::spawn_app().await;
    let resp = preflight(&app, "https://app.example").await.unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let resp = app.get("/health/live").await;
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");

    let app = crate::helpers::spawn_app_with(|c| {
        c.cors_allowed_origins = vec!["https://app.example".into()];
    })
    .await;
    let resp = preflight(&app, "https://app.example").await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let resp = preflight(&app, "https://evil.example").await.unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let resp = app
        .request(reqwest::Method::GET, "/health/live")
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let exposed = resp.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("idempotent-replayed"),
        "{exposed}"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_show_no_ids() {
    let app = crate::helpers::spawn_app().await;
    let person = app
        .create_person(
            "mopr-staff",
            &serde_json::json!({"first_name": "Metryka", "last_name": "Testowa", "birth_date": "1970-01-01", "sex": "female"}),
        )
        .await;
    let id = person["id"].as_str().unwrap();
    app.fetch("mopr-staff", &format!("/api/v1/persons/{id}"))
        .await;
    app.fetch("mopr-staff", &format!("/api/v1/persons/{id}"))
        .await;
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = resp.text().await.unwrap();
    assert!(
        text.contains(r#"reintegra_http_requests_total{method="GET",route="/api/v1/persons/{id}",status="200"} 2"#),
        "{text}"
    );
    assert!(text.contains(
        r#"reintegra_http_requests_total{method="POST",route="/api/v1/persons",status="201"} 1"#
    ));
    assert!(text.contains("reintegra_http_request_duration_seconds_bucket"));
    assert!(text.contains(r#"reintegra_db_pool_connections{state="idle"}"#));
    assert!(text.contains("reintegra_audit_read_records_total"));
    assert!(!text.contains(id), "no record id in a label");
    assert!(!text.contains("Metryka"));
}

/// PostgreSQL's text cannot hold U+0000 (every such request was a 500 there, and SQLite stored it), so it is
/// refused at the edge on both backends: in a JSON body, a query string, a path and the sign-in form.
#[tokio::test]
async fn the_nul_character_is_refused_wherever_a_client_can_send_it() {
    use crate::helpers::application_body;
    use serde_json::json;
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    let zerowy = || json!({"first_name": "Jan", "last_name": "Zerowy", "birth_date": "1980-01-01", "sex": "male"});
    let mut body = zerowy();
    body["first_name"] = json!("Ja\u{0}n");
    let resp = app
        .call(Method::POST, "/api/v1/persons", &token, Some(&body))
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "body");
    assert_eq!(problem["errors"][0]["code"], "nul_character");
    let resp = app
        .call(
            Method::GET,
            "/api/v1/persons?last_name=zerowy",
            &token,
            None,
        )
        .await;
    assert_eq!(json(resp).await["items"], json!([]));
    for path in [
        "/api/v1/persons?last_name=ze%00rowy",
        "/api/v1/persons?pesel=%00",
    ] {
        let resp = app.call(Method::GET, path, &token, None).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
    let resp = app
        .call(Method::GET, "/api/v1/persons/ab%00cd", &token, None)
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;

    // A correction with a NUL changes nothing.
    let person = app.create_person("mopr-staff", &zerowy()).await;
    let path = format!("/api/v1/persons/{}", person["id"].as_str().unwrap());
    app.refused_correction(&path, &token, &json!({"last_name": "Zero\u{0}wy"}))
        .await;

    // The text `\u0000` (an escaped backslash, then `u0000`) is no NUL and is kept as written.
    let cis = app.institution_id("CIS").await;
    let ngo = app.token("ngo-staff").await;
    let theirs = app.create_person("ngo-staff", &zerowy()).await;
    let mut application = application_body(theirs["id"].as_str().unwrap(), &cis, app.today());
    application["justification"] = json!("Plik C:\\u0000 z wnioskiem.");
    let resp = app
        .call(
            Method::POST,
            "/api/v1/referral-applications",
            &ngo,
            Some(&application),
        )
        .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(
        json(resp).await["justification"],
        "Plik C:\\u0000 z wnioskiem."
    );

    // The sign-in form: OAuth's invalid_request, for a user and for a client in the Basic header.
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "mopr\u{0}worker"),
            ("password", "x"),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"], "invalid_request");
    // Any field of it, the right credentials with a NUL in `scope` too (the contract states the rule on each).
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "mopr-worker"),
            ("password", crate::helpers::DEMO_PASSWORD),
            ("scope", "a\u{0}b"),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"], "invalid_request");
    let resp = app
        .request(Method::POST, "/api/v1/auth/token")
        .basic_auth("client\u{0}id", Some("secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"], "invalid_request");
}

#[tokio::test]
async fn a_query_whose_bytes_are_not_utf8_is_a_400_and_polish_letters_pass() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    for path in [
        "/api/v1/persons?last_name=%ff%fe",
        "/api/v1/persons?last_name=Ko%C5",
        "/api/v1/audit-events?person_id=%80",
    ] {
        let resp = app.call(Method::GET, path, &token, None).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
    // Polish letters percent-encoded as UTF-8 are searches like any other.
    for path in [
        "/api/v1/persons?last_name=%C5%BCak",
        "/api/v1/persons?last_name=W%C4%85s",
    ] {
        let resp = app.call(Method::GET, path, &token, None).await;
        assert_eq!(resp.status(), 200, "{path}");
    }
}
