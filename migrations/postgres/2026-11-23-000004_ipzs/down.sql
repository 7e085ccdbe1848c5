DROP TABLE qualifications;
DROP TABLE ipzs;
DROP TABLE admission_lists;
