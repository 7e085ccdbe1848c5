//! Waiting lists of care homes (lista oczekujących) and placement decisions (decyzja o umieszczeniu). A person
//! with a final decision granting placement is entered on a home's list by the MOPR of the case; the list is
//! kept by the home's placing institution (the city's MOPR, or the county's PCPR for its homes). Combatants and
//! other persons entitled under art. 18 of the combatants' act go first, then everyone by the day of entry. When
//! a place frees, the first person is placed; placing anyone else needs a recorded reason.

pub mod api;
pub mod letter;
pub mod model;
pub mod placement_api;
pub mod read_api;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(read_api::list_waiting_list_entries)
        .service(api::create_waiting_list_entry)
        .service(read_api::get_waiting_list_entry)
        .service(api::remove_from_waiting_list)
        .service(placement_api::issue_placement_decision);
}
