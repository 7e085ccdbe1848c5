//! Case documents through HTTP: streamed uploads kept byte for byte, downloads with ranges and revalidation, the
//! refusals, the procedure's limits on who sees what, withdrawal, interrupted and retried uploads.

use diesel::prelude::*;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::dps::file_case;
use crate::helpers::{TestApp, json, spawn_app, spawn_app_with};

/// A PDF of `n` bytes (a real header, then bytes that vary so that chunk boundaries matter).
pub(crate) fn pdf(n: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend((0..n.saturating_sub(bytes.len())).map(|i| (i * 31 % 251) as u8));
    bytes
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn form(metadata: &Value, filename: &str, content: Vec<u8>) -> Form {
    Form::new()
        .part(
            "metadata",
            Part::text(metadata.to_string())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "file",
            Part::bytes(content)
                .file_name(filename.to_owned())
                .mime_str("application/pdf")
                .unwrap(),
        )
}

async fn upload(app: &TestApp, user: &str, form: Form, key: Option<&str>) -> reqwest::Response {
    let token = app.token(user).await;
    let mut req = app
        .client
        .post(app.url("/api/v1/documents"))
        .bearer_auth(token)
        .multipart(form);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.send().await.unwrap()
}

fn meta(case_type: &str, case_id: &Value, kind: &str) -> Value {
    json!({"case_type": case_type, "case_id": case_id, "kind": kind, "title": "Zaświadczenie lekarskie"})
}

async fn get(app: &TestApp, user: &str, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let token = app.token(user).await;
    let mut req = app.client.get(app.url(path)).bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_pdf_is_kept_byte_for_byte_and_served_whole_in_ranges_and_revalidated() {
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    // Three content rows and a bit: the boundaries are crossed by the ranges below.
    let content = pdf(3 * 256 * 1024 + 1000);
    let resp = upload(
        &app,
        "mopr-staff",
        form(
            &meta("dps_application", &case["id"], "medical_certificate"),
            "Zaświadczenie łódzkie.pdf",
            content.clone(),
        ),
        None,
    )
    .await;
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let doc = json(resp).await;
    assert_eq!(
        location,
        format!("/api/v1/documents/{}", doc["id"].as_str().unwrap())
    );
    assert_eq!(doc["sha256"], hex(&content));
    assert_eq!(doc["size"], content.len());
    assert_eq!(doc["content_type"], "application/pdf");
    assert_eq!(doc["filename"], "Zaświadczenie łódzkie.pdf");
    assert_eq!(doc["filed_by"]["institution_id"], case["mopr_id"]);
    // Listed with the case, newest first; the metadata with its ETag.
    let list = get(
        &app,
        "mopr-staff",
        &format!(
            "/api/v1/documents?case_type=dps_application&case_id={}",
            case["id"].as_str().unwrap()
        ),
        &[],
    )
    .await;
    assert_eq!(json(list).await["items"][0]["id"], doc["id"]);
    let meta_resp = get(&app, "mopr-worker", &location, &[]).await;
    assert_eq!(meta_resp.headers()["etag"], "\"1\"");
    // The bytes as filed.
    let content_path = format!("{location}/content");
    let whole = get(&app, "mopr-director", &content_path, &[]).await;
    assert_eq!(whole.status(), 200);
    let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(whole.headers()["content-type"], "application/pdf");
    assert_eq!(
        whole.headers()["content-length"],
        content.len().to_string().as_str()
    );
    let disposition = whole.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''Za%C5%9Bwiadczenie%20%C5%82%C3%B3dzkie.pdf"),
        "{disposition}"
    );
    let body = whole.bytes().await.unwrap();
    assert_eq!(hex(&body), hex(&content));
    // Unchanged: 304.
    let again = get(
        &app,
        "mopr-director",
        &content_path,
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(again.status(), 304);
    // A range across a row boundary, and the tail.
    let from = 256 * 1024 - 10;
    let part = get(
        &app,
        "mopr-director",
        &content_path,
        &[("Range", &format!("bytes={from}-{}", from + 99))],
    )
    .await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes {from}-{}/{}", from + 99, content.len()).as_str()
    );
    assert_eq!(
        part.bytes().await.unwrap().as_ref(),
        &content[from..from + 100]
    );
    let tail = get(
        &app,
        "mopr-director",
        &content_path,
        &[("Range", "bytes=-500")],
    )
    .await;
    assert_eq!(
        tail.bytes().await.unwrap().as_ref(),
        &content[content.len() - 500..]
    );
    let beyond = get(
        &app,
        "mopr-director",
        &content_path,
        &[("Range", "bytes=99999999-")],
    )
    .await;
    assert_eq!(beyond.status(), 416);
    // Another institution sees neither the list nor the document.
    for user in ["cis-staff", "ngo-staff"] {
        assert_eq!(
            get(&app, user, &content_path, &[]).await.status(),
            404,
            "{user}"
        );
        assert_eq!(
            get(&app, user, &location, &[]).await.status(),
            404,
            "{user}"
        );
        let list = get(
            &app,
            user,
            &format!(
                "/api/v1/documents?case_type=dps_application&case_id={}",
                case["id"].as_str().unwrap()
            ),
            &[],
        )
        .await;
        assert_eq!(list.status(), 404, "{user}");
    }
}

#[tokio::test]
async fn what_is_not_an_accepted_document_is_refused_and_nothing_is_kept() {
    let app = spawn_app_with(|c| c.document_max_bytes = 100_000).await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let m = meta("dps_application", &case["id"], "medical_certificate");
    // An executable named `.pdf`, sent as a PDF.
    let resp = upload(
        &app,
        "mopr-staff",
        form(
            &m,
            "skan.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".repeat(100),
        ),
        None,
    )
    .await;
    assert_eq!(resp.status(), 415);
    assert!(
        json(resp).await["detail"]
            .as_str()
            .unwrap()
            .contains("application/pdf")
    );
    let resp = upload(&app, "mopr-staff", form(&m, "pusty.pdf", Vec::new()), None).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(json(resp).await["errors"][0]["code"], "empty_file");
    let resp = upload(&app, "mopr-staff", form(&m, "duzy.pdf", pdf(300_000)), None).await;
    assert_eq!(resp.status(), 413);
    let resp = upload(
        &app,
        "mopr-staff",
        form(
            &meta("dps_application", &case["id"], "tax_return"),
            "a.pdf",
            pdf(1000),
        ),
        None,
    )
    .await;
    assert_eq!(resp.status(), 422);
    // Not multipart at all.
    let token = app.token("mopr-staff").await;
    let resp = app
        .call(Method::POST, "/api/v1/documents", &token, Some(&m))
        .await;
    assert_eq!(resp.status(), 415);
    // The file before the metadata.
    let reversed = Form::new()
        .part("file", Part::bytes(pdf(1000)).file_name("a.pdf"))
        .part("metadata", Part::text(m.to_string()));
    assert_eq!(
        upload(&app, "mopr-staff", reversed, None).await.status(),
        422
    );
    // A case the caller may not read is 404, before any byte is stored.
    assert_eq!(
        upload(&app, "cis-staff", form(&m, "a.pdf", pdf(1000)), None)
            .await
            .status(),
        404
    );
    // None of the refusals left a document or a content row.
    let mut conn = reintegra::foundation::db::DbConnection::establish(&app.database_url).unwrap();
    let (docs, chunks) = counts(&mut conn);
    assert_eq!((docs, chunks), (0, 0));
}

pub(crate) fn counts(conn: &mut reintegra::foundation::db::DbConnection) -> (i64, i64) {
    use reintegra::foundation::db::schema::{document_chunks, documents};
    let docs = documents::table.count().get_result(conn).unwrap();
    let chunks = document_chunks::table.count().get_result(conn).unwrap();
    (docs, chunks)
}

#[tokio::test]
async fn an_applying_ngo_sees_only_what_it_filed_and_only_the_filer_withdraws() {
    let app = spawn_app().await;
    let application = app
        .file_application("ngo-staff", "ngo-staff", app.today())
        .await;
    let m = |kind| meta("referral_application", &application["id"], kind);
    let ngo_doc = json(
        upload(
            &app,
            "ngo-staff",
            form(&m("consent"), "zgoda.pdf", pdf(5000)),
            None,
        )
        .await,
    )
    .await;
    let mopr_doc = json(
        upload(
            &app,
            "mopr-worker",
            form(&m("community_interview"), "wywiad.pdf", pdf(6000)),
            None,
        )
        .await,
    )
    .await;
    let list_path = format!(
        "/api/v1/documents?case_type=referral_application&case_id={}",
        application["id"].as_str().unwrap()
    );
    let ids = |page: Value| -> Vec<Value> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].clone())
            .collect()
    };
    assert_eq!(
        ids(json(get(&app, "ngo-staff", &list_path, &[]).await).await),
        vec![ngo_doc["id"].clone()]
    );
    assert_eq!(
        ids(json(get(&app, "mopr-staff", &list_path, &[]).await).await),
        vec![mopr_doc["id"].clone(), ngo_doc["id"].clone()]
    );
    let mopr_path = format!("/api/v1/documents/{}", mopr_doc["id"].as_str().unwrap());
    assert_eq!(get(&app, "ngo-staff", &mopr_path, &[]).await.status(), 404);
    assert_eq!(
        get(&app, "ngo-staff", &format!("{mopr_path}/content"), &[])
            .await
            .status(),
        404
    );
    // The target CIS sees MOPR's document but may not withdraw it; the NGO does not see it at all.
    let reason = json!({"reason": "Niewłaściwa sprawa."});
    let withdraw = format!("{mopr_path}/withdraw");
    app.transition("ngo-staff", &withdraw, 1, Some(&reason), 404)
        .await;
    app.transition("cis-staff", &withdraw, 1, Some(&reason), 403)
        .await;
    app.transition("mopr-worker", &withdraw, 7, Some(&reason), 412)
        .await;
    let token = app.token("mopr-worker").await;
    let resp = app
        .call_if_match(Method::POST, &withdraw, &token, "\"1\"", Some(&reason))
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(get(&app, "mopr-staff", &mopr_path, &[]).await.status(), 404);
    assert_eq!(
        get(&app, "mopr-staff", &format!("{mopr_path}/content"), &[])
            .await
            .status(),
        404
    );
    assert_eq!(
        ids(json(get(&app, "mopr-staff", &list_path, &[]).await).await),
        vec![ngo_doc["id"].clone()]
    );
    // The content is gone; the metadata and the audit keep the hash.
    let mut conn = reintegra::foundation::db::DbConnection::establish(&app.database_url).unwrap();
    let (docs, chunks) = counts(&mut conn);
    assert_eq!((docs, chunks), (2, 1));
    let audit = app
        .fetch(
            "mopr-director",
            &format!(
                "/api/v1/audit-events?resource_id={}",
                mopr_doc["id"].as_str().unwrap()
            ),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(mopr_doc["sha256"].as_str().unwrap())),
        "{audit}"
    );
    // The CIS was told of both acts.
    let (events, _) = app.feed("cis-staff", None).await;
    let types: Vec<&str> = events
        .iter()
        .filter(|e| e["resource_id"] == mopr_doc["id"])
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["document.filed", "document.withdrawn"]);
}

#[tokio::test]
async fn a_retried_upload_with_its_key_files_once_and_a_cut_upload_leaves_nothing() {
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let m = meta("dps_application", &case["id"], "court_order");
    let content = pdf(400_000);
    let key = "\"6c1e2d0e-5b7a-4f0e-9a51-0d7f1e2b3c4d\"";
    let first = upload(
        &app,
        "mopr-staff",
        form(&m, "postanowienie.pdf", content.clone()),
        Some(key),
    )
    .await;
    assert_eq!(first.status(), 201);
    let first = json(first).await;
    let again = upload(
        &app,
        "mopr-staff",
        form(&m, "postanowienie.pdf", content.clone()),
        Some(key),
    )
    .await;
    assert_eq!(again.status(), 201);
    assert_eq!(json(again).await["id"], first["id"]);
    // The same key with another file is refused.
    let other = upload(
        &app,
        "mopr-staff",
        form(&m, "postanowienie.pdf", pdf(400_001)),
        Some(key),
    )
    .await;
    assert_eq!(other.status(), 422);
    let mut conn = reintegra::foundation::db::DbConnection::establish(&app.database_url).unwrap();
    assert_eq!(counts(&mut conn), (1, 2));

    // A connection cut mid-upload: the service keeps nothing of it.
    use tokio::io::AsyncWriteExt;
    let token = app.token("mopr-staff").await;
    let boundary = "cutcutcut";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{m}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    let declared = head.len() + 2_000_000;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared}\r\n\r\n{head}"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&pdf(700_000)).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(stream);
    let mut left = (0, 0);
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = counts(&mut conn);
        if left == (1, 2) {
            break;
        }
    }
    assert_eq!(left, (1, 2), "the cut upload left rows behind");
}

#[tokio::test]
async fn a_dps_checklist_item_points_at_its_filed_document() {
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let other = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let doc = json(
        upload(
            &app,
            "mopr-staff",
            form(
                &meta("dps_application", &case["id"], "medical_certificate"),
                "zaswiadczenie.pdf",
                pdf(2000),
            ),
            None,
        )
        .await,
    )
    .await;
    let foreign = json(
        upload(
            &app,
            "mopr-staff",
            form(
                &meta("dps_application", &other["id"], "medical_certificate"),
                "obce.pdf",
                pdf(2000),
            ),
            None,
        )
        .await,
    )
    .await;
    let path = format!(
        "/api/v1/dps-applications/{}/documents/medical_certificate",
        case["id"].as_str().unwrap()
    );
    let received =
        |id: &Value| json!({"status": "received", "received_on": app.today(), "document_id": id});
    let version = crate::dps::v(&case);
    let refused = app
        .transition(
            "mopr-staff",
            &path,
            version,
            Some(&received(&foreign["id"])),
            422,
        )
        .await;
    assert_eq!(refused["errors"][0]["code"], "unknown_document_file");
    let case = app
        .transition(
            "mopr-staff",
            &path,
            version,
            Some(&received(&doc["id"])),
            200,
        )
        .await;
    let item = case["file"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "medical_certificate")
        .unwrap()
        .clone();
    assert_eq!(item["document_id"], doc["id"]);
    assert_eq!(item["status"], "received");
}

#[tokio::test]
async fn the_sweep_removes_what_a_killed_upload_left_and_nothing_else() {
    use reintegra::foundation::db::schema::{document_chunks, documents};
    let app = spawn_app().await;
    let case = file_case(&app, "mopr-staff", "mopr-staff", json!({})).await;
    let filed = json(
        upload(
            &app,
            "mopr-staff",
            form(
                &meta("dps_application", &case["id"], "court_order"),
                "a.pdf",
                pdf(300_000),
            ),
            None,
        )
        .await,
    )
    .await;
    // A connection of its own for what a killed process left; the sweep runs on the service's kind of pool.
    let mut raw = reintegra::foundation::db::DbConnection::establish(&app.database_url).unwrap();
    let pool = reintegra::foundation::db::connect(&app.database_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    // What a process killed mid-upload leaves: a staged document with some of its rows, begun two hours ago,
    // and one begun a minute ago that may still be running on another node.
    let row = |id: &str, minutes_ago: i64| {
        (
            documents::id.eq(id.to_owned()),
            documents::case_type.eq("dps_application"),
            documents::case_id.eq(case["id"].as_str().unwrap().to_owned()),
            documents::person_id.eq(case["person_id"].as_str().unwrap().to_owned()),
            documents::kind.eq("other"),
            documents::title.eq("x"),
            documents::filename.eq("x.pdf"),
            documents::content_type.eq(""),
            documents::size.eq(0i64),
            documents::sha256.eq(""),
            documents::received_on.eq(app.today()),
            documents::filed_by_institution_id.eq(case["mopr_id"].as_str().unwrap().to_owned()),
            documents::filed_by_user_id.eq("someone"),
            documents::status.eq("filing"),
            documents::recorded_at
                .eq(reintegra::foundation::db::now() - chrono::TimeDelta::minutes(minutes_ago)),
            documents::version.eq(1),
        )
    };
    for (id, ago) in [("killed", 120), ("running", 1)] {
        diesel::insert_into(documents::table)
            .values(row(id, ago))
            .execute(&mut raw)
            .unwrap();
        diesel::insert_into(document_chunks::table)
            .values((
                document_chunks::document_id.eq(id),
                document_chunks::seq.eq(0),
                document_chunks::data.eq(vec![1u8; 10]),
            ))
            .execute(&mut raw)
            .unwrap();
    }
    assert_eq!(
        reintegra::resources::documents::sweep(&mut conn).unwrap(),
        1
    );
    let left: Vec<String> = documents::table
        .select(documents::id)
        .order(documents::id)
        .load(&mut raw)
        .unwrap();
    let mut expected = vec![
        filed["id"].as_str().unwrap().to_owned(),
        "running".to_owned(),
    ];
    expected.sort();
    assert_eq!(left, expected);
    let killed_rows: i64 = document_chunks::table
        .filter(document_chunks::document_id.eq("killed"))
        .count()
        .get_result(&mut raw)
        .unwrap();
    assert_eq!(killed_rows, 0);
    // The filed document is untouched and still downloads whole.
    let content = get(
        &app,
        "mopr-staff",
        &format!(
            "/api/v1/documents/{}/content",
            filed["id"].as_str().unwrap()
        ),
        &[],
    )
    .await;
    assert_eq!(content.bytes().await.unwrap().len(), 300_000);
}
