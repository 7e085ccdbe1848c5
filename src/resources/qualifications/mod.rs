//! Qualification after the trial month (kwalifikacja): the CIS director asks in the last week of the trial month,
//! the MOPR director decides, and the answer must reach the CIS before the proper period starts.

pub mod api;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::request_qualification)
        .service(api::decide_qualification)
        .service(api::get_qualification);
}
