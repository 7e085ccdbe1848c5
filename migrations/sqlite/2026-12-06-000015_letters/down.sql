DROP INDEX case_acts_letter_idx;
ALTER TABLE case_acts DROP COLUMN letter_source;
ALTER TABLE case_acts DROP COLUMN letter_sha256;
ALTER TABLE case_acts DROP COLUMN letter_document_id;
