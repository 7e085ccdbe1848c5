//! Turning `validator` reports into the API's field errors, with dotted paths into nested bodies. Only this module
//! knows `validator`; `error` does not know this module.

use crate::foundation::error::{ApiError, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize as _, Deserializer};
use validator::{ValidationErrors, ValidationErrorsKind};

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Validation(field_errors(&e))
    }
}

/// A required free text: at most `max` characters as sent (the contract's `maxLength`), not blank, stored
/// trimmed (`required` / `too_long` on `field`). The limit counts what was sent, not what is left after trimming,
/// so that a text one character over `maxLength` is refused whatever that character is.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let t = value.trim();
    if value.chars().count() > max {
        Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ))
    } else if t.is_empty() {
        Err(FieldError::new(
            field,
            "required",
            format!("{field} must not be empty"),
        ))
    } else {
        Ok(t.to_owned())
    }
}

/// An optional free text: at most `max` characters as sent, as for [`required_text`]; stored trimmed, and a blank
/// one is none (`too_long` on `field`).
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value {
        Some(v) if v.chars().count() > max => Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        )),
        Some(v) => Ok(Some(v.trim()).filter(|t| !t.is_empty()).map(str::to_owned)),
        None => Ok(None),
    }
}

/// A field's checked value, or `None` with its error added to `errors`, so that one 422 lists every field.
pub fn gather<T>(errors: &mut Vec<FieldError>, checked: Result<T, FieldError>) -> Option<T> {
    checked.map_err(|e| errors.push(e)).ok()
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

/// A date a client sends, in a body or a query string: exactly `YYYY-MM-DD`, the RFC 3339 full-date that the
/// contract's `format: date` names. chrono alone also takes a signed year of up to six digits (`+262142-12-31`,
/// `-4714-01-01`); such a date cannot be a date of these procedures, PostgreSQL refuses years before 4713 BC, and
/// the deadline arithmetic (a month after the last date chrono knows) would overflow. So every request date goes
/// through here (`#[serde(deserialize_with = "crate::foundation::validation::date")]`) and anything else is a 422.
pub fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    deserializer.deserialize_str(DateVisitor)
}

/// [`date`] for an optional field; give it `#[serde(default)]` too, so that a missing field stays `None`.
pub fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Date(#[serde(deserialize_with = "date")] NaiveDate);
    Ok(Option::<Date>::deserialize(deserializer)?.map(|Date(d)| d))
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<NaiveDate, E> {
        parse_date(s).ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))
    }
}

/// An optional instant a client sends (RFC 3339 `date-time`): a four-digit year, as for [`date`]; otherwise what
/// chrono reads (`2026-12-03T09:30:00+01:00`, `…Z`). A signed year made PostgreSQL fail the query.
pub fn optional_date_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    struct Instant(DateTime<Utc>);
    impl<'de> serde::Deserialize<'de> for Instant {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let s = String::deserialize(deserializer)?;
            let instant = s
                .get(..10)
                .and_then(parse_date)
                .and_then(|_| s.parse::<DateTime<Utc>>().ok())
                .ok_or_else(|| {
                    de::Error::invalid_value(
                        de::Unexpected::Str(&s),
                        &"an RFC 3339 date-time such as 2026-12-03T09:30:00Z",
                    )
                })?;
            Ok(Instant(instant))
        }
    }
    Ok(Option::<Instant>::deserialize(deserializer)?.map(|Instant(t)| t))
}

/// `YYYY-MM-DD` with a four-digit year, a real day of a real month; `None` for anything else.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 => c == b'-',
            _ => c.is_ascii_digit(),
        });
    shape
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_limited_as_sent_and_stored_trimmed() {
        fn code<T>(r: Result<T, FieldError>) -> Option<String> {
            r.err().map(|e| e.code)
        }
        assert_eq!(required_text("f", "  abc ", 6).unwrap(), "abc");
        // One character over maxLength is too long even when it is a space that trimming would drop.
        assert_eq!(
            code(required_text("f", "abc ", 3)).as_deref(),
            Some("too_long")
        );
        assert_eq!(
            code(required_text("f", " \t\n", 5)).as_deref(),
            Some("required")
        );
        assert_eq!(
            optional_text("f", Some(" a "), 3).unwrap().as_deref(),
            Some("a")
        );
        assert_eq!(optional_text("f", Some("   "), 3).unwrap(), None);
        assert_eq!(optional_text("f", None, 3).unwrap(), None);
        assert_eq!(
            code(optional_text("f", Some("a   "), 3)).as_deref(),
            Some("too_long")
        );
        // Characters, not bytes: "żółw" is four characters in eight bytes.
        assert!(optional_text("f", Some("żółw"), 4).is_ok());
    }

    #[test]
    fn request_dates_are_rfc3339_full_dates() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("2026-12-03"), d(2026, 12, 3));
        assert_eq!(parse_date("0001-01-01"), d(1, 1, 1));
        assert_eq!(parse_date("9999-12-31"), d(9999, 12, 31));
        assert_eq!(parse_date("2028-02-29"), d(2028, 2, 29));
        for bad in [
            "+262142-12-31",
            "-4714-01-01",
            "-0001-01-01",
            "+2026-12-03",
            "12026-12-03",
            "2026-1-03",
            "2026-12-3",
            "2026/12/03",
            "2026-12-03T00:00:00Z",
            " 2026-12-03",
            "2027-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-12-32",
            "２０２６-12-03",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[derive(serde::Deserialize, Debug)]
    struct Body {
        #[serde(deserialize_with = "date")]
        on: NaiveDate,
        #[serde(default, deserialize_with = "optional_date")]
        until: Option<NaiveDate>,
    }

    #[test]
    fn the_deserializers_take_only_full_dates_and_keep_missing_and_null_optional() {
        let body: Body = serde_json::from_str(r#"{"on":"2026-12-03"}"#).unwrap();
        assert_eq!(
            (body.on.to_string(), body.until),
            ("2026-12-03".into(), None)
        );
        let body: Body = serde_json::from_str(r#"{"on":"2026-12-03","until":null}"#).unwrap();
        assert_eq!(body.until, None);
        let body: Body =
            serde_json::from_str(r#"{"on":"2026-12-03","until":"2027-01-04"}"#).unwrap();
        assert_eq!(body.until.map(|d| d.to_string()), Some("2027-01-04".into()));
        for bad in [
            r#"{"on":"+262142-12-31"}"#,
            r#"{"on":"2026-12-03","until":"-4714-01-01"}"#,
            r#"{"on":20261203}"#,
        ] {
            let e = serde_json::from_str::<Body>(bad).unwrap_err();
            assert!(e.is_data(), "{bad}: {e}");
        }
        let q: Body = serde_urlencoded::from_str("on=2026-12-03&until=2027-01-04").unwrap();
        assert_eq!(q.until.map(|d| d.to_string()), Some("2027-01-04".into()));
        assert!(serde_urlencoded::from_str::<Body>("on=-4714-01-01").is_err());
    }

    #[derive(serde::Deserialize, Debug)]
    struct Range {
        #[serde(default, deserialize_with = "optional_date_time")]
        from: Option<DateTime<Utc>>,
    }

    #[test]
    fn instants_have_four_digit_years() {
        let from = |q: &str| {
            serde_urlencoded::from_str::<Range>(q).map(|r| r.from.map(|t| t.to_rfc3339()))
        };
        assert_eq!(from("").unwrap(), None);
        assert_eq!(
            from("from=2026-12-03T09:30:00%2B01:00").unwrap().as_deref(),
            Some("2026-12-03T08:30:00+00:00")
        );
        assert_eq!(
            from("from=2026-12-03T09:30:00Z").unwrap().as_deref(),
            Some("2026-12-03T09:30:00+00:00")
        );
        for bad in [
            "from=-4714-01-01T00:00:00Z",
            "from=%2B262142-01-01T00:00:00Z",
            "from=2026-12-03",
            "from=2026-12-03T25:00:00Z",
            "from=soon",
        ] {
            assert!(from(bad).is_err(), "{bad}");
        }
    }
}
