//! Care homes, income criteria, fee decisions, waiting lists and placement decisions (workflow B after the
//! decision).

use chrono::Days;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::dps::{assess, complete_file, decide, deliver, file_case, path, v};
use crate::helpers::{TestApp, assert_problem, json, spawn_app};

const USERS: [&str; 9] = [
    "mopr-admin",
    "mopr-director",
    "mopr-worker",
    "mopr-staff",
    "cis-director",
    "cis-staff",
    "pcpr-staff",
    "ngo-staff",
    "platform-admin",
];

/// Registers a home as `user`, placed by `placing` (an institution id), and returns it.
pub(crate) async fn create_home(
    app: &TestApp,
    user: &str,
    placing: &str,
    places: i64,
    extra: Value,
) -> Value {
    let mut body = json!({"name": format!("DPS testowy {}", uuid::Uuid::now_v7()), "address": "ul. Testowa 1, 87-100 Toruń",
        "dps_types": ["elderly"], "places": places, "operator": "Gmina Miasta Toruń",
        "placing_institution_id": placing, "average_cost": {"applies_from": "2026-01-01", "monthly_cost": 600000}});
    for (k, val) in extra.as_object().unwrap() {
        body[k] = val.clone();
    }
    let token = app.token(user).await;
    let resp = app
        .call(Method::POST, "/api/v1/care-homes", &token, Some(&body))
        .await;
    let status = resp.status();
    let home = json(resp).await;
    assert_eq!(status, 201, "{home}");
    home
}

/// A DPS case with a granted decision, delivered to one party who waived: final today.
pub(crate) async fn final_granted_case(app: &TestApp, facts_extra: Value) -> Value {
    let case = granted_case(app, facts_extra).await;
    let case = deliver(app, &case, "Helena Testowa").await;
    let case = app
        .transition(
            "mopr-staff",
            &path(&case, "/deliveries/party_1/waiver"),
            v(&case),
            Some(&json!({"received_on": app.today()})),
            200,
        )
        .await;
    assert_eq!(case["finality"]["final"], true, "{case}");
    case
}

pub(crate) async fn granted_case(app: &TestApp, facts_extra: Value) -> Value {
    let case = file_case(app, "mopr-staff", "mopr-staff", json!({})).await;
    let case = complete_file(app, &case, facts_extra).await;
    let case = assess(app, &case).await;
    decide(app, &case, "granted").await
}

pub(crate) async fn enter(app: &TestApp, home: &Value, case: &Value, extra: Value) -> Value {
    let mut body = json!({"care_home_id": home["id"], "dps_application_id": case["id"]});
    for (k, val) in extra.as_object().unwrap() {
        body[k] = val.clone();
    }
    let token = app.token("mopr-staff").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/waiting-list-entries",
            &token,
            Some(&body),
        )
        .await;
    let status = resp.status();
    let entry = json(resp).await;
    assert_eq!(status, 201, "{entry}");
    entry
}

/// Asks to enter a case on a list as the caller behind `token`, without asserting the outcome.
async fn try_enter(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.call(
        Method::POST,
        "/api/v1/waiting-list-entries",
        token,
        Some(&body),
    )
    .await
}

fn entry_path(entry: &Value, tail: &str) -> String {
    format!(
        "/api/v1/waiting-list-entries/{}{tail}",
        entry["id"].as_str().unwrap()
    )
}

fn home_path(home: &Value, tail: &str) -> String {
    format!("/api/v1/care-homes/{}{tail}", home["id"].as_str().unwrap())
}

async fn place(
    app: &TestApp,
    user: &str,
    entry: &Value,
    reason: Option<&str>,
    expect: u16,
) -> Value {
    let body = json!({"admission_on": app.today(), "out_of_order_reason": reason});
    app.transition(
        user,
        &entry_path(entry, "/placement"),
        v(entry),
        Some(&body),
        expect,
    )
    .await
}

pub(crate) async fn fee_body(home: &Value, applies_from: chrono::NaiveDate, agreed: i64) -> Value {
    json!({"care_home_id": home["id"], "applies_from": applies_from, "resident_income": 200000,
        "relatives": [{"name": "Anna Testowa", "relation": "descendant", "household": {"kind": "single", "income": 400000}, "agreed": agreed}],
        "volunteers": []})
}

#[tokio::test]
async fn income_criteria_carry_their_history_and_only_platform_admins_add_one() {
    let app = spawn_app().await;
    let list = app.fetch("cis-staff", "/api/v1/income-criteria").await;
    let items = list["items"].as_array().unwrap();
    let firsts: Vec<(&str, i64, i64)> = items
        .iter()
        .map(|c| {
            (
                c["applies_from"].as_str().unwrap(),
                c["single"].as_i64().unwrap(),
                c["per_person_in_family"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        firsts,
        [
            ("2015-10-01", 63400, 51400),
            ("2018-10-01", 70100, 52800),
            ("2022-01-01", 77600, 60000),
            ("2025-01-01", 101000, 82300)
        ]
    );
    // Seed 003's thresholds are 300% of the 2015 criterion.
    assert_eq!(
        items[0]["fee_thresholds"],
        json!({"single": 190200, "per_person_in_family": 154200})
    );
    assert_eq!(
        items[3]["fee_thresholds"],
        json!({"single": 303000, "per_person_in_family": 246900})
    );

    let body = json!({"applies_from": "2028-01-01", "single": 110000, "per_person_in_family": 90000, "legal_basis": "rozporządzenie"});
    for user in USERS.iter().filter(|u| **u != "platform-admin") {
        let token = app.token(user).await;
        let resp = app
            .call(Method::POST, "/api/v1/income-criteria", &token, Some(&body))
            .await;
        assert_eq!(resp.status(), 403, "{user}");
    }
    let admin = app.token("platform-admin").await;
    let mut early = body.clone();
    early["applies_from"] = json!("2025-01-01");
    let resp = app
        .call(
            Method::POST,
            "/api/v1/income-criteria",
            &admin,
            Some(&early),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "not_after_latest").await;
    let resp = app
        .call(Method::POST, "/api/v1/income-criteria", &admin, Some(&body))
        .await;
    assert_eq!(resp.status(), 201);
    let list = app.fetch("mopr-staff", "/api/v1/income-criteria").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_fee_decision_splits_the_cost_and_a_new_cost_means_a_new_decision() {
    let app = spawn_app().await;
    let mopr = app.institution_id("MOPR").await;
    let home = create_home(&app, "mopr-director", &mopr, 10, json!({})).await;
    assert_eq!(home["average_cost"]["monthly_cost"], 600000);
    assert_eq!(home["free_places"], 10);

    // No decision yet: nothing to set a fee for.
    let undecided = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let resp = app
        .transition(
            "mopr-director",
            &path(&undecided, "/fee-decisions"),
            v(&undecided),
            Some(&fee_body(&home, app.today(), 0).await),
            409,
        )
        .await;
    assert_eq!(resp["code"], "decision_required");

    let case = granted_case(
        &app,
        json!({"obliged_relatives": [{"name": "Anna Testowa", "relation": "descendant"}]}),
    )
    .await;
    assert_eq!(case["awaiting_fee_decision"], true);
    let fees = path(&case, "/fee-decisions");
    // Only the MOPR director issues it, and with If-Match.
    for user in ["mopr-staff", "mopr-worker", "pcpr-staff", "cis-director"] {
        app.transition(
            user,
            &fees,
            v(&case),
            Some(&fee_body(&home, app.today(), 0).await),
            403,
        )
        .await;
    }
    let director = app.token("mopr-director").await;
    let resp = app
        .call(
            Method::POST,
            &fees,
            &director,
            Some(&fee_body(&home, app.today(), 0).await),
        )
        .await;
    assert_problem(resp, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    // Living alone on 4,000 zł against the 2025 threshold of 3,030 zł: at most 970 zł.
    let resp = app
        .transition(
            "mopr-director",
            &fees,
            v(&case),
            Some(&fee_body(&home, app.today(), 97001).await),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["field"], "relatives[0].agreed");
    assert_eq!(resp["errors"][0]["code"], "above_legal_maximum");
    assert!(
        resp["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Anna Testowa may pay at most 97000")
    );
    // A home whose first published cost applies only later has no cost for today.
    let later = create_home(
        &app,
        "mopr-director",
        &mopr,
        10,
        json!({"average_cost": {"applies_from": app.today() + Days::new(10), "monthly_cost": 600000}}),
    )
    .await;
    let resp = app
        .transition(
            "mopr-director",
            &fees,
            v(&case),
            Some(&fee_body(&later, app.today(), 0).await),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["field"], "applies_from");
    assert_eq!(resp["errors"][0]["code"], "no_average_cost");
    // Before the proceedings started.
    let resp = app
        .transition(
            "mopr-director",
            &fees,
            v(&case),
            Some(&fee_body(&home, app.today() - Days::new(1), 0).await),
            422,
        )
        .await;
    assert_eq!(resp["errors"][0]["code"], "out_of_range");

    let first = app
        .transition(
            "mopr-director",
            &fees,
            v(&case),
            Some(&fee_body(&home, app.today(), 97000).await),
            201,
        )
        .await;
    // 6,000 zł: the resident 70% of 2,000 = 1,400 zł, the daughter her 970 zł, the municipality 3,630 zł.
    assert_eq!(first["split"]["resident_pays"], 140000);
    assert_eq!(first["split"]["relatives"][0]["legal_maximum"], 97000);
    assert_eq!(first["split"]["relatives"][0]["pays"], 97000);
    assert_eq!(first["split"]["municipality_pays"], 363000);
    assert_eq!(first["criterion"]["applies_from"], "2025-01-01");
    assert_eq!(first["split"]["thresholds"]["single"], 303000);
    assert_eq!(
        first["average_cost"],
        json!({"applies_from": "2026-01-01", "monthly_cost": 600000})
    );
    assert_eq!(first["current"], true);
    assert_eq!(first["supersedes_id"], Value::Null);
    let case = app.fetch("mopr-staff", &path(&case, "")).await;
    assert_eq!(case["awaiting_fee_decision"], false);
    assert_eq!(case["decision"]["fee_decision_id"], first["id"]);
    let fee_path = format!("/api/v1/fee-decisions/{}", first["id"].as_str().unwrap());
    assert_eq!(
        app.fetch("mopr-staff", &fee_path).await["split"],
        first["split"]
    );
    for user in ["pcpr-staff", "cis-staff", "ngo-staff"] {
        let token = app.token(user).await;
        let resp = app.call(Method::GET, &fee_path, &token, None).await;
        assert_eq!(resp.status(), 404, "{user}");
        let resp = app.call(Method::GET, &fees, &token, None).await;
        assert_eq!(resp.status(), 404, "{user}");
    }

    // A new average cost is appended, never an edit; the next fee decision uses it and supersedes the first.
    let tomorrow = app.today() + Days::new(1);
    let cost = json!({"applies_from": tomorrow, "monthly_cost": 650000});
    app.transition(
        "mopr-director",
        &home_path(&home, "/costs"),
        v(&home) + 1,
        Some(&cost),
        412,
    )
    .await;
    app.transition(
        "mopr-staff",
        &home_path(&home, "/costs"),
        v(&home),
        Some(&cost),
        403,
    )
    .await;
    let updated = app
        .transition(
            "mopr-director",
            &home_path(&home, "/costs"),
            v(&home),
            Some(&cost),
            200,
        )
        .await;
    assert_eq!(updated["cost_history"].as_array().unwrap().len(), 2);
    assert_eq!(
        updated["average_cost"]["monthly_cost"], 600000,
        "today the old cost still applies"
    );
    let resp = app
        .transition(
            "mopr-director",
            &home_path(&home, "/costs"),
            v(&updated),
            Some(&cost),
            409,
        )
        .await;
    assert_eq!(resp["code"], "not_after_latest");

    let second = app
        .transition(
            "mopr-director",
            &fees,
            v(&case),
            Some(&fee_body(&home, tomorrow, 97000).await),
            201,
        )
        .await;
    assert_eq!(second["supersedes_id"], first["id"]);
    assert_eq!(second["average_cost"]["monthly_cost"], 650000);
    assert_eq!(
        second["split"]["municipality_pays"],
        650000 - 140000 - 97000
    );
    let list = app.fetch("mopr-staff", &fees).await;
    let current: Vec<bool> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current, [false, true]);
    // A refused placement has no fee.
    let refused = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let refused = complete_file(&app, &refused, json!({})).await;
    let refused = assess(&app, &refused).await;
    let refused = decide(&app, &refused, "refused").await;
    let resp = app
        .transition(
            "mopr-director",
            &path(&refused, "/fee-decisions"),
            v(&refused),
            Some(&fee_body(&home, app.today(), 0).await),
            409,
        )
        .await;
    assert_eq!(resp["code"], "decision_not_granted");
}

#[tokio::test]
async fn a_combatant_entered_later_is_placed_first_when_a_place_frees() {
    let app = spawn_app().await;
    let mopr = app.institution_id("MOPR").await;
    let home = create_home(&app, "mopr-director", &mopr, 1, json!({})).await;
    // The one place is taken by a resident who lived there before the home was registered.
    let staff = app.token("mopr-staff").await;
    let resp = app
        .call(
            Method::POST,
            &home_path(&home, "/residents"),
            &staff,
            Some(&json!({"admitted_on": app.today()})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let resident = json(resp).await;
    let resp = app
        .call(
            Method::POST,
            &home_path(&home, "/residents"),
            &staff,
            Some(&json!({"admitted_on": app.today()})),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "no_free_place").await;

    // Not final yet: not on the list.
    let pending = granted_case(&app, json!({})).await;
    let resp = try_enter(
        &app,
        &staff,
        json!({"care_home_id": home["id"], "dps_application_id": pending["id"]}),
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "decision_not_final").await;

    let ordinary = final_granted_case(&app, json!({})).await;
    // Priority must come from the facts of the case.
    let resp = try_enter(&app, &staff, json!({"care_home_id": home["id"], "dps_application_id": ordinary["id"], "priority_basis": "combatant"})).await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "priority_not_established");
    let first = enter(&app, &home, &ordinary, json!({})).await;
    assert_eq!(first["position"], 1);
    assert_eq!(first["priority"], false);
    // One admission in the last year: a place frees about once a year.
    assert_eq!(first["expected_wait"]["admissions_last_12_months"], 1);
    assert_eq!(first["expected_wait"]["free_places"], 0);
    assert_eq!(first["expected_wait"]["days"], 365);
    let resp = try_enter(
        &app,
        &staff,
        json!({"care_home_id": home["id"], "dps_application_id": ordinary["id"]}),
    )
    .await;
    let body = assert_problem(resp, StatusCode::CONFLICT, "already_waiting").await;
    assert_eq!(body["existing"], entry_path(&first, ""));

    app.clock.advance(3);
    let combatant_case = final_granted_case(&app, json!({"combatant": true})).await;
    let combatant = enter(&app, &home, &combatant_case, json!({})).await;
    assert_eq!(combatant["priority_basis"], "combatant");
    assert_eq!(combatant["position"], 1);
    let first = app.fetch("mopr-staff", &entry_path(&first, "")).await;
    assert_eq!(first["position"], 2);
    assert_eq!(first["waiting_days"], 3);
    assert_eq!(first["expected_wait"]["days"], 730);
    let list = app
        .fetch(
            "mopr-staff",
            &format!(
                "/api/v1/waiting-list-entries?care_home_id={}&status=waiting",
                home["id"].as_str().unwrap()
            ),
        )
        .await;
    let order: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(order, [&combatant["id"], &first["id"]]);

    // No place yet.
    let resp = place(&app, "mopr-director", &combatant, None, 409).await;
    assert_eq!(resp["code"], "no_free_place");
    // The resident leaves; the place is free.
    let gone = app
        .transition(
            "mopr-staff",
            &home_path(
                &home,
                &format!("/residents/{}/departure", resident["id"].as_str().unwrap()),
            ),
            v(&resident),
            Some(&json!({"left_on": app.today(), "reason": "died"})),
            200,
        )
        .await;
    assert_eq!(gone["leave_reason"], "died");
    assert_eq!(
        app.fetch("mopr-staff", &home_path(&home, "")).await["free_places"],
        1
    );
    let combatant = app.fetch("mopr-staff", &entry_path(&combatant, "")).await;
    assert_eq!(combatant["expected_wait"]["days"], 0);

    // The second in line needs a recorded reason; staff may not decide; the director places the first.
    let resp = place(&app, "mopr-director", &first, None, 422).await;
    assert_eq!(resp["errors"][0]["code"], "required_when_not_first");
    place(&app, "mopr-staff", &combatant, None, 403).await;
    let placed = place(&app, "mopr-director", &combatant, None, 200).await;
    assert_eq!(placed["status"], "placed");
    assert_eq!(placed["placement"]["position"], 1);
    assert_eq!(placed["position"], Value::Null);
    let home_now = app.fetch("mopr-staff", &home_path(&home, "")).await;
    assert_eq!(home_now["occupied"], 1);
    assert_eq!(home_now["free_places"], 0);
    let residents = app
        .fetch("mopr-staff", &home_path(&home, "/residents"))
        .await;
    assert_eq!(residents["items"][0]["person_id"], combatant["person_id"]);
    assert_eq!(
        residents["items"][0]["waiting_list_entry_id"],
        combatant["id"]
    );
    let (events, _) = app.feed("mopr-staff", None).await;
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "placement.decided" && e["link"] == entry_path(&combatant, ""))
    );
    // Placed once only; the other person is first now and can withdraw.
    let resp = place(&app, "mopr-director", &placed, None, 409).await;
    assert_eq!(resp["code"], "not_waiting");
    let first = app.fetch("mopr-staff", &entry_path(&first, "")).await;
    assert_eq!(first["position"], 1);
    let left = app
        .transition(
            "mopr-staff",
            &entry_path(&first, "/leave"),
            v(&first),
            Some(&json!({"reason": "withdrawn", "left_on": app.today(), "note": "Rodzina zapewniła opiekę."})),
            200,
        )
        .await;
    assert_eq!(left["status"], "withdrawn");
    let resp = app
        .transition(
            "mopr-staff",
            &entry_path(&left, "/leave"),
            v(&left),
            Some(&json!({"reason": "died", "left_on": app.today()})),
            409,
        )
        .await;
    assert_eq!(resp["code"], "not_waiting");

    // A home that does not serve the case's type.
    let other = create_home(
        &app,
        "mopr-director",
        &mopr,
        5,
        json!({"dps_types": ["alcohol_dependent"]}),
    )
    .await;
    let resp = try_enter(
        &app,
        &staff,
        json!({"care_home_id": other["id"], "dps_application_id": ordinary["id"]}),
    )
    .await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "type_not_served");
}

#[tokio::test]
async fn concurrent_placements_into_the_last_place_let_exactly_one_win() {
    let app = spawn_app().await;
    let mopr = app.institution_id("MOPR").await;
    let home = create_home(&app, "mopr-director", &mopr, 1, json!({})).await;
    let a = enter(
        &app,
        &home,
        &final_granted_case(&app, json!({})).await,
        json!({}),
    )
    .await;
    let b = enter(
        &app,
        &home,
        &final_granted_case(&app, json!({})).await,
        json!({}),
    )
    .await;
    assert_eq!(b["position"], 2);
    let token = app.token("mopr-director").await;
    let send = |entry: Value, reason: Option<&'static str>| {
        let (app, token) = (&app, token.clone());
        async move {
            app.call_if_match(
                Method::POST,
                &entry_path(&entry, "/placement"),
                &token,
                &format!("\"{}\"", v(&entry)),
                Some(&json!({"admission_on": app.today(), "out_of_order_reason": reason})),
            )
            .await
        }
    };
    let (ra, rb) = tokio::join!(
        send(a.clone(), None),
        send(b.clone(), Some("pilna potrzeba"))
    );
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let home = app.fetch("mopr-staff", &home_path(&home, "")).await;
    assert_eq!(home["occupied"], 1);
    assert_eq!(home["free_places"], 0);
    let residents = app
        .fetch("mopr-staff", &home_path(&home, "/residents"))
        .await;
    assert_eq!(residents["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_pcpr_keeps_the_list_of_its_own_home_and_places_there() {
    let app = spawn_app().await;
    let pcpr = app.institution_id("PCPR").await;
    let platform = app.token("platform-admin").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/users",
            &platform,
            Some(&json!({"username": "pcpr-director", "password": "a long passphrase", "role": "director", "institution_id": pcpr})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let pcpr_director = app.login_as("pcpr-director", "a long passphrase").await;

    // Only the placing institution's director (or a platform admin) registers its home.
    for user in ["mopr-director", "pcpr-staff", "cis-director"] {
        let token = app.token(user).await;
        let body = json!({"name": "DPS powiatowy", "address": "x", "dps_types": ["elderly"], "places": 2,
            "operator": "Powiat Toruński", "placing_institution_id": pcpr});
        let resp = app
            .call(Method::POST, "/api/v1/care-homes", &token, Some(&body))
            .await;
        assert_eq!(resp.status(), 403, "{user}");
    }
    let body = json!({"name": "DPS powiatowy", "address": "Chełmża", "dps_types": ["elderly"], "places": 2,
        "operator": "Powiat Toruński", "placing_institution_id": pcpr});
    let resp = app
        .call(
            Method::POST,
            "/api/v1/care-homes",
            &pcpr_director,
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let home = json(resp).await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/care-homes",
            &pcpr_director,
            Some(&body),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "duplicate_name").await;
    // Every signed-in caller reads the registry.
    app.fetch("ngo-staff", &home_path(&home, "")).await;

    let case = final_granted_case(&app, json!({})).await;
    let entry = enter(&app, &home, &case, json!({})).await;
    assert_eq!(entry["placing_institution_id"], pcpr);
    assert_eq!(
        entry["expected_wait"]["days"], 0,
        "a place is free and nobody is ahead"
    );
    let (events, _) = app.feed("pcpr-staff", None).await;
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "waiting_list.entered" && e["link"] == entry_path(&entry, ""))
    );
    // The PCPR keeps the list: it sees the entry and the person.
    app.fetch("pcpr-staff", &entry_path(&entry, "")).await;
    app.fetch(
        "pcpr-staff",
        &format!("/api/v1/persons/{}", entry["person_id"].as_str().unwrap()),
    )
    .await;
    let list = app
        .fetch("pcpr-staff", "/api/v1/waiting-list-entries")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Institutions with no part in it see nothing.
    for user in ["cis-director", "cis-staff", "ngo-staff"] {
        let token = app.token(user).await;
        let resp = app
            .call(Method::GET, &entry_path(&entry, ""), &token, None)
            .await;
        assert_eq!(resp.status(), 404, "{user}");
        let list = app.fetch(user, "/api/v1/waiting-list-entries").await;
        assert_eq!(list["items"], json!([]), "{user}");
        let resp = app
            .call(Method::GET, &home_path(&home, "/residents"), &token, None)
            .await;
        assert_eq!(resp.status(), 403, "{user}");
    }
    let mopr_staff = app.token("mopr-staff").await;
    let resp = app
        .call(
            Method::GET,
            &home_path(&home, "/residents"),
            &mopr_staff,
            None,
        )
        .await;
    assert_eq!(
        resp.status(),
        403,
        "MOPR does not keep the PCPR's residents"
    );

    // The MOPR director does not place in the PCPR's home; PCPR staff do not sign decisions.
    place(&app, "mopr-director", &entry, None, 403).await;
    place(&app, "pcpr-staff", &entry, None, 403).await;
    let resp = app
        .call_if_match(
            Method::POST,
            &entry_path(&entry, "/placement"),
            &pcpr_director,
            &format!("\"{}\"", v(&entry)),
            Some(&json!({"admission_on": app.today() + Days::new(7)})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let placed = json(resp).await;
    assert_eq!(
        placed["placement"]["admission_on"],
        (app.today() + Days::new(7)).to_string()
    );
    let (events, _) = app.feed("mopr-staff", None).await;
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "placement.decided" && e["link"] == entry_path(&entry, ""))
    );
    let residents = app
        .fetch("pcpr-staff", &home_path(&home, "/residents"))
        .await;
    assert_eq!(residents["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_role_gets_its_refusal_on_care_home_fee_and_waiting_list_actions() {
    let app = spawn_app().await;
    let mopr = app.institution_id("MOPR").await;
    let home = create_home(&app, "mopr-director", &mopr, 5, json!({})).await;
    let case = final_granted_case(&app, json!({})).await;
    for user in USERS {
        let token = app.token(user).await;
        // Registering a home placed by MOPR: its director and platform admins.
        let body = json!({"name": format!("DPS {user}"), "address": "x", "dps_types": ["elderly"], "places": 1,
            "operator": "x", "placing_institution_id": mopr});
        let status = app
            .call(Method::POST, "/api/v1/care-homes", &token, Some(&body))
            .await
            .status();
        let expected = if matches!(user, "mopr-director" | "platform-admin") {
            201
        } else {
            403
        };
        assert_eq!(status, expected, "{user} registers a home");
        // Reading the registry: everyone.
        let status = app
            .call(Method::GET, &home_path(&home, ""), &token, None)
            .await
            .status();
        assert_eq!(status, 200, "{user} reads the registry");
        // Residents: MOPR casework (the placing institution).
        let status = app
            .call(Method::GET, &home_path(&home, "/residents"), &token, None)
            .await
            .status();
        let expected = if matches!(user, "mopr-director" | "mopr-worker" | "mopr-staff") {
            200
        } else {
            403
        };
        assert_eq!(status, expected, "{user} lists residents");
        // Entering the list: MOPR casework.
        let body = json!({"care_home_id": home["id"], "dps_application_id": case["id"]});
        let resp = app
            .call(
                Method::POST,
                "/api/v1/waiting-list-entries",
                &token,
                Some(&body),
            )
            .await;
        let status = resp.status().as_u16();
        if status == 201 {
            // Leave again, so the next allowed role can enter.
            let entry = json(resp).await;
            app.transition(
                "mopr-staff",
                &entry_path(&entry, "/leave"),
                v(&entry),
                Some(&json!({"reason": "withdrawn", "left_on": app.today()})),
                200,
            )
            .await;
        }
        let expected = if matches!(user, "mopr-director" | "mopr-worker" | "mopr-staff") {
            201
        } else {
            403
        };
        assert_eq!(status, expected, "{user} enters the list");
        // Fee decisions: the MOPR director alone (the others are refused before anything is read).
        if user != "mopr-director" {
            let status = app
                .call_if_match(
                    Method::POST,
                    &path(&case, "/fee-decisions"),
                    &token,
                    "\"1\"",
                    Some(&fee_body(&home, app.today(), 0).await),
                )
                .await
                .status();
            assert_eq!(status, 403, "{user} issues a fee decision");
        }
    }
    // Reading entries: the case's MOPR and the placing institution (here both MOPR); nobody else.
    let entry = enter(&app, &home, &case, json!({})).await;
    for user in USERS {
        let token = app.token(user).await;
        let status = app
            .call(Method::GET, &entry_path(&entry, ""), &token, None)
            .await
            .status();
        let expected = match user {
            "mopr-director" | "mopr-worker" | "mopr-staff" => 200,
            "mopr-admin" | "platform-admin" => 403,
            _ => 404,
        };
        assert_eq!(status, expected, "{user} reads an entry");
        if user == "mopr-director" {
            continue; // it places below, once every refusal is checked
        }
        let status = app
            .call_if_match(
                Method::POST,
                &entry_path(&entry, "/placement"),
                &token,
                "\"1\"",
                Some(&json!({"admission_on": app.today()})),
            )
            .await
            .status();
        assert_eq!(status, 403, "{user} places");
    }
    place(&app, "mopr-director", &entry, None, 200).await;
}
