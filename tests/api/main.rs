//! Black-box tests of the HTTP API. One binary, a module per resource.

mod helpers;

mod foundation;
mod openapi;
