DROP TABLE person_changes;
DROP TABLE person_access;
DROP TABLE persons;
