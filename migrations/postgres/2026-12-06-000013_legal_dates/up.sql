-- Every act carries its legal date (the day it was really done) beside the moment it was recorded. Acts stored
-- with a timestamp only get a date column, filled from the timestamp for what was recorded before.
ALTER TABLE opinions ADD COLUMN issued_on DATE NOT NULL DEFAULT '1970-01-01';
UPDATE opinions SET issued_on = issued_at::date;
ALTER TABLE referrals ADD COLUMN issued_on DATE NOT NULL DEFAULT '1970-01-01';
UPDATE referrals SET issued_on = issued_at::date;
ALTER TABLE admission_lists ADD COLUMN sent_on DATE NOT NULL DEFAULT '1970-01-01';
UPDATE admission_lists SET sent_on = sent_at::date;
ALTER TABLE referral_applications ADD COLUMN withdrawn_on DATE;
-- A case with an act recorded more than 7 days after its legal date: the lists filter on it.
ALTER TABLE referral_applications ADD COLUMN recorded_late BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ipzs ADD COLUMN recorded_late BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE dps_applications ADD COLUMN recorded_late BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE audit_events ADD COLUMN legal_date DATE;
ALTER TABLE events ADD COLUMN legal_date DATE;
-- The case register (metryka sprawy): every act of a case with its legal date, when and by whom it was recorded.
CREATE TABLE case_acts (
    id TEXT PRIMARY KEY NOT NULL,
    case_type TEXT NOT NULL,
    case_id TEXT NOT NULL,
    act TEXT NOT NULL,
    legal_date DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    institution_id TEXT,
    recorded_late BOOLEAN NOT NULL
);
CREATE INDEX case_acts_case_idx ON case_acts (case_id, id);
