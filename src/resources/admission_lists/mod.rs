//! The admission list (lista osób przyjętych): within 5 working days of signing an IPZS, the CIS director sends
//! MOPR the list of persons admitted.

pub mod api;
pub mod letter;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::send_admission_list)
        .service(api::get_admission_list);
}
