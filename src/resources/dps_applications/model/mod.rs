//! The rules of a placement case in a care home (dom pomocy społecznej, DPS; seed 003): who applies, which
//! documents the file needs given the facts of the case, when the decision is due (KPA art. 35, with the periods
//! art. 35 §5 leaves out and the art. 36 notices), and when a decision becomes final (KPA art. 127a, 129).
//!
//! ```text
//!   collecting ──qualifying team (complete file)──▶ assessed ──decision──▶ decided ──(all waived / windows lapse)──▶ final
//!                                                      ▲                      │
//!                                                      │                      └──appeal──▶ appealed ──SKO upholds/changes──▶ closed
//!                                                      └──────────── SKO annuls and remands ◀──────┘
//! ```

mod appeals;
mod application;
mod checklist;
mod deadline;
mod decision;
mod facts;
mod row;
mod view;

pub use appeals::*;
pub use application::*;
pub use checklist::*;
pub use deadline::*;
pub use decision::*;
pub use facts::*;
pub use row::*;
pub use view::*;

#[cfg(test)]
mod tests;
