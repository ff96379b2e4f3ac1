//! The month-end billing run at scale, on SQLite and on PostgreSQL: 10,000 shops (each of
//! its own merchant, each with an invoice e-mail) with ten paid payments in October 2026,
//! cards and bank links, a third of them using the shop modules. Measured in this process
//! with the application's own job function (`billing::monthly::run_due`, what the billing
//! job and `portal run-billing` run), on a manual clock:
//! - 31 October: every shop's monthly fees with their VAT;
//! - 2 November (1 November is a Sunday): every shop's VAT correction for October and its
//!   invoice, numbered in one series, with the invoice mail queued.
//!
//! Then the time to make one invoice's PDF as the download does (reading it, rendering
//! it), 200 times.
//!
//! `cargo bench -p server --bench billing_10k`
//!
//! The data is made afresh each run (in `target/bench-billing` and the database
//! `portal_bench_billing` next to `PORTAL_TEST_PG_URL`'s). `BENCH_SHOPS` changes the number
//! of shops; `BENCH_TARGETS=sqlite` or `postgres` measures one database only.

#[allow(dead_code)]
mod measure;
use app::domain::fees::Channel;
use app::server::billing::{invoices, monthly};
use app::server::infra::clock::Clock;
use app::server::operations::demo_payments::PlannedPayment;
use app::server::operations::{generate, operator};
use measure::{ms, percentile, psql};
use server::config::Settings;
use std::path::Path;
use std::time::{Duration, Instant};

const TZ: &str = "Europe/Tallinn";
const PER_SHOP: i64 = 10;

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

async fn state_for(url: &str, dir: &Path, clock: Clock) -> app::server::AppState {
    let env: Vec<(String, String)> = vec![
        ("PORTAL_CONFIG".into(), "/dev/null".into()),
        ("PORTAL_DATABASE_URL".into(), url.into()),
        ("PORTAL_DATA_DIR".into(), dir.display().to_string()),
        ("PORTAL_TIME_ZONE".into(), TZ.into()),
        ("PORTAL_LOG_FORMAT".into(), "text".into()),
        ("RUST_LOG".into(), "warn".into()),
    ];
    let settings = Settings::from_sources(&env).unwrap();
    server::build(&settings, server::MailChoice::Memory, clock)
        .await
        .unwrap()
        .state
}

/// Ten October payments for shop `n`: amounts from 5 to 250 EUR, every third by card.
fn plan(n: usize) -> Vec<PlannedPayment> {
    let start = at("2026-10-01T06:00:00Z");
    (0..PER_SHOP)
        .map(|i| PlannedPayment {
            at: start + i * 3 * 24 * 3_600_000 + (n as i64 % 600) * 60_000,
            reference: format!("Order {n}-{i}"),
            cents: 500 + ((n as i64 * 7_919 + i * 104_729) % 24_500),
            channel: if i % 3 == 0 {
                Channel::Visa
            } else {
                Channel::Swedbank
            },
            buyer_name: Some("Mari Maasikas".into()),
            buyer_email: Some("mari@example.ee".into()),
            country: "EE".into(),
            ip: "192.0.2.10".into(),
            outcome: None,
        })
        .collect()
}

struct Figures {
    label: &'static str,
    making: Duration,
    fees: Duration,
    fees_done: usize,
    first: Duration,
    first_done: usize,
    invoices: String,
    movements: String,
    pdf: Vec<Duration>,
    pdf_bytes: usize,
}

async fn measure(label: &'static str, url: &str, dir: &Path, shops: usize) -> Figures {
    let clock = Clock::manual_at(at("2026-10-01T05:00:00Z"));
    let state = state_for(url, dir, clock).await;
    let pool = &state.db.pool;
    let started = Instant::now();
    let mut ids = Vec::with_capacity(shops);
    for n in 0..shops {
        let m = operator::create_merchant(&state, &format!("Merchant {n} OÜ"))
            .await
            .unwrap();
        let id =
            operator::create_shop(&state, m, &format!("shop-{n:05}"), &format!("Shop {n}"), TZ)
                .await
                .unwrap();
        ids.push(id);
        if n % 3 == 0 {
            sqlx::query(
                "INSERT INTO shop_usage (shop_id, month, plugin, logistics, updated_at) \
                 VALUES ($1, '2026-10', 1, $2, 0)",
            )
            .bind(id)
            .bind(i64::from(n % 2 == 0))
            .execute(pool)
            .await
            .unwrap();
        }
    }
    sqlx::query("UPDATE shops SET invoice_email = 'accounts@' || slug || '.example'")
        .execute(pool)
        .await
        .unwrap();
    for (n, id) in ids.iter().enumerate() {
        generate::bulk_insert(&state, *id, plan(n)).await.unwrap();
        if n % 2_000 == 0 {
            println!(
                "{label}: {n} shops filled ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    if url.starts_with("postgres") {
        psql(url, "VACUUM ANALYZE");
    } else {
        sqlx::query("ANALYZE").execute(pool).await.unwrap();
    }
    let making = started.elapsed();
    println!("{label}: data made in {:.0} s", making.as_secs_f64());

    state
        .clock
        .advance_ms(at("2026-10-31T08:00:00Z") - state.clock.now_ms());
    let t = Instant::now();
    let o = monthly::run_due(&state).await.unwrap();
    let fees = t.elapsed();
    assert_eq!(o.failed, 0, "{:?}", o.errors.first());
    let fees_done = o.done;
    println!(
        "{label}: 31 October, monthly fees: {:.1} s ({} shops)",
        fees.as_secs_f64(),
        o.done
    );

    state
        .clock
        .advance_ms(at("2026-11-02T08:00:00Z") - state.clock.now_ms());
    let t = Instant::now();
    let o = monthly::run_due(&state).await.unwrap();
    let first = t.elapsed();
    assert_eq!(o.failed, 0, "{:?}", o.errors.first());
    println!(
        "{label}: 2 November, corrections and invoices: {:.1} s ({} shops)",
        first.as_secs_f64(),
        o.done
    );
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let invoices_made = count("SELECT COUNT(*) FROM invoices").await;
    let mails = count("SELECT COUNT(*) FROM mail_outbox WHERE attachment IS NOT NULL").await;
    let corrections = count("SELECT COUNT(*) FROM charges WHERE kind = 'VAT_CORRECTION'").await;
    let last: String = sqlx::query_scalar("SELECT MAX(number) FROM invoices")
        .fetch_one(pool)
        .await
        .unwrap();
    let movements = count("SELECT COUNT(*) FROM movements").await;
    let payments = count("SELECT COUNT(*) FROM transactions").await;

    // One invoice's PDF, as the download makes it.
    let (inv, shop_id, merchant_id): (i64, i64, i64) = sqlx::query_as(
        "SELECT i.id, s.id, s.merchant_id FROM invoices i JOIN shops s ON s.id = i.shop_id \
         ORDER BY i.number LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let mut pdf = Vec::new();
    let mut pdf_bytes = 0;
    for _ in 0..200 {
        let t = Instant::now();
        let (_, bytes) = invoices::pdf(&state, shop_id, merchant_id, "Shop 0 (shop-00000)", inv)
            .await
            .unwrap();
        pdf.push(t.elapsed());
        pdf_bytes = bytes.len();
    }
    pdf.sort();
    state.db.pool.close().await;
    Figures {
        label,
        making,
        fees,
        fees_done,
        first,
        first_done: o.done,
        invoices: format!(
            "{invoices_made} invoices ({} to {last}), {corrections} VAT corrections, {mails} mails queued",
            "2026-000001"
        ),
        movements: format!("{payments} payments, {movements} movements"),
        pdf,
        pdf_bytes,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let shops = std::env::var("BENCH_SHOPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let only = std::env::var("BENCH_TARGETS").ok();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-billing");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut all = Vec::new();
    if only.as_deref() != Some("postgres") {
        let dir = root.join("sqlite");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("portal.db").display());
        all.push(rt.block_on(measure("SQLite", &url, &dir, shops)));
    }
    if only.as_deref() != Some("sqlite") {
        if let Some(admin) = measure::pg_admin() {
            let name = "portal_bench_billing";
            psql(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
            psql(&admin, &format!("CREATE DATABASE {name}"));
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(name);
            let dir = root.join("pg");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            all.push(rt.block_on(measure("PostgreSQL", url.as_str(), &dir, shops)));
        }
    }
    println!("\n| database | data | 31 Oct: monthly fees | 2 Nov: VAT corrections and invoices | month-end total | made |\n|---|---|---|---|---|---|");
    for f in &all {
        println!(
            "| {} | {} | {:.1} s ({} shops) | {:.1} s ({} shops) | {:.1} s | {} |",
            f.label,
            f.movements,
            f.fees.as_secs_f64(),
            f.fees_done,
            f.first.as_secs_f64(),
            f.first_done,
            (f.fees + f.first).as_secs_f64(),
            f.invoices
        );
    }
    println!("\n| database | one invoice PDF (read and render), 200 times | median | p95 | max | size |\n|---|---|---|---|---|---|");
    for f in &all {
        println!(
            "| {} | `invoices::pdf` | {} | {} | {} | {:.1} KB |",
            f.label,
            ms(percentile(&f.pdf, 0.5)),
            ms(percentile(&f.pdf, 0.95)),
            ms(*f.pdf.last().unwrap()),
            f.pdf_bytes as f64 / 1024.0
        );
    }
    println!(
        "\n(data made in {})",
        all.iter()
            .map(|f| format!("{}: {:.0} s", f.label, f.making.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
