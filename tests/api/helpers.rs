//! The test harness: every test starts its own service on an ephemeral port, on a fresh SQLite file, or on a
//! fresh PostgreSQL database when `TEST_DATABASE_URL` is set (created here and dropped afterwards).

use diesel::{Connection, PgConnection, RunQueryDsl};
use reintegra::Application;
use reintegra::foundation::config::Config;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

pub enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn create() -> (Self, String) {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("reintegra_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn =
                    PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL answers");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create the test database");
                let url = database_url_with_name(&admin_url, &name);
                (TestDb::Postgres { admin_url, name }, url)
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("test.db").to_string_lossy().into_owned();
                (TestDb::Sqlite(dir), url)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// Replaces the database name in a PostgreSQL URL, keeping its query string.
fn database_url_with_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[authority_end..].find('/') {
        Some(i) => &base[..authority_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    pub clock: std::sync::Arc<reintegra::foundation::calendar::Clock>,
    /// Demo users' tokens, signed in once per test: each sign-in costs an argon2 verification.
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The service runs on a thread of its own, stopped and joined when the test ends (see `Drop`).
    server: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    _db: TestDb,
}

/// Stops the service and waits until everything it started has ended, before the database goes: a test process
/// that left each test's threads running ended with hundreds of them, still polling deleted databases while the
/// process exited, and once crashed in its exit.
impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the returned future would only wait for its completion, which the
        // join below does.
        drop(self.server.stop(false));
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
            && !std::thread::panicking()
        {
            panic!("the service's thread panicked");
        }
    }
}

/// Starts the service with demo data.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the service after letting the test adjust its configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (db, url) = TestDb::create();
    let mut config = Config::for_tests(url.clone());
    adjust(&mut config);
    let (started, start) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the service");
        runtime.block_on(async move {
            let app = Application::build(config).expect("the service builds");
            let _ = started.send((app.port(), app.clock(), app.server_handle()));
            app.run_until_stopped().await.expect("the service runs");
        });
    });
    let (port, clock, server) = start.recv().expect("the service starts");
    let address = format!("http://127.0.0.1:{port}");
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        database_url: url,
        clock,
        tokens: Default::default(),
        server,
        thread: Some(thread),
        _db: db,
    }
}

/// Reads a JSON body, failing the test with the raw text when it is not JSON.
pub async fn json(resp: Response) -> Value {
    let text = resp.text().await.expect("body read");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json response with the given status and code, and returns its body.
pub async fn assert_problem(resp: Response, status: StatusCode, code: &str) -> Value {
    let got = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = json(resp).await;
    assert_eq!(got, status, "unexpected status; body: {body}");
    assert_eq!(ctype, "application/problem+json", "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status.as_u16());
    body
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        database_url_with_name("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        database_url_with_name("postgres://u@h/db?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(
        database_url_with_name("postgres://u@h", "x"),
        "postgres://u@h/x"
    );
}

pub const DEMO_PASSWORD: &str = "reintegra-demo";

/// Every demo account: (username, institution key, role).
pub const DEMO_USERS: [(&str, &str, &str); 9] = [
    ("mopr-admin", "MOPR", "admin"),
    ("mopr-director", "MOPR", "director"),
    ("mopr-worker", "MOPR", "social_worker"),
    ("mopr-staff", "MOPR", "staff"),
    ("cis-director", "CIS", "director"),
    ("cis-staff", "CIS", "staff"),
    ("pcpr-staff", "PCPR", "staff"),
    ("ngo-staff", "NGO", "staff"),
    ("platform-admin", "", "platform_admin"),
];

/// The ETag header of a response.
pub fn etag_of(resp: &Response) -> String {
    resp.headers()
        .get("etag")
        .expect("an ETag header")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The claims of a JWT, decoded without verification (for assertions only).
pub fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[allow(dead_code)]
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

/// A valid PESEL for a birth date, a 3-digit serial and sex (the century goes into the month).
pub fn make_pesel(year: i32, month: u32, day: u32, serial: u32, female: bool) -> String {
    let offset = match year / 100 {
        18 => 80,
        19 => 0,
        20 => 20,
        21 => 40,
        22 => 60,
        _ => panic!("no PESEL for {year}"),
    };
    let s = format!(
        "{:02}{:02}{:02}{:03}{}",
        year % 100,
        month + offset,
        day,
        serial % 1000,
        if female { 2 } else { 1 }
    );
    let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = s
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{s}{}", (10 - sum % 10) % 10)
}

/// Today in Europe/Warsaw, as the service judges deadlines.
pub fn today() -> chrono::NaiveDate {
    reintegra::foundation::calendar::today_in_warsaw()
}

/// What a test does with its service: sign in, call, and walk the procedures.
impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .send()
            .await
            .expect("request sent")
    }

    /// Posts a token request form.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> Response {
        self.request(Method::POST, "/api/v1/auth/token")
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    /// Signs in a user and returns the access token, failing the test if that does not work.
    pub async fn login_as(&self, username: &str, password: &str) -> String {
        let resp = self
            .token_request(&[
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
            ])
            .await;
        assert_eq!(resp.status(), 200, "sign-in of {username} failed");
        json(resp).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The token of a demo user, signed in on first use and reused for the rest of the test.
    pub async fn token(&self, username: &str) -> String {
        if let Some(token) = self.tokens.lock().unwrap().get(username) {
            return token.clone();
        }
        let token = self.login_as(username, DEMO_PASSWORD).await;
        self.tokens
            .lock()
            .unwrap()
            .insert(username.to_owned(), token.clone());
        token
    }

    /// A request with a bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.request(method, path).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// A correction of a person at version 1 that must be refused (422) and leave the person at version 1; returns
    /// the person as read afterwards.
    pub async fn refused_correction(&self, path: &str, token: &str, patch: &Value) -> Value {
        let resp = self
            .call_if_match(Method::PATCH, path, token, "\"1\"", Some(patch))
            .await;
        assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let resp = self.call(Method::GET, path, token, None).await;
        assert_eq!(etag_of(&resp), "\"1\"");
        json(resp).await
    }

    /// A state change with `If-Match`.
    pub async fn call_if_match(
        &self,
        method: Method,
        path: &str,
        token: &str,
        version: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self
            .request(method, path)
            .bearer_auth(token)
            .header("if-match", version);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// The id of the demo institution of a kind.
    pub async fn institution_id(&self, kind: &str) -> String {
        let token = self.token("platform-admin").await;
        let resp = self
            .call(
                Method::GET,
                &format!("/api/v1/institutions?kind={kind}"),
                &token,
                None,
            )
            .await;
        assert_eq!(resp.status(), 200);
        json(resp).await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The id of a user, looked up by a platform admin.
    /// An account change by the MOPR's admin (`deactivate`, `activate`, `password` with a body), with `If-Match`
    /// from a fresh read of the account; asserts it succeeded.
    pub async fn change_account(&self, username: &str, action: &str, body: Option<&Value>) {
        let admin = self.token("mopr-admin").await;
        let user = format!("/api/v1/users/{}", self.user_id(username).await);
        let version = etag_of(&self.call(Method::GET, &user, &admin, None).await);
        let path = format!("{user}/{action}");
        let resp = self
            .call_if_match(Method::POST, &path, &admin, &version, body)
            .await;
        assert_eq!(resp.status(), 200, "{path}");
    }

    pub async fn user_id(&self, username: &str) -> String {
        let token = self.token("platform-admin").await;
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/users?limit=200&cursor={c}"),
                None => "/api/v1/users?limit=200".to_owned(),
            };
            let page = json(self.call(Method::GET, &path, &token, None).await).await;
            for u in page["items"].as_array().unwrap() {
                if u["username"] == username {
                    return u["id"].as_str().unwrap().to_owned();
                }
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => panic!("no user {username}"),
            }
        }
    }

    /// Registers a person as the given demo user and returns the created record.
    pub async fn create_person(&self, username: &str, body: &Value) -> Value {
        let token = self.token(username).await;
        let resp = self
            .call(Method::POST, "/api/v1/persons", &token, Some(body))
            .await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 201, "{v}");
        v
    }

    /// Registers a person (as `registrar`) and files an application for them (as `filer`), received `received_on`.
    pub async fn file_application(
        &self,
        registrar: &str,
        filer: &str,
        received_on: chrono::NaiveDate,
    ) -> Value {
        let p = self
            .create_person(
                registrar,
                &serde_json::json!({"first_name": "Jan", "last_name": "Testowy", "birth_date": "1980-01-01", "sex": "male"}),
            )
            .await;
        self.file_application_for(filer, p["id"].as_str().unwrap(), received_on)
            .await
    }

    pub async fn file_application_for(
        &self,
        filer: &str,
        person_id: &str,
        received_on: chrono::NaiveDate,
    ) -> Value {
        let cis = self.institution_id("CIS").await;
        let token = self.token(filer).await;
        let mut body = application_body(person_id, &cis, received_on);
        if filer.starts_with("mopr") {
            body["applicant_kind"] = serde_json::json!("self");
        }
        let resp = self
            .call(
                Method::POST,
                "/api/v1/referral-applications",
                &token,
                Some(&body),
            )
            .await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 201, "{v}");
        v
    }

    /// Issues a positive opinion as the demo social worker.
    pub async fn opine(&self, application: &Value) -> Value {
        let token = self.token("mopr-worker").await;
        let body = serde_json::json!({
            "application_id": application["id"], "family_interview_on": today(),
            "recommendation": "positive", "justification": "Wywiad potwierdza motywację."
        });
        let version = format!("\"{}\"", application["version"]);
        let resp = self
            .call_if_match(
                Method::POST,
                "/api/v1/opinions",
                &token,
                &version,
                Some(&body),
            )
            .await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 201, "{v}");
        v
    }

    /// Refers the person as the demo MOPR director; `version` is the application's current version.
    pub async fn refer(&self, application_id: &str, version: i64) -> Value {
        let token = self.token("mopr-director").await;
        let body = serde_json::json!({"application_id": application_id, "decision": "referred"});
        let resp = self
            .call_if_match(
                Method::POST,
                "/api/v1/referrals",
                &token,
                &format!("\"{version}\""),
                Some(&body),
            )
            .await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 201, "{v}");
        v
    }

    /// All events in a user's institution feed after a cursor; returns (events, next cursor).
    pub async fn feed(&self, username: &str, after: Option<&str>) -> (Vec<Value>, Option<String>) {
        let token = self.token(username).await;
        let path = match after {
            Some(c) => format!("/api/v1/events?after={c}"),
            None => "/api/v1/events".to_owned(),
        };
        let resp = self.call(Method::GET, &path, &token, None).await;
        assert_eq!(resp.status(), 200);
        let body = json(resp).await;
        (
            body["items"].as_array().unwrap().clone(),
            body["next_cursor"].as_str().map(str::to_owned),
        )
    }

    /// The service's "today".
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// A person referred to the demo CIS (NGO applies, MOPR opines and refers); returns the referral.
    pub async fn referred_person(&self) -> Value {
        let application = self
            .file_application("ngo-staff", "ngo-staff", self.today())
            .await;
        let opinion = self.opine(&application).await;
        self.refer(
            application["id"].as_str().unwrap(),
            opinion["application_version"].as_i64().unwrap(),
        )
        .await
    }

    /// The CIS signs an IPZS starting today for `months_planned` months after the trial.
    pub async fn sign_ipzs(&self, referral: &Value, planned_days: u64) -> Value {
        let token = self.token("cis-staff").await;
        let today = self.today();
        let body = serde_json::json!({
            "referral_id": referral["id"], "signed_on": today, "start_on": today,
            "planned_end_on": today + chrono::Days::new(planned_days),
            "diagnosis": "Diagnoza.", "goals": "Cele.",
            "activities": [{"kind": "vocational", "description": "Warsztat"}, {"kind": "social", "description": "Trening"}],
            "participant_informed_of_insurance": true
        });
        let resp = self
            .call(Method::POST, "/api/v1/ipzs", &token, Some(&body))
            .await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 201, "{v}");
        v
    }

    /// GET a record as a user, asserting 200.
    pub async fn fetch(&self, username: &str, path: &str) -> Value {
        let token = self.token(username).await;
        let resp = self.call(Method::GET, path, &token, None).await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 200, "{path}: {v}");
        v
    }

    /// GET a record with a token, asserting 200.
    pub async fn fetch_with(&self, token: &str, path: &str) -> Value {
        let resp = self.call(Method::GET, path, token, None).await;
        let status = resp.status();
        let v = json(resp).await;
        assert_eq!(status, 200, "{path}: {v}");
        v
    }

    /// POST with If-Match as a user, asserting the status; returns the body.
    pub async fn transition(
        &self,
        username: &str,
        path: &str,
        version: i64,
        body: Option<&Value>,
        expect: u16,
    ) -> Value {
        let token = self.token(username).await;
        let resp = self
            .call_if_match(Method::POST, path, &token, &format!("\"{version}\""), body)
            .await;
        let status = resp.status().as_u16();
        let v = json(resp).await;
        assert_eq!(status, expect, "{path}: {v}");
        v
    }

    /// The deadlines of a user's institution of one kind, about one record.
    pub async fn deadline(&self, username: &str, kind: &str, resource_id: &str) -> Value {
        let page = self
            .fetch(
                username,
                &format!("/api/v1/deadlines?kind={kind}&limit=200"),
            )
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["resource_id"] == resource_id)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} deadline for {resource_id} in {page}"))
    }
}

/// A referral application an NGO may file for a registered person.
pub fn application_body(person_id: &str, cis_id: &str, received_on: chrono::NaiveDate) -> Value {
    serde_json::json!({
        "person_id": person_id,
        "target_cis_id": cis_id,
        "eligibility_categories": ["long_term_unemployed"],
        "justification": "Długotrwale bezrobotny, gotów do zajęć.",
        "received_on": received_on,
        "consent": {"given": true, "given_on": received_on, "given_by": "person"}
    })
}

/// A free port on loopback (for a service started as a separate process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the built binary with demo data on `url` and `port`, with extra environment, its log going to `stderr`,
/// and waits until it is ready. For tests that kill the process or read what it logs.
pub async fn start_binary(
    url: &str,
    port: u16,
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_reintegra"))
        .args(["serve", "--demo", "--database-url", url, "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("the binary starts");
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    while http
        .get(format!("http://127.0.0.1:{port}/health/ready"))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the binary did not get ready"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child
}

/// Registers a person (A B, born 1970-01-01) at a service started with [`start_binary`] and returns its record.
pub async fn binary_person(http: &reqwest::Client, base: &str, token: &str) -> Value {
    http.post(format!("{base}/api/v1/persons"))
        .bearer_auth(token)
        .json(&serde_json::json!({"first_name": "A", "last_name": "B", "birth_date": "1970-01-01", "sex": "male"}))
        .send()
        .await
        .expect("person request sent")
        .json()
        .await
        .expect("a person")
}

/// Signs a demo user in at a service started with [`start_binary`] and returns the access token.
pub async fn binary_token(http: &reqwest::Client, base: &str, username: &str) -> String {
    let body: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("token request sent")
        .json()
        .await
        .expect("a token response");
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}
