//! Small figures the scale benchmarks share: percentiles of timings, milliseconds as
//! written in BENCHMARKS.md, and a process's resident memory.

use std::time::Duration;

/// The `p` quantile (0.0–1.0) of sorted timings, by the nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// "12.3 ms".
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The resident memory of process `pid` in KiB (0 once it has ended).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs one statement with `psql` against `url`; its output, trimmed.
pub fn psql(url: &str, sql: &str) -> String {
    let out = std::process::Command::new("psql")
        .args([url, "-X", "-q", "-A", "-t", "-c", sql])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The PostgreSQL server to measure on (`PORTAL_TEST_PG_URL`, else the local one), or
/// `None`, said loudly, when it does not answer.
pub fn pg_admin() -> Option<String> {
    let admin = std::env::var("PORTAL_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let ok = std::process::Command::new("psql")
        .args([admin.as_str(), "-X", "-q", "-c", "SELECT 1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("!!! PostgreSQL at {admin} is not reachable: skipping its run");
        return None;
    }
    Some(admin)
}
