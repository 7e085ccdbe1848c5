//! Throttling sign-in after failed attempts, per account and client address (OWASP's authentication guidance: no
//! lock-out, growing delays). A guesser at one address slows only itself: the account's owner signs in from anywhere
//! else as usual, and even from the guesser's address once the delay has passed.

use chrono::{NaiveDateTime, TimeDelta};

/// A streak of failures is forgotten after a day without one (and at once after a successful sign-in).
pub const STREAK_RESETS_AFTER: TimeDelta = TimeDelta::hours(24);

/// How long this account must wait at this address before its next attempt, in seconds, if at all. The first
/// `free` failures cost nothing; after the n-th failure beyond them the wait is 2^(n-1) seconds (1, 2, 4, …),
/// never more than `longest`.
pub fn throttled_for(
    failures: i32,
    last_failed: Option<NaiveDateTime>,
    now: NaiveDateTime,
    free: u32,
    longest: TimeDelta,
) -> Option<u64> {
    let last = last_failed?;
    if now - last >= STREAK_RESETS_AFTER {
        return None;
    }
    let beyond = failures - free as i32;
    if beyond < 1 {
        return None;
    }
    let delay = TimeDelta::seconds(1i64 << (beyond - 1).min(30)).min(longest);
    let free_at = last + delay;
    (free_at > now).then(|| (free_at - now).num_seconds().max(1) as u64)
}

/// The count after one more failure: a streak older than a day starts again.
pub fn next_count(failures: i32, last_failed: NaiveDateTime, now: NaiveDateTime) -> i32 {
    if now - last_failed >= STREAK_RESETS_AFTER {
        1
    } else {
        failures.saturating_add(1)
    }
}

#[cfg(test)]
mod throttle_tests {
    use super::*;
    use chrono::NaiveDate;

    fn t0() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_free_failures_cost_nothing_then_each_doubles_the_wait_up_to_the_longest() {
        let (t0, longest) = (t0(), TimeDelta::seconds(300));
        let wait = |failures, after: i64| {
            throttled_for(
                failures,
                Some(t0),
                t0 + TimeDelta::seconds(after),
                5,
                longest,
            )
        };
        assert_eq!(wait(5, 0), None);
        assert_eq!(wait(6, 0), Some(1));
        assert_eq!(wait(7, 0), Some(2));
        assert_eq!(wait(8, 1), Some(3));
        assert_eq!(wait(8, 4), None);
        assert_eq!(wait(14, 0), Some(256));
        assert_eq!(wait(15, 0), Some(300));
        assert_eq!(wait(60, 299), Some(1));
        assert_eq!(wait(60, 300), None);
        assert_eq!(throttled_for(9, None, t0, 5, longest), None);
    }

    #[test]
    fn a_streak_is_forgotten_after_a_day() {
        let t0 = t0();
        let day = STREAK_RESETS_AFTER;
        assert_eq!(
            throttled_for(60, Some(t0), t0 + day, 5, TimeDelta::days(2)),
            None
        );
        assert_eq!(next_count(60, t0, t0 + day), 1);
        assert_eq!(next_count(60, t0, t0 + day - TimeDelta::seconds(1)), 61);
    }
}
