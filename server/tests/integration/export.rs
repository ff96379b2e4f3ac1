//! Exports over HTTP: every row the filter matches (not just a page), the table's columns,
//! a header naming shop, filter, zone and time, formula-safe CSV, and a real XLSX file.

use crate::harness::{body, TestApp, Who, SHOP, SHOP_B};
use app::domain::fees::Channel;
use app::domain::Money;
use app::server::payments::transactions::{self, NewTransaction};
use app::server::{operations::demo_payments, operations::generate};
use reqwest::StatusCode;
use std::io::Read;

async fn fill(app: &TestApp, n: usize) {
    let now = app.state.clock.now_ms();
    generate::bulk_insert(
        &app.state,
        app.shop_id(SHOP).await,
        demo_payments::bulk_plan(5, n, now),
    )
    .await
    .unwrap();
    generate::bulk_insert(
        &app.state,
        app.shop_id(SHOP_B).await,
        demo_payments::bulk_plan(6, 30, now),
    )
    .await
    .unwrap();
}

async fn sql_ids(app: &TestApp, where_: &str) -> Vec<String> {
    let shop = app.shop_id(SHOP).await;
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT id FROM transactions WHERE shop_id = {shop}{where_} ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|i| i.to_string())
    .collect()
}

#[tokio::test]
async fn csv_has_every_matching_row_with_a_header() {
    let app = crate::app!();
    fill(&app, 700).await;
    let c = app.client_for(Who::Info).await;
    let r = c
        .get(app.url(&format!(
            "/shops/{SHOP}/exports/transactions.csv?status=approved&min=10&size=25"
        )))
        .send()
        .await
        .unwrap();
    let (s, h, text) = body(r).await;
    assert_eq!(s, StatusCode::OK, "{text}");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains("attachment; filename=\"transactions-shop-a-"),
        "{disposition}"
    );
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "Shop,Shop A (Test Merchant)");
    assert_eq!(lines[1], "Filter,\"status Paid, amount from 10 EUR\"");
    assert_eq!(lines[2], "Time zone,Europe/Tallinn");
    assert!(lines[3].starts_with("Exported,"));
    assert_eq!(
        lines[5],
        "Time,Reference,ID,Buyer name,Buyer e-mail,Channel,Amount (EUR),Fees + VAT (EUR),Net (EUR),Status,Payout"
    );
    let rows: Vec<Vec<&str>> = lines[6..]
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    let expected = sql_ids(&app, " AND status = 'approved' AND amount_cents >= 1000").await;
    assert!(
        expected.len() > 25,
        "more than one page: {}",
        expected.len()
    );
    let got: Vec<String> = rows.iter().map(|r| r[2].to_string()).collect();
    assert_eq!(got, expected, "every matching row, in the list's order");
    for r in &rows {
        assert_eq!(r[9], "Paid");
        let amount = Money::parse(r[6]).unwrap();
        let (fees, net) = (Money::parse(r[7]).unwrap(), Money::parse(r[8]).unwrap());
        assert!(amount.cents() >= 1000);
        assert_eq!(
            amount - fees,
            net,
            "net = amount − fees (fees are deducted here)"
        );
    }
}

#[tokio::test]
async fn csv_defuses_formulas() {
    let app = crate::app!();
    let t = transactions::create(
        &app.state,
        NewTransaction {
            shop_id: app.shop_id(SHOP).await,
            reference: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            amount: Money::from_cents(1_000),
            channel: Channel::Visa,
            test_mode: false,
            buyer_name: Some("@SUM(1+1)".into()),
            buyer_email: Some("+1@example.com".into()),
            buyer_ip: None,
            buyer_country: None,
            description: None,
            from_link: None,
        },
    )
    .await
    .unwrap();
    let c = app.client_for(Who::Admin).await;
    let (s, _, text) = body(
        c.get(app.url(&format!("/shops/{SHOP}/exports/transactions.csv")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let line = text.lines().find(|l| l.contains(&t.to_string())).unwrap();
    assert!(
        line.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{line}"
    );
    assert!(line.contains("\"'@SUM(1+1)\""), "{line}");
    assert!(line.contains("\"'+1@example.com\""), "{line}");
}

#[tokio::test]
async fn xlsx_is_a_spreadsheet_with_the_same_rows() {
    let app = crate::app!();
    fill(&app, 120).await;
    let c = app.client_for(Who::Refunds).await;
    let r = c
        .get(app.url(&format!(
            "/shops/{SHOP}/exports/transactions.xlsx?channel=visa"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    let expected = sql_ids(&app, " AND channel = 'visa'").await;
    assert!(!expected.is_empty());
    // Four header lines, a blank row (not stored), the column names, then the rows.
    assert_eq!(
        sheet.matches("<row ").count(),
        5 + expected.len(),
        "header + rows"
    );
    for id in &expected {
        assert!(sheet.contains(id.as_str()), "{id} missing");
    }
    assert!(sheet.contains("Europe/Tallinn") && sheet.contains("channel Visa"));
}

#[tokio::test]
async fn refusals_are_clear() {
    let app = crate::app!();
    let anon = TestApp::client();
    let url = app.url(&format!("/shops/{SHOP}/exports/transactions.csv"));
    assert_eq!(
        anon.get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let c = app.client_for(Who::Admin).await;
    let (s, _, text) = body(c.get(format!("{url}?min=1%2C505")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text.contains("min:") && text.contains("two decimals"),
        "{text}"
    );
    let r = c
        .get(app.url(&format!("/shops/{SHOP}/exports/everything.zip")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let other = app.client_for(Who::OtherAdmin).await;
    assert_eq!(
        other.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_value_that_cannot_be_read_stops_the_export_instead_of_becoming_zero() {
    if crate::harness::on_postgres() {
        // PostgreSQL's columns are strictly typed: the corruption cannot be written there.
        return;
    }
    let app = crate::app!();
    let t = app.paid_payment(1_234, Channel::Visa).await;
    // SQLite keeps whatever it is given: text in the amount column of one payment.
    sqlx::query("UPDATE transactions SET amount_cents = 'twelve' WHERE id = $1")
        .bind(t)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let c = app.client_for(Who::Admin).await;
    let r = c
        .get(app.url(&format!("/shops/{SHOP}/exports/transactions.csv")))
        .send()
        .await
        .unwrap();
    match r.text().await {
        Err(_) => {}
        Ok(text) => panic!("the export completed despite the unreadable amount: {text}"),
    }
    let r = c
        .get(app.url(&format!("/shops/{SHOP}/exports/transactions.xlsx")))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let read = r.bytes().await;
    assert!(
        status != StatusCode::OK || read.is_err(),
        "the spreadsheet completed despite the unreadable amount"
    );
    // With the value repaired, the same export works.
    sqlx::query("UPDATE transactions SET amount_cents = 1234 WHERE id = $1")
        .bind(t)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let (s, _, text) = body(
        c.get(app.url(&format!("/shops/{SHOP}/exports/transactions.csv")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains(",12.34,"), "{text}");
}

#[tokio::test]
async fn exports_beyond_the_limit_are_asked_to_come_back() {
    let Some(app) = TestApp::spawn_with(
        app::server::infra::clock::Clock::manual_at(jiff::Timestamp::now().as_millisecond()),
        server::MailChoice::Memory,
        |env| env.push(("PORTAL_EXPORT_LIMIT".into(), "1".into())),
    )
    .await
    else {
        return;
    };
    fill(&app, 50).await;
    let c = app.client_for(Who::Info).await;
    let url = app.url(&format!("/shops/{SHOP}/exports/transactions.csv"));
    // One after another, each export gives its place back when it ends.
    for _ in 0..2 {
        let (s, _, text) = body(c.get(&url).send().await.unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{text}");
    }
    // An export is running (it holds the only place). The last one gives its place back
    // when its task ends, which may be a moment after the client read the last byte.
    let running = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.state.exports.clone().acquire_owned(),
    )
    .await
    .expect("the finished exports gave their place back")
    .unwrap();
    for file in [
        "transactions.csv",
        "transactions.xlsx",
        "statement.xml",
        "statement.csv",
        "statement.xlsx",
    ] {
        let (s, h, text) = body(
            c.get(app.url(&format!("/shops/{SHOP}/exports/{file}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{text}");
        assert_eq!(h["retry-after"], "10");
        assert!(text.contains("busy with other exports"), "{text}");
    }
    drop(running);
    let (s, _, text) = body(c.get(&url).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{text}");
}
