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
