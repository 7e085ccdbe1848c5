//! The register of each case (*metryka sprawy*): its acts with their legal dates and when and by whom they were
//! recorded, for whoever may read the case (a DPS register for the MOPR that runs the case only, as it names the
//! acts of the file). See [`crate::records::acts`].

use actix_web::{HttpResponse, get, web};

use crate::foundation::db::DbConnection;
use crate::foundation::error::ApiError;
use crate::identity::{Caller, policy};
use crate::records::acts::{self, CaseRegister, CaseType};
use crate::records::audit::{Action, Entry};
use crate::records::state::AppState;
use crate::resources::{dps_applications, ipzs, referral_applications};

/// Reads one register as an audited read; `visible` finds the case (404 when the caller may not read it) and
/// names its person.
async fn read(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    case: CaseType,
    visible: fn(&mut DbConnection, &Caller, &str) -> Result<String, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::person_scope(&caller)?;
    let register = crate::records::audit::group::run_read(
        &state.pool,
        &state.audit,
        caller.principal(),
        move |conn, trail| {
            let person = visible(conn, &caller, &id)?;
            trail.read(
                &caller,
                Entry::new(Action::Read, case.as_str(), &id)
                    .person(&person)
                    .detail("acts"),
            );
            acts::register(conn, case, &id)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(register))
}

/// The register of a referral application.
///
/// Every act of the case in the order recorded (`application.submitted`, `opinion.issued`,
/// `referral.issued` or `referral.refused`, `application.withdrawn`), each with its legal date, the moment it was
/// recorded, by whom, and `recorded_late` when recorded more than 7 days after its legal date. For whoever may read
/// the application; 404 for everyone else.
#[utoipa::path(
    tag = "referral-applications",
    operation_id = "get_referral_application_acts",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The application's id.")),
    responses(
        (status = 200, description = "The case register.", body = CaseRegister),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/referral-applications/{id}/acts")]
pub async fn get_referral_application_acts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    read(
        state,
        caller,
        id.into_inner(),
        CaseType::ReferralApplication,
        |conn, caller, id| {
            Ok(referral_applications::store::load_visible(conn, caller, id)?.person_id)
        },
    )
    .await
}

/// The register of an IPZS.
///
/// Every act of the programme in the order recorded (`ipzs.signed`, `admission_list.sent`,
/// `qualification.requested`, `qualification.decided`, `ipzs.terminate`, `ipzs.termination_notice`,
/// `ipzs.complete`, `ipzs.insurance`, `ipzs.non_qualification_letter`), each with its legal date, the moment it was
/// recorded, by whom, and `recorded_late`. For the CIS and the MOPR of the programme; 404 for everyone else.
#[utoipa::path(
    tag = "ipzs",
    operation_id = "get_ipzs_acts",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The IPZS's id.")),
    responses(
        (status = 200, description = "The case register.", body = CaseRegister),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/ipzs/{id}/acts")]
pub async fn get_ipzs_acts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    read(
        state,
        caller,
        id.into_inner(),
        CaseType::Ipzs,
        |conn, caller, id| Ok(ipzs::store::load_visible(conn, caller, id)?.person_id),
    )
    .await
}

/// The register of a DPS case.
///
/// Every act of the case in the order recorded (`dps_application.submitted`, `.document`, `.qualifying_team`,
/// `.complicated`, `.pause`, `.delay_notice`, `.decision`, `.delivery`, `.waiver`, `.appeal`,
/// `.appeal_forwarding`, `.sko_outcome`, `fee_decision.issued`, `waiting_list.entered`, `placement.decided`), each
/// with its legal date, the moment it was recorded, by whom, and `recorded_late`. For the MOPR that runs the case;
/// 404 for everyone else, the filing PCPR included.
#[utoipa::path(
    tag = "dps-applications",
    operation_id = "get_dps_application_acts",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The case's id.")),
    responses(
        (status = 200, description = "The case register.", body = CaseRegister),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/dps-applications/{id}/acts")]
pub async fn get_dps_application_acts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    read(
        state,
        caller,
        id.into_inner(),
        CaseType::DpsApplication,
        |conn, caller, id| {
            let row = dps_applications::store::load_visible(conn, caller, id)?;
            if !policy::sees_dps_file(caller, &row.mopr_id) {
                return Err(ApiError::not_found("DPS application"));
            }
            Ok(row.person_id)
        },
    )
    .await
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_referral_application_acts)
        .service(get_ipzs_acts)
        .service(get_dps_application_acts);
}
