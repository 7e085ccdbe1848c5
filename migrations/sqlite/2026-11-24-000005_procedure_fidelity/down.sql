ALTER TABLE referrals DROP COLUMN refusal_ground;
UPDATE referral_applications
SET eligibility_categories = REPLACE(REPLACE(eligibility_categories,
    'alcohol_dependent', 'alcohol_dependent_after_therapy'), 'drug_dependent', 'drug_dependent_after_therapy');
DROP INDEX referral_applications_one_open;
ALTER TABLE referral_applications DROP COLUMN declared_benefits;
DROP INDEX ipzs_one_running_per_person;
ALTER TABLE ipzs DROP COLUMN participant_informed_of_insurance;
