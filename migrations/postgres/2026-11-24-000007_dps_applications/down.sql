DROP TABLE dps_applications;
