//! API10:2023 Unsafe Consumption of APIs: what a partner's webhook endpoint answers is not trusted: a redirect is
//! not followed (it could point anywhere, internal addresses included) and counts as a failed attempt.

use std::time::Duration;

use crate::helpers::{spawn_app_with, today};
use crate::webhooks::{Receiver, quick, register, wait_for_status};

#[tokio::test]
async fn api10_a_webhook_endpoints_redirect_is_not_followed() {
    let app = spawn_app_with(|c| c.webhooks = quick(1)).await;
    let elsewhere = Receiver::default();
    let elsewhere_url = elsewhere.start(0);
    let endpoint = Receiver::default();
    endpoint.answers.lock().unwrap().extend([307, 302]);
    *endpoint.location.lock().unwrap() = Some(elsewhere_url);
    let url = endpoint.start(0);
    let hook = register(&app, "mopr-admin", &url, &["application.submitted"]).await;
    app.file_application("ngo-staff", "ngo-staff", today())
        .await;
    let failed = wait_for_status(&app, hook["id"].as_str().unwrap(), "failed").await;
    let codes: Vec<i64> = failed["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [307, 302]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(elsewhere.count(), 0, "the redirect target was never called");
}
