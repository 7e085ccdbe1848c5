//! Every free text the API takes states the rule the server applies to it: no NUL character (U+0000), which
//! PostgreSQL's text cannot hold. The server refuses one anywhere (422 `nul_character` in a body, 400
//! `invalid_query` in a query string); without the pattern a schema-valid request could be refused, and a
//! contract tester's positive data found exactly that.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, Object, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

/// Any text without the NUL character (ECMA-262, as JSON Schema's `pattern` is).
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// Adds [`NO_NUL`] to every string schema that has no pattern, format or enumeration of its own (those already
/// exclude it): component schemas, inline bodies and query parameters.
pub(super) fn state_no_nul(api: &mut OpenApi) {
    if let Some(components) = api.components.as_mut() {
        for schema in components.schemas.values_mut() {
            walk(schema);
        }
    }
    for item in api.paths.paths.values_mut() {
        let operations = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in operations.into_iter().flatten() {
            operation(op);
        }
    }
}

fn operation(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(p) = p
            && matches!(p.parameter_in, ParameterIn::Query)
            && let Some(schema) = p.schema.as_mut()
        {
            walk(schema);
        }
    }
    if let Some(RefOr::T(body)) = op.request_body.as_mut() {
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content
                && let Some(schema) = content.schema.as_mut()
            {
                walk(schema);
            }
        }
    }
}

fn is_free_text(o: &Object) -> bool {
    let text = match &o.schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    text && o.format.is_none() && o.enum_values.is_none() && o.pattern.is_none()
}

fn walk(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(o) => {
            if is_free_text(o) {
                o.pattern = Some(NO_NUL.to_owned());
            }
            for property in o.properties.values_mut() {
                walk(property);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                walk(items);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(walk),
        Schema::AllOf(x) => x.items.iter_mut().for_each(walk),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(walk),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_refuses_the_nul_character_and_nothing_else() {
        // JSON Schema patterns are ECMA-262; this one reads the same in Rust's regex.
        let re = regex::Regex::new(&NO_NUL.replace("\\u0000", "\\x00")).unwrap();
        assert!(re.is_match("Żółć, \\u0000 as text, and a newline\n"));
        assert!(!re.is_match("ze\u{0}ro"));
    }
}
