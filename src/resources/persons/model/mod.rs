//! Persons: the people the procedures are about. Validation lives here, pure and unit-tested: a draft (from a
//! create, or an existing record with a patch applied) becomes a [`ValidPerson`] or a list of field errors.

mod input;
mod person;
mod row;
mod rules;

pub use input::*;
pub use person::*;
pub use row::*;
pub use rules::*;

#[cfg(test)]
mod tests;
