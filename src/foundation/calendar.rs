//! Polish public holidays, working days and the deadline arithmetic of the Code of Administrative Procedure
//! (KPA art. 57). Pure functions; every deadline of the procedures is computed here.
//!
//! * Public holidays (ustawa o dniach wolnych od pracy): 1 Jan, 6 Jan (from 2011), Easter Sunday and Monday, 1 May, 3 May,
//!   Pentecost Sunday (Easter + 49), Corpus Christi (Easter + 60), 15 Aug, 1 Nov, 11 Nov, 24 Dec (from 2025),
//!   25 Dec, 26 Dec.
//! * A working day (dzień roboczy) is Monday to Friday and not a public holiday.
//! * KPA art. 57: the day of the event is not counted; a period in days ends on its last day; a period in months
//!   ends on the same day number of the later month (the month's last day if it has no such day); a deadline that
//!   falls on a Saturday or a public holiday (Sundays are public holidays) moves to the next working day.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .expect("the computus yields a real date")
}

/// The public holidays of a year, in date order.
pub fn public_holidays(year: i32) -> Vec<NaiveDate> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("fixed holidays are real dates");
    let easter = easter_sunday(year);
    let mut days = vec![
        ymd(1, 1),
        easter,
        easter + Days::new(1),
        ymd(5, 1),
        ymd(5, 3),
        easter + Days::new(49),
        easter + Days::new(60),
        ymd(8, 15),
        ymd(11, 1),
        ymd(11, 11),
        ymd(12, 25),
        ymd(12, 26),
    ];
    // Epiphany was restored by the 2010 amendment, from 2011 on.
    if year >= 2011 {
        days.push(ymd(1, 6));
    }
    // Christmas Eve became a public holiday by the 2024 amendment, from 2025 on.
    if year >= 2025 {
        days.push(ymd(12, 24));
    }
    days.sort();
    days
}

pub fn is_public_holiday(date: NaiveDate) -> bool {
    public_holidays(date.year()).contains(&date)
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// The first working day on or after `date`.
pub fn next_working_day_from(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while !is_working_day(d) {
        d = d + Days::new(1);
    }
    d
}

/// The `n`-th working day after `date` (the day of the event not counted): "within 5 working days of signing".
pub fn add_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d + Days::new(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// A KPA deadline of `n` days after the event: the event day is not counted, and an end on a Saturday or a
/// public holiday moves to the next working day.
pub fn kpa_days(event: NaiveDate, n: u64) -> NaiveDate {
    next_working_day_from(event + Days::new(n))
}

/// The same day number `n` months later, clamped to the month's last day (no KPA shift).
pub fn add_months_clamped(date: NaiveDate, n: u32) -> NaiveDate {
    // chrono clamps to the last day of the target month, which is the KPA rule for months.
    date.checked_add_months(Months::new(n))
        .expect("dates stay in range")
}

/// A KPA deadline of `n` months after the event: same day number (clamped), then moved off Saturdays and holidays.
pub fn kpa_months(event: NaiveDate, n: u32) -> NaiveDate {
    next_working_day_from(add_months_clamped(event, n))
}

/// The last day of a period of `n` months that *begins on* `first_day` (the first day counts, as for a trial month
/// or a programme that starts on a given day). KC art. 112: the period ends on the day before the one whose date
/// corresponds to the first day; where the last month has no such day (a start on the 29th–31st), it ends on that
/// month's last day. So a month from 4 May ends on 3 June, and a month from 31 January ends on 28 (29) February.
pub fn last_day_of_months_from(first_day: NaiveDate, n: u32) -> NaiveDate {
    let same_day = add_months_clamped(first_day, n);
    if same_day.day() == first_day.day() {
        same_day - Days::new(1)
    } else {
        same_day
    }
}

/// Today's date where the institutions work; "overdue" and "due soon" are judged against it.
pub fn today_in_warsaw() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Warsaw)
        .date_naive()
}

/// The date in Europe/Warsaw of a stored UTC timestamp: the legal day on which something was done.
pub fn warsaw_date(at: chrono::NaiveDateTime) -> NaiveDate {
    at.and_utc()
        .with_timezone(&chrono_tz::Europe::Warsaw)
        .date_naive()
}

/// "Today" as the service judges deadlines: the date in Europe/Warsaw, shifted by an offset that is zero in
/// production. Tests move the offset to walk a participant through a trial month without waiting for it.
#[derive(Debug, Default)]
pub struct Clock {
    offset_days: std::sync::atomic::AtomicI64,
}

impl Clock {
    pub fn today(&self) -> NaiveDate {
        let offset = self.offset_days.load(std::sync::atomic::Ordering::Relaxed);
        let real = today_in_warsaw();
        if offset >= 0 {
            real + Days::new(offset as u64)
        } else {
            real - Days::new(offset.unsigned_abs())
        }
    }

    /// Moves "today" by `days` (tests only; nothing in the API can reach it).
    pub fn advance(&self, days: i64) {
        self.offset_days
            .fetch_add(days, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_the_published_dates() {
        let known = [
            (2019, d(2019, 4, 21)),
            (2020, d(2020, 4, 12)),
            (2021, d(2021, 4, 4)),
            (2022, d(2022, 4, 17)),
            (2023, d(2023, 4, 9)),
            (2024, d(2024, 3, 31)),
            (2025, d(2025, 4, 20)),
            (2026, d(2026, 4, 5)),
            (2027, d(2027, 3, 28)),
            (2028, d(2028, 4, 16)),
            (2038, d(2038, 4, 25)),
            (2285, d(2285, 3, 22)),
        ];
        for (year, date) in known {
            assert_eq!(easter_sunday(year), date, "{year}");
        }
    }

    #[test]
    fn movable_holidays_follow_easter() {
        // Corpus Christi 2025-06-19 and 2026-06-04; Pentecost 2025-06-08 and 2026-05-24; Easter Monday.
        for (corpus, pentecost, monday) in [
            (d(2025, 6, 19), d(2025, 6, 8), d(2025, 4, 21)),
            (d(2026, 6, 4), d(2026, 5, 24), d(2026, 4, 6)),
            (d(2024, 5, 30), d(2024, 5, 19), d(2024, 4, 1)),
            (d(2027, 5, 27), d(2027, 5, 16), d(2027, 3, 29)),
        ] {
            assert!(is_public_holiday(corpus), "{corpus}");
            assert!(is_public_holiday(pentecost), "{pentecost}");
            assert!(is_public_holiday(monday), "{monday}");
            assert!(!is_working_day(corpus));
            assert!(
                is_working_day(corpus - Days::new(1)),
                "the day before Corpus Christi is a Wednesday"
            );
        }
    }

    #[test]
    fn epiphany_is_a_holiday_from_2011_only() {
        assert!(
            is_working_day(d(2010, 1, 6)),
            "a Wednesday before the amendment"
        );
        assert!(is_public_holiday(d(2011, 1, 6)));
        assert!(!is_working_day(d(2027, 1, 6)));
        // A 14-day period from Wed 23 Dec 2026 ends on Wed 6 Jan 2027 (Epiphany) and moves to Thu 7 Jan.
        assert_eq!(kpa_days(d(2026, 12, 23), 14), d(2027, 1, 7));
    }

    #[test]
    fn christmas_eve_is_a_holiday_from_2025_only() {
        assert!(!is_public_holiday(d(2024, 12, 24)));
        assert!(is_working_day(d(2024, 12, 24)), "a Tuesday");
        assert!(is_public_holiday(d(2025, 12, 24)));
        assert!(
            !is_working_day(d(2025, 12, 24)),
            "a Wednesday, but a holiday"
        );
        assert!(is_public_holiday(d(2030, 12, 24)));
        assert_eq!(public_holidays(2024).len(), 13);
        assert_eq!(public_holidays(2025).len(), 14);
    }

    #[test]
    fn weekends_are_not_working_days() {
        assert!(!is_working_day(d(2026, 11, 21)), "Saturday");
        assert!(!is_working_day(d(2026, 11, 22)), "Sunday");
        assert!(is_working_day(d(2026, 11, 23)), "Monday");
    }

    #[test]
    fn working_days_skip_the_may_holidays() {
        // 2026: Thu 30 Apr; Fri 1 May holiday; Sat 2; Sun 3 May holiday; Mon 4 May.
        assert_eq!(add_working_days(d(2026, 4, 30), 1), d(2026, 5, 4));
        assert_eq!(add_working_days(d(2026, 4, 29), 5), d(2026, 5, 7));
        // 2025: Wed 30 Apr; Thu 1 May holiday; Fri 2 May working; Sat 3 May holiday.
        assert_eq!(add_working_days(d(2025, 4, 30), 1), d(2025, 5, 2));
        assert_eq!(add_working_days(d(2025, 4, 30), 2), d(2025, 5, 5));
    }

    #[test]
    fn working_days_skip_11_november_and_the_year_end() {
        // 2026: Wed 11 Nov.
        assert_eq!(add_working_days(d(2026, 11, 10), 1), d(2026, 11, 12));
        // 2025: Tue 23 Dec; 24, 25, 26 holidays (Wed-Fri); weekend; Mon 29 Dec.
        assert_eq!(add_working_days(d(2025, 12, 23), 1), d(2025, 12, 29));
        // 2024: 24 Dec still a working day.
        assert_eq!(add_working_days(d(2024, 12, 23), 1), d(2024, 12, 24));
        // Across New Year and Epiphany 2027: Thu 31 Dec 2026; Fri 1 Jan; Wed 6 Jan.
        assert_eq!(add_working_days(d(2026, 12, 31), 1), d(2027, 1, 4));
        assert_eq!(add_working_days(d(2026, 12, 31), 3), d(2027, 1, 7));
        assert_eq!(add_working_days(d(2026, 12, 30), 0), d(2026, 12, 30));
    }

    #[test]
    fn kpa_day_periods_do_not_count_the_event_and_move_off_saturdays_and_holidays() {
        // 14 days from Mon 2026-11-09 is Mon 2026-11-23.
        assert_eq!(kpa_days(d(2026, 11, 9), 14), d(2026, 11, 23));
        // Ending on Sat 2026-11-21 moves to Mon 23.
        assert_eq!(kpa_days(d(2026, 11, 7), 14), d(2026, 11, 23));
        // Ending on Wed 11 Nov 2026 moves to Thu 12.
        assert_eq!(kpa_days(d(2026, 10, 28), 14), d(2026, 11, 12));
        // Across a month end: 2026-01-20 + 14 = 2026-02-03 (Tuesday).
        assert_eq!(kpa_days(d(2026, 1, 20), 14), d(2026, 2, 3));
        // Across the year end into 1 Jan (holiday) and a weekend: 2025-12-18 + 14 = Thu 1 Jan 2026 -> Fri 2 Jan.
        assert_eq!(kpa_days(d(2025, 12, 18), 14), d(2026, 1, 2));
        // Ending on Sun 3 May 2026 (holiday and Sunday) moves to Mon 4 May.
        assert_eq!(kpa_days(d(2026, 4, 19), 14), d(2026, 5, 4));
    }

    #[test]
    fn kpa_month_periods_end_on_the_same_day_number_clamped() {
        assert_eq!(add_months_clamped(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(add_months_clamped(d(2028, 1, 31), 1), d(2028, 2, 29));
        assert_eq!(add_months_clamped(d(2026, 3, 15), 1), d(2026, 4, 15));
        assert_eq!(add_months_clamped(d(2026, 12, 15), 1), d(2027, 1, 15));
        // 2026-10-11 + 1 month = Wed 11 Nov (holiday) -> Thu 12 Nov.
        assert_eq!(kpa_months(d(2026, 10, 11), 1), d(2026, 11, 12));
        // 2026-01-31 + 1 month = Sat 28 Feb -> Mon 2 Mar.
        assert_eq!(kpa_months(d(2026, 1, 31), 1), d(2026, 3, 2));
        // Two months for a complicated case.
        assert_eq!(kpa_months(d(2026, 3, 3), 2), d(2026, 5, 4));
    }

    #[test]
    fn month_periods_from_the_29th_to_the_31st_end_on_the_last_day_of_a_shorter_month() {
        let end = |s: NaiveDate| last_day_of_months_from(s, 1);
        // An ordinary day: the day before the same day number.
        assert_eq!(end(d(2026, 5, 4)), d(2026, 6, 3));
        assert_eq!(end(d(2026, 1, 28)), d(2026, 2, 27));
        // February 2026 has 28 days: starts on the 29th, 30th and 31st all end on 28 Feb.
        assert_eq!(end(d(2026, 1, 29)), d(2026, 2, 28));
        assert_eq!(end(d(2026, 1, 30)), d(2026, 2, 28));
        assert_eq!(end(d(2026, 1, 31)), d(2026, 2, 28));
        // A leap February: the 29th exists, so a start on 29 Jan ends on 28 Feb; the 30th and 31st on 29 Feb.
        assert_eq!(end(d(2028, 1, 29)), d(2028, 2, 28));
        assert_eq!(end(d(2028, 1, 30)), d(2028, 2, 29));
        assert_eq!(end(d(2028, 1, 31)), d(2028, 2, 29));
        // 30-day months after a 31st.
        assert_eq!(end(d(2026, 3, 31)), d(2026, 4, 30));
        assert_eq!(end(d(2026, 5, 31)), d(2026, 6, 30));
        assert_eq!(end(d(2026, 8, 31)), d(2026, 9, 30));
        assert_eq!(end(d(2026, 3, 30)), d(2026, 4, 29));
        // Into a 31-day month, and across the year end.
        assert_eq!(end(d(2026, 12, 31)), d(2027, 1, 30));
        assert_eq!(end(d(2026, 4, 30)), d(2026, 5, 29));
        // Twelve months (the longest planned participation).
        assert_eq!(
            last_day_of_months_from(d(2026, 11, 24), 12),
            d(2027, 11, 23)
        );
        assert_eq!(last_day_of_months_from(d(2027, 2, 28), 12), d(2028, 2, 27));
        assert_eq!(last_day_of_months_from(d(2028, 2, 29), 12), d(2029, 2, 28));
    }

    #[test]
    fn the_next_working_day_is_the_day_itself_when_it_works() {
        assert_eq!(next_working_day_from(d(2026, 11, 23)), d(2026, 11, 23));
        assert_eq!(
            next_working_day_from(d(2026, 4, 4)),
            d(2026, 4, 7),
            "Sat, Easter Sunday, Easter Monday"
        );
    }
}
