//! The response headers clients build on, declared where the server sends them, so that generated clients expose
//! them: `ETag` (the version to send back as `If-Match`), `Location` (where a created record lives),
//! `Idempotent-Replayed` (a retried POST answered from its first attempt) and the rate-limit state of writes.

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{OpenApi, RefOr};

fn text(description: &str) -> RefOr<Header> {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description))
        .build()
        .into()
}

fn etag() -> RefOr<Header> {
    text(
        "The record's version as a strong entity tag (`\"3\"`): send it as `If-Match` with the next change of this \
         record.",
    )
}

/// Whether an operation takes `If-Match`: it changes a versioned record, and answers with its new version.
fn takes_if_match(op: &Operation) -> bool {
    op.parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("if-match")))
}

/// Adds the headers to the 2xx responses of the operations that send them.
pub(super) fn declare_response_headers(api: &mut OpenApi) {
    // A record is versioned when some operation takes `If-Match` for it: its GET sends the `ETag`.
    let versioned: Vec<String> = api
        .paths
        .paths
        .iter()
        .filter(|(_, item)| {
            [&item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
                .any(takes_if_match)
        })
        .map(|(path, _)| path.clone())
        .collect();
    for (path, item) in api.paths.paths.iter_mut() {
        let read_of_versioned = versioned
            .iter()
            .any(|changed| changed == path || changed.starts_with(&format!("{path}/")))
            && path.ends_with('}');
        if let Some(get) = item.get.as_mut()
            && read_of_versioned
        {
            add(get, "200", "ETag", etag());
        }
        let writes = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for (method_is_post, op) in writes
            .into_iter()
            .enumerate()
            .filter_map(|(i, op)| op.as_mut().map(|op| (i == 0, op)))
        {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let changes_version = takes_if_match(op);
            for status in successes(op) {
                if status == "201" {
                    add(
                        op,
                        &status,
                        "Location",
                        text("The path of the created record."),
                    );
                    add(op, &status, "ETag", etag());
                } else if changes_version {
                    add(op, &status, "ETag", etag());
                }
                add(
                    op,
                    &status,
                    "RateLimit-Policy",
                    text(
                        "The write quota, e.g. `\"writes\";q=1200;w=60` (when rate limits are on).",
                    ),
                );
                add(
                    op,
                    &status,
                    "RateLimit",
                    text(
                        "What is left of it, e.g. `\"writes\";r=1187;t=7` (when rate limits are on).",
                    ),
                );
                if method_is_post && path != "/api/v1/auth/token" {
                    add(
                        op,
                        &status,
                        "Idempotent-Replayed",
                        text(
                            "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                        ),
                    );
                }
            }
        }
    }
}

fn successes(op: &Operation) -> Vec<String> {
    op.responses
        .responses
        .keys()
        .filter(|s| s.starts_with('2'))
        .cloned()
        .collect()
}

fn add(op: &mut Operation, status: &str, name: &str, header: RefOr<Header>) {
    if let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) {
        response.headers.entry(name.to_owned()).or_insert(header);
    }
}
