DROP TABLE waiting_list_entries;
DROP TABLE fee_decisions;
DROP TABLE income_criteria;
DROP TABLE care_home_residents;
DROP TABLE care_home_costs;
DROP TABLE care_homes;
