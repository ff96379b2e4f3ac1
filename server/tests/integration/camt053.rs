//! The account statement as camt.053.001.02 over HTTP: every file validates against the
//! schema, its balances are the statement page's and add up with its entries, one entry per
//! movement with a unique reference, the page's filter applies, and every role may download
//! it while other merchants and anonymous visitors may not.

use crate::harness::{body, TestApp, Who, SHOP};
use crate::refunds::requester;
use crate::statement::{month_of, statement, walk, Lcg, DAY_MS};
use app::domain::fees::Channel;
use app::domain::Money;
use app::server::refunds;
use reqwest::{Client, StatusCode};
use std::collections::HashSet;

const XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/xsd/camt.053.001.02.xsd");

/// Validates the file against the camt.053 schema (see [`validate_against`]).
pub(crate) fn validate(xml: &str, name: &str) {
    validate_against(XSD, xml, name);
}

/// Validates the file against the schema `xsd` with `xmllint`. Without `xmllint` the check
/// is skipped loudly, unless `CI` is set: then it fails.
pub(crate) fn validate_against(xsd: &str, xml: &str, name: &str) {
    let path = std::env::temp_dir().join(format!(
        "portal-xsd-{:016x}-{name}.xml",
        app::server::new_id()
    ));
    std::fs::write(&path, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var_os("CI").is_some() {
                panic!("xmllint is required when CI is set (Debian package libxml2-utils; .ci/setup installs it)");
            }
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !!! SKIPPED the schema check of {name}: xmllint is not installed.\n\
                 !!! Run .ci/setup (it installs libxml2-utils) to check the files against {xsd}.\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
        }
        Err(e) => panic!("xmllint did not run: {e}"),
        Ok(out) => assert!(
            out.status.success(),
            "{name} does not validate against {xsd}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Every text between `open` and the next `close`.
fn all<'a>(s: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let j = after.find(close).expect("closed");
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// The text of the first `<tag>` (without attributes) in `s`.
fn one<'a>(s: &'a str, tag: &str) -> &'a str {
    all(s, &format!("<{tag}>"), &format!("</{tag}>"))
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no <{tag}> in {s}"))
}

/// `12.34` → 1234; amounts have exactly two decimals.
fn cents(s: &str) -> i64 {
    let (euros, cents) = s.split_once('.').unwrap_or_else(|| panic!("{s}"));
    assert_eq!(cents.len(), 2, "two decimals: {s}");
    euros.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap()
}

/// A balance or an entry as signed cents: `Amt` with `Ccy="EUR"`, minus when `DBIT`.
fn signed(block: &str) -> i64 {
    let amounts = all(block, "<Amt Ccy=\"EUR\">", "</Amt>");
    assert_eq!(amounts.len(), 1, "one amount in euros: {block}");
    let a = cents(amounts[0]);
    assert!(a >= 0);
    match one(block, "CdtDbtInd") {
        "CRDT" => a,
        "DBIT" => -a,
        other => panic!("direction {other}"),
    }
}

struct File {
    xml: String,
    disposition: String,
}

async fn download(app: &TestApp, c: &Client, query: &str) -> File {
    let r = c
        .get(app.url(&format!("/shops/{SHOP}/exports/statement.xml?{query}")))
        .send()
        .await
        .unwrap();
    let (s, h, xml) = body(r).await;
    assert_eq!(s, StatusCode::OK, "{query}: {xml}");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml"),
        "{h:?}"
    );
    File {
        xml,
        disposition: h["content-disposition"].to_str().unwrap().to_string(),
    }
}

/// A few months of payments and refunds, a few each day or two; the months they fall in.
pub(crate) async fn ledger(app: &TestApp, seed: u64) -> Vec<String> {
    let by = requester(app).await;
    let shop_id = app.shop_id(SHOP).await;
    let mut rng = Lcg(seed);
    let mut months = vec![month_of(app.state.clock.now_ms())];
    let mut odd_reference = false;
    for day in 0..30 {
        for _ in 0..rng.next(4) {
            let cents = 100 + rng.next(20_000) as i64;
            let channel = [Channel::Swedbank, Channel::Visa, Channel::Seb][rng.next(3) as usize];
            let t = app.paid_payment(cents, channel).await;
            if day >= 3 && !odd_reference {
                odd_reference = true;
                // A reference the schema cannot take as it is: too long, markup, a control
                // character (stored before references were checked).
                sqlx::query("UPDATE transactions SET reference = $1 WHERE id = $2")
                    .bind(format!("<Order> & \"{t}\"\u{7} {}", "x".repeat(60)))
                    .bind(t)
                    .execute(&app.state.db.pool)
                    .await
                    .unwrap();
            }
            if rng.next(4) == 0 {
                let part = Money::from_cents(1 + rng.next(cents as u64 / 2) as i64);
                refunds::refund(&app.state, shop_id, &by, t, part, None, &format!("k{t}"))
                    .await
                    .unwrap();
            }
        }
        app.state
            .clock
            .advance_ms(DAY_MS + rng.next(2 * DAY_MS as u64) as i64);
        let m = month_of(app.state.clock.now_ms());
        if months.last() != Some(&m) {
            months.push(m);
        }
    }
    months
}

#[tokio::test]
async fn every_month_validates_and_adds_up_to_the_statement_page() {
    let app = crate::app!();
    let months = ledger(&app, 11).await;
    let shop_id = app.shop_id(SHOP).await;
    // Signed in now: the months above outlast any session.
    let c = app.client_for(Who::Info).await;
    let movements: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM movements WHERE shop_id = $1 ORDER BY seq")
            .bind(shop_id)
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert!(movements.len() > 50, "{} movements", movements.len());
    let mut refs: Vec<i64> = Vec::new();
    let mut statement_ids = HashSet::new();
    let mut account = None;
    for m in &months {
        let query = format!("period=month&month={m}");
        let file = download(&app, &c, &query).await;
        let xml = &file.xml;
        validate(xml, m);
        assert!(
            file.disposition
                .contains(&format!("filename=\"statement-{SHOP}-{m}.xml\"")),
            "{}",
            file.disposition
        );
        let (page, rows) = walk(&app, &c, &[("period", "month"), ("month", m.as_str())]).await;

        let balances = all(xml, "<Bal>", "</Bal>");
        assert_eq!(balances.len(), 2, "{m}");
        assert_eq!(one(balances[0], "Cd"), "OPBD");
        assert_eq!(one(balances[1], "Cd"), "CLBD");
        let (opening, closing) = (signed(balances[0]), signed(balances[1]));
        assert_eq!(
            (opening, closing),
            (page.opening.cents(), page.closing.cents()),
            "{m}: the page's balances"
        );

        let entries = all(xml, "<Ntry>", "</Ntry>");
        assert_eq!(entries.len(), rows.len(), "{m}: one entry per movement");
        let credits: i64 = entries.iter().map(|e| signed(e)).filter(|a| *a >= 0).sum();
        let debits: i64 = -entries
            .iter()
            .map(|e| signed(e))
            .filter(|a| *a < 0)
            .sum::<i64>();
        assert_eq!(
            opening + credits - debits,
            closing,
            "{m}: OPBD + credits − debits = CLBD"
        );

        let summary = one(xml, "TxsSummry");
        let credit_total = one(summary, "TtlCdtNtries");
        let debit_total = one(summary, "TtlDbtNtries");
        let n_credits = entries.iter().filter(|e| signed(e) >= 0).count();
        assert_eq!(one(credit_total, "NbOfNtries"), n_credits.to_string());
        assert_eq!(cents(one(credit_total, "Sum")), credits);
        assert_eq!(
            one(debit_total, "NbOfNtries"),
            (entries.len() - n_credits).to_string()
        );
        assert_eq!(cents(one(debit_total, "Sum")), debits);
        assert_eq!(
            one(one(summary, "TtlNtries"), "NbOfNtries"),
            entries.len().to_string()
        );

        for (e, r) in entries.iter().zip(&rows) {
            assert_eq!(one(e, "Sts"), "BOOK");
            assert_eq!(one(one(e, "BkTxCd"), "Cd"), r.kind, "{m}: the type");
            let amount = r.credit.map_or(0, |c| c.cents()) - r.debit.map_or(0, |d| d.cents());
            assert_eq!(signed(e), amount, "{m}: row {}", r.seq);
            let end_to_end = one(e, "EndToEndId");
            match &r.reference {
                Some(reference) if reference.starts_with("<Order>") => {
                    assert!(
                        end_to_end.starts_with("&lt;Order&gt; &amp; &quot;"),
                        "{end_to_end}"
                    );
                    assert!(!end_to_end.contains('\u{7}'));
                }
                Some(reference) => assert_eq!(end_to_end, reference),
                None => assert_eq!(end_to_end, "NOTPROVIDED"),
            }
            let ustrd = one(e, "Ustrd");
            assert!(ustrd.starts_with(&format!("{} ", r.kind)), "{ustrd}");
            assert!(ustrd.chars().count() <= 140);
            refs.push(one(e, "AcctSvcrRef").parse().unwrap());
        }

        let stmt = one(xml, "Stmt");
        assert!(
            statement_ids.insert(one(stmt, "Id").to_string()),
            "{m}: a statement id of its own"
        );
        let acct = one(one(stmt, "Othr"), "Id").to_string();
        assert_eq!(
            *account.get_or_insert_with(|| acct.clone()),
            acct,
            "one account"
        );
        assert!(app::server::statements::camt053::account_id_is_valid(&acct));
        assert!(xml.contains(&format!("<FrDtTm>{m}-01T00:00:00+0")), "{m}");
    }
    assert_eq!(
        refs, movements,
        "every movement once, in posting order, by its id"
    );
    assert_eq!(
        refs.iter().collect::<HashSet<_>>().len(),
        refs.len(),
        "unique AcctSvcrRef"
    );

    // Read a few movements per query, the file has the same entries.
    let month = &months[1];
    let info = app::server::identity::auth::user_by_id(
        &app.state,
        app.scalar("SELECT id FROM users WHERE email = 'info@test.example'")
            .await,
    )
    .await
    .unwrap()
    .unwrap();
    let a = app::server::identity::access::shop_access(&app.state, info, "192.0.2.1".into(), SHOP)
        .await
        .unwrap();
    let filter = app::api::statement::StatementFilter {
        period: "month".into(),
        month: month.clone(),
        ..Default::default()
    };
    let now = app.state.clock.now_ms();
    let checked = app::server::statements::statement::check(&filter, &a.time_zone, now).unwrap();
    let mut job = app::server::statements::camt053::prepare(&app.state, &a, checked, now)
        .await
        .unwrap();
    job.batch = 7;
    let permit = app.state.exports.clone().try_acquire_owned().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(app::server::statements::camt053::produce(permit, job, tx));
    let mut small = Vec::new();
    while let Some(chunk) = rx.recv().await {
        small.extend_from_slice(&chunk.expect("no error"));
    }
    let small = String::from_utf8(small).unwrap();
    validate(&small, "small-batches");
    let whole = download(&app, &c, &format!("period=month&month={month}")).await;
    let small_entries = all(&small, "<Ntry>", "</Ntry>");
    assert!(small_entries.len() > 7, "{} entries", small_entries.len());
    assert_eq!(small_entries, all(&whole.xml, "<Ntry>", "</Ntry>"));

    // The same month again: the same statement, a new message.
    let query = format!("period=month&month={}", months[0]);
    let (a, b) = (
        download(&app, &c, &query).await,
        download(&app, &c, &query).await,
    );
    assert_eq!(
        one(&a.xml, "Stmt").split("<CreDtTm>").next(),
        one(&b.xml, "Stmt").split("<CreDtTm>").next()
    );
    assert_ne!(one(&a.xml, "MsgId"), one(&b.xml, "MsgId"));

    // The page's filter: one type, the period's balances, a note that says so.
    let query = format!("period=month&month={}&kind=INCOME", months[0]);
    let file = download(&app, &c, &query).await;
    validate(&file.xml, "income");
    let (page, rows) = walk(
        &app,
        &c,
        &[
            ("period", "month"),
            ("month", months[0].as_str()),
            ("kind", "INCOME"),
        ],
    )
    .await;
    let entries = all(&file.xml, "<Ntry>", "</Ntry>");
    assert_eq!(entries.len(), rows.len());
    assert!(entries
        .iter()
        .all(|e| one(e, "Cd") == "INCOME" && signed(e) > 0));
    let balances = all(&file.xml, "<Bal>", "</Bal>");
    assert_eq!(signed(balances[0]), page.opening.cents());
    assert_eq!(signed(balances[1]), page.closing.cents());
    assert!(one(&file.xml, "AddtlStmtInf").contains("Only the movements of type INCOME"));

    // A custom period and an empty one validate too.
    let file = download(
        &app,
        &c,
        &format!("period=custom&from={}-03&to={}-20", months[0], months[0]),
    )
    .await;
    validate(&file.xml, "custom");
    assert!(file.disposition.contains(&format!(
        "statement-{SHOP}-{}-03_{}-20.xml",
        months[0], months[0]
    )));
    let file = download(&app, &c, "period=month&month=2099-01").await;
    validate(&file.xml, "empty");
    assert!(all(&file.xml, "<Ntry>", "</Ntry>").is_empty());
    let p = statement(&app, &c, &[("period", "month"), ("month", "2099-01")]).await;
    let balances = all(&file.xml, "<Bal>", "</Bal>");
    assert_eq!(
        (signed(balances[0]), signed(balances[1])),
        (p.closing.cents(), p.closing.cents())
    );
}

#[tokio::test]
async fn every_role_may_download_it_and_nobody_else() {
    let app = crate::app!();
    app.paid_payment(5_000, Channel::Visa).await;
    let movements = app.scalar("SELECT COUNT(*) FROM movements").await as usize;
    let expected = [
        (Who::Anonymous, StatusCode::UNAUTHORIZED),
        (Who::Admin, StatusCode::OK),
        (Who::Refunds, StatusCode::OK),
        (Who::Info, StatusCode::OK),
        (Who::OtherAdmin, StatusCode::NOT_FOUND),
    ];
    for (who, status) in expected {
        let c = app.client_for(who).await;
        let (s, _, text) = body(
            c.get(app.url(&format!("/shops/{SHOP}/exports/statement.xml")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, status, "{who:?}: {text}");
        if s == StatusCode::OK {
            validate(&text, &format!("{who:?}"));
            assert_eq!(all(&text, "<Ntry>", "</Ntry>").len(), movements);
        } else {
            assert!(!text.contains("<Ntry>"));
        }
    }
    // A wrong filter is named, as on the page.
    let c = app.client_for(Who::Info).await;
    let (s, _, text) = body(
        c.get(app.url(&format!(
            "/shops/{SHOP}/exports/statement.xml?period=month&month=2026-13"
        )))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("month"), "{text}");
    // The statement page's download form asks for the file with the page's filter, as a
    // plain GET form (it works before the browser part has loaded).
    let (_, _, html) = body(
        app.page(
            &c,
            "/shops/shop-a/statement?period=month&month=2026-11&kind=VAT",
        )
        .await,
    )
    .await;
    assert!(html.contains(">XML (camt.053)</button>"), "{html}");
    assert!(
        html.contains("formaction=\"/shops/shop-a/exports/statement.xml\""),
        "{html}"
    );
    for (name, value) in [("period", "month"), ("month", "2026-11"), ("kind", "VAT")] {
        assert!(
            html.contains(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{value}\""
            )),
            "{name} in {html}"
        );
    }
    assert!(
        html.contains(">Month-close pack (ZIP)</button>"),
        "a whole month: {html}"
    );
}
