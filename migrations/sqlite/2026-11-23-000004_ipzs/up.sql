CREATE TABLE admission_lists (
    id TEXT PRIMARY KEY NOT NULL,
    cis_id TEXT NOT NULL REFERENCES institutions (id),
    mopr_id TEXT NOT NULL REFERENCES institutions (id),
    sent_at TIMESTAMP NOT NULL,
    sent_by TEXT NOT NULL
);
CREATE INDEX admission_lists_cis_idx ON admission_lists (cis_id, id);
CREATE INDEX admission_lists_mopr_idx ON admission_lists (mopr_id, id);

CREATE TABLE ipzs (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    cis_id TEXT NOT NULL REFERENCES institutions (id),
    mopr_id TEXT NOT NULL REFERENCES institutions (id),
    signed_on DATE NOT NULL,
    start_on DATE NOT NULL,
    proper_period_starts_on DATE NOT NULL,
    planned_end_on DATE NOT NULL,
    diagnosis TEXT NOT NULL,
    goals TEXT NOT NULL,
    activities TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT ipzs_status_check CHECK (status IN
        ('trial', 'active', 'completed', 'not_qualified', 'terminated')),
    admission_list_due_on DATE NOT NULL,
    admission_list_id TEXT REFERENCES admission_lists (id),
    admission_listed_on DATE,
    insurance_starts_on DATE NOT NULL,
    insurance_ends_on DATE,
    insurance_registered_on DATE,
    insurance_deregistered_on DATE,
    ended_on DATE,
    termination_reason TEXT CONSTRAINT ipzs_termination_reason_check CHECK (termination_reason IN
        ('breach', 'absence', 'withdrawal', 'other')),
    termination_details TEXT,
    termination_notice_due_on DATE,
    mopr_informed_on DATE,
    non_qualification_letter_sent_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ipzs_referral_key ON ipzs (referral_id);
CREATE INDEX ipzs_cis_idx ON ipzs (cis_id, id);
CREATE INDEX ipzs_mopr_idx ON ipzs (mopr_id, id);
CREATE INDEX ipzs_person_idx ON ipzs (person_id, id);

CREATE TABLE qualifications (
    id TEXT PRIMARY KEY NOT NULL,
    ipzs_id TEXT NOT NULL REFERENCES ipzs (id),
    requested_on DATE NOT NULL,
    requested_by TEXT NOT NULL,
    request_channel TEXT NOT NULL CONSTRAINT qualifications_request_channel_check
        CHECK (request_channel IN ('letter', 'email', 'fax', 'api')),
    decision TEXT CONSTRAINT qualifications_decision_check CHECK (decision IN ('qualified', 'not_qualified')),
    decided_on DATE,
    decided_by TEXT,
    decision_channel TEXT CONSTRAINT qualifications_decision_channel_check
        CHECK (decision_channel IN ('letter', 'email', 'fax', 'api')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX qualifications_ipzs_key ON qualifications (ipzs_id);
