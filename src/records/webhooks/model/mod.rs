//! Webhook endpoints and deliveries: types and the pure rules (URL safety, signatures, the retry schedule).

mod delivery;
mod endpoint;
mod targets;

pub use crate::foundation::config::TargetPolicy;
pub use delivery::*;
pub use endpoint::*;
pub use targets::*;

#[cfg(test)]
mod tests;
