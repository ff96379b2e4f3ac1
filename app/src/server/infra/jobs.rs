//! The one runner of background jobs: payment expiry, refund-account expiry, mail delivery
//! (and the payout and month-end jobs to come).
//!
//! A job is a name, an interval and an async function that works through its rows and
//! reports each row's outcome ([`Outcome::row`]): a row that fails is logged and skipped, so
//! one bad row never stops the rows after it. Each run holds a lease in `job_runs` (taken
//! with a conditional update), so on a shared PostgreSQL one instance runs a job at a time;
//! SQLite has one instance anyway and takes the same path. The last run's start, duration,
//! rows done and errors stay in that row for `portal jobs`.
//!
//! The runner knows no capability: each capability defines its jobs, and
//! `crate::server::jobs` lists them for the runner. Jobs run only in `portal serve`
//! ([`spawn_all`]); tests run one deterministically with [`run_once`].

use crate::error::{AppError, AppResult};
use crate::server::AppState;
use futures_util::future::BoxFuture;
use std::cell::RefCell;
use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, Instant};

/// A run that has not ended by then (its instance died) no longer keeps others out.
pub const LEASE_MS: i64 = 15 * 60 * 1000;
/// How many error texts of a run are kept for the operator.
pub const ERRORS_KEPT: usize = 5;

pub type RunFn = for<'a> fn(&'a AppState) -> BoxFuture<'a, AppResult<Outcome>>;

/// A background job.
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub run: RunFn,
}

/// The mail job's name: it delivers the outbox, and also runs whenever a change queued mail.
pub const MAIL: &str = "mail";

tokio::task_local! {
    /// The detail of the last internal error inside one row, which `AppError::Internal`
    /// does not carry, so the operator sees what went wrong rather than "something".
    static ROW_DETAIL: RefCell<Option<String>>;
}

/// Called by [`crate::server::internal`]: keeps the detail for the row being worked on.
pub(crate) fn note_internal(detail: &str) {
    let _ = ROW_DETAIL.try_with(|d| *d.borrow_mut() = Some(detail.to_string()));
}

/// What a run did: rows done, rows that failed (skipped), and the failures' texts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub done: usize,
    pub failed: usize,
    pub errors: Vec<String>,
}

impl Outcome {
    /// Works on one row: `Ok(true)` counts as done, `Ok(false)` as nothing to do, and an
    /// error is logged, kept and skipped.
    pub async fn row<F>(&mut self, what: impl Display, work: F)
    where
        F: Future<Output = AppResult<bool>>,
    {
        let (result, detail) = ROW_DETAIL
            .scope(RefCell::new(None), async move {
                let r = work.await;
                let d = ROW_DETAIL.with(|d| d.borrow_mut().take());
                (r, d)
            })
            .await;
        match result {
            Ok(true) => self.done += 1,
            Ok(false) => {}
            Err(e) => {
                let text = format!("{what}: {}", detail.unwrap_or_else(|| e.to_string()));
                tracing::error!(error = %text, "a background job skipped a row that failed");
                self.failed += 1;
                self.errors.push(text);
            }
        }
    }
}

/// A per-process name for lease holders: the process id and a random part.
fn holder() -> &'static str {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER.get_or_init(|| {
        format!(
            "pid {} #{:x}",
            std::process::id(),
            crate::server::new_id() & 0xffff_ffff
        )
    })
}

/// Takes the job's lease unless another run holds one that has not lapsed.
async fn take_lease(state: &AppState, name: &str, now: i64) -> AppResult<bool> {
    sqlx::query("INSERT INTO job_runs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(&state.db.pool)
        .await?;
    let taken = sqlx::query(
        "UPDATE job_runs SET lease_holder = $2, lease_until = $3, last_started_at = $4, runs = runs + 1 \
         WHERE name = $1 AND (lease_holder IS NULL OR lease_until < $4)",
    )
    .bind(name)
    .bind(holder())
    .bind(now + LEASE_MS)
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// What one call of [`run_once`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// The job ran; a whole-run failure is `Err` with its text.
    Done(Result<Outcome, String>),
    /// Another run (this or another instance) holds the lease.
    Busy,
}

/// Runs the named job of `jobs` (see `crate::server::jobs`) now, if no other run holds its
/// lease, and records the run.
pub async fn run_once(state: &AppState, jobs: &[Job], name: &str) -> AppResult<Ran> {
    let job = jobs
        .iter()
        .find(|j| j.name == name)
        .ok_or_else(|| crate::server::internal(format!("no background job is named {name:?}")))?;
    run_job(state, job).await
}

async fn run_job(state: &AppState, job: &Job) -> AppResult<Ran> {
    if !take_lease(state, job.name, state.clock.now_ms()).await? {
        return Ok(Ran::Busy);
    }
    let started = Instant::now();
    let result = ROW_DETAIL
        .scope(RefCell::new(None), async {
            let r = (job.run)(state).await;
            let d = ROW_DETAIL.with(|d| d.borrow_mut().take());
            r.map_err(|e: AppError| d.unwrap_or_else(|| e.to_string()))
        })
        .await;
    let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (outcome, done, failed, errors) = match &result {
        Ok(o) if o.failed == 0 => ("ok", o.done, 0, Vec::new()),
        Ok(o) => ("row_errors", o.done, o.failed, o.errors.clone()),
        Err(e) => {
            tracing::error!(job = job.name, error = %e, "a background job failed");
            ("failed", 0, 0, vec![e.clone()])
        }
    };
    let kept = errors[errors.len().saturating_sub(ERRORS_KEPT)..].join("\n");
    sqlx::query(
        "UPDATE job_runs SET lease_holder = NULL, lease_until = 0, last_duration_ms = $3, last_outcome = $4, \
         last_done = $5, last_failed = $6, last_errors = $7 WHERE name = $1 AND lease_holder = $2",
    )
    .bind(job.name)
    .bind(holder())
    .bind(ms)
    .bind(outcome)
    .bind(done as i64)
    .bind(failed as i64)
    .bind((!kept.is_empty()).then_some(kept))
    .execute(&state.db.pool)
    .await?;
    if done > 0 || failed > 0 {
        tracing::info!(job = job.name, done, failed, ms, "background job ran");
    }
    Ok(Ran::Done(result))
}

/// Starts every job on its interval for as long as the process runs (`portal serve` only).
/// The mail job also runs at once whenever a change has queued a mail.
pub fn spawn_all(state: &AppState, jobs: Vec<Job>) {
    for job in jobs {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(job.every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                if job.name == MAIL {
                    tokio::select! {
                        _ = tick.tick() => {}
                        _ = state.mail_wake.notified() => {}
                    }
                } else {
                    tick.tick().await;
                }
                if let Err(e) = run_job(&state, &job).await {
                    tracing::error!(job = job.name, error = %e, "could not run a background job");
                }
            }
        });
    }
}

/// A job's last run, for the operator.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobStatus {
    pub name: String,
    pub runs: i64,
    pub last_started_at: Option<i64>,
    pub last_duration_ms: Option<i64>,
    pub last_outcome: Option<String>,
    pub last_done: i64,
    pub last_failed: i64,
    pub last_errors: Option<String>,
    pub lease_holder: Option<String>,
}

/// Every job of `jobs` with its last run; jobs that never ran are listed too.
pub async fn status(state: &AppState, jobs: &[Job]) -> AppResult<Vec<JobStatus>> {
    let rows: Vec<JobStatus> = sqlx::query_as(
        "SELECT name, runs, last_started_at, last_duration_ms, last_outcome, last_done, last_failed, \
         last_errors, lease_holder FROM job_runs",
    )
    .fetch_all(&state.db.pool)
    .await?;
    Ok(jobs
        .iter()
        .map(|j| {
            rows.iter()
                .find(|r| r.name == j.name)
                .cloned()
                .unwrap_or(JobStatus {
                    name: j.name.to_string(),
                    runs: 0,
                    last_started_at: None,
                    last_duration_ms: None,
                    last_outcome: None,
                    last_done: 0,
                    last_failed: 0,
                    last_errors: None,
                    lease_holder: None,
                })
        })
        .collect())
}
