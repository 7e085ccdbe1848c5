-- Seed 000 II.2: the CIS tells the participant about health insurance at signing; programmes recorded earlier
-- did not say, hence false.
ALTER TABLE ipzs ADD COLUMN participant_informed_of_insurance BOOLEAN NOT NULL DEFAULT FALSE;
-- One running programme (and so one insurance registration) per person, even under concurrent signings.
CREATE UNIQUE INDEX ipzs_one_running_per_person ON ipzs (person_id) WHERE status IN ('trial', 'active');

-- Art. 1 ust. 3: benefits whose entitlement excludes participation are recorded, and MOPR refuses on them.
ALTER TABLE referral_applications ADD COLUMN declared_benefits TEXT NOT NULL DEFAULT '[]';
-- One undecided application per person and CIS.
CREATE UNIQUE INDEX referral_applications_one_open ON referral_applications (person_id, target_cis_id)
    WHERE status IN ('submitted', 'opinion_issued');
-- Art. 1 ust. 2 as amended in 2022: dependence alone qualifies, "after therapy" is no longer part of the group.
UPDATE referral_applications
SET eligibility_categories = REPLACE(REPLACE(eligibility_categories,
    'alcohol_dependent_after_therapy', 'alcohol_dependent'), 'drug_dependent_after_therapy', 'drug_dependent');

ALTER TABLE referrals ADD COLUMN refusal_ground TEXT CONSTRAINT referrals_refusal_ground_check
    CHECK (refusal_ground IN ('benefit_entitlement', 'not_in_eligible_group', 'negative_opinion', 'other'));

