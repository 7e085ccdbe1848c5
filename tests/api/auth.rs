use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    DEMO_PASSWORD, assert_problem, claims_of, etag_of, json, spawn_app, spawn_app_with,
};

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";

#[tokio::test]
async fn the_password_grant_issues_a_bearer_jwt_with_the_institution_and_role() {
    let app = spawn_app().await;
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "mopr-worker"),
            ("password", DEMO_PASSWORD),
        ])
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers().get("cache-control").unwrap(), "no-store");
    let body = json(resp).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let claims = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(claims["kind"], "MOPR");
    assert_eq!(claims["role"], "social_worker");
    assert_eq!(claims["iss"], "reintegra");
    assert_eq!(claims["aud"], "reintegra-api");
    for claim in ["sub", "inst", "exp", "iat", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim} missing: {claims}");
    }
    assert_eq!(claims["inst"], app.institution_id("MOPR").await);
}

#[tokio::test]
async fn me_echoes_the_identity_of_the_token() {
    let app = spawn_app().await;
    let token = app.token("cis-director").await;
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["institution_kind"], "CIS");
    assert_eq!(me["role"], "director");
    assert_eq!(me["principal_type"], "user");
    assert_eq!(me["id"], claims_of(&token)["sub"]);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_invalid_grant() {
    let app = spawn_app().await;
    for (user, pass) in [
        ("mopr-worker", "wrong-password"),
        ("nobody-here", DEMO_PASSWORD),
    ] {
        let resp = app
            .token_request(&[
                ("grant_type", "password"),
                ("username", user),
                ("password", pass),
            ])
            .await;
        assert_eq!(resp.status(), 400);
        let body = json(resp).await;
        assert_eq!(body["error"], "invalid_grant", "{user}");
    }
}

#[tokio::test]
async fn malformed_token_requests_get_rfc6749_errors() {
    let app = spawn_app().await;
    let resp = app
        .request(Method::POST, "/api/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "mopr-worker", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"], "invalid_request");
    let resp = app
        .token_request(&[("grant_type", "authorization_code")])
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"], "unsupported_grant_type");
    let resp = app
        .token_request(&[("grant_type", "password"), ("username", "x")])
        .await;
    assert_eq!(json(resp).await["error"], "invalid_request");
    let resp = app.token_request(&[("username", "x")]).await;
    assert_eq!(json(resp).await["error"], "invalid_request");
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_and_their_tokens_stop_working() {
    let app = spawn_app().await;
    let staff_token = app.token("mopr-staff").await;
    let admin = app.token("mopr-admin").await;
    let id = app.user_id("mopr-staff").await;
    let person = app
        .create_person(
            "mopr-worker",
            &serde_json::json!({"first_name": "A", "last_name": "B", "birth_date": "1970-01-01", "sex": "male"}),
        )
        .await;
    let read = format!("/api/v1/persons/{}", person["id"].as_str().unwrap());
    let resp = app.call(Method::GET, &read, &staff_token, None).await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .call(Method::GET, &format!("/api/v1/users/{id}"), &admin, None)
        .await;
    let version = etag_of(&resp);
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/users/{id}/deactivate"),
            &admin,
            &version,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["active"], false);

    // Every kind of handler checks it in its own unit of work: identity, read, search, list, write.
    // Audited reads are checked in their audit commit, after the read: a read that finds nothing, fails or
    // lists nothing is refused all the same, so a deactivated account cannot tell a 404 from a 200 either.
    // A plain lookup (an institution) checks it with the lookup (on PostgreSQL, on the worker's own connection).
    let institution = format!("/api/v1/institutions/{}", app.institution_id("CIS").await);
    for (method, path) in [
        (Method::GET, "/api/v1/me"),
        (Method::GET, read.as_str()),
        (Method::GET, institution.as_str()),
        (
            Method::GET,
            "/api/v1/institutions/00000000-0000-7000-8000-000000000000",
        ),
        (
            Method::GET,
            "/api/v1/persons/00000000-0000-7000-8000-000000000000",
        ),
        (Method::GET, "/api/v1/persons?last_name=b"),
        (Method::GET, "/api/v1/persons?last_name=nobodyhasthisname"),
        (Method::GET, "/api/v1/deadlines"),
        (Method::GET, "/api/v1/dps-applications"),
        (Method::GET, "/api/v1/referral-applications?limit=1"),
    ] {
        let resp = app.call(method, path, &staff_token, None).await;
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // A refused read leaves no record of a read that was never answered: only the one before is there.
    let director = app.token("mopr-director").await;
    let trail = json(
        app.call(
            Method::GET,
            &format!("/api/v1/audit-events?actor_id={id}&limit=200"),
            &director,
            None,
        )
        .await,
    )
    .await;
    let reads: Vec<&serde_json::Value> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "read" || e["action"] == "list")
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["resource_id"], person["id"]);
    let resp = app
        .call(
            Method::POST,
            "/api/v1/persons",
            &staff_token,
            Some(&serde_json::json!({"first_name": "C", "last_name": "D", "birth_date": "1970-01-01", "sex": "male"})),
        )
        .await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "mopr-staff"),
            ("password", DEMO_PASSWORD),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"], "invalid_grant");
}

#[tokio::test]
async fn the_client_credentials_grant_works_in_the_form_and_with_basic_auth() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/api-clients",
            &admin,
            Some(&json!({"name": "MOPR case system", "role": "social_worker"})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let version = etag_of(&resp);
    let created = json(resp).await;
    let (id, client_id, secret) = (
        created["id"].as_str().unwrap().to_owned(),
        created["client_id"].as_str().unwrap().to_owned(),
        created["client_secret"].as_str().unwrap().to_owned(),
    );

    let resp = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(resp.status(), 200);
    let claims = claims_of(json(resp).await["access_token"].as_str().unwrap());
    assert_eq!(
        (claims["kind"].as_str(), claims["role"].as_str()),
        (Some("MOPR"), Some("social_worker"))
    );
    assert_eq!(claims["sub"], id.as_str());

    let resp = app
        .request(Method::POST, "/api/v1/auth/token")
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let client_token = json(resp).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // The secret is never shown again.
    let shown = json(
        app.call(
            Method::GET,
            &format!("/api/v1/api-clients/{id}"),
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert!(shown.get("client_secret").is_none());

    let resp = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "wrong"),
        ])
        .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(json(resp).await["error"], "invalid_client");

    // An audited read works while the client is active, and stops with it (checked in the audit commit).
    let search = "/api/v1/persons?last_name=nobodyhasthisname";
    let resp = app.call(Method::GET, search, &client_token, None).await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .call_if_match(
            Method::POST,
            &format!("/api/v1/api-clients/{id}/deactivate"),
            &admin,
            &version,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    for path in ["/api/v1/me", search] {
        let resp = app.call(Method::GET, path, &client_token, None).await;
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let resp = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn failures_slow_down_their_own_address_and_never_lock_the_owner_out_from_another() {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use reintegra::foundation::db::{self, schema::sign_in_failures};

    let app = spawn_app_with(|c| c.login_max_failures = 3).await;
    let account = app.user_id("ngo-staff").await;
    let attempt = |client: reqwest::Client, password: &'static str| {
        let url = app.url("/api/v1/auth/token");
        async move {
            client
                .post(url)
                .form(&[
                    ("grant_type", "password"),
                    ("username", "ngo-staff"),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let here = reqwest::Client::new();
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    // The free failures cost nothing: each is answered, and counted for this address.
    for _ in 0..3 {
        assert_eq!(attempt(here.clone(), "not-it-at-all").await.status(), 400);
    }
    let pool = db::connect(&app.database_url, 1).unwrap();
    let streak = |addr: &str| {
        let mut conn = pool.get().unwrap();
        sign_in_failures::table
            .filter(sign_in_failures::account_id.eq(&account))
            .filter(sign_in_failures::client_addr.eq(addr.to_owned()))
            .select(sign_in_failures::failures)
            .get_result::<i32>(&mut *conn)
            .ok()
    };
    assert_eq!(streak("127.0.0.1"), Some(3));
    assert_eq!(streak("127.0.0.2"), None);

    // A long streak at this address (as a guesser would have built): even the right password waits here.
    {
        let mut conn = pool.get().unwrap();
        let account = account.clone();
        db::write_tx(&mut conn, move |c| {
            diesel::update(
                sign_in_failures::table.filter(sign_in_failures::account_id.eq(account)),
            )
            .set((
                sign_in_failures::failures.eq(30),
                sign_in_failures::last_failed_at.eq(db::now()),
            ))
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    }
    let resp = attempt(here.clone(), DEMO_PASSWORD).await;
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 200 && retry_after <= 300, "{retry_after}");
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    // The owner, from another address, signs in as usual, and that clears nothing of the guesser's address.
    let resp = attempt(elsewhere.clone(), DEMO_PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let resp = attempt(here.clone(), DEMO_PASSWORD).await;
    assert_eq!(resp.status(), 429);
    // Other accounts are not affected at the guesser's address either.
    app.token("pcpr-staff").await;
}

fn sign(claims: &serde_json::Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn tampered_expired_unsigned_and_foreign_tokens_are_refused_with_401() {
    let app =
        spawn_app_with(|c| c.jwt_secret = reintegra::foundation::config::Secret::new(SECRET)).await;
    let good = app.token("mopr-director").await;
    let mut claims = claims_of(&good);
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &good, None)
            .await
            .status(),
        200
    );

    let mut bad_tokens = Vec::new();
    // Tampered: the payload claims another role but keeps the old signature.
    let parts: Vec<&str> = good.split('.').collect();
    claims["role"] = json!("admin");
    let forged_payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
    };
    bad_tokens.push((
        "tampered",
        format!("{}.{}.{}", parts[0], forged_payload, parts[2]),
    ));
    claims["role"] = json!("director");
    // Expired (beyond the leeway).
    let now = chrono::Utc::now().timestamp();
    let mut expired = claims.clone();
    expired["exp"] = json!(now - 3600);
    expired["iat"] = json!(now - 4600);
    bad_tokens.push(("expired", sign(&expired, SECRET)));
    // alg: none.
    let none_header = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    };
    bad_tokens.push(("alg none", format!("{none_header}.{}.", parts[1])));
    // Wrong audience and wrong issuer, correctly signed.
    let mut aud = claims.clone();
    aud["aud"] = json!("another-api");
    bad_tokens.push(("wrong audience", sign(&aud, SECRET)));
    let mut iss = claims.clone();
    iss["iss"] = json!("someone-else");
    bad_tokens.push(("wrong issuer", sign(&iss, SECRET)));
    // Signed with another key.
    bad_tokens.push((
        "foreign key",
        sign(&claims, "another-secret-another-secret-another"),
    ));
    bad_tokens.push(("garbage", "not.a.jwt".to_owned()));

    for (what, token) in bad_tokens {
        let resp = app.call(Method::GET, "/api/v1/me", &token, None).await;
        let www = resp
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
        assert!(www.unwrap_or_default().starts_with("Bearer"), "{what}");
    }
}

#[tokio::test]
async fn a_request_without_a_token_is_401_with_a_bearer_challenge() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/me",
        "/api/v1/institutions",
        "/api/v1/users",
        "/api/v1/audit-events",
    ] {
        let resp = app.get(path).await;
        assert!(resp.headers().get("www-authenticate").is_some(), "{path}");
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let resp = app
        .request(Method::GET, "/api/v1/me")
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

/// Every change of an account ends the tokens issued before it: a stolen token does not survive the password reset
/// meant to stop it, nor a deactivation undone by a reactivation. The account signs in again and goes on.
#[tokio::test]
async fn a_password_reset_or_a_reactivation_ends_the_tokens_issued_before_it() {
    let app = spawn_app().await;
    let admin = app.token("mopr-admin").await;
    let before_reset = app.login_as("mopr-staff", "reintegra-demo").await;
    let resp = app
        .call(Method::GET, "/api/v1/me", &before_reset, None)
        .await;
    assert_eq!(resp.status(), 200);
    app.change_account(
        "mopr-staff",
        "password",
        Some(&json!({"password": "a-new-long-password"})),
    )
    .await;
    for (method, path) in [
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/persons?last_name=Nowak"),
    ] {
        let resp = app.call(method, path, &before_reset, None).await;
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let after_reset = app.login_as("mopr-staff", "a-new-long-password").await;
    let resp = app
        .call(Method::GET, "/api/v1/me", &after_reset, None)
        .await;
    assert_eq!(resp.status(), 200);

    app.change_account("mopr-staff", "deactivate", None).await;
    app.change_account("mopr-staff", "activate", None).await;
    let resp = app
        .call(Method::GET, "/api/v1/me", &after_reset, None)
        .await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let again = app.login_as("mopr-staff", "a-new-long-password").await;
    let resp = app.call(Method::GET, "/api/v1/me", &again, None).await;
    assert_eq!(resp.status(), 200);
    // Another account's tokens are untouched.
    let resp = app.call(Method::GET, "/api/v1/me", &admin, None).await;
    assert_eq!(resp.status(), 200);
}
