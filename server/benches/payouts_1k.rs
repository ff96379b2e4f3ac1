//! The payout run at scale, on SQLite and on PostgreSQL: 1,000 shops with 1,000,000 payable
//! (paid) payments in all, every shop due on the run's day, paid out by `portal run-payouts --date` in its
//! own process (wall time, and its memory sampled every 20 ms); then the page of the one
//! payout that covers 100,000 payments (`demo-outlet`'s), over HTTP with a signed-in session.
//!
//! `cargo bench -p server --bench payouts_1k`
//!
//! The data is made once (in this process, with the generator `portal generate` uses) and
//! kept in `target/bench-payouts/sqlite` and the database `portal_bench_payouts` (from
//! `PORTAL_TEST_PG_URL`); every measurement runs on a fresh copy of it, so the run pays
//! everything each time. Delete them to start over. `BENCH_SHOPS` and `BENCH_ROWS` change the
//! size (defaults 1000 and 1,115,000 made, of which about nine in ten end paid; `demo-outlet`
//! holds 10.2 % of the rows, so its payout covers about 100,000). `BENCH_TARGETS=sqlite` or
//! `postgres` measures one database only.

mod measure;
use app::server::infra::clock::Clock;
use app::server::operations::{demo_payments, generate, operator};
use measure::{ms, percentile, psql, rss_kib};
use server::config::Settings;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIG_SHOP: &str = "demo-outlet";
const TZ: &str = "Europe/Tallinn";
const IBAN: &str = "EE382200221020145685";

fn portal() -> &'static str {
    env!("CARGO_BIN_EXE_portal")
}

struct Target {
    label: &'static str,
    /// The kept data.
    url: String,
    /// The copy a measurement runs on.
    run_url: String,
    dir: PathBuf,
    run_dir: PathBuf,
    postgres: bool,
    admin_url: Option<String>,
}

fn env_for(url: &str, dir: &Path) -> Vec<(String, String)> {
    vec![
        ("PORTAL_CONFIG".into(), "/dev/null".into()),
        ("PORTAL_DATABASE_URL".into(), url.into()),
        ("PORTAL_DATA_DIR".into(), dir.display().to_string()),
        ("PORTAL_TIME_ZONE".into(), TZ.into()),
        ("PORTAL_LOG_FORMAT".into(), "text".into()),
        ("RUST_LOG".into(), "warn".into()),
    ]
}

async fn state_for(url: &str, dir: &Path) -> app::server::AppState {
    let settings = Settings::from_sources(&env_for(url, dir)).unwrap();
    server::build(&settings, server::MailChoice::Memory, Clock::System)
        .await
        .unwrap()
        .state
}

/// Makes the shops and payments that are missing: `shops` shops of the demo merchant (the two
/// demo shops among them), `rows` payments, a tenth of them in `demo-outlet`; every shop with
/// a payout account and the default schedule (every banking day).
async fn ensure_data(t: &Target, shops: usize, rows: usize) {
    let state = state_for(&t.url, &t.dir).await;
    let pool = &state.db.pool;
    operator::demo(&state).await.unwrap();
    let merchant: i64 = sqlx::query_scalar("SELECT merchant_id FROM shops WHERE slug = $1")
        .bind(BIG_SHOP)
        .fetch_one(pool)
        .await
        .unwrap();
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shops")
        .fetch_one(pool)
        .await
        .unwrap();
    let started = Instant::now();
    for n in have as usize..shops {
        operator::create_shop(
            &state,
            merchant,
            &format!("bench-{n:04}"),
            &format!("Bench Shop {n}"),
            TZ,
        )
        .await
        .unwrap();
    }
    sqlx::query(
        "UPDATE shops SET payout_iban = $1, payout_holder = name WHERE payout_iban IS NULL",
    )
    .bind(IBAN)
    .execute(pool)
    .await
    .unwrap();
    let ids: Vec<(i64, String)> = sqlx::query_as("SELECT id, slug FROM shops ORDER BY slug")
        .fetch_all(pool)
        .await
        .unwrap();
    let big = rows * 102 / 1000;
    let each = (rows - big) / (ids.len() - 1).max(1);
    let mut made = 0usize;
    for (i, (id, slug)) in ids.iter().enumerate() {
        let want = if slug == BIG_SHOP { big } else { each } as i64;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions WHERE shop_id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
        if count >= want {
            continue;
        }
        let plan = demo_payments::bulk_plan(
            1000 + i as u64,
            (want - count) as usize,
            state.clock.now_ms(),
        );
        made += generate::bulk_insert(&state, *id, plan).await.unwrap();
        if i % 100 == 0 {
            println!(
                "{}: {made} payments made so far ({:.0} s)",
                t.label,
                started.elapsed().as_secs_f64()
            );
        }
    }
    if made > 0 || have as usize != shops {
        println!(
            "{}: made {} shops and {made} payments in {:.0} s",
            t.label,
            shops.saturating_sub(have as usize),
            started.elapsed().as_secs_f64()
        );
    }
    state.db.pool.close().await;
    if t.postgres {
        psql(&t.url, "VACUUM ANALYZE");
    } else {
        let db = t.dir.join("portal.db");
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")
            .output()
            .expect("sqlite3");
        assert!(out.status.success());
    }
}

/// A fresh copy of the kept data for one measurement.
fn copy_data(t: &Target) {
    let _ = std::fs::remove_dir_all(&t.run_dir);
    std::fs::create_dir_all(&t.run_dir).unwrap();
    if t.postgres {
        let admin = t.admin_url.as_deref().unwrap();
        let run_db = t.run_url.rsplit('/').next().unwrap();
        let kept_db = t.url.rsplit('/').next().unwrap();
        psql(
            admin,
            &format!("DROP DATABASE IF EXISTS {run_db} WITH (FORCE)"),
        );
        psql(
            admin,
            &format!("CREATE DATABASE {run_db} TEMPLATE {kept_db}"),
        );
    } else {
        std::fs::copy(t.dir.join("portal.db"), t.run_dir.join("portal.db")).unwrap();
    }
}

/// The run's day: today in the provider's zone, or the next banking day.
fn run_day(t: &Target) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let state = state_for(&t.run_url, &t.run_dir).await;
        let cal = app::server::payouts::calendar::load(&state).await.unwrap();
        let today = app::server::payouts::schedule::today(state.clock.now_ms(), TZ);
        cal.on_or_after(today).to_string()
    })
}

struct RunFigures {
    wall: Duration,
    samples: Vec<u64>,
    output: String,
}

/// `portal run-payouts --date day` on the copy, its resident memory sampled every 20 ms.
fn timed_run(t: &Target, day: &str) -> RunFigures {
    let started = Instant::now();
    let child = Command::new(portal())
        .args(["run-payouts", "--date", day])
        .envs(env_for(&t.run_url, &t.run_dir))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("portal run-payouts");
    let pid = child.id();
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sampler = {
        let (stop, samples) = (stop.clone(), samples.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let kib = rss_kib(pid);
                if kib > 0 {
                    samples.lock().unwrap().push(kib);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let out = child.wait_with_output().unwrap();
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    assert!(out.status.success(), "run-payouts failed");
    let samples = samples.lock().unwrap().clone();
    RunFigures {
        wall,
        samples,
        output: String::from_utf8_lossy(&out.stdout).trim().to_string(),
    }
}

struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(t: &Target) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(portal())
        .arg("serve")
        .envs(env_for(&t.run_url, &t.run_dir))
        .env("PORTAL_LISTEN", format!("127.0.0.1:{port}"))
        .env("PORTAL_PUBLIC_URL", &base)
        .stdout(Stdio::null())
        .spawn()
        .expect("start portal");
    let server = Server { child, base };
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = reqwest::Client::new();
    loop {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

/// `n` requests (after 5 warm-ups), sorted; a form makes it a POST.
async fn timed(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    form: Option<&[(&str, String)]>,
    n: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let started = Instant::now();
        let req = match form {
            Some(f) => client
                .post(url)
                .header("Accept", "application/json")
                .form(f),
            None => client.get(url),
        };
        let r = req.header("Cookie", cookie).send().await.unwrap();
        let status = r.status();
        let body = r.bytes().await.unwrap();
        assert!(
            status.is_success(),
            "{url}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        if i >= 5 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    times
}

async fn page_times(t: &Target, day: &str) -> Vec<String> {
    let state = state_for(&t.run_url, &t.run_dir).await;
    let (id, payments): (i64, i64) = sqlx::query_as(
        "SELECT p.id, p.payments FROM payouts p JOIN shops s ON s.id = p.shop_id \
         WHERE s.slug = $1 AND p.payout_date = $2",
    )
    .bind(BIG_SHOP)
    .bind(day)
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    state.db.pool.close().await;
    let server = start(t).await;
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/sign_in", server.base))
        .form(&[
            ("email", "info@demo.example"),
            ("password", operator::DEMO_PASSWORD_INFO),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "sign-in: {}", r.status());
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let n = 200;
    let api = timed(
        &client,
        &format!("{}/api/load_payout", server.base),
        &cookie,
        Some(&[("shop", BIG_SHOP.to_string()), ("id", id.to_string())]),
        n,
    )
    .await;
    let page = timed(
        &client,
        &format!("{}/shops/{BIG_SHOP}/payouts/{id}", server.base),
        &cookie,
        None,
        n,
    )
    .await;
    let line = |what: &str, times: &[Duration]| {
        format!(
            "| {} | {what} ({payments} payments) | {} | {} | {} |",
            t.label,
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.95)),
            ms(percentile(times, 0.99))
        )
    };
    vec![
        line("breakdown (`load_payout`)", &api),
        line("whole HTML page", &page),
    ]
}

fn count(t: &Target, sql: &str) -> String {
    if t.postgres {
        psql(&t.run_url, sql)
    } else {
        let out = Command::new("sqlite3")
            .arg(t.run_dir.join("portal.db"))
            .arg(sql)
            .output()
            .expect("sqlite3");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

fn pg_target(root: &Path) -> Option<Target> {
    let admin = measure::pg_admin()?;
    let name = "portal_bench_payouts";
    if psql(
        &admin,
        &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
    ) != "1"
    {
        psql(&admin, &format!("CREATE DATABASE {name}"));
    }
    let with_path = |db: &str| {
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(db);
        url.to_string()
    };
    Some(Target {
        label: "PostgreSQL",
        url: with_path(name),
        run_url: with_path(&format!("{name}_run")),
        dir: root.join("pg"),
        run_dir: root.join("pg-run"),
        postgres: true,
        admin_url: Some(admin.clone()),
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (shops, rows) = (number("BENCH_SHOPS", 1000), number("BENCH_ROWS", 1_115_000));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-payouts");
    let sqlite = root.join("sqlite");
    std::fs::create_dir_all(&sqlite).unwrap();
    let mut targets = vec![Target {
        label: "SQLite",
        url: format!("sqlite://{}", sqlite.join("portal.db").display()),
        run_url: format!("sqlite://{}", root.join("sqlite-run/portal.db").display()),
        dir: sqlite,
        run_dir: root.join("sqlite-run"),
        postgres: false,
        admin_url: None,
    }];
    targets.extend(pg_target(&root));
    if let Ok(only) = std::env::var("BENCH_TARGETS") {
        targets.retain(|t| t.postgres == (only == "postgres"));
    }
    let mut runs = Vec::new();
    let mut pages = Vec::new();
    for t in &targets {
        std::fs::create_dir_all(&t.dir).unwrap();
        let runtime = || {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        // Its own runtime, ended before the copy: no connection of it stays open.
        runtime().block_on(ensure_data(t, shops, rows));
        copy_data(t);
        let rt = runtime();
        let day = run_day(t);
        let payments = count(t, "SELECT COUNT(*) FROM transactions");
        let paid = count(
            t,
            "SELECT COUNT(*) FROM transactions WHERE paid_at IS NOT NULL",
        );
        let r = timed_run(t, &day);
        let covered = count(t, "SELECT COALESCE(SUM(payments), 0) FROM payouts");
        let payouts = count(t, "SELECT COUNT(*) FROM payouts");
        let first = r.samples.first().copied().unwrap_or(0);
        let peak = r.samples.iter().copied().max().unwrap_or(0);
        let quarter =
            |q: usize| r.samples.get(r.samples.len() * q / 4).copied().unwrap_or(0) / 1024;
        println!("{}: {}", t.label, r.output);
        let line = format!(
            "| {} | {day} | {payouts} payouts, {covered} of {paid} paid payments ({payments} in all) | {:.1} s | {} MB at 1/4, {} at 1/2, {} at 3/4; peak {} MB (first sample {} MB) |",
            t.label,
            r.wall.as_secs_f64(),
            quarter(1),
            quarter(2),
            quarter(3),
            peak / 1024,
            first / 1024,
        );
        println!("{line}");
        runs.push(line);
        let measured = rt.block_on(page_times(t, &day));
        for m in &measured {
            println!("{m}");
        }
        pages.extend(measured);
    }
    println!("\n| database | day | paid | wall time | memory of the run's process |\n|---|---|---|---|---|");
    for r in &runs {
        println!("{r}");
    }
    println!("\n| database | request | median | p95 | p99 |\n|---|---|---|---|---|");
    for p in &pages {
        println!("{p}");
    }
}
