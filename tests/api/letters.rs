//! Letters and decisions issued as PDF by their acts, kept as case documents: their text (read back with
//! poppler's `pdftotext`), their fonts (`pdffonts`), their hash on the act, byte-identical re-rendering from the
//! kept data, and who may read them. And the person's access report (GDPR art. 15).
//!
//! `.ci/run` installs poppler-utils and sets `REINTEGRA_REQUIRE_POPPLER=1`, so CI fails without it; on a machine
//! without poppler the text and font checks are skipped with a note and everything else still runs.

use std::process::Command;

use diesel::Connection;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::dps::{file_case, path, v};
use crate::helpers::{TestApp, assert_problem, json, spawn_app};
use crate::placements::{create_home, enter, fee_body, final_granted_case};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn poppler(tool: &str, pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("letter.pdf");
    std::fs::write(&file, pdf).unwrap();
    let mut cmd = Command::new(tool);
    cmd.arg(&file);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    match cmd.output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(e) => {
            assert!(
                std::env::var("REINTEGRA_REQUIRE_POPPLER").is_err(),
                "{tool} is required (apt-get install poppler-utils): {e}"
            );
            eprintln!("note: {tool} not installed, PDF text checks skipped");
            None
        }
    }
}

/// The letter's text with every run of whitespace made one space (pdftotext breaks lines where the PDF does).
fn text_of(pdf: &[u8]) -> Option<String> {
    poppler("pdftotext", pdf).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn assert_fonts_embedded(pdf: &[u8]) {
    let Some(list) = poppler("pdffonts", pdf) else {
        return;
    };
    let fonts: Vec<&str> = list
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!fonts.is_empty(), "{list}");
    for f in fonts {
        // name type encoding emb sub uni object ID
        let cols: Vec<&str> = f.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "not embedded as a subset with ToUnicode: {f}"
        );
    }
}

/// The letter the latest `act` of a case issued: the register's entry, the document and its bytes (hash checked).
async fn letter(app: &TestApp, user: &str, case_path: &str, act: &str) -> (Value, Value, Vec<u8>) {
    let register = app.fetch(user, &format!("{case_path}/acts")).await;
    let entry = register["acts"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|a| a["act"] == act)
        .unwrap_or_else(|| panic!("no {act} in {register}"))
        .clone();
    let doc_id = entry["letter"]["document_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{entry}"));
    let doc = app
        .fetch(user, &format!("/api/v1/documents/{doc_id}"))
        .await;
    let token = app.token(user).await;
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{doc_id}/content"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(hex(&bytes), entry["letter"]["sha256"].as_str().unwrap());
    assert_eq!(doc["sha256"], entry["letter"]["sha256"]);
    assert_eq!(doc["content_type"], "application/pdf");
    assert_fonts_embedded(&bytes);
    (entry, doc, bytes)
}

/// The kept data of a letter, rendered again, gives the same bytes.
fn rerenders_identically(app: &TestApp, doc: &Value, bytes: &[u8]) {
    let mut conn = reintegra::foundation::db::DbConnection::establish(&app.database_url).unwrap();
    let source = reintegra::records::acts::letter_source(&mut conn, doc["id"].as_str().unwrap())
        .unwrap()
        .expect("the letter's data is kept");
    let letter: reintegra::resources::letters::Letter = serde_json::from_str(&source).unwrap();
    let again = reintegra::resources::letters::pdf::render(&letter).unwrap();
    assert!(
        again == bytes,
        "a re-rendered letter differs from the one issued"
    );
}

fn contains_all(text: &Option<String>, needles: &[&str]) {
    let Some(text) = text else { return };
    for n in needles {
        assert!(text.contains(n), "{n:?} missing from:\n{text}");
    }
}

#[tokio::test]
async fn dps_decisions_are_issued_as_pdf_with_every_element_and_kept_as_issued() {
    let app = spawn_app().await;
    let mopr = app.institution_id("MOPR").await;
    let case = final_granted_case(
        &app,
        json!({"obliged_relatives": [{"name": "Anna Testowa", "relation": "descendant"}]}),
    )
    .await;
    let case_path = path(&case, "");
    let decided_on = case["decision"]["decided_on"].as_str().unwrap().to_owned();

    let (entry, doc, bytes) = letter(
        &app,
        "mopr-director",
        &case_path,
        "dps_application.decision",
    )
    .await;
    assert_eq!(doc["kind"], "letter_dps_decision");
    assert_eq!(entry["legal_date"], decided_on.as_str());
    rerenders_identically(&app, &doc, &bytes);
    let text = text_of(&bytes);
    let institution = app
        .fetch("mopr-director", &format!("/api/v1/institutions/{mopr}"))
        .await;
    let polish_date = |iso: &str| {
        let d = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap();
        reintegra::resources::letters::text::date(d)
    };
    contains_all(
        &text,
        &[
            institution["name"].as_str().unwrap(),
            "DECYZJA",
            "orzeka",
            &polish_date(&decided_on),
            "art. 54 ustawy o pomocy społecznej",
            "Uzasadnienie.",
            "UZASADNIENIE",
            "POUCZENIE",
            "Samorządowego Kolegium Odwoławczego w Toruniu",
            "za pośrednictwem",
            "14 dni od dnia jej doręczenia",
            "art. 127a",
            "Zastępca Dyrektora",
            "z upoważnienia",
            "Demo mopr-director",
            "osób w podeszłym wieku",
        ],
    );

    // The fee decision: every amount of the split, the criterion and the cost.
    let home = create_home(&app, "mopr-director", &mopr, 5, json!({})).await;
    let fee = app
        .transition(
            "mopr-director",
            &path(&case, "/fee-decisions"),
            v(&case),
            Some(&fee_body(&home, app.today(), 50000).await),
            201,
        )
        .await;
    let (_, doc, bytes) = letter(&app, "mopr-director", &case_path, "fee_decision.issued").await;
    if let Ok(dir) = std::env::var("REINTEGRA_LETTER_DUMP") {
        std::fs::write(format!("{dir}/fee.pdf"), &bytes).unwrap();
    }
    assert_eq!(doc["kind"], "letter_fee_decision");
    rerenders_identically(&app, &doc, &bytes);
    let money = |v: &Value| reintegra::resources::letters::text::money(v.as_i64().unwrap());
    let split = &fee["split"];
    contains_all(
        &text_of(&bytes),
        &[
            "art. 61",
            &money(&split["resident_pays"]),
            &money(&split["relatives"][0]["pays"]),
            &money(&split["municipality_pays"]),
            &money(&split["average_cost"]),
            &money(&fee["criterion"]["single"]),
            "Anna Testowa",
            "14 dni od dnia jej doręczenia",
        ],
    );

    // The placement decision, when a place is given.
    let case = app.fetch("mopr-staff", &case_path).await;
    let entry = enter(&app, &home, &case, json!({})).await;
    app.transition(
        "mopr-director",
        &format!(
            "/api/v1/waiting-list-entries/{}/placement",
            entry["id"].as_str().unwrap()
        ),
        v(&entry),
        Some(&json!({"admission_on": app.today()})),
        200,
    )
    .await;
    let (_, doc, bytes) = letter(&app, "mopr-director", &case_path, "placement.decided").await;
    assert_eq!(doc["kind"], "letter_placement_decision");
    contains_all(
        &text_of(&bytes),
        &[home["name"].as_str().unwrap(), "DECYZJA", "POUCZENIE"],
    );

    // Listed with the case's documents; kept as issued: never withdrawn.
    let token = app.token("mopr-director").await;
    let list = app
        .fetch_with(
            &token,
            &format!(
                "/api/v1/documents?case_type=dps_application&case_id={}&kind=letter_fee_decision",
                case["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let resp = app
        .call_if_match(
            Method::POST,
            &format!(
                "/api/v1/documents/{}/withdraw",
                list["items"][0]["id"].as_str().unwrap()
            ),
            &token,
            &format!("\"{}\"", list["items"][0]["version"]),
            Some(&json!({"reason": "Pomyłka."})),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "letter_immutable").await;

    // Institutions that may not see the case get 404 for its letters.
    for user in ["cis-staff", "cis-director", "ngo-staff", "pcpr-staff"] {
        let t = app.token(user).await;
        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap()),
                &t,
                None,
            )
            .await;
        assert_eq!(resp.status(), 404, "{user}");
        let resp = app
            .call(
                Method::GET,
                &format!("/api/v1/documents/{}", doc["id"].as_str().unwrap()),
                &t,
                None,
            )
            .await;
        assert_eq!(resp.status(), 404, "{user}");
    }
}

#[tokio::test]
async fn an_art_36_notice_names_the_reason_and_the_new_date() {
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let new_due = app.today() + chrono::Days::new(60);
    app.transition(
        "mopr-director",
        &path(&case, "/delay-notices"),
        v(&case),
        Some(
            &json!({"reason": "Oczekiwanie na opinię lekarza psychiatry.", "new_due_on": new_due}),
        ),
        200,
    )
    .await;
    let (_, doc, bytes) = letter(
        &app,
        "mopr-director",
        &path(&case, ""),
        "dps_application.delay_notice",
    )
    .await;
    assert_eq!(doc["kind"], "letter_delay_notice");
    rerenders_identically(&app, &doc, &bytes);
    contains_all(
        &text_of(&bytes),
        &[
            "ZAWIADOMIENIE",
            "art. 36",
            "Oczekiwanie na opinię lekarza psychiatry.",
            &reintegra::resources::letters::text::date(new_due),
            "ponaglenia",
        ],
    );
}

#[tokio::test]
async fn cis_letters_follow_the_referral_the_list_and_the_termination() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let application = format!(
        "/api/v1/referral-applications/{}",
        referral["application_id"].as_str().unwrap()
    );
    let (_, doc, bytes) = letter(&app, "mopr-director", &application, "referral.issued").await;
    assert_eq!(doc["kind"], "letter_referral");
    rerenders_identically(&app, &doc, &bytes);
    contains_all(
        &text_of(&bytes),
        &["SKIEROWANIE", "art. 12 ust. 1", "o zatrudnieniu socjalnym"],
    );
    // The CIS reads it; the applying NGO may not read the referral, nor its letter.
    letter(&app, "cis-staff", &application, "referral.issued").await;
    let ngo = app.token("ngo-staff").await;
    let resp = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap()),
            &ngo,
            None,
        )
        .await;
    assert_eq!(resp.status(), 404);

    let ipzs = app.sign_ipzs(&referral, 180).await;
    let id = ipzs["id"].as_str().unwrap().to_owned();
    let ipzs_path = format!("/api/v1/ipzs/{id}");
    let token = app.token("cis-director").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/admission-lists",
            &token,
            Some(&json!({"ipzs_ids": [id]})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let (_, doc, bytes) = letter(&app, "mopr-staff", &ipzs_path, "admission_list.sent").await;
    assert_eq!(doc["kind"], "letter_admission_list");
    let person = app
        .fetch(
            "mopr-staff",
            &format!("/api/v1/persons/{}", ipzs["person_id"].as_str().unwrap()),
        )
        .await;
    contains_all(
        &text_of(&bytes),
        &[
            "LISTA OSÓB PRZYJĘTYCH",
            person["last_name"].as_str().unwrap(),
            "5 dni roboczych",
        ],
    );

    let ipzs = app.fetch("cis-staff", &ipzs_path).await;
    let ipzs = app
        .transition(
            "cis-staff",
            &format!("{ipzs_path}/terminate"),
            v(&ipzs),
            Some(&json!({"reason": "absence", "terminated_on": app.today(), "details": "Nieobecny od 2 tygodni."})),
            200,
        )
        .await;
    app.transition(
        "cis-director",
        &format!("{ipzs_path}/termination-notice"),
        v(&ipzs),
        None,
        200,
    )
    .await;
    let (_, doc, bytes) = letter(&app, "mopr-staff", &ipzs_path, "ipzs.termination_notice").await;
    assert_eq!(doc["kind"], "letter_termination_notice");
    rerenders_identically(&app, &doc, &bytes);
    contains_all(
        &text_of(&bytes),
        &[
            "nieusprawiedliwiona nieobecność",
            "Nieobecny od 2 tygodni.",
            person["last_name"].as_str().unwrap(),
        ],
    );
}

#[tokio::test]
async fn a_refusal_gives_its_reasons() {
    let app = spawn_app().await;
    let application = app
        .file_application("mopr-staff", "mopr-staff", app.today())
        .await;
    let opinion = app.opine(&application).await;
    let token = app.token("mopr-director").await;
    let resp = app
        .call_if_match(
            Method::POST,
            "/api/v1/referrals",
            &token,
            &format!("\"{}\"", opinion["application_version"]),
            Some(&json!({"application_id": application["id"], "decision": "refused", "refusal_ground": "negative_opinion",
                "reasons": "Osoba nie jest gotowa do podjęcia zajęć."})),
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", json(resp).await);
    let (_, doc, bytes) = letter(
        &app,
        "mopr-director",
        &format!(
            "/api/v1/referral-applications/{}",
            application["id"].as_str().unwrap()
        ),
        "referral.refused",
    )
    .await;
    assert_eq!(doc["kind"], "letter_referral_refusal");
    contains_all(
        &text_of(&bytes),
        &[
            "ODMOWA SKIEROWANIA",
            "negatywna opinia",
            "Osoba nie jest gotowa do podjęcia zajęć.",
        ],
    );
}

#[tokio::test]
async fn the_access_report_lists_what_is_held_and_a_read_by_another_institution() {
    let app = spawn_app().await;
    let referral = app.referred_person().await;
    let person_id = app
        .fetch(
            "mopr-staff",
            &format!(
                "/api/v1/referral-applications/{}",
                referral["application_id"].as_str().unwrap()
            ),
        )
        .await["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The CIS reads the person's record.
    app.fetch("cis-staff", &format!("/api/v1/persons/{person_id}"))
        .await;
    let cis = app.institution_id("CIS").await;

    let report_path = format!("/api/v1/persons/{person_id}/disclosure");
    // Only an institution's admin answers; casework roles may not, and an admin of an institution that does not
    // hold the person gets 404.
    for user in [
        "mopr-staff",
        "mopr-director",
        "mopr-worker",
        "cis-staff",
        "platform-admin",
    ] {
        let t = app.token(user).await;
        let resp = app.call(Method::GET, &report_path, &t, None).await;
        assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let report = app.fetch("mopr-admin", &report_path).await;
    assert_eq!(report["person"]["id"], person_id.as_str());
    assert!(
        report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["case_type"] == "referral_application"),
        "{report}"
    );
    assert!(
        report["purposes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["procedure"] == "cis_referral")
    );
    assert!(
        report["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["institution_id"] == cis.as_str()),
        "{report}"
    );
    assert!(
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "letter_referral")
    );
    assert!(!report["retention"].as_str().unwrap().is_empty());
    let group = report["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["institution_id"] == cis.as_str())
        .unwrap_or_else(|| panic!("no CIS accesses in {report}"));
    assert!(
        group["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["access"] == "read"
                && e["resource_type"] == "person"
                && e["role"] == "staff"),
        "{group}"
    );
    // The request itself is audited, and the report lists it.
    let again = app.fetch("mopr-admin", &report_path).await;
    let own = again["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["institution_id"] == report["controller"]["id"])
        .unwrap();
    assert!(
        own["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource_type"] == "person_disclosure")
    );

    // As a PDF.
    let token = app.token("mopr-admin").await;
    let resp = app
        .request(Method::GET, &report_path)
        .bearer_auth(&token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.unwrap().to_vec();
    assert_fonts_embedded(&bytes);
    contains_all(
        &text_of(&bytes),
        &[
            "art. 15 RODO",
            "Odbiorcy danych",
            "odczyt (read)",
            "person_disclosure",
        ],
    );

    // A CIS admin holds the person only through its case; a person the CIS never met is 404 for them.
    let platform = app.token("platform-admin").await;
    let resp = app
        .call(
            Method::POST,
            "/api/v1/users",
            &platform,
            Some(&json!({"username": "cis-admin", "password": "a long passphrase", "role": "admin", "institution_id": cis})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let cis_admin = app.login_as("cis-admin", "a long passphrase").await;
    // MOPR's casework reads the person record; that is the registry's matter, not the CIS's.
    app.fetch("mopr-director", &format!("/api/v1/persons/{person_id}"))
        .await;
    let cis_report = app.fetch_with(&cis_admin, &report_path).await;
    assert_eq!(cis_report["controller"]["id"], cis.as_str());
    let mopr = report["controller"]["id"].as_str().unwrap().to_owned();
    let entries_of = |report: &Value, inst: &str| -> Vec<Value> {
        report["accesses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["institution_id"] == inst)
            .flat_map(|g| g["entries"].as_array().unwrap().clone())
            .collect()
    };
    let mopr_person_read = |e: &Value| e["resource_type"] == "person" && e["role"] == "director";
    assert!(
        entries_of(&app.fetch("mopr-admin", &report_path).await, &mopr)
            .iter()
            .any(mopr_person_read),
        "MOPR's report lists its director's read of the person"
    );
    let field_of = |list: &str, field: &str| -> Vec<Value> {
        cis_report[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item[field].clone())
            .collect()
    };
    let (cis_case_ids, cis_doc_ids) = (field_of("cases", "case_id"), field_of("documents", "id"));
    for group in cis_report["accesses"].as_array().unwrap() {
        if group["institution_id"] == cis.as_str() {
            continue;
        }
        // Another institution's accesses appear only where they touched the CIS's cases or documents.
        for e in group["entries"].as_array().unwrap() {
            assert!(
                cis_case_ids.contains(&e["resource_id"]) || cis_doc_ids.contains(&e["resource_id"]),
                "the CIS's report shows another institution's access to something it does not hold: {e}"
            );
        }
    }
    assert!(!entries_of(&cis_report, &mopr).iter().any(mopr_person_read));
    assert!(
        cis_report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["case_type"] != "dps_application")
    );
    let stranger = app
        .create_person(
            "mopr-staff",
            &json!({"first_name": "Obcy", "last_name": "Nieznany", "birth_date": "1970-01-01", "sex": "male"}),
        )
        .await;
    let resp = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/persons/{}/disclosure",
                stranger["id"].as_str().unwrap()
            ),
            &cis_admin,
            None,
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
}
