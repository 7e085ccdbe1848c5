-- Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header): per caller and key, the request's
-- fingerprint and, once the first attempt has answered, the stored response, kept 24 hours.
CREATE TABLE idempotency_keys (
    caller_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    completed BOOLEAN NOT NULL DEFAULT 0,
    status INTEGER,
    response_headers TEXT,
    response_body BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller_id, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
