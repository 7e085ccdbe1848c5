-- SQLite has one writer at a time, so seq order is already commit order; txid stays 0 and the feed's order
-- (txid, seq) is the seq order. The column exists so that both backends share one schema and one query.
ALTER TABLE events ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_inbox_tx_idx ON events (institution_id, txid, seq);
DROP INDEX events_inbox_idx;
