//! Refunds at the service level: limits, messages, idempotency and concurrency.

use crate::app;
use crate::harness::{TestApp, SHOP};
use app::domain::fees::Channel;
use app::domain::Money;
use app::error::AppError;
use app::server::refunds::{self, Requester};

async fn paid(app: &TestApp, cents: i64, channel: Channel) -> (i64, i64) {
    (
        app.shop_id(SHOP).await,
        app.paid_payment(cents, channel).await,
    )
}

pub(crate) async fn requester(app: &TestApp) -> Requester {
    Requester {
        user_id: app
            .scalar("SELECT id FROM users WHERE email = 'refunds@test.example'")
            .await,
        email: "refunds@test.example".into(),
        ip: "192.0.2.10".into(),
        merchant_id: app
            .scalar(&format!(
                "SELECT merchant_id FROM shops WHERE slug = '{SHOP}'"
            ))
            .await,
    }
}

fn eur(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn message(e: AppError) -> String {
    match e {
        AppError::Validation(f) => f.0.values().cloned().collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn partial_refunds_repeat_until_the_payment_is_used_up() {
    let app = app!();
    let by = requester(&app).await;
    let (shop, big) = paid(&app, 20_000, Channel::Visa).await; // balance 193.64
    let (_, t) = paid(&app, 5_000, Channel::Swedbank).await; // balance 241.78
    let r = refunds::refund(
        &app.state,
        shop,
        &by,
        t,
        eur("20.00"),
        Some("Damaged box".into()),
        "k1",
    )
    .await
    .unwrap();
    assert_eq!((r.balance, r.status.as_str()), (eur("221.78"), "done"));
    let status = || {
        app.scalar(format!("SELECT CASE status WHEN 'part_refunded' THEN 1 WHEN 'refunded' THEN 2 ELSE 0 END FROM transactions WHERE id = {t}"))
    };
    assert_eq!(status().await, 1);
    let e = refunds::refund(&app.state, shop, &by, t, eur("30.01"), None, "k2")
        .await
        .unwrap_err();
    assert!(message(e).contains("At most 30.00 EUR can still be refunded"));
    refunds::refund(&app.state, shop, &by, t, eur("30.00"), None, "k3")
        .await
        .unwrap();
    assert_eq!(status().await, 2);
    let e = refunds::refund(&app.state, shop, &by, t, eur("0.01"), None, "k4")
        .await
        .unwrap_err();
    assert!(message(e).contains("refunded in full"));
    let e = refunds::refund(&app.state, shop, &by, t, Money::ZERO, None, "k5")
        .await
        .unwrap_err();
    assert!(message(e).contains("greater than zero"));
    // Fees are not returned: the shop paid out the whole 50.00 but kept 48.14 of it.
    assert_eq!(
        app.scalar(&format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await,
        19_364 + 4_814 - 5_000
    );
    let kinds: Vec<(String, i64)> = sqlx::query_as("SELECT kind, amount_cents FROM movements WHERE transaction_id = $1 AND kind = 'REFUND' ORDER BY seq")
        .bind(t)
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        kinds,
        vec![("REFUND".into(), -2000), ("REFUND".into(), -3000)]
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'refund'")
            .await,
        2
    );
    let _ = big;
}

#[tokio::test]
async fn refusals_say_what_is_wrong() {
    let app = app!();
    let by = requester(&app).await;
    let (shop, t) = paid(&app, 5_000, Channel::Lhv).await; // balance 48.14
    let e = refunds::refund(&app.state, shop, &by, t, eur("50.00"), None, "a")
        .await
        .unwrap_err();
    assert!(
        message(e).contains("balance (48.14 EUR available) is too small"),
        "refund needs the balance"
    );
    let c = app.new_payment(1_000, Channel::Seb, false).await;
    let e = refunds::refund(&app.state, shop, &by, c, eur("1.00"), None, "b")
        .await
        .unwrap_err();
    assert!(message(e).contains("Only paid payments can be refunded; this one is created"));
    // Another shop's payment is not found from this shop.
    let other = app
        .scalar("SELECT id FROM shops WHERE slug = 'shop-b'")
        .await;
    assert_eq!(
        refunds::refund(&app.state, other, &by, t, eur("1.00"), None, "c")
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn a_repeated_request_makes_one_refund() {
    let app = app!();
    let by = requester(&app).await;
    let (shop, t) = paid(&app, 5_000, Channel::Visa).await;
    let first = refunds::refund(&app.state, shop, &by, t, eur("10.00"), None, "click-1")
        .await
        .unwrap();
    let again = refunds::refund(&app.state, shop, &by, t, eur("10.00"), None, "click-1")
        .await
        .unwrap();
    assert_eq!(first.refund_id, again.refund_id);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM refunds").await, 1);
    let e = refunds::refund(&app.state, shop, &by, t, eur("11.00"), None, "click-1")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)));
}

#[tokio::test]
async fn fifty_concurrent_refunds_never_exceed_the_payment() {
    let app = app!();
    let by = std::sync::Arc::new(requester(&app).await);
    let (shop, _) = paid(&app, 100_000, Channel::Visa).await; // plenty of balance
    let (_, t) = paid(&app, 10_000, Channel::Mastercard).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (state, by) = (app.state.clone(), by.clone());
        tasks.push(tokio::spawn(async move {
            refunds::refund(
                &state,
                shop,
                &by,
                t,
                Money::from_cents(300),
                None,
                &format!("c{i}"),
            )
            .await
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => {
                let m = message(e);
                assert!(
                    m.contains("can still be refunded") || m.contains("refunded in full"),
                    "{m}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!(ok, 33, "33 × 3.00 fit in 100.00");
    assert_eq!(refused, 17);
    assert_eq!(
        app.scalar(&format!(
            "SELECT refunded_cents FROM transactions WHERE id = {t}"
        ))
        .await,
        9_900
    );
}

#[tokio::test]
async fn finnish_bank_refunds_reserve_the_amount_until_the_buyer_gives_an_account() {
    let app = app!();
    let by = requester(&app).await;
    let (shop, t) = paid(&app, 5_000, Channel::Nordea).await;
    let r = refunds::refund(&app.state, shop, &by, t, eur("20.00"), None, "fi-1")
        .await
        .unwrap();
    assert_eq!(
        (r.status.as_str(), r.balance),
        ("awaiting_account", eur("48.14"))
    );
    let reserved = app
        .scalar(&format!(
            "SELECT reserved_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await;
    assert_eq!(reserved, 2_000);
    // The reservation counts against both the payment and the balance.
    let e = refunds::refund(&app.state, shop, &by, t, eur("30.01"), None, "fi-2")
        .await
        .unwrap_err();
    assert!(message(e).contains("At most 30.00 EUR"));
    let e = refunds::refund(&app.state, shop, &by, t, eur("29.00"), None, "fi-3")
        .await
        .unwrap_err();
    assert!(
        message(e).contains("28.14 EUR available"),
        "balance less reservation"
    );
}

#[tokio::test]
async fn staff_refund_over_http_and_info_only_users_get_403() {
    use crate::harness::Who;
    use reqwest::StatusCode;
    let app = app!();
    let (_, t) = paid(&app, 5_000, Channel::Visa).await;
    let t = t.to_string();
    let staff = app.client_for(Who::Refunds).await;
    let form = |amount: &'static str, key: &'static str| {
        [
            ("shop", SHOP.to_string()),
            ("transaction_id", t.clone()),
            ("amount", amount.into()),
            ("key", key.into()),
        ]
    };
    let r = staff
        .post(app.url("/api/make_refund"))
        .form(&form("12.50", "h1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("\"status\":\"done\"") && body.contains("\"balance\":3564"),
        "{body}"
    );
    let r = staff
        .post(app.url("/api/make_refund"))
        .form(&form("12,505", "h2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Use at most two decimals"));
    let info = app.client_for(Who::Info).await;
    let r = info
        .post(app.url("/api/make_refund"))
        .form(&form("1.00", "h3"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM refunds").await, 1);
}
