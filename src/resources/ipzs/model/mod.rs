//! The rules of participation (seed 000, section II): the IPZS's schedule (trial month, proper period, admission
//! list and insurance dates), the qualification window, termination and completion.
//!
//! ```text
//!   trial ──qualified──▶ active ──planned end──▶ completed
//!     │  └─not qualified─▶ not_qualified
//!     └──────────┴──terminate (before the planned end)──▶ terminated
//! ```

mod new;
mod obligations;
mod schedule;
mod status;
mod transitions;
mod view;

pub use new::*;
pub use obligations::*;
pub use schedule::*;
pub use status::*;
pub use transitions::*;
pub use view::*;

#[cfg(test)]
mod tests;
