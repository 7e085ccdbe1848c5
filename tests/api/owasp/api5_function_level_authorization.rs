//! API5:2023 Broken Function Level Authorization: the administrative functions refuse every role the matrix does
//! not give them (the full role × action matrices are in `access_matrix` and each resource's tests).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn api5_administrative_functions_refuse_every_other_role() {
    let app = spawn_app().await;
    let cis = app.institution_id("CIS").await;
    let everyone = [
        "mopr-admin",
        "mopr-director",
        "mopr-worker",
        "mopr-staff",
        "cis-director",
        "cis-staff",
        "pcpr-staff",
        "ngo-staff",
        "platform-admin",
    ];
    let functions = [
        (
            Method::POST,
            "/api/v1/institutions",
            Some(
                json!({"kind": "NGO", "name": "Fundacja Nowa", "address": "ul. Nowa 1, 87-100 Toruń"}),
            ),
            &["platform-admin"][..],
        ),
        (
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"username": "intruder", "password": "a long passphrase", "role": "admin", "institution_id": cis}),
            ),
            &["platform-admin"][..],
        ),
        (
            Method::POST,
            "/api/v1/api-clients",
            Some(json!({"name": "intruder", "role": "staff", "institution_id": cis})),
            &["platform-admin"][..],
        ),
        (
            Method::GET,
            "/api/v1/audit-events",
            None,
            &["mopr-director", "platform-admin"][..],
        ),
        (
            Method::POST,
            "/api/v1/income-criteria",
            Some(
                json!({"applies_from": "2030-01-01", "single": 120000, "per_person_in_family": 95000, "legal_basis": "rozporządzenie"}),
            ),
            &["platform-admin"][..],
        ),
        (
            Method::POST,
            "/api/v1/webhooks",
            Some(
                json!({"url": "https://partner.example.org/hook", "event_types": ["opinion.issued"]}),
            ),
            &["mopr-admin"][..],
        ),
    ];
    // The MOPR admin manages its own institution's accounts only: for the CIS it is refused like anyone else.
    for (method, path, body, allowed) in &functions {
        for user in everyone.iter().filter(|u| !allowed.contains(u)) {
            let token = app.token(user).await;
            let resp = app.call(method.clone(), path, &token, body.as_ref()).await;
            assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
        }
    }
}
