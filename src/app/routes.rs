//! The route table in one place, and the OpenAPI document of exactly those routes.

use actix_web::App;
use utoipa::OpenApi as _;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use crate::app::{health, openapi};
use crate::identity as auth;
use crate::records::{audit, events, webhooks};
use crate::resources::{
    admission_lists, care_homes, case_registers, deadlines, disclosure, documents,
    dps_applications, fees, institutions, ipzs, opinions, persons, qualifications,
    referral_applications, referrals, users, waiting_lists,
};

/// The route table, in one place. Every service registered here is also collected into the OpenAPI document.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live).service(health::ready).service(
        scope::scope("/api/v1")
            .configure(auth::routes)
            .configure(institutions::routes)
            .configure(users::routes)
            .configure(persons::routes)
            .configure(disclosure::routes)
            .configure(referral_applications::routes)
            .configure(opinions::routes)
            .configure(referrals::routes)
            .configure(ipzs::routes)
            .configure(admission_lists::routes)
            .configure(qualifications::routes)
            .configure(dps_applications::routes)
            .configure(case_registers::routes)
            .configure(documents::routes)
            .configure(fees::routes)
            .configure(care_homes::routes)
            .configure(waiting_lists::routes)
            .configure(deadlines::routes)
            .configure(events::routes)
            .configure(webhooks::routes)
            .configure(audit::routes),
    );
}

/// The OpenAPI document of exactly the routes [`routes`] registers.
pub fn openapi_spec() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    openapi::finish(&mut api);
    api
}

/// The document as served and committed: [`openapi_spec`] with the keys utoipa keeps unordered (its
/// extensions, a hash map: the cross-field `if`/`then`/`else`) put in one fixed order, so that every run writes
/// the same bytes.
pub fn openapi_document(spec: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut document = serde_json::to_value(spec).expect("the OpenAPI document serialises");
    openapi::put_conditionals_in_order(&mut document);
    document
}

/// The spec as the pretty JSON committed at `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = serde_json::to_string_pretty(&openapi_document(&openapi_spec()))
        .expect("the OpenAPI document serialises");
    s.push('\n');
    s
}
