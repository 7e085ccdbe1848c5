//! API8:2023 Security Misconfiguration: the headers every response carries, errors that reveal nothing, and
//! logs that carry no personal data at any level.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn api8_every_response_carries_the_security_headers_errors_included() {
    let app = spawn_app().await;
    for resp in [
        app.get("/health/live").await,
        app.get("/api/v1/persons").await,
        app.get("/api/v1/nothing-here").await,
    ] {
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h.get("x-request-id").is_some());
        assert!(
            h.get("server")
                .is_none_or(|s| !s.to_str().unwrap_or("").contains('/')),
            "no version banner"
        );
    }
}

/// Runs the binary at `RUST_LOG=trace` through the flows that carry personal data (registration, a search by
/// PESEL, reads, a correction, a refused request echoing the PESEL, values of the wrong type) and reads every
/// line it logged: no PESEL, no name, no birth date appears at any level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api8_no_pesel_or_name_reaches_a_log_line_at_any_level() {
    use std::process::Stdio;

    let (_db, url) = crate::helpers::TestDb::create();
    let port = crate::helpers::free_port();
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("service.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child =
        crate::helpers::start_binary(&url, port, &[("RUST_LOG", "trace")], Stdio::from(log)).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let token = crate::helpers::binary_token(&http, &base, "mopr-staff").await;
    let pesel = crate::helpers::make_pesel(1961, 7, 23, 417, true);
    let (first, last) = ("Bogumiła", "Przybyszewska");
    let created = http
        .post(format!("{base}/api/v1/persons"))
        .bearer_auth(&token)
        .json(&json!({"pesel": pesel, "first_name": first, "last_name": last, "birth_date": "1961-07-23", "sex": "female",
            "residence_address": {"street": "ul. Szeroka", "building": "17", "postal_code": "87-100", "city": "Toruń"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/persons?pesel={pesel}"),
        format!("/api/v1/persons?last_name={last}"),
        format!("/api/v1/persons/{id}"),
    ] {
        let resp = http
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    // A duplicate PESEL (409) and a malformed one (422) are refused with the value in the request.
    let dup = http
        .post(format!("{base}/api/v1/persons"))
        .bearer_auth(&token)
        .json(&json!({"pesel": pesel, "first_name": first, "last_name": last, "birth_date": "1961-07-23", "sex": "female"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let bad = http
        .post(format!("{base}/api/v1/persons"))
        .bearer_auth(&token)
        .json(&json!({"pesel": format!("{}9", &pesel[..10]), "first_name": first, "last_name": last, "birth_date": "1961-07-23", "sex": "female"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad_json = http
        .post(format!("{base}/api/v1/persons"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!(
            "{{\"pesel\": \"{pesel}\", \"first_name\": \"{first}\""
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_json.status(), 400);
    // Values of the wrong type: the PESEL as a number, the surname where an enum goes. The 422 names the field and
    // neither the answer nor any log line repeats the value.
    for (body, field) in [
        (
            json!({"pesel": pesel.parse::<u64>().unwrap(), "first_name": first, "last_name": last, "birth_date": "1961-07-23", "sex": "female"}),
            "pesel",
        ),
        (
            json!({"first_name": first, "last_name": last, "birth_date": "1961-07-23", "sex": last}),
            "sex",
        ),
    ] {
        let resp = http
            .post(format!("{base}/api/v1/persons"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422);
        let text = resp.text().await.unwrap();
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{text}");
        assert!(
            !text.contains(&pesel[..6]) && !text.contains(last),
            "{text}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logged.lines().count() > 10,
        "the service logged at trace level"
    );
    for secret in [
        pesel.as_str(),
        &pesel[..6],
        first,
        last,
        "Przybyszewsk",
        "1961-07-23",
        "Szeroka",
    ] {
        let hits: Vec<&str> = logged
            .lines()
            .filter(|l| l.contains(secret))
            .take(3)
            .collect();
        assert!(hits.is_empty(), "{secret:?} logged: {hits:#?}");
    }
}
