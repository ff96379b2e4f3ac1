//! What the HTTP benchmarks share: a `wrk` run read into its figures, and running one
//! measurement on SQLite and then on a fresh PostgreSQL database.

use app::server::infra::clock::Clock;
use app::server::{operations::operator, AppState};
use server::config::Settings;
use sqlx::Connection;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Starts the real application on a free port with the demo data; returns its state and
/// base address.
pub async fn start_demo(database_url: &str, dir: &Path) -> (AppState, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let env: Vec<(String, String)> = vec![
        ("PORTAL_DATABASE_URL".into(), database_url.into()),
        ("PORTAL_DATA_DIR".into(), dir.display().to_string()),
        ("PORTAL_PUBLIC_URL".into(), format!("http://{addr}")),
        ("PORTAL_CONFIG".into(), "/dev/null".into()),
    ];
    let settings = Settings::from_sources(&env).unwrap();
    let built = server::build(&settings, server::MailChoice::Memory, Clock::System)
        .await
        .unwrap();
    operator::demo(&built.state).await.unwrap();
    let state = built.state.clone();
    tokio::spawn(server::serve(built, listener));
    (state, format!("http://{addr}"))
}

/// Runs `wrk -t2 -c<connections> -d10s --latency` with the headers against `url`; returns
/// "requests/s | mean latency | p99" (and the count of non-2xx answers, if any).
pub fn wrk(connections: u32, headers: &[String], url: &str) -> String {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", &format!("-c{connections}"), "-d10s", "--latency"]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    match cmd.arg(url).output() {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout);
            let pick = |key: &str| {
                text.lines()
                    .find(|l| l.trim_start().starts_with(key))
                    .map(|l| l.trim().to_string())
                    .unwrap_or_default()
            };
            let non2xx = pick("Non-2xx");
            format!(
                "wrk -t2 -c{connections} -d10s: {} | mean latency {} | p99 {}{}",
                pick("Requests/sec"),
                pick("Latency").split_whitespace().nth(1).unwrap_or(""),
                pick("99%").split_whitespace().nth(1).unwrap_or(""),
                if non2xx.is_empty() {
                    String::new()
                } else {
                    format!(" | {non2xx}")
                }
            )
        }
        Err(e) => format!("wrk not available ({e}); install it with apt-get install wrk"),
    }
}

/// Calls `measure(label, database_url, data_dir)` for SQLite, then for PostgreSQL when
/// `PORTAL_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres) answers.
pub fn on_both_databases<F, Fut>(name: &str, measure: F)
where
    F: Fn(&'static str, String, PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("portal-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite = format!("sqlite://{}/bench.db", dir.display());
        measure("SQLite", sqlite, dir.clone()).await;
        let admin_url = std::env::var("PORTAL_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match sqlx::PgConnection::connect(&admin_url).await {
            Ok(mut c) => {
                let db = format!("portal_{name}_{}", std::process::id());
                sqlx::query(&format!("CREATE DATABASE {db}"))
                    .execute(&mut c)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&admin_url).unwrap();
                url.set_path(&db);
                measure("PostgreSQL", url.to_string(), dir.clone()).await;
                let _ = sqlx::query(&format!("DROP DATABASE {db} WITH (FORCE)"))
                    .execute(&mut c)
                    .await;
            }
            Err(e) => println!("PostgreSQL: skipped, cannot connect to {admin_url}: {e}"),
        }
        remove(&dir);
    });
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}
