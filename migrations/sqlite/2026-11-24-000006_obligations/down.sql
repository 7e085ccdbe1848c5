DROP TABLE obligations;
