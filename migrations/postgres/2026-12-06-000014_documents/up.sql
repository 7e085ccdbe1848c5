-- Case documents: metadata here, content in 256 KiB chunks. A document is `filing` while its chunks arrive and
-- `filed` once the last one is committed; a sweep removes what an interrupted upload left.
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    case_type TEXT NOT NULL,
    case_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    received_on DATE NOT NULL,
    filed_by_institution_id TEXT NOT NULL,
    filed_by_user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT,
    withdrawal_reason TEXT,
    version INTEGER NOT NULL
);
CREATE INDEX documents_case_idx ON documents (case_id, id);
CREATE INDEX documents_status_idx ON documents (status, recorded_at);
CREATE TABLE document_chunks (
    document_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (document_id, seq)
);
