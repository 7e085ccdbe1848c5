//! The service put together: the database connected and migrated, the shared state built, the background work
//! started, the HTTP server bound with its middleware.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{Condition, DefaultHeaders, ErrorHandlers, Logger, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::app::routes::{openapi_document, openapi_spec, routes};
use crate::app::{demo, metrics};
use crate::foundation::config::Config;
use crate::foundation::http::RouteTable;
use crate::foundation::{background, calendar, db, http};
use crate::identity as auth;
use crate::records::state::AppState;
use crate::records::{audit, idempotency, rate_limit, webhooks};
use crate::resources::deadlines;

/// Why the service could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbStartError),
    #[error("cannot listen on {addr}: {cause}")]
    Bind { addr: String, cause: std::io::Error },
    #[error("{0}")]
    Other(String),
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
    clock: Arc<calendar::Clock>,
    background: background::Background,
}

impl Application {
    /// Connects to the database, applies pending migrations, seeds demo data when asked, binds the listener.
    pub fn build(config: Config) -> Result<Self, StartError> {
        let pool = db::connect_for_workers(
            &config.database_url,
            config.pool_size,
            config.http_workers(),
        )?;
        let applied = db::migrate(&pool)?;
        if applied > 0 {
            log::info!("applied {applied} migration(s)");
        }
        {
            let mut conn = pool.get().map_err(|e| StartError::Other(e.to_string()))?;
            let projected = deadlines::store::rebuild_if_empty(&mut conn)
                .map_err(|e| StartError::Other(format!("obligations: {e}")))?;
            if projected > 0 {
                log::info!("projected the obligations of {projected} existing record(s)");
            }
        }
        if config.demo {
            let mut conn = pool.get().map_err(|e| StartError::Other(e.to_string()))?;
            if demo::seed(&mut conn)
                .map_err(|e| StartError::Other(format!("demo seeding failed: {e}")))?
            {
                log::info!("seeded demo institutions and users");
            }
            log::warn!("{}", demo::banner());
        }
        let listener = TcpListener::bind(&config.bind).map_err(|cause| StartError::Bind {
            addr: config.bind.clone(),
            cause,
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Other(e.to_string()))?
            .port();
        let webhook_counters = Arc::new(webhooks::dispatch::Counters::default());
        let mut background = background::Background::new();
        {
            let (pool, settings, counters) = (
                pool.clone(),
                config.webhooks.clone(),
                webhook_counters.clone(),
            );
            background.spawn("background", move |stopping| async move {
                futures_util::future::join(
                    webhooks::dispatch::run(pool.clone(), settings, counters, stopping.clone()),
                    futures_util::future::join(
                        idempotency::clean_up_hourly(pool.clone(), stopping.clone()),
                        crate::resources::documents::sweep_hourly(pool, stopping),
                    ),
                )
                .await;
            });
        }
        let clock = Arc::new(calendar::Clock::default());
        let audit_counters = Arc::new(audit::group::Counters::default());
        let (audit, audit_writers) =
            audit::group::AuditLog::start(pool.clone(), audit_counters.clone())
                .map_err(|e| StartError::Other(format!("the audit writer did not start: {e}")))?;
        for writer in audit_writers {
            background.adopt("audit-writer", writer);
        }
        let rate_limits = web::Data::from(rate_limit::RateLimits::new(config.rate_limits));
        let state = AppState {
            audit,
            audit_counters,
            clock: clock.clone(),
            webhook_counters,
            pool,
            tokens: Arc::new(auth::tokens::TokenService::new(&config)),
            config: Arc::new(config),
        };
        let server =
            serve(listener, state, rate_limits).map_err(|e| StartError::Other(e.to_string()))?;
        Ok(Self {
            port,
            server,
            clock,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The clock the service judges deadlines by (tests move it).
    pub fn clock(&self) -> Arc<calendar::Clock> {
        self.clock.clone()
    }

    /// The handle that stops the server (tests stop each service they start).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT or SIGTERM (or [`Application::server_handle`]'s stop); in-flight requests are allowed
    /// to finish. Then stops the background work and waits for it and the audit writer to end (see
    /// [`background`]), so that nothing the service started is still running when this returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.background.stop();
        served
    }
}

fn serve(
    listener: TcpListener,
    state: AppState,
    rate_limits: web::Data<rate_limit::RateLimits>,
) -> std::io::Result<Server> {
    let spec = openapi_spec();
    let table = Arc::new(RouteTable::from_openapi(&spec));
    // Serialised once and shared: handing Swagger UI the document itself kept one copy of its object tree per worker
    // (megabytes each) and serialised it again on every download.
    let spec_json = web::Bytes::from(
        serde_json::to_vec(&openapi_document(&spec)).expect("the OpenAPI document serialises"),
    );
    drop(spec);
    let workers = state.config.http_workers();
    let pool_threads = (state.pool.blocking_connections() as usize)
        .div_ceil(workers)
        .max(2);
    let json_limit = state.config.json_limit_bytes;
    let cors_origins = state.config.cors_allowed_origins.clone();
    let access_log = log::log_enabled!(target: "actix_web::middleware::logger", log::Level::Info);
    // The layers below the resources take the pieces they need, not the whole state.
    let tokens = web::Data::from(state.tokens.clone());
    let config = web::Data::from(state.config.clone());
    let pool = web::Data::new(state.pool.clone());
    let body_limit = web::Data::new(http::BodyLimit(json_limit));
    let metrics_data = web::Data::new(metrics::Metrics::new());
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .configure(routes)
            .into_app()
            .app_data(data.clone())
            .app_data(tokens.clone())
            .app_data(config.clone())
            .app_data(pool.clone())
            .app_data(body_limit.clone())
            .app_data(metrics_data.clone())
            .app_data(rate_limits.clone())
            .app_data(web::Data::new(table.clone()))
            .app_data(http::query_config())
            .app_data(http::path_config())
            .app_data(web::PayloadConfig::new(json_limit))
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .config(utoipa_swagger_ui::Config::from("/openapi.json")),
            )
            .route("/openapi.json", {
                let spec_json = spec_json.clone();
                web::get().to(move || {
                    let body = spec_json.clone();
                    async move {
                        actix_web::HttpResponse::Ok()
                            .content_type(actix_web::http::header::ContentType::json())
                            .body(body)
                    }
                })
            })
            .route("/metrics", web::get().to(metrics::scrape))
            .default_service(web::to(http::fallback))
            .wrap(from_fn(idempotency::middleware))
            .wrap(from_fn(http::reject_nul))
            .wrap(from_fn(rate_limit::middleware))
            .wrap(ErrorHandlers::new().default_handler(http::problem_for_plain_errors))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer"))
                    .add(("Cache-Control", "no-store")),
            )
            .wrap(from_fn(http::request_id))
            .wrap(from_fn(metrics::middleware))
            .wrap(Condition::new(
                !cors_origins.is_empty(),
                http::cors(&cors_origins),
            ))
            // Paths carry only ids; the query string is left out because searches may carry a PESEL. Left out when
            // the log level drops its lines: it renders each request's fields before it knows they go nowhere.
            .wrap(Condition::new(
                access_log,
                Logger::new("%{method}xi %U %s %b %Dms req=%{x-request-id}o")
                    .custom_request_replace("method", |req| req.method().to_string()),
            ))
    })
    .workers(workers)
    // A unit of work holds a pooled connection, so more blocking threads than connections only wait (and cost
    // memory: actix's default is 512 per process).
    .worker_max_blocking_threads(pool_threads)
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}
