//! The account statement over HTTP: balances that chain from period to period, pages both
//! ways, filters, totals, and messages for wrong fields.

use crate::harness::{body, TestApp, Who, SHOP};
use crate::refunds::requester;
use app::api::statement::{StatementPage, StatementTotals};
use app::domain::fees::Channel;
use app::domain::Money;
use app::server::refunds;
use reqwest::{Client, StatusCode};

pub(crate) const DAY_MS: i64 = 86_400_000;

/// A small deterministic random source (the same ledger on both databases).
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Calls a statement server function with the shop and the filter's fields.
async fn call<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> T {
    let mut f: Vec<(String, String)> = vec![("shop".into(), SHOP.into())];
    for (k, v) in form {
        f.push((format!("filter[{k}]"), v.to_string()));
    }
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _, b) = body(app.call(c, endpoint, &f).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

pub(crate) async fn statement(app: &TestApp, c: &Client, form: &[(&str, &str)]) -> StatementPage {
    call(app, c, "load_statement", form).await
}

pub(crate) async fn totals(app: &TestApp, c: &Client, form: &[(&str, &str)]) -> StatementTotals {
    call(app, c, "statement_totals", form).await
}

/// Every page of a period, following the "later" links; checks each row's balance chain.
pub(crate) async fn walk(
    app: &TestApp,
    c: &Client,
    form: &[(&str, &str)],
) -> (StatementPage, Vec<app::api::statement::StatementRow>) {
    let first = statement(app, c, form).await;
    let mut rows = first.rows.clone();
    let mut next = first.next.clone();
    while let Some(cursor) = next {
        let mut f = form.to_vec();
        f.push(("after", &cursor));
        let p = statement(app, c, &f).await;
        assert!(p.prev.is_some(), "a later page links back");
        rows.extend(p.rows.clone());
        next = p.next.clone();
    }
    (first, rows)
}

pub(crate) fn month_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Tallinn").unwrap())
        .strftime("%Y-%m")
        .to_string()
}

#[tokio::test]
async fn balances_chain_from_month_to_month_and_add_up_in_every_view() {
    let app = crate::app!();
    let by = requester(&app).await;
    let shop_id = app.shop_id(SHOP).await;
    let mut rng = Lcg(7);
    let start = app.state.clock.now_ms();
    let mut months = vec![month_of(start)];
    // About three months of payments and refunds, a few each day or two.
    for _ in 0..40 {
        for _ in 0..rng.next(4) {
            let cents = 100 + rng.next(20_000) as i64;
            let channel = [Channel::Swedbank, Channel::Visa, Channel::Seb][rng.next(3) as usize];
            let t = app.paid_payment(cents, channel).await;
            if rng.next(4) == 0 {
                let part = Money::from_cents(1 + rng.next(cents as u64 / 2) as i64);
                refunds::refund(&app.state, shop_id, &by, t, part, None, &format!("k{t}"))
                    .await
                    .unwrap();
            }
        }
        app.state
            .clock
            .advance_ms(DAY_MS + rng.next(DAY_MS as u64) as i64);
        let m = month_of(app.state.clock.now_ms());
        if months.last() != Some(&m) {
            months.push(m);
        }
    }
    // Signed in now: the months above outlast any session.
    let c = app.client_for(Who::Info).await;
    let movements = app.scalar("SELECT COUNT(*) FROM movements").await;
    assert!(movements > 100, "{movements} movements");
    let mut expected_opening = 0;
    let mut seen = 0;
    for m in &months {
        let form = [("period", "month"), ("month", m.as_str())];
        let (first, rows) = walk(&app, &c, &form).await;
        assert_eq!(
            first.opening.cents(),
            expected_opening,
            "{m} opens where the last closed"
        );
        let credits: i64 = rows
            .iter()
            .filter_map(|r| r.credit)
            .map(|m| m.cents())
            .sum();
        let debits: i64 = rows.iter().filter_map(|r| r.debit).map(|m| m.cents()).sum();
        assert_eq!(
            first.opening.cents() + credits - debits,
            first.closing.cents(),
            "{m}: opening + credits − debits = closing"
        );
        let mut balance = first.opening.cents();
        for r in &rows {
            balance += r.credit.map_or(0, |m| m.cents()) - r.debit.map_or(0, |m| m.cents());
            assert_eq!(r.balance_after.cents(), balance, "{m}: row {}", r.seq);
        }
        assert!(
            rows.windows(2).all(|w| w[0].seq < w[1].seq),
            "posting order"
        );
        let t = totals(&app, &c, &form).await;
        assert_eq!(
            (t.entries, t.credit.cents(), t.debit.cents()),
            (rows.len() as i64, credits, debits),
            "{m}: the totals are the rows'"
        );
        assert_eq!(t.kinds.iter().map(|k| k.entries).sum::<i64>(), t.entries);
        expected_opening = first.closing.cents();
        seen += rows.len() as i64;
    }
    assert_eq!(seen, movements, "every movement is in exactly one month");
    let balance = app
        .scalar(format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {shop_id}"
        ))
        .await;
    assert_eq!(
        expected_opening, balance,
        "the last month closes at the balance"
    );

    // Backwards from the last page gives the same rows.
    let form = [("period", "month"), ("month", months[0].as_str())];
    let (_, forward) = walk(&app, &c, &form).await;
    if forward.len() > 50 {
        let last_seq = (forward.last().unwrap().seq + 1).to_string();
        let mut back = Vec::new();
        let mut before = Some(last_seq);
        while let Some(cursor) = before {
            let mut f = form.to_vec();
            f.push(("before", &cursor));
            let p = statement(&app, &c, &f).await;
            let mut rows = p.rows.clone();
            rows.extend(back);
            back = rows;
            before = p.prev.clone();
        }
        assert_eq!(
            back.iter().map(|r| r.seq).collect::<Vec<_>>(),
            forward.iter().map(|r| r.seq).collect::<Vec<_>>()
        );
    }

    // A type and a search narrow the rows; the balances stay the period's.
    let (_, income) = walk(
        &app,
        &c,
        &[
            ("period", "month"),
            ("month", months[0].as_str()),
            ("kind", "INCOME"),
        ],
    )
    .await;
    assert!(!income.is_empty() && income.iter().all(|r| r.kind == "INCOME"));
    let one = income[0].reference.clone().unwrap();
    let (p, rows) = walk(
        &app,
        &c,
        &[
            ("period", "month"),
            ("month", months[0].as_str()),
            ("q", &one),
        ],
    )
    .await;
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r.reference.as_deref() == Some(one.as_str())));
    assert_eq!(p.opening.cents(), 0);
}

#[tokio::test]
async fn an_empty_period_says_so_with_equal_balances() {
    let app = crate::app!();
    app.paid_payment(5_000, Channel::Swedbank).await;
    let balance = app
        .scalar(format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {}",
            app.shop_id(SHOP).await
        ))
        .await;
    let c = app.client_for(Who::Admin).await;
    for form in [
        vec![("period", "month"), ("month", "2099-01")],
        vec![("period", "month"), ("month", "2001-01")],
    ] {
        let p = statement(&app, &c, &form).await;
        assert!(p.empty && p.rows.is_empty());
        assert_eq!(p.opening, p.closing);
    }
    let p = statement(&app, &c, &[("period", "month"), ("month", "2099-01")]).await;
    assert_eq!(p.closing.cents(), balance);
    assert_eq!(p.period, "January 2099");
    let (_, _, html) = body(
        app.page(&c, "/shops/shop-a/statement?period=month&month=2099-01")
            .await,
    )
    .await;
    assert!(html.contains("No movements in January 2099"), "{html}");
    assert!(html.contains("Opening balance") && html.contains("Closing balance"));
}

#[tokio::test]
async fn wrong_fields_are_named_and_the_page_renders_on_the_server() {
    let app = crate::app!();
    let t = app.paid_payment(12_345, Channel::Visa).await;
    let c = app.client_for(Who::Info).await;
    let (s, _, b) = body(
        app.call(
            &c,
            "load_statement",
            &[
                ("shop", SHOP),
                ("filter[period]", "custom"),
                ("filter[from]", "2026-02-30"),
                ("filter[to]", "yesterday"),
                ("filter[kind]", "BONUS"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for field in ["from", "to", "kind"] {
        assert!(b.contains(&format!("\"{field}\"")), "{field}: {b}");
    }
    // This month's page, rendered whole on the server: balances, the payment, its link.
    let (s, _, html) = body(app.page(&c, "/shops/shop-a/statement").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Account statement"));
    assert!(html.contains("INCOME") && html.contains("TRX_FEE"));
    assert!(html.contains(&format!("/shops/shop-a/transactions/{t}")));
    assert!(
        html.contains("123.45"),
        "the income, written for the reader"
    );
}

#[tokio::test]
async fn totals_of_a_long_period_add_whole_blocks_and_the_partial_ends() {
    let app = crate::app!();
    // About 5,000 movements over a year: a long period spans whole blocks of 1,024
    // postings, whose totals come from their table, and two partial ends.
    let now = app.state.clock.now_ms();
    app::server::operations::generate::bulk_insert(
        &app.state,
        app.shop_id(SHOP).await,
        app::server::operations::demo_payments::bulk_plan(11, 1_200, now),
    )
    .await
    .unwrap();
    let c = app.client_for(Who::Info).await;
    let today = jiff::Timestamp::from_millisecond(now)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Tallinn").unwrap())
        .date();
    let from = today
        .checked_sub(jiff::Span::new().days(300))
        .unwrap()
        .to_string();
    let to = today.to_string();
    for kind in ["", "INCOME", "TRX_FEE"] {
        let form = [
            ("period", "custom"),
            ("from", from.as_str()),
            ("to", to.as_str()),
            ("kind", kind),
        ];
        let (_, rows) = walk(&app, &c, &form).await;
        // Every type's rows come from more than two blocks of postings.
        assert!(rows.len() > 500, "{kind:?}: {} rows", rows.len());
        let t = totals(&app, &c, &form).await;
        let credits: i64 = rows
            .iter()
            .filter_map(|r| r.credit)
            .map(|m| m.cents())
            .sum();
        let debits: i64 = rows.iter().filter_map(|r| r.debit).map(|m| m.cents()).sum();
        assert_eq!(
            (t.entries, t.credit.cents(), t.debit.cents()),
            (rows.len() as i64, credits, debits),
            "type {kind:?}"
        );
    }
}
