//! Measures what the issues ask to keep fast, on the real store functions and a real database:
//!
//! * person search (last-name prefix, PESEL, birth date) over a large registry (default 1,000,000 persons);
//! * the cost the audit trail adds to a read of a person.
//!
//! Run: `cargo bench --bench registry` (SQLite in a temporary directory). `BENCH_PERSONS=N` changes the registry
//! size; `BENCH_DATABASE_URL=postgres://…/db` runs against an existing, empty PostgreSQL database instead.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use reintegra::foundation::db::schema::institutions;
use reintegra::identity::policy::PersonScope;
use reintegra::identity::{Caller, InstitutionKind, PrincipalType, Role};

#[path = "common.rs"]
mod common;
use common::seed;
use reintegra::foundation::db::{self, DbConnection};
use reintegra::foundation::pagination::PageRequest;
use reintegra::resources::persons::store::{self, SearchFilter};

fn measure(label: &str, iterations: usize, mut f: impl FnMut(usize)) {
    let mut times: Vec<Duration> = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let t = Instant::now();
        f(i);
        times.push(t.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / iterations as u32;
    let p = |q: f64| times[((iterations as f64 * q) as usize).min(iterations - 1)];
    println!(
        "{label:<48} mean {:>9.1?}  p50 {:>9.1?}  p95 {:>9.1?}  max {:>9.1?}",
        mean,
        p(0.5),
        p(0.95),
        times[iterations - 1]
    );
}

fn main() {
    let n: usize = std::env::var("BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let pool = db::connect(&url, 2).expect("database");
    db::migrate(&pool).expect("migrations");
    let mut conn = pool.get().expect("connection");
    let institution = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(institutions::table)
        .values((
            institutions::id.eq(&institution),
            institutions::kind.eq("MOPR"),
            institutions::name.eq(format!("bench {institution}")),
            institutions::address.eq("x"),
            institutions::area.eq(Some("x")),
            institutions::created_at.eq(db::now()),
        ))
        .execute(&mut *conn)
        .expect("institution");
    let samples = seed(&mut conn, n, &institution);
    reintegra::per_backend!(&mut *conn, pg c => { diesel::sql_query("ANALYZE").execute(c).expect("analyze"); },
        sqlite c => { diesel::sql_query("ANALYZE").execute(c).expect("analyze"); });

    let page = PageRequest {
        limit: 50,
        after: None,
    };
    let scope = PersonScope::All;
    let search = |conn: &mut DbConnection, f: SearchFilter| {
        store::search(conn, &scope, &f, &page).expect("search")
    };
    measure(
        "search last_name prefix 'now' (first page of 50)",
        200,
        |_| {
            let rows = search(
                &mut conn,
                SearchFilter {
                    last_name_prefix: Some("now".into()),
                    ..Default::default()
                },
            );
            assert_eq!(rows.len(), 51);
        },
    );
    measure(
        "search last_name prefix 'zolkiewski-k' (page of 50)",
        200,
        |_| {
            search(
                &mut conn,
                SearchFilter {
                    last_name_prefix: Some("zolkiewski-k".into()),
                    ..Default::default()
                },
            );
        },
    );
    measure("search by PESEL (exact)", 200, |i| {
        let rows = search(
            &mut conn,
            SearchFilter {
                pesel: Some(samples[i % samples.len()].1.clone()),
                ..Default::default()
            },
        );
        assert_eq!(rows.len(), 1);
    });
    measure("search by birth date (page of 50)", 200, |i| {
        search(
            &mut conn,
            SearchFilter {
                birth_date: Some(samples[i % samples.len()].2),
                ..Default::default()
            },
        );
    });

    let caller = Caller {
        id: "bench-user".into(),
        principal: PrincipalType::User,
        institution_id: Some(institution.clone()),
        kind: Some(InstitutionKind::Mopr),
        role: Role::Staff,
        generation: 1,
        request_id: "bench".into(),
    };
    measure("read a person, without audit", 500, |i| {
        store::get_visible(&mut conn, &scope, &samples[i % samples.len()].0)
            .expect("read")
            .expect("found");
    });
    measure("read a person + its audit record (as served)", 500, |i| {
        let id = &samples[i % samples.len()].0;
        store::get_visible(&mut conn, &scope, id)
            .expect("read")
            .expect("found");
        reintegra::records::audit::record(
            &mut conn,
            &caller,
            reintegra::records::audit::Entry::new(
                reintegra::records::audit::Action::Read,
                "person",
                id,
            )
            .person(id),
        )
        .expect("audit");
    });
}
