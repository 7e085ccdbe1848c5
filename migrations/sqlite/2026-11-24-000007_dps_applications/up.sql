-- A placement case in a care home (DPS, seed 003). The parts that are lists or documents of the case (facts,
-- checklist records, pauses, notices, decision, parties, appeals) are JSON text written and read only through
-- src/dps_applications/model.rs; the columns the API filters on are columns.
CREATE TABLE dps_applications (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    mopr_id TEXT NOT NULL REFERENCES institutions (id),
    applicant_kind TEXT NOT NULL CONSTRAINT dps_applications_applicant_kind_check
        CHECK (applicant_kind IN ('person', 'other_person', 'pcpr', 'ops')),
    applicant_name TEXT,
    form TEXT NOT NULL CONSTRAINT dps_applications_form_check CHECK (form IN ('written', 'oral')),
    received_on DATE NOT NULL,
    documents_due_on DATE NOT NULL,
    dps_type TEXT NOT NULL CONSTRAINT dps_applications_dps_type_check CHECK (dps_type IN ('elderly',
        'chronically_somatically_ill', 'chronically_mentally_ill', 'intellectually_disabled_adults',
        'intellectually_disabled_children', 'physically_disabled', 'alcohol_dependent')),
    preferred_home TEXT,
    justification TEXT NOT NULL,
    income_documents_filed BOOLEAN NOT NULL DEFAULT 0,
    filed_by_institution_id TEXT NOT NULL REFERENCES institutions (id),
    filed_by_user_id TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT dps_applications_status_check
        CHECK (status IN ('collecting', 'assessed', 'decided', 'appealed', 'closed')),
    complicated BOOLEAN NOT NULL DEFAULT 0,
    complicated_reason TEXT,
    facts TEXT,
    documents TEXT NOT NULL DEFAULT '[]',
    custom_documents TEXT NOT NULL DEFAULT '[]',
    file_completed_on DATE,
    qualifying_team TEXT,
    pauses TEXT NOT NULL DEFAULT '[]',
    delay_notices TEXT NOT NULL DEFAULT '[]',
    decision TEXT,
    previous_decisions TEXT NOT NULL DEFAULT '[]',
    parties TEXT NOT NULL DEFAULT '[]',
    appeals TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX dps_applications_mopr_idx ON dps_applications (mopr_id, id);
CREATE INDEX dps_applications_filer_idx ON dps_applications (filed_by_institution_id, id);
CREATE INDEX dps_applications_person_idx ON dps_applications (person_id, id);
CREATE INDEX dps_applications_status_idx ON dps_applications (mopr_id, status, id);
