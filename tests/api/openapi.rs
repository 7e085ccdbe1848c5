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

/// Every operation of the committed spec, as (method, path, operation).
fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

fn committed() -> serde_json::Value {
    serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap()
}

#[test]
fn every_operation_declares_the_responses_its_kind_shares() {
    let spec = committed();
    for (method, path, op) in operations(&spec) {
        let declared = |status: &str| op["responses"].get(status).is_some();
        let mut needed = vec!["500"];
        let authenticated = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer_jwt").is_some()));
        if authenticated {
            needed.extend(["401", "403", "503"]);
        }
        let content = &op["requestBody"]["content"];
        if content.is_object() {
            needed.push("413");
        }
        if content.get("application/json").is_some() {
            needed.extend(["400", "415", "422"]);
        }
        let takes_if_match = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match"));
        if takes_if_match {
            needed.extend(["400", "412", "428"]);
        }
        if method == "post" && path != "/api/v1/auth/token" {
            let takes_key = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
            });
            assert!(takes_key, "POST {path} does not declare Idempotency-Key");
            needed.extend(["400", "409", "422"]);
        }
        for status in needed {
            assert!(
                declared(status),
                "{method} {path} does not declare {status}"
            );
        }
    }
}

/// utoipa names a schema after its type, so two types of one name silently share one schema: a request would
/// point at a response type (it happened with `Termination`). Request bodies are closed (`deny_unknown_fields`)
/// and response bodies are not, so a clash shows as an open request schema or a schema used both ways.
#[test]
fn request_and_response_schemas_never_share_a_name() {
    let spec = committed();
    let name_of = |v: &serde_json::Value| {
        v["$ref"]
            .as_str()
            .map(|r| r.trim_start_matches("#/components/schemas/").to_owned())
    };
    let mut requests = std::collections::BTreeSet::new();
    let mut responses = std::collections::BTreeSet::new();
    for (method, path, op) in operations(&spec) {
        if let Some(name) = name_of(&op["requestBody"]["content"]["application/json"]["schema"]) {
            let schema = &spec["components"]["schemas"][&name];
            assert_eq!(
                schema["additionalProperties"],
                serde_json::json!(false),
                "{method} {path}: request schema {name} accepts unknown fields; is it a response type of the same name?"
            );
            requests.insert(name);
        }
        for (_, response) in op["responses"].as_object().unwrap() {
            if let Some(name) = name_of(&response["content"]["application/json"]["schema"]) {
                responses.insert(name);
            }
        }
    }
    let both: Vec<_> = requests.intersection(&responses).collect();
    assert!(
        both.is_empty(),
        "schemas used as request and response: {both:?}"
    );
}

/// utoipa names a schema after its Rust type and keeps the last of two types of one name, so a clash silently
/// points operations at the wrong schema (it happened twice: `Termination`, then a DPS `Decision` replacing the
/// referral's). Every type that derives `ToSchema` (or is declared with `stored_enum!`) must have a name of its own.
#[test]
fn no_two_schema_types_share_a_name() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let opens_schema = (line.trim_start().starts_with("#[derive(")
                || line.trim() == "ToSchema,")
                && line.contains("ToSchema")
                || line.contains("stored_enum! {");
            if !opens_schema {
                continue;
            }
            // The type is the next `pub struct` / `pub enum` after the attribute.
            if let Some(name) = lines[i + 1..].iter().take(15).find_map(|l| {
                let l = l.trim_start();
                l.strip_prefix("pub struct ")
                    .or_else(|| l.strip_prefix("pub enum "))
                    .map(|rest| {
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap()
                            .to_owned()
                    })
            }) {
                seen.entry(name)
                    .or_default()
                    .push(file.display().to_string());
            }
        }
    }
    let clashes: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(
        clashes.is_empty(),
        "schema types sharing a name: {clashes:?}"
    );
    assert!(seen.len() > 50, "the scan found the schema types");
}
