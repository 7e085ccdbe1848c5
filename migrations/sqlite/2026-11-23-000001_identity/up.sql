CREATE TABLE institutions (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CONSTRAINT institutions_kind_check CHECK (kind IN ('MOPR', 'CIS', 'PCPR', 'NGO')),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    area TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX institutions_name_key ON institutions (name);
CREATE INDEX institutions_kind_idx ON institutions (kind, id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    institution_id TEXT REFERENCES institutions (id),
    username TEXT NOT NULL,
    display_name TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CONSTRAINT users_role_check
        CHECK (role IN ('staff', 'social_worker', 'director', 'admin', 'platform_admin')),
    active BOOLEAN NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    last_failed_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT users_platform_admin_has_no_institution
        CHECK ((role = 'platform_admin') = (institution_id IS NULL))
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_institution_idx ON users (institution_id, id);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    client_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CONSTRAINT api_clients_role_check
        CHECK (role IN ('staff', 'social_worker', 'director')),
    active BOOLEAN NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    last_failed_login_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX api_clients_client_id_key ON api_clients (client_id);
CREATE INDEX api_clients_institution_idx ON api_clients (institution_id, id);

-- Append-only: no API updates or deletes these rows; the triggers make the database refuse it too.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_institution_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    person_id TEXT,
    request_id TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_events_person_idx ON audit_events (person_id, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id);
CREATE INDEX audit_events_institution_idx ON audit_events (actor_institution_id, id);
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
