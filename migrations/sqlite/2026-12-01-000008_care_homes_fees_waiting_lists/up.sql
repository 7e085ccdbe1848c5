-- Care homes (DPS) with their published average monthly cost (a history, never overwritten) and their residents;
-- the income criteria that set the relatives' fee thresholds; fee decisions (immutable: a new cost or criterion
-- means a new decision that supersedes the last); waiting lists per home and the placement decisions that end them.
CREATE TABLE care_homes (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    dps_types TEXT NOT NULL,
    places INTEGER NOT NULL CONSTRAINT care_homes_places_check CHECK (places >= 0),
    -- Maintained only by resident admissions and departures in the same transaction; guarded below so that
    -- concurrent placements can never overfill a home.
    occupied INTEGER NOT NULL DEFAULT 0,
    operator TEXT NOT NULL,
    placing_institution_id TEXT NOT NULL REFERENCES institutions (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT care_homes_occupancy_check CHECK (occupied >= 0 AND occupied <= places)
);
CREATE UNIQUE INDEX care_homes_name_key ON care_homes (name);
CREATE INDEX care_homes_placing_idx ON care_homes (placing_institution_id, id);

CREATE TABLE care_home_costs (
    care_home_id TEXT NOT NULL REFERENCES care_homes (id),
    applies_from DATE NOT NULL,
    monthly_cost BIGINT NOT NULL CONSTRAINT care_home_costs_positive CHECK (monthly_cost > 0),
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (care_home_id, applies_from)
);

CREATE TABLE care_home_residents (
    id TEXT PRIMARY KEY NOT NULL,
    care_home_id TEXT NOT NULL REFERENCES care_homes (id),
    person_id TEXT REFERENCES persons (id),
    waiting_list_entry_id TEXT,
    admitted_on DATE NOT NULL,
    left_on DATE,
    leave_reason TEXT CONSTRAINT care_home_residents_leave_reason_check
        CHECK (leave_reason IS NULL OR leave_reason IN ('died', 'moved_out', 'transferred', 'other')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX care_home_residents_home_idx ON care_home_residents (care_home_id, id);
CREATE INDEX care_home_residents_admitted_idx ON care_home_residents (care_home_id, admitted_on);

CREATE TABLE income_criteria (
    applies_from DATE PRIMARY KEY NOT NULL,
    single BIGINT NOT NULL CONSTRAINT income_criteria_single_positive CHECK (single > 0),
    per_person_in_family BIGINT NOT NULL CONSTRAINT income_criteria_family_positive CHECK (per_person_in_family > 0),
    legal_basis TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- The criteria in force since 2015 (amounts in grosze), from the regulations of the Council of Ministers.
INSERT INTO income_criteria (applies_from, single, per_person_in_family, legal_basis, created_at) VALUES
    ('2015-10-01', 63400, 51400, 'rozporządzenie Rady Ministrów w sprawie zweryfikowanych kryteriów dochodowych oraz kwot świadczeń pieniężnych z pomocy społecznej', '2015-10-01 00:00:00'),
    ('2018-10-01', 70100, 52800, 'rozporządzenie Rady Ministrów w sprawie zweryfikowanych kryteriów dochodowych oraz kwot świadczeń pieniężnych z pomocy społecznej', '2018-10-01 00:00:00'),
    ('2022-01-01', 77600, 60000, 'rozporządzenie Rady Ministrów w sprawie zweryfikowanych kryteriów dochodowych oraz kwot świadczeń pieniężnych z pomocy społecznej', '2022-01-01 00:00:00'),
    ('2025-01-01', 101000, 82300, 'rozporządzenie Rady Ministrów w sprawie zweryfikowanych kryteriów dochodowych oraz kwot świadczeń pieniężnych z pomocy społecznej', '2025-01-01 00:00:00');

CREATE TABLE fee_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    dps_application_id TEXT NOT NULL REFERENCES dps_applications (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    mopr_id TEXT NOT NULL REFERENCES institutions (id),
    care_home_id TEXT NOT NULL REFERENCES care_homes (id),
    applies_from DATE NOT NULL,
    criterion_applies_from DATE NOT NULL REFERENCES income_criteria (applies_from),
    cost_applies_from DATE NOT NULL,
    input TEXT NOT NULL,
    split TEXT NOT NULL,
    supersedes_id TEXT REFERENCES fee_decisions (id),
    issued_on DATE NOT NULL,
    issued_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX fee_decisions_case_idx ON fee_decisions (dps_application_id, id);
-- A decision is superseded at most once.
CREATE UNIQUE INDEX fee_decisions_supersedes_key ON fee_decisions (supersedes_id);

CREATE TABLE waiting_list_entries (
    id TEXT PRIMARY KEY NOT NULL,
    care_home_id TEXT NOT NULL REFERENCES care_homes (id),
    dps_application_id TEXT NOT NULL REFERENCES dps_applications (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    mopr_id TEXT NOT NULL REFERENCES institutions (id),
    placing_institution_id TEXT NOT NULL REFERENCES institutions (id),
    entered_on DATE NOT NULL,
    priority_basis TEXT CONSTRAINT waiting_list_entries_priority_basis_check
        CHECK (priority_basis IS NULL OR priority_basis IN ('combatant', 'other_entitled')),
    -- The list's order in one sortable text: priority first, then the day of entry, then the id.
    queue_key TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT waiting_list_entries_status_check
        CHECK (status IN ('waiting', 'placed', 'withdrawn', 'died', 'moved_elsewhere')),
    left_on DATE,
    leave_note TEXT,
    placement TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX waiting_list_entries_queue_idx ON waiting_list_entries (care_home_id, status, queue_key);
CREATE INDEX waiting_list_entries_placing_idx ON waiting_list_entries (placing_institution_id, id);
CREATE INDEX waiting_list_entries_mopr_idx ON waiting_list_entries (mopr_id, id);
CREATE INDEX waiting_list_entries_case_idx ON waiting_list_entries (dps_application_id, id);
-- A case waits at most once for the same home.
CREATE UNIQUE INDEX waiting_list_entries_one_waiting ON waiting_list_entries (care_home_id, dps_application_id)
    WHERE status = 'waiting';
