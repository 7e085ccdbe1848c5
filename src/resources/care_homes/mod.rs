//! The registry of care homes (domy pomocy społecznej): what types of resident each serves, how many places it has,
//! who runs it, which institution issues its placement decisions (a city's MOPR for the city's homes, a county's
//! PCPR for the county's) and its published average monthly cost of stay, a history that is never overwritten.
//! Residents come in (a placement decision, or an admission recorded by the placing institution) and leave; free
//! places are derived from them, never typed.

pub mod api;
pub mod model;
pub mod residents_api;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_care_homes)
        .service(api::create_care_home)
        .service(api::get_care_home)
        .service(api::publish_care_home_cost)
        .service(residents_api::list_care_home_residents)
        .service(residents_api::admit_care_home_resident)
        .service(residents_api::record_resident_departure);
}
