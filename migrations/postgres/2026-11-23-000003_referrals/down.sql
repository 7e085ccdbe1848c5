DROP TABLE events;
DROP TABLE referrals;
DROP TABLE opinions;
DROP TABLE referral_applications;
