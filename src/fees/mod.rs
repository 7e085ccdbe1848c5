//! Fees for a stay in a care home (DPS). So far the pure rules and the income-criteria history: the fee decision
//! resource, the care-home registry and the waiting list that use them are not part of the API yet.

pub mod model;
