//! Placement in a care home (dom pomocy społecznej, DPS; workflow B, seed 003): the application, the file and its
//! document checklist, the qualifying team, the administrative decision with its deadline, delivery, waivers,
//! appeals to the SKO and finality.

pub mod api;
pub mod appeal_api;
pub mod deadline_api;
pub mod decision_api;
pub mod file_api;
pub mod letters;
pub mod model;
pub mod store;
pub mod team_api;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_dps_applications)
        .service(api::create_dps_application)
        .service(api::get_dps_application)
        .service(file_api::record_dps_facts)
        .service(file_api::add_dps_document)
        .service(file_api::record_dps_document)
        .service(team_api::record_qualifying_team_opinion)
        .service(deadline_api::mark_dps_complicated)
        .service(deadline_api::record_dps_pause)
        .service(deadline_api::record_dps_delay_notice)
        .service(decision_api::issue_dps_decision)
        .service(decision_api::record_dps_delivery)
        .service(decision_api::record_dps_waiver)
        .service(appeal_api::record_dps_appeal)
        .service(appeal_api::record_dps_appeal_forwarding)
        .service(appeal_api::record_dps_sko_outcome);
}
