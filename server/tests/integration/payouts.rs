//! The payout run: what is payable (bank links from the next banking day, cards from the
//! 7th) less refunds and reservations is paid as one PAYOUT movement per shop and payout
//! day, every income it covers is read as that payout's (from the ranges stored with it),
//! reruns pay nothing twice, small or
//! negative balances and shops without an account wait, and the run's SEPA credit transfer
//! file validates against pain.001.001.03.

use crate::harness::{TestApp, SHOP, SHOP_B};
use app::domain::calendar::Day;
use app::domain::fees::Channel;
use app::domain::Money;
use app::server::payouts::run::{run, MINIMUM_CENTS};

const XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/xsd/pain.001.001.03.xsd");

/// The payout of payment `t` (a row of `transactions`), as a SQL expression.
fn payout_of_t() -> String {
    format!(
        "(SELECT p.id FROM payouts p WHERE p.shop_id = t.shop_id AND {})",
        app::server::payouts::cover::covered_by("t.", "p.")
    )
}

fn validate(xml: &str) {
    crate::camt053::validate_against(XSD, xml, "pain001");
}

/// Gives the shops their payout account, as the provider does from the contract.
async fn with_accounts(app: &TestApp, shops: &[&str]) {
    for shop in shops {
        app::server::operations::operator::set_payout_account(
            &app.state,
            shop,
            "EE382200221020145685",
            "Test Merchant",
        )
        .await
        .unwrap();
    }
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

async fn net(app: &TestApp, t: i64) -> i64 {
    app.scalar(format!("SELECT net_cents FROM transactions WHERE id = {t}"))
        .await
}

async fn balance(app: &TestApp, shop_id: i64) -> i64 {
    app::server::ledger::balance(&app.state.db.pool, shop_id)
        .await
        .unwrap()
        .cents()
}

#[tokio::test]
async fn payable_money_is_paid_once_per_day_and_the_rest_waits() {
    let app = crate::app!();
    let s = &app.state;
    let shop = app.shop_id(SHOP).await;
    let shop_b = app.shop_id(SHOP_B).await;
    with_accounts(&app, &[SHOP]).await;
    // Monday 1 March 2027: a bank-link and a card payment.
    app.at_day("2027-03-01");
    let bank = app.paid_payment(5_000, Channel::Swedbank).await;
    let card = app.paid_payment(12_000, Channel::Visa).await;
    // Shop B has money but no payout account: it waits.
    app.paid_payment_in(SHOP_B, 3_000, Channel::Seb).await;

    let r = run(s, day("2027-03-01")).await.unwrap();
    assert_eq!(
        (r.paid, r.file),
        (0, None),
        "today's money is not payable today"
    );

    // Tuesday: the bank link's money is payable, the card's is held until the 7th banking
    // day (Wednesday 10 March).
    app.at_day("2027-03-02");
    let r = run(s, day("2027-03-02")).await.unwrap();
    assert_eq!(r.paid, 1);
    let (id, amount, payments, status): (i64, i64, i64, String) =
        sqlx::query_as("SELECT id, amount_cents, payments, status FROM payouts WHERE shop_id = $1")
            .bind(shop)
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    assert_eq!(
        amount,
        net(&app, bank).await,
        "the bank link's net, to the cent"
    );
    assert_eq!((payments, status.as_str()), (1, "sent"));
    assert_eq!(
        balance(&app, shop).await,
        net(&app, card).await,
        "the card's money stays"
    );
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE shop_id = {shop} AND kind = 'PAYOUT' \
             AND payout_id = {id} AND amount_cents = {}",
            -amount
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM transactions t WHERE {} = {id}",
            payout_of_t()
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM payouts WHERE shop_id = {shop_b}"
        ))
        .await,
        0,
        "no account: it waits"
    );
    let file: String = sqlx::query_scalar("SELECT file FROM payout_runs")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    validate(&file);
    assert!(file.contains(&format!("<EndToEndId>PAYOUT-{id}</EndToEndId>")));
    assert!(file.contains(&format!(
        "<InstdAmt Ccy=\"EUR\">{}</InstdAmt>",
        Money::from_cents(amount)
    )));
    assert!(file.contains("<IBAN>EE382200221020145685</IBAN>"));

    // The same day again: nothing twice.
    let r = run(s, day("2027-03-02")).await.unwrap();
    assert_eq!((r.paid, r.file), (0, None));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payouts").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payout_runs").await, 1);

    // A refund of the held card payment comes off the card's payout on 10 March.
    let by = crate::refunds::requester(&app).await;
    app::server::refunds::refund(s, shop, &by, card, Money::from_cents(2_000), None, "k1")
        .await
        .unwrap();
    app.at_day("2027-03-09");
    assert_eq!(
        run(s, day("2027-03-09")).await.unwrap().paid,
        0,
        "still held"
    );
    app.at_day("2027-03-10");
    let r = run(s, day("2027-03-10")).await.unwrap();
    assert_eq!(r.paid, 1);
    assert_eq!(r.total_cents, net(&app, card).await - 2_000);
    assert_eq!(balance(&app, shop).await, 0);

    // A balance under the minimum waits; a negative one too.
    app.at_day("2027-03-11");
    let small = app.paid_payment(100, Channel::Swedbank).await;
    assert!(net(&app, small).await < MINIMUM_CENTS);
    app.at_day("2027-03-12");
    assert_eq!(run(s, day("2027-03-12")).await.unwrap().paid, 0);
    // The provider may pay out smaller sums (PORTAL_PAYOUT_MINIMUM=0.01): then it is paid.
    let mut lower = s.clone();
    lower.payout_minimum_cents = 1;
    app.at_day("2027-03-15");
    let r = run(&lower, day("2027-03-15")).await.unwrap();
    assert_eq!((r.paid, r.total_cents), (1, net(&app, small).await));
    // Saturday is no banking day: nothing runs.
    app.at_day("2027-03-20");
    let r = run(s, day("2027-03-20")).await.unwrap();
    assert_eq!((r.paid, r.waiting), (0, 0));
}

#[tokio::test]
async fn a_weekly_shop_is_paid_on_its_weekday_only() {
    let app = crate::app!();
    let s = &app.state;
    with_accounts(&app, &[SHOP]).await;
    sqlx::query("UPDATE shops SET payout_every = 'weekly', payout_day = 5 WHERE slug = $1")
        .bind(SHOP)
        .execute(&s.db.pool)
        .await
        .unwrap();
    app.at_day("2027-03-01");
    app.paid_payment(8_000, Channel::Swedbank).await;
    for d in ["2027-03-02", "2027-03-03", "2027-03-04"] {
        app.at_day(d);
        assert_eq!(run(s, day(d)).await.unwrap().paid, 0, "{d}");
    }
    app.at_day("2027-03-05");
    assert_eq!(run(s, day("2027-03-05")).await.unwrap().paid, 1, "Friday");
}

#[tokio::test]
async fn two_instances_running_the_same_day_pay_each_shop_once() {
    let app = crate::app!();
    let other = app.second_instance().await;
    let s = &app.state;
    with_accounts(&app, &[SHOP, SHOP_B]).await;
    app.at_day("2027-03-01");
    for i in 0..10 {
        app.paid_payment_in(
            if i % 2 == 0 { SHOP } else { SHOP_B },
            4_000 + i,
            Channel::Seb,
        )
        .await;
    }
    app.at_day("2027-03-02");
    let d = day("2027-03-02");
    for _ in 0..3 {
        let (a, b) = tokio::join!(run(s, d), run(&other, d));
        a.unwrap();
        b.unwrap();
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payouts").await,
        2,
        "one per shop and day"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM movements WHERE kind = 'PAYOUT'")
            .await,
        2
    );
    // Every payout is in exactly one file, and every file's count is its payouts'.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payouts WHERE run_id IS NULL OR status <> 'sent'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT CAST(COALESCE(SUM(payouts), 0) AS BIGINT) FROM payout_runs")
            .await,
        2
    );
    for shop in [SHOP, SHOP_B] {
        let id = app.shop_id(shop).await;
        assert_eq!(
            balance(&app, id).await,
            0,
            "{shop}: everything payable was paid"
        );
    }
}

#[tokio::test]
async fn a_run_that_stops_between_its_steps_is_mended_by_the_rerun() {
    let app = crate::app!();
    let s = &app.state;
    with_accounts(&app, &[SHOP, SHOP_B]).await;
    app.at_day("2027-03-01");
    app.paid_payment_in(SHOP, 2_500, Channel::Swedbank).await;
    app.paid_payment_in(SHOP_B, 3_500, Channel::Luminor).await;
    app.at_day("2027-03-02");
    let d = day("2027-03-02");
    // The shops were paid, then the process stopped before the transfer file.
    let first = app::server::payouts::run::pay_due(s, d).await.unwrap();
    assert_eq!(first.paid, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payout_runs").await, 0);
    // The restart's run pays nobody again and puts both in one file.
    let again = run(s, d).await.unwrap();
    assert_eq!((again.paid, again.skipped), (0, 0));
    assert!(again.file.is_some());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payouts").await, 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payouts WHERE run_id IS NULL")
            .await,
        0
    );
    let file: String = sqlx::query_scalar("SELECT file FROM payout_runs")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    validate(&file);
    assert_eq!(file.matches("<CdtTrfTxInf>").count(), 2);
}

#[tokio::test]
async fn the_payout_page_explains_the_amount_to_the_cent() {
    use crate::harness::{body, Who};
    use app::model::payouts::{PayoutDetail, PayoutList};
    let app = crate::app!();
    let s = &app.state;
    let shop = app.shop_id(SHOP).await;
    with_accounts(&app, &[SHOP]).await;
    app.at_day("2027-03-01");
    app.paid_payment(5_000, Channel::Swedbank).await;
    let card = app.paid_payment(12_000, Channel::Visa).await;
    app.at_day("2027-03-02");
    run(s, day("2027-03-02")).await.unwrap();
    app.at_day("2027-03-03");
    let later = app.paid_payment(7_000, Channel::Seb).await;
    let by = crate::refunds::requester(&app).await;
    app::server::refunds::refund(s, shop, &by, card, Money::from_cents(1_000), None, "k-card")
        .await
        .unwrap();
    app.at_day("2027-03-04");
    assert_eq!(run(s, day("2027-03-04")).await.unwrap().paid, 1);

    let c = app.client_for(Who::Info).await;
    let (st, _, b) = body(app.call(&c, "list_payouts", &[("shop", SHOP)]).await).await;
    assert_eq!(st, reqwest::StatusCode::OK, "{b}");
    let list: PayoutList = serde_json::from_str(&b).unwrap();
    assert_eq!(list.rows.len(), 2);
    assert_eq!(list.rows[0].date, "2027-03-04", "newest first");
    assert_eq!(
        list.total.cents(),
        list.rows.iter().map(|r| r.amount.cents()).sum::<i64>()
    );
    assert!(list.next.is_some());

    let id = list.rows[0].id.to_string();
    let (st, _, b) = body(
        app.call(&c, "load_payout", &[("shop", SHOP), ("id", &id)])
            .await,
    )
    .await;
    assert_eq!(st, reqwest::StatusCode::OK, "{b}");
    let p: PayoutDetail = serde_json::from_str(&b).unwrap();
    let sum: i64 = p.lines.iter().map(|l| l.amount.cents()).sum();
    assert_eq!(
        sum,
        p.row.amount.cents(),
        "the lines add up to the payout: {:?}",
        p.lines
    );
    let line = |label: &str| {
        p.lines
            .iter()
            .find(|l| l.label.starts_with(label))
            .unwrap_or_else(|| panic!("{label} in {:?}", p.lines))
            .amount
            .cents()
    };
    let card_net = net(&app, card).await;
    assert_eq!(
        line("Carried from before"),
        card_net,
        "the card's money was held then"
    );
    assert_eq!(line("Payments received"), 7_000);
    assert_eq!(line("Refunds"), -1_000);
    assert!(line("Transaction fees") < 0 && line("VAT on fees") < 0);
    // The card became payable on the 10th: still held on the 4th.
    assert_eq!(line("Still held"), -card_net);
    assert_eq!(p.payments.len(), 1);
    assert_eq!(p.payments[0].0, later);
    assert_eq!(p.to, "2027-03-04");
    assert_eq!(p.from, "2027-03-02");
    let fees = p
        .lines
        .iter()
        .find(|l| l.label == "Transaction fees")
        .unwrap();
    assert!(
        fees.kinds.iter().all(|k| k.starts_with("TRX_FEE")),
        "{:?}",
        fees.kinds
    );

    // Another merchant's admin does not see it; nor does a made-up id.
    let other = app.client_for(Who::OtherAdmin).await;
    let (st, _, _) = body(
        app.call(&other, "load_payout", &[("shop", SHOP), ("id", &id)])
            .await,
    )
    .await;
    assert_eq!(st, reqwest::StatusCode::NOT_FOUND);
    let (st, _, _) = body(
        app.call(&c, "load_payout", &[("shop", SHOP), ("id", "12345")])
            .await,
    )
    .await;
    assert_eq!(st, reqwest::StatusCode::NOT_FOUND);
    // The page renders on the server.
    let (st, _, html) = body(app.page(&c, &format!("/shops/{SHOP}/payouts/{id}")).await).await;
    assert_eq!(st, reqwest::StatusCode::OK);
    assert!(html.contains("Why this amount"), "{html}");
    // The payment, its statement row, the transactions list and its files link to the
    // payout that paid it out; the card payment, still held, to none.
    let link = format!("/shops/{SHOP}/payouts/{id}");
    let (st, _, html) = body(
        app.page(&c, &format!("/shops/{SHOP}/transactions/{later}"))
            .await,
    )
    .await;
    assert_eq!(st, reqwest::StatusCode::OK);
    assert!(html.contains(&link), "{html}");
    let (_, _, html) = body(
        app.page(&c, &format!("/shops/{SHOP}/transactions/{card}"))
            .await,
    )
    .await;
    assert!(!html.contains(&format!("/shops/{SHOP}/payouts/")), "{html}");
    let (_, _, html) = body(app.page(&c, &format!("/shops/{SHOP}/transactions")).await).await;
    assert!(html.contains(&link), "{html}");
    let (_, _, html) = body(
        app.page(
            &c,
            &format!("/shops/{SHOP}/statement?period=month&month=2027-03"),
        )
        .await,
    )
    .await;
    assert_eq!(
        html.matches(&link).count(),
        2,
        "the income and the payout itself: {html}"
    );
    let (st, _, csv) = body(
        c.get(app.url(&format!("/shops/{SHOP}/exports/transactions.csv")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(st, reqwest::StatusCode::OK);
    let line = csv
        .lines()
        .find(|l| l.contains(&format!(",{later},")))
        .unwrap();
    assert!(line.ends_with(&format!(",{id}")), "{line}");
}

/// Random months of payments and refunds under random frequencies: no payout is negative
/// or on a closed day or off its schedule, no payment is paid out before it is payable or
/// twice, and the payouts plus the final balance are every other movement, to the cent.
#[tokio::test]
async fn random_months_pay_everything_once_and_only_when_payable() {
    for seed in [2027, 7, 42] {
        random_months(seed).await;
    }
}

async fn random_months(seed: u64) {
    use crate::statement::Lcg;
    use app::domain::calendar::{payable_on, Calendar};
    let app = crate::app!();
    let s = &app.state;
    let cal = Calendar::of("EE").unwrap();
    let by = crate::refunds::requester(&app).await;
    let mut rng = Lcg(seed);
    with_accounts(&app, &[SHOP, SHOP_B]).await;
    for shop in [SHOP, SHOP_B] {
        let (every, d) = match rng.next(3) {
            0 => ("daily", 0),
            1 => ("weekly", 1 + rng.next(5) as i64),
            _ => ("monthly", 1 + rng.next(31) as i64),
        };
        sqlx::query("UPDATE shops SET payout_every = $1, payout_day = $2 WHERE slug = $3")
            .bind(every)
            .bind(d)
            .bind(shop)
            .execute(&s.db.pool)
            .await
            .unwrap();
    }
    let channels = [
        Channel::Swedbank,
        Channel::Seb,
        Channel::Visa,
        Channel::Mastercard,
    ];
    let mut d = day("2027-03-01");
    app.at_day("2027-03-01");
    for _ in 0..75 {
        for shop in [SHOP, SHOP_B] {
            for _ in 0..rng.next(4) {
                let t = app
                    .paid_payment_in(
                        shop,
                        100 + rng.next(30_000) as i64,
                        channels[rng.next(4) as usize],
                    )
                    .await;
                if rng.next(5) == 0 {
                    let shop_id = app.shop_id(shop).await;
                    let part = Money::from_cents(1 + rng.next(5_000) as i64);
                    // Refused when the balance is too small: that is fine here.
                    let _ = app::server::refunds::refund(
                        s,
                        shop_id,
                        &by,
                        t,
                        part,
                        None,
                        &format!("r{t}"),
                    )
                    .await;
                }
            }
        }
        run(s, d).await.unwrap();
        d = d.plus(1);
        app.at_day(&d.to_string());
    }

    let payouts: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT p.id, p.shop_id, p.payout_date, p.amount_cents FROM payouts p ORDER BY p.payout_date",
    )
    .fetch_all(&s.db.pool)
    .await
    .unwrap();
    assert!(payouts.len() >= 10, "{} payouts", payouts.len());
    for (id, shop_id, date, cents) in &payouts {
        let pd = day(date);
        assert!(*cents > 0, "payout {id} is {cents}");
        assert!(cal.is_banking_day(pd), "payout {id} on closed {date}");
        let stored = app::server::payouts::schedule::stored(s, *shop_id)
            .await
            .unwrap();
        assert!(
            stored.pays_on(&cal, pd),
            "payout {id} on {date} is off its schedule"
        );
        // Every payment it covers was payable by then.
        let covered: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT paid_at, channel FROM transactions t WHERE {} = $1",
            payout_of_t()
        ))
        .bind(id)
        .fetch_all(&s.db.pool)
        .await
        .unwrap();
        for (paid_at, channel) in covered {
            let paid = app::server::payouts::schedule::today(paid_at, &s.time_zone);
            let card =
                Channel::parse(&channel).unwrap().group() == app::domain::fees::ChannelGroup::Cards;
            assert!(
                payable_on(&cal, paid, card) <= pd,
                "a {channel} payment of {paid} paid out on {date}"
            );
        }
    }
    // Payments are paid out at most once: no payment lies in two payouts' ranges.
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM transactions t WHERE (SELECT COUNT(*) FROM payouts p \
             WHERE p.shop_id = t.shop_id AND {}) > 1",
            app::server::payouts::cover::covered_by("t.", "p.")
        ))
        .await,
        0
    );
    for shop in [SHOP, SHOP_B] {
        let shop_id = app.shop_id(shop).await;
        let paid: i64 = app
            .scalar(format!(
                "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payouts WHERE shop_id = {shop_id}"
            ))
            .await;
        let others: i64 = app
            .scalar(format!(
                "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM movements \
                 WHERE shop_id = {shop_id} AND kind <> 'PAYOUT'"
            ))
            .await;
        assert_eq!(
            paid + balance(&app, shop_id).await,
            others,
            "seed {seed}: {shop}"
        );
    }
}

/// The run as its own process, killed while it pays (the database held still under it so
/// the kill lands mid-run), then run again: every shop is paid exactly once, every payment
/// is covered once, and the transfer file holds every payout of the day.
#[tokio::test]
async fn a_run_killed_mid_way_pays_everyone_once_when_run_again() {
    use std::process::{Command, Stdio};
    const SHOPS: usize = 120;
    let app = crate::app!();
    let s = &app.state;
    let merchant: i64 = sqlx::query_scalar("SELECT merchant_id FROM shops WHERE slug = $1")
        .bind(SHOP)
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    let mut slugs = Vec::new();
    for n in 0..SHOPS {
        let slug = format!("crash-{n:03}");
        app::server::operations::operator::create_shop(
            s,
            merchant,
            &slug,
            "Crash Shop",
            "Europe/Tallinn",
        )
        .await
        .unwrap();
        app.paid_payment_in(&slug, 1_000 + n as i64, Channel::Swedbank)
            .await;
        slugs.push(slug);
    }
    let refs: Vec<&str> = slugs.iter().map(String::as_str).collect();
    with_accounts(&app, &refs).await;
    let cal = app::server::payouts::calendar::load(s).await.unwrap();
    let today = app::server::payouts::schedule::today(s.clock.now_ms(), "Europe/Tallinn");
    let payday = app::domain::calendar::payable_on(&cal, today, false).to_string();
    let data = std::env::temp_dir().join(format!("portal-crash-{}", app::server::new_id()));
    let run_cli = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_portal"));
        c.args(["run-payouts", "--date", &payday])
            .env("PORTAL_CONFIG", "/dev/null")
            .env("PORTAL_DATABASE_URL", &s.db.url)
            .env("PORTAL_DATA_DIR", &data)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let paid = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM payouts")
            .fetch_one(&s.db.pool)
            .await
            .unwrap()
    };

    let mut child = run_cli().spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while paid().await == 0 {
        assert!(std::time::Instant::now() < deadline, "the run paid nobody");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    // Hold the ledger still: the run waits for its next write; then kill it there.
    let mut hold = s.db.begin_write().await.unwrap();
    if app.state.db.kind == app::server::infra::db::DbKind::Postgres {
        sqlx::query("LOCK TABLE shop_balances IN EXCLUSIVE MODE")
            .execute(&mut *hold)
            .await
            .unwrap();
    }
    let at_kill: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payouts")
        .fetch_one(&mut *hold)
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    hold.rollback().await.unwrap();
    assert!(
        at_kill >= 1 && (at_kill as usize) < SHOPS,
        "killed mid-run: {at_kill} of {SHOPS} shops paid"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payouts WHERE run_id IS NOT NULL")
            .await,
        0,
        "killed before the transfer file"
    );

    let out = run_cli().output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("{} paid", SHOPS as i64 - at_kill)),
        "the rest, and only the rest: {text}"
    );
    assert!(text.contains("transfer file"), "{text}");
    // Each crash shop once, for exactly its payment's net; every payment covered once.
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM payouts p JOIN shops s ON s.id = p.shop_id \
             WHERE s.slug LIKE 'crash-%'"
        )
        .await,
        SHOPS as i64
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM payouts p JOIN transactions t ON t.shop_id = p.shop_id \
                 AND {} WHERE p.amount_cents = t.net_cents AND p.payments = 1",
            app::server::payouts::cover::covered_by("t.", "p.")
        ))
        .await,
        SHOPS as i64
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM transactions t JOIN shops s ON s.id = t.shop_id \
                 WHERE s.slug LIKE 'crash-%' AND {} IS NULL",
            payout_of_t()
        ))
        .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM movements WHERE kind = 'PAYOUT'")
            .await,
        SHOPS as i64
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payouts WHERE run_id IS NULL")
            .await,
        0,
        "every payout in a transfer file"
    );
    let out = run_cli().output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains(": 0 paid"), "a third run pays nobody: {text}");
    let _ = std::fs::remove_dir_all(&data);
}
