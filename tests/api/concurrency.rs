use reqwest::Method;
use serde_json::json;

use crate::helpers::{json, spawn_app, today};

#[tokio::test]
async fn concurrent_updates_with_the_same_version_let_exactly_one_win() {
    let app = spawn_app().await;
    let person = app
        .create_person("mopr-staff", &json!({"first_name": "A", "last_name": "B", "birth_date": "1970-01-01", "sex": "male"}))
        .await;
    let path = format!("/api/v1/persons/{}", person["id"].as_str().unwrap());
    let token = app.token("mopr-staff").await;
    let mut handles = Vec::new();
    for i in 0..10 {
        let (client, url, token) = (app.client.clone(), app.url(&path), token.clone());
        handles.push(tokio::spawn(async move {
            client
                .patch(url)
                .bearer_auth(token)
                .header("if-match", "\"1\"")
                .json(&json!({"phone": format!("+48 600 000 00{i}")}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [vec![200], vec![412; 9]].concat(), "{statuses:?}");
    let now = app.fetch("mopr-staff", &path).await;
    assert_eq!(now["version"], 2);
    let changes = app.fetch("mopr-staff", &format!("{path}/changes")).await;
    assert_eq!(
        changes["items"].as_array().unwrap().len(),
        2,
        "one creation, one change"
    );
}

#[tokio::test]
async fn concurrent_filings_each_reach_the_feed_exactly_once() {
    let app = spawn_app().await;
    let cis = app.institution_id("CIS").await;
    let token = app.token("mopr-staff").await;
    let mut people = Vec::new();
    for i in 0..8 {
        let p = app
            .create_person("mopr-staff", &json!({"first_name": "A", "last_name": format!("B{i}"), "birth_date": "1970-01-01", "sex": "male"}))
            .await;
        people.push(p["id"].as_str().unwrap().to_owned());
    }
    let mut handles = Vec::new();
    for person in people {
        let body = json!({"person_id": person, "target_cis_id": cis, "applicant_kind": "self",
            "eligibility_categories": ["disabled"], "justification": "x", "received_on": today(),
            "consent": {"given": true, "given_on": today(), "given_by": "person"}});
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/referral-applications"),
            token.clone(),
        );
        handles.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 201);
            resp.json::<serde_json::Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut filed = Vec::new();
    for h in handles {
        filed.push(h.await.unwrap());
    }
    let resp = app
        .call(Method::GET, "/api/v1/events?limit=200", &token, None)
        .await;
    let feed = json(resp).await;
    let mut seen: Vec<String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource_id"].as_str().unwrap().to_owned())
        .collect();
    let cursors: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"].as_str().unwrap())
        .collect();
    let mut unique_cursors = cursors.clone();
    unique_cursors.dedup();
    assert_eq!(cursors.len(), unique_cursors.len());
    seen.sort();
    filed.sort();
    assert_eq!(seen, filed);
}

/// PostgreSQL writers take no lock, so a transaction that started earlier may commit after a later one. The feed
/// must hold the later event back until the earlier transaction ends, then deliver both in order, so that a
/// reader's cursor never passes an event that was still to commit. (SQLite has one writer: nothing to hold back.)
#[tokio::test]
async fn the_feed_holds_back_events_behind_a_transaction_still_running() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        return;
    }
    let mopr = app.institution_id("MOPR").await;
    let (before, cursor) = app.feed("mopr-staff", None).await;
    // An older transaction writes an event to MOPR's feed and stays open.
    let older = OpenTransaction::start(
        &app.database_url,
        format!(
            "INSERT INTO events (id, institution_id, event_type, resource_type, resource_id, occurred_at) \
             VALUES ('older-event', '{mopr}', 'test.older', 'referral_application', 'x', now())"
        ),
    );
    // A newer change commits first: an NGO files an application, MOPR gets `application.submitted`.
    app.file_application("ngo-staff", "ngo-staff", today())
        .await;
    let (held, held_cursor) = app.feed("mopr-staff", cursor.as_deref()).await;
    assert!(
        held.is_empty(),
        "the newer event waits for the older transaction: {held:?}"
    );
    assert_eq!(
        held_cursor, cursor,
        "the cursor does not move past what is unsettled"
    );
    older.commit();
    let (after, _) = app.feed("mopr-staff", held_cursor.as_deref()).await;
    let types: Vec<&str> = after.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["test.older", "application.submitted"], "{before:?}");
}

/// On PostgreSQL a write holds its pooled connection until it commits. Reads and the read-audit writer have
/// connections of their own, so a read answers while every write connection is held by a write that waits (here,
/// for a table lock another session holds), instead of queueing for one.
#[tokio::test]
async fn reads_answer_while_every_write_connection_is_held_by_a_waiting_write() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let app = crate::helpers::spawn_app_with(|c| c.pool_size = 1).await;
    if !app.database_url.starts_with("postgres") {
        return;
    }
    let person = app
        .create_person("mopr-staff", &json!({"first_name": "Jan", "last_name": "Czytany", "birth_date": "1970-01-01", "sex": "male"}))
        .await;
    let token = app.token("mopr-staff").await;

    // Another session blocks inserts into persons (reads of it stay allowed) until told to commit.
    let locker = OpenTransaction::start(
        &app.database_url,
        "LOCK TABLE persons IN SHARE ROW EXCLUSIVE MODE".into(),
    );

    // A registration takes the only write connection and waits for the lock.
    let write = {
        let request = app
            .request(Method::POST, "/api/v1/persons")
            .bearer_auth(&token)
            .json(&json!({"first_name": "Anna", "last_name": "Czekająca", "birth_date": "1980-02-02", "sex": "female"}));
        tokio::spawn(async move { request.send().await.unwrap().status() })
    };
    let mut admin = PgConnection::establish(&app.database_url).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let waiting = |admin: &mut PgConnection| {
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result::<Waiting>(admin)
        .unwrap()
        .n
    };
    let started = std::time::Instant::now();
    while waiting(&mut admin) == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the registration never reached the lock"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // An audited read and a plain one both answer well within the pool's 5-second checkout timeout.
    let id = person["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/persons/{id}"),
        "/api/v1/deadlines".to_owned(),
    ] {
        let resp = app
            .request(Method::GET, &path)
            .bearer_auth(&token)
            .timeout(std::time::Duration::from_secs(3))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path} waited for the write: {e}"));
        assert_eq!(resp.status(), 200, "{path}");
    }
    assert!(!write.is_finished(), "the registration is still waiting");

    locker.commit();
    assert_eq!(write.await.unwrap(), 201);
}

/// On PostgreSQL the hot lookups (an institution, a person, the account check) run on each HTTP worker's own
/// connection. When the server ends those connections (a restart, an operator's `pg_terminate_backend`), the
/// lookups still answer (the failed one is repeated on the pool) and the workers open new connections.
#[tokio::test]
async fn lookups_answer_after_the_server_ends_the_workers_connections() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        return;
    }
    let person = app
        .create_person("mopr-staff", &json!({"first_name": "Jan", "last_name": "Szukany", "birth_date": "1970-01-01", "sex": "male"}))
        .await;
    let id = person["id"].as_str().unwrap().to_owned();
    let cis = app.institution_id("CIS").await;
    let token = app.token("mopr-staff").await;
    let read_all = || async {
        for (path, expected) in [
            (format!("/api/v1/persons/{id}"), id.as_str()),
            (format!("/api/v1/institutions/{cis}"), cis.as_str()),
        ] {
            let resp = app.call(Method::GET, &path, &token, None).await;
            assert_eq!(resp.status(), 200, "{path}");
            assert_eq!(json(resp).await["id"], expected, "{path}");
        }
    };
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut admin = PgConnection::establish(&app.database_url).unwrap();
    let mut on_lookup_connections = |sql: &str| {
        diesel::sql_query(format!(
            "SELECT count({sql}) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1"
        ))
        .bind::<diesel::sql_types::Text, _>(reintegra::foundation::db::LOOKUP_APPLICATION_NAME)
        .get_result::<Count>(&mut admin)
        .unwrap()
        .n
    };

    read_all().await;
    assert!(
        on_lookup_connections("*") >= 1,
        "the lookups ran on the workers' own connections"
    );
    let ended = on_lookup_connections("pg_terminate_backend(pid) OR NULL");
    assert!(ended >= 1, "the workers' connections were ended");
    for _ in 0..10 {
        read_all().await;
    }
    assert!(
        on_lookup_connections("*") >= 1,
        "the workers opened new connections"
    );
}

/// A transaction of another PostgreSQL session that has run one statement and stays open until `commit`.
struct OpenTransaction {
    commit: std::sync::mpsc::Sender<()>,
    session: std::thread::JoinHandle<()>,
}

impl OpenTransaction {
    /// Returns once `sql` has run inside the open transaction.
    fn start(url: &str, sql: String) -> Self {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        let url = url.to_owned();
        let (opened_tx, opened_rx) = std::sync::mpsc::channel::<()>();
        let (commit, commit_rx) = std::sync::mpsc::channel::<()>();
        let session = std::thread::spawn(move || {
            let mut conn = PgConnection::establish(&url).unwrap();
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                diesel::sql_query(sql).execute(conn)?;
                opened_tx.send(()).unwrap();
                commit_rx.recv().unwrap();
                Ok(())
            })
            .unwrap();
        });
        opened_rx.recv().unwrap();
        OpenTransaction { commit, session }
    }

    fn commit(self) {
        self.commit.send(()).unwrap();
        self.session.join().unwrap();
    }
}
