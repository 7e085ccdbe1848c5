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
    let person = crate::helpers::binary_person(&http, &base, &token).await;
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

/// An upload killed with SIGKILL half-way leaves no document: what it staged is never listed or read, and the
/// sweep of the next start removes it with its content once it is old enough to be surely abandoned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_killed_half_way_leaves_no_document_and_the_next_start_sweeps_it() {
    use reintegra::foundation::db::schema::{document_chunks, documents};
    use tokio::io::AsyncWriteExt;

    let (_db, url) = TestDb::create();
    let port = crate::helpers::free_port();
    let mut child = crate::helpers::start_binary(&url, port, &[], Stdio::null()).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let token = crate::helpers::binary_token(&http, &base, "mopr-staff").await;
    let person = crate::helpers::binary_person(&http, &base, &token).await;
    let person_id = person["id"].as_str().unwrap().to_owned();

    // 700 kB of a declared 2 MB: two 256 KiB rows are written before the process dies.
    let boundary = "killkillkill";
    let metadata = serde_json::json!({"case_type": "person", "case_id": person_id, "kind": "other", "title": "Skan"});
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{metadata}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{head}",
        head.len() + 2_000_000
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
        .write_all(&crate::documents::pdf(700_000))
        .await
        .unwrap();
    stream.flush().await.unwrap();
    let pool = reintegra::foundation::db::connect(&url, 1).unwrap();
    let staged = || {
        let mut conn = pool.get().unwrap();
        let docs: i64 = documents::table.count().get_result(&mut *conn).unwrap();
        let chunks: i64 = document_chunks::table
            .count()
            .get_result(&mut *conn)
            .unwrap();
        (docs, chunks)
    };
    let mut seen = (0, 0);
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen = staged();
        if seen.1 >= 2 {
            break;
        }
    }
    assert_eq!(seen, (1, 2), "the upload was half-way when killed");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stream);

    // Restarted: the staged upload is no document for anyone.
    let mut child = crate::helpers::start_binary(&url, port, &[], Stdio::null()).await;
    let token = crate::helpers::binary_token(&http, &base, "mopr-staff").await;
    let list: serde_json::Value = http
        .get(format!(
            "{base}/api/v1/documents?case_type=person&case_id={person_id}"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], serde_json::json!([]), "{list}");
    // A start sweeps uploads left `filing` for an hour: one made that old is gone, content and all.
    {
        let mut conn = reintegra::foundation::db::DbConnection::establish(&url).unwrap();
        diesel::update(documents::table)
            .set(
                documents::recorded_at
                    .eq(reintegra::foundation::db::now() - chrono::TimeDelta::hours(2)),
            )
            .execute(&mut conn)
            .unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut child = crate::helpers::start_binary(&url, port, &[], Stdio::null()).await;
    let mut left = staged();
    for _ in 0..50 {
        if left == (0, 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = staged();
    }
    assert_eq!(
        left,
        (0, 0),
        "the start-up sweep left the killed upload's rows"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
