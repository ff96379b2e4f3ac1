//! The billing job: the month's fees on its last day (account fee when cards or foreign bank
//! links were active, plugin and logistics fees for the modules used), each with its VAT,
//! from the price list in force; the VAT correction on the 1st, explained on the statement;
//! each posted once however often and on however many instances the job runs; a missed
//! last day caught up; the balance may go negative and payouts then wait.

use crate::harness::{body, TestApp, Who, OTHER_SHOP, SHOP, SHOP_B};
use app::domain::fees::Channel;
use app::server::billing::{monthly, usage};
use app::server::infra::clock::Clock;

async fn spawn_on(day: &str) -> Option<TestApp> {
    let start = format!("{day}T08:00:00Z")
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    TestApp::spawn_with(Clock::manual_at(start), server::MailChoice::Memory, |_| {}).await
}

/// (kind, amount) of the shop's movements that belong to charges, in posting order.
async fn charged(app: &TestApp, shop: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT m.kind, m.amount_cents FROM movements m JOIN shops s ON s.id = m.shop_id \
         WHERE s.slug = $1 AND m.charge_id IS NOT NULL ORDER BY m.seq",
    )
    .bind(shop)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

fn kinds(v: &[(&str, i64)]) -> Vec<(String, i64)> {
    v.iter().map(|(k, a)| (k.to_string(), *a)).collect()
}

/// The March VAT correction the rules ask for, from the movements themselves: 20 % of the
/// month's fees rounded once, less the VAT posted.
async fn expected_correction(app: &TestApp, shop: &str) -> i64 {
    let (from, to) = (
        "2027-03-01T00:00:00+02:00"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
        "2027-04-01T00:00:00+03:00"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
    );
    let sum = |kinds: &str| {
        format!(
            "SELECT CAST(COALESCE(-SUM(m.amount_cents), 0) AS BIGINT) FROM movements m JOIN shops s \
             ON s.id = m.shop_id WHERE s.slug = '{shop}' AND m.kind IN ({kinds}) AND m.at >= {from} AND m.at < {to}"
        )
    };
    let fees = app
        .scalar(sum(
            "'TRX_FEE', 'TRX_FEE_FIX', 'TRX_FEE_MIN', 'SERVICE_FEE_ACCOUNT', 'SERVICE_FEE_PLUGIN', \
             'SERVICE_FEE_LOGISTICS'",
        ))
        .await;
    let vat = app.scalar(sum("'VAT'")).await;
    // Half away from zero, as every VAT entry.
    (fees * 20 + 50).div_euclid(100) - vat
}

#[tokio::test]
async fn monthly_fees_on_the_last_day_and_the_vat_correction_on_the_first_once_each() {
    // The shops are made on 1 March: nothing is owed for February.
    let Some(app) = spawn_on("2027-03-01").await else {
        return;
    };
    let s = &app.state;
    // March: shop A used the modules and their logistics; every shop offers cards.
    usage::set(s, SHOP, "2027-03", true, true).await.unwrap();
    let e = usage::set(s, SHOP_B, "2027-03", false, true).await;
    assert!(format!("{e:?}").contains("--plugin"), "{e:?}");
    app.at_day("2027-03-02");
    // Payments whose VAT entries round away from 20 % of their fees: 0.50 EUR pays a 0.01
    // percentage fee with no VAT (0.002 rounds to nothing).
    for _ in 0..7 {
        app.paid_payment(50, Channel::Swedbank).await;
    }
    app.paid_payment(12_345, Channel::Visa).await;

    // Not the last day yet: nothing for March.
    app.at_day("2027-03-30");
    app.run_job(monthly::JOB).await;
    assert!(charged(&app, SHOP).await.is_empty());

    app.at_day("2027-03-31");
    let o = app.run_job(monthly::JOB).await;
    assert_eq!((o.done, o.failed), (3, 0), "{o:?}");
    assert_eq!(
        charged(&app, SHOP).await,
        kinds(&[
            ("SERVICE_FEE_ACCOUNT", -1_000),
            ("VAT", -200),
            ("SERVICE_FEE_PLUGIN", -1_000),
            ("VAT", -200),
            ("SERVICE_FEE_LOGISTICS", -500),
            ("VAT", -100),
        ])
    );
    assert_eq!(
        charged(&app, SHOP_B).await,
        kinds(&[("SERVICE_FEE_ACCOUNT", -1_000), ("VAT", -200)])
    );
    // Again, and from a second instance: nothing twice.
    assert_eq!(app.run_job(monthly::JOB).await.done, 0);
    let second = app.second_instance().await;
    assert_eq!(monthly::run_due(&second).await.unwrap().done, 0);
    assert_eq!(charged(&app, SHOP).await.len(), 6);

    // Shop B had no money: its balance is negative now, and its payout waits.
    let b = app.shop_id(SHOP_B).await;
    assert_eq!(
        app::server::ledger::balance(&s.db.pool, b)
            .await
            .unwrap()
            .cents(),
        -1_200
    );
    app::server::operations::operator::set_payout_account(
        s,
        SHOP_B,
        "EE382200221020145685",
        "B OÜ",
    )
    .await
    .unwrap();
    let r =
        app::server::payouts::run::run(s, app::domain::calendar::Day::parse("2027-03-31").unwrap())
            .await
            .unwrap();
    assert_eq!(
        app.scalar(format!("SELECT COUNT(*) FROM payouts WHERE shop_id = {b}"))
            .await,
        0,
        "{r:?}"
    );

    // The 1st: March's VAT correction where the entries' rounding left a difference.
    let want = expected_correction(&app, SHOP).await;
    assert_ne!(want, 0, "the payments above leave a rounding difference");
    app.at_day("2027-04-01");
    let o = app.run_job(monthly::JOB).await;
    assert_eq!(o.failed, 0, "{o:?}");
    let corrections: Vec<(String, i64)> = charged(&app, SHOP)
        .await
        .into_iter()
        .filter(|(k, _)| k == "VAT_CORRECTION")
        .collect();
    assert_eq!(corrections, kinds(&[("VAT_CORRECTION", -want)]));
    assert!(
        charged(&app, SHOP_B)
            .await
            .iter()
            .all(|(k, _)| k != "VAT_CORRECTION"),
        "B's VAT is exact: no correction"
    );
    assert_eq!(app.run_job(monthly::JOB).await.done, 0, "once");
    assert_eq!(monthly::run_due(&second).await.unwrap().done, 0);

    // The statement explains the charges in words.
    let info = app.client_for(Who::Info).await;
    let (status, _, page) = body(
        app.call(
            &info,
            "load_statement",
            &[
                ("shop", SHOP),
                ("filter[period]", "month"),
                ("filter[month]", "2027-04"),
            ],
        )
        .await,
    )
    .await;
    assert!(status.is_success(), "{page}");
    assert!(
        page.contains("VAT correction for March 2027: 20 % of "),
        "{page}"
    );
    let (_, _, march) = body(
        app.call(
            &info,
            "load_statement",
            &[
                ("shop", SHOP),
                ("filter[period]", "month"),
                ("filter[month]", "2027-03"),
            ],
        )
        .await,
    )
    .await;
    for words in [
        "Monthly account fee for March 2027: cards or foreign bank links were active",
        "Shop plugin fee for March 2027: the shop modules were used",
        "Logistics fee for March 2027: the modules' logistics functions were used",
    ] {
        assert!(march.contains(words), "{words}");
    }
    // The other merchant's shop was charged its own fee and nothing else.
    assert_eq!(
        charged(&app, OTHER_SHOP).await,
        kinds(&[("SERVICE_FEE_ACCOUNT", -1_000), ("VAT", -200)])
    );
}

#[tokio::test]
async fn a_missed_last_day_is_caught_up_and_a_negotiated_list_waives_the_account_fee() {
    let Some(app) = spawn_on("2027-02-26").await else {
        return;
    };
    let s = &app.state;
    let merchant: i64 = app
        .scalar(format!(
            "SELECT merchant_id FROM shops WHERE slug = '{SHOP}'"
        ))
        .await;
    let id = app::server::operations::operator::set_price_list(
        s,
        app::server::operations::operator::PriceListSpec {
            merchant_id: Some(merchant),
            special_offer: false,
            name: "No account fee".into(),
            bank_links: "2.5%+0.30".into(),
            cards: "2.5%+0.30".into(),
            bank_links_monthly: false,
            cards_monthly: false,
            vat_percent: "20".into(),
            from: Some("2027-03-01".into()),
            until: None,
        },
    )
    .await
    .unwrap();
    let mut conn = s.db.pool.acquire().await.unwrap();
    app::server::ledger::price_lists::set_monthly(
        &mut conn,
        id,
        &app::domain::billing::MonthlyFees {
            account: app::domain::Money::ZERO,
            plugin: app::domain::Money::from_cents(733),
            logistics: app::domain::Money::from_cents(500),
        },
    )
    .await
    .unwrap();
    drop(conn);
    usage::set(s, SHOP, "2027-03", true, false).await.unwrap();
    // The job did not run on 31 March: on 2 April March's fees come first, then its VAT
    // correction.
    app.at_day("2027-04-02");
    let o = app.run_job(monthly::JOB).await;
    assert_eq!(o.failed, 0, "{o:?}");
    assert_eq!(
        charged(&app, SHOP).await,
        kinds(&[("SERVICE_FEE_PLUGIN", -733), ("VAT", -147)]),
        "the merchant's list waives the account fee and sets its own plugin fee"
    );
    assert_eq!(
        charged(&app, OTHER_SHOP).await,
        kinds(&[("SERVICE_FEE_ACCOUNT", -1_000), ("VAT", -200)]),
        "another merchant pays the standard fee"
    );
    assert_eq!(app.run_job(monthly::JOB).await.done, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'module_usage'")
            .await,
        1
    );
}
