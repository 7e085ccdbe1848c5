//! Identity and access: who the caller is (tokens, passwords, the [`Caller`] extractor) and what it may do
//! ([`policy`]). Handlers never compare roles themselves; they ask the policy.

pub mod api;
pub mod caller;
pub mod kinds;
pub mod password;
pub mod policy;
pub mod store;
pub mod throttle;
pub mod tokens;

pub use caller::Caller;
pub use kinds::{InstitutionKind, PrincipalType, Role};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::issue_token).service(api::get_me);
}
