//! Approved payments post INCOME, fees and VAT exactly once; the ledger always adds up.

use crate::app;
use crate::harness::{TestApp, SHOP};
use app::domain::fees::{Channel, FeeRule, PriceList};
use app::domain::Money;
use app::server::ledger::price_lists::{self, ListKind};
use app::server::payments::transactions::{self, Approval};
use rust_decimal::Decimal;

async fn shop_id(app: &TestApp) -> i64 {
    app.shop_id(SHOP).await
}

async fn payment(app: &TestApp, cents: i64, channel: Channel, test_mode: bool) -> i64 {
    app.new_payment(cents, channel, test_mode).await
}

async fn movements(app: &TestApp, transaction_id: i64) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT kind, amount_cents FROM movements WHERE transaction_id = $1 ORDER BY seq",
    )
    .bind(transaction_id)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

/// Balance = sum of movements, and each movement's balance-after follows from the one before.
pub async fn assert_ledger_adds_up(app: &TestApp) {
    let shops: Vec<(i64, i64)> = sqlx::query_as("SELECT shop_id, balance_cents FROM shop_balances")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    for (shop, balance) in shops {
        let rows: Vec<(i64, i64, i64)> =
            sqlx::query_as("SELECT seq, amount_cents, balance_after_cents FROM movements WHERE shop_id = $1 ORDER BY seq")
                .bind(shop)
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
        let mut running = 0;
        for (i, (seq, amount, after)) in rows.iter().enumerate() {
            assert_eq!(*seq, i as i64 + 1, "movements are numbered without gaps");
            running += amount;
            assert_eq!(running, *after, "balance after movement {seq}");
        }
        assert_eq!(
            running, balance,
            "balance of shop {shop} is the sum of its movements"
        );
    }
}

#[tokio::test]
async fn approved_payments_post_income_fees_and_vat() {
    let app = app!();
    let t = payment(&app, 5000, Channel::Lhv, false).await;
    let r = transactions::approve(&app.state, t).await.unwrap();
    assert_eq!(
        r,
        Approval::Approved {
            balance: Money::from_cents(4814)
        }
    );
    assert_eq!(
        movements(&app, t).await,
        vec![
            ("INCOME".into(), 5000),
            ("TRX_FEE".into(), -125),
            ("VAT".into(), -25),
            ("TRX_FEE_FIX".into(), -30),
            ("VAT".into(), -6)
        ]
    );
    let t2 = payment(&app, 1000, Channel::Visa, false).await;
    let r = transactions::approve(&app.state, t2).await.unwrap();
    assert_eq!(
        r,
        Approval::Approved {
            balance: Money::from_cents(4814 + 934)
        }
    );
    let (fee, vat): (i64, i64) =
        sqlx::query_as("SELECT fee_cents, vat_cents FROM transactions WHERE id = $1")
            .bind(t2)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((fee, vat), (55, 11));
    assert_ledger_adds_up(&app).await;
}

#[tokio::test]
async fn test_mode_payments_cost_no_fees_and_closed_payments_cannot_be_approved() {
    let app = app!();
    let t = payment(&app, 5000, Channel::Visa, true).await;
    transactions::approve(&app.state, t).await.unwrap();
    // A test payment never reaches the ledger: no income, no fees, no balance.
    assert!(movements(&app, t).await.is_empty());
    let c = payment(&app, 700, Channel::Seb, false).await;
    sqlx::query("UPDATE transactions SET status = 'cancelled' WHERE id = $1")
        .bind(c)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let e = transactions::approve(&app.state, c).await.unwrap_err();
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert!(movements(&app, c).await.is_empty());
    assert_ledger_adds_up(&app).await;
}

#[tokio::test]
async fn twenty_concurrent_confirmations_post_once() {
    let app = app!();
    let t = payment(&app, 5000, Channel::Swedbank, false).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            transactions::approve(&state, t).await
        }));
    }
    let mut approved = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Approval::Approved { .. } => approved += 1,
            Approval::AlreadyApproved => {}
        }
    }
    assert_eq!(approved, 1);
    assert_eq!(movements(&app, t).await.len(), 5);
    assert_eq!(
        app.scalar("SELECT balance_cents FROM shop_balances").await,
        4814
    );
    assert_ledger_adds_up(&app).await;
}

#[tokio::test]
async fn a_special_offer_reverts_to_the_negotiated_list_when_it_ends() {
    let app = app!();
    let merchant = app
        .scalar(&format!(
            "SELECT merchant_id FROM shops WHERE slug = '{SHOP}'"
        ))
        .await;
    let now = app.state.clock.now_ms();
    let rule = |pct: i64, fixed: i64| FeeRule {
        percent: Decimal::new(pct, 1),
        fixed: Money::from_cents(fixed),
        minimum: None,
        billing: app::domain::fees::Billing::Deducted,
    };
    let negotiated = PriceList {
        bank_links: rule(15, 20),
        cards: rule(20, 25),
        vat_percent: Decimal::from(20),
    };
    let offer = PriceList {
        bank_links: rule(0, 10),
        cards: rule(0, 10),
        vat_percent: Decimal::from(20),
    };
    let day = 24 * 60 * 60 * 1000;
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    price_lists::add(
        &mut conn,
        ListKind::Negotiated {
            merchant_id: merchant,
        },
        "Negotiated 2026",
        &negotiated,
        now - day,
        now,
    )
    .await
    .unwrap();
    price_lists::add(
        &mut conn,
        ListKind::SpecialOffer {
            merchant_id: merchant,
            valid_until: now + day,
        },
        "Black Friday",
        &offer,
        now,
        now,
    )
    .await
    .unwrap();
    drop(conn);
    assert_eq!(fee_of_100_eur(&app).await, 10, "special offer: 0 % + 0.10");
    app.advance_minutes(24 * 60);
    assert_eq!(
        fee_of_100_eur(&app).await,
        170,
        "back to negotiated: 1.5 % of 100 + 0.20"
    );
    assert_ledger_adds_up(&app).await;
}

async fn fee_of_100_eur(app: &TestApp) -> i64 {
    let t = payment(app, 10000, Channel::Lhv, false).await;
    transactions::approve(&app.state, t).await.unwrap();
    app.scalar(&format!(
        "SELECT fee_cents FROM transactions WHERE id = {t}"
    ))
    .await
}

#[tokio::test]
#[should_panic(expected = "the ledger does not add up")]
async fn the_suite_notices_a_ledger_that_does_not_add_up() {
    let Some(app) = TestApp::spawn().await else {
        panic!("the ledger does not add up (skipped: no PostgreSQL)");
    };
    let t = payment(&app, 5000, Channel::Lhv, false).await;
    transactions::approve(&app.state, t).await.unwrap();
    sqlx::query("UPDATE shop_balances SET balance_cents = balance_cents + 1")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    // Dropping the app at the end of the test runs the check.
}

#[tokio::test]
async fn demo_shops_get_ninety_days_of_payments_through_the_real_service() {
    let app = app!();
    let link = app::server::operations::operator::demo(&app.state)
        .await
        .unwrap();
    let page = app
        .page(
            &crate::harness::TestApp::client(),
            link.strip_prefix(&app.base).unwrap(),
        )
        .await;
    assert_eq!(
        page.status(),
        reqwest::StatusCode::OK,
        "the demo payment link opens"
    );
    let per_status: Vec<(String, i64)> = sqlx::query_as(
        "SELECT t.status, COUNT(*) FROM transactions t JOIN shops s ON s.id = t.shop_id \
         WHERE s.slug = 'demo-store' GROUP BY t.status ORDER BY t.status",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let count = |s: &str| {
        per_status
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert!(count("approved") > 300, "{per_status:?}");
    assert!(
        count("cancelled") > 10 && count("expired") > 5,
        "{per_status:?}"
    );
    let (first, last): (i64, i64) = sqlx::query_as(
        "SELECT MIN(t.created_at), MAX(t.created_at) FROM transactions t JOIN shops s ON s.id = t.shop_id WHERE s.slug = 'demo-store'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let days = (last - first) / (24 * 60 * 60 * 1000);
    assert!((85..=90).contains(&days), "{days} days");
    // Finnish bank links and fraud-signal cases are there.
    assert!(app.scalar("SELECT COUNT(*) FROM transactions WHERE channel IN ('nordea', 'pohjola', 'danske', 'aktia', 'saastopankki')").await > 0);
    assert!(app.scalar("SELECT COUNT(*) FROM transactions WHERE buyer_ip = '203.0.113.77' AND status = 'cancelled'").await >= 3);
    // Each approved payment's net is in the balance: gross − fees − VAT, summed, less the
    // billing job's charges (last month's and, on a last day, this month's fees).
    let shop = app
        .scalar("SELECT id FROM shops WHERE slug = 'demo-store'")
        .await;
    let paid = app
        .scalar(&format!("SELECT CAST(SUM(amount_cents - fee_cents - vat_cents) AS BIGINT) FROM transactions WHERE shop_id = {shop} AND status = 'approved'"))
        .await;
    let charged = app
        .scalar(&format!("SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM movements WHERE shop_id = {shop} AND charge_id IS NOT NULL"))
        .await;
    let net = paid + charged;
    assert!(charged < 0, "last month's fees were charged");
    // Last month's invoice is issued, so the billing page has one to show.
    let last_month =
        app::server::payouts::schedule::today(app.state.clock.now_ms(), "Europe/Tallinn")
            .first_of_month()
            .plus(-1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM invoices WHERE shop_id = {shop} AND month = '{}'",
            &last_month.to_string()[..7]
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await,
        net
    );
    // Running it again adds nothing.
    let before = app.scalar("SELECT COUNT(*) FROM transactions").await;
    let again = app::server::operations::operator::demo(&app.state)
        .await
        .unwrap();
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM transactions").await,
        before
    );
    assert_eq!(again, link, "the same demo payment link");
}

#[tokio::test]
async fn bulk_generation_makes_the_same_rows_and_movements_as_the_service() {
    use app::server::{operations::demo_payments, operations::generate};
    let app = app!();
    let now = app.state.clock.now_ms();
    let merchant = app
        .scalar(&format!(
            "SELECT merchant_id FROM shops WHERE slug = '{SHOP}'"
        ))
        .await;
    let day = 24 * 60 * 60 * 1000;
    let mut offer = PriceList::standard();
    offer.cards.percent = Decimal::ZERO;
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let until = ListKind::SpecialOffer {
        merchant_id: merchant,
        valid_until: now - 100 * day,
    };
    price_lists::add(
        &mut conn,
        until,
        "Spring offer",
        &offer,
        now - 200 * day,
        now,
    )
    .await
    .unwrap();
    drop(conn);
    let plan = demo_payments::bulk_plan(7, 900, now);
    let shop_a = shop_id(&app).await;
    let shop_b = app
        .scalar("SELECT id FROM shops WHERE slug = 'shop-b'")
        .await;
    generate::bulk_insert(&app.state, shop_a, plan.clone())
        .await
        .unwrap();
    demo_payments::post_via_service(&app.state, shop_b, plan)
        .await
        .unwrap();
    type Row = (
        String,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        i64,
        i64,
        i64,
        i64,
        Option<i64>,
    );
    let rows = |shop: i64| {
        let pool = app.state.db.pool.clone();
        async move {
            sqlx::query_as::<_, Row>(
                "SELECT reference, amount_cents, channel, status, buyer_name, buyer_country, price_list_id, fee_cents, \
                 vat_cents, net_cents, created_at, paid_at FROM transactions WHERE shop_id = $1 ORDER BY reference",
            )
            .bind(shop)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let (a, b) = (rows(shop_a).await, rows(shop_b).await);
    assert_eq!(a.len(), 900);
    assert_eq!(a, b);
    let closed = |shop: i64| {
        let pool = app.state.db.pool.clone();
        async move {
            sqlx::query_as::<_, (String, Option<i64>)>(
                "SELECT reference, closed_at FROM transactions WHERE shop_id = $1 ORDER BY reference",
            )
            .bind(shop)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let (ca, cb) = (closed(shop_a).await, closed(shop_b).await);
    assert_eq!(ca, cb);
    assert!(ca.iter().any(|r| r.1.is_some()), "some payments closed");
    assert!(
        a.iter().any(|r| r.6.is_some()) && a.iter().any(|r| r.6.is_none()),
        "both lists were used"
    );
    type M = (i64, String, i64, i64, i64, String);
    let moves = |shop: i64| {
        let pool = app.state.db.pool.clone();
        async move {
            sqlx::query_as::<_, M>(
                "SELECT m.seq, m.kind, m.amount_cents, m.balance_after_cents, m.at, t.reference FROM movements m \
                 JOIN transactions t ON t.id = m.transaction_id WHERE m.shop_id = $1 ORDER BY m.seq",
            )
            .bind(shop)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let (ma, mb) = (moves(shop_a).await, moves(shop_b).await);
    assert!(ma.len() > 3000);
    assert_eq!(ma, mb);
    let balance_sql =
        |shop: i64| format!("SELECT balance_cents FROM shop_balances WHERE shop_id = {shop}");
    assert_eq!(
        app.scalar(&balance_sql(shop_a)).await,
        app.scalar(&balance_sql(shop_b)).await
    );
}
