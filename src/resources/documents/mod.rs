//! Case documents (the scans, photos and PDFs a case file is made of): filed with their metadata, streamed in and
//! out of the database in chunks, shown only to those who may read the case, withdrawn with an audit trail.

pub mod access;
pub mod api;
pub mod content;
pub mod model;
pub mod store;
pub mod types;
pub mod upload;

use crate::foundation::db;

/// An upload still `filing` this long after it began was interrupted (its process died, its connection was cut).
const ABANDONED_AFTER_MINUTES: i64 = 60;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api::list_documents)
        .service(upload::file_document)
        .service(api::get_document)
        .service(content::get_document_content)
        .service(api::withdraw_document);
}

/// Tells the institutions that see the case of a filed document (`document.filed`) and audits the filing, in the
/// filing's transaction; `detail` says what was filed.
pub fn announce_filed(
    conn: &mut db::DbConnection,
    caller: &crate::identity::Caller,
    row: &store::DocumentRow,
    recipients: &[&str],
    detail: String,
) -> Result<(), crate::foundation::error::ApiError> {
    use crate::records::audit::{self, Action, Entry};
    use crate::records::events::{self, EventType};
    events::emit(
        conn,
        EventType::DocumentFiled,
        "document",
        &row.id,
        recipients,
    )?;
    audit::record(
        conn,
        caller,
        Entry::new(Action::Create, "document", &row.id)
            .person(&row.person_id)
            .detail(detail)
            .on(row.received_on),
    )
}

/// Removes what interrupted uploads left (their staged document and its chunks), at start-up and every hour.
pub async fn sweep_hourly(pool: db::DbPool, mut stopping: crate::foundation::background::Stopping) {
    loop {
        let p = pool.clone();
        let swept = tokio::task::spawn_blocking(move || {
            let mut conn = p.get().map_err(|e| e.to_string())?;
            sweep(&mut conn).map_err(|e| e.to_string())
        })
        .await;
        match swept {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => log::info!("removed {n} interrupted document upload(s)"),
            Ok(Err(e)) => log::warn!("document sweep: {e}"),
            Err(e) => log::warn!("document sweep task: {e}"),
        }
        if stopping.sleep(std::time::Duration::from_secs(3600)).await {
            return;
        }
    }
}

/// Removes the uploads abandoned before now minus [`ABANDONED_AFTER_MINUTES`]; answers how many.
pub fn sweep(conn: &mut db::Conn) -> Result<usize, crate::foundation::error::ApiError> {
    let cutoff = db::now() - chrono::TimeDelta::minutes(ABANDONED_AFTER_MINUTES);
    let ids = db::write_tx(conn, |conn| store::stale_uploads(conn, cutoff))?;
    for id in &ids {
        db::write_tx(conn, |conn| store::discard(conn, id))?;
    }
    Ok(ids.len())
}
