-- A letter issued by an act is kept as a case document; the act's register row names it, records its SHA-256,
-- and keeps the letter's data so that it can be rendered again and compared.
ALTER TABLE case_acts ADD COLUMN letter_document_id TEXT;
ALTER TABLE case_acts ADD COLUMN letter_sha256 TEXT;
ALTER TABLE case_acts ADD COLUMN letter_source TEXT;
CREATE INDEX case_acts_letter_idx ON case_acts (letter_document_id);
