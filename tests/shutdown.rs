//! A stopped service leaves no thread of its own behind. It runs alone in its own test binary, because the API
//! suite's services, started by tests running beside it, have threads of the same names.
//!
//! Runs on a fresh SQLite file, or on a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use reintegra::Application;
use reintegra::config::Config;

/// The names the service gives its threads (the pools' helpers are numbered).
const SERVICE_THREADS: [&str; 5] = [
    "audit-writer",
    "background",
    "db-pool-",
    "actix-server",
    "actix-rt",
];

fn service_threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("this test reads Linux's /proc")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| SERVICE_THREADS.iter().any(|s| name.starts_with(s)))
        .collect()
}

#[test]
fn a_stopped_service_leaves_no_thread_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pg = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let (url, dropped) = match &pg {
        Some(admin) => {
            let name = format!("reintegra_shutdown_{}", uuid::Uuid::now_v7().simple());
            let mut conn = PgConnection::establish(admin).expect("TEST_DATABASE_URL answers");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create the test database");
            let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
            (format!("{base}/{name}"), Some((conn, name)))
        }
        None => (
            dir.path()
                .join("shutdown.db")
                .to_string_lossy()
                .into_owned(),
            None,
        ),
    };
    assert!(service_threads().is_empty(), "{:?}", service_threads());

    let (started, start) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Application::build(Config::for_tests(url)).expect("the service builds");
            started.send((app.port(), app.server_handle())).unwrap();
            app.run_until_stopped().await.expect("the service runs");
        });
    });
    let (port, handle) = start.recv().expect("the service starts");

    // Work that every part has to take part in: a sign-in (a write), then an audited search (the audit writer).
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    client.block_on(async {
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let token: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", "mopr-worker"),
                ("password", reintegra::demo::DEMO_PASSWORD),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let search = http
            .get(format!("{base}/api/v1/persons?last_name=kow"))
            .bearer_auth(token["access_token"].as_str().expect("a token"))
            .send()
            .await
            .unwrap();
        assert_eq!(search.status(), 200);
    });
    let running = service_threads();
    for name in ["audit-writer", "background", "db-pool-0", "actix-server"] {
        assert!(
            running.iter().any(|t| t.starts_with(name)),
            "no {name} thread while running: {running:?}"
        );
    }

    drop(handle.stop(true));
    server.join().expect("the service stops without a panic");
    // The joined threads are gone; the pools' helpers were told to end when their pools went, and do so at once.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !service_threads().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(service_threads(), Vec::<String>::new());

    if let Some((mut conn, name)) = dropped {
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop the test database");
    }
}
