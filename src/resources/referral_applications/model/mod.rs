//! The rules of the referral procedure (seed 000, section I): who may apply for whom, what an application must
//! contain, when the social worker's opinion is due, and which state may follow which.
//!
//! ```text
//!   submitted ──opinion──▶ opinion_issued ──referral──▶ referred
//!       │                        │          └─refusal──▶ refused
//!       └──────withdraw──────────┴──▶ withdrawn
//! ```

mod new;
mod status;
mod terms;
mod view;

pub use new::*;
pub use status::*;
pub use terms::*;
pub use view::*;

#[cfg(test)]
mod tests;
