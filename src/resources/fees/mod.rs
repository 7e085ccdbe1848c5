//! Fees for a stay in a care home (DPS): the income criteria in force over time, and the fee decision (decyzja
//! ustalająca opłatę) that MOPR issues with a granted placement, computed by the pure rules of [`model`].

pub mod api;
pub mod criteria_api;
pub mod letter;
pub mod model;
pub mod read_api;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(criteria_api::list_income_criteria)
        .service(criteria_api::add_income_criterion)
        .service(api::issue_fee_decision)
        .service(read_api::list_fee_decisions)
        .service(read_api::get_fee_decision);
}
