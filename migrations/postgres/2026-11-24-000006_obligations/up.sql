-- The obligations the procedure gives each institution, derived from the applications and programmes by the
-- rules in src/deadlines/model.rs and replaced in the same transaction as every change of their record. The
-- deadline view pages through them by (due_on, kind, resource_id). Rows for existing records are written by the
-- service on its first start after this migration.
CREATE TABLE obligations (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    kind TEXT NOT NULL CONSTRAINT obligations_kind_check CHECK (kind IN ('opinion', 'admission_list',
        'qualification_request', 'qualification_decision', 'insurance_registration', 'insurance_deregistration',
        'termination_notice', 'dps_documents', 'dps_decision', 'dps_appeal_forwarding')),
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    due_on DATE NOT NULL,
    met_on DATE,
    PRIMARY KEY (institution_id, kind, resource_id)
);
CREATE INDEX obligations_view_idx ON obligations (institution_id, due_on, kind, resource_id);
CREATE INDEX obligations_kind_idx ON obligations (institution_id, kind, due_on, resource_id);
CREATE INDEX obligations_source_idx ON obligations (source_id);
