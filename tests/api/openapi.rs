use crate::helpers::{json, spawn_app};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");
const REGENERATE: &str = "cargo run --quiet -- openapi > openapi/openapi.json";

#[test]
fn committed_spec_matches_the_code() {
    let generated = reintegra::openapi_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date with the code; regenerate it with:\n\n    {REGENERATE}\n"
    );
}

#[tokio::test]
async fn served_spec_is_the_committed_one() {
    let app = spawn_app().await;
    let resp = app.get("/openapi.json").await;
    assert_eq!(resp.status(), 200);
    let served = json(resp).await;
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed, "regenerate with: {REGENERATE}");
}

#[tokio::test]
async fn swagger_ui_is_served_without_any_download() {
    let app = spawn_app().await;
    let resp = app.get("/docs/").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let resp = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(resp.status(), 200);
}

#[test]
fn spec_declares_the_bearer_scheme_and_openapi_3_1() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer_jwt"]["scheme"],
        "bearer"
    );
    assert!(
        spec["info"]["description"]
            .as_str()
            .unwrap()
            .contains("problem+json")
    );
}
