//! A person's right of access (GDPR art. 15) answered in one call: what an institution holds about the person,
//! why, who received it, how long it is kept, and every recorded access, as JSON or as a PDF.

pub mod api;
pub mod model;
pub mod pdf;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::get_person_disclosure);
}
