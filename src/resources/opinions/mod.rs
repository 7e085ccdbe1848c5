//! The social worker's opinion on a referral application (opinia pracownika socjalnego), written after a family
//! interview (wywiad środowiskowy) and forwarded to the target CIS at once.

pub mod api;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::issue_opinion).service(api::get_opinion);
}
