use chrono::Days;
use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

/// Every page of a deadline listing, following `next_cursor`.
async fn all_pages(app: &crate::helpers::TestApp, user: &str, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/deadlines?{query}&cursor={c}"),
            None => format!("/api/v1/deadlines?{query}"),
        };
        let page = app.fetch(user, &path).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn the_deadline_view_pages_soonest_first_and_filters_by_status_in_the_query() {
    let app = spawn_app().await;
    let today = app.today();
    // Four applications received on different days: four opinion deadlines of MOPR.
    for back in [20, 3, 10, 0] {
        app.file_application("mopr-staff", "mopr-staff", today - Days::new(back))
            .await;
    }
    let one_by_one = all_pages(&app, "mopr-director", "kind=opinion&limit=1").await;
    assert_eq!(one_by_one.len(), 4);
    let dues: Vec<&str> = one_by_one
        .iter()
        .map(|d| d["due_on"].as_str().unwrap())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted, "soonest first across pages");
    let whole = all_pages(&app, "mopr-director", "kind=opinion&limit=200").await;
    assert_eq!(whole, one_by_one, "paging neither skips nor repeats");

    // The status filter agrees with the status each item reports, for every status.
    for status in ["open", "due_soon", "overdue", "met", "met_late"] {
        let filtered = all_pages(&app, "mopr-director", &format!("status={status}")).await;
        let expected: Vec<&Value> = whole.iter().filter(|d| d["status"] == status).collect();
        assert_eq!(filtered.iter().collect::<Vec<_>>(), expected, "{status}");
    }
    // Received 20 days ago: overdue; the others are not.
    let overdue = all_pages(&app, "mopr-director", "status=overdue").await;
    assert_eq!(overdue.len(), 1);

    // Nothing for a CIS or an NGO here; a cursor the API never issued is 400.
    assert!(
        all_pages(&app, "cis-director", "kind=opinion")
            .await
            .is_empty()
    );
    assert!(all_pages(&app, "ngo-staff", "").await.is_empty());
    let token = app.token("mopr-director").await;
    let resp = app
        .call(Method::GET, "/api/v1/deadlines?cursor=bm9wZQ", &token, None)
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_cursor").await;
    // Nor one crafted around a signed year (PostgreSQL failed the query with it).
    use base64::Engine;
    let crafted = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("k1:-4714-01-01|insurance_registration|x");
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/deadlines?cursor={crafted}"),
            &token,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_cursor").await;
}

#[tokio::test]
async fn obligations_of_records_written_before_the_projection_are_rebuilt_once() {
    let app = spawn_app().await;
    let application = app
        .file_application("ngo-staff", "ngo-staff", app.today())
        .await;
    let before = all_pages(&app, "mopr-director", "").await;
    assert_eq!(before.len(), 1);

    let pool = reintegra::foundation::db::connect(&app.database_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    reintegra::foundation::db::write_tx(&mut conn, |c| {
        Ok(diesel::sql_query("DELETE FROM obligations").execute(c)?)
    })
    .unwrap();
    assert!(all_pages(&app, "mopr-director", "").await.is_empty());
    assert_eq!(
        reintegra::resources::deadlines::store::rebuild_if_empty(&mut conn).unwrap(),
        1
    );
    assert_eq!(
        reintegra::resources::deadlines::store::rebuild_if_empty(&mut conn).unwrap(),
        0,
        "only when empty"
    );
    let after = all_pages(&app, "mopr-director", "").await;
    assert_eq!(after, before);
    assert_eq!(after[0]["resource_id"], application["id"]);
}
