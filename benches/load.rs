//! The load benchmark: the release binary under 64 concurrent connections, driven by `wrk`, side by side with a
//! constant-JSON actix-web endpoint and (for PostgreSQL) `pgbench -S`, all measured in the same run.
//!
//! Run: `cargo bench --bench load`. It needs `wrk` (installed with apt-get when missing and running as root) and,
//! for the PostgreSQL half, a server at `LOAD_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable`, where it creates and drops its own databases;
//! `LOAD_DATABASE_URL=none` skips it). The service and `pgbench` both connect with that URL's parameters: on
//! loopback, TLS (libpq's default `sslmode=prefer`) cost both about a fifth of their throughput. `LOAD_PERSONS=10000,1000000`
//! chooses the registry sizes (default 10,000), `LOAD_SECONDS` the length of each run (default 10), `LOAD_BACKENDS`
//! the backends (default `sqlite,postgres`).
//!
//! For each backend and size it seeds the registry, files applications and signs programmes through the API,
//! restarts the service on the existing database (timing how long until `/health/ready` answers), measures the
//! baselines again (the machine's speed drifts within a run, so each half's ratios are to the baselines of its own
//! moment), then runs each hot endpoint for `LOAD_SECONDS` with 64 connections, and reads and writes together
//! (48 + 16 connections), and prints req/s, p50, p99 and errors, and the service's RSS.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

#[path = "common.rs"]
mod common;

const CONNECTIONS: u32 = 64;
const THREADS: u32 = 2;

struct Service {
    child: Child,
    base: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `reintegra serve --demo` on `url`; returns it with the time until `/health/ready` answered 200.
fn start(url: &str) -> (Service, Duration) {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_reintegra"))
        .args(["serve", "--demo", "--database-url", url, "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        // 64 connections of one caller are the load being measured, not abuse: no per-caller rate limits.
        .env("REINTEGRA_RATE_LIMIT_WRITES", "0")
        .env("REINTEGRA_RATE_LIMIT_TOKEN", "0")
        .env(
            "REINTEGRA_JWT_SECRET",
            "load-benchmark-secret-of-at-least-32-bytes",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the service starts");
    let base = format!("http://127.0.0.1:{port}");
    let service = Service { child, base };
    loop {
        if let Ok(out) = Command::new("curl")
            .args(["-fs", "-o", "/dev/null"])
            .arg(format!("{}/health/ready", service.base))
            .status()
            && out.success()
        {
            return (service, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the service did not get ready"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The service's resident memory now and at its peak, in MiB.
fn rss(service: &Service) -> (f64, f64) {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", service.child.id())).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Client {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(base: &str) -> Self {
        Client {
            rt: tokio::runtime::Runtime::new().unwrap(),
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    fn token(&self, user: &str) -> String {
        self.rt.block_on(async {
            let resp = self
                .http
                .post(format!("{}/api/v1/auth/token", self.base))
                .form(&[
                    ("grant_type", "password"),
                    ("username", user),
                    ("password", "reintegra-demo"),
                ])
                .send()
                .await
                .unwrap();
            resp.json::<Value>().await.unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        })
    }

    fn post(&self, token: &str, path: &str, if_match: Option<i64>, body: &Value) -> Value {
        self.rt.block_on(async {
            let mut req = self
                .http
                .post(format!("{}{path}", self.base))
                .bearer_auth(token)
                .json(body);
            if let Some(v) = if_match {
                req = req.header("If-Match", format!("\"{v}\""));
            }
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let v: Value = resp.json().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {v}");
            v
        })
    }

    fn get(&self, token: &str, path: &str) -> Value {
        self.rt.block_on(async {
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }
}

fn today() -> String {
    reintegra::foundation::calendar::today_in_warsaw().to_string()
}

/// Seeds `persons` persons registered by MOPR (returns some of their ids), files `applications` applications
/// through the API, and takes `programmes` of them to a signed IPZS.
fn seed(url: &str, persons: usize) -> Vec<String> {
    // Migrations and the demo institutions come from the first start.
    let (service, _) = start(url);
    let pool = reintegra::foundation::db::connect(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    use reintegra::foundation::db::schema::institutions;
    let mopr: String = institutions::table
        .filter(institutions::kind.eq(reintegra::identity::InstitutionKind::Mopr))
        .select(institutions::id)
        .first(&mut *conn)
        .unwrap();
    let samples = common::seed(&mut conn, persons, &mopr);
    let c = Client::new(&service.base);
    let staff = c.token("mopr-staff");
    let worker = c.token("mopr-worker");
    let director = c.token("mopr-director");
    let cis = c.token("cis-staff");
    let cis_id = c.get(&staff, "/api/v1/institutions?kind=CIS")["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (i, (person, _, _)) in samples.iter().take(100).enumerate() {
        let app = c.post(
            &staff,
            "/api/v1/referral-applications",
            None,
            &json!({"person_id": person, "target_cis_id": cis_id, "applicant_kind": "self",
                "eligibility_categories": ["long_term_unemployed"], "justification": "Seed.",
                "received_on": today(), "consent": {"given": true, "given_on": today(), "given_by": "person"}}),
        );
        if i % 2 == 1 {
            continue;
        }
        let opinion = c.post(
            &worker,
            "/api/v1/opinions",
            Some(app["version"].as_i64().unwrap()),
            &json!({"application_id": app["id"], "family_interview_on": today(),
                "recommendation": "positive", "justification": "Seed."}),
        );
        let referral = c.post(
            &director,
            "/api/v1/referrals",
            opinion["application_version"].as_i64(),
            &json!({"application_id": app["id"], "decision": "referred"}),
        );
        let start = reintegra::foundation::calendar::today_in_warsaw();
        c.post(
            &cis,
            "/api/v1/ipzs",
            None,
            &json!({"referral_id": referral["id"], "signed_on": start, "start_on": start,
                "planned_end_on": start + chrono::Days::new(180), "diagnosis": "Seed.", "goals": "Seed.",
                "activities": [{"kind": "social", "description": "Seed"}], "participant_informed_of_insurance": true}),
        );
    }
    // A bulk load leaves PostgreSQL's autovacuum, analyze and checkpoint to do soon after, on the same two cores;
    // done here, before the service starts, so that they are not measured as part of the first runs.
    if url.starts_with("postgres") {
        use diesel::connection::SimpleConnection;
        for sql in ["VACUUM ANALYZE", "CHECKPOINT"] {
            conn.batch_execute(sql).unwrap();
        }
    }
    drop(service);
    samples.into_iter().map(|(id, _, _)| id).collect()
}

/// What wrk measured.
struct Run {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

fn millis(s: &str) -> f64 {
    let (num, unit) = s.split_at(s.find(|c: char| c.is_alphabetic()).unwrap_or(s.len()));
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

fn parse_wrk(out: &str) -> Run {
    let mut run = Run {
        rps: 0.0,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        errors: 0,
    };
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => run.rps = v.parse().unwrap_or(0.0),
            ["50%", v] => run.p50_ms = millis(v),
            ["99%", v] => run.p99_ms = millis(v),
            ["Non-2xx", "or", "3xx", "responses:", n] => {
                run.errors += n.parse::<u64>().unwrap_or(0)
            }
            ["Socket", "errors:", rest @ ..] => {
                run.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>()
            }
            _ => {}
        }
    }
    run
}

/// One wrk run of a Lua script against `base` for `seconds`, with all the connections.
fn wrk(base: &str, script: &Path, seconds: u64, env: &[(&str, &str)]) -> Run {
    wrk_with(base, script, seconds, env, CONNECTIONS, THREADS)
}

/// One wrk run with `connections` connections on `threads` threads.
fn wrk_with(
    base: &str,
    script: &Path,
    seconds: u64,
    env: &[(&str, &str)],
    connections: u32,
    threads: u32,
) -> Run {
    let out = Command::new("wrk")
        .args(["-t", &threads.to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--latency", "-s"])
        .arg(script)
        .arg(base)
        .envs(env.iter().copied())
        .output()
        .expect("wrk runs");
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

/// Reads the persons of the ids file in turn.
const GET_PERSON_LUA: &str =
    "request = function() return wrk.format(\"GET\", \"/api/v1/persons/\" .. next_id()) end\n";

const LUA_COMMON: &str = r#"
local ids = {}
local file = os.getenv("IDS_FILE")
if file then for line in io.lines(file) do ids[#ids + 1] = line end end
local counter = 0
local thread_no = 0
local threads = 1
setup = function(thread)
  thread:set("thread_no", _G.next_thread or 0)
  _G.next_thread = (_G.next_thread or 0) + 1
end
init = function(args)
  thread_no = tonumber(wrk.thread:get("thread_no")) or 0
  threads = tonumber(os.getenv("THREADS") or "1")
end
-- Each thread walks its own share of the ids, so no two requests use the same one.
local function next_id()
  local id = ids[(thread_no + counter * threads) % #ids + 1]
  counter = counter + 1
  return id
end
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
wrk.headers["Content-Type"] = "application/json"
"#;

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.lua"));
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(LUA_COMMON.as_bytes()).unwrap();
    f.write_all(body.as_bytes()).unwrap();
    path
}

fn ids_file(dir: &Path, name: &str, ids: &[String]) -> PathBuf {
    let path = dir.join(format!("{name}.ids"));
    std::fs::write(&path, ids.join("\n")).unwrap();
    path
}

/// A constant, person-sized JSON from actix-web: the framework's ceiling on this machine, in the same run. Started
/// once; each half of the run measures it again just before its own rows ([`References`]).
fn start_baseline() -> String {
    let port = free_port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let body = json!({"id": "01a20faa-414f-77aa-b201-9e39f1650fff", "first_name": "Jan",
                "last_name": "Kowalski", "pesel": "44051401458", "birth_date": "1944-05-14", "sex": "male",
                "residence_address": {"street": "ul. Szeroka", "building": "12", "flat": "4",
                    "postal_code": "87-100", "city": "Toruń"}, "stay_address": null, "phone": null, "email": null,
                "registered_by_institution_id": "01a20faa-3bf8-7193-a255-1a31733e8821",
                "created_at": "2026-11-24T21:00:00Z", "updated_at": "2026-11-24T21:00:00Z", "version": 1})
            .to_string();
            let server = actix_web::HttpServer::new(move || {
                let body = body.clone();
                actix_web::App::new().route(
                    "/constant",
                    actix_web::web::get().to(move || {
                        let body = body.clone();
                        async move {
                            actix_web::HttpResponse::Ok()
                                .content_type("application/json")
                                .body(body)
                        }
                    }),
                )
            })
            .workers(2)
            .bind(("127.0.0.1", port))
            .unwrap()
            .run();
            tx.send(()).unwrap();
            server.await.unwrap();
        });
    });
    rx.recv().unwrap();
    format!("http://127.0.0.1:{port}")
}

/// The baselines as measured just before one half's rows: this machine's speed drifts by a third and more within
/// one run, so each half's ratios are taken against its own.
struct References {
    constant: Run,
    pgbench: Option<Run>,
}

/// Measures the constant-JSON endpoint at `base` and, when `pgbench` is given, `pgbench -S`.
fn measure_references(
    dir: &Path,
    base: &str,
    pgbench: Option<&PgBench>,
    seconds: u64,
) -> References {
    let s = script(
        dir,
        "constant",
        "request = function() return wrk.format(\"GET\", \"/constant\") end\n",
    );
    References {
        constant: wrk(base, &s, seconds, &[]),
        pgbench: pgbench.and_then(|b| b.measure(seconds)),
    }
}

/// `pgbench -S` (select-only) with 64 clients against a scratch database on the same server.
/// `url` with its database replaced by `db`, its parameters (`?sslmode=…`) kept.
fn on_database(url: &str, db: &str) -> Option<String> {
    let (address, params) = url.split_once('?').unwrap_or((url, ""));
    let (server, _) = address.rsplit_once('/')?;
    Some(match params {
        "" => format!("{server}/{db}"),
        p => format!("{server}/{db}?{p}"),
    })
}

/// `pgbench`'s scratch database (scale 10), set up once for the whole run and dropped at its end: dropping a
/// database makes PostgreSQL checkpoint, and a checkpoint of the freshly loaded tables between two halves stalled the
/// rows measured after it.
struct PgBench {
    admin_url: String,
    url: String,
}

const PGBENCH_DB: &str = "reintegra_load_pgbench";

impl PgBench {
    fn psql(admin_url: &str, sql: &str) -> bool {
        Command::new("psql")
            .args([admin_url, "-q", "-c", sql])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn setup(admin_url: &str) -> Option<Self> {
        let url = on_database(admin_url, PGBENCH_DB)?;
        Self::psql(admin_url, &format!("DROP DATABASE IF EXISTS {PGBENCH_DB}"));
        if !Self::psql(admin_url, &format!("CREATE DATABASE {PGBENCH_DB}")) {
            return None;
        }
        let bench = PgBench {
            admin_url: admin_url.to_owned(),
            url,
        };
        let loaded = Command::new("pgbench")
            .args(["-i", "-q", "-s", "10", &bench.url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        // The load's dirty pages are written now, not during a later measurement.
        (loaded && Self::psql(admin_url, "CHECKPOINT")).then_some(bench)
    }

    /// `pgbench -S` with 64 clients for `seconds`: its transactions per second, and the p50 and p99 of the
    /// latencies it logs per transaction (the same percentiles as the service's rows, so that a row's tail can be
    /// set against the database's own at the same concurrency).
    fn measure(&self, seconds: u64) -> Option<Run> {
        let logs = tempfile::tempdir().ok()?;
        let prefix = logs.path().join("tx");
        let out = Command::new("pgbench")
            .args([
                "-S",
                "-n",
                "-c",
                "64",
                "-j",
                "2",
                "-T",
                &seconds.to_string(),
                "-l",
            ])
            .arg(format!("--log-prefix={}", prefix.display()))
            .arg(&self.url)
            .output()
            .ok()?;
        let report = String::from_utf8_lossy(&out.stdout);
        let tps = report
            .lines()
            .find(|l| l.starts_with("tps = "))
            .and_then(|l| l.split_whitespace().nth(2))
            .and_then(|v| v.parse().ok())?;
        let failed = report
            .lines()
            .find_map(|l| l.strip_prefix("number of failed transactions: "))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        // One file per pgbench thread; a line is `client transaction latency_us script epoch epoch_us ...`.
        let mut latencies: Vec<u64> = std::fs::read_dir(logs.path())
            .ok()?
            .flatten()
            .filter_map(|f| std::fs::read_to_string(f.path()).ok())
            .flat_map(|text| {
                text.lines()
                    .filter_map(|l| l.split_whitespace().nth(2)?.parse().ok())
                    .collect::<Vec<u64>>()
            })
            .collect();
        latencies.sort_unstable();
        let percentile = |p: f64| {
            let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().checked_sub(1)?);
            Some(latencies[i] as f64 / 1000.0)
        };
        Some(Run {
            rps: tps,
            p50_ms: percentile(0.50).unwrap_or(f64::NAN),
            p99_ms: percentile(0.99).unwrap_or(f64::NAN),
            errors: failed,
        })
    }
}

impl Drop for PgBench {
    fn drop(&mut self) {
        Self::psql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {PGBENCH_DB}"),
        );
    }
}

/// One backend at one registry size: its baselines and its rows, measured in that order.
struct Half {
    backend: &'static str,
    persons: usize,
    references: References,
    rows: Vec<(&'static str, Run)>,
    /// The service's RSS in MiB just before the upload run, just after it, and its peak by then.
    upload_rss: (f64, f64, f64),
}

const BOUNDARY: &str = "reintegra-load-boundary";
/// The uploaded file's size: a scanned page or two, four 256 KiB content rows.
const UPLOAD_BYTES: usize = 1024 * 1024;

/// A multipart upload of a 1 MiB PDF (a header, then bytes that do not compress) onto a person's record.
fn upload_body(person_id: &str) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n\
         {{\"case_type\":\"person\",\"case_id\":\"{person_id}\",\"kind\":\"other\",\"title\":\"Skan\"}}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"skan.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    .into_bytes();
    let mut x: u32 = 0x9E37_79B9;
    while body.len() < UPLOAD_BYTES {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        body.push(x as u8);
    }
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Seeds and measures one half; `references` measures the baselines once the service is warm, right before the
/// rows. Returns the half with the time until ready and the RSS now and at its peak.
fn run_backend(
    backend: &'static str,
    url: &str,
    persons: usize,
    dir: &Path,
    seconds: u64,
    references: impl FnOnce() -> References,
) -> (Half, Duration, (f64, f64)) {
    let person_ids = seed(url, persons);
    let (service, ready) = start(url);
    let c = Client::new(&service.base);
    let staff = c.token("mopr-staff");
    let cis_id = c.get(&staff, "/api/v1/institutions?kind=CIS")["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pool = reintegra::foundation::db::connect(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let ids = ids_file(dir, "persons", &person_ids);
    let threads = THREADS.to_string();
    let env = |file: &Path| {
        vec![
            ("TOKEN", staff.clone()),
            ("IDS_FILE", file.display().to_string()),
            ("THREADS", threads.clone()),
        ]
    };
    let run_for = |name: &'static str, body: String, file: &Path, seconds: u64| {
        let s = script(dir, name, &body);
        let e = env(file);
        let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        wrk(&service.base, &s, seconds, &e)
    };
    let run = |name: &'static str, body: String, file: &Path| run_for(name, body, file, seconds);
    let mut rows = Vec::new();
    let mut add = |endpoint: &'static str, r: Run| rows.push((endpoint, r));
    // Warm-up, not recorded: the page cache, the pools' connections and their statement caches start cold after
    // the restart, and the first measured run used to pay for it in its tail.
    run_for("warm_up", GET_PERSON_LUA.into(), &ids, 2);
    let references = references();
    add(
        "GET /persons/{id} (audited read)",
        run("get_person", GET_PERSON_LUA.into(), &ids),
    );
    // The same kind of request without an audit record: one row by key, the token and account checks and the
    // framework's middleware, so the audited read's rate can be read against what the rest of the path allows.
    add(
        "GET /institutions/{id} (unaudited read)",
        run(
            "get_institution",
            format!(
                "request = function() return wrk.format(\"GET\", \"/api/v1/institutions/{cis_id}\") end\n"
            ),
            &ids,
        ),
    );
    add(
        "GET /persons?last_name=now (prefix search)",
        run(
            "search",
            "request = function() return wrk.format(\"GET\", \"/api/v1/persons?last_name=now&limit=50\") end\n"
                .into(),
            &ids,
        ),
    );
    add(
        "GET /referral-applications (list)",
        run(
            "list",
            "request = function() return wrk.format(\"GET\", \"/api/v1/referral-applications?limit=50\") end\n"
                .into(),
            &ids,
        ),
    );
    add(
        "GET /deadlines",
        run(
            "deadlines",
            "request = function() return wrk.format(\"GET\", \"/api/v1/deadlines?limit=50\") end\n"
                .into(),
            &ids,
        ),
    );
    add(
        "POST /persons (create)",
        run(
            "create_person",
            "wrk.method = \"POST\"\nwrk.body = '{\"first_name\":\"Anna\",\"last_name\":\"Obciążeniowa\",\"birth_date\":\"1970-01-01\",\"sex\":\"female\"}'\nwrk.path = \"/api/v1/persons\"\n".into(),
            &ids,
        ),
    );
    // Reads while writes commit: 48 connections read while 16 create persons, one wrk each (one thread each, so the
    // two still share the machine's cores with the service as one wrk does), started together. A read's response
    // waits for its audit record's commit, which on SQLite shares the one writer with the writes.
    {
        let read = script(dir, "mixed_read", GET_PERSON_LUA);
        let write = script(
            dir,
            "mixed_write",
            "wrk.method = \"POST\"\nwrk.body = '{\"first_name\":\"Anna\",\"last_name\":\"Mieszana\",\"birth_date\":\"1970-01-01\",\"sex\":\"female\"}'\nwrk.path = \"/api/v1/persons\"\n",
        );
        // One wrk thread each, so each script walks the ids as thread 0 of 1.
        let ids = ids.display().to_string();
        let e = [
            ("TOKEN", staff.as_str()),
            ("IDS_FILE", ids.as_str()),
            ("THREADS", "1"),
        ];
        let (reads, writes) = std::thread::scope(|s| {
            let writer = s.spawn(|| wrk_with(&service.base, &write, seconds, &e, 16, 1));
            let reads = wrk_with(&service.base, &read, seconds, &e, CONNECTIONS - 16, 1);
            (reads, writer.join().expect("the writing wrk ran"))
        });
        add("GET /persons/{id} on 48 connections while 16 create", reads);
        add("POST /persons on 16 connections while 48 read", writes);
    }
    // Persons nobody has applied for yet (the registry and those just created): the filing run takes one each.
    let fresh: Vec<String> = {
        use reintegra::foundation::db::schema::{persons, referral_applications as ra};
        persons::table
            .filter(diesel::dsl::not(
                persons::id.eq_any(ra::table.select(ra::person_id)),
            ))
            .select(persons::id)
            .order(persons::id.desc())
            .limit(400_000)
            .load(&mut *conn)
            .unwrap()
    };
    let fresh_ids = ids_file(dir, "fresh", &fresh);
    let today = today();
    add(
        "POST /referral-applications (file)",
        run(
            "file",
            format!(
                "request = function()\n  local body = '{{\"person_id\":\"' .. next_id() .. '\",\"target_cis_id\":\"{cis_id}\",\"applicant_kind\":\"self\",\"eligibility_categories\":[\"disabled\"],\"justification\":\"Load.\",\"received_on\":\"{today}\",\"consent\":{{\"given\":true,\"given_on\":\"{today}\",\"given_by\":\"person\"}}}}'\n  return wrk.format(\"POST\", \"/api/v1/referral-applications\", nil, body)\nend\n"
            ),
            &fresh_ids,
        ),
    );
    // The applications just filed, each withdrawn once (version 1).
    let filed: Vec<String> = {
        use reintegra::foundation::db::schema::referral_applications as ra;
        ra::table
            .filter(ra::version.eq(1))
            .filter(ra::justification.eq("Load."))
            .select(ra::id)
            .load(&mut *conn)
            .unwrap()
    };
    let filed_ids = ids_file(dir, "filed", &filed);
    // Each application can be withdrawn once: the run is a quarter as long as the filing run, so that it does not
    // run out of applications (a transition is several times faster than a filing).
    add(
        "POST /referral-applications/{id}/withdraw (transition)",
        run_for(
            "withdraw",
            "wrk.headers[\"If-Match\"] = '\"1\"'\nrequest = function() return wrk.format(\"POST\", \"/api/v1/referral-applications/\" .. next_id() .. \"/withdraw\") end\n".into(),
            &filed_ids,
            (seconds / 4).max(2),
        ),
    );
    // Uploads, short: each adds a mebibyte to the database. The RSS around the run is what streaming the content
    // through in 256 KiB rows costs with 64 uploads in flight.
    let body = dir.join("upload.body");
    std::fs::write(&body, upload_body(&person_ids[0])).unwrap();
    let before = rss(&service).0;
    add(
        "POST /documents (1 MiB PDF upload)",
        run_for(
            "upload",
            format!(
                "wrk.method = \"POST\"\nwrk.path = \"/api/v1/documents\"\n\
                 wrk.headers[\"Content-Type\"] = \"multipart/form-data; boundary={BOUNDARY}\"\n\
                 local f = assert(io.open(\"{}\", \"rb\"))\nwrk.body = f:read(\"*a\")\nf:close()\n",
                body.display()
            ),
            &ids,
            (seconds / 4).max(2),
        ),
    );
    let (after, peak) = rss(&service);
    let memory = rss(&service);
    let half = Half {
        backend,
        persons,
        references,
        rows,
        upload_rss: (before, after, peak),
    };
    (half, ready, memory)
}

fn ensure_wrk() {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return;
    }
    eprintln!("wrk is missing; installing it with apt-get");
    let ok = Command::new("apt-get")
        .args(["install", "-y", "-qq", "wrk"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "install wrk (apt-get install wrk) and run again");
}

fn main() {
    // `cargo bench` passes `--bench`; a test run of benchmarks passes nothing to run.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    ensure_wrk();
    let seconds: u64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let sizes: Vec<usize> = std::env::var("LOAD_PERSONS")
        .unwrap_or_else(|_| "10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let pg_admin = std::env::var("LOAD_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".into());
    // `LOAD_BACKENDS=postgres` (or `sqlite`) runs one backend's halves only, for a quicker comparison.
    let backends = std::env::var("LOAD_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let dir = tempfile::tempdir().unwrap();
    let constant = start_baseline();
    // The PostgreSQL halves need a server that answers at `LOAD_DATABASE_URL`.
    let pg = (pg_admin != "none"
        && backends.contains("postgres")
        && Command::new("psql")
            .args([pg_admin.as_str(), "-q", "-c", "SELECT 1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()))
    .then_some(pg_admin.as_str());
    let pgbench = pg.and_then(PgBench::setup);
    let references = |pg: Option<&PgBench>| measure_references(dir.path(), &constant, pg, seconds);
    let mut halves = Vec::new();
    let mut notes = Vec::new();
    for &n in &sizes {
        if backends.contains("sqlite") {
            let sqlite = dir.path().join(format!("load-{n}.db"));
            let (half, ready, (rss_now, rss_peak)) = run_backend(
                "SQLite",
                &sqlite.display().to_string(),
                n,
                dir.path(),
                seconds,
                || references(None),
            );
            halves.push(half);
            notes.push(format!(
                "SQLite, {n} persons: ready {} ms after start on the existing database; RSS {rss_now:.0} MiB after the load, peak {rss_peak:.0} MiB",
                ready.as_millis()
            ));
        }
        if let Some(pg_admin) = pg {
            let db = format!("reintegra_load_{n}");
            let url = on_database(pg_admin, &db).unwrap();
            let psql = |sql: String| {
                Command::new("psql")
                    .args([pg_admin, "-q", "-c", &sql])
                    .status()
                    .unwrap()
            };
            psql(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
            psql(format!("CREATE DATABASE {db}"));
            let (half, ready, (rss_now, rss_peak)) =
                run_backend("PostgreSQL", &url, n, dir.path(), seconds, || {
                    references(pgbench.as_ref())
                });
            halves.push(half);
            psql(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
            notes.push(format!(
                "PostgreSQL, {n} persons: ready {} ms after start on the existing database; RSS {rss_now:.0} MiB after the load, peak {rss_peak:.0} MiB",
                ready.as_millis()
            ));
        }
    }
    println!(
        "\n{} connections, {} wrk threads, {seconds} s per run, on {} cores; each half's ratios are to the baselines \
         measured just before it\n",
        CONNECTIONS,
        THREADS,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| backend | persons | endpoint | req/s | p50 ms | p99 ms | errors | vs constant JSON | vs pgbench -S |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for half in &halves {
        let (backend, persons) = (half.backend, half.persons);
        let constant = &half.references.constant;
        println!(
            "| actix-web | {persons} | constant JSON, before this half (baseline) | {:.0} | {:.2} | {:.2} | {} | 100% | |",
            constant.rps, constant.p50_ms, constant.p99_ms, constant.errors
        );
        let pgbench = half.references.pgbench.as_ref().map(|b| b.rps);
        if let Some(b) = &half.references.pgbench {
            println!(
                "| PostgreSQL | {persons} | pgbench -S, 64 clients, before this half (baseline) | {:.0} | {:.2} | {:.2} | {} | | 100% |",
                b.rps, b.p50_ms, b.p99_ms, b.errors
            );
        }
        for (endpoint, run) in &half.rows {
            let vs_pg = pgbench.map_or(String::new(), |tps| {
                format!("{:.0}%", 100.0 * run.rps / tps)
            });
            println!(
                "| {backend} | {persons} | {endpoint} | {:.0} | {:.2} | {:.2} | {} | {:.1}% | {vs_pg} |",
                run.rps,
                run.p50_ms,
                run.p99_ms,
                run.errors,
                100.0 * run.rps / constant.rps,
            );
        }
    }
    println!();
    for n in notes {
        println!("* {n}");
    }
    for half in &halves {
        let (before, after, peak) = half.upload_rss;
        println!(
            "* {}, {} persons, uploads: RSS {before:.0} MiB before the upload run, {after:.0} MiB after it, peak so far {peak:.0} MiB",
            half.backend, half.persons
        );
    }
}
