//! Applications for referral to a CIS (workflow A, steps 1–3), with the opinions and referrals that decide them
//! in `crate::resources::opinions` and `crate::resources::referrals`.

pub mod api;
pub mod model;
pub mod store;
pub mod view;
pub mod withdraw_api;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_referral_applications)
        .service(api::create_referral_application)
        .service(api::get_referral_application)
        .service(withdraw_api::withdraw_referral_application);
}
