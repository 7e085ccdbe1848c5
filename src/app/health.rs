//! Probes for load balancers and orchestrators. They need no token and reveal nothing but up/down.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::foundation::db;
use crate::foundation::error::ApiError;
use crate::records::state::AppState;

/// The state of one probe.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` when the probe passes.
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process is up and serving HTTP.
///
/// Does not touch the database, so a database outage does not make an orchestrator restart healthy nodes.
#[utoipa::path(
    tag = "health",
    operation_id = "get_liveness",
    responses((status = 200, description = "The process is up.", body = HealthStatus))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    })
}

/// Readiness: the database answers and every connection pool of this node has a connection, so it can take traffic.
///
/// A load balancer should send traffic only to nodes that answer 200 here. Right after a start the pools open
/// their connections in the background; a node the database refuses connections to (its `max_connections`
/// reached) stays 503, with the database's reason in its log.
#[utoipa::path(
    tag = "health",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "The database answers and every pool has a connection.", body = HealthStatus),
        (status = 503, response = crate::foundation::openapi::ServiceUnavailable),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |conn| db::ping(conn))
        .await
        .map_err(|e| {
            log::warn!("readiness check failed: {e}");
            ApiError::ServiceUnavailable("the database does not answer".into())
        })?;
    if !state.pool.every_pool_connected() {
        log::warn!(
            "readiness check failed: a database pool has no connection yet (see the pool's errors)"
        );
        return Err(ApiError::ServiceUnavailable(
            "the node cannot open all its database connections yet".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    }))
}
