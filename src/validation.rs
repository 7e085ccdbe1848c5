//! Turning `validator` reports into the API's field errors, with dotted paths into nested bodies. Only this module
//! knows `validator`; `error` does not know this module.

use crate::error::{ApiError, FieldError};
use validator::{ValidationErrors, ValidationErrorsKind};

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Validation(field_errors(&e))
    }
}

/// A required free text: trimmed, then 1 to `max` characters (`required` / `too_long` on `field`).
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let t = value.trim();
    match t.chars().count() {
        0 => Err(FieldError::new(
            field,
            "required",
            format!("{field} must not be empty"),
        )),
        n if n > max => Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        )),
        _ => Ok(t.to_owned()),
    }
}

/// Flattens a (possibly nested) validation report into one list of field errors, sorted by field so that the
/// order is stable between runs.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect("", errors, &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field).then(a.code.cmp(&b.code)));
    out
}

fn collect(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("{path} is not valid ({})", e.code));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}
