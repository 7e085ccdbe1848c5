//! Webhooks: partner systems that cannot poll `GET /api/v1/events` register an endpoint and receive their
//! institution's events as signed POSTs (the Standard Webhooks specification), retried with backoff, from the
//! same outbox as the feed (see [`dispatch`]).

pub mod api;
pub mod dispatch;
pub mod model;
pub mod store;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::create_webhook)
        .service(api::list_webhooks)
        .service(api::get_webhook)
        .service(api::deactivate_webhook)
        .service(api::list_webhook_deliveries)
        .service(api::retry_webhook_delivery);
}
