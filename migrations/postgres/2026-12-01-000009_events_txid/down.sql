CREATE INDEX events_inbox_idx ON events (institution_id, seq);
DROP INDEX events_inbox_tx_idx;
ALTER TABLE events DROP COLUMN txid;
