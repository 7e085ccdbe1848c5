//! The individual programme of social employment (IPZS) and what follows from it: the trial month, the admission
//! list, health insurance, termination and completion (workflow A, steps 4–6).

pub mod api;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_ipzs)
        .service(api::create_ipzs)
        .service(api::get_ipzs)
        .service(api::terminate_ipzs)
        .service(api::send_termination_notice)
        .service(api::complete_ipzs)
        .service(api::record_insurance)
        .service(api::record_non_qualification_letter);
}
