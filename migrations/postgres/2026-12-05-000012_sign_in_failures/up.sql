-- Failed sign-ins per account and client address. Throttling by both keeps a guesser at one address from locking
-- the account's owner out from another (the per-account counters in users and api_clients are no longer used).
CREATE TABLE sign_in_failures (
    account_id TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, client_addr)
);
CREATE INDEX sign_in_failures_last_idx ON sign_in_failures (last_failed_at);
