CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    last_name_key TEXT NOT NULL,
    pesel TEXT,
    birth_date DATE NOT NULL,
    sex TEXT NOT NULL CONSTRAINT persons_sex_check CHECK (sex IN ('female', 'male')),
    residence_address TEXT,
    stay_address TEXT,
    phone TEXT,
    email TEXT,
    registered_by_institution_id TEXT NOT NULL REFERENCES institutions (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX persons_pesel_key ON persons (pesel) WHERE pesel IS NOT NULL;
CREATE INDEX persons_name_idx ON persons (last_name_key, id);
CREATE INDEX persons_birth_date_idx ON persons (birth_date, last_name_key, id);

-- Which institutions may see a person besides MOPR: the one that registered the record, and each institution
-- with a case involving the person. Maintained by the writes that create those cases.
CREATE TABLE person_access (
    person_id TEXT NOT NULL REFERENCES persons (id),
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    reason TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, person_id, reason)
);
CREATE INDEX person_access_person_idx ON person_access (person_id);

-- Who changed which fields of a person, when. Values are not copied here: the audit trail and this table say
-- who touched what without spreading the personal data further.
CREATE TABLE person_changes (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    version INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_institution_id TEXT,
    fields TEXT NOT NULL
);
CREATE INDEX person_changes_person_idx ON person_changes (person_id, id);
