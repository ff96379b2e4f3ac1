//! The dashboard's figures against the ledger and the payments behind them.

use crate::harness::{body, Who, SHOP};
use app::api::dashboard::Dashboard;
use app::domain::fees::Channel;
use reqwest::StatusCode;

#[tokio::test]
async fn figures_add_up_to_the_ledger_and_the_payments() {
    let app = crate::app!();
    // 40 days ago, 10 days ago and today (twice, one refunded in part), plus one unpaid.
    app.state.clock.advance_ms(-40 * 86_400_000);
    app.paid_payment(10_000, Channel::Visa).await;
    app.state.clock.advance_ms(30 * 86_400_000);
    app.paid_payment(5_000, Channel::Swedbank).await;
    app.state.clock.advance_ms(10 * 86_400_000);
    app.state.clock.advance_ms(-10 * 60_000);
    let t = app.paid_payment(2_000, Channel::Seb).await;
    app.advance_minutes(1);
    app.paid_payment(3_000, Channel::Lhv).await;
    app.advance_minutes(1);
    app.new_payment(9_999, Channel::Visa, false).await;
    let c = app.client_for(Who::Refunds).await;
    let r = app
        .call(
            &c,
            "make_refund",
            &[
                ("shop", SHOP),
                ("transaction_id", &t.to_string()),
                ("amount", "5.00"),
                ("key", "dash"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let info = app.client_for(Who::Info).await;
    let (s, _, b) = body(app.call(&info, "load_dashboard", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let d: Dashboard = serde_json::from_str(&b).unwrap();
    let shop = app.shop_id(SHOP).await;
    let balance = app
        .scalar(format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await;
    assert_eq!(d.balance.cents(), balance);
    assert_eq!(
        d.unpaid.cents(),
        balance,
        "no payout yet: everything is unpaid"
    );
    assert_eq!(d.reserved.cents(), 0);
    let counts: Vec<_> = d
        .windows
        .iter()
        .map(|w| (w.count, w.gross.cents()))
        .collect();
    assert_eq!(counts, [(2, 5_000), (2, 5_000), (3, 10_000)]);
    let net_30 = app
        .scalar(format!(
            "SELECT CAST(SUM(net_cents) AS BIGINT) FROM transactions WHERE shop_id = {shop} AND amount_cents IN (2000, 3000, 5000)"
        ))
        .await;
    assert_eq!(d.windows[2].net.cents(), net_30);
    assert_eq!(d.days.len(), 30);
    assert_eq!(d.days.iter().map(|x| x.gross.cents()).sum::<i64>(), 10_000);
    assert_eq!(
        d.days.last().unwrap().gross.cents(),
        5_000,
        "today is the last bar"
    );
    assert_eq!(d.latest.len(), 5);
    assert_eq!(d.latest[0].amount.cents(), 9_999, "newest first");

    let (s, _, html) = body(app.page(&info, &format!("/shops/{SHOP}")).await).await;
    assert_eq!(s, StatusCode::OK);
    let svg = html
        .find("<svg")
        .map(|i| &html[i..(i + 300).min(html.len())]);
    assert!(
        html.contains("class=\"chart\""),
        "the chart is drawn on the server: {svg:?}"
    );
    assert!(html.contains("Show the chart as a table"));
}

#[tokio::test]
async fn not_yet_paid_out_is_what_came_after_the_last_payout() {
    use app::domain::ledger::MovementKind;
    use app::domain::Money;
    use app::server::ledger::{self, Links};
    let app = crate::app!();
    let shop = app.shop_id(SHOP).await;
    app.paid_payment(10_000, Channel::Visa).await;
    // A payout of part of the balance.
    let mut tx = app.state.db.begin_write().await.unwrap();
    ledger::post(
        &mut tx,
        shop,
        app.state.clock.now_ms(),
        Links::default(),
        &[(MovementKind::Payout, Money::from_cents(-6_000))],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.advance_minutes(1);
    app.paid_payment(3_000, Channel::Swedbank).await;
    let after_payout = app
        .scalar(format!(
            "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM movements WHERE shop_id = {shop} \
             AND seq > (SELECT MAX(seq) FROM movements WHERE shop_id = {shop} AND kind = 'PAYOUT')"
        ))
        .await;
    let info = app.client_for(Who::Info).await;
    let (s, _, b) = body(app.call(&info, "load_dashboard", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let d: Dashboard = serde_json::from_str(&b).unwrap();
    assert!(after_payout > 0 && after_payout < 3_000, "{after_payout}");
    assert_eq!(d.unpaid.cents(), after_payout);
    let balance = app
        .scalar(format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await;
    assert_eq!(d.balance.cents(), balance);
    assert_ne!(d.unpaid.cents(), balance, "the payout is not unpaid");
    crate::ledger::assert_ledger_adds_up(&app).await;
}
