//! The individual programme of social employment (IPZS) and what follows from it: the trial month, the admission
//! list, health insurance, termination and completion (workflow A, steps 4–6).

pub mod api;
pub mod end_api;
pub mod insurance_api;
pub mod letters;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_ipzs)
        .service(api::create_ipzs)
        .service(api::get_ipzs)
        .service(end_api::terminate_ipzs)
        .service(end_api::send_termination_notice)
        .service(end_api::complete_ipzs)
        .service(insurance_api::record_insurance)
        .service(end_api::record_non_qualification_letter);
}
