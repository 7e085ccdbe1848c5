//! Black-box tests of the HTTP API. One binary, a module per resource.

mod helpers;

mod idempotency;

mod access_matrix;
mod architecture;
mod audit;
mod auth;
mod concurrency;
mod contract_names;
mod deadlines;
mod documents;
mod dps;
mod durability;
mod foundation;
mod institutions;
mod ipzs;
mod legal_dates;
mod letters;
mod nodes;
mod openapi;
mod owasp;
mod persons;
mod placements;
mod referrals;
mod users;
mod webhooks;
