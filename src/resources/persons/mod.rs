//! The person registry: the people the procedures are about, the most sensitive table of the system.
//!
//! MOPR sees every person; any other institution sees a person only while it has registered them or has a case
//! involving them (`person_access`), and otherwise gets 404 exactly as for a missing record. Every read and change
//! is audited, and every change also records which fields changed.

pub mod api;
pub mod model;
pub mod names;
pub mod pesel;
pub mod store;
pub mod update_api;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_persons)
        .service(api::create_person)
        .service(api::get_person)
        .service(update_api::update_person)
        .service(update_api::list_person_changes);
}
