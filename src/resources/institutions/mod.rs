//! The directory of partner institutions (MOPR, CIS, PCPR, NGO). Readable by every signed-in caller, since an
//! application must name its target CIS; registered by platform admins.

pub mod api;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_institutions)
        .service(api::create_institution)
        .service(api::get_institution);
}
