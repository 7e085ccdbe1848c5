//! User accounts and API clients of an institution, managed by that institution's `admin` (and by platform
//! admins, who create each institution's first admin).

pub mod account_api;
pub mod api;
pub mod clients_api;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_users)
        .service(api::create_user)
        .service(api::get_user)
        .service(account_api::deactivate_user)
        .service(account_api::activate_user)
        .service(account_api::reset_user_password)
        .service(clients_api::list_api_clients)
        .service(clients_api::create_api_client)
        .service(clients_api::get_api_client)
        .service(clients_api::deactivate_api_client);
}
