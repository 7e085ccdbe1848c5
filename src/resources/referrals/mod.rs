//! MOPR's decision on a referral application: the referral to a CIS (skierowanie do udziału w zajęciach CIS),
//! sent to the CIS with the opinion, or its refusal.

pub mod api;
pub mod letter;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_referrals)
        .service(api::issue_referral)
        .service(api::get_referral);
}
