//! An internally tagged enum (`#[serde(tag = "kind")]`) is written by utoipa as a `oneOf` of anonymous objects,
//! which generators name by position (`HouseholdType0`, `HouseholdOneOf1`) and can only tell apart by trying each.
//! Each variant becomes a component of its own, named for its tag (`SingleHousehold`), and the `oneOf` gets a
//! `discriminator` mapping each tag value to it, so a generated client picks the variant by the tag.

use utoipa::openapi::schema::{Discriminator, Schema};
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// Names the variants of every tagged `oneOf` among the component schemas.
pub(super) fn name_tagged_variants(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let mut named = Vec::new();
    for (name, schema) in components.schemas.iter_mut() {
        let RefOr::T(Schema::OneOf(one_of)) = schema else {
            continue;
        };
        let Some(tag) = common_tag(&one_of.items) else {
            continue;
        };
        let mut discriminator = Discriminator::new(tag.clone());
        for item in one_of.items.iter_mut() {
            let Some(value) = tag_value(item, &tag) else {
                continue;
            };
            let variant = format!("{}{name}", upper_camel(&value));
            let reference = format!("#/components/schemas/{variant}");
            let schema = std::mem::replace(item, Ref::new(reference.clone()).into());
            discriminator.mapping.insert(value, reference);
            named.push((variant, schema));
        }
        one_of.discriminator = Some(discriminator);
    }
    components.schemas.extend(named);
}

/// The property every item requires and fixes to one string: the serde tag.
fn common_tag(items: &[RefOr<Schema>]) -> Option<String> {
    let RefOr::T(Schema::Object(first)) = items.first()? else {
        return None;
    };
    first
        .required
        .iter()
        .find(|property| items.iter().all(|item| tag_value(item, property).is_some()))
        .cloned()
}

fn tag_value(item: &RefOr<Schema>, property: &str) -> Option<String> {
    let RefOr::T(Schema::Object(object)) = item else {
        return None;
    };
    if !object.required.iter().any(|r| r == property) {
        return None;
    }
    let RefOr::T(Schema::Object(tag)) = object.properties.get(property)? else {
        return None;
    };
    match tag.enum_values.as_deref() {
        Some([serde_json::Value::String(value)]) => Some(value.clone()),
        _ => None,
    }
}

fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn household_variants_are_named_and_discriminated() {
        let spec = serde_json::to_value(crate::app::routes::openapi_spec()).unwrap();
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Household"]["discriminator"]["mapping"]["family"],
            "#/components/schemas/FamilyHousehold"
        );
        assert_eq!(schemas["SingleHousehold"]["required"][0], "income");
        assert!(schemas["FamilyHousehold"]["properties"]["members"].is_object());
    }

    #[test]
    fn snake_case_becomes_upper_camel() {
        assert_eq!(upper_camel("single"), "Single");
        assert_eq!(upper_camel("own_income"), "OwnIncome");
    }
}
