//! API1:2023 Broken Object Level Authorization: a second CIS and a second NGO get nothing of the first ones'
//! cases, on every record of a case, its transitions, lists, searches, feeds and deadline views.

use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

use super::{second_institution, status_of};

#[tokio::test]
async fn api1_a_second_cis_and_a_second_ngo_see_nothing_of_the_first_ones_cases() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let ipzs = app.sign_ipzs(&referral, 200).await;
    let person = referral["person_id"].as_str().unwrap();
    let application = referral["application_id"].as_str().unwrap();
    let opinion = referral["opinion_id"].as_str().unwrap();
    let records = [
        format!("/api/v1/persons/{person}"),
        format!("/api/v1/persons/{person}/changes"),
        format!("/api/v1/referral-applications/{application}"),
        format!("/api/v1/opinions/{opinion}"),
        format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap()),
        format!("/api/v1/ipzs/{}", ipzs["id"].as_str().unwrap()),
    ];
    for (kind, user) in [("CIS", "cis-druga"), ("NGO", "ngo-druga")] {
        let token = second_institution(&app, kind, user).await;
        for path in &records {
            assert_eq!(
                status_of(&app, &token, Method::GET, path, None).await,
                404,
                "{user} GET {path}"
            );
        }
        // Transitions on records it cannot see are 404 too, never a hint that they exist.
        let withdraw = format!("/api/v1/referral-applications/{application}/withdraw");
        let resp = app
            .call_if_match(Method::POST, &withdraw, &token, "\"1\"", None)
            .await;
        // A CIS may never withdraw (403 for any id, so it tells nothing); the other NGO may, but not this one: 404.
        let expected = if kind == "CIS" { 403 } else { 404 };
        assert_eq!(resp.status().as_u16(), expected, "{user} withdraws");
        let resp = app
            .call_if_match(
                Method::POST,
                "/api/v1/referral-applications/no-such-id/withdraw",
                &token,
                "\"1\"",
                None,
            )
            .await;
        assert_eq!(
            resp.status().as_u16(),
            expected,
            "{user} withdraws a missing one the same way"
        );
        if kind == "CIS" {
            let terminate = format!("/api/v1/ipzs/{}/complete", ipzs["id"].as_str().unwrap());
            let resp = app
                .call_if_match(Method::POST, &terminate, &token, "\"1\"", None)
                .await;
            assert_eq!(resp.status(), 404, "{user} completes another CIS's IPZS");
        }
        // Lists, searches and feeds show nothing of it.
        for list in [
            "/api/v1/referral-applications",
            "/api/v1/ipzs",
            "/api/v1/persons?last_name=testowy",
            "/api/v1/events",
            "/api/v1/deadlines",
            "/api/v1/dps-applications",
            "/api/v1/waiting-list-entries",
        ] {
            let page = app.fetch_with(&token, list).await;
            assert_eq!(page["items"], json!([]), "{user} {list}: {page}");
        }
    }
}

/// The placement procedure's records (the case, its fee decision, the waiting-list entry, the home's residents) are
/// the case's MOPR's and the placing institution's: a second PCPR, a CIS and an NGO get 404 on each record (403 on
/// the residents, a function their kind never has) and empty lists.
#[tokio::test]
async fn api1_other_institutions_see_nothing_of_a_placement_case() {
    use crate::dps::{path, v};
    use crate::placements::{create_home, enter, fee_body, final_granted_case};

    let app = spawn_app().await;
    let mopr = app.institution_id("MOPR").await;
    let home = create_home(&app, "mopr-director", &mopr, 5, json!({})).await;
    let case = final_granted_case(&app, json!({})).await;
    let fee = app
        .transition(
            "mopr-director",
            &path(&case, "/fee-decisions"),
            v(&case),
            Some(&fee_body(&home, app.today(), 0).await),
            201,
        )
        .await;
    let entry = enter(&app, &home, &case, json!({})).await;
    let case_id = case["id"].as_str().unwrap();
    let records = [
        format!("/api/v1/dps-applications/{case_id}"),
        format!("/api/v1/dps-applications/{case_id}/fee-decisions"),
        format!("/api/v1/fee-decisions/{}", fee["id"].as_str().unwrap()),
        format!(
            "/api/v1/waiting-list-entries/{}",
            entry["id"].as_str().unwrap()
        ),
    ];
    let residents = format!(
        "/api/v1/care-homes/{}/residents",
        home["id"].as_str().unwrap()
    );
    for (kind, user) in [
        ("PCPR", "pcpr-druga"),
        ("CIS", "cis-trzecia"),
        ("NGO", "ngo-trzecia"),
    ] {
        let token = second_institution(&app, kind, user).await;
        for record in &records {
            assert_eq!(
                status_of(&app, &token, Method::GET, record, None).await,
                404,
                "{user} GET {record}"
            );
        }
        assert_eq!(
            status_of(&app, &token, Method::GET, &residents, None).await,
            403,
            "{user} reads the residents"
        );
        let leave = format!(
            "/api/v1/waiting-list-entries/{}/leave",
            entry["id"].as_str().unwrap()
        );
        let resp = app
            .call_if_match(
                Method::POST,
                &leave,
                &token,
                &format!("\"{}\"", entry["version"]),
                Some(&json!({"reason": "withdrawn", "left_on": app.today()})),
            )
            .await;
        assert!(
            [403, 404].contains(&resp.status().as_u16()),
            "{user} removes the entry: {}",
            resp.status()
        );
        for list in [
            "/api/v1/dps-applications",
            "/api/v1/waiting-list-entries",
            "/api/v1/events",
            "/api/v1/deadlines",
        ] {
            let page = app.fetch_with(&token, list).await;
            assert_eq!(page["items"], json!([]), "{user} {list}: {page}");
        }
    }
    // The record is still there, unchanged, for its MOPR.
    let again = app
        .fetch(
            "mopr-staff",
            &format!(
                "/api/v1/waiting-list-entries/{}",
                entry["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(again["status"], "waiting");
    assert_eq!(again["version"], entry["version"]);
}
