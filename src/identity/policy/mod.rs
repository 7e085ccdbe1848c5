//! The one place that decides who may do what. Deny by default: every function lists the callers it allows and
//! refuses everyone else. Handlers call these and never compare roles themselves.
//!
//! Two refusals exist on purpose: 403 when the caller may know the record exists but may not act on it, and 404
//! when the caller may not even know it exists (see [`crate::foundation::error::ApiError::NotFound`]).

mod cis;
mod directory;
mod dps;
mod persons;
mod roles;

pub use cis::*;
pub use directory::*;
pub use dps::*;
pub use persons::*;

#[cfg(test)]
mod tests;
