//! The month-close pack (one ZIP per shop and month: the statement as XML, XLSX and CSV, a
//! VAT summary and a README with every file's SHA-256), the CSV format remembered per user
//! for both exports, and the progress a page reads while the browser saves a download.

use crate::camt053::{ledger, validate};
use crate::harness::{body, TestApp, Who, SHOP};
use crate::statement::{totals, walk};
use crate::statement_files::{cents, euro_cents, fields, shared_strings, sheet};
use reqwest::{Client, StatusCode};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;

async fn get(app: &TestApp, c: &Client, file: &str, query: &str) -> reqwest::Response {
    c.get(app.url(&format!("/shops/{SHOP}/exports/{file}?{query}")))
        .send()
        .await
        .unwrap()
}

/// Every file of a ZIP by name.
fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().to_string(), data);
    }
    out
}

/// The signed amount in cents of the camt.053 balance with code `code` (OPBD, CLBD).
fn camt_balance(xml: &str, code: &str) -> i64 {
    let at = xml
        .find(&format!("<Cd>{code}</Cd>"))
        .unwrap_or_else(|| panic!("no {code}"));
    let rest = &xml[at..];
    let amt = &rest[rest.find("<Amt Ccy=\"EUR\">").unwrap() + 15..];
    let amt = &amt[..amt.find('<').unwrap()];
    let sign = if rest[..rest.find("</Bal>").unwrap()].contains("<CdtDbtInd>DBIT</CdtDbtInd>") {
        -1
    } else {
        1
    };
    sign * cents(amt, '.')
}

#[tokio::test]
async fn the_month_close_pack_holds_every_file_with_its_hash_and_the_page_balances() {
    let app = crate::app!();
    let months = ledger(&app, 31).await;
    let c = app.client_for(Who::Info).await;
    let m = &months[months.len() / 2];
    let form = [("period", "month"), ("month", m.as_str())];
    let (page, rows) = walk(&app, &c, &form).await;
    assert!(!rows.is_empty(), "{m} has movements");
    let (opening, closing) = (page.opening.cents(), page.closing.cents());

    let r = get(
        &app,
        &c,
        "month-close.zip",
        &format!("period=month&month={m}"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("month-close-{SHOP}-{m}.zip")));
    let files = unzip(&r.bytes().await.unwrap());
    let stem = format!("statement-{SHOP}-{m}");
    let names = [
        format!("{stem}.xml"),
        format!("{stem}.xlsx"),
        format!("{stem}.csv"),
        format!("vat-summary-{SHOP}-{m}.csv"),
        format!("payouts-{SHOP}-{m}.csv"),
    ];
    let mut all: Vec<_> = files.keys().cloned().collect();
    all.sort();
    let mut expected: Vec<_> = names.iter().cloned().chain(["README.txt".into()]).collect();
    expected.sort();
    assert_eq!(all, expected);

    // The README lists every file with its SHA-256, as `sha256sum -c` reads it.
    let readme = String::from_utf8(files["README.txt"].clone()).unwrap();
    for name in &names {
        let hash = hex::encode(Sha256::digest(&files[name]));
        assert!(
            readme.contains(&format!("{hash}  {name}\r\n")),
            "{name} with its hash in:\n{readme}"
        );
    }
    assert!(readme.contains(&format!("Opening balance: {} EUR", page.opening)));
    assert!(readme.contains(&format!("Closing balance: {} EUR", page.closing)));

    // Every file's balances are the page's.
    let xml = String::from_utf8(files[&names[0]].clone()).unwrap();
    validate(&xml, "month-close");
    assert_eq!(camt_balance(&xml, "OPBD"), opening);
    assert_eq!(camt_balance(&xml, "CLBD"), closing);
    assert_eq!(xml.matches("<Ntry>").count(), rows.len());

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(files[&names[1]].clone())).unwrap();
    let shared = shared_strings(&mut zip);
    let s1 = sheet(&mut zip, 1, &shared);
    assert_eq!(euro_cents(&s1.cells["B6"]), opening);
    assert_eq!(euro_cents(&s1.cells["B7"]), closing);

    let csv = String::from_utf8(files[&names[2]].clone()).unwrap();
    let line = |key: &str| {
        csv.split("\r\n")
            .map(|l| fields(l, ','))
            .find(|f| f[0] == key)
            .unwrap_or_else(|| panic!("{key}"))[1]
            .clone()
    };
    assert_eq!(cents(&line("Opening balance (EUR)"), '.'), opening);
    assert_eq!(cents(&line("Closing balance (EUR)"), '.'), closing);

    // The VAT summary: fees per type and their VAT, as the statement's totals.
    let t = totals(&app, &c, &form).await;
    let net = |code: &str| {
        t.kinds
            .iter()
            .find(|k| k.kind == code)
            .map_or(0, |k| k.debit.cents() - k.credit.cents())
    };
    let vat = String::from_utf8(files[&names[3]].clone()).unwrap();
    let vat_lines: Vec<Vec<String>> = vat.split("\r\n").map(|l| fields(l, ',')).collect();
    let amount_of = |label: &str| {
        let l = vat_lines
            .iter()
            .find(|f| f.len() > 1 && f[1] == label)
            .unwrap_or_else(|| panic!("{label} in {vat}"));
        cents(l.last().unwrap(), '.')
    };
    let fees = net("TRX_FEE") + net("TRX_FEE_FIX") + net("TRX_FEE_MIN");
    assert!(fees > 0);
    assert_eq!(amount_of("Fees"), fees);
    assert_eq!(amount_of("VAT posted with the fees"), net("VAT"));
    let due = (fees * 20 + 50).div_euclid(100);
    assert_eq!(amount_of("20 % of the fees, rounded once"), due);
    assert_eq!(
        amount_of("Difference, corrected at the start of next month"),
        due - net("VAT")
    );
    for (code, label) in [
        ("TRX_FEE", "Transaction fee (percentage)"),
        ("TRX_FEE_FIX", "Transaction fee (fixed)"),
    ] {
        assert_eq!(amount_of(label), net(code), "{code}");
    }

    // The month's payouts: none here (the shop has no payout account), a header and a total.
    let payouts = String::from_utf8(files[&names[4]].clone()).unwrap();
    assert!(
        payouts.starts_with("Day,Payout ID,Amount (EUR),Status,Payments,IBAN,Account holder\r\n"),
        "{payouts}"
    );
    assert!(payouts.ends_with("Total,,0.00\r\n"), "{payouts}");

    // A pack is for a calendar month; a bad month is named.
    let (s, _, text) = body(
        get(
            &app,
            &c,
            "month-close.zip",
            "period=custom&from=2026-01-01&to=2026-01-05",
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("period:"), "{text}");
    let (s, _, text) =
        body(get(&app, &c, "month-close.zip", "period=month&month=2026-13").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("month:"), "{text}");
    // The same access as every export.
    let anon = TestApp::client();
    assert_eq!(
        get(&app, &anon, "month-close.zip", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let other = app.client_for(Who::OtherAdmin).await;
    assert_eq!(
        get(&app, &other, "month-close.zip", "").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// The first line of the table (after the head and a blank line) and the first row.
fn table_start(text: &str) -> (String, String) {
    let (_, table) = text.split_once("\r\n\r\n").expect("a head");
    let mut lines = table.split("\r\n");
    (
        lines.next().unwrap().to_string(),
        lines.next().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn the_csv_format_is_remembered_per_user_for_statement_and_transactions() {
    let app = crate::app!();
    ledger(&app, 5).await;
    let info = app.client_for(Who::Info).await;
    let admin = app.client_for(Who::Admin).await;
    let stored = |email: &'static str| {
        let pool = app.state.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT csv_dialect FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let info_email = Who::Info.email().unwrap();
    assert_eq!(stored(info_email).await, "comma");

    // Choosing semicolon with one download makes it the user's format for every CSV.
    let (s, _, text) = body(
        get(
            &app,
            &info,
            "statement.csv",
            "period=last_month&dialect=semicolon",
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{text}");
    assert!(table_start(&text).0.starts_with("Time;Type code;"));
    assert_eq!(stored(info_email).await, "semicolon");
    let (s, _, text) = body(get(&app, &info, "transactions.csv", "").await).await;
    assert_eq!(s, StatusCode::OK, "{text}");
    let (names, first) = table_start(&text);
    assert!(names.starts_with("Time;Reference;ID;"), "{names}");
    let row = fields(&first, ';');
    assert_eq!(row.len(), 11, "{first}");
    assert!(
        row[6].contains(',') && !row[6].contains('.'),
        "decimal comma: {first}"
    );
    let (_, _, text) = body(get(&app, &info, "statement.csv", "").await).await;
    assert!(
        table_start(&text).0.starts_with("Time;"),
        "remembered for the statement"
    );

    // Another user keeps theirs.
    let (_, _, text) = body(get(&app, &admin, "transactions.csv", "").await).await;
    let (names, first) = table_start(&text);
    assert!(names.starts_with("Time,Reference,ID,"), "{names}");
    assert!(fields(&first, ',')[6].contains('.'), "{first}");

    // The transactions export can choose too, and that is remembered as well.
    let (_, _, text) = body(get(&app, &info, "transactions.csv", "dialect=comma").await).await;
    assert!(table_start(&text).0.starts_with("Time,Reference,"));
    assert_eq!(stored(info_email).await, "comma");
    let (s, _, text) = body(get(&app, &info, "transactions.csv", "dialect=tab").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("dialect:"), "{text}");

    // The page's form starts with the remembered format.
    let shop = load_shop(&app, &info).await;
    assert_eq!(shop.csv_dialect, app::domain::CsvDialect::Comma);
    body(get(&app, &info, "statement.csv", "dialect=semicolon").await).await;
    let shop = load_shop(&app, &info).await;
    assert_eq!(shop.csv_dialect, app::domain::CsvDialect::Semicolon);
}

async fn load_shop(app: &TestApp, c: &Client) -> app::api::shop::ShopContext {
    let (s, _, b) = body(app.call(c, "load_shop", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn progress(
    app: &TestApp,
    c: &Client,
    token: &str,
) -> app::model::download::DownloadProgress {
    let r = get(app, c, "progress", &format!("token={token}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_download_reports_its_progress_to_its_user_only() {
    use app::model::download::DownloadState;
    let app = crate::app!();
    let months = ledger(&app, 7).await;
    let c = app.client_for(Who::Info).await;
    let m = &months[0];
    let form = [("period", "month"), ("month", m.as_str())];
    let (_, rows) = walk(&app, &c, &form).await;
    let token = "0123456789abcdef0123456789abcdef";
    for (file, n) in [
        ("statement.csv", 1),
        ("statement.xml", 2),
        ("statement.xlsx", 3),
    ] {
        let token = format!("{token}{n}");
        assert_eq!(
            progress(&app, &c, &token).await.state,
            DownloadState::Unknown
        );
        let r = get(
            &app,
            &c,
            file,
            &format!("period=month&month={m}&progress={token}"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let bytes = r.bytes().await.unwrap();
        let p = progress(&app, &c, &token).await;
        assert_eq!(p.state, DownloadState::Done, "{file}");
        assert_eq!(p.rows, rows.len() as u64, "{file}: every movement counted");
        assert_eq!(
            p.total,
            Some(rows.len() as u64),
            "{file}: known before writing"
        );
        assert_eq!(p.bytes, bytes.len() as u64, "{file}");
        // Nobody else learns of it.
        let admin = app.client_for(Who::Admin).await;
        assert_eq!(
            progress(&app, &admin, &token).await.state,
            DownloadState::Unknown
        );
    }
    // A refused download says why, for the page to show.
    let r = get(
        &app,
        &c,
        "statement.csv",
        &format!("period=fortnight&progress={token}9"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = progress(&app, &c, &format!("{token}9")).await;
    assert_eq!(p.state, DownloadState::Failed);
    assert!(p.message.unwrap().contains("period:"));
    // The pack names its last step; the transactions export counts its rows.
    let r = get(
        &app,
        &c,
        "month-close.zip",
        &format!("period=month&month={m}&progress={token}7"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().await.unwrap();
    let p = progress(&app, &c, &format!("{token}7")).await;
    assert_eq!(p.state, DownloadState::Done);
    assert_eq!(p.message.as_deref(), Some("Packing the files"));
    let payments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    for (file, n) in [("transactions.csv", 5), ("transactions.xlsx", 6)] {
        let token = format!("{token}{n}");
        let r = get(&app, &c, file, &format!("progress={token}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{file}");
        r.bytes().await.unwrap();
        let p = progress(&app, &c, &token).await;
        assert_eq!(
            (p.state, p.rows),
            (DownloadState::Done, payments as u64),
            "{file}"
        );
    }
}
