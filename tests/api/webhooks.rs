//! Webhooks: registration, signed deliveries from the feed, retries with every attempt visible, SSRF refusals,
//! who may manage them, and deliveries that survive a killed process.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use hmac::{Hmac, Mac};
use reintegra::foundation::config::WebhookSettings as Settings;
use reintegra::records::webhooks::model::TargetPolicy;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, assert_problem, etag_of, json, spawn_app_with, today};

/// One request an endpoint received.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// A partner's endpoint: records what it receives and answers with the queued statuses, then 200.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<Received>>>,
    pub answers: Arc<Mutex<VecDeque<u16>>>,
    /// Sent as `Location` with every answer.
    pub location: Arc<Mutex<Option<String>>>,
}

async fn receive(req: HttpRequest, body: String, r: web::Data<Receiver>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    r.got.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let status = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    let mut answer = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(to) = r.location.lock().unwrap().clone() {
        answer.insert_header(("location", to));
    }
    answer.finish()
}

impl Receiver {
    /// Starts listening on `port` (0: any) and returns its URL.
    pub fn start(&self, port: u16) -> String {
        let data = web::Data::new(self.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", port))
        .expect("the receiver binds");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        format!("http://127.0.0.1:{port}/hooks/reintegra")
    }

    pub fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        while self.count() < n {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{n} deliveries expected, {} arrived",
                self.count()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.got.lock().unwrap().clone()
    }
}

/// Fast retries and polling, local targets allowed.
pub fn quick(retries: usize) -> Settings {
    Settings {
        targets: TargetPolicy::AllowPrivate,
        retry_schedule: vec![Duration::from_millis(100); retries],
        poll_interval: Duration::from_millis(30),
        timeout: Duration::from_secs(2),
    }
}

pub async fn register(app: &TestApp, admin: &str, url: &str, types: &[&str]) -> Value {
    let token = app.token(admin).await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/webhooks",
            &token,
            Some(&json!({"url": url, "event_types": types, "description": "test endpoint"})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    json(resp).await
}

/// Verifies a delivery's signature the way a receiver would, independently of the service's code.
fn verify(secret: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", r.id, r.timestamp, r.body).as_bytes());
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    r.signature.split(' ').any(|s| s == expected)
}

pub async fn deliveries(app: &TestApp, hook: &str, query: &str) -> Vec<Value> {
    let token = app.token("mopr-admin").await;
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/webhooks/{hook}/deliveries{query}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    json(resp).await["items"].as_array().unwrap().clone()
}

pub async fn wait_for_status(app: &TestApp, hook: &str, status: &str) -> Value {
    let started = Instant::now();
    loop {
        let items = deliveries(app, hook, "").await;
        if let Some(d) = items.iter().find(|d| d["status"] == status) {
            return d.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no {status} delivery: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn an_endpoint_receives_signed_deliveries_of_its_event_types_only() {
    let app = spawn_app_with(|c| c.webhooks = quick(2)).await;
    let receiver = Receiver::default();
    let url = receiver.start(0);
    let other = Receiver::default();
    let other_url = other.start(0);
    let hook = register(&app, "mopr-admin", &url, &["application.submitted"]).await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{hook}");
    assert_eq!(hook["active"], true);
    register(&app, "mopr-admin", &other_url, &["application.withdrawn"]).await;

    let application = app
        .file_application("ngo-staff", "ngo-staff", today())
        .await;
    let got = receiver.wait_for(1).await;
    let delivery = &got[0];
    assert!(
        verify(&secret, delivery),
        "signature does not verify: {delivery:?}"
    );
    let ts: i64 = delivery.timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    let body: Value = serde_json::from_str(&delivery.body).unwrap();
    assert_eq!(body["type"], "application.submitted");
    assert_eq!(body["data"]["resource_type"], "referral_application");
    assert_eq!(body["data"]["resource_id"], application["id"]);
    assert_eq!(
        body["data"]["link"],
        format!(
            "/api/v1/referral-applications/{}",
            application["id"].as_str().unwrap()
        )
    );
    // The payload names the record, never its content.
    assert!(!delivery.body.contains("Testowy"), "{}", delivery.body);

    // webhook-id is the event's id in the institution's feed, and the cursor resumes the feed after it.
    let (events, _) = app.feed("mopr-director", None).await;
    let event = events
        .iter()
        .find(|e| e["resource_id"] == application["id"])
        .unwrap();
    assert_eq!(delivery.id, event["id"].as_str().unwrap());
    assert_eq!(body["data"]["cursor"], event["cursor"]);

    // A tampered body does not verify.
    let mut forged = delivery.clone();
    forged.body = forged.body.replace("submitted", "withdrawn");
    assert!(!verify(&secret, &forged));

    // The other endpoint subscribed to withdrawals only: nothing for it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(other.count(), 0);
    assert_eq!(receiver.count(), 1, "delivered once");

    let hook_id = hook["id"].as_str().unwrap();
    let seen = deliveries(&app, hook_id, "").await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["status"], "succeeded");
    assert_eq!(seen[0]["event_id"], event["id"]);
    assert_eq!(seen[0]["attempts"][0]["status_code"], 200);
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_then_fails_and_can_be_sent_again() {
    let app = spawn_app_with(|c| c.webhooks = quick(2)).await;
    let receiver = Receiver::default();
    receiver.answers.lock().unwrap().extend([500, 503, 502]);
    let url = receiver.start(0);
    let hook = register(&app, "mopr-admin", &url, &["application.submitted"]).await;
    let hook_id = hook["id"].as_str().unwrap();
    app.file_application("ngo-staff", "ngo-staff", today())
        .await;

    // Three attempts (the first and two retries), then the delivery has failed.
    let failed = wait_for_status(&app, hook_id, "failed").await;
    let codes: Vec<i64> = failed["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 503, 502]);
    assert!(
        failed["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    let got = receiver.wait_for(3).await;
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "one webhook-id for every attempt"
    );
    assert_eq!(deliveries(&app, hook_id, "?status=failed").await.len(), 1);
    assert_eq!(deliveries(&app, hook_id, "?status=pending").await.len(), 0);

    // Sent again on request: the endpoint now answers 200.
    let token = app.token("mopr-admin").await;
    let retry = format!(
        "/api/v1/webhooks/{hook_id}/deliveries/{}/retry",
        failed["id"].as_str().unwrap()
    );
    let resp = app.call(Method::POST, &retry, &token, None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["status"], "pending");
    let done = wait_for_status(&app, hook_id, "succeeded").await;
    assert_eq!(done["attempts"].as_array().unwrap().len(), 4);
    // A delivery that is not failed is not sent again.
    assert_problem(
        app.call(Method::POST, &retry, &token, None).await,
        StatusCode::CONFLICT,
        "not_failed",
    )
    .await;
}

#[tokio::test]
async fn a_deactivated_endpoint_receives_nothing_more() {
    let app = spawn_app_with(|c| c.webhooks = quick(1)).await;
    let receiver = Receiver::default();
    let url = receiver.start(0);
    let hook = register(&app, "mopr-admin", &url, &["application.submitted"]).await;
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    let token = app.token("mopr-admin").await;
    let resp = app.call(Method::GET, &path, &token, None).await;
    let etag = etag_of(&resp);
    assert!(
        json(resp).await.get("secret").is_none(),
        "the secret is shown once"
    );
    let resp = app
        .call(Method::POST, &format!("{path}/deactivate"), &token, None)
        .await;
    assert_eq!(resp.status(), 428);
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("{path}/deactivate"),
            &token,
            &etag,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["active"], false);
    app.file_application("ngo-staff", "ngo-staff", today())
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn only_an_institutions_admin_manages_its_own_endpoints() {
    let app = spawn_app_with(|c| c.webhooks = quick(1)).await;
    let hook = register(
        &app,
        "mopr-admin",
        "http://127.0.0.1:9/hook",
        &["opinion.issued"],
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    let body = json!({"url": "http://127.0.0.1:9/x", "event_types": ["opinion.issued"]});
    for user in [
        "mopr-director",
        "mopr-worker",
        "mopr-staff",
        "cis-director",
        "cis-staff",
        "pcpr-staff",
        "ngo-staff",
        "platform-admin",
    ] {
        let token = app.token(user).await;
        for (method, path, body) in [
            (Method::POST, "/api/v1/webhooks".to_owned(), Some(&body)),
            (Method::GET, "/api/v1/webhooks".to_owned(), None),
            (Method::GET, format!("/api/v1/webhooks/{id}"), None),
            (
                Method::GET,
                format!("/api/v1/webhooks/{id}/deliveries"),
                None,
            ),
        ] {
            let resp = app.call(method.clone(), &path, &token, body).await;
            assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
        }
    }
    // Another institution's admin does not learn the endpoint exists.
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
    for (method, path) in [
        (Method::GET, format!("/api/v1/webhooks/{id}")),
        (Method::GET, format!("/api/v1/webhooks/{id}/deliveries")),
        (
            Method::POST,
            format!("/api/v1/webhooks/{id}/deliveries/{id}/retry"),
        ),
    ] {
        let resp = app.call(method, &path, &cis_admin, None).await;
        assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    }
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/webhooks/{id}/deactivate"),
            &cis_admin,
            "\"1\"",
            None,
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    let list = json(
        app.call(Method::GET, "/api/v1/webhooks", &cis_admin, None)
            .await,
    )
    .await;
    assert_eq!(list["items"], json!([]));
}

/// Starts the binary on `url`; its webhooks may target loopback.
async fn start_binary(url: &str, port: u16) -> std::process::Child {
    crate::helpers::start_binary(
        url,
        port,
        &[
            (
                "REINTEGRA_JWT_SECRET",
                "webhook-restart-test-secret-of-32-bytes!",
            ),
            ("REINTEGRA_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
        ],
        std::process::Stdio::null(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_delivery_survives_a_killed_process_and_is_delivered_after_restart() {
    let (_db, url) = crate::helpers::TestDb::create();
    let (port, hook_port) = (crate::helpers::free_port(), crate::helpers::free_port());
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut child = start_binary(&url, port).await;
    let admin = crate::helpers::binary_token(&http, &base, "mopr-admin").await;
    // Nothing listens on the endpoint's port yet: the first attempt fails and a retry is scheduled 5 s later.
    let resp = http
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": format!("http://127.0.0.1:{hook_port}/hook"), "event_types": ["person.registered", "application.submitted"]}))
        .send()
        .await
        .unwrap();
    // An unknown type is refused; register with a valid one.
    assert_eq!(resp.status(), 422);
    let resp = http
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": format!("http://127.0.0.1:{hook_port}/hook"), "event_types": ["application.submitted"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let hook: Value = resp.json().await.unwrap();
    let ngo = crate::helpers::binary_token(&http, &base, "ngo-staff").await;
    let person = crate::helpers::binary_person(&http, &base, &ngo).await;
    let cis = {
        let t = crate::helpers::binary_token(&http, &base, "platform-admin").await;
        let list: Value = http
            .get(format!("{base}/api/v1/institutions?kind=CIS"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["items"][0]["id"].as_str().unwrap().to_owned()
    };
    let resp = http
        .post(format!("{base}/api/v1/referral-applications"))
        .bearer_auth(&ngo)
        .json(&crate::helpers::application_body(
            person["id"].as_str().unwrap(),
            &cis,
            today(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());

    // Wait for the failed first attempt to be recorded, then kill the process.
    let path = format!(
        "{base}/api/v1/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap()
    );
    let started = Instant::now();
    loop {
        let page: Value = http
            .get(&path)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page["items"][0]["attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            assert_eq!(page["items"][0]["status"], "pending");
            assert!(page["items"][0]["attempts"][0]["status_code"].is_null());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // The endpoint comes up, the service restarts: the retry is made from the database.
    let receiver = Receiver::default();
    receiver.start(hook_port);
    let mut child = start_binary(&url, port).await;
    let got = receiver.wait_for(1).await;
    assert!(verify(hook["secret"].as_str().unwrap(), &got[0]));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.count(), 1, "delivered once");
    child.kill().unwrap();
    child.wait().unwrap();
}
