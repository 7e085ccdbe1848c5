//! Names the contract promises that the code must keep: every problem code the spec documents is one the server
//! can send, and no schema takes a name the common client generators keep for their own runtime.

use std::collections::BTreeSet;
use std::path::Path;

fn committed() -> serde_json::Value {
    serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap()
}

/// The problem codes the spec documents: `code` in every example of a problem or a field error, and every code a
/// description names after a status (409 `file_incomplete`, 422 `pesel_checksum`).
fn documented_codes(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    let named_after_status = regex::Regex::new(
        r"(?-u:\b)(400|401|403|404|405|409|412|413|415|422|428|429|503)(?-u:\b)[^`.;]{0,30}`([a-z][a-z0-9_]+)`",
    )
    .unwrap();
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(code)) = map.get("code")
                && (map.contains_key("detail") || map.contains_key("field"))
            {
                out.insert(code.clone());
            }
            map.values().for_each(|v| documented_codes(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| documented_codes(v, out)),
        serde_json::Value::String(text) => {
            for found in named_after_status.captures_iter(text) {
                out.insert(found[2].to_owned());
            }
        }
        _ => {}
    }
}

/// Every string literal of the server's source: the codes it sends are `&'static str` literals.
fn literals(dir: &Path, out: &mut BTreeSet<String>) {
    let literal = regex::Regex::new(r#""([a-z][a-z0-9_]*)""#).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            literals(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            // What a module's own unit tests say is no promise of the server.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            out.extend(literal.captures_iter(code).map(|c| c[1].to_owned()));
        }
    }
}

#[test]
fn every_documented_problem_code_is_one_the_server_sends() {
    let mut documented = BTreeSet::new();
    documented_codes(&committed(), &mut documented);
    assert!(
        documented.len() > 30,
        "the collection found too few codes: {documented:?}"
    );
    let mut sent = BTreeSet::new();
    literals(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut sent,
    );
    let unknown: Vec<_> = documented.difference(&sent).collect();
    assert!(
        unknown.is_empty(),
        "the spec documents codes the server never sends: {unknown:?}"
    );
}

/// Names the generated runtimes define beside the models (openapi-generator's python and typescript-fetch,
/// openapi-python-client): a schema of that name overwrites or shadows them.
const RESERVED: &[&str] = &[
    // openapi-generator python
    "ApiClient",
    "ApiResponse",
    "ApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "ApiAttributeError",
    "Configuration",
    "OpenApiException",
    "RESTClientObject",
    "RESTResponse",
    "BadRequestException",
    "NotFoundException",
    "UnauthorizedException",
    "ForbiddenException",
    "ServiceException",
    // openapi-python-client
    "Client",
    "AuthenticatedClient",
    "Unset",
    "File",
    "Response",
    "UnexpectedStatus",
    // typescript-fetch and the TypeScript/JavaScript globals it uses unqualified
    "BaseAPI",
    "RequiredError",
    "ResponseError",
    "FetchError",
    "Blob",
    "Request",
    "Error",
    "Date",
    "Object",
    "Array",
    "Promise",
    "Set",
    "Map",
    "JSONApiResponse",
    "VoidApiResponse",
    "BlobApiResponse",
    "TextApiResponse",
];

#[test]
fn no_schema_takes_a_name_the_generators_reserve() {
    let spec = committed();
    let names: Vec<&String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let clashes: Vec<_> = names
        .iter()
        .filter(|n| {
            RESERVED.contains(&n.as_str())
                // Python keywords and builtins are renamed by the generators (`From` → `ModelFrom`).
                || ["None", "True", "False", "From", "Import", "Type", "Property", "Object", "List", "Dict"]
                    .contains(&n.as_str())
        })
        .collect();
    assert!(
        clashes.is_empty(),
        "schemas named as a generator's runtime: {clashes:?}"
    );
}

#[test]
fn every_operation_but_the_token_and_health_endpoints_requires_the_bearer_token() {
    let spec = committed();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let open = path == "/api/v1/auth/token" || path.starts_with("/health/");
            let bearer = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer_jwt").is_some()));
            // No token: no `security` at all (an empty requirement makes generators demand a token).
            assert_eq!(
                (bearer, op.get("security").is_none()),
                (!open, open),
                "{method} {path}: {:?}",
                op.get("security")
            );
        }
    }
}
