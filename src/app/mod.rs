//! Layer 5, the application: the route table and the OpenAPI document built from it, the shared state put
//! together, the background work started and stopped, health and metrics, demo data.

pub mod application;
pub mod demo;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod routes;

#[cfg(test)]
mod stored_enum_names;

pub use application::{Application, StartError};
pub use routes::{openapi_json, openapi_spec, routes};
