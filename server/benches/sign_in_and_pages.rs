//! Measures one sign-in (argon2id included) and the requests/s of an authenticated,
//! server-rendered page under `wrk` with 32 connections, on SQLite and on PostgreSQL.
//!
//! `cargo bench -p server --bench sign_in_and_pages` (needs `wrk`; PostgreSQL from
//! `PORTAL_TEST_PG_URL`, default postgres://postgres@127.0.0.1:5432/postgres, skipped if absent).

use app::server::operations::operator;

mod common;
use std::time::{Duration, Instant};

async fn sign_in(client: &reqwest::Client, base: &str) -> String {
    let r = client
        .post(format!("{base}/api/sign_in"))
        .form(&[
            ("email", "admin@demo.example"),
            ("password", operator::DEMO_PASSWORD_ADMIN),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "sign-in failed: {}", r.status());
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn failed_sign_in(client: &reqwest::Client, base: &str, email: &str) -> Duration {
    let t = Instant::now();
    let r = client
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", email), ("password", "not the right password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a wrong sign-in is refused, not throttled");
    t.elapsed()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(label: &str, database_url: &str, dir: &std::path::Path) {
    let (_, base) = common::start_demo(database_url, dir).await;
    let client = reqwest::Client::new();
    // Warm up, then time sequential sign-ins (throttling counts failures only).
    sign_in(&client, &base).await;
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        sign_in(&client, &base).await;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{label}: sign-in (argon2id m=19MiB t=2 p=1, HTTP round trip): median {:.1} ms, p95 {:.1} ms over {} sign-ins",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0,
        times.len()
    );
    // Failed sign-ins: wrong passwords of real accounts against unknown addresses. Kept under
    // the throttling limits (4 per account, 16 from this address in all).
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..8 {
        let account = if i % 2 == 0 {
            "refunds@demo.example"
        } else {
            "info@demo.example"
        };
        wrong.push(failed_sign_in(&client, &base, account).await);
        unknown.push(failed_sign_in(&client, &base, &format!("nobody{i}@demo.example")).await);
    }
    wrong.sort();
    unknown.sort();
    println!(
        "{label}: failed sign-in, median of 8: wrong password {:.1} ms, unknown e-mail {:.1} ms",
        percentile(&wrong, 0.5).as_secs_f64() * 1000.0,
        percentile(&unknown, 0.5).as_secs_f64() * 1000.0
    );
    let cookie = sign_in(&client, &base).await;
    let url = format!("{base}/shops/demo-store/users");
    let check = client
        .get(&url)
        .header("Cookie", &cookie)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        check.status(),
        200,
        "the page renders for the signed-in admin"
    );
    println!(
        "{label}: GET /shops/demo-store/users (session lookup + user list + SSR), {}",
        common::wrk(
            32,
            &[format!("Cookie: {cookie}"), "Accept: text/html".to_string()],
            &url
        )
    );
}

fn main() {
    common::on_both_databases("bench", |label, url, dir| async move {
        measure(label, &url, &dir).await
    });
}
