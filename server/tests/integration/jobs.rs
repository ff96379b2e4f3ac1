//! The job runner (leases, per-row failures, what the operator sees) and the mail outbox.

use crate::harness::{TestApp, Who, SHOP};
use app::server::infra::jobs::{self, Ran};
use app::server::infra::mail::OutgoingMail;
use app::server::infra::outbox;
use reqwest::StatusCode;

fn mail(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: subject.into(),
        text: "text".into(),
        html: "<p>html</p>".into(),
        attachments: Vec::new(),
    }
}

async fn outbox_row(app: &TestApp, subject: &str) -> (i64, Option<i64>, Option<i64>, i64) {
    sqlx::query_as(
        "SELECT attempts, sent_at, failed_at, next_attempt_at FROM mail_outbox WHERE subject = $1",
    )
    .bind(subject)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_invite_is_committed_with_its_mail_queued_and_the_mail_goes_out_after() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    let form = [
        ("shop", SHOP),
        ("email", "queued.person@test.example"),
        ("name", "Kai"),
        ("role", "info_only"),
    ];
    let r = app.call(&admin, "invite_user", &form).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // Committed with the invite, not sent yet: no runner is running in the tests.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'queued.person@test.example' AND sent_at IS NULL")
            .await,
        1
    );
    assert!(app.state.mailer.sent().is_empty());
    let mails = app.mails().await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "queued.person@test.example");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND attempts = 1")
            .await,
        1
    );
}

#[tokio::test]
async fn a_mail_that_keeps_failing_is_retried_with_backoff_then_marked_failed() {
    let app = crate::app!();
    let now = app.state.clock.now_ms();
    // The memory mailer refuses an unparsable recipient, as an SMTP server would.
    outbox::enqueue(&app.state.db.pool, &mail("not an address", "Bad"), now - 1)
        .await
        .unwrap();
    outbox::enqueue(&app.state.db.pool, &mail("good@example.com", "Good"), now)
        .await
        .unwrap();

    let first = app.run_job(jobs::MAIL).await;
    assert_eq!((first.done, first.failed), (1, 1), "{first:?}");
    assert!(first.errors[0].contains("recipient"), "{first:?}");
    assert_eq!(
        app.state.mailer.sent().len(),
        1,
        "the good mail is not held up"
    );
    assert_eq!(outbox_row(&app, "Bad").await, (1, None, None, now + 30_000));

    // Not due again until its backoff has passed.
    let early = app.run_job(jobs::MAIL).await;
    assert_eq!((early.done, early.failed), (0, 0));

    let mut waited = Vec::new();
    for attempt in 2..=outbox::MAX_ATTEMPTS {
        let (_, _, _, next) = outbox_row(&app, "Bad").await;
        let wait = next - app.state.clock.now_ms();
        waited.push(wait);
        app.state.clock.advance_ms(wait);
        let run = app.run_job(jobs::MAIL).await;
        assert_eq!(run.failed, 1, "attempt {attempt}");
    }
    assert_eq!(
        waited,
        [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000]
    );
    let (attempts, sent, failed, _) = outbox_row(&app, "Bad").await;
    assert_eq!((attempts, sent), (outbox::MAX_ATTEMPTS, None));
    assert_eq!(failed, Some(app.state.clock.now_ms()));

    // Given up: never tried again, and shown to the operator.
    app.state.clock.advance_ms(24 * 3_600_000);
    let later = app.run_job(jobs::MAIL).await;
    assert_eq!((later.done, later.failed), (0, 0));
    let (failed, pending) = outbox::failed_and_pending(&app.state).await.unwrap();
    assert_eq!(pending, 0);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].recipient, "not an address");
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("recipient"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn one_run_of_a_job_at_a_time_and_a_dead_runs_lease_lapses() {
    let app = crate::app!();
    let now = app.state.clock.now_ms();
    // Another instance is running the job.
    sqlx::query(
        "INSERT INTO job_runs (name, lease_holder, lease_until) VALUES ($1, 'other instance', $2)",
    )
    .bind(app::server::refunds::refund_accounts::EXPIRY_JOB)
    .bind(now + jobs::LEASE_MS)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        jobs::run_once(
            &app.state,
            &app::server::jobs(),
            app::server::refunds::refund_accounts::EXPIRY_JOB,
        )
        .await
        .unwrap(),
        Ran::Busy
    );
    // Other jobs are not held up by it.
    app.run_job(app::server::payments::pay::EXPIRY_JOB).await;

    // That instance died: once its lease has lapsed, this one runs the job.
    app.state.clock.advance_ms(jobs::LEASE_MS + 1);
    assert_eq!(
        jobs::run_once(
            &app.state,
            &app::server::jobs(),
            app::server::refunds::refund_accounts::EXPIRY_JOB,
        )
        .await
        .unwrap(),
        Ran::Done(Ok(jobs::Outcome::default()))
    );
    let holder: Option<String> =
        sqlx::query_scalar("SELECT lease_holder FROM job_runs WHERE name = $1")
            .bind(app::server::refunds::refund_accounts::EXPIRY_JOB)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(holder, None, "released after the run");

    // Many runs at once: each either runs or finds the job busy, and they add up.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let state = app.state.clone();
        set.spawn(async move {
            jobs::run_once(
                &state,
                &app::server::jobs(),
                app::server::payments::pay::EXPIRY_JOB,
            )
            .await
        });
    }
    let mut runs = Vec::new();
    while let Some(r) = set.join_next().await {
        runs.push(r.unwrap());
    }
    let ran = runs
        .iter()
        .filter(|r| matches!(r, Ok(Ran::Done(_))))
        .count() as i64;
    assert!(ran >= 1 && runs.iter().all(|r| r.is_ok()), "{runs:?}");
    assert_eq!(
        app.scalar(format!(
            "SELECT runs FROM job_runs WHERE name = '{}'",
            app::server::payments::pay::EXPIRY_JOB
        ))
        .await,
        1 + ran
    );
}
