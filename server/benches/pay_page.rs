//! Requests/s and p99 of the public payment page, `GET /pay/{token}`, under `wrk` with 64
//! connections: link lookup, the shop's methods, server-side rendering in the link's language.
//!
//! `cargo bench -p server --bench pay_page` (needs `wrk`). SQLite always; PostgreSQL too when
//! `PORTAL_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres) answers.
//! `BENCH_REFERENCE=1` also measures `/healthz` and `/login` on the same server.

use app::domain::payment_link::LinkForm;
use app::server::links::payment_links;

mod common;

/// Starts the server with the demo data and one payment link; returns the link's address.
async fn start(database_url: &str, dir: &std::path::Path) -> String {
    let (state, _) = common::start_demo(database_url, dir).await;
    let (shop_id, user_id, merchant_id): (i64, i64, i64) = sqlx::query_as(
        "SELECT s.id, u.id, s.merchant_id FROM shops s JOIN users u ON u.email = 'admin@demo.example' WHERE s.slug = 'demo-store'",
    )
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let link = payment_links::create(
        &state,
        shop_id,
        &payment_links::Actor {
            user_id,
            email: "admin@demo.example".into(),
            ip: "127.0.0.1".into(),
            merchant_id,
            test_mode: false,
        },
        &LinkForm {
            amount: "149.90".into(),
            reference: "Order 123 extra payment".into(),
            description: "Winter tyres, fitted".into(),
            language: "lv".into(),
            ..LinkForm::default()
        },
    )
    .await
    .unwrap();
    link.url
}

async fn measure(label: &str, database_url: &str, dir: &std::path::Path) {
    let url = start(database_url, dir).await;
    let check = reqwest::get(&url).await.unwrap();
    assert_eq!(check.status(), 200, "the payment page renders");
    let page = check.text().await.unwrap();
    assert!(page.contains("Order 123 extra payment"));
    let html = ["Accept: text/html".to_string()];
    println!(
        "{label}: GET /pay/{{token}} ({} bytes), {}",
        page.len(),
        common::wrk(64, &html, &url)
    );
    // For reference, on the same server: the middleware alone, and a page without data.
    if std::env::var("BENCH_REFERENCE").is_ok() {
        let base = url.split("/pay/").next().unwrap_or_default();
        for path in ["/healthz", "/login"] {
            println!(
                "{label}: GET {path}, {}",
                common::wrk(64, &html, &format!("{base}{path}"))
            );
        }
    }
}

fn main() {
    common::on_both_databases("bench_pay", |label, url, dir| async move {
        measure(label, &url, &dir).await
    });
}
