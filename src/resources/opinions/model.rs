//! The rules of the social worker's opinion (opinia pracownika socjalnego).

use chrono::{Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::foundation::db::schema::opinions;
use crate::foundation::error::{ApiError, FieldError};

crate::stored_enum! {
    /// The social worker's recommendation.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Recommendation {
        Positive,
        Negative,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = opinions, treat_none_as_default_value = false)]
pub struct OpinionRow {
    pub id: String,
    pub application_id: String,
    pub author_id: String,
    pub family_interview_on: NaiveDate,
    pub recommendation: Recommendation,
    pub justification: String,
    /// When it was recorded.
    pub issued_at: NaiveDateTime,
    /// The day it was signed: its legal date.
    pub issued_on: NaiveDate,
}

/// A family interview is current for 6 months: the social-assistance rules require it to be updated at least that
/// often (rozporządzenie w sprawie rodzinnego wywiadu środowiskowego, § 5).
pub const INTERVIEW_VALID_MONTHS: u32 = 6;

/// The interview an opinion rests on was carried out by the day the opinion was issued (`issued_on`, itself never
/// in the future) and is still current when the application reached MOPR: not more than 6 months before
/// `received_on`.
pub fn check_interview_date(
    interview_on: NaiveDate,
    received_on: NaiveDate,
    issued_on: NaiveDate,
) -> Result<(), FieldError> {
    if interview_on > issued_on {
        return Err(FieldError::new(
            "family_interview_on",
            "in_future",
            format!("the interview must have taken place by the day of the opinion ({issued_on})"),
        ));
    }
    let earliest = received_on
        .checked_sub_months(Months::new(INTERVIEW_VALID_MONTHS))
        .unwrap_or(NaiveDate::MIN);
    if interview_on < earliest {
        return Err(FieldError::new(
            "family_interview_on",
            "interview_outdated",
            format!(
                "the interview must be current: on or after {earliest} (at most {INTERVIEW_VALID_MONTHS} months before the application reached MOPR on {received_on})"
            ),
        ));
    }
    Ok(())
}

/// The opinion's text: trimmed, 1 to 8000 characters.
pub fn check_justification(text: &str) -> Result<String, FieldError> {
    crate::foundation::validation::required_text("justification", text, 8000)
}

/// Both checks, every failure reported at once.
pub fn check(
    interview_on: NaiveDate,
    received_on: NaiveDate,
    justification: &str,
    today: NaiveDate,
) -> Result<String, ApiError> {
    let interview = check_interview_date(interview_on, received_on, today);
    let text = check_justification(justification);
    match (interview, text) {
        (Ok(()), Ok(text)) => Ok(text),
        (a, b) => Err(ApiError::Validation(
            [a.err(), b.err()].into_iter().flatten().collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_interview_is_current_and_not_in_the_future() {
        let received = d("2026-11-20");
        let today = d("2026-11-24");
        assert!(check_interview_date(d("2026-11-24"), received, today).is_ok());
        assert!(check_interview_date(d("2026-05-20"), received, today).is_ok());
        let code = |i: &str| {
            check_interview_date(d(i), received, today)
                .unwrap_err()
                .code
        };
        assert_eq!(code("2026-05-19"), "interview_outdated");
        assert_eq!(code("2020-01-01"), "interview_outdated");
        assert_eq!(code("2026-11-25"), "in_future");
        // From 31 August six months back is the last day of February.
        assert!(check_interview_date(d("2026-02-28"), d("2026-08-31"), d("2026-09-01")).is_ok());
        assert!(check_interview_date(d("2026-02-27"), d("2026-08-31"), d("2026-09-01")).is_err());
    }

    #[test]
    fn every_failure_is_reported() {
        match check(d("2020-01-01"), d("2026-11-20"), "  ", d("2026-11-24")) {
            Err(ApiError::Validation(v)) => assert_eq!(v.len(), 2),
            other => panic!("{other:?}"),
        }
    }
}
