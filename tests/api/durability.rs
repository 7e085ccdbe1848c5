//! A read's audit record is committed before its response is sent, even though reads share commits: killing the
//! service with SIGKILL under load loses no audit record of a read that was answered.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use tokio::sync::Mutex;

use crate::helpers::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_answered_read_loses_its_audit_record_when_the_service_is_killed() {
    let (_db, url) = TestDb::create();
    let port = crate::helpers::free_port();
    let mut child = crate::helpers::start_binary(&url, port, &[], Stdio::null()).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let token = crate::helpers::binary_token(&http, &base, "mopr-staff").await;
    let person: serde_json::Value = http
        .post(format!("{base}/api/v1/persons"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"first_name": "A", "last_name": "B", "birth_date": "1970-01-01", "sex": "male"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("{base}/api/v1/persons/{}", person["id"].as_str().unwrap());

    // 32 clients read as fast as they can, each request with its own id; the answered ids are kept.
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..32 {
        let (http, path, token, answered, stop) = (
            http.clone(),
            path.clone(),
            token.clone(),
            answered.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = format!("kill-{c}-{n}");
                let resp = http
                    .get(&path)
                    .bearer_auth(&token)
                    .header("x-request-id", &id)
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status() == 200 => answered.lock().await.push(id),
                    Ok(r) => assert!(r.status().is_server_error(), "{}", r.status()),
                    Err(_) => {}
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    // SIGKILL: no shutdown, no flushing.
    child.kill().unwrap();
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let answered = answered.lock().await.clone();
    assert!(
        answered.len() > 50,
        "the load ran: {} reads",
        answered.len()
    );

    let pool = reintegra::foundation::db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    use reintegra::foundation::db::schema::audit_events;
    let recorded: std::collections::HashSet<String> = audit_events::table
        .filter(audit_events::request_id.like("kill-%"))
        .select(audit_events::request_id)
        .load::<String>(&mut *conn)
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<&String> = answered
        .iter()
        .filter(|id| !recorded.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} answered reads have no audit record, e.g. {:?}",
        lost.len(),
        answered.len(),
        &lost[..lost.len().min(5)]
    );
}
