//! Throttling sign-in after failed attempts.

/// How long an account must wait before its next sign-in attempt, if it is throttled: after `max_failures`
/// failed attempts, each less than `window` after the one before, until `window` has passed since the last.
pub fn throttled_for(
    failed_logins: i32,
    last_failed: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
    max_failures: u32,
    window: chrono::TimeDelta,
) -> Option<u64> {
    let last = last_failed?;
    if failed_logins < max_failures as i32 {
        return None;
    }
    let free_at = last + window;
    (free_at > now).then(|| (free_at - now).num_seconds().max(1) as u64)
}

#[cfg(test)]
mod throttle_tests {
    use super::throttled_for;
    use chrono::{NaiveDate, TimeDelta};

    #[test]
    fn throttling_starts_at_the_limit_and_ends_after_the_window() {
        let t0 = NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let w = TimeDelta::seconds(300);
        assert_eq!(throttled_for(4, Some(t0), t0, 5, w), None);
        assert_eq!(throttled_for(5, Some(t0), t0, 5, w), Some(300));
        assert_eq!(
            throttled_for(9, Some(t0), t0 + TimeDelta::seconds(299), 5, w),
            Some(1)
        );
        assert_eq!(
            throttled_for(9, Some(t0), t0 + TimeDelta::seconds(300), 5, w),
            None
        );
        assert_eq!(throttled_for(9, None, t0, 5, w), None);
    }
}
