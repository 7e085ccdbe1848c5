CREATE TABLE referral_applications (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    mopr_id TEXT NOT NULL REFERENCES institutions (id),
    target_cis_id TEXT NOT NULL REFERENCES institutions (id),
    applicant_kind TEXT NOT NULL CONSTRAINT referral_applications_applicant_kind_check CHECK (applicant_kind IN
        ('self', 'mopr', 'pcpr', 'ngo', 'addiction_treatment_facility', 'ops', 'kis')),
    applicant_name TEXT,
    filed_by_institution_id TEXT NOT NULL REFERENCES institutions (id),
    filed_by_user_id TEXT NOT NULL,
    eligibility_categories TEXT NOT NULL,
    other_category_description TEXT,
    justification TEXT NOT NULL,
    received_on DATE NOT NULL,
    consent_given_on DATE NOT NULL,
    consent_given_by TEXT NOT NULL CONSTRAINT referral_applications_consent_by_check
        CHECK (consent_given_by IN ('person', 'legal_representative')),
    opinion_due_on DATE NOT NULL,
    status TEXT NOT NULL CONSTRAINT referral_applications_status_check CHECK (status IN
        ('submitted', 'opinion_issued', 'referred', 'refused', 'withdrawn')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referral_applications_mopr_idx ON referral_applications (mopr_id, id);
CREATE INDEX referral_applications_cis_idx ON referral_applications (target_cis_id, id);
CREATE INDEX referral_applications_filer_idx ON referral_applications (filed_by_institution_id, id);
CREATE INDEX referral_applications_person_idx ON referral_applications (person_id, id);
CREATE INDEX referral_applications_due_idx ON referral_applications (status, opinion_due_on);

CREATE TABLE opinions (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES referral_applications (id),
    author_id TEXT NOT NULL,
    family_interview_on DATE NOT NULL,
    recommendation TEXT NOT NULL CONSTRAINT opinions_recommendation_check CHECK (recommendation IN ('positive', 'negative')),
    justification TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX opinions_application_key ON opinions (application_id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES referral_applications (id),
    decision TEXT NOT NULL CONSTRAINT referrals_decision_check CHECK (decision IN ('referred', 'refused')),
    reasons TEXT,
    decided_by TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX referrals_application_key ON referrals (application_id);

-- The inbox feed: one row per recipient institution, in commit order of `seq` (writers of this table are
-- serialised, so a reader never sees seq N+1 before N is committed).
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    event_type TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX events_inbox_idx ON events (institution_id, seq);
