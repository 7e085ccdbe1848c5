//! A stopped service leaves no thread of its own behind. It runs alone in its own test binary, because the API
//! suite's services, started by tests running beside it, have threads of the same names; it starts its service with
//! that suite's harness (a fresh SQLite file, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set).

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::time::{Duration, Instant};

use reqwest::Method;

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

#[tokio::test]
async fn a_stopped_service_leaves_no_thread_behind() {
    assert!(service_threads().is_empty(), "{:?}", service_threads());
    let app = helpers::spawn_app().await;

    // Work that every part has to take part in: a sign-in (a write), then an audited search (the audit writer).
    let token = app.token("mopr-worker").await;
    let search = app
        .call(Method::GET, "/api/v1/persons?last_name=kow", &token, None)
        .await;
    assert_eq!(search.status(), 200);
    let running = service_threads();
    for name in ["audit-writer", "background", "db-pool-0", "actix-server"] {
        assert!(
            running.iter().any(|t| t.starts_with(name)),
            "no {name} thread while running: {running:?}"
        );
    }

    // Dropping the harness's service stops it and joins its thread, which waits for what the service started.
    drop(app);
    // The joined threads are gone; the pools' helpers were told to end when their pools went, and do so at once.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !service_threads().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(service_threads(), Vec::<String>::new());
}
