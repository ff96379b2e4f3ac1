//! The billing job: the month's fees on its last day (account fee when cards or foreign bank
//! links were active, plugin and logistics fees for the modules used), each with its VAT,
//! from the price list in force; the VAT correction on the 1st, explained on the statement;
//! each posted once however often and on however many instances the job runs; a missed
//! last day caught up; the balance may go negative and payouts then wait.

use crate::harness::{body, TestApp, Who, OTHER_SHOP, SHOP, SHOP_B};
use app::domain::fees::Channel;
use app::server::billing::{invoices, monthly, usage};
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

    // After the correction, March's invoices: one per shop, numbered in the series, each
    // the month's fee and VAT movements (the correction's VAT included) to the cent.
    let a = app.shop_id(SHOP).await;
    let list = invoices::list(s, a).await.unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let inv = &list[0];
    assert_eq!(
        (
            inv.kind.as_str(),
            inv.month.as_str(),
            inv.issued_on.as_str()
        ),
        ("invoice", "2027-03", "2027-04-01")
    );
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM invoices ORDER BY number")
        .fetch_all(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(numbers, ["2027-000001", "2027-000002", "2027-000003"]);
    let march_fees = fee_sum(
        &app,
        SHOP,
        "'TRX_FEE', 'TRX_FEE_FIX', 'TRX_FEE_MIN', 'SERVICE_FEE_ACCOUNT', \
         'SERVICE_FEE_PLUGIN', 'SERVICE_FEE_LOGISTICS'",
    )
    .await;
    let march_vat = fee_sum(&app, SHOP, "'VAT'").await;
    assert_eq!(inv.net_cents, march_fees);
    assert_eq!(
        inv.vat_cents,
        march_vat + want,
        "the VAT entries and their correction"
    );
    assert_eq!(inv.net_cents + inv.vat_cents, inv.total_cents());
    assert_eq!(
        inv.lines.iter().map(|l| l.net_cents).sum::<i64>(),
        inv.net_cents
    );
    assert_eq!(
        inv.lines.iter().map(|l| l.vat_cents).sum::<i64>(),
        inv.vat_cents
    );
    let plugin = inv
        .lines
        .iter()
        .find(|l| l.kind == "SERVICE_FEE_PLUGIN")
        .unwrap();
    assert_eq!((plugin.quantity, plugin.net_cents), (1, 1_000));
    // 20 % rounded once on the whole: the VAT the month ends with.
    assert_eq!(inv.vat_cents, (march_fees * 20 + 50).div_euclid(100));
    assert_eq!(app.run_job(monthly::JOB).await.done, 0, "issued once");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invoices").await, 3);

    // A mistake is corrected by a credit note with the next number, once; the invoice
    // itself stays as issued.
    let note = invoices::credit(
        s,
        a,
        inv.id,
        "Plugin fee charged in error",
        "Europe/Tallinn",
    )
    .await
    .unwrap();
    assert_eq!(note.number, "2027-000004");
    assert_eq!(
        (note.net_cents, note.vat_cents),
        (-inv.net_cents, -inv.vat_cents)
    );
    assert_eq!(note.corrects, Some(inv.id));
    let again = invoices::credit(s, a, inv.id, "again", "Europe/Tallinn").await;
    assert!(
        format!("{again:?}").contains("credited already, by credit note 2027-000004"),
        "{again:?}"
    );
    let of_note = invoices::credit(s, a, note.id, "again", "Europe/Tallinn").await;
    assert!(
        format!("{of_note:?}").contains("not corrected by another credit note"),
        "{of_note:?}"
    );
    let blank = invoices::credit(s, a, inv.id, "  ", "Europe/Tallinn").await;
    assert!(format!("{blank:?}").contains("reason"), "{blank:?}");
    // Another shop's invoice is not this shop's to credit.
    let b_inv = invoices::list(s, b).await.unwrap()[0].id;
    assert!(matches!(
        invoices::credit(s, a, b_inv, "wrong shop", "Europe/Tallinn").await,
        Err(app::error::AppError::NotFound)
    ));
    let after = invoices::list(s, a).await.unwrap();
    assert_eq!(after.len(), 2);
    assert!(after.contains(inv), "the invoice is unchanged");

    // The invoice and the credit note as PDFs, for every role of the shop; the merchant's
    // details as the operator set them.
    app::server::billing::details::set(s, SHOP, "Ķeguma iela 5; LV-1050 Rīga", "lv 4000 0000 001")
        .await
        .unwrap();
    let bad = app::server::billing::details::set(s, SHOP, "", "12345").await;
    assert!(format!("{bad:?}").contains("not a VAT number"), "{bad:?}");
    for (id, words) in [
        (
            inv.id,
            vec![
                format!("Invoice {}", inv.number),
                "Already deducted from your balance".into(),
            ],
        ),
        (
            note.id,
            vec![
                format!("Credit note {}", note.number),
                format!(
                    "Corrects invoice {}: Plugin fee charged in error",
                    inv.number
                ),
            ],
        ),
    ] {
        let r = info
            .get(app.url(&format!("/shops/{SHOP}/exports/invoice-{id}.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let bytes = r.bytes().await.unwrap();
        let text = pdf_text(&bytes);
        for w in words.iter().map(String::as_str).chain([
            "Ķeguma iela 5",
            "LV-1050 Rīga",
            "VAT number LV40000000001",
            "March 2027",
        ]) {
            assert!(text.contains(w), "{w:?} in {text}");
        }
    }
    let other = app.client_for(Who::OtherAdmin).await;
    let r = other
        .get(app.url(&format!("/shops/{SHOP}/exports/invoice-{}.pdf", inv.id)))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let r = info
        .get(app.url(&format!("/shops/{SHOP}/exports/invoice-{b_inv}.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        reqwest::StatusCode::NOT_FOUND,
        "shop B's invoice is not shop A's"
    );
}

/// A PDF's text, by poppler's `pdftotext` (the setup installs it).
fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("portal-test-{}.pdf", app::server::new_id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by .ci/setup)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The shop's March movements of `kinds`, as a positive sum.
async fn fee_sum(app: &TestApp, shop: &str, kinds: &str) -> i64 {
    let from = "2027-03-01T00:00:00+02:00"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    let to = "2027-04-01T00:00:00+03:00"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    app.scalar(format!(
        "SELECT CAST(COALESCE(-SUM(m.amount_cents), 0) AS BIGINT) FROM movements m JOIN shops s \
         ON s.id = m.shop_id WHERE s.slug = '{shop}' AND m.kind IN ({kinds}) AND m.at >= {from} AND m.at < {to}"
    ))
    .await
}

/// Invoices issued at the same time for many shops take every number of the series once,
/// with no gap, whichever transaction commits first.
#[tokio::test]
async fn invoice_numbers_have_no_gaps_when_many_are_issued_at_once() {
    let Some(app) = spawn_on("2027-03-01").await else {
        return;
    };
    let s = &app.state;
    let merchant = app.merchant_of(SHOP).await;
    for n in 0..17 {
        app::server::operations::operator::create_shop(
            s,
            merchant,
            &format!("many-{n:02}"),
            &format!("Many {n}"),
            "Europe/Tallinn",
        )
        .await
        .unwrap();
    }
    // 31 March: every shop offers cards, so each pays the account fee.
    app.at_day("2027-03-31");
    assert_eq!(app.run_job(monthly::JOB).await.failed, 0);
    app.at_day("2027-04-01");
    let shops: Vec<(i64, i64)> = sqlx::query_as("SELECT id, merchant_id FROM shops ORDER BY id")
        .fetch_all(&s.db.pool)
        .await
        .unwrap();
    let march = app::domain::calendar::Day::parse("2027-03-01").unwrap();
    for (shop, merchant) in &shops {
        monthly::post_vat_correction(s, *shop, *merchant, "Europe/Tallinn", march)
            .await
            .unwrap();
    }
    let tasks: Vec<_> = shops
        .iter()
        .map(|&(shop, merchant)| {
            let st = s.clone();
            tokio::spawn(async move {
                invoices::issue_month(&st, shop, merchant, "Europe/Tallinn", march).await
            })
        })
        .collect();
    let mut issued = Vec::new();
    for t in tasks {
        issued.push(t.await.unwrap());
    }
    let mut numbers: Vec<String> = issued
        .into_iter()
        .map(|r| r.unwrap().unwrap().unwrap().number)
        .collect();
    numbers.sort();
    let want: Vec<String> = (1..=shops.len() as i64)
        .map(|n| app::domain::billing::invoice_number(2027, n))
        .collect();
    assert_eq!(numbers, want);
    // A second round (another instance) issues nothing and takes no number.
    let second = app.second_instance().await;
    assert_eq!(monthly::run_due(&second).await.unwrap().failed, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invoices").await,
        shops.len() as i64
    );
    assert_eq!(
        app.scalar("SELECT last_number FROM invoice_series WHERE year = 2027")
            .await,
        shops.len() as i64
    );
    // Each invoice is its shop's fee and VAT to the cent.
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM invoices i WHERE i.net_cents + i.vat_cents <> \
             (SELECT -SUM(m.amount_cents) FROM movements m JOIN charges c ON c.id = m.charge_id \
              WHERE c.shop_id = i.shop_id AND c.month = i.month)"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_missed_last_day_is_caught_up_and_a_negotiated_list_waives_the_account_fee() {
    let Some(app) = spawn_on("2027-02-26").await else {
        return;
    };
    let s = &app.state;
    let merchant = app.merchant_of(SHOP).await;
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

/// The names of a ZIP's files.
fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

/// A price list that bills bank-link fees monthly: payments post only their income; on the
/// next month's first banking day one charge per fee type for the month's volume, with its
/// VAT, once; the invoice of the month they are deducted in lists them apart. Invoices are
/// e-mailed with their PDF when issued, an admin sends one again (audited), the billing
/// page shows it all, and the month-close pack carries the month's invoice.
#[tokio::test]
async fn bank_link_fees_billed_monthly_and_invoices_mailed_with_their_pdf() {
    let Some(app) = spawn_on("2027-03-30").await else {
        return;
    };
    let s = &app.state;
    let merchant = app.merchant_of(SHOP).await;
    app::server::operations::operator::set_price_list(
        s,
        app::server::operations::operator::PriceListSpec {
            merchant_id: Some(merchant),
            special_offer: false,
            name: "Bank links monthly".into(),
            bank_links: "2.5%+0.30".into(),
            cards: "2.5%+0.30".into(),
            bank_links_monthly: true,
            cards_monthly: false,
            vat_percent: "20".into(),
            from: Some("2027-03-30".into()),
            until: None,
        },
    )
    .await
    .unwrap();
    use app::server::operations::operator::{set_shop_mail, ShopMail};
    set_shop_mail(s, SHOP, ShopMail::Invoices, Some("accounts@shop-a.example"))
        .await
        .unwrap();
    let bad = set_shop_mail(s, SHOP, ShopMail::Invoices, Some("not an address")).await;
    assert!(format!("{bad:?}").contains("email"), "{bad:?}");

    app.at_day("2027-04-06");
    let mut bank = Vec::new();
    for _ in 0..3 {
        bank.push(app.paid_payment(1_000, Channel::Swedbank).await);
    }
    app.paid_payment(5_000, Channel::Visa).await;
    // A bank-link payment adds its whole amount now and posts nothing else.
    let posted = app
        .scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE transaction_id = {}",
            bank[0]
        ))
        .await;
    assert_eq!(posted, 1, "only INCOME");
    let net = app
        .scalar(format!(
            "SELECT net_cents FROM transactions WHERE id = {}",
            bank[0]
        ))
        .await;
    assert_eq!(net, 1_000);

    let volume = || async {
        app.scalar(
            "SELECT COUNT(*) FROM charges c JOIN shops s ON s.id = c.shop_id \
             WHERE s.slug = 'shop-a' AND c.payments > 0",
        )
        .await
    };
    app.at_day("2027-04-30");
    app.run_job(monthly::JOB).await;
    // 1 May is a Saturday and a holiday: April's correction and invoice, not yet the
    // bank-link fees.
    app.at_day("2027-05-01");
    let o = app.run_job(monthly::JOB).await;
    assert_eq!(o.failed, 0, "{o:?}");
    assert_eq!(volume().await, 0, "not before the first banking day");
    let april = invoices::list(s, app.shop_id(SHOP).await).await.unwrap();
    assert_eq!(april.len(), 1);
    let april = april[0].clone();
    assert!(
        april
            .lines
            .iter()
            .all(|l| !l.label.contains("billed monthly")),
        "{april:?}"
    );

    // Issued, it is e-mailed to the invoice address with its PDF, and marked sent.
    let mails = app.mails().await;
    let m = mails
        .iter()
        .find(|m| m.to == "accounts@shop-a.example")
        .expect("the invoice mail");
    assert!(m.subject.contains(&april.number), "{}", m.subject);
    assert!(m.text.contains("nothing to pay"), "{}", m.text);
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(
        m.attachments[0].name,
        format!("invoice-{}.pdf", april.number)
    );
    assert_eq!(m.attachments[0].content_type, "application/pdf");
    assert!(pdf_text(&m.attachments[0].bytes).contains(&format!("Invoice {}", april.number)));
    let sent_to: Option<String> = sqlx::query_scalar("SELECT sent_to FROM invoices WHERE id = $1")
        .bind(april.id)
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(sent_to.as_deref(), Some("accounts@shop-a.example"));

    // Monday 3 May, the first banking day: April's volume, one charge per fee type.
    app.at_day("2027-05-03");
    assert_eq!(app.run_job(monthly::JOB).await.failed, 0);
    let rows: Vec<(String, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT c.kind, c.payments, c.fee_cents, c.vat_cents, c.explanation FROM charges c \
         JOIN shops s ON s.id = c.shop_id WHERE s.slug = 'shop-a' AND c.payments > 0 ORDER BY c.kind",
    )
    .fetch_all(&s.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1, rows[0].2, rows[0].3),
        ("TRX_FEE", 3, 75, 15)
    );
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1, rows[1].2, rows[1].3),
        ("TRX_FEE_FIX", 3, 90, 18)
    );
    assert!(
        rows[0].4.contains("3 payments in April 2027"),
        "{}",
        rows[0].4
    );
    app.run_job(monthly::JOB).await;
    assert_eq!(volume().await, 2, "posted once");
    // Only shop A's merchant bills bank links monthly.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM charges WHERE payments > 0")
            .await,
        2
    );

    // May's invoice lists them apart, and still equals May's fee movements to the cent.
    app.at_day("2027-05-31");
    app.run_job(monthly::JOB).await;
    app.at_day("2027-06-01");
    assert_eq!(app.run_job(monthly::JOB).await.failed, 0);
    let all = invoices::list(s, app.shop_id(SHOP).await).await.unwrap();
    let may = all.iter().find(|i| i.month == "2027-05").unwrap();
    let line = may
        .lines
        .iter()
        .find(|l| l.kind == "TRX_FEE" && l.label.contains("billed monthly (April 2027)"))
        .unwrap_or_else(|| panic!("{may:?}"));
    assert_eq!((line.quantity, line.net_cents, line.vat_cents), (3, 75, 15));
    let (from, to) = (
        "2027-05-01T00:00:00+03:00"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
        "2027-06-01T00:00:00+03:00"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
    );
    let fees = app
        .scalar(format!(
            "SELECT CAST(-SUM(m.amount_cents) AS BIGINT) FROM movements m JOIN shops s ON s.id = m.shop_id \
             WHERE s.slug = 'shop-a' AND m.kind IN ('TRX_FEE', 'TRX_FEE_FIX', 'TRX_FEE_MIN', \
             'SERVICE_FEE_ACCOUNT', 'SERVICE_FEE_PLUGIN', 'SERVICE_FEE_LOGISTICS') \
             AND m.at >= {from} AND m.at < {to}"
        ))
        .await;
    assert_eq!(may.net_cents, fees);
    assert_eq!(
        may.lines.iter().map(|l| l.vat_cents).sum::<i64>(),
        may.vat_cents
    );

    // The billing page, for every role of the shop.
    let info = app.client_for(Who::Info).await;
    let (status, _, page) = body(app.call(&info, "load_billing", &[("shop", SHOP)]).await).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{page}");
    for words in [
        "Negotiated price list",
        "Bank links monthly",
        "Bank links: 2.5 % + 0.30 EUR, VAT 20 %, billed monthly on last month's volume",
        "Cards: 2.5 % + 0.30 EUR, VAT 20 %, deducted per payment",
        april.number.as_str(),
        may.number.as_str(),
        "Sent 2027-05-01 to accounts@shop-a.example",
        "/shops/shop-a/statement?period=month&month=2027-05&kind=TRX_FEE",
        &format!("/shops/shop-a/exports/invoice-{}.pdf", may.id),
        "\"can_send\":false",
    ] {
        assert!(page.contains(words), "{words:?} in {page}");
    }
    // Sending again is for admins, and audited.
    let id = may.id.to_string();
    let form = [("shop", SHOP), ("id", id.as_str())];
    let (status, _, _) = body(app.call(&info, "send_invoice", &form).await).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let admin = app.client_for(Who::Admin).await;
    let (status, _, to) = body(app.call(&admin, "send_invoice", &form).await).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{to}");
    assert!(to.contains("accounts@shop-a.example"), "{to}");
    let other = app.client_for(Who::OtherAdmin).await;
    let (status, _, _) = body(app.call(&other, "send_invoice", &form).await).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    let b_invoice = invoices::list(s, app.shop_id(SHOP_B).await).await.unwrap()[0]
        .id
        .to_string();
    let (status, _, _) = body(
        app.call(
            &admin,
            "send_invoice",
            &[("shop", SHOP), ("id", b_invoice.as_str())],
        )
        .await,
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "shop B's invoice");
    let again: Vec<_> = app
        .mails()
        .await
        .into_iter()
        .filter(|m| m.subject.contains(&may.number))
        .collect();
    assert_eq!(again.len(), 2, "issued, then sent again");
    assert_eq!(
        again[1].attachments[0].name,
        format!("invoice-{}.pdf", may.number)
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'invoice_sent'")
            .await,
        1
    );

    // April's month-close pack carries April's invoice.
    let r = info
        .get(app.url(&format!(
            "/shops/{SHOP}/exports/month-close.zip?period=month&month=2027-04"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let names = zip_names(&r.bytes().await.unwrap());
    assert!(
        names.contains(&format!("invoice-{}.pdf", april.number)),
        "{names:?}"
    );
}

/// The billing page writes out a special offer with its last day and what follows it, and
/// this month's fees so far with the monthly fees its last day will add.
#[tokio::test]
async fn the_billing_page_shows_a_special_offer_and_this_months_estimate() {
    let Some(app) = spawn_on("2027-03-10").await else {
        return;
    };
    let s = &app.state;
    let merchant = app.merchant_of(SHOP).await;
    app::server::operations::operator::set_price_list(
        s,
        app::server::operations::operator::PriceListSpec {
            merchant_id: Some(merchant),
            special_offer: true,
            name: "Spring cards".into(),
            bank_links: "2.5%+0.30".into(),
            cards: "1.5%+0.20".into(),
            bank_links_monthly: false,
            cards_monthly: false,
            vat_percent: "20".into(),
            from: Some("2027-03-01".into()),
            until: Some("2027-04-01".into()),
        },
    )
    .await
    .unwrap();
    usage::set(s, SHOP, "2027-03", true, false).await.unwrap();
    app.paid_payment(10_000, Channel::Visa).await;
    let info = app.client_for(Who::Info).await;
    let (status, _, page) = body(app.call(&info, "load_billing", &[("shop", SHOP)]).await).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{page}");
    let v: serde_json::Value = serde_json::from_str(&page).unwrap();
    let p = &v["price_list"];
    assert_eq!(p["kind"], "Special offer");
    assert_eq!(p["name"], "Spring cards");
    assert_eq!(p["until"], "2027-03-31");
    assert_eq!(p["after"], "Standard price list \u{201c}Standard\u{201d}");
    assert!(p["rules"][1]
        .as_str()
        .unwrap()
        .starts_with("Cards: 1.5 % + 0.20 EUR, VAT 20 %"));
    // 100.00 EUR by card: 1.50 + 0.20 deducted with 0.30 + 0.04 VAT; the account and plugin
    // fees come on 31 March.
    let e = &v["estimate"];
    assert_eq!(e["period"], "March 2027");
    let line = |code: &str| {
        e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in {e}"))
    };
    assert_eq!(
        (
            line("TRX_FEE")["net"].as_i64(),
            line("TRX_FEE")["vat"].as_i64()
        ),
        (Some(150), Some(30))
    );
    assert_eq!(
        line("TRX_FEE")["movements"],
        "/shops/shop-a/statement?period=month&month=2027-03&kind=TRX_FEE"
    );
    let expected = e["expected"].as_array().unwrap();
    assert_eq!(expected.len(), 2, "{e}");
    assert!(expected[0][0]
        .as_str()
        .unwrap()
        .contains("Monthly account fee (deducted on 2027-03-31)"));
    assert_eq!(e["net"].as_i64(), Some(150 + 20 + 1_000 + 1_000));
    assert_eq!(e["total"].as_i64(), Some(2_170 + 30 + 4 + 200 + 200));
    assert!(v["invoices"].as_array().unwrap().is_empty());
}
