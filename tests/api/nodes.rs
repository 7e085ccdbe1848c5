//! Several API nodes on one PostgreSQL database, as behind a load balancer. SQLite is for a single node, so these
//! tests run only with `TEST_DATABASE_URL`; each starts its nodes in this process, on a database of its own.

use diesel::{Connection, ExpressionMethods, PgConnection, QueryDsl, RunQueryDsl};
use reintegra::Application;
use reintegra::foundation::config::Config;

use crate::helpers::TestDb;

fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

/// Builds a node (migrations and demo seeding included), then stops it; returns why it could not start.
fn start_and_stop(config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let app = Application::build(config).map_err(|e| e.to_string())?;
        drop(app.server_handle().stop(false));
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

#[test]
fn nodes_started_at_once_on_a_fresh_database_migrate_and_seed_once() {
    if !on_postgres() {
        return;
    }
    for _round in 0..3 {
        let (_db, url) = TestDb::create();
        let nodes = 4;
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(nodes));
        let threads: Vec<_> = (0..nodes)
            .map(|_| {
                let (url, barrier) = (url.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut config = Config::for_tests(url);
                    config.pool_size = 2;
                    barrier.wait();
                    start_and_stop(config)
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().expect("the node's thread"), Ok(()));
        }
        let mut conn = PgConnection::establish(&url).unwrap();
        use reintegra::foundation::db::schema::users;
        let admins: i64 = users::table
            .filter(users::username.eq("mopr-admin"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(admins, 1, "the demo data is seeded once");
    }
}

#[test]
fn demo_seeding_raced_by_several_nodes_seeds_once() {
    if !on_postgres() {
        return;
    }
    let (_db, url) = TestDb::create();
    let pool = reintegra::foundation::db::connect(&url, 8).unwrap();
    reintegra::foundation::db::migrate(&pool).unwrap();
    let nodes = 6;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(nodes));
    let threads: Vec<_> = (0..nodes)
        .map(|_| {
            let (pool, barrier) = (pool.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                reintegra::app::demo::seed(&mut conn).map_err(|e| format!("{e:?}"))
            })
        })
        .collect();
    let seeded: Vec<bool> = threads
        .into_iter()
        .map(|t| {
            t.join()
                .expect("the seeding thread")
                .expect("seeding succeeds")
        })
        .collect();
    assert_eq!(seeded.iter().filter(|s| **s).count(), 1, "{seeded:?}");
}

/// A node whose pools the database refuses (here a role allowed two connections; in production the fifth node on
/// PostgreSQL's default `max_connections`) serves its liveness probe but stays not-ready, so the load balancer
/// sends it nothing.
#[tokio::test]
async fn a_node_that_cannot_open_its_pools_connections_is_not_ready() {
    if !on_postgres() {
        return;
    }
    let (_db, url) = TestDb::create();
    reintegra::foundation::db::migrate(&reintegra::foundation::db::connect(&url, 1).unwrap())
        .unwrap();
    let role = format!("limited_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::establish(&url).unwrap();
    for sql in [
        format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 2"),
        format!("GRANT ALL ON SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"),
    ] {
        diesel::sql_query(sql).execute(&mut admin).unwrap();
    }
    let limited_url = url.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(
        limited_url, url,
        "the test database URL names the postgres user"
    );
    let mut config = Config::for_tests(limited_url);
    config.demo = false;
    config.pool_size = 2;
    let (started, start) = std::sync::mpsc::channel();
    let node = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Application::build(config).expect("the first connection is allowed");
            let _ = started.send((app.port(), app.server_handle()));
            app.run_until_stopped().await.unwrap();
        });
    });
    let (port, server) = start.recv().unwrap();
    let http = reqwest::Client::new();
    let get = |path: &'static str| http.get(format!("http://127.0.0.1:{port}{path}")).send();
    assert_eq!(get("/health/live").await.unwrap().status(), 200);
    // Long enough for the pools' background fill to have tried every connection.
    for _ in 0..10 {
        assert_eq!(get("/health/ready").await.unwrap().status(), 503);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    server.stop(false).await;
    node.join().unwrap();
    drop(admin);
    let mut admin = PgConnection::establish(&url).unwrap();
    let _ = diesel::sql_query(format!("DROP OWNED BY {role}")).execute(&mut admin);
    let _ = diesel::sql_query(format!("DROP ROLE IF EXISTS {role}")).execute(&mut admin);
}
