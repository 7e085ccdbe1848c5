use super::*;
use crate::foundation::config::TargetPolicy;
use crate::foundation::config::default_retry_schedule;
use std::net::IpAddr;
use std::time::Duration;

fn refused(url: &str) -> String {
    check_url(url, TargetPolicy::PublicOnly)
        .expect_err(url)
        .code
}

#[test]
fn private_loopback_link_local_and_reserved_targets_are_refused() {
    for url in [
        "https://127.0.0.1/hook",
        "https://127.1.2.3/hook",
        "https://2130706433/hook", // 127.0.0.1 as one number
        "https://0x7f000001/hook",
        "https://0.0.0.0/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[64:ff9b::a9fe:a9fe]/hook", // NAT64 of 169.254.169.254
        "https://224.0.0.1/hook",
        "https://255.255.255.255/hook",
        "https://localhost/hook",
        "https://api.localhost/hook",
        "https://intranet/hook",
        "https://printer.local/hook",
    ] {
        assert_eq!(refused(url), "private_target", "{url}");
    }
}

#[test]
fn only_https_without_credentials_is_accepted_for_public_targets() {
    assert_eq!(refused("http://example.org/hook"), "insecure_scheme");
    assert_eq!(refused("ftp://example.org/hook"), "invalid_scheme");
    assert_eq!(refused("file:///etc/passwd"), "invalid_scheme");
    assert_eq!(refused("gopher://example.org/"), "invalid_scheme");
    assert_eq!(
        refused("https://user:pw@example.org/hook"),
        "credentials_in_url"
    );
    assert_eq!(refused("not a url"), "invalid_url");
    assert_eq!(refused("https://example.org/#x"), "fragment_in_url");
    assert_eq!(
        check_url("https://Example.ORG/hook?x=1", TargetPolicy::PublicOnly).unwrap(),
        "https://example.org/hook?x=1"
    );
    assert!(check_url("https://8.8.8.8/", TargetPolicy::PublicOnly).is_ok());
    assert!(check_url("https://[2a00:1450::1]/", TargetPolicy::PublicOnly).is_ok());
}

#[test]
fn a_configured_private_network_allows_http_and_private_addresses() {
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/x",
    ] {
        assert!(check_url(url, TargetPolicy::AllowPrivate).is_ok(), "{url}");
    }
    assert!(check_url("ftp://10.0.0.5/x", TargetPolicy::AllowPrivate).is_err());
}

#[test]
fn resolved_addresses_are_judged_like_literals() {
    let public: IpAddr = "93.184.215.14".parse().unwrap();
    let private: IpAddr = "192.168.0.10".parse().unwrap();
    assert!(address_allowed(public, TargetPolicy::PublicOnly));
    assert!(!address_allowed(private, TargetPolicy::PublicOnly));
    assert!(address_allowed(private, TargetPolicy::AllowPrivate));
}

#[test]
fn the_signature_is_the_standard_webhooks_one() {
    // The example of the Standard Webhooks specification's reference libraries.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let body = r#"{"test": 2432232314}"#;
    assert_eq!(
        sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

#[test]
fn retries_follow_the_schedule_and_then_stop() {
    let s = default_retry_schedule();
    assert_eq!(next_retry(&s, 1), Some(Duration::from_secs(5)));
    assert_eq!(next_retry(&s, 2), Some(Duration::from_secs(300)));
    assert_eq!(next_retry(&s, 7), Some(Duration::from_secs(36000)));
    assert_eq!(next_retry(&s, 8), None);
    assert_eq!(next_retry(&s, 0), None);
}
