//! Every obligation the procedure gives the caller's institution, with its due date and state.

pub mod api;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_deadlines);
}
