//! A payment's detail over HTTP: movements with balance after, refunds, timeline, fraud
//! signals, the refund preview and its refusals, and the refund form only for roles that may.

use crate::harness::{body, TestApp, Who, SHOP};
use app::api::refunds::RefundPreview;
use app::api::transactions::TxDetail;
use app::domain::fees::Channel;
use app::server::payments::transactions::{self, Closed, NewTransaction};
use reqwest::{Client, StatusCode};

async fn detail(app: &TestApp, c: &Client, id: i64) -> TxDetail {
    let r = app
        .call(
            c,
            "get_transaction",
            &[("shop", SHOP), ("id", &id.to_string())],
        )
        .await;
    let (s, _, b) = body(r).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn preview(app: &TestApp, c: &Client, id: i64, amount: &str) -> (StatusCode, String) {
    let r = app
        .call(
            c,
            "preview_refund",
            &[
                ("shop", SHOP),
                ("transaction_id", &id.to_string()),
                ("amount", amount),
            ],
        )
        .await;
    let (s, _, b) = body(r).await;
    (s, b)
}

#[tokio::test]
async fn detail_shows_movements_refunds_and_timeline() {
    let app = crate::app!();
    let t = app.paid_payment(5_000, Channel::Swedbank).await;
    let c = app.client_for(Who::Refunds).await;
    let d = detail(&app, &c, t).await;
    assert_eq!(d.status, "approved");
    assert_eq!(d.net.unwrap().cents(), 4_814, "the seed's 50.00 → 48.14");
    assert_eq!(d.refundable.cents(), 5_000);
    let kinds: Vec<_> = d.movements.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds[0], "INCOME");
    assert!(
        kinds.contains(&"TRX_FEE") && kinds.contains(&"VAT"),
        "{kinds:?}"
    );
    assert_eq!(d.movements.last().unwrap().balance_after.cents(), 4_814);
    assert_eq!(d.timeline.len(), 2);

    let r = app
        .call(
            &c,
            "make_refund",
            &[
                ("shop", SHOP),
                ("transaction_id", &t.to_string()),
                ("amount", "10.00"),
                ("comment", "Damaged box"),
                ("key", "detail-1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let d = detail(&app, &c, t).await;
    assert_eq!(d.status, "part_refunded");
    assert_eq!((d.refunded.cents(), d.refundable.cents()), (1_000, 4_000));
    assert_eq!(d.refunds.len(), 1);
    assert_eq!(d.refunds[0].comment.as_deref(), Some("Damaged box"));
    assert_eq!(d.refunds[0].by.as_deref(), Some("refunds@test.example"));
    let last = d.movements.last().unwrap();
    assert_eq!(
        (
            last.kind.as_str(),
            last.amount.cents(),
            last.balance_after.cents()
        ),
        ("REFUND", -1_000, 3_814)
    );
    assert!(d.timeline.iter().any(|e| e.label.starts_with("Refunded")));

    // Another merchant's admin, and an id of no payment, get 404.
    let other = app.client_for(Who::OtherAdmin).await;
    let r = app
        .call(
            &other,
            "get_transaction",
            &[("shop", SHOP), ("id", &t.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .call(&c, "get_transaction", &[("shop", SHOP), ("id", "42")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn preview_checks_everything_and_writes_nothing() {
    let app = crate::app!();
    let t = app.paid_payment(5_000, Channel::Swedbank).await;
    let c = app.client_for(Who::Admin).await;
    let (s, b) = preview(&app, &c, t, "12.50").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let p: RefundPreview = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            p.amount.cents(),
            p.refundable.cents(),
            p.balance.cents(),
            p.balance_after.cents()
        ),
        (1_250, 5_000, 4_814, 3_564)
    );
    assert!(p.key.len() >= 32 && !p.awaits_account);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM refunds").await, 0);

    for (amount, status, says) in [
        ("0", StatusCode::UNPROCESSABLE_ENTITY, "greater than zero"),
        ("12,505", StatusCode::UNPROCESSABLE_ENTITY, "two decimals"),
        ("50.01", StatusCode::UNPROCESSABLE_ENTITY, "At most 50.00"),
        ("49.00", StatusCode::UNPROCESSABLE_ENTITY, "balance"),
    ] {
        let (s, b) = preview(&app, &c, t, amount).await;
        assert_eq!(s, status, "{amount}: {b}");
        assert!(b.contains(says), "{amount}: {b}");
    }
    let cancelled = app.new_payment(2_000, Channel::Visa, false).await;
    transactions::close_at(
        &app.state,
        cancelled,
        Closed::Cancelled,
        app.state.clock.now_ms(),
    )
    .await
    .unwrap();
    let (s, b) = preview(&app, &c, cancelled, "1.00").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("Only paid payments"), "{b}");
    let info = app.client_for(Who::Info).await;
    assert_eq!(
        preview(&app, &info, t, "1.00").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_refund_form_is_there_only_for_roles_that_may_refund() {
    let app = crate::app!();
    let t = app.paid_payment(5_000, Channel::Visa).await;
    let path = format!("/shops/{SHOP}/transactions/{t}");
    for (who, has_form) in [(Who::Admin, true), (Who::Refunds, true), (Who::Info, false)] {
        let c = app.client_for(who).await;
        let (s, _, html) = body(app.page(&c, &path).await).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("Movements on the balance"), "{who:?}");
        assert_eq!(html.contains("Preview refund"), has_form, "{who:?}");
    }
}

#[tokio::test]
async fn fraud_signals_come_from_the_data_with_reasons() {
    let app = crate::app!();
    let shop_id = app.shop_id(SHOP).await;
    let attempt = |email: Option<&str>, name: Option<&str>| NewTransaction {
        shop_id,
        reference: format!("F-{}", app::server::new_id()),
        amount: app::domain::Money::from_cents(3_000),
        channel: Channel::Visa,
        test_mode: false,
        buyer_name: name.map(str::to_string),
        buyer_email: email.map(str::to_string),
        buyer_ip: Some("203.0.113.9".into()),
        buyer_country: Some("NG".into()),
        description: None,
        from_link: None,
    };
    for _ in 0..3 {
        let f = transactions::create(&app.state, attempt(Some("x@example.com"), Some("X")))
            .await
            .unwrap();
        transactions::close_at(&app.state, f, Closed::Cancelled, app.state.clock.now_ms())
            .await
            .unwrap();
        app.advance_minutes(5);
    }
    let t = transactions::create(&app.state, attempt(Some("x@example.com"), Some("X")))
        .await
        .unwrap();
    transactions::approve(&app.state, t).await.unwrap();
    let anonymous = transactions::create(&app.state, attempt(None, None))
        .await
        .unwrap();
    let c = app.client_for(Who::Info).await;
    let d = detail(&app, &c, t).await;
    let titles: Vec<_> = d.signals.iter().map(|s| s.title.as_str()).collect();
    assert!(
        titles.contains(&"Failures followed by a success"),
        "{titles:?}"
    );
    assert!(titles.contains(&"Paid from outside Europe"), "{titles:?}");
    assert!(titles.contains(&"New buyer"), "{titles:?}");
    let failures = d
        .signals
        .iter()
        .find(|s| s.title.starts_with("Failures"))
        .unwrap();
    assert!(
        failures.reason.contains("3 failed attempts"),
        "{}",
        failures.reason
    );
    let d = detail(&app, &c, anonymous).await;
    assert!(
        d.signals
            .iter()
            .any(|s| s.title == "Missing contact data" && s.strong),
        "{:?}",
        d.signals
    );
    assert!(
        d.signals
            .iter()
            .any(|s| s.title == "Many payments from one IP address"),
        "five payments from one IP within a day: {:?}",
        d.signals
    );
}
