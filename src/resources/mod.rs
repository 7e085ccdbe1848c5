//! Layer 4, the resources: the directory (institutions, users, API clients, care homes), the person registry, and
//! the acts of the two procedures — CIS referral and participation (referral applications, opinions, referrals,
//! IPZS, admission lists, qualifications) and DPS placement (applications, fees, waiting lists) — with the
//! deadlines they give each institution.

pub mod admission_lists;
pub mod care_homes;
pub mod case_registers;
pub mod deadlines;
pub mod disclosure;
pub mod documents;
pub mod dps_applications;
pub mod fees;
pub mod institutions;
pub mod ipzs;
pub mod letters;
pub mod opinions;
pub mod persons;
pub mod qualifications;
pub mod referral_applications;
pub mod referrals;
pub mod users;
pub mod waiting_lists;
