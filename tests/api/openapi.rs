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
    // The UI loads the document the service serves, not a copy of its own.
    let resp = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(resp.status(), 200);
    let js = resp.text().await.unwrap();
    assert!(js.contains(r#""url": "/openapi.json""#), "{js}");
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
        // Writes are rate limited per caller, the token endpoint per client address.
        if method != "get" && path.starts_with("/api/v1/") {
            needed.push("429");
            let headers = &spec["components"]["responses"]["TooManyRequests"]["headers"];
            for h in ["Retry-After", "RateLimit", "RateLimit-Policy"] {
                assert!(headers.get(h).is_some(), "the 429 response declares {h}");
            }
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

/// Each cross-field rule the schema states (`openapi::cross_field_rules`) is the server's: a counterexample of it is
/// refused with 422 on the field the rule names, so a client that validates against the schema is never
/// surprised, and the schema never promises what the server refuses.
#[tokio::test]
async fn every_cross_field_rule_of_the_schema_is_enforced_by_the_server() {
    use crate::helpers::{spawn_app, today};
    use reqwest::Method;
    use serde_json::json;

    // Each rule is in the document: a rule on one property as that property's own keywords, a rule across
    // fields in the schema's `allOf`.
    let spec = committed();
    for (name, rules) in reintegra::app::openapi::cross_field_rules() {
        let schema = &spec["components"]["schemas"][name];
        for rule in rules {
            let on_one_property = rule.as_object().is_some_and(|r| r.len() == 1);
            if on_one_property {
                for (property, keywords) in rule["properties"].as_object().unwrap() {
                    for (keyword, value) in keywords.as_object().unwrap() {
                        assert_eq!(
                            &schema["properties"][property][keyword], value,
                            "{name}.{property} does not state {keyword}"
                        );
                    }
                }
            } else {
                // At the top of the object (several nested as if/then/else), never in an `allOf`.
                assert!(
                    schema.get("allOf").is_none(),
                    "{name} states a rule in an allOf"
                );
                let stated = serde_json::to_string(&schema["if"]).unwrap()
                    + &serde_json::to_string(&schema["then"]).unwrap()
                    + &serde_json::to_string(&schema["else"]).unwrap();
                for part in ["if", "then", "else"].iter().filter_map(|k| rule.get(*k)) {
                    let part = serde_json::to_string(part).unwrap();
                    assert!(stated.contains(&part), "{name} does not state {part}");
                }
            }
        }
    }

    let app = spawn_app().await;
    let cis = app.institution_id("CIS").await;
    let person = app
        .create_person(
            "mopr-staff",
            &json!({"first_name": "Reguła", "last_name": "Krzyżowa", "birth_date": "1970-01-01", "sex": "female"}),
        )
        .await;
    let application = |extra: serde_json::Value| {
        let mut body =
            crate::helpers::application_body(person["id"].as_str().unwrap(), &cis, today());
        body["applicant_kind"] = json!("self");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(&str, &str, Method, String, serde_json::Value, &str)> = vec![
        (
            "NewReferralApplication",
            "mopr-staff",
            Method::POST,
            "/api/v1/referral-applications".into(),
            application(json!({"applicant_kind": "kis"})),
            "applicant_name",
        ),
        (
            "NewReferralApplication",
            "mopr-staff",
            Method::POST,
            "/api/v1/referral-applications".into(),
            application(json!({"applicant_kind": "ops", "applicant_name": "   "})),
            "applicant_name",
        ),
        (
            "NewReferralApplication",
            "mopr-staff",
            Method::POST,
            "/api/v1/referral-applications".into(),
            application(json!({"eligibility_categories": ["other"]})),
            "other_category_description",
        ),
        (
            "Consent",
            "mopr-staff",
            Method::POST,
            "/api/v1/referral-applications".into(),
            application(
                json!({"consent": {"given": false, "given_on": today(), "given_by": "person"}}),
            ),
            "consent.given",
        ),
        (
            "NewReferral",
            "mopr-director",
            Method::POST,
            "/api/v1/referrals".into(),
            json!({"application_id": "x", "decision": "refused"}),
            "reasons",
        ),
        (
            "NewReferral",
            "mopr-director",
            Method::POST,
            "/api/v1/referrals".into(),
            json!({"application_id": "x", "decision": "referred", "refusal_ground": "other"}),
            "refusal_ground",
        ),
        (
            "NewPerson",
            "mopr-staff",
            Method::POST,
            "/api/v1/persons".into(),
            json!({"first_name": "A", "last_name": "B", "sex": "male"}),
            "birth_date",
        ),
        (
            "NewPerson",
            "mopr-staff",
            Method::POST,
            "/api/v1/persons".into(),
            json!({"first_name": "A", "last_name": "B", "birth_date": "1970-01-01"}),
            "sex",
        ),
        (
            "NewInstitution",
            "platform-admin",
            Method::POST,
            "/api/v1/institutions".into(),
            json!({"kind": "MOPR", "name": "MOPR bez obszaru", "address": "ul. Prosta 1, 87-100 Toruń"}),
            "area",
        ),
        (
            "NewDpsApplication",
            "mopr-staff",
            Method::POST,
            "/api/v1/dps-applications".into(),
            json!({"person_id": person["id"], "applicant_kind": "other_person", "form": "written", "received_on": today(),
                   "dps_type": "elderly", "justification": "Wymaga opieki."}),
            "applicant_name",
        ),
        (
            "NewIpzs",
            "cis-director",
            Method::POST,
            "/api/v1/ipzs".into(),
            json!({"referral_id": "x", "signed_on": today(), "start_on": today(), "planned_end_on": today() + chrono::Days::new(90),
                   "diagnosis": "d", "goals": "g", "activities": [{"kind": "social", "description": "a"}],
                   "participant_informed_of_insurance": false}),
            "participant_informed_of_insurance",
        ),
        (
            "NewWebhook",
            "mopr-admin",
            Method::POST,
            "/api/v1/webhooks".into(),
            json!({"url": "https://partner.example.org/hook", "event_types": ["opinion.issued", "opinion.issued"]}),
            "event_types",
        ),
    ];
    let mut covered: Vec<&str> = Vec::new();
    for (schema, user, method, path, body, field) in &cases {
        let token = app.token(user).await;
        let resp = app
            .request(method.clone(), path)
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let problem = crate::helpers::json(resp).await;
        assert_eq!(status, 422, "{schema} {body}: {problem}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(fields.contains(field), "{schema}: {field} not in {problem}");
        covered.push(schema);
    }
    // The document update needs a case; its rule is checked against its own endpoint.
    let case = crate::dps::file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let code = case["file"]["items"][0]["code"].as_str().unwrap();
    let path = format!(
        "/api/v1/dps-applications/{}/documents/{code}",
        case["id"].as_str().unwrap()
    );
    let version = format!("\"{}\"", case["version"]);
    let token = app.token("mopr-worker").await;
    for (body, field) in [
        (json!({"status": "received"}), "received_on"),
        (
            json!({"status": "missing", "received_on": today()}),
            "received_on",
        ),
        (
            json!({"status": "not_applicable", "document_id": "0193"}),
            "document_id",
        ),
    ] {
        let resp = app
            .call_if_match(Method::POST, &path, &token, &version, Some(&body))
            .await;
        let problem = crate::helpers::json(resp).await;
        assert_eq!(problem["status"], 422, "{body}: {problem}");
        assert!(problem.to_string().contains(field), "{problem}");
    }
    covered.push("DocumentUpdate");
    for (name, _) in reintegra::app::openapi::cross_field_rules() {
        assert!(
            covered.contains(&name),
            "no counterexample sent for the rule of {name}"
        );
    }
}

/// A client can always learn the version a transition needs: every `If-Match` names the read that gives it, and
/// that read exists.
#[test]
fn every_if_match_names_the_read_that_gives_its_etag() {
    let spec = committed();
    for (method, path, op) in operations(&spec) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["name"] != "If-Match" {
                continue;
            }
            let text = p["description"].as_str().unwrap_or_default();
            let read = text
                .split("`GET ")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .unwrap_or_else(|| {
                    panic!("{method} {path}: If-Match does not name its read: {text}")
                });
            assert!(
                spec["paths"][read]["get"].is_object(),
                "{method} {path}: If-Match names GET {read}, which does not exist"
            );
        }
    }
}

/// The response headers the contract declares are the ones the server sends: a create's `Location` and `ETag`, a
/// read's and a change's `ETag`, a replay's `Idempotent-Replayed`, the writes' rate-limit state.
#[tokio::test]
async fn the_declared_response_headers_are_sent() {
    use reqwest::Method;
    let spec = committed();
    let declared = |path: &str, method: &str, status: &str| -> Vec<String> {
        spec["paths"][path][method]["responses"][status]["headers"]
            .as_object()
            .map(|h| h.keys().map(|k| k.to_ascii_lowercase()).collect())
            .unwrap_or_default()
    };
    let app = crate::helpers::spawn_app_with(|c| {
        c.rate_limits.writes_per_minute = 1000;
    })
    .await;
    let token = app.token("mopr-staff").await;
    let body = serde_json::json!({"first_name": "Jan", "last_name": "Naglowek", "birth_date": "1970-01-01", "sex": "male"});
    let send = || {
        app.request(Method::POST, "/api/v1/persons")
            .bearer_auth(&token)
            .header("idempotency-key", "\"declared-headers\"")
            .json(&body)
            .send()
    };
    let created = send().await.unwrap();
    assert_eq!(created.status(), 201);
    let replayed = send().await.unwrap();
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let read = app.call(Method::GET, &location, &token, None).await;
    let etag = crate::helpers::etag_of(&read);
    let changed = app
        .call_if_match(
            Method::PATCH,
            &location,
            &token,
            &etag,
            Some(&serde_json::json!({"first_name": "Janusz"})),
        )
        .await;
    assert_eq!(changed.status(), 200);
    for (resp, path, method, status, expected) in [
        (
            &created,
            "/api/v1/persons",
            "post",
            "201",
            &["location", "etag", "ratelimit", "ratelimit-policy"][..],
        ),
        (
            &replayed,
            "/api/v1/persons",
            "post",
            "201",
            &["idempotent-replayed", "location", "etag"][..],
        ),
        (&read, "/api/v1/persons/{id}", "get", "200", &["etag"][..]),
        (
            &changed,
            "/api/v1/persons/{id}",
            "patch",
            "200",
            &["etag", "ratelimit"][..],
        ),
    ] {
        let names = declared(path, method, status);
        for header in expected {
            assert!(
                resp.headers().contains_key(*header),
                "{method} {path} sent no {header}"
            );
            assert!(
                names.iter().any(|n| n == header),
                "{method} {path} {status} does not declare {header}: {names:?}"
            );
        }
    }
}
