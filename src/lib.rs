//! reintegra: a JSON REST API for the shared procedures of Polish social-services institutions.
//!
//! The binary in `main.rs` only parses the command line; everything it runs is built here, through
//! [`Application::build`], which is also what the integration tests start.
//!
//! # Layers
//!
//! The crate is five layers, each a folder, and imports only point down (a test, `tests/api/architecture.rs`,
//! reads the sources and fails on an upward import, on two files that import each other in a circle, and on
//! a file over its size):
//!
//! 1. [`foundation`] — errors, the calendar, validation, pagination, configuration as plain data, the database
//!    (pool, schema, unit of work) and HTTP plumbing;
//! 2. [`identity`] — tokens, the caller, the policy, accounts and signing in;
//! 3. [`records`] — audit, events, idempotency, rate limits, webhooks, and the state the handlers share;
//! 4. [`resources`] — the directory, the person registry and the acts of the two procedures;
//! 5. [`app`] — the route table, the OpenAPI document, the application's start and stop, health, metrics, demo data.
//!
//! A lower layer that needs something from above takes it as a callback or a small trait: the unit of work checks
//! that the caller's account is still active through [`foundation::db::AccountCheck`], which the identity layer
//! implements. `docs/architecture.md` draws the picture.

pub mod foundation;
pub mod identity;
pub mod records;
pub mod resources;

pub mod app;

pub use app::{Application, StartError, openapi_json, openapi_spec, routes};
