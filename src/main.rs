//! Command line of the reintegra service. Parsing only: everything else lives in the library.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use reintegra::foundation::config::{Config, resolve_secret};
use reintegra::records::webhooks::model::TargetPolicy;
use reintegra::{Application, foundation::db};

/// reintegra: the shared procedures of social-services institutions over one JSON API.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve the API (the default).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate(DbArgs),
    /// Print the OpenAPI document to stdout.
    Openapi,
    /// Create a platform admin (the first account; it registers institutions and their admins). The password is
    /// read from REINTEGRA_ADMIN_PASSWORD or, if unset, from the first line of standard input.
    CreateAdmin(CreateAdminArgs),
}

#[derive(Args, Clone)]
struct CreateAdminArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Login name of the new platform admin.
    #[arg(long)]
    username: String,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// `postgres://user@host/db` or a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = "reintegra.db")]
    database_url: String,
}

#[derive(Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "REINTEGRA_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Seed demo institutions and users (printed at start). Never in production.
    #[arg(long)]
    demo: bool,
    /// HTTP worker threads; 0 = one per core.
    #[arg(long, env = "REINTEGRA_WORKERS", default_value_t = 0)]
    workers: usize,
    /// Database connections in the pool.
    #[arg(long, env = "REINTEGRA_POOL_SIZE", default_value_t = 10)]
    pool_size: u32,
    /// Largest JSON body accepted, in bytes.
    #[arg(long, env = "REINTEGRA_JSON_LIMIT_BYTES", default_value_t = 65536)]
    json_limit_bytes: usize,
    /// Largest case document accepted, in bytes (20 MiB).
    #[arg(long, env = "REINTEGRA_DOCUMENT_MAX_BYTES", default_value_t = 20 * 1024 * 1024)]
    document_max_bytes: u64,
    /// The appeal body named in decisions' appeal instructions, in the genitive ("odwołanie do …").
    #[arg(
        long,
        env = "REINTEGRA_APPEAL_BODY",
        default_value = "Samorządowego Kolegium Odwoławczego w Toruniu"
    )]
    appeal_body: String,
    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "REINTEGRA_TOKEN_TTL_SECS", default_value_t = 900)]
    token_ttl_secs: u64,
    /// Browser origins allowed to call the API (CORS), comma-separated `https://host[:port]`; empty: CORS off.
    #[arg(long, env = "REINTEGRA_CORS_ORIGINS", default_value = "")]
    cors_origins: String,
    /// Let webhook endpoints be plain http:// and on private, loopback or link-local addresses (an on-premise
    /// network); off by default, so a registered URL cannot reach internal services (SSRF).
    #[arg(
        long,
        env = "REINTEGRA_WEBHOOK_ALLOW_PRIVATE_TARGETS",
        default_value_t = false
    )]
    webhook_allow_private_targets: bool,
    /// Token requests per minute per client address; 0 turns the limit off.
    #[arg(long, env = "REINTEGRA_RATE_LIMIT_TOKEN", default_value_t = 60)]
    rate_limit_token: u32,
    /// Writes (POST, PATCH, PUT, DELETE) per minute per caller; 0 turns the limit off.
    #[arg(long, env = "REINTEGRA_RATE_LIMIT_WRITES", default_value_t = 1200)]
    rate_limit_writes: u32,
}

/// The glibc malloc setting the service runs with (see [`fixed_mmap_threshold`]).
const MMAP_THRESHOLD_VAR: &str = "MALLOC_MMAP_THRESHOLD_";

/// glibc raises its mmap threshold each time a large mmapped block is freed, so after the first sign-in argon2's
/// 19 MiB working memory is served from the heap of the thread that verified the password, and each such thread
/// keeps it: RSS grew to 115 MiB after five sign-ins and a load run. A fixed threshold (glibc's default, 128 KiB)
/// keeps every large block mmapped and returned to the system when freed (57 MiB in the same run, no slower).
/// glibc reads it only from the environment at start, and `mallopt` would need `unsafe`, so the process starts
/// itself again with it set, unless the operator set it. On failure it simply runs as it is.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os(MMAP_THRESHOLD_VAR).is_none()
            && let Ok(exe) = std::env::current_exe()
        {
            // `exec` replaces this process (same pid, same open files); it returns only when it failed.
            let _failed = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env(MMAP_THRESHOLD_VAR, "131072")
                .exec();
        }
    }
}

fn main() -> ExitCode {
    fixed_mmap_threshold();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Openapi) => {
            print!("{}", reintegra::openapi_json());
            Ok(())
        }
        Some(Command::Migrate(args)) => migrate(&args),
        Some(Command::CreateAdmin(args)) => create_admin(&args),
        Some(Command::Serve(args)) => serve(args),
        None => serve(cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("reintegra: {message}");
            ExitCode::FAILURE
        }
    }
}

fn migrate(args: &DbArgs) -> Result<(), String> {
    let pool = db::connect(&args.database_url, 1).map_err(|e| e.to_string())?;
    let applied = db::migrate(&pool).map_err(|e| e.to_string())?;
    println!("applied {applied} migration(s)");
    Ok(())
}

fn create_admin(args: &CreateAdminArgs) -> Result<(), String> {
    let password = match std::env::var("REINTEGRA_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let pool = db::connect(&args.db.database_url, 1).map_err(|e| e.to_string())?;
    db::migrate(&pool).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let id = reintegra::app::demo::create_platform_admin(&mut conn, &args.username, &password)
        .map_err(|e| {
            let p = e.problem();
            match p.errors.first() {
                Some(f) => format!("{}: {}", f.field, f.message),
                None => p.detail,
            }
        })?;
    println!("created platform admin {} ({id})", args.username);
    Ok(())
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let secret = std::env::var("REINTEGRA_JWT_SECRET").ok();
    let jwt_secret = resolve_secret(secret, args.demo).map_err(|e| e.to_string())?;
    let config = Config {
        database_url: args.db.database_url,
        bind: args.bind,
        pool_size: args.pool_size,
        jwt_secret,
        jwt_issuer: std::env::var("REINTEGRA_JWT_ISSUER").unwrap_or_else(|_| "reintegra".into()),
        jwt_audience: std::env::var("REINTEGRA_JWT_AUDIENCE")
            .unwrap_or_else(|_| "reintegra-api".into()),
        token_ttl: Duration::from_secs(args.token_ttl_secs.clamp(60, 86_400)),
        json_limit_bytes: args.json_limit_bytes,
        document_max_bytes: args.document_max_bytes,
        appeal_body: args.appeal_body,
        demo: args.demo,
        workers: args.workers,
        login_max_failures: 5,
        login_window: Duration::from_secs(300),
        cors_allowed_origins: reintegra::foundation::config::parse_cors_origins(&args.cors_origins)
            .map_err(|e| e.to_string())?,
        webhooks: reintegra::foundation::config::WebhookSettings {
            targets: if args.webhook_allow_private_targets {
                TargetPolicy::AllowPrivate
            } else {
                TargetPolicy::PublicOnly
            },
            ..Default::default()
        },
        rate_limits: reintegra::foundation::config::RateLimitSettings {
            token_per_minute: args.rate_limit_token,
            writes_per_minute: args.rate_limit_writes,
        },
    };
    let bind = config.bind.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config).map_err(|e| e.to_string())?;
        log::info!("reintegra listening on {bind}; Swagger UI at /docs/, spec at /openapi.json");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}
