//! The legal date of an act: the day it was really done (the referral signed, the decision issued, the letter
//! sent), which every statutory period runs from, as opposed to the moment the server recorded it. A client gives
//! it for what it is (`issued_on`, `sent_on`, `decided_on`, …); absent, it is today in Europe/Warsaw. It is never in
//! the future, never before the act it follows on the same case, and never before 2000 (the holiday calendar's
//! first year). An act recorded more than [`RECORDED_LATE_DAYS`] after its legal date is marked `recorded_late`,
//! so that a supervisor can see back-dating.

use chrono::{NaiveDate, NaiveDateTime};

use crate::foundation::calendar::warsaw_date;
use crate::foundation::error::{ApiError, FieldError};

/// An act recorded more than this many days after its legal date is `recorded_late`.
pub const RECORDED_LATE_DAYS: i64 = 7;

/// The earliest legal date the service takes: the first year of the holiday calendar.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real date");

/// An earlier act of the same case that a new act may not predate.
#[derive(Debug, Clone, Copy)]
pub struct Earlier<'a> {
    /// The problem code when the new act predates it: `before_<act>` (`before_referral`).
    pub code: &'static str,
    /// The earlier act in words, for the message: `the referral was issued`.
    pub act: &'a str,
    pub on: NaiveDate,
}

impl<'a> Earlier<'a> {
    pub fn new(code: &'static str, act: &'a str, on: NaiveDate) -> Self {
        Earlier { code, act, on }
    }
}

/// The checked legal date of an act: `given`, or `today` when absent.
pub fn legal_date(
    field: &str,
    given: Option<NaiveDate>,
    today: NaiveDate,
    earlier: &[Earlier],
) -> Result<NaiveDate, ApiError> {
    check(field, given.unwrap_or(today), today, earlier).map_err(|e| ApiError::Validation(vec![e]))
}

/// The same check as a field error, for handlers that report every failure of a body at once.
pub fn check(
    field: &str,
    on: NaiveDate,
    today: NaiveDate,
    earlier: &[Earlier],
) -> Result<NaiveDate, FieldError> {
    if on > today {
        return Err(FieldError::new(
            field,
            "in_future",
            format!("{on} is in the future (today is {today} in Europe/Warsaw)"),
        ));
    }
    if on < EARLIEST {
        return Err(FieldError::new(
            field,
            "out_of_range",
            format!("on or after {EARLIEST}"),
        ));
    }
    // The latest of the earlier acts is the one to name.
    if let Some(e) = earlier.iter().filter(|e| on < e.on).max_by_key(|e| e.on) {
        return Err(FieldError::new(
            field,
            e.code,
            format!("{} on {}; `{field}` is on or after it", e.act, e.on),
        ));
    }
    Ok(on)
}

/// Recorded more than [`RECORDED_LATE_DAYS`] after the legal date (the recording day taken in Europe/Warsaw).
pub fn recorded_late(legal: NaiveDate, recorded_at: NaiveDateTime) -> bool {
    (warsaw_date(recorded_at) - legal).num_days() > RECORDED_LATE_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn absent_is_today_and_the_future_is_refused() {
        let today = d("2026-12-07");
        assert_eq!(legal_date("issued_on", None, today, &[]).unwrap(), today);
        let e = check("issued_on", d("2026-12-08"), today, &[]).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("issued_on", "in_future")
        );
        assert_eq!(
            check("issued_on", d("1999-12-31"), today, &[])
                .unwrap_err()
                .code,
            "out_of_range"
        );
    }

    #[test]
    fn an_act_never_predates_the_latest_act_it_follows() {
        let today = d("2026-12-07");
        let earlier = [
            Earlier::new(
                "before_application",
                "the application was filed",
                d("2026-11-02"),
            ),
            Earlier::new("before_opinion", "the opinion was issued", d("2026-11-20")),
        ];
        assert!(check("issued_on", d("2026-11-20"), today, &earlier).is_ok());
        let e = check("issued_on", d("2026-11-01"), today, &earlier).unwrap_err();
        assert_eq!(e.code, "before_opinion");
        assert!(
            e.message.contains("the opinion was issued on 2026-11-20"),
            "{}",
            e.message
        );
    }

    #[test]
    fn recorded_late_counts_days_in_warsaw() {
        let at = |s: &str| s.parse::<NaiveDateTime>().unwrap();
        // 7 days after is on time; the 8th is late. 23:30 UTC on 9 Dec is already 10 Dec in Warsaw.
        assert!(!recorded_late(d("2026-12-01"), at("2026-12-08T12:00:00")));
        assert!(recorded_late(d("2026-12-01"), at("2026-12-09T12:00:00")));
        assert!(recorded_late(d("2026-12-02"), at("2026-12-09T23:30:00")));
    }
}
