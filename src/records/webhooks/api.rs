//! Registering webhook endpoints and following their deliveries.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{
    DeliveryRow, DeliveryStatus, EndpointRow, MAX_ENDPOINTS_PER_INSTITUTION, NewWebhook,
    RegisteredWebhook, TargetPolicy, Webhook, WebhookDelivery, address_allowed, new_secret,
};
use super::store;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::{ApiError, FieldError};
use crate::foundation::http::IfMatch;
use crate::foundation::json::Json;
use crate::foundation::pagination::{Page, PageParams, take_page};
use crate::identity::{Caller, policy};
use crate::records::audit::{self, Action, Entry};
use crate::records::state::AppState;

const COLLECTION: &str = "/api/v1/webhooks";

fn respond(status: StatusCode, view: &Webhook) -> HttpResponse {
    crate::foundation::http::record_response(status, view.version, COLLECTION, &view.id, view)
}

/// The caller's own endpoint, or 404 (another institution's endpoints do not exist for it).
fn own_endpoint(
    conn: &mut DbConnection,
    institution: &str,
    id: &str,
) -> Result<EndpointRow, ApiError> {
    store::get_endpoint(conn, id)?
        .filter(|e| e.institution_id == institution)
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// A host name that resolves to an address deliveries may not reach is refused at once; one that does not
/// resolve now is accepted (every delivery resolves it again and refuses private addresses then).
async fn check_resolved_host(url: &str, targets: TargetPolicy) -> Result<(), ApiError> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Ok(());
    };
    let Some(url::Host::Domain(host)) = parsed.host() else {
        return Ok(());
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    if let Ok(found) = tokio::net::lookup_host((host, port)).await {
        for addr in found {
            if !address_allowed(addr.ip(), targets) {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "url",
                    "private_target",
                    format!(
                        "{host} resolves to {}, a private, loopback or link-local address",
                        addr.ip()
                    ),
                )]));
            }
        }
    }
    Ok(())
}

/// Register a webhook endpoint.
///
/// For partner systems that cannot poll `GET /api/v1/events`: your institution's events of the listed types are
/// POSTed to `url` as they happen, signed per the Standard Webhooks specification. Each delivery has the headers
/// `webhook-id` (the event's id: deduplicate on it, a delivery may arrive more than once), `webhook-timestamp`
/// (Unix seconds of this attempt: refuse ones more than 5 minutes off) and `webhook-signature` (`v1,` and the
/// base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64-decoded part of the
/// secret after `whsec_`). The body is `{"type", "timestamp", "data": {"id", "institution_id", "resource_type",
/// "resource_id", "link", "cursor"}}`: it names the record, never its content; GET the `link` with your token.
/// Answer 2xx within 10 seconds; anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then
/// the delivery has failed (it stays in the feed, and `…/retry` sends it again). Redirects are not followed.
///
/// Events from the moment of registration on are delivered. An institution's `admin` only, for its own
/// institution; at most 20 active endpoints per institution (409 `endpoint_limit`). The response carries the
/// signing `secret`, shown this once.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    security(("bearer_jwt" = [])),
    request_body = NewWebhook,
    responses(
        (status = 201, description = "Registered; `Location` names it, `ETag` carries its version. Store the `secret`.", body = RegisteredWebhook),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let institution = policy::may_manage_webhooks(&caller)?;
    let targets = state.config.webhooks.targets;
    let (url, event_types, description) = body.check(targets)?;
    check_resolved_host(&url, targets).await?;
    let created = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            if store::count_endpoints(conn, &institution)? >= MAX_ENDPOINTS_PER_INSTITUTION {
                return Err(ApiError::conflict(
                    "endpoint_limit",
                    format!(
                        "an institution has at most {MAX_ENDPOINTS_PER_INSTITUTION} active endpoints; deactivate one first"
                    ),
                ));
            }
            let head = store::feed_head(conn, &institution)?;
            let now = db::now();
            let row = EndpointRow {
                id: uuid::Uuid::now_v7().to_string(),
                institution_id: institution.clone(),
                url,
                event_types,
                description,
                secret: new_secret(),
                active: true,
                cursor_txid: head.txid,
                cursor_seq: head.seq,
                created_by: caller.id.clone(),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            store::insert_endpoint(conn, &row)?;
            audit::record(conn, &caller, Entry::new(Action::Create, "webhook", &row.id))?;
            Ok(RegisteredWebhook {
                webhook: row.view(),
                secret: row.secret,
            })
        })
    })
    .await?;
    Ok(crate::foundation::http::record_response(
        StatusCode::CREATED,
        created.webhook.version,
        COLLECTION,
        &created.webhook.id,
        &created,
    ))
}

/// List your institution's webhook endpoints.
///
/// In registration order, active and deactivated; secrets are never shown again. An institution's `admin`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer_jwt" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of endpoints.", body = Page<Webhook>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let institution = policy::may_manage_webhooks(&caller)?;
    let page = page.resolve()?;
    let result = db::read_as(&state.pool, caller.principal(), move |conn| {
        let mut rows = store::list_endpoints(conn, &institution, &page)?;
        let next_cursor = take_page(&mut rows, page.limit, |r| r.id.clone());
        Ok(Page {
            items: rows.iter().map(EndpointRow::view).collect(),
            next_cursor,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Get a webhook endpoint.
///
/// Its URL, event types and whether it is active; the secret is never shown again. The `ETag` is what
/// `POST …/deactivate` takes as `If-Match`. Another institution's endpoint is 404.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint; `ETag` carries its version.", body = Webhook),
        (status = 404, response = crate::foundation::openapi::NotFound),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let institution = policy::may_manage_webhooks(&caller)?;
    let id = id.into_inner();
    let row = db::read_as(&state.pool, caller.principal(), move |conn| {
        own_endpoint(conn, &institution, &id)
    })
    .await?;
    Ok(respond(StatusCode::OK, &row.view()))
}

/// Deactivate a webhook endpoint.
///
/// Nothing more is delivered to it, pending deliveries included; its deliveries stay readable. Deactivation is
/// final: register a new endpoint to resume (it starts from that moment; read the gap from `GET /api/v1/events`).
/// Requires `If-Match` with the endpoint's ETag.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "deactivate_webhook",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The endpoint's id."),
        ("If-Match" = String, Header, description = "The ETag of the endpoint as last read.", pattern = r#"^(W/)?"[0-9]+"$"#),
    ),
    responses(
        (status = 200, description = "Deactivated.", body = Webhook),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/webhooks/{id}/deactivate")]
pub async fn deactivate_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let institution = policy::may_manage_webhooks(&caller)?;
    let expected = if_match.required()?;
    let id = id.into_inner();
    let row = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let row = own_endpoint(conn, &institution, &id)?;
            if !row.active {
                return Err(ApiError::conflict(
                    "already_inactive",
                    "the endpoint is already deactivated",
                ));
            }
            store::deactivate(conn, &id, expected)?;
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "webhook", &id).detail("deactivate"),
            )?;
            own_endpoint(conn, &institution, &id)
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, &row.view()))
}

/// Filters of an endpoint's deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state (e.g. `failed` to see what needs a retry).
    pub status: Option<DeliveryStatus>,
}

fn delivery_views(
    conn: &mut DbConnection,
    rows: &[DeliveryRow],
) -> Result<Vec<WebhookDelivery>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let attempts = store::attempts_of(conn, &ids)?;
    rows.iter()
        .map(|r| {
            let own: Vec<_> = attempts
                .iter()
                .filter(|a| a.delivery_id == r.id)
                .cloned()
                .collect();
            r.view(&own)
        })
        .collect()
}

/// List an endpoint's deliveries.
///
/// Newest first, each with the exact body sent and every attempt (time, the endpoint's status or the error,
/// duration). An institution's `admin`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id."), DeliveryQuery, PageParams),
    responses(
        (status = 200, description = "One page of deliveries.", body = Page<WebhookDelivery>),
        (status = 400, response = crate::foundation::openapi::BadRequest),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 422, response = crate::foundation::openapi::UnprocessableContent),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<DeliveryQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let institution = policy::may_manage_webhooks(&caller)?;
    let page = page.resolve()?;
    let id = id.into_inner();
    let status = query.into_inner().status;
    let result = db::read_as(&state.pool, caller.principal(), move |conn| {
        own_endpoint(conn, &institution, &id)?;
        let mut rows = store::list_deliveries(conn, &id, status, &page)?;
        let next_cursor = take_page(&mut rows, page.limit, |r| r.id.clone());
        Ok(Page {
            items: delivery_views(conn, &rows)?,
            next_cursor,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Send a failed delivery again.
///
/// Puts a delivery whose attempts were all refused back in the queue, due now, with the same `webhook-id` and
/// body; its next failure is final again. Only `failed` deliveries (409 `not_failed` otherwise). An
/// institution's `admin`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "retry_webhook_delivery",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The endpoint's id."),
        ("delivery_id" = String, Path, description = "The delivery's id."),
    ),
    responses(
        (status = 200, description = "Queued again.", body = WebhookDelivery),
        (status = 404, response = crate::foundation::openapi::NotFound),
        (status = 409, response = crate::foundation::openapi::Conflict),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_webhook_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let institution = policy::may_manage_webhooks(&caller)?;
    let (id, delivery_id) = path.into_inner();
    let view = db::run_as(&state.pool, caller.principal(), move |conn| {
        db::write_tx(conn, |conn| {
            let endpoint = own_endpoint(conn, &institution, &id)?;
            store::get_delivery(conn, &id, &delivery_id)?
                .ok_or_else(|| ApiError::not_found("delivery"))?;
            if !endpoint.active {
                return Err(ApiError::conflict(
                    "endpoint_inactive",
                    "the endpoint is deactivated",
                ));
            }
            if !store::requeue(conn, &delivery_id, db::now())? {
                return Err(ApiError::conflict(
                    "not_failed",
                    "only a failed delivery is sent again; a pending one is still being tried",
                ));
            }
            audit::record(
                conn,
                &caller,
                Entry::new(Action::Transition, "webhook_delivery", &delivery_id).detail("retry"),
            )?;
            let row = store::get_delivery(conn, &id, &delivery_id)?
                .ok_or_else(|| ApiError::not_found("delivery"))?;
            Ok(delivery_views(conn, std::slice::from_ref(&row))?.remove(0))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
