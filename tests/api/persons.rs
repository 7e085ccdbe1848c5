use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, etag_of, json, make_pesel, spawn_app};

fn person(first: &str, last: &str, pesel: Option<&str>) -> Value {
    let mut v = json!({
        "first_name": first,
        "last_name": last,
        "residence_address": {"street": "ul. Szeroka", "building": "12", "flat": "4", "postal_code": "87-100", "city": "Toruń"},
        "phone": "+48 600 100 200"
    });
    match pesel {
        Some(p) => v["pesel"] = json!(p),
        None => {
            v["birth_date"] = json!("1990-02-03");
            v["sex"] = json!("female");
        }
    }
    v
}

#[tokio::test]
async fn a_pesel_fills_birth_date_and_sex_for_each_century() {
    let app = spawn_app().await;
    for (y, m, d, female) in [
        (1885, 3, 1, true),
        (1944, 5, 14, false),
        (2004, 2, 29, true),
        (2023, 12, 31, false),
    ] {
        let pesel = make_pesel(y, m, d, 77, female);
        let created = app
            .create_person("mopr-staff", &person("Jan", "Nowak", Some(&pesel)))
            .await;
        assert_eq!(
            created["birth_date"],
            format!("{y:04}-{m:02}-{d:02}"),
            "{pesel}"
        );
        assert_eq!(created["sex"], if female { "female" } else { "male" });
        assert_eq!(created["pesel"], pesel.as_str());
    }
    // A valid PESEL of the 2100s decodes, but nobody is born in the future.
    let token = app.token("mopr-staff").await;
    let future = make_pesel(2101, 1, 1, 1, true);
    let resp = app
        .call(
            Method::POST,
            "/api/v1/persons",
            &token,
            Some(&person("A", "B", Some(&future))),
        )
        .await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "in_future");
    // The reference examples.
    for p in ["44051401458", "75120804355"] {
        let token = app.token("mopr-worker").await;
        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/persons?pesel={p}"),
                &token,
                None,
            )
            .await;
        assert_eq!(resp.status(), 200);
    }
}

#[tokio::test]
async fn every_invalid_pesel_is_a_422_naming_its_reason() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    let bad_date = {
        // 31 April 1990 with a correct check digit.
        let ten = "9004310123";
        let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
        let sum: u32 = ten
            .bytes()
            .zip(weights)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        format!("{ten}{}", (10 - sum % 10) % 10)
    };
    let cases = [
        ("4405140145", "pesel_format"),
        ("440514014589", "pesel_format"),
        ("44O51401458", "pesel_format"),
        ("44051401459", "pesel_checksum"),
        (bad_date.as_str(), "pesel_date"),
    ];
    for (pesel, code) in cases {
        let resp = app
            .call(
                Method::POST,
                "/api/v1/persons",
                &token,
                Some(&person("Jan", "Nowak", Some(pesel))),
            )
            .await;
        let body =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "pesel", "{pesel}");
        assert_eq!(body["errors"][0]["code"], code, "{pesel}");
    }
    let mut mismatch = person("Jan", "Nowak", Some("44051401458"));
    mismatch["birth_date"] = json!("1944-05-15");
    mismatch["sex"] = json!("female");
    let resp = app
        .call(Method::POST, "/api/v1/persons", &token, Some(&mismatch))
        .await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["pesel_birth_date_mismatch", "pesel_sex_mismatch"]
    );
    // Nothing was registered by any of these.
    let page = json(app.call(Method::GET, "/api/v1/persons", &token, None).await).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_foreigner_without_a_pesel_needs_birth_date_and_sex() {
    let app = spawn_app().await;
    let created = app
        .create_person("ngo-staff", &person("Olena", "Kovalenko", None))
        .await;
    assert_eq!(created["pesel"], Value::Null);
    let token = app.token("ngo-staff").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/persons",
            &token,
            Some(&json!({"first_name": "A", "last_name": "B"})),
        )
        .await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_duplicate_pesel_links_the_original_only_for_those_who_may_see_it() {
    let app = spawn_app().await;
    let original = app
        .create_person("ngo-staff", &person("Jan", "Kowalski", Some("44051401458")))
        .await;
    let link = format!("/api/v1/persons/{}", original["id"].as_str().unwrap());

    for (user, sees) in [
        ("ngo-staff", true),
        ("mopr-staff", true),
        ("pcpr-staff", false),
    ] {
        let token = app.token(user).await;
        let resp = app
            .call(
                Method::POST,
                "/api/v1/persons",
                &token,
                Some(&person("Janek", "Kowalski", Some("44051401458"))),
            )
            .await;
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = assert_problem(resp, StatusCode::CONFLICT, "duplicate_pesel").await;
        if sees {
            assert_eq!(body["existing"], link.as_str(), "{user}");
            assert_eq!(location.as_deref(), Some(link.as_str()));
        } else {
            assert!(body.get("existing").is_none(), "{user}: {body}");
            assert!(location.is_none());
            assert!(!body.to_string().contains(original["id"].as_str().unwrap()));
        }
    }
}

#[tokio::test]
async fn each_institution_kind_sees_exactly_the_persons_the_policy_allows() {
    let app = spawn_app().await;
    let by_ngo = app
        .create_person("ngo-staff", &person("Anna", "Wiśniewska", None))
        .await;
    let by_mopr = app
        .create_person(
            "mopr-worker",
            &person("Piotr", "Zieliński", Some("75120804355")),
        )
        .await;
    let ngo_path = format!("/api/v1/persons/{}", by_ngo["id"].as_str().unwrap());
    let mopr_path = format!("/api/v1/persons/{}", by_mopr["id"].as_str().unwrap());

    // (user, sees the NGO's person, sees the MOPR's person)
    let table = [
        ("mopr-staff", 200, 200),
        ("mopr-worker", 200, 200),
        ("mopr-director", 200, 200),
        ("ngo-staff", 200, 404),
        ("pcpr-staff", 404, 404),
        ("cis-staff", 404, 404),
        ("cis-director", 404, 404),
        ("mopr-admin", 403, 403),
        ("platform-admin", 403, 403),
    ];
    for (user, ngo_status, mopr_status) in table {
        let token = app.token(user).await;
        let got = app
            .call(Method::GET, &ngo_path, &token, None)
            .await
            .status()
            .as_u16();
        assert_eq!(got, ngo_status, "{user} reading the NGO's person");
        let got = app
            .call(Method::GET, &mopr_path, &token, None)
            .await
            .status()
            .as_u16();
        assert_eq!(got, mopr_status, "{user} reading the MOPR's person");
        let resp = app.call(Method::GET, "/api/v1/persons", &token, None).await;
        if ngo_status == 403 {
            assert_eq!(resp.status(), 403, "{user}");
            continue;
        }
        let listed = json(resp).await["items"].as_array().unwrap().len();
        let expected = [ngo_status, mopr_status]
            .iter()
            .filter(|s| **s == 200)
            .count();
        assert_eq!(listed, expected, "{user} search");
    }
    // Registering: CIS and admins may not.
    for user in ["cis-staff", "cis-director", "mopr-admin", "platform-admin"] {
        let token = app.token(user).await;
        let resp = app
            .call(
                Method::POST,
                "/api/v1/persons",
                &token,
                Some(&person("X", "Y", None)),
            )
            .await;
        assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn search_ignores_case_and_polish_diacritics_and_pages_by_last_name() {
    let app = spawn_app().await;
    let names = [
        "Żółkiewski",
        "Zółkowska",
        "ŻOŁNIERZ",
        "Zalewski",
        "Łukasiewicz",
        "Lis",
        "Kowalski",
        "Żółw",
        "Źrebiec",
    ];
    for (i, last) in names.iter().enumerate() {
        let mut p = person("Jan", last, None);
        p["birth_date"] = json!(format!("19{:02}-01-15", 50 + i));
        app.create_person("mopr-staff", &p).await;
    }
    let token = app.token("mopr-staff").await;
    let found = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["last_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let page = json(
        app.call(Method::GET, "/api/v1/persons?last_name=zolk", &token, None)
            .await,
    )
    .await;
    assert_eq!(found(&page), vec!["Żółkiewski", "Zółkowska"]);
    let page = json(
        app.call(
            Method::GET,
            "/api/v1/persons?last_name=%C5%BB%C3%93%C5%81",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        found(&page),
        vec!["Żółkiewski", "Zółkowska", "ŻOŁNIERZ", "Żółw"]
    );
    let page = json(
        app.call(Method::GET, "/api/v1/persons?last_name=LUK", &token, None)
            .await,
    )
    .await;
    assert_eq!(found(&page), vec!["Łukasiewicz"]);
    let page = json(
        app.call(
            Method::GET,
            "/api/v1/persons?birth_date=1951-01-15",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(found(&page), vec!["Zółkowska"]);

    // Walk the whole registry three at a time: alphabetical by folded name, no repeats, nothing missed.
    let mut all = Vec::new();
    let mut path = "/api/v1/persons?limit=3&last_name=z".to_owned();
    loop {
        let page = json(app.call(Method::GET, &path, &token, None).await).await;
        let items = found(&page);
        assert!(items.len() <= 3);
        all.extend(items);
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/persons?limit=3&last_name=z&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        all,
        vec![
            "Zalewski",
            "Żółkiewski",
            "Zółkowska",
            "ŻOŁNIERZ",
            "Żółw",
            "Źrebiec"
        ]
    );

    let resp = app
        .call(Method::GET, "/api/v1/persons?pesel=123", &token, None)
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = app
        .call(
            Method::GET,
            "/api/v1/persons?birth_date=yesterday",
            &token,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn updates_need_if_match_keep_history_and_revalidate() {
    let app = spawn_app().await;
    let created = app
        .create_person("ngo-staff", &person("Anna", "Nowak", Some("75120804355")))
        .await;
    let path = format!("/api/v1/persons/{}", created["id"].as_str().unwrap());
    let token = app.token("ngo-staff").await;
    let patch = json!({"phone": "+48 600 999 888", "stay_address": {"building": "1", "postal_code": "87-100", "city": "Toruń"}});

    let resp = app.call(Method::PATCH, &path, &token, Some(&patch)).await;
    assert_problem(resp, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    let resp = app
        .call_if_match(Method::PATCH, &path, &token, "\"5\"", Some(&patch))
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "version_mismatch").await;
    let resp = app
        .call_if_match(Method::PATCH, &path, &token, "\"1\"", Some(&patch))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(etag_of(&resp), "\"2\"");
    let updated = json(resp).await;
    assert_eq!(updated["phone"], "+48 600 999 888");
    assert_eq!(updated["stay_address"]["city"], "Toruń");
    assert_eq!(updated["first_name"], "Anna");

    // null clears; an invalid value is refused and changes nothing.
    let resp = app
        .call_if_match(
            Method::PATCH,
            &path,
            &token,
            "\"2\"",
            Some(&json!({"email": "not-an-email"})),
        )
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = app
        .call_if_match(
            Method::PATCH,
            &path,
            &token,
            "\"2\"",
            Some(&json!({"stay_address": null})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["stay_address"], Value::Null);

    // Another institution that cannot see the record gets 404; MOPR may correct it.
    let pcpr = app.token("pcpr-staff").await;
    let resp = app
        .call_if_match(
            Method::PATCH,
            &path,
            &pcpr,
            "\"3\"",
            Some(&json!({"phone": null})),
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    let mopr = app.token("mopr-staff").await;
    let resp = app
        .call_if_match(
            Method::PATCH,
            &path,
            &mopr,
            "\"3\"",
            Some(&json!({"last_name": "Nowak-Kowalska"})),
        )
        .await;
    assert_eq!(resp.status(), 200);

    let changes = json(
        app.call(Method::GET, &format!("{path}/changes"), &mopr, None)
            .await,
    )
    .await;
    let fields: Vec<Value> = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fields"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![
            json!(["created"]),
            json!(["stay_address", "phone"]),
            json!(["stay_address"]),
            json!(["last_name"])
        ]
    );
    assert_eq!(changes["items"][3]["version"], 4);
}

#[tokio::test]
async fn reads_searches_and_changes_of_persons_are_audited() {
    let app = spawn_app().await;
    let created = app
        .create_person("mopr-worker", &person("Jan", "Audytowany", None))
        .await;
    let id = created["id"].as_str().unwrap();
    let worker = app.token("mopr-worker").await;
    app.call(Method::GET, &format!("/api/v1/persons/{id}"), &worker, None)
        .await;
    app.call(
        Method::GET,
        "/api/v1/persons?last_name=audyt",
        &worker,
        None,
    )
    .await;
    app.call_if_match(
        Method::PATCH,
        &format!("/api/v1/persons/{id}"),
        &worker,
        "\"1\"",
        Some(&json!({"phone": null})),
    )
    .await;
    let director = app.token("mopr-director").await;
    let page = json(
        app.call(
            Method::GET,
            &format!("/api/v1/audit-events?person_id={id}"),
            &director,
            None,
        )
        .await,
    )
    .await;
    let actions: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["update", "list", "read", "create"]);
    assert_eq!(page["items"][0]["detail"], "phone");
}

/// chrono reads signed years of up to six digits; PostgreSQL refuses those before 4713 BC (a 500 before request
/// dates were held to `YYYY-MM-DD`). Each is a 422 now, on both backends, and nothing is written.
#[tokio::test]
async fn a_date_is_yyyy_mm_dd_and_anything_else_is_refused_without_a_trace() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    for bad in [
        "-4714-01-01",
        "-262143-01-01",
        "+262142-12-31",
        "+1990-02-03",
        "-0001-01-01",
    ] {
        let mut body = person("Jan", "Datowski", None);
        body["birth_date"] = json!(bad);
        let resp = app
            .call(Method::POST, "/api/v1/persons", &token, Some(&body))
            .await;
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("a date as YYYY-MM-DD"),
            "{bad}: {problem}"
        );
        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/persons?birth_date={}", bad.replace('+', "%2B")),
                &token,
                None,
            )
            .await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
    let resp = app
        .call(
            Method::GET,
            "/api/v1/persons?last_name=datowski",
            &token,
            None,
        )
        .await;
    assert_eq!(json(resp).await["items"], json!([]));

    // A correction is held to the same rule and leaves the person as it was.
    let created = app
        .create_person("mopr-staff", &person("Jan", "Datowski", None))
        .await;
    let path = format!("/api/v1/persons/{}", created["id"].as_str().unwrap());
    let unchanged = app
        .refused_correction(&path, &token, &json!({"birth_date": "-4714-01-01"}))
        .await;
    assert_eq!(unchanged["birth_date"], "1990-02-03");
    // Year one and year 9999 are full dates; the registry's own rules judge them.
    let mut body = person("Jan", "Datowski", None);
    body["birth_date"] = json!("9999-12-31");
    let resp = app
        .call(Method::POST, "/api/v1/persons", &token, Some(&body))
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "in_future");
}

/// The contract's patterns and lengths apply to the value as sent: what it calls invalid is refused, not trimmed
/// into shape or read as "none".
#[actix_web::test]
async fn a_value_the_contract_calls_invalid_is_refused_as_sent() {
    let app = spawn_app().await;
    let token = app.token("mopr-staff").await;
    let padded_name = format!("{} ", "A".repeat(100));
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("pesel", json!(""), "pesel", "pesel_format"),
        ("pesel", json!(" 44051401458"), "pesel", "pesel_format"),
        (
            "postal_code",
            json!(" 87-100"),
            "residence_address.postal_code",
            "postal_code_format",
        ),
        // Arabic-Indic digits are digits to some regex engines, not to the contract's [0-9].
        (
            "postal_code",
            json!("٨٧-١٠٠"),
            "residence_address.postal_code",
            "postal_code_format",
        ),
        ("phone", json!(""), "phone", "phone_format"),
        ("email", json!(" jan@example.pl"), "email", "email_format"),
        ("email", json!(""), "email", "email_format"),
        ("first_name", json!(padded_name), "first_name", "too_long"),
    ];
    for (key, value, field, code) in cases {
        let mut body = person("Jan", "Wzorcowy", None);
        if key == "postal_code" {
            body["residence_address"]["postal_code"] = value.clone();
        } else {
            body[key] = value.clone();
        }
        let resp = app
            .call(Method::POST, "/api/v1/persons", &token, Some(&body))
            .await;
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let errors = problem["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{key} = {value}: {problem}"
        );
    }
    let resp = app
        .call(
            Method::GET,
            "/api/v1/persons?last_name=wzorcowy",
            &token,
            None,
        )
        .await;
    assert_eq!(json(resp).await["items"], json!([]));

    // What the contract allows still goes through: a phone of spaces only is stored as none.
    let mut body = person("Jan", "Wzorcowy", None);
    body["phone"] = json!("      ");
    body["first_name"] = json!(format!(" {} ", "A".repeat(98)));
    let created = app.create_person("mopr-staff", &body).await;
    assert_eq!(created["phone"], Value::Null);
    assert_eq!(created["first_name"], "A".repeat(98));
}
