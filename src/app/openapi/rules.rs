//! The parts of the document derived from the registered operations: page item references, cross-field rules,
//! links from creates to their operations, where each ETag is read, and response examples.

use utoipa::openapi::{Ref, RefOr};

/// `Page<T>` is generated with `T` inlined; where `T` is a component of its own, the page refers to it instead, so
/// clients generate one type per record (and the component is not reported unused).
pub(super) fn refer_page_items(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !names.iter().any(|n| n == item) {
            continue;
        }
        if let RefOr::T(Schema::Object(page)) = schema
            && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
        {
            items.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(item).into()));
        }
    }
}

/// A string with at least one character that is not white space (the handlers trim before checking).
fn non_blank() -> serde_json::Value {
    serde_json::json!({"type": "string", "pattern": "\\S"})
}

/// The cross-field rules of request bodies, as JSON Schema `if`/`then`/`else` under `allOf`, so that clients and
/// generated clients know them before sending. The handlers enforce the same rules with the 422 field errors
/// named in the descriptions; `tests/api/openapi.rs` sends a counterexample of each rule and expects that 422.
pub fn cross_field_rules() -> Vec<(&'static str, Vec<serde_json::Value>)> {
    use serde_json::json;
    let required = |fields: &[&str]| {
        let properties: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|f| ((*f).to_owned(), non_blank()))
            .collect();
        json!({"required": fields, "properties": properties})
    };
    let when = |field: &str, condition: serde_json::Value| json!({"required": [field], "properties": {field: condition}});
    vec![
        (
            "NewReferralApplication",
            vec![
                // Another institution that applied on paper is named (`applicant_name: required`).
                json!({"if": when("applicant_kind", json!({"enum": ["addiction_treatment_facility", "ops", "kis"]})),
                       "then": required(&["applicant_name"])}),
                // Claiming the open group `other` describes it (`other_category_description: required`).
                json!({"if": when("eligibility_categories", json!({"contains": {"const": "other"}})),
                       "then": required(&["other_category_description"])}),
            ],
        ),
        (
            "Consent",
            // No application without the person's consent. Stated as "not false" rather than `const: true`:
            // openapi-generator's python models compare a boolean `const` or `enum` with the string 'true', so that
            // no `Consent` could be built at all.
            vec![json!({"properties": {"given": {"not": {"const": false}}}})],
        ),
        (
            "NewReferral",
            vec![
                // A refusal gives its reasons (`reasons: reasons_required`); a ground goes with a refusal only
                // (`refusal_ground: not_a_refusal`).
                json!({"if": when("decision", json!({"const": "refused"})),
                       "then": required(&["reasons"]),
                       "else": {"properties": {"refusal_ground": {"type": "null"}}}}),
            ],
        ),
        (
            "NewPerson",
            // Without a PESEL the birth date and sex are given (with one, they are taken from it).
            vec![json!({"if": {"properties": {"pesel": {"type": "null"}}},
                        "then": {"required": ["birth_date", "sex"],
                                 "properties": {"birth_date": {"type": "string"}, "sex": {"type": "string"}}}})],
        ),
        (
            "NewInstitution",
            // A MOPR names the area it serves (`area: required`).
            vec![
                json!({"if": when("kind", json!({"const": "MOPR"})), "then": required(&["area"])}),
            ],
        ),
        (
            "NewDpsApplication",
            // Another person applying is named (`applicant_name: required`).
            vec![
                json!({"if": when("applicant_kind", json!({"const": "other_person"})),
                        "then": required(&["applicant_name"])}),
            ],
        ),
        (
            "DocumentUpdate",
            // A received document has its date; a missing or not applicable one has neither a date nor a file.
            vec![json!({"if": when("status", json!({"const": "received"})),
                        "then": {"required": ["received_on"], "properties": {"received_on": {"type": "string"}}},
                        "else": {"properties": {"received_on": {"type": "null"}, "document_id": {"type": "null"}}}})],
        ),
        (
            "NewIpzs",
            // The participant was told about health insurance at signing.
            // "Not false", as for `Consent.given`.
            vec![
                json!({"properties": {"participant_informed_of_insurance": {"not": {"const": false}}}}),
            ],
        ),
        (
            "NewWebhook",
            // Each event type once (`event_types: duplicate`).
            vec![json!({"properties": {"event_types": {"uniqueItems": true}}})],
        ),
    ]
}

pub(super) fn state_cross_field_rules(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (name, rules) in cross_field_rules() {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) else {
            panic!("cross-field rules name {name}, which is not an object schema of the API");
        };
        // A rule on one property alone (`const`, `uniqueItems`) goes on the property itself: wrapped in an `allOf`
        // beside the object's own properties, client generators read it as a second type to merge.
        let (own, conditional): (Vec<_>, Vec<_>) = rules.into_iter().partition(|rule| {
            rule.as_object()
                .is_some_and(|r| r.len() == 1 && r.contains_key("properties"))
        });
        for rule in own {
            for (property, keywords) in rule["properties"].as_object().into_iter().flatten() {
                put_on_property(object, name, property, keywords);
            }
        }
        // At the top of the object, not in an `allOf` beside its properties: generators (openapi-generator's
        // python and typescript-fetch) read such an `allOf` as a second type to merge, and turned the object's
        // nullable references into wrappers of a missing `Null`. Extensions are a hash map, so the keys are put in
        // order when the document is written ([`put_conditionals_in_order`]).
        if let Some(serde_json::Value::Object(combined)) = combine(&conditional) {
            let extensions = object.extensions.get_or_insert_with(Default::default);
            for (key, value) in combined {
                extensions.insert(key, value);
            }
        }
    }
}

/// Several `if`/`then`/`else` rules as one: R1 and R2 is "if A1 then (X1 and R2) else (Y1 and R2)", with R2
/// nested the same way, so that the object needs no `allOf` of them.
fn combine(rules: &[serde_json::Value]) -> Option<serde_json::Value> {
    let (first, rest) = rules.split_first()?;
    let Some(rest) = combine(rest) else {
        return Some(first.clone());
    };
    let with_rest = |branch: Option<&serde_json::Value>| match branch {
        Some(b) => serde_json::json!({"allOf": [b, rest]}),
        None => rest.clone(),
    };
    Some(serde_json::json!({
        "if": first["if"],
        "then": with_rest(first.get("then")),
        "else": with_rest(first.get("else")),
    }))
}

/// Writes `if`, `then` and `else` last and in that order wherever they stand, whatever order utoipa's extensions
/// (a hash map) gave them.
pub fn put_conditionals_in_order(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for child in map.values_mut() {
                put_conditionals_in_order(child);
            }
            for key in ["if", "then", "else"] {
                if let Some(v) = map.shift_remove(key) {
                    map.insert(key.to_owned(), v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(put_conditionals_in_order),
        _ => {}
    }
}

fn put_on_property(
    object: &mut utoipa::openapi::schema::Object,
    name: &str,
    property: &str,
    keywords: &serde_json::Value,
) {
    use utoipa::openapi::schema::Schema;
    for (keyword, value) in keywords.as_object().into_iter().flatten() {
        match (object.properties.get_mut(property), keyword.as_str()) {
            (Some(RefOr::T(Schema::Array(array))), "uniqueItems") => {
                array.unique_items = value.as_bool().unwrap_or(false);
            }
            (Some(RefOr::T(Schema::Object(field))), _) => {
                field
                    .extensions
                    .get_or_insert_with(Default::default)
                    .insert(keyword.clone(), value.clone());
            }
            _ => panic!("the rule on {name}.{property} ({keyword}) has no property to go on"),
        }
    }
}

/// OpenAPI links from each create's 201 to the operations on what it created (`{collection}/{id}` and below): the
/// new `id` from the body, the collection's own path parameters from the request, and `If-Match` from the `ETag`.
/// Clients and stateful testers (schemathesis) follow them to read and transition a new record in one flow.
pub(super) fn link_creates_to_their_operations(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    struct Target {
        path: String,
        operation_id: String,
        params: Vec<String>,
        if_match: bool,
    }
    let mut targets = Vec::new();
    for (path, item) in api.paths.paths.iter() {
        for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
            .into_iter()
            .flatten()
        {
            let Some(operation_id) = op.operation_id.clone() else {
                continue;
            };
            let mut params = Vec::new();
            let mut if_match = false;
            for p in op.parameters.iter().flatten() {
                if let RefOr::T(p) = p {
                    match p.parameter_in {
                        utoipa::openapi::path::ParameterIn::Path => params.push(p.name.clone()),
                        utoipa::openapi::path::ParameterIn::Header
                            if p.name.eq_ignore_ascii_case("if-match") =>
                        {
                            if_match = true
                        }
                        _ => {}
                    }
                }
            }
            targets.push(Target {
                path: path.clone(),
                operation_id,
                params,
                if_match,
            });
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let Some(op) = item.post.as_mut() else {
            continue;
        };
        let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") else {
            continue;
        };
        let own: Vec<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        for t in &targets {
            let Some(rest) = t.path.strip_prefix(path.as_str()) else {
                continue;
            };
            let mut segments = rest.split('/').skip(1);
            let Some(new_param) = segments
                .next()
                .and_then(|s| s.strip_prefix('{'))
                .and_then(|s| s.strip_suffix('}'))
            else {
                continue;
            };
            let mut link = LinkBuilder::new()
                .operation_id(&t.operation_id)
                .description(format!("`{}` of the record just created.", t.operation_id));
            // A target with a path parameter the create cannot supply (a resident of the new home) is not linked.
            if !t.params.iter().all(|p| p == new_param || own.contains(p)) {
                continue;
            }
            for p in &t.params {
                let value = if p == new_param {
                    "$response.body#/id".to_owned()
                } else {
                    format!("$request.path.{p}")
                };
                link = link.parameter(p.clone(), value);
            }
            if t.if_match {
                link = link.parameter("header.If-Match", "$response.header.ETag");
            }
            created
                .links
                .insert(t.operation_id.clone(), link.build().into());
        }
    }
}

/// Every `If-Match` says which read gives the ETag it needs: the nearest `GET` up the operation's own path (a
/// transition of `/ipzs/{id}/complete` takes the ETag of `GET /ipzs/{id}`). Operations on another record name it
/// in their own description.
pub(super) fn name_where_each_etag_is_read(api: &mut utoipa::openapi::OpenApi) {
    let readable: Vec<String> = api
        .paths
        .paths
        .iter()
        .filter(|(_, item)| item.get.is_some())
        .map(|(p, _)| p.clone())
        .collect();
    for (path, item) in api.paths.paths.iter_mut() {
        let segments: Vec<&str> = path.split('/').collect();
        let read = (1..=segments.len()).rev().find_map(|i| {
            let prefix = segments[..i].join("/");
            (segments[i - 1].starts_with('{') && readable.contains(&prefix)).then_some(prefix)
        });
        for op in [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p
                    && p.name.eq_ignore_ascii_case("if-match")
                    && let Some(read) = &read
                {
                    let text = p.description.get_or_insert_with(String::new);
                    if !text.contains("`GET ") {
                        text.push_str(&format!(" Take it from the `ETag` of `GET {read}`."));
                    }
                }
            }
        }
    }
}

/// Real response bodies captured from the Postman collection's run (`postman/capture_examples.py`), one per response
/// type that has no example in the code. CI validates every example against its schema.
const RESPONSE_EXAMPLES: &str = include_str!("../../../openapi/examples.json");

pub(super) fn add_response_examples(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    let examples: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(RESPONSE_EXAMPLES).expect("openapi/examples.json is a JSON object");
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (name, example) in examples {
        // A type with `#[serde(flatten)]` is an `allOf` of its parts.
        let slot = match components.schemas.get_mut(&name) {
            Some(RefOr::T(Schema::Object(o))) if o.examples.is_empty() => &mut o.example,
            Some(RefOr::T(Schema::AllOf(a))) if a.examples.is_empty() => &mut a.example,
            _ => continue,
        };
        slot.get_or_insert(example);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn two_rules_become_one_nested_conditional() {
        let r1 = json!({"if": {"a": 1}, "then": {"x": 1}});
        let r2 = json!({"if": {"b": 1}, "then": {"y": 1}, "else": {"z": 1}});
        assert_eq!(combine(&[]), None);
        assert_eq!(combine(std::slice::from_ref(&r1)), Some(r1.clone()));
        assert_eq!(
            combine(&[r1, r2.clone()]),
            Some(json!({"if": {"a": 1}, "then": {"allOf": [{"x": 1}, r2]}, "else": r2}))
        );
    }

    #[test]
    fn conditionals_are_written_last_and_in_order() {
        let mut v = json!({"else": 3, "type": "object", "then": 2, "if": 1, "properties": {"p": {"then": 0, "if": 0}}});
        put_conditionals_in_order(&mut v);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"type":"object","properties":{"p":{"if":0,"then":0}},"if":1,"then":2,"else":3}"#
        );
    }
}
