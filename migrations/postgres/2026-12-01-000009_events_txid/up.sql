-- Writers of the feed no longer take one lock. Each event carries the id of the transaction that wrote it; readers
-- order by (txid, seq) and deliver only events of transactions older than the oldest one still running, so an
-- event that commits later always sorts after everything already delivered. Existing rows, all committed, get the
-- migration's own transaction id and keep their seq order.
ALTER TABLE events ADD COLUMN txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX events_inbox_tx_idx ON events (institution_id, txid, seq);
DROP INDEX events_inbox_idx;
