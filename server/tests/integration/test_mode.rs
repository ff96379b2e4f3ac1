//! Test and live money kept apart: the test bank serves test payments only, test payments
//! carry no fees and never reach the ledger, the portal shows them only to a user who
//! switched to test data, and a live link without a live connector cannot be paid.

use crate::harness::{body, TestApp, Who, SHOP};
use crate::pay_page::{make_link, payment_in, start};
use app::api::dashboard::Dashboard;
use app::api::payment_links::LinkRow;
use app::api::transactions::{TxPage, TxTotals};
use app::domain::fees::Channel;
use app::domain::Money;
use app::server::payments::connector::{self, BankStatus};
use app::server::payments::pay;
use app::server::payments::transactions::{self, LinkOrigin, NewTransaction};
use reqwest::{Client, StatusCode};

/// The application as a provider installs it: no live connector configured.
async fn without_live_connector() -> Option<TestApp> {
    TestApp::spawn_with(
        app::server::infra::clock::Clock::manual_at(jiff::Timestamp::now().as_millisecond()),
        server::MailChoice::Memory,
        |env| env.retain(|(k, _)| k != "PORTAL_LIVE_CONNECTOR"),
    )
    .await
}

macro_rules! bare_app {
    () => {
        match without_live_connector().await {
            Some(app) => app,
            None => return,
        }
    };
}

/// Switches the client's session to test data (`true`) or back to live data.
async fn switch(app: &TestApp, c: &Client, test: bool) {
    let r = c
        .post(app.url("/api/set_test_data"))
        .header("Accept", "text/html")
        .form(&[
            ("on", if test { "1" } else { "0" }),
            ("next", "/shops/shop-a"),
        ])
        .send()
        .await
        .unwrap();
    let (s, h, b) = body(r).await;
    assert!(s.is_redirection(), "{s} {b}");
    assert_eq!(
        h.get("location").unwrap().to_str().unwrap(),
        "/shops/shop-a"
    );
}

async fn list(app: &TestApp, c: &Client) -> Vec<i64> {
    let (s, _, b) = body(app.call(c, "list_transactions", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let page: TxPage = serde_json::from_str(&b).unwrap();
    page.rows.iter().map(|r| r.id).collect()
}

async fn totals(app: &TestApp, c: &Client) -> TxTotals {
    let (s, _, b) = body(app.call(c, "transaction_totals", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn dashboard(app: &TestApp, c: &Client) -> Dashboard {
    let (s, _, b) = body(app.call(c, "load_dashboard", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn links(app: &TestApp, c: &Client) -> Vec<String> {
    let (s, _, b) = body(app.call(c, "list_payment_links", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let rows: Vec<LinkRow> = serde_json::from_str::<app::api::payment_links::LinkPage>(&b)
        .unwrap()
        .rows;
    rows.into_iter().map(|r| r.reference).collect()
}

async fn balance(app: &TestApp) -> i64 {
    app.scalar(format!(
        "SELECT balance_cents FROM shop_balances WHERE shop_id = {}",
        app.shop_id(SHOP).await
    ))
    .await
}

#[tokio::test]
async fn a_live_link_without_a_live_connector_says_the_shop_cannot_take_payments() {
    let app = bare_app!();
    let (_, token) = make_link(&app, &[("amount", "25.00"), ("reference", "Live 1")]).await;
    let buyer = TestApp::client();
    let (s, _, page) = body(app.page(&buyer, &format!("/pay/{token}?lang=en")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("This shop cannot take payments yet"),
        "{page}"
    );
    assert!(!page.contains("name=\"method\""), "no methods offered");
    assert!(!page.contains("Test payment"), "a live link is no test");
    // Posting the form anyway starts nothing.
    let to = start(&app, &buyer, &token, &[("method", "seb:EE")]).await;
    assert!(to.contains("error=error-no-connector"), "{to}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM transactions").await, 0);
}

#[tokio::test]
async fn the_test_bank_refuses_a_live_payment() {
    let app = bare_app!();
    let (link, token) = make_link(&app, &[("amount", "25.00"), ("reference", "Live 2")]).await;
    // A live payment recorded as if it had been sent to the test bank (the demo's setting
    // on before a restart, or a crafted row): the test bank must not settle it.
    let live = transactions::create(
        &app.state,
        NewTransaction {
            shop_id: app.shop_id(SHOP).await,
            reference: "Live 2".into(),
            amount: Money::from_cents(2500),
            channel: Channel::Swedbank,
            test_mode: false,
            buyer_name: None,
            buyer_email: None,
            buyer_ip: None,
            buyer_country: Some("EE".into()),
            description: None,
            from_link: Some(LinkOrigin {
                link_id: link.id,
                language: "en".into(),
                connector: connector::TEST_CONNECTOR.into(),
            }),
        },
    )
    .await
    .unwrap();
    let buyer = TestApp::client();
    let r = app
        .page(&buyer, &format!("/test-bank/{token}/{live}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = buyer
        .post(app.url(&format!("/test-bank/{token}/{live}")))
        .form(&[("choice", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(matches!(
        connector::test_bank_decide(&app.state, live, BankStatus::Approved).await,
        Err(app::error::AppError::NotFound)
    ));
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM test_bank_decisions WHERE transaction_id = {live}"
        ))
        .await,
        0
    );
    // Nor does a confirmation settle it through the test bank.
    assert!(pay::confirm(&app.state, live).await.is_err());
    let status: String = sqlx::query_scalar("SELECT status FROM transactions WHERE id = $1")
        .bind(live)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "created");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM movements").await, 0);
}

#[tokio::test]
async fn test_payments_carry_no_fees_and_stay_out_of_live_money_and_lists() {
    let app = bare_app!();
    // Live history: one paid payment with its income and fees.
    let live = app.paid_payment(10_000, Channel::Swedbank).await;
    let live_balance = balance(&app).await;
    assert!(live_balance > 0);
    let admin = app.client_for(Who::Admin).await;

    // The switch and its banner.
    let (_, _, home) = body(app.page(&admin, "/shops/shop-a").await).await;
    assert!(home.contains("View test data") && !home.contains("You are viewing test data"));
    switch(&app, &admin, true).await;
    let (_, _, home) = body(app.page(&admin, "/shops/shop-a").await).await;
    assert!(home.contains("You are viewing test data"), "{home}");
    assert!(home.contains("Back to live data"));

    // A link made while on test data is a test link, paid through the test bank.
    let (link, token) = make_link_as(&app, &admin, "40.00", "Test order 1").await;
    assert!(link.test_mode);
    let buyer = TestApp::client();
    let (_, _, page) = body(app.page(&buyer, &format!("/pay/{token}?lang=en")).await).await;
    assert!(page.contains("Test payment: no money is taken"), "{page}");
    let to = start(&app, &buyer, &token, &[("method", "swedbank:EE")]).await;
    assert!(to.contains("/test-bank/"), "{to}");
    let payment = payment_in(&to);
    assert!(
        connector::test_bank_decide(&app.state, payment, BankStatus::Approved)
            .await
            .unwrap()
    );
    assert_eq!(
        pay::confirm(&app.state, payment).await.unwrap(),
        pay::Confirmed::Approved
    );
    let (status, test_mode, fee, vat): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT status, test_mode, fee_cents, vat_cents FROM transactions WHERE id = $1",
    )
    .bind(payment)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), test_mode, fee, vat),
        ("approved", 1, 0, 0)
    );
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE transaction_id = {payment}"
        ))
        .await,
        0,
        "a test payment posts nothing"
    );
    assert_eq!(balance(&app).await, live_balance);

    // On test data: only test payments and links, and no balance.
    assert_eq!(list(&app, &admin).await, vec![payment]);
    let t = totals(&app, &admin).await;
    assert_eq!((t.count, t.gross.cents(), t.fees.cents()), (1, 4000, 0));
    let d = dashboard(&app, &admin).await;
    assert!(d.test_mode);
    assert_eq!(d.balance, Money::ZERO);
    assert_eq!(d.windows[0].count, 1);
    assert_eq!(d.windows[0].gross.cents(), 4000);
    assert_eq!(links(&app, &admin).await, vec!["Test order 1"]);
    let (_, _, csv) = body(
        admin
            .get(app.url(&format!("/shops/{SHOP}/exports/transactions.csv")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(csv.contains("Test order 1") && !csv.contains(&live.to_string()));

    // A test refund moves no money either, and the live balance does not limit it.
    let (s, _, b) = body(
        app.call(
            &admin,
            "make_refund",
            &[
                ("shop", SHOP),
                ("transaction_id", &payment.to_string()),
                ("amount", "40.00"),
                ("key", "test-refund-1"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(balance(&app).await, live_balance);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM movements WHERE kind = 'REFUND'")
            .await,
        0
    );

    // Back on live data: the test payment and link are gone from every list and figure.
    switch(&app, &admin, false).await;
    assert_eq!(list(&app, &admin).await, vec![live]);
    let t = totals(&app, &admin).await;
    assert_eq!((t.count, t.gross.cents()), (1, 10_000));
    let d = dashboard(&app, &admin).await;
    assert!(!d.test_mode);
    assert_eq!(d.balance.cents(), live_balance);
    assert_eq!(d.windows[0].count, 1);
    assert_eq!(d.windows[0].gross.cents(), 10_000);
    assert!(links(&app, &admin).await.is_empty());
    let (_, _, csv) = body(
        admin
            .get(app.url(&format!("/shops/{SHOP}/exports/transactions.csv")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!csv.contains("Test order 1"), "{csv}");
    // The switch belongs to the session: another user's view is untouched.
    let info = app.client_for(Who::Info).await;
    assert_eq!(list(&app, &info).await, vec![live]);
}

/// Makes a link with the given client (whose session decides test or live).
async fn make_link_as(
    app: &TestApp,
    c: &Client,
    amount: &str,
    reference: &str,
) -> (app::api::payment_links::NewLink, String) {
    let (s, _, b) = body(
        app.call(
            c,
            "create_payment_link",
            &[
                ("shop", SHOP),
                ("link[amount]", amount),
                ("link[reference]", reference),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let link: app::api::payment_links::NewLink = serde_json::from_str(&b).unwrap();
    let token = link.url.rsplit('/').next().unwrap().to_string();
    (link, token)
}

#[tokio::test]
async fn the_switch_only_goes_to_pages_of_this_site() {
    let app = bare_app!();
    let admin = app.client_for(Who::Admin).await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let r = admin
            .post(app.url("/api/set_test_data"))
            .header("Accept", "text/html")
            .form(&[("on", "1"), ("next", next)])
            .send()
            .await
            .unwrap();
        let (s, h, b) = body(r).await;
        assert!(s.is_redirection(), "{next}: {s} {b}");
        assert_eq!(h.get("location").unwrap(), "/", "{next}");
    }
    // Signed out: no switch.
    let anon = TestApp::client();
    let r = anon
        .post(app.url("/api/set_test_data"))
        .header("Accept", "text/html")
        .form(&[("on", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
