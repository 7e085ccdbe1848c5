//! Layer 1, the foundation: errors, the Polish calendar, validation, pagination, configuration as plain data, the
//! database (pool, schema, unit of work) and the HTTP plumbing. Nothing here knows about callers, records or
//! procedures; what it needs from above (the check that a caller's account is active) is handed to it.

pub mod background;
pub mod calendar;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod json;
pub mod legal_date;
pub mod openapi;
pub mod pagination;
pub mod redact;
pub mod validation;
