//! Identity and access: who the caller is (tokens, passwords, the [`Caller`] extractor) and what it may do
//! ([`policy`]). Handlers never compare roles themselves; they ask the policy.

pub mod api;
pub mod caller;
pub mod password;
pub mod policy;
pub mod store;
pub mod tokens;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use caller::Caller;

crate::stored_enum! {
    /// The kind of a partner institution.
    ///
    /// * `MOPR` — Miejski Ośrodek Pomocy Rodzinie, the municipal social-assistance office (an OPS).
    /// * `CIS` — Centrum Integracji Społecznej, a social integration centre.
    /// * `PCPR` — Powiatowe Centrum Pomocy Rodzinie, the county family-assistance centre.
    /// * `NGO` — a non-governmental organisation (and other art. 12 ust. 2 bodies).
    #[derive(Hash)]
    #[serde(rename_all = "UPPERCASE")]
    #[strum(serialize_all = "UPPERCASE")]
    pub enum InstitutionKind {
        Mopr,
        Cis,
        Pcpr,
        Ngo,
    }
}

impl InstitutionKind {
    pub const ALL: [InstitutionKind; 4] = [Self::Mopr, Self::Cis, Self::Pcpr, Self::Ngo];
}

crate::stored_enum! {
    /// A person's role inside their institution.
    ///
    /// * `staff` — an employee handling cases.
    /// * `social_worker` — pracownik socjalny; exists only in a MOPR; writes opinions after a family interview.
    /// * `director` — the head of the institution (or a deputy); takes the decisions the procedure reserves to them.
    /// * `admin` — manages the user accounts and API clients of their own institution, and nothing else.
    /// * `platform_admin` — operates the service: creates institutions and their first admins; belongs to no institution.
    #[derive(Hash)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Role {
        Staff,
        SocialWorker,
        Director,
        Admin,
        PlatformAdmin,
    }
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Staff,
        Self::SocialWorker,
        Self::Director,
        Self::Admin,
        Self::PlatformAdmin,
    ];
}

/// Which table a token's subject lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalType {
    /// A person signing in with a username and password.
    User,
    /// Partner software signing in with a client id and secret.
    Client,
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::issue_token).service(api::get_me);
}

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
