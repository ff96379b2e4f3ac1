//! One shop with a million payments (and their movements), on SQLite and on PostgreSQL:
//! list pages over HTTP with a signed-in session (first, deep in the keyset, filtered),
//! filter totals against the same aggregate run bare in `sqlite3` / `psql`, and the CSV
//! export of every row against `sqlite3 -csv` / `psql \copy`, with the server's peak memory.
//!
//! `cargo bench -p server --bench transactions_1m`
//!
//! The data is made once with `portal generate` and kept in `target/bench-1m` (SQLite) and
//! the database `portal_bench_1m` (PostgreSQL, from `PORTAL_TEST_PG_URL`); delete them to
//! start over. `BENCH_ROWS` changes the size (default 1,000,000). Needs `sqlite3` and `psql`.
//! `BENCH_ONLY=list|dashboard|search|statement|filters|totals|export` runs some sections
//! (comma-separated).

#[allow(dead_code)]
mod measure;
use app::server::reporting::tx_list::{fts_query, period_range, TOTALS_SELECT};
use measure::{ms, percentile, rss_kib};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SHOP: &str = "demo-outlet";
const TZ: &str = "Europe/Tallinn";

fn portal() -> &'static str {
    env!("CARGO_BIN_EXE_portal")
}

struct Target {
    label: &'static str,
    url: String,
    dir: PathBuf,
    postgres: bool,
}

fn env_for(t: &Target) -> Vec<(&'static str, String)> {
    vec![
        ("PORTAL_CONFIG", "/dev/null".into()),
        ("PORTAL_DATABASE_URL", t.url.clone()),
        ("PORTAL_DATA_DIR", t.dir.display().to_string()),
        ("PORTAL_TIME_ZONE", TZ.into()),
        ("PORTAL_LOG_FORMAT", "text".into()),
        ("RUST_LOG", "warn".into()),
    ]
}

fn run(t: &Target, args: &[&str]) -> String {
    let out = Command::new(portal())
        .args(args)
        .envs(env_for(t))
        .output()
        .expect("run portal");
    assert!(
        out.status.success(),
        "portal {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The time an aggregate takes in the database's own command-line client, by the client's
/// own timer (`.timer on` in sqlite3, `\timing` in psql): the query alone, no start-up.
fn cli_query_time(t: &Target, sql: &str) -> Duration {
    let out = if t.postgres {
        Command::new("psql")
            .args([
                t.url.as_str(),
                "-X",
                "-q",
                "-A",
                "-t",
                "-c",
                "\\timing on",
                "-c",
                sql,
            ])
            .output()
            .expect("psql")
    } else {
        use std::io::Write;
        let mut child = Command::new("sqlite3")
            .arg(t.dir.join("portal.db"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("sqlite3");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, ".timer on\n{sql};").unwrap();
        drop(stdin);
        child.wait_with_output().expect("sqlite3")
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let secs = if t.postgres {
        // "Time: 12.345 ms"
        text.lines()
            .find_map(|l| l.strip_prefix("Time: "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .map(|ms| ms / 1000.0)
    } else {
        // "Run Time: real 0.012 user 0.010 sys 0.001"
        text.lines()
            .find_map(|l| l.strip_prefix("Run Time: real "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    Duration::from_secs_f64(secs.unwrap_or_else(|| panic!("no timing in: {text}")))
}

/// A bare query in the database's own command-line client: wall time and output size.
fn cli(t: &Target, sql: &str, csv: bool) -> (Duration, usize) {
    let started = Instant::now();
    let out = if t.postgres {
        let q = if csv {
            format!("\\copy ({sql}) TO '/dev/null' CSV")
        } else {
            sql.to_string()
        };
        Command::new("psql")
            .args([t.url.as_str(), "-X", "-q", "-A", "-t", "-c", &q])
            .stderr(Stdio::inherit())
            .output()
            .expect("psql")
    } else {
        let db = t.dir.join("portal.db");
        let mut c = Command::new("sqlite3");
        if csv {
            c.arg("-csv");
        }
        c.arg(&db)
            .arg(sql)
            .stderr(Stdio::inherit())
            .output()
            .expect("sqlite3")
    };
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{sql}");
    (elapsed, out.stdout.len())
}

fn scalar(t: &Target, sql: &str) -> String {
    let out = if t.postgres {
        Command::new("psql")
            .args([t.url.as_str(), "-X", "-q", "-A", "-t", "-c", sql])
            .output()
            .expect("psql")
    } else {
        Command::new("sqlite3")
            .arg(t.dir.join("portal.db"))
            .arg(sql)
            .output()
            .expect("sqlite3")
    };
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn ensure_data(t: &Target, rows: usize) {
    let shop_id = scalar(t, &format!("SELECT id FROM shops WHERE slug = '{SHOP}'"));
    let have: usize = if shop_id.is_empty() {
        0
    } else {
        scalar(
            t,
            &format!("SELECT COUNT(*) FROM transactions WHERE shop_id = {shop_id}"),
        )
        .parse()
        .unwrap_or(0)
    };
    if have >= rows {
        println!("{}: reusing {have} payments in {SHOP}", t.label);
        return;
    }
    if shop_id.is_empty() {
        run(t, &["demo"]);
    }
    let started = Instant::now();
    let missing = (rows - have).to_string();
    run(
        t,
        &[
            "generate", "--shop", SHOP, "--count", &missing, "--seed", "42",
        ],
    );
    println!(
        "{}: generated {missing} payments with their movements in {:.0} s",
        t.label,
        started.elapsed().as_secs_f64()
    );
    scalar(t, "ANALYZE");
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(t: &Target) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(portal())
        .arg("serve")
        .envs(env_for(t))
        .env("PORTAL_LISTEN", format!("127.0.0.1:{port}"))
        .env("PORTAL_PUBLIC_URL", &base)
        .stdout(Stdio::null())
        .spawn()
        .expect("start portal");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = probe::blocking_get(&format!("{base}/readyz")) {
            if r {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, base }
}

/// A tiny blocking GET for readiness, without another HTTP client.
mod probe {
    pub fn blocking_get(url: &str) -> Result<bool, ()> {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").ok_or(())?;
        let (host, path) = rest.split_once('/').ok_or(())?;
        let mut s = std::net::TcpStream::connect(host).map_err(|_| ())?;
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .map_err(|_| ())?;
        let mut out = String::new();
        s.read_to_string(&mut out).map_err(|_| ())?;
        Ok(out.starts_with("HTTP/1.1 200"))
    }
}

async fn timed_post(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    form: &[(String, String)],
    n: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let started = Instant::now();
        let r = client
            .post(url)
            .header("Cookie", cookie)
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
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

/// `n` page loads (after 5 warm-ups) of `url` with the session cookie, sorted.
async fn timed_get(client: &reqwest::Client, url: &str, cookie: &str, n: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let started = Instant::now();
        let r = client
            .get(url)
            .header("Cookie", cookie)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.unwrap();
        if i >= 5 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    times
}

fn filter_form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f = vec![("shop".to_string(), SHOP.to_string())];
    for (k, v) in pairs {
        f.push((format!("filter[{k}]"), v.to_string()));
    }
    f
}

async fn measure(t: &Target, rows: usize) -> Vec<String> {
    ensure_data(t, rows);
    let shop_id = scalar(t, &format!("SELECT id FROM shops WHERE slug = '{SHOP}'"));
    let count = scalar(
        t,
        &format!("SELECT COUNT(*) FROM transactions WHERE shop_id = {shop_id}"),
    );
    let movements = scalar(
        t,
        &format!("SELECT COUNT(*) FROM movements WHERE shop_id = {shop_id}"),
    );
    println!(
        "{}: {count} payments, {movements} movements in {SHOP}",
        t.label
    );
    let server = start(t);
    let pid = server.child.id();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/sign_in", server.base))
        .form(&[
            ("email", "info@demo.example"),
            (
                "password",
                app::server::operations::operator::DEMO_PASSWORD_INFO,
            ),
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

    // A cursor 100 rows before the end of the keyset.
    let deep = scalar(
        t,
        &format!(
            "SELECT created_at || '_' || id FROM transactions WHERE shop_id = {shop_id} \
             ORDER BY created_at ASC, id ASC LIMIT 1 OFFSET 100"
        ),
    );
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let run_section = |name: &str| only.is_empty() || only.split(',').any(|s| s == name);
    let mut out = Vec::new();
    let filtered = [
        ("status", "approved"),
        ("channel", "swedbank"),
        ("period", "30d"),
    ];
    if run_section("list") {
        let list = format!("{}/api/list_transactions", server.base);
        let n = 200;
        let first = timed_post(&client, &list, &cookie, &filter_form(&[("size", "50")]), n).await;
        let deep_t = timed_post(
            &client,
            &list,
            &cookie,
            &filter_form(&[("size", "50"), ("after", &deep)]),
            n,
        )
        .await;
        let filtered = [
            ("status", "approved"),
            ("channel", "swedbank"),
            ("period", "30d"),
        ];
        let mut with_size = filtered.to_vec();
        with_size.push(("size", "50"));
        let filt = timed_post(&client, &list, &cookie, &filter_form(&with_size), n).await;
        out.push(format!(
            "| {} | list, first page | {} | {} | {} |",
            t.label,
            ms(percentile(&first, 0.5)),
            ms(percentile(&first, 0.95)),
            ms(percentile(&first, 0.99))
        ));
        out.push(format!(
            "| {} | list, 100 rows from the end | {} | {} | {} |",
            t.label,
            ms(percentile(&deep_t, 0.5)),
            ms(percentile(&deep_t, 0.95)),
            ms(percentile(&deep_t, 0.99))
        ));
        out.push(format!(
            "| {} | list, paid + Swedbank + 30 days | {} | {} | {} |",
            t.label,
            ms(percentile(&filt, 0.5)),
            ms(percentile(&filt, 0.95)),
            ms(percentile(&filt, 0.99))
        ));
        let page = format!("{}/shops/{SHOP}/transactions", server.base);
        let page_times = timed_get(&client, &page, &cookie, 50).await;
        out.push(format!(
            "| {} | whole HTML page, first page | {} | {} | {} |",
            t.label,
            ms(percentile(&page_times, 0.5)),
            ms(percentile(&page_times, 0.95)),
            ms(percentile(&page_times, 0.99))
        ));
    }
    let line = |label: &str, times: &[Duration]| {
        format!(
            "| {} | {label} | {} | {} | {} |",
            t.label,
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.95)),
            ms(percentile(times, 0.99))
        )
    };
    if run_section("dashboard") {
        let url = format!("{}/api/load_dashboard", server.base);
        let form = vec![("shop".to_string(), SHOP.to_string())];
        let d = timed_post(&client, &url, &cookie, &form, 100).await;
        out.push(line("dashboard (`load_dashboard`)", &d));
    }
    let mut search_totals = Vec::new();
    if run_section("search") {
        let list = format!("{}/api/list_transactions", server.base);
        let totals = format!("{}/api/transaction_totals", server.base);
        let reference = scalar(
            t,
            &format!(
                "SELECT reference FROM transactions WHERE shop_id = {shop_id} \
                 ORDER BY created_at, id LIMIT 1 OFFSET {}",
                rows / 2
            ),
        );
        for (label, q) in [
            ("a reference (one payment)", reference.as_str()),
            ("e-mail part `ruta.k@` (1 in 12)", "ruta.k@"),
            ("`KALNIŅA` (1 in 12)", "KALNIŅA"),
            ("`zqxwv`, no match", "zqxwv"),
            ("`Анна`, no match", "Анна"),
            ("`Õunapuu`, no match", "Õunapuu"),
            ("`42` (a short number: the payment id only), no match", "42"),
        ] {
            let form = filter_form(&[("q", q), ("size", "50")]);
            let page = timed_post(&client, &list, &cookie, &form, 50).await;
            out.push(line(&format!("search {label}: list"), &page));
            let sum = timed_post(&client, &totals, &cookie, &filter_form(&[("q", q)]), 20).await;
            out.push(line(&format!("search {label}: totals"), &sum));
            // The same aggregate bare in the command-line client, for the ratio.
            let folded = app::domain::search::fold(q.trim());
            if folded.chars().count() >= app::domain::search::MIN_SEARCH_CHARS {
                let lit = |s: &str| s.replace('\'', "''");
                let contains = if t.postgres {
                    format!(
                        "search_text LIKE '{}'",
                        lit(&app::domain::search::like_infix(&folded))
                    )
                } else {
                    format!(
                        "id IN (SELECT rowid FROM transactions_search WHERE transactions_search MATCH '{}') \
                         AND instr(search_text, '{}') > 0",
                        lit(&fts_query(&folded)),
                        lit(&folded)
                    )
                };
                let sql = format!(
                    "{TOTALS_SELECT} WHERE shop_id = {shop_id} AND test_mode = 0 AND ({contains})"
                );
                let mut bare: Vec<Duration> = (0..20).map(|_| cli_query_time(t, &sql)).collect();
                bare.sort();
                let (s, b) = (percentile(&sum, 0.5), percentile(&bare, 0.5));
                search_totals.push(format!(
                    "| {} | totals, search {label} | {} | {} | {:.2}× |",
                    t.label,
                    ms(s),
                    ms(b),
                    s.as_secs_f64() / b.as_secs_f64()
                ));
            }
        }
    }
    if run_section("statement") {
        // Last month of the shop: about 375,000 movements. The first page, the last page
        // (backwards from the end), the whole server-rendered page, and the totals.
        let url = format!("{}/api/load_statement", server.base);
        let first = filter_form(&[("period", "last_month")]);
        let d = timed_post(&client, &url, &cookie, &first, 100).await;
        out.push(line("statement, last month: first page", &d));
        let last = filter_form(&[("period", "last_month"), ("before", "9223372036854775807")]);
        let d = timed_post(&client, &url, &cookie, &last, 100).await;
        out.push(line("statement, last month: last page", &d));
        let page = format!("{}/shops/{SHOP}/statement?period=last_month", server.base);
        let html = timed_get(&client, &page, &cookie, 50).await;
        out.push(line(
            "statement, last month: whole HTML page (with the totals)",
            &html,
        ));
        let totals = format!("{}/api/statement_totals", server.base);
        let d = timed_post(&client, &totals, &cookie, &first, 20).await;
        out.push(line("statement, last month: totals per type", &d));
        // The opening balance alone, bare in the command-line client: the period's first
        // posting number by time, then the balance after the movement before it.
        let tz = jiff::tz::TimeZone::get(TZ).unwrap();
        let (from, _) =
            period_range("last_month", jiff::Timestamp::now().as_millisecond(), &tz).unwrap();
        let sql = format!(
            "SELECT balance_after_cents FROM movements WHERE shop_id = {shop_id} AND seq < \
             (SELECT seq FROM movements WHERE shop_id = {shop_id} AND at >= {from} ORDER BY at, seq LIMIT 1) \
             ORDER BY seq DESC LIMIT 1"
        );
        let mut bare: Vec<Duration> = (0..20).map(|_| cli_query_time(t, &sql)).collect();
        bare.sort();
        out.push(line(
            "statement: opening balance lookup, bare in the CLI",
            &bare,
        ));
    }
    if run_section("filters") {
        let list = format!("{}/api/list_transactions", server.base);
        for (status, _) in app::domain::tx_filter::STATUSES {
            let n = scalar(
                t,
                &format!(
                    "SELECT COUNT(*) FROM transactions WHERE shop_id = {shop_id} AND status = '{status}'"
                ),
            );
            let form = filter_form(&[("status", status), ("size", "50")]);
            let page = timed_post(&client, &list, &cookie, &form, 50).await;
            out.push(line(
                &format!("list, status {status} ({n} payments)"),
                &page,
            ));
        }
    }
    // Totals: the server function against the same aggregate in the command-line client.
    let now = jiff::Timestamp::now().as_millisecond();
    let tz = jiff::tz::TimeZone::get(TZ).unwrap();
    let (from, to) = period_range("30d", now, &tz).unwrap();
    let totals_url = format!("{}/api/transaction_totals", server.base);
    let mut totals_rows = Vec::new();
    let totals_cases = if run_section("totals") {
        vec![
            (
                "paid + Swedbank + 30 days",
                filter_form(&filtered),
                format!(
                    " WHERE shop_id = {shop_id} AND test_mode = 0 AND created_at >= {from} AND created_at < {to} \
                 AND status = 'approved' AND channel = 'swedbank'"
                ),
            ),
            (
                "all rows",
                filter_form(&[]),
                format!(" WHERE shop_id = {shop_id} AND test_mode = 0"),
            ),
        ]
    } else {
        vec![]
    };
    for (label, form, sql_where) in totals_cases {
        let server_t = timed_post(&client, &totals_url, &cookie, &form, 20).await;
        let sql = format!("{TOTALS_SELECT}{sql_where}");
        let mut bare: Vec<Duration> = (0..20).map(|_| cli_query_time(t, &sql)).collect();
        bare.sort();
        let (s, b) = (percentile(&server_t, 0.5), percentile(&bare, 0.5));
        totals_rows.push(format!(
            "| {} | totals, {label} | {} | {} | {:.2}× |",
            t.label,
            ms(s),
            ms(b),
            s.as_secs_f64() / b.as_secs_f64()
        ));
    }

    totals_rows.extend(search_totals);
    if !run_section("export") {
        out.push(String::new());
        out.extend(totals_rows);
        out.push(String::new());
        out.push(String::new());
        return out;
    }
    // Export of every row: time to the last byte, and the server's memory meanwhile.
    let url = format!("{}/shops/{SHOP}/exports/transactions.csv", server.base);
    let (export_t, bytes, idle, peak) = download(&client, &url, &cookie, pid).await;
    let columns = app::server::reporting::tx_list::COLUMNS;
    let sql = format!(
        "SELECT {columns} FROM transactions WHERE shop_id = {shop_id} ORDER BY created_at DESC, id DESC"
    );
    let mut export_rows = vec![export_line(
        t,
        &format!("transactions.csv, {count} payments"),
        (export_t, bytes, idle, peak),
        cli(t, &sql, true),
    )];

    // The statement's files of the last ~1M movements (whole days in the shop's zone: the
    // XLSX holds at most 1,048,570), against the same rows in the CLI.
    let first_seq: i64 = scalar(
        t,
        &format!("SELECT MAX(seq) - 999999 FROM movements WHERE shop_id = {shop_id}"),
    )
    .parse()
    .unwrap();
    let from_ms: i64 = scalar(
        t,
        &format!("SELECT at FROM movements WHERE shop_id = {shop_id} AND seq = {first_seq}"),
    )
    .parse()
    .unwrap();
    let tz = jiff::tz::TimeZone::get(TZ).unwrap();
    let from_day = jiff::Timestamp::from_millisecond(from_ms)
        .unwrap()
        .to_zoned(tz.clone())
        .date()
        .tomorrow()
        .unwrap();
    let start_ms = from_day
        .to_zoned(tz.clone())
        .unwrap()
        .timestamp()
        .as_millisecond();
    let to_day = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    let rows_in = scalar(
        t,
        &format!("SELECT COUNT(*) FROM movements WHERE shop_id = {shop_id} AND at >= {start_ms}"),
    );
    let movement_sql = format!(
        "SELECT m.at, m.kind, t.reference, m.transaction_id, m.refund_id, m.payout_id, \
         m.amount_cents, m.balance_after_cents FROM movements m \
         LEFT JOIN transactions t ON t.id = m.transaction_id \
         WHERE m.shop_id = {shop_id} AND m.at >= {start_ms} ORDER BY m.seq"
    );
    let cli_rows = cli(t, &movement_sql, true);
    for file in ["statement.csv", "statement.xml", "statement.xlsx"] {
        let url = format!(
            "{}/shops/{SHOP}/exports/{file}?period=custom&from={from_day}&to={to_day}",
            server.base
        );
        let measured = download(&client, &url, &cookie, pid).await;
        export_rows.push(export_line(
            t,
            &format!("{file}, {rows_in} movements"),
            measured,
            cli_rows,
        ));
    }
    drop(server);
    out.push(String::new());
    out.extend(totals_rows);
    out.push(String::new());
    out.extend(export_rows);
    out
}

/// Downloads `url` to the last byte: the time, the bytes, and the server's memory before and
/// at its peak meanwhile (KiB).
async fn download(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    pid: u32,
) -> (Duration, usize, u64, u64) {
    std::thread::sleep(Duration::from_millis(500));
    let idle = rss_kib(pid);
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(idle));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let started = Instant::now();
    let mut r = client
        .get(url)
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    let mut bytes = 0usize;
    while let Some(chunk) = r.chunk().await.unwrap() {
        bytes += chunk.len();
    }
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    sampler.join().unwrap();
    (
        took,
        bytes,
        idle,
        peak.load(std::sync::atomic::Ordering::Relaxed),
    )
}

/// A row of the export table: the download against the CLI's CSV of the same rows.
fn export_line(
    t: &Target,
    what: &str,
    (took, bytes, idle, peak): (Duration, usize, u64, u64),
    (bare_t, bare_bytes): (Duration, usize),
) -> String {
    let tool = if t.postgres {
        "psql \\copy"
    } else {
        "sqlite3 -csv"
    };
    format!(
        "| {} | {what} | {:.2} s ({} MB) | {:.2} s ({} MB, {tool}) | {:.2}× | {} MB idle, {} MB peak: +{} MB |",
        t.label,
        took.as_secs_f64(),
        bytes / 1_000_000,
        bare_t.as_secs_f64(),
        if t.postgres { "-".to_string() } else { (bare_bytes / 1_000_000).to_string() },
        took.as_secs_f64() / bare_t.as_secs_f64(),
        idle / 1024,
        peak / 1024,
        (peak.saturating_sub(idle)) / 1024
    )
}

fn pg_target(rows: usize) -> Option<Target> {
    let admin = measure::pg_admin()?;
    let name = format!(
        "portal_bench_{}",
        if rows == 1_000_000 {
            "1m".to_string()
        } else {
            rows.to_string()
        }
    );
    let exists = Command::new("psql")
        .args([
            admin.as_str(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-c",
            &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
        .unwrap_or(false);
    if !exists {
        Command::new("psql")
            .args([
                admin.as_str(),
                "-X",
                "-q",
                "-c",
                &format!("CREATE DATABASE {name}"),
            ])
            .status()
            .unwrap();
    }
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-1m/pg");
    std::fs::create_dir_all(&dir).unwrap();
    Some(Target {
        label: "PostgreSQL",
        url: url.to_string(),
        dir,
        postgres: true,
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-1m");
    let sqlite_dir = root.join(format!("sqlite-{rows}"));
    std::fs::create_dir_all(&sqlite_dir).unwrap();
    let mut targets = vec![Target {
        label: "SQLite",
        url: format!("sqlite://{}", sqlite_dir.join("portal.db").display()),
        dir: sqlite_dir,
        postgres: false,
    }];
    targets.extend(pg_target(rows));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut lines = Vec::new();
    for t in &targets {
        lines.push(rt.block_on(measure(t, rows)));
    }
    println!("\n| database | request | median | p95 | p99 |\n|---|---|---|---|---|");
    for l in &lines {
        for row in l.iter().take_while(|r| !r.is_empty()) {
            println!("{row}");
        }
    }
    println!("\n| database | totals | server function (HTTP) | bare SQL in the CLI | ratio |\n|---|---|---|---|---|");
    for l in &lines {
        for row in l
            .iter()
            .skip_while(|r| !r.is_empty())
            .skip(1)
            .take_while(|r| !r.is_empty())
        {
            println!("{row}");
        }
    }
    println!("\n| database | export | over HTTP | the CLI's CSV of the same rows | ratio | server memory |\n|---|---|---|---|---|---|");
    for l in &lines {
        for row in l
            .iter()
            .rev()
            .take_while(|r| !r.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            println!("{row}");
        }
    }
}
