//! The account statement as CSV (both dialects) and XLSX over HTTP: one row per movement of
//! the statement page, balances that are the page's and add up with the rows, totals per
//! type that are the page's, references that a spreadsheet never runs as formulas, and the
//! same access as every export.

use crate::camt053::ledger;
use crate::harness::{body, TestApp, Who, SHOP};
use crate::statement::{totals, walk};
use reqwest::{Client, StatusCode};
use std::io::Read;

const FORMULA: &str = "=HYPERLINK(\"https://evil.example\",\"Pay here\")";

/// The fields of one CSV line (quoted fields, doubled quotes; no line breaks in fields).
pub(crate) fn fields(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if cur.is_empty() => quoted = true,
            (false, c) if c == sep => out.push(std::mem::take(&mut cur)),
            (_, c) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `12.34` (or `12,34` with a decimal comma) → 1234; exactly two decimals.
pub(crate) fn cents(s: &str, decimal: char) -> i64 {
    let (euros, cents) = s
        .split_once(decimal)
        .unwrap_or_else(|| panic!("{s:?} has no {decimal:?}"));
    assert_eq!(cents.len(), 2, "two decimals: {s}");
    let e: i64 = euros.parse().unwrap();
    let c: i64 = cents.parse().unwrap();
    if euros.starts_with('-') {
        e * 100 - c
    } else {
        e * 100 + c
    }
}

struct Csv {
    head: Vec<Vec<String>>,
    rows: Vec<Vec<String>>,
}

async fn get(app: &TestApp, c: &Client, file: &str, query: &str) -> reqwest::Response {
    c.get(app.url(&format!("/shops/{SHOP}/exports/{file}?{query}")))
        .send()
        .await
        .unwrap()
}

async fn csv(app: &TestApp, c: &Client, query: &str, sep: char) -> Csv {
    let (s, h, text) = body(get(app, c, "statement.csv", query).await).await;
    assert_eq!(s, StatusCode::OK, "{query}: {text}");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    let (head, table) = text
        .split_once("\r\n\r\n")
        .expect("a blank line after the head");
    let head: Vec<_> = head.split("\r\n").map(|l| fields(l, sep)).collect();
    let mut lines = table.split("\r\n").filter(|l| !l.is_empty());
    let names = fields(lines.next().unwrap(), sep);
    assert_eq!(names[0], "Time");
    assert_eq!(names.len(), 10, "{names:?}");
    let rows: Vec<_> = lines.map(|l| fields(l, sep)).collect();
    for r in &rows {
        assert_eq!(r.len(), 10, "{r:?}");
    }
    Csv { head, rows }
}

fn head_value<'a>(head: &'a [Vec<String>], key: &str) -> &'a str {
    &head
        .iter()
        .find(|l| l[0] == key)
        .unwrap_or_else(|| panic!("no {key} in {head:?}"))[1]
}

/// A worksheet's cells by reference (`B7`), strings resolved; whether a cell holds a formula.
pub(crate) struct Sheet {
    pub(crate) cells: std::collections::HashMap<String, String>,
    rows: usize,
    xml: String,
}

pub(crate) fn sheet(
    zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>,
    n: usize,
    shared: &[String],
) -> Sheet {
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut cells = std::collections::HashMap::new();
    for part in xml.split("<c r=\"").skip(1) {
        let (r, rest) = part.split_once('"').unwrap();
        let end = rest.find("</c>").unwrap_or(rest.len());
        let cell = &rest[..end];
        let text = |open: &str, close: &str| {
            cell.find(open).map(|i| {
                let after = &cell[i + open.len()..];
                let after = &after[after.find('>').unwrap() + 1..];
                after[..after.find(close).unwrap()].to_string()
            })
        };
        let value = if cell.contains("t=\"s\"") {
            shared[text("<v", "</v>").unwrap().parse::<usize>().unwrap()].clone()
        } else if cell.contains("t=\"inlineStr\"") {
            text("<t", "</t>").unwrap_or_default()
        } else {
            text("<v", "</v>").unwrap_or_default()
        };
        cells.insert(r.to_string(), unescape(&value));
    }
    Sheet {
        rows: xml.matches("<row ").count(),
        cells,
        xml,
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

pub(crate) fn shared_strings(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>) -> Vec<String> {
    let mut xml = String::new();
    if let Ok(mut f) = zip.by_name("xl/sharedStrings.xml") {
        f.read_to_string(&mut xml).unwrap();
    }
    xml.split("<si>")
        .skip(1)
        .map(|si| {
            let t = &si[si.find("<t").unwrap()..];
            let t = &t[t.find('>').unwrap() + 1..];
            t[..t.find("</t>").unwrap()].to_string()
        })
        .collect()
}

/// A number cell's euros as cents.
pub(crate) fn euro_cents(v: &str) -> i64 {
    (v.parse::<f64>().unwrap_or_else(|_| panic!("{v:?}")) * 100.0).round() as i64
}

#[tokio::test]
async fn every_month_as_csv_and_xlsx_has_the_page_rows_and_balances() {
    let app = crate::app!();
    let months = ledger(&app, 23).await;
    sqlx::query(
        "UPDATE transactions SET reference = $1 WHERE id = (SELECT MIN(transaction_id) FROM movements)",
    )
    .bind(FORMULA)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    // Signed in now: the months above outlast any session.
    let c = app.client_for(Who::Info).await;
    let mut formula_seen = 0;
    for m in &months {
        let form = [("period", "month"), ("month", m.as_str())];
        let (page, rows) = walk(&app, &c, &form).await;
        let (opening, closing) = (page.opening.cents(), page.closing.cents());
        let query = format!("period=month&month={m}");
        for (dialect, sep, decimal) in [("comma", ',', '.'), ("semicolon", ';', ',')] {
            let f = csv(&app, &c, &format!("{query}&dialect={dialect}"), sep).await;
            assert_eq!(
                f.rows.len(),
                rows.len(),
                "{m} {dialect}: one row per movement"
            );
            assert_eq!(
                cents(head_value(&f.head, "Opening balance (EUR)"), decimal),
                opening
            );
            assert_eq!(
                cents(head_value(&f.head, "Closing balance (EUR)"), decimal),
                closing
            );
            assert_eq!(head_value(&f.head, "Time zone"), "Europe/Tallinn");
            let amount = |s: &str| if s.is_empty() { 0 } else { cents(s, decimal) };
            let debits: i64 = f.rows.iter().map(|r| amount(&r[7])).sum();
            let credits: i64 = f.rows.iter().map(|r| amount(&r[8])).sum();
            assert_eq!(opening + credits - debits, closing, "{m} {dialect}");
            for (r, p) in f.rows.iter().zip(&rows) {
                assert_eq!(r[1], p.kind);
                assert_eq!(r[2], p.label);
                assert_eq!(cents(&r[9], decimal), p.balance_after.cents(), "{m}");
                assert_eq!(amount(&r[7]), p.debit.map_or(0, |d| d.cents()));
                assert_eq!(amount(&r[8]), p.credit.map_or(0, |d| d.cents()));
                match p.reference.as_deref() {
                    Some(FORMULA) => {
                        assert_eq!(r[3], format!("'{FORMULA}"), "formula-safe");
                        formula_seen += 1;
                    }
                    Some(reference) => assert_eq!(r[3], reference),
                    None => assert_eq!(r[3], ""),
                }
            }
        }

        let r = get(&app, &c, "statement.xlsx", &query).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("statement-{SHOP}-{m}.xlsx")));
        let bytes = r.bytes().await.unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let shared = shared_strings(&mut zip);
        let s1 = sheet(&mut zip, 1, &shared);
        // Eight header lines, a blank row (not stored), the column names, then the rows.
        assert_eq!(
            s1.rows,
            9 + rows.len(),
            "{m}: header + one row per movement"
        );
        assert_eq!(s1.cells["A10"], "Time");
        assert_eq!(euro_cents(&s1.cells["B6"]), opening);
        assert_eq!(euro_cents(&s1.cells["B7"]), closing);
        assert!(s1.xml.contains("state=\"frozen\""), "frozen header");
        assert!(s1.xml.contains("<autoFilter ref=\"A10:J"), "autofilter");
        assert!(!s1.xml.contains("<f>"), "no formulas");
        let (mut debits, mut credits) = (0, 0);
        for (i, p) in rows.iter().enumerate() {
            let n = 11 + i;
            let cell = |col: &str| s1.cells.get(&format!("{col}{n}")).cloned();
            let time: f64 = cell("A").unwrap().parse().expect("a date cell");
            assert!(time > 40_000.0, "{time}");
            assert_eq!(cell("B").unwrap(), p.kind);
            debits += cell("H").map_or(0, |v| euro_cents(&v));
            credits += cell("I").map_or(0, |v| euro_cents(&v));
            assert_eq!(euro_cents(&cell("J").unwrap()), p.balance_after.cents());
            // (XLSX escapes control characters as `_x0007_`.)
            if let Some(reference) = p.reference.as_ref().filter(|r| !r.contains('\u{7}')) {
                assert_eq!(&cell("D").unwrap(), reference);
            }
        }
        assert_eq!(opening + credits - debits, closing, "{m} xlsx");

        let t = totals(&app, &c, &form).await;
        let s2 = sheet(&mut zip, 2, &shared);
        assert_eq!(
            s2.rows,
            2 + t.kinds.len(),
            "{m}: a line per type and the total"
        );
        for (i, k) in t.kinds.iter().enumerate() {
            let n = 2 + i;
            assert_eq!(s2.cells[&format!("A{n}")], k.kind);
            assert_eq!(s2.cells[&format!("C{n}")], k.entries.to_string());
            assert_eq!(euro_cents(&s2.cells[&format!("D{n}")]), k.debit.cents());
            assert_eq!(euro_cents(&s2.cells[&format!("E{n}")]), k.credit.cents());
        }
        let n = 2 + t.kinds.len();
        assert_eq!(s2.cells[&format!("C{n}")], t.entries.to_string());
        assert_eq!(euro_cents(&s2.cells[&format!("D{n}")]), t.debit.cents());
        assert_eq!(euro_cents(&s2.cells[&format!("E{n}")]), t.credit.cents());
    }
    assert!(formula_seen >= 2, "the formula reference was exported");
}

#[tokio::test]
async fn the_page_filter_applies_and_refusals_are_clear() {
    let app = crate::app!();
    ledger(&app, 5).await;
    let c = app.client_for(Who::Info).await;
    let form = [("kind", "TRX_FEE")];
    let (_, rows) = walk(&app, &c, &form).await;
    let f = csv(&app, &c, "kind=TRX_FEE", ',').await;
    assert_eq!(f.rows.len(), rows.len());
    assert!(f.rows.iter().all(|r| r[1] == "TRX_FEE"));

    for file in ["statement.csv", "statement.xlsx"] {
        let anon = TestApp::client();
        assert_eq!(
            get(&app, &anon, file, "").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let other = app.client_for(Who::OtherAdmin).await;
        assert_eq!(
            get(&app, &other, file, "").await.status(),
            StatusCode::NOT_FOUND
        );
        for who in [Who::Admin, Who::Refunds, Who::Info] {
            let c = app.client_for(who).await;
            let (s, _, text) = body(get(&app, &c, file, "period=last_month").await).await;
            assert_eq!(s, StatusCode::OK, "{file} {text}");
        }
        let (s, _, text) = body(get(&app, &c, file, "period=fortnight").await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(text.contains("period:"), "{text}");
    }
    let (s, _, text) = body(get(&app, &c, "statement.csv", "dialect=tab").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("dialect:"), "{text}");
}
