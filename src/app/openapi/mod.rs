//! The OpenAPI document: the info block, the security scheme, and the post-processing that adds what every
//! operation answers. Paths and schemas are collected from the registered services by utoipa-actix-web, so nothing
//! is listed twice; the reusable problem responses are in [`crate::foundation::openapi`].

mod headers;
mod rules;
mod text;
mod variants;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::foundation::error::Problem;
use crate::foundation::openapi::*;
use rules::{
    add_response_examples, link_creates_to_their_operations, name_where_each_etag_is_read,
    refer_page_items, state_cross_field_rules,
};
pub use rules::{cross_field_rules, put_conditionals_in_order};

const API_DESCRIPTION: &str = r#"
**reintegra** lets the institutions of a Polish city's social-services network run their shared procedures through
one API instead of paper, fax and e-mail:

1. **Referral to a social integration centre (CIS) and participation in it**: the application, the social worker's
   opinion (due 14 days after the application reaches MOPR), the referral, the individual programme (IPZS) with its
   trial month, qualification, admission lists, health insurance and early termination notices.
2. **Placement in a care home (DPS)**: the application, the document checklist computed from the facts of the case,
   the qualifying team, the administrative decision (due in one month, two in a complicated case, with the periods
   KPA art. 35 §5 leaves out and art. 36 notices), delivery to each party, waivers of appeal, appeals to the SKO and
   finality; then the fee decision (who pays what of the home's average monthly cost: the resident's 70%, the
   relatives above 300% of the income criterion, volunteers, the municipality), the care-home registry, the waiting
   list with combatants' priority and the placement decision.
 Every deadline is computed by the Code of Administrative Procedure's rules
(KPA art. 57: a period in days does not count the day of the event and an end on a Saturday or a public holiday
moves to the next working day; a month ends on the same day number, or on the last day of a shorter month).

### Who calls it
Partner institutions' software and apps. Each caller holds a bearer token from `POST /api/v1/auth/token` whose claims
carry its institution (`inst`), the institution's kind (`kind`: `MOPR`, `CIS`, `PCPR`, `NGO`) and the person's
`role`. A caller sees only what the procedure gives its institution; a record it may not see answers **404, exactly
as if it did not exist**.

### Conventions
* JSON with snake_case fields; timestamps are RFC 3339 in UTC; legal dates are `YYYY-MM-DD`.
* Errors are RFC 9457 `application/problem+json` with a stable snake_case `code` to switch on; a 422 lists each
  invalid field in `errors`.
* Lists take `limit` (default 50, at most 200) and an opaque `cursor`, and answer `{"items": [...], "next_cursor": ...}`;
  pass `next_cursor` back until it is `null`.
* Every mutable record has a `version`, sent as the `ETag` of its GET. Updates and state transitions require
  `If-Match` with that ETag: 428 without it, 412 when someone else changed the record first.
* Every response carries `X-Request-Id`; send your own (letters, digits, `-_.`, up to 64) to correlate logs.
* Every POST that creates or changes something takes an optional `Idempotency-Key` header: retry with the same
  key after a network failure and the first answer comes back (`Idempotent-Replayed: true`) instead of a second
  filing. Keys are kept 24 hours per caller.
"#;

/// The document's fixed parts; paths are merged in when the app is built.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "reintegra",
        description = API_DESCRIPTION,
        license(name = "MIT", identifier = "MIT"),
        contact(name = "reintegra maintainers")
    ),
    servers((
        url = "{scheme}://{host}",
        description = "A reintegra service: the institution's own, or a local one started with `reintegra serve --demo`.",
        variables(
            ("scheme" = (default = "http", enum_values("http", "https"), description = "`https` for every service but a local one.")),
            ("host" = (default = "127.0.0.1:8080", description = "The service's host and port."))
        )
    )),
    modifiers(&SecuritySchemes),
    components(
        schemas(Problem),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
            PayloadTooLarge, UnsupportedMediaType, UnprocessableContent, PreconditionRequired, TooManyRequests,
            ServiceUnavailable, InternalError
        )
    ),
    tags(
        (name = "auth", description = "Signing in: the OAuth 2.0 token endpoint and the caller's identity."),
        (name = "institutions", description = "The directory of partner institutions (MOPR, CIS, PCPR, NGO)."),
        (name = "users", description = "People's accounts, managed by each institution's `admin`."),
        (name = "api-clients", description = "Credentials for partner software (OAuth client credentials), managed by each institution's `admin`."),
        (name = "persons", description = "The person registry: the people the procedures are about. MOPR sees everyone; other institutions see the persons they registered or have a case with."),
        (name = "referral-applications", description = "Applications for referral to a CIS (workflow A, steps 1–3). State machine: `submitted` → (opinion) → `opinion_issued` → (MOPR's decision) → `referred` | `refused`; the filer may withdraw (`withdrawn`) before the decision. Every transition takes `If-Match` with the application's ETag; an illegal one is 409 with a code naming the rule."),
        (name = "opinions", description = "The MOPR social worker's opinion on an application, due 14 days after it reached MOPR, forwarded to the CIS at once."),
        (name = "referrals", description = "MOPR's decision: the referral to the CIS (with the opinion), or its refusal."),
        (name = "ipzs", description = "The individual programme of social employment (IPZS), signed by the CIS and the participant. State machine: `trial` → (MOPR qualifies) → `active` → (planned end) → `completed`; or `not_qualified` after the trial; or `terminated` early from `trial`/`active`. Each IPZS shows its obligations: admission list, insurance, termination notice. Transitions take `If-Match`."),
        (name = "admission-lists", description = "The CIS director's list of persons admitted, due to MOPR 5 working days after signing."),
        (name = "qualifications", description = "Qualification after the trial month: requested by the CIS director in its last week, decided by the MOPR director before the proper period starts."),
        (name = "documents", description = "The case file: scans, photos and PDFs filed on a person, a referral application, an IPZS or a DPS case, streamed in and out, shown to those who may read the case; and the letters and decisions the service issues (kind `letter_…`), kept as issued."),
        (name = "dps-applications", description = "Placement in a care home (workflow B). State machine: `collecting` (the file and its checklist) → (qualifying team, on a complete file) → `assessed` → (the director's decision) → `decided` → final when every party has waived or let its 14-day window pass; or → (appeal) → `appealed` → (SKO) `closed`, or back to `assessed` when the SKO annuls and remands. Every change takes `If-Match` with the case's ETag; MOPR sees the whole case, the applying PCPR its application, status, outcome and finality."),
        (name = "fees", description = "Fees for a stay in a care home: the income criteria in force over time (300% of them are the relatives' thresholds), and the fee decisions MOPR issues for a granted placement. All amounts are integers in grosze (1 zł = 100 gr). A fee decision is never edited: a new cost or criterion means a new decision that supersedes the last."),
        (name = "care-homes", description = "The registry of care homes (DPS): the types of resident each serves, its places, free places (derived from residents in and out, never typed), who runs it, which institution places people there (a city's MOPR, a county's PCPR) and its average monthly cost, a history that is never overwritten."),
        (name = "waiting-lists", description = "Waiting lists per care home, kept by its placing institution. State machine: `waiting` → (placement decision) → `placed`, or → `withdrawn` | `died` | `moved_elsewhere`. Combatants and other persons entitled by art. 18 of the combatants' act go first, then by the day of entry; each waiting entry shows its position and expected wait. Transitions take `If-Match` with the entry's ETag."),
        (name = "deadlines", description = "Every obligation the procedure gives your institution, with due date and status."),
        (name = "events", description = "Each institution's inbox feed: what the procedures forward to it, in order, never lost or repeated."),
        (name = "webhooks", description = "Signed HTTP deliveries of your institution's events (Standard Webhooks) for partner systems that cannot poll: endpoints registered by the institution's `admin`, every delivery and attempt visible, retried with backoff, never lost across restarts."),
        (name = "audit", description = "The append-only audit trail of reads and changes of personal data."),
        (name = "health", description = "Liveness and readiness probes for load balancers and orchestrators."),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/token`, sent as `Authorization: Bearer <token>`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The optional `Idempotency-Key` header every creating or transitioning POST takes (see [`crate::records::idempotency`]).
fn idempotency_key_parameter() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "A unique key of this request (a UUID, quoted as a Structured Field string or bare) so that a retry \
             never acts twice: the same key with the same request answers the first response again \
             (`Idempotent-Replayed: true`); with a different request it is 422 `idempotency_key_reused`; while the \
             first attempt still runs, 409 `idempotency_request_in_progress`. Kept 24 hours per caller.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r#"^("[!#-\[\]-~]{1,255}"|[!#-\[\]-~]{1,255})$"#))
                .examples(["\"8e03978e-40d5-43e8-bc93-6894a57f9324\""]),
        ))
        .build()
}

/// The operations whose handlers take an [`OptionalJson`](crate::foundation::json::OptionalJson) body: acts whose
/// body holds only their optional legal date, so that a request without one still records the act today.
pub const OPTIONAL_BODIES: &[&str] = &[
    "withdraw_referral_application",
    "send_termination_notice",
    "complete_ipzs",
];

/// The `metadata` part of a multipart upload is JSON; generated clients send it so when the encoding says so.
fn state_json_metadata_parts(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::encoding::EncodingBuilder;
    for item in api.paths.paths.values_mut() {
        if let Some(op) = item.post.as_mut()
            && let Some(RefOr::T(body)) = op.request_body.as_mut()
            && let Some(RefOr::T(content)) = body.content.get_mut("multipart/form-data")
        {
            content.encoding.insert(
                "metadata".to_owned(),
                EncodingBuilder::new()
                    .content_type(Some("application/json"))
                    .build(),
            );
        }
    }
}

fn bodies_that_may_be_left_out(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::Required;
    for item in api.paths.paths.values_mut() {
        if let Some(op) = item.post.as_mut()
            && op
                .operation_id
                .as_deref()
                .is_some_and(|id| OPTIONAL_BODIES.contains(&id))
            && let Some(RefOr::T(body)) = op.request_body.as_mut()
        {
            body.required = Some(Required::False);
        }
    }
}

/// The responses an operation answers because of what it is, added here once instead of on each handler, so that
/// no operation can forget one (a test checks them on the committed spec):
///
/// * every operation: 500;
/// * an operation that needs a bearer token: 401, 403 and 503 (its unit of work needs the database);
/// * an operation with a body: 413; with a JSON body also 400 (malformed JSON), 415 and 422 (the token endpoint's
///   form body answers a wrong content type with RFC 6749's 400 instead);
/// * an operation that takes `If-Match`: 400 (a value that is no ETag), 412 and 428.
/// * a write under `/api/v1` (the token endpoint included): 429 (see [`crate::records::rate_limit`]).
pub fn finish(api: &mut utoipa::openapi::OpenApi) {
    bodies_that_may_be_left_out(api);
    state_json_metadata_parts(api);
    refer_page_items(api);
    add_response_examples(api);
    state_cross_field_rules(api);
    link_creates_to_their_operations(api);
    name_where_each_etag_is_read(api);
    variants::name_tagged_variants(api);
    text::state_no_nul(api);
    headers::declare_response_headers(api);
    for (path, item) in api.paths.paths.iter_mut() {
        if let Some(op) = item.post.as_mut()
            && path.starts_with("/api/v1/")
            && path != "/api/v1/auth/token"
        {
            op.parameters
                .get_or_insert_with(Vec::new)
                .push(idempotency_key_parameter().into());
            // An in-progress retry (409), a key reused for another request (422), a malformed key (400).
            for (status, name) in [
                ("400", "BadRequest"),
                ("409", "Conflict"),
                ("422", "UnprocessableContent"),
            ] {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| Ref::from_response_name(name).into());
            }
        }
        for (write, op) in [
            (false, &mut item.get),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ]
        .into_iter()
        .filter_map(|(w, op)| op.as_mut().map(|op| (w, op)))
        {
            let authenticated = op
                .security
                .iter()
                .flatten()
                .any(|requirement| requirement != &Default::default());
            let body_types: Vec<&str> = match &op.request_body {
                Some(RefOr::T(body)) => body.content.keys().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            // A multipart upload's metadata part is JSON: it is refused like a JSON body.
            let json_body = body_types.contains(&"application/json")
                || body_types.contains(&"multipart/form-data");
            let takes_if_match = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("if-match")));
            let mut shared = vec![("500", "InternalError")];
            if authenticated {
                shared.extend([
                    ("401", "Unauthorized"),
                    ("403", "Forbidden"),
                    ("503", "ServiceUnavailable"),
                ]);
            }
            if !body_types.is_empty() {
                shared.push(("413", "PayloadTooLarge"));
            }
            if json_body {
                shared.extend([
                    ("400", "BadRequest"),
                    ("415", "UnsupportedMediaType"),
                    ("422", "UnprocessableContent"),
                ]);
            }
            if takes_if_match {
                shared.extend([
                    ("400", "BadRequest"),
                    ("412", "PreconditionFailed"),
                    ("428", "PreconditionRequired"),
                ]);
            }
            if write && path.starts_with("/api/v1/") {
                shared.push(("429", "TooManyRequests"));
            }
            for (status, name) in shared {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| Ref::from_response_name(name).into());
            }
        }
    }
}
