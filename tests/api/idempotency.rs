//! `Idempotency-Key` on POST: a retry never files twice.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json, spawn_app};

async fn post_with_key(
    app: &TestApp,
    user: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    let token = app.token(user).await;
    app.request(Method::POST, path)
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn person(last: &str) -> Value {
    json!({"first_name": "Jan", "last_name": last, "birth_date": "1970-01-01", "sex": "male"})
}

async fn count_named(app: &TestApp, last: &str) -> usize {
    let page = app
        .fetch("mopr-staff", &format!("/api/v1/persons?last_name={last}"))
        .await;
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_first_answer_and_files_once() {
    let app = spawn_app().await;
    let key = "\"5b0a7c1e-0d3c-4a51-9a7e-1f2d3c4b5a69\"";
    let first = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        key,
        &person("Ponowny"),
    )
    .await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let first = json(first).await;
    let again = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        key,
        &person("Ponowny"),
    )
    .await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"].to_str().unwrap(), location);
    assert_eq!(json(again).await, first);
    assert_eq!(count_named(&app, "Ponowny").await, 1);

    // The same key for another request is refused and changes nothing.
    let resp = post_with_key(&app, "mopr-staff", "/api/v1/persons", key, &person("Inny")).await;
    assert_problem(
        resp,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(count_named(&app, "Inny").await, 0);
    // Keys are per caller: another account's same key is a request of its own.
    let resp = post_with_key(
        &app,
        "mopr-worker",
        "/api/v1/persons",
        key,
        &person("Ponowny"),
    )
    .await;
    assert_eq!(resp.status(), 201);
    assert!(resp.headers().get("idempotent-replayed").is_none());
    assert_eq!(count_named(&app, "Ponowny").await, 2);
    // A bare key works too; a malformed one is 400.
    let resp = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        "bare-key-1",
        &person("Goly"),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let resp = post_with_key(&app, "mopr-staff", "/api/v1/persons", "a b", &person("Zly")).await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
    assert_eq!(count_named(&app, "Zly").await, 0);
}

#[tokio::test]
async fn a_replayed_transition_answers_as_the_first_even_though_the_version_moved() {
    let app = spawn_app().await;
    let application = app
        .file_application("ngo-staff", "ngo-staff", app.today())
        .await;
    let path = format!(
        "/api/v1/referral-applications/{}/withdraw",
        application["id"].as_str().unwrap()
    );
    let token = app.token("ngo-staff").await;
    let send = || {
        app.request(Method::POST, &path)
            .bearer_auth(&token)
            .header("if-match", format!("\"{}\"", application["version"]))
            .header("idempotency-key", "withdraw-once")
            .send()
    };
    let first = send().await.unwrap();
    let status = first.status();
    let first = json(first).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "withdrawn");
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json(again).await, first);
    // Without the key the stale version is what it is: 412.
    let resp = app
        .call_if_match(
            Method::POST,
            &path,
            &token,
            &format!("\"{}\"", application["version"]),
            None,
        )
        .await;
    assert_eq!(resp.status(), 412);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_file_once() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    let mut handles = Vec::new();
    for _ in 0..6 {
        let req = app
            .request(Method::POST, "/api/v1/persons")
            .bearer_auth(&token)
            .header("idempotency-key", "\"rownolegly\"")
            .json(&person("Rownolegly"));
        handles.push(tokio::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&201), "{statuses:?}");
    assert_eq!(count_named(&app, "Rownolegly").await, 1);
}

#[tokio::test]
async fn a_deactivated_accounts_token_cannot_replay_a_stored_answer() {
    let app = spawn_app().await;
    let token = app.token("mopr-worker").await;
    let send = |key: &'static str| {
        app.request(Method::POST, "/api/v1/persons")
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&person("Zamkniety"))
            .send()
    };
    let first = send("\"replay-after-deactivation\"").await.unwrap();
    assert_eq!(first.status(), 201);

    app.change_account("mopr-worker", "deactivate", None).await;

    // The stored answer carries the person's data: the replay must be refused like a fresh request.
    let again = send("\"replay-after-deactivation\"").await.unwrap();
    assert!(again.headers().get("idempotent-replayed").is_none());
    let body = assert_problem(again, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(body.get("id").is_none());
    // Nor can it reserve a new key.
    let fresh = send("\"a-new-key-after-deactivation\"").await.unwrap();
    assert_problem(fresh, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(count_named(&app, "Zamkniety").await, 1);
}

/// A reservation left by an attempt that died with its node (as after kill -9: the key reserved, no answer stored)
/// holds its key only for the lease: a retry of the same request within it is told to wait, after it runs and
/// files once.
#[tokio::test]
async fn a_reservation_whose_attempt_died_is_taken_over_after_its_lease() {
    use diesel::{ExpressionMethods, RunQueryDsl};
    use reintegra::foundation::db::{self, schema::idempotency_keys};
    use reintegra::records::idempotency::model::{LEASE_SECONDS, fingerprint};

    let app = spawn_app().await;
    let caller = app.user_id("mopr-staff").await;
    let pool = db::connect(&app.database_url, 1).unwrap();
    let reserve = |key: &str, last: &str, age: i64| {
        let print = fingerprint(
            "POST",
            "/api/v1/persons",
            &serde_json::to_vec(&person(last)).unwrap(),
        );
        // Stored as parsed: the Structured Field string without its quotes.
        let (caller, key) = (caller.clone(), key.trim_matches('"').to_owned());
        let mut conn = pool.get().unwrap();
        db::write_tx(&mut conn, move |c| {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::caller_id.eq(caller),
                    idempotency_keys::idem_key.eq(key),
                    idempotency_keys::fingerprint.eq(print),
                    idempotency_keys::completed.eq(false),
                    idempotency_keys::created_at.eq(db::now() - chrono::TimeDelta::seconds(age)),
                ))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    };

    // Within the lease the first attempt may still be running.
    reserve("\"fresh-reservation\"", "Swiezy", 1);
    let resp = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        "\"fresh-reservation\"",
        &person("Swiezy"),
    )
    .await;
    assert_problem(
        resp,
        StatusCode::CONFLICT,
        "idempotency_request_in_progress",
    )
    .await;
    assert_eq!(count_named(&app, "Swiezy").await, 0);

    // Past it, the attempt is dead: the retry runs, and its answer is the key's from then on.
    reserve("\"dead-reservation\"", "Porzucony", LEASE_SECONDS + 5);
    let resp = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        "\"dead-reservation\"",
        &person("Porzucony"),
    )
    .await;
    assert_eq!(resp.status(), 201);
    assert!(resp.headers().get("idempotent-replayed").is_none());
    let again = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        "\"dead-reservation\"",
        &person("Porzucony"),
    )
    .await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(count_named(&app, "Porzucony").await, 1);

    // A different request under a dead reservation's key is still a reused key.
    reserve("\"dead-other\"", "Pierwszy", LEASE_SECONDS + 5);
    let resp = post_with_key(
        &app,
        "mopr-staff",
        "/api/v1/persons",
        "\"dead-other\"",
        &person("Drugi"),
    )
    .await;
    assert_problem(
        resp,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
}
