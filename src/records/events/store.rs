use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::foundation::db::schema::events;
use crate::foundation::db::{self, DbConnection};
use crate::foundation::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub seq: i64,
    pub id: String,
    pub institution_id: String,
    pub event_type: String,
    pub resource_type: String,
    pub resource_id: String,
    pub occurred_at: NaiveDateTime,
    pub txid: i64,
    pub legal_date: Option<chrono::NaiveDate>,
}

/// A place in an institution's feed: the feed is ordered by the writing transaction's id, then by `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct FeedPosition {
    pub txid: i64,
    pub seq: i64,
}

impl FeedPosition {
    pub fn of(row: &EventRow) -> Self {
        FeedPosition {
            txid: row.txid,
            seq: row.seq,
        }
    }
}

/// The transaction id below which every transaction of this database has finished, as the statement's snapshot
/// sees it: the smallest id the snapshot lists as in progress, leaving out ids that `pg_stat_activity` shows
/// running in another database (they cannot have written our events), or the snapshot's xmax when none is left.
/// Events of transactions below it are all visible now, and any event that commits later has a larger txid. An id
/// that has finished since the snapshot counts as ours (it may be): it holds the feed back until the next read.
/// Transaction ids in the activity view are 32-bit, so they are matched modulo 2^32.
const PG_WATERMARK: &str = "(SELECT LEAST(pg_snapshot_xmax(s.snap)::text::bigint, \
     (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s.snap) AS x \
      WHERE (x::text::bigint % 4294967296) NOT IN ( \
        SELECT a.backend_xid::text::bigint FROM pg_stat_activity AS a \
        WHERE a.backend_xid IS NOT NULL AND a.datname IS DISTINCT FROM current_database()))) \
   FROM (SELECT pg_current_snapshot() AS snap) AS s)";

/// How long a read waits for older transactions to finish when newer events are already committed behind them.
const SETTLE_TRIES: u32 = 100;
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(10);

pub fn append(
    conn: &mut DbConnection,
    event_type: &str,
    resource_type: &str,
    resource_id: &str,
    recipients: &[&str],
    legal_date: Option<chrono::NaiveDate>,
) -> Result<(), ApiError> {
    // No lock: on PostgreSQL each row takes its transaction's id from the column default, and readers order by
    // it (see [`after`]); on SQLite the single writer already makes seq order commit order.
    let now = db::now();
    for institution in recipients {
        diesel::insert_into(events::table)
            .values((
                events::id.eq(uuid::Uuid::now_v7().to_string()),
                events::institution_id.eq(*institution),
                events::event_type.eq(event_type),
                events::resource_type.eq(resource_type),
                events::resource_id.eq(resource_id),
                events::occurred_at.eq(now),
                events::legal_date.eq(legal_date),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Up to `limit` events of the institution after `from`, in feed order. On PostgreSQL only settled events are
/// delivered: events of a transaction that is still older than a running one wait until it ends, so that a reader
/// never passes a position that a later commit could still take. When settled events run out while committed ones
/// wait behind a running transaction, the read waits for it briefly (at most about a second) rather than
/// answering with less than there is.
pub fn after(
    conn: &mut DbConnection,
    institution_id: &str,
    from: FeedPosition,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    if let DbConnection::Postgresql(_) = conn {
        // The watermark's view of other databases' transactions must be older than its snapshot: PostgreSQL copies
        // the activity view once per transaction, at first use, while a statement's snapshot is taken when the
        // statement starts. In one statement the copy is the younger, so a transaction of another database that
        // ended in between counted as ours and, on a busy server, held events back at every try. Reading the view
        // first, in the same transaction, makes the only mistaken ids those begun since, which are newer than
        // every event already committed.
        return conn.transaction(|conn| {
            diesel::sql_query("SELECT 1 FROM pg_stat_activity LIMIT 1").execute(conn)?;
            settle(conn, institution_id, from, limit)
        });
    }
    settled_after(conn, institution_id, from, limit)
}

/// The PostgreSQL read of [`after`]: waits briefly while committed events sit behind running transactions.
fn settle(
    conn: &mut DbConnection,
    institution_id: &str,
    from: FeedPosition,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    let mut rows = settled_after(conn, institution_id, from, limit)?;
    for _ in 0..SETTLE_TRIES {
        if rows.len() as i64 >= limit {
            break;
        }
        let waiting: bool = diesel::select(diesel::dsl::exists(
            events::table
                .filter(events::institution_id.eq(institution_id))
                .filter(sql::<Bool>(&format!("txid >= {PG_WATERMARK}"))),
        ))
        .get_result(conn)?;
        if !waiting {
            break;
        }
        std::thread::sleep(SETTLE_PAUSE);
        rows = settled_after(conn, institution_id, from, limit)?;
    }
    Ok(rows)
}

/// Up to `limit` settled events of the institution after `from`, in feed order, without waiting for running
/// transactions (the webhook dispatcher polls again anyway).
pub fn settled_after(
    conn: &mut DbConnection,
    institution_id: &str,
    from: FeedPosition,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    let mut q = events::table
        .filter(events::institution_id.eq(institution_id.to_owned()))
        .filter(
            events::txid
                .gt(from.txid)
                .or(events::txid.eq(from.txid).and(events::seq.gt(from.seq))),
        )
        .into_boxed::<crate::foundation::db::Backend>();
    if matches!(conn, DbConnection::Postgresql(_)) {
        q = q.filter(sql::<Bool>(&format!("txid < {PG_WATERMARK}")));
    }
    Ok(q.order((events::txid.asc(), events::seq.asc()))
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// PostgreSQL: the transaction id below which every event of this database is settled (see [`PG_WATERMARK`]).
pub fn settled_below(conn: &mut DbConnection) -> Result<i64, ApiError> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    Ok(diesel::select(sql::<BigInt>(PG_WATERMARK)).get_result(conn)?)
}

/// The position of the event with this `seq` (cursors issued before the feed was ordered by transaction).
pub fn position_of_seq(
    conn: &mut DbConnection,
    seq: i64,
) -> Result<Option<FeedPosition>, ApiError> {
    Ok(events::table
        .filter(events::seq.eq(seq))
        .select((events::txid, events::seq))
        .get_result::<(i64, i64)>(conn)
        .optional()?
        .map(|(txid, seq)| FeedPosition { txid, seq }))
}
