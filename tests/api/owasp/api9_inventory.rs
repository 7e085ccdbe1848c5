//! API9:2023 Improper Inventory Management: the served document is the committed one (see `openapi`), every
//! operation but the token endpoint and the probes requires a token, and nothing answers outside it.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn api9_every_documented_operation_requires_a_token_and_undocumented_paths_do_not_answer() {
    let app = spawn_app().await;
    let spec: Value = json(app.get("/openapi.json").await).await;
    let open = ["/api/v1/auth/token", "/health/live", "/health/ready"];
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            // `[{}]` is "no authentication" (the token endpoint takes client credentials in its body).
            let secured = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            });
            assert_eq!(
                secured,
                !open.contains(&path.as_str()),
                "{method} {path}: security {:?}",
                op["security"]
            );
            if secured {
                // Called without a token, it is refused before anything else happens.
                let concrete = path.replace(['{', '}'], "");
                let resp = app
                    .request(method.to_uppercase().parse().unwrap(), &concrete)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 401, "{method} {path}");
            }
        }
    }
    assert!(operations > 60, "{operations} operations");
    // Old, future and internal-looking paths are not served; a documented path with another method is 405.
    for path in [
        "/api/v2/persons",
        "/api/persons",
        "/api/v1/internal/debug",
        "/admin",
        "/.env",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    let token = app.token("mopr-staff").await;
    let resp = app
        .call(Method::DELETE, "/api/v1/persons", &token, None)
        .await;
    assert_eq!(resp.status(), 405);
    assert!(resp.headers().contains_key("allow"));
}
