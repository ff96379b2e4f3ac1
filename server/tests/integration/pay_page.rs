//! The hosted payment page end to end over HTTP: the buyer opens a link, picks a method, the
//! test bank approves, declines or cancels, and the payment lands in the ledger exactly once.

use crate::harness::{body, TestApp, Who, SHOP, SHOP_B};
use app::api::payment_links::{LinkRow, NewLink};
use app::api::transactions::{TxPage, TxTotals};
use app::i18n::Lang;
use app::server::infra::jobs;
use app::server::payments::connector::{self, BankStatus};
use app::server::payments::pay;
use reqwest::{Client, StatusCode};

/// Makes a link as the shop's admin; returns it and its token.
pub(crate) async fn make_link(app: &TestApp, fields: &[(&str, &str)]) -> (NewLink, String) {
    let admin = app.client_for(Who::Admin).await;
    let mut form: Vec<(String, String)> = vec![("shop".into(), SHOP.into())];
    for (k, v) in fields {
        form.push((format!("link[{k}]"), v.to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _, b) = body(app.call(&admin, "create_payment_link", &form).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let link: NewLink = serde_json::from_str(&b).unwrap();
    let token = link.url.rsplit('/').next().unwrap().to_string();
    assert!(
        link.qr_svg.starts_with("<svg") && link.qr_svg.ends_with("</svg>"),
        "a QR code as inline SVG"
    );
    (link, token)
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Posts the payment page's form; returns the redirect's target.
pub(crate) async fn start(app: &TestApp, c: &Client, token: &str, form: &[(&str, &str)]) -> String {
    let r = c
        .post(app.url(&format!("/pay/{token}/start")))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

/// The payment id in a test bank address.
pub(crate) fn payment_in(bank_url: &str) -> i64 {
    bank_url
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no payment id in {bank_url}"))
}

/// Presses a button on the test bank's page; returns the redirect's target.
pub(crate) async fn bank(
    app: &TestApp,
    c: &Client,
    token: &str,
    payment: i64,
    form: &[(&str, &str)],
) -> String {
    let r = c
        .post(app.url(&format!("/test-bank/{token}/{payment}")))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    location(&r)
}

/// Follows one redirect (the buyer's return from the bank) and loads the page it leads to.
async fn follow(app: &TestApp, c: &Client, to: &str) -> (StatusCode, String) {
    let path = to.strip_prefix(&app.base).unwrap_or(to);
    let r = app.page(c, path).await;
    if r.status() == StatusCode::SEE_OTHER {
        let next = location(&r);
        let (s, _, b) = body(app.page(c, &next).await).await;
        return (s, b);
    }
    let (s, _, b) = body(r).await;
    (s, b)
}

async fn status_of(app: &TestApp, payment: i64) -> String {
    sqlx::query_scalar("SELECT status FROM transactions WHERE id = $1")
        .bind(payment)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

async fn movements_of(app: &TestApp, payment: i64) -> i64 {
    app.scalar(format!(
        "SELECT COUNT(*) FROM movements WHERE transaction_id = {payment}"
    ))
    .await
}

/// The mails to `to`, once there are `n` of them (or after ten seconds, whatever there is).
async fn mails_to(
    app: &TestApp,
    to: &str,
    n: usize,
) -> Vec<app::server::infra::mail::OutgoingMail> {
    for _ in 0..100 {
        let mails: Vec<_> = app
            .mails()
            .await
            .into_iter()
            .filter(|m| m.to == to)
            .collect();
        if mails.len() >= n {
            return mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} mails to {to}: {:?}", app.mails().await);
}

pub(crate) async fn set_notification_address(app: &TestApp) {
    app::server::operations::operator::set_notification_email(
        &app.state,
        SHOP,
        Some("orders@shop-a.example"),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_buyer_pays_with_a_bank_link_and_the_ledger_gets_it_once() {
    let app = crate::app!();
    set_notification_address(&app).await;
    let (link, token) = make_link(
        &app,
        &[
            ("amount", "1234.50"),
            ("reference", "Order 123 extra payment"),
            ("description", "Gift wrapping"),
            ("buyer_email", "mari@example.ee"),
            ("language", "et"),
        ],
    )
    .await;
    let buyer = TestApp::client();

    // The page, in the link's language, with the link's facts and the shop's methods.
    let (s, _, page) = body(app.page(&buyer, &format!("/pay/{token}")).await).await;
    assert_eq!(s, StatusCode::OK);
    for shows in [
        "Shop A",
        "1\u{202f}234,50\u{a0}€",
        "Order 123 extra payment",
        "Gift wrapping",
        &Lang::Et.t("pay-choose"),
        "lang=\"et\"",
        "value=\"swedbank:EE\"",
        "value=\"nordea:FI\"",
        "value=\"visa\"",
    ] {
        assert!(page.contains(shows), "the page lacks {shows:?}");
    }
    assert!(
        !page.contains("name=\"email\""),
        "the link has the buyer's e-mail already"
    );

    // An amount or shop sent by the page is ignored: they come from the stored link.
    let to_bank = start(
        &app,
        &buyer,
        &token,
        &[
            ("method", "swedbank:EE"),
            ("amount", "0.01"),
            ("shop", "shop-b"),
            ("lang", "lv"),
        ],
    )
    .await;
    assert!(to_bank.contains("/test-bank/"), "{to_bank}");
    let payment = payment_in(&to_bank);
    let (amount, shop, channel, lang): (i64, String, String, String) = sqlx::query_as(
        "SELECT t.amount_cents, s.slug, t.channel, t.language FROM transactions t JOIN shops s ON s.id = t.shop_id WHERE t.id = $1",
    )
    .bind(payment)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (amount, shop.as_str(), channel.as_str(), lang.as_str()),
        (123_450, SHOP, "swedbank", "lv")
    );

    // The bank page, in the buyer's language; approving sends the buyer back.
    let (s, _, bank_page) = body(
        app.page(&buyer, to_bank.strip_prefix(&app.base).unwrap())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        bank_page.contains(&Lang::Lv.t("bank-approve")),
        "{bank_page}"
    );
    assert!(bank_page.contains("<html lang=\"lv\""), "{bank_page}");
    let back = bank(
        &app,
        &buyer,
        &token,
        payment,
        &[("choice", "approve"), ("lang", "lv")],
    )
    .await;
    assert_eq!(back, format!("/pay/{token}/return/{payment}"));
    let (s, result) = follow(&app, &buyer, &back).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        result.contains(&Lang::Lv.t("result-paid-title")),
        "{result}"
    );
    assert!(result.contains("mari@example.ee"));

    assert_eq!(status_of(&app, payment).await, "approved");
    let posted = movements_of(&app, payment).await;
    assert!(posted >= 2, "INCOME and its fees: {posted}");
    // The bank's own notification arrives too (and again): nothing more is posted.
    for _ in 0..2 {
        let r = buyer
            .post(app.url("/connector/test/notify"))
            .form(&[("payment", payment.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let (s, _) = follow(&app, &buyer, &back).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(movements_of(&app, payment).await, posted);
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE transaction_id = {payment} AND kind = 'INCOME'"
        ))
        .await,
        1
    );

    // A single-use link is paid now; its page says so.
    let (s, _, again) = body(app.page(&buyer, &format!("/pay/{token}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(again.contains(&Lang::Et.t("link-paid-title")), "{again}");
    assert!(!again.contains("value=\"swedbank:EE\""));
    let admin = app.client_for(Who::Admin).await;
    let (_, _, b) = body(
        app.call(&admin, "list_payment_links", &[("shop", SHOP)])
            .await,
    )
    .await;
    let rows: Vec<LinkRow> = serde_json::from_str::<app::api::payment_links::LinkPage>(&b)
        .unwrap()
        .rows;
    assert_eq!(
        (rows[0].status.as_str(), rows[0].payments_made),
        ("paid", 1)
    );
    assert_eq!(rows[0].id, link.id);
    // The payment's page says where it came from.
    let (s, _, b) = body(
        app.call(
            &admin,
            "get_transaction",
            &[("shop", SHOP), ("id", &payment.to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let detail: app::api::transactions::TxDetail = serde_json::from_str(&b).unwrap();
    assert_eq!(
        detail.origin.as_deref(),
        Some("Payment link, paid on the page in Latviešu")
    );

    // A receipt in the language the buyer paid in, and a notice to the shop; once each.
    let mails = app.mails().await;
    let receipts: Vec<_> = mails.iter().filter(|m| m.to == "mari@example.ee").collect();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    let receipt = receipts[0];
    assert!(receipt.text.contains(&Lang::Lv.tf(
        "receipt-reference",
        &[("reference", "Order 123 extra payment")]
    )));
    assert!(
        receipt.text.contains("1\u{202f}234,50\u{a0}€"),
        "{}",
        receipt.text
    );
    assert!(receipt.html.contains("lang=\"lv\""));
    let notices: Vec<_> = mails
        .iter()
        .filter(|m| m.to == "orders@shop-a.example")
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].text.contains("Order 123 extra payment"));
    assert!(notices[0]
        .text
        .contains(&format!("/shops/{SHOP}/transactions/{payment}")));
}

#[tokio::test]
async fn twenty_concurrent_confirmations_post_one_set_of_movements() {
    let app = crate::app!();
    let (_, token) = make_link(&app, &[("amount", "80.00"), ("reference", "Race")]).await;
    let buyer = TestApp::client();
    let to_bank = start(
        &app,
        &buyer,
        &token,
        &[("method", "seb:LV"), ("email", "race@example.lv")],
    )
    .await;
    let payment = payment_in(&to_bank);
    assert!(
        connector::test_bank_decide(&app.state, payment, BankStatus::Approved)
            .await
            .unwrap()
    );

    let mut tasks = Vec::new();
    for i in 0..20 {
        let (c, url) = (TestApp::client(), app.base.clone());
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            // Half are the bank's notifications, half the buyer coming back.
            let r = if i % 2 == 0 {
                c.post(format!("{url}/connector/test/notify"))
                    .form(&[("payment", payment.to_string())])
                    .send()
                    .await
            } else {
                c.get(format!("{url}/pay/{token}/return/{payment}"))
                    .send()
                    .await
            };
            r.unwrap().status()
        }));
    }
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == StatusCode::OK || s == StatusCode::SEE_OTHER, "{s}");
    }
    assert_eq!(status_of(&app, payment).await, "approved");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM transactions WHERE payment_link_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE transaction_id = {payment} AND kind = 'INCOME'"
        ))
        .await,
        1
    );
    let one_set = movements_of(&app, payment).await;
    let single = app
        .paid_payment(8_000, app::domain::fees::Channel::Seb)
        .await;
    assert_eq!(
        one_set,
        movements_of(&app, single).await,
        "one set of movements"
    );
    assert_eq!(
        app.scalar("SELECT payments_made FROM payment_links").await,
        1
    );
    assert_eq!(
        app.mails()
            .await
            .iter()
            .filter(|m| m.to == "race@example.lv")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_declined_bank_then_a_card_with_3_d_secure() {
    let app = crate::app!();
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "19.99"),
            ("reference", "Retry"),
            ("language", "ru"),
        ],
    )
    .await;
    let buyer = TestApp::client();

    let to_bank = start(&app, &buyer, &token, &[("method", "citadele:LT")]).await;
    let first = payment_in(&to_bank);
    let back = bank(&app, &buyer, &token, first, &[("choice", "decline")]).await;
    let (_, page) = follow(&app, &buyer, &back).await;
    assert!(page.contains(&Lang::Ru.t("result-failed-title")), "{page}");
    assert!(page.contains("value=\"visa\""), "the buyer may try again");
    assert_eq!(status_of(&app, first).await, "cancelled");
    assert_eq!(movements_of(&app, first).await, 0);
    // Deciding again at the bank changes nothing.
    bank(&app, &buyer, &token, first, &[("choice", "approve")]).await;
    pay::confirm(&app.state, first).await.unwrap();
    assert_eq!(status_of(&app, first).await, "cancelled");

    // A card: details, then the 3-D Secure code; a wrong code is asked again.
    let to_card = start(
        &app,
        &buyer,
        &token,
        &[
            ("method", "visa"),
            ("email", "Ivan@Example.com"),
            ("lang", "ru"),
        ],
    )
    .await;
    let card = payment_in(&to_card);
    let (s, _, card_page) = body(
        app.page(&buyer, to_card.strip_prefix(&app.base).unwrap())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(card_page.contains(&Lang::Ru.t("card-number")));
    let step = bank(
        &app,
        &buyer,
        &token,
        card,
        &[("choice", "card"), ("lang", "ru")],
    )
    .await;
    assert!(step.contains("step=3ds"), "{step}");
    let (_, _, tds) = body(app.page(&buyer, &step).await).await;
    let code = pay::three_ds_code(card);
    assert!(
        tds.contains(&Lang::Ru.t("tds-title")) && tds.contains(&code),
        "{tds}"
    );
    let wrong = bank(
        &app,
        &buyer,
        &token,
        card,
        &[("choice", "confirm"), ("code", "000000x"), ("lang", "ru")],
    )
    .await;
    assert!(wrong.contains("wrong=1"));
    assert_eq!(status_of(&app, card).await, "created");
    let back = bank(
        &app,
        &buyer,
        &token,
        card,
        &[("choice", "confirm"), ("code", &code), ("lang", "ru")],
    )
    .await;
    let (_, done) = follow(&app, &buyer, &back).await;
    assert!(done.contains(&Lang::Ru.t("result-paid-title")), "{done}");
    assert_eq!(status_of(&app, card).await, "approved");
    let receipt = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "ivan@example.com")
        .expect("a receipt");
    assert!(receipt.subject.contains("19,99"), "{}", receipt.subject);
}

#[tokio::test]
async fn payments_left_unfinished_expire_after_30_minutes() {
    let app = crate::app!();
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "5.00"),
            ("reference", "Slow"),
            ("usage", "reusable"),
        ],
    )
    .await;
    let buyer = TestApp::client();
    let left = payment_in(&start(&app, &buyer, &token, &[("method", "lhv:EE")]).await);
    let approved_unheard = payment_in(&start(&app, &buyer, &token, &[("method", "lhv:EE")]).await);
    // The bank approved the second, but neither the buyer nor the notice came back.
    connector::test_bank_decide(&app.state, approved_unheard, BankStatus::Approved)
        .await
        .unwrap();

    app.advance_minutes(29);
    assert_eq!(
        app.run_job(app::server::payments::pay::EXPIRY_JOB)
            .await
            .done,
        0
    );
    assert_eq!(status_of(&app, left).await, "created");
    app.advance_minutes(2);
    assert_eq!(
        app.run_job(app::server::payments::pay::EXPIRY_JOB)
            .await
            .done,
        1
    );
    assert_eq!(status_of(&app, left).await, "expired");
    assert_eq!(
        status_of(&app, approved_unheard).await,
        "approved",
        "asked the bank first"
    );

    // Too late at the bank: nothing is decided, and the buyer sees that it timed out.
    let back = bank(&app, &buyer, &token, left, &[("choice", "approve")]).await;
    let (_, page) = follow(&app, &buyer, &back).await;
    assert!(page.contains(&Lang::Et.t("result-expired-text")), "{page}");
    assert_eq!(status_of(&app, left).await, "expired");
    assert_eq!(movements_of(&app, left).await, 0);
}

#[tokio::test]
async fn a_payment_that_cannot_be_settled_is_skipped_and_the_others_still_expire() {
    let app = crate::app!();
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "5.00"),
            ("reference", "Stuck"),
            ("usage", "reusable"),
        ],
    )
    .await;
    let buyer = TestApp::client();
    let orphan = payment_in(&start(&app, &buyer, &token, &[("method", "lhv:EE")]).await);
    let left = payment_in(&start(&app, &buyer, &token, &[("method", "lhv:EE")]).await);
    // The oldest unfinished payment went through a connector this server no longer has, so
    // asking about it fails every time.
    sqlx::query(
        "UPDATE transactions SET connector = 'retired-bank', created_at = created_at - 1000 WHERE id = $1",
    )
    .bind(orphan)
    .execute(&app.state.db.pool)
    .await
    .unwrap();

    app.advance_minutes(31);
    let outcome = app.run_job(app::server::payments::pay::EXPIRY_JOB).await;
    assert_eq!((outcome.done, outcome.failed), (1, 1), "{outcome:?}");
    assert_eq!(status_of(&app, left).await, "expired", "the row after it");
    assert_eq!(status_of(&app, orphan).await, "created");
    assert!(
        outcome.errors[0].starts_with(&format!("payment {orphan}:"))
            && outcome.errors[0].contains("retired-bank"),
        "{outcome:?}"
    );

    // The operator sees the run: when, how long, what it did and what failed.
    let run = jobs::status(&app.state, &app::server::jobs())
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.name == app::server::payments::pay::EXPIRY_JOB)
        .unwrap();
    assert_eq!(run.last_outcome.as_deref(), Some("row_errors"));
    assert_eq!((run.last_done, run.last_failed, run.runs), (1, 1, 1));
    assert_eq!(run.last_started_at, Some(app.state.clock.now_ms()));
    assert!(run.last_duration_ms.is_some() && run.lease_holder.is_none());
    assert!(
        run.last_errors.unwrap_or_default().contains("retired-bank"),
        "the error's text is kept"
    );
}

#[tokio::test]
async fn links_that_cannot_be_paid_get_a_friendly_page_that_reveals_nothing() {
    let app = crate::app!();
    let buyer = TestApp::client();

    // Unknown: 404 in the browser's language.
    let r = buyer
        .get(app.url("/pay/no-such-link"))
        .header("Accept-Language", "lv-LV,lv;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let (s, _, b) = body(r).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(b.contains(&Lang::Lv.t("link-unknown-title")), "{b}");

    // Deactivated with a message: 410 in the link's language, with the message only.
    let (link, token) = make_link(
        &app,
        &[
            ("amount", "42.00"),
            ("reference", "Secret ref"),
            ("language", "lt"),
        ],
    )
    .await;
    let admin = app.client_for(Who::Admin).await;
    let r = app
        .call(
            &admin,
            "deactivate_payment_link",
            &[
                ("shop", SHOP),
                ("id", &link.id.to_string()),
                ("message", "Apmokėta pavedimu"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (s, _, b) = body(app.page(&buyer, &format!("/pay/{token}")).await).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(
        b.contains(&Lang::Lt.t("link-deactivated-title")) && b.contains("Apmokėta pavedimu"),
        "{b}"
    );
    for hidden in ["Secret ref", "Shop A", "42,00", "Test Merchant"] {
        assert!(!b.contains(hidden), "the page reveals {hidden:?}");
    }
    // Paying it anyway is refused: back to its page, nothing recorded.
    let to = start(&app, &buyer, &token, &[("method", "swedbank:EE")]).await;
    assert_eq!(to, format!("/pay/{token}"));

    // Expired: 410, in the language asked for.
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "3.00"),
            ("reference", "Old"),
            ("expires_days", "1"),
        ],
    )
    .await;
    app.advance_minutes(24 * 60 + 1);
    let (s, _, b) = body(app.page(&buyer, &format!("/pay/{token}?lang=en")).await).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(b.contains(&Lang::En.t("link-expired-title")), "{b}");
    assert!(!b.contains("Old"));
    start(&app, &buyer, &token, &[("method", "swedbank:EE")]).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM transactions").await, 0);
}

#[tokio::test]
async fn bad_choices_on_the_page_get_a_message_in_the_buyers_language() {
    let app = crate::app!();
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "7.00"),
            ("reference", "Choices"),
            ("language", "lv"),
        ],
    )
    .await;
    let buyer = TestApp::client();
    for (form, key) in [
        (vec![("lang", "lv")], "error-choose-method"),
        (
            vec![("method", "paypal"), ("lang", "lv")],
            "error-method-unavailable",
        ),
        // A Finnish bank exists, but not in Estonia.
        (
            vec![("method", "nordea:EE"), ("lang", "lv")],
            "error-method-unavailable",
        ),
        (
            vec![
                ("method", "seb:LV"),
                ("email", "not an address"),
                ("lang", "lv"),
            ],
            "error-email",
        ),
    ] {
        let to = start(&app, &buyer, &token, &form).await;
        assert!(to.ends_with(&format!("error={key}")), "{to}");
        let (s, _, page) = body(app.page(&buyer, &to).await).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&Lang::Lv.t(key)), "{key}: {page}");
    }
    // Words that are not one of the page's messages are not shown.
    let (_, _, page) = body(
        app.page(&buyer, &format!("/pay/{token}?error=Send+money+to+evil"))
            .await,
    )
    .await;
    assert!(!page.contains("evil"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM transactions").await, 0);
}

#[tokio::test]
async fn the_page_speaks_every_language_and_the_switcher_keeps_the_link() {
    let app = crate::app!();
    let (_, token) = make_link(&app, &[("amount", "10.00"), ("reference", "Langs")]).await;
    let buyer = TestApp::client();
    for lang in Lang::ALL {
        let (s, _, page) = body(
            app.page(&buyer, &format!("/pay/{token}?lang={}", lang.code()))
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        // The whole document is in the page's language, for screen readers.
        assert!(
            page.contains(&format!("<html lang=\"{}\"", lang.code())),
            "{}: {page}",
            lang.code()
        );
        for key in ["pay-choose", "pay-email", "pay-redirect-note", "pay-cards"] {
            assert!(page.contains(&lang.t(key)), "{}: {key}", lang.code());
        }
        for other in Lang::ALL {
            assert!(page.contains(&format!("href=\"/pay/{token}?lang={}\"", other.code())));
        }
    }
}

#[tokio::test]
async fn a_reusable_link_takes_payments_up_to_its_maximum() {
    let app = crate::app!();
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "2.50"),
            ("reference", "Membership"),
            ("usage", "reusable"),
            ("max_payments", "2"),
        ],
    )
    .await;
    let buyer = TestApp::client();
    for n in 1..=2 {
        let payment = payment_in(&start(&app, &buyer, &token, &[("method", "swedbank:EE")]).await);
        bank(&app, &buyer, &token, payment, &[("choice", "approve")]).await;
        pay::confirm(&app.state, payment).await.unwrap();
        assert_eq!(
            app.scalar("SELECT payments_made FROM payment_links").await,
            n
        );
    }
    let (_, _, page) = body(app.page(&buyer, &format!("/pay/{token}")).await).await;
    assert!(page.contains(&Lang::Et.t("link-paid-title")), "{page}");
    assert_eq!(
        start(&app, &buyer, &token, &[("method", "swedbank:EE")]).await,
        format!("/pay/{token}")
    );
}

#[tokio::test]
async fn an_invoice_goes_to_the_buyer_in_the_links_language_and_is_audited() {
    let app = crate::app!();
    let (link, token) = make_link(
        &app,
        &[
            ("amount", "150.00"),
            ("reference", "Invoice 77"),
            ("description", "Winter tyres"),
            ("buyer_name", "Jānis Bērziņš"),
            ("language", "lv"),
        ],
    )
    .await;
    let id = link.id.to_string();
    let staff = app.client_for(Who::Refunds).await;
    // The link has no buyer address: one must be given.
    let (s, _, b) = body(
        app.call(&staff, "send_payment_link", &[("shop", SHOP), ("id", &id)])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("e-mail"), "{b}");
    let (s, _, b) = body(
        app.call(
            &staff,
            "send_payment_link",
            &[("shop", SHOP), ("id", &id), ("email", "Janis@Example.lv")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mail = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "janis@example.lv")
        .expect("the invoice");
    let amount = Lang::Lv.money(app::domain::Money::from_cents(15_000));
    assert_eq!(
        mail.subject,
        Lang::Lv.tf(
            "invoice-subject",
            &[("merchant", "Shop A"), ("amount", &amount)]
        )
    );
    for part in [&mail.text, &mail.html] {
        for shows in [
            "Jānis Bērziņš",
            "Invoice 77",
            "Winter tyres",
            &amount,
            &format!("/pay/{token}?lang=lv"),
        ] {
            assert!(part.contains(shows), "{shows:?} missing in {part}");
        }
    }
    assert!(mail.text.contains(&Lang::Lv.t("invoice-button")));
    let valid_until = Lang::Lv.t("invoice-valid-until");
    let valid_until = valid_until.split("{ $date }").next().unwrap();
    assert!(mail.text.contains(valid_until) && mail.html.contains(valid_until));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'payment_link_sent'")
            .await,
        1
    );
    // The audit log's filter knows the kind and shows who sent it to whom.
    let admin = app.client_for(Who::Admin).await;
    let (s, _, log) = body(
        app.call(
            &admin,
            "list_audit",
            &[("shop", SHOP), ("kind", "payment_link_sent")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    assert!(
        log.contains("refunds@test.example") && log.contains("janis@example.lv"),
        "{log}"
    );
    // Info-only may not send; a link that cannot be paid is not sent.
    let info = app.client_for(Who::Info).await;
    let r = app
        .call(
            &info,
            "send_payment_link",
            &[("shop", SHOP), ("id", &id), ("email", "x@example.com")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = app.client_for(Who::Admin).await;
    app.call(
        &admin,
        "deactivate_payment_link",
        &[("shop", SHOP), ("id", &id)],
    )
    .await;
    let r = app
        .call(
            &staff,
            "send_payment_link",
            &[("shop", SHOP), ("id", &id), ("email", "x@example.com")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.mails()
            .await
            .iter()
            .filter(|m| m.to == "x@example.com")
            .count(),
        0
    );
}

#[tokio::test]
async fn the_list_filters_by_status_and_search() {
    let app = crate::app!();
    make_link(
        &app,
        &[
            ("amount", "1.00"),
            ("reference", "Alpha order"),
            ("buyer_email", "a@example.com"),
        ],
    )
    .await;
    let (b, _) = make_link(&app, &[("amount", "2.00"), ("reference", "Beta order")]).await;
    let admin = app.client_for(Who::Admin).await;
    app.call(
        &admin,
        "deactivate_payment_link",
        &[("shop", SHOP), ("id", &b.id.to_string())],
    )
    .await;
    let list = |status: &'static str, q: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let (s, _, body) = body(
                app.call(
                    admin,
                    "list_payment_links",
                    &[("shop", SHOP), ("status", status), ("q", q)],
                )
                .await,
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let rows: Vec<LinkRow> =
                serde_json::from_str::<app::api::payment_links::LinkPage>(&body)
                    .unwrap()
                    .rows;
            rows.into_iter().map(|r| r.reference).collect::<Vec<_>>()
        }
    };
    assert_eq!(list("", "").await.len(), 2);
    assert_eq!(list("active", "").await, ["Alpha order"]);
    assert_eq!(list("deactivated", "").await, ["Beta order"]);
    assert_eq!(list("", "A@EXAMPLE").await, ["Alpha order"]);
    assert_eq!(list("", "beta").await, ["Beta order"]);
    assert!(list("paid", "").await.is_empty());
    let r = app
        .call(
            &admin,
            "list_payment_links",
            &[("shop", SHOP), ("status", "bogus")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn one_address_cannot_flood_a_link_with_attempts() {
    let app = crate::app!();
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "1.00"),
            ("reference", "Flood"),
            ("usage", "reusable"),
        ],
    )
    .await;
    let buyer = TestApp::client();
    for _ in 0..pay::MAX_ATTEMPTS {
        let to = start(&app, &buyer, &token, &[("method", "seb:EE")]).await;
        assert!(to.contains("/test-bank/"), "{to}");
    }
    let to = start(
        &app,
        &buyer,
        &token,
        &[("method", "seb:EE"), ("lang", "en")],
    )
    .await;
    assert!(to.ends_with("error=error-too-many"), "{to}");
    let (_, _, page) = body(app.page(&buyer, &to).await).await;
    assert!(page.contains(&Lang::En.t("error-too-many")));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM transactions").await,
        pay::MAX_ATTEMPTS
    );
    // Ten minutes later the address may try again.
    app.advance_minutes(11);
    let to = start(&app, &buyer, &token, &[("method", "seb:EE")]).await;
    assert!(to.contains("/test-bank/"), "{to}");
}

/// A connector whose bank cannot be reached.
struct Unreachable;

impl connector::Connector for Unreachable {
    fn id(&self) -> &'static str {
        "unreachable"
    }
    fn start<'a>(
        &'a self,
        _: &'a app::server::AppState,
        _: connector::StartRequest<'a>,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = app::error::AppResult<String>> + Send + 'a>,
    > {
        Box::pin(async { Err(app::error::AppError::Internal) })
    }
    fn status<'a>(
        &'a self,
        _: &'a app::server::AppState,
        _: i64,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = app::error::AppResult<BankStatus>> + Send + 'a>,
    > {
        Box::pin(async { Err(app::error::AppError::Internal) })
    }
}

#[tokio::test]
async fn a_bank_that_cannot_be_reached_leaves_a_clear_message_and_a_closed_attempt() {
    let app = crate::app!();
    let (_, token) = make_link(&app, &[("amount", "9.00"), ("reference", "Down")]).await;
    let mut state = app.state.clone();
    state.live_connector = Some(std::sync::Arc::new(Unreachable));
    let form = pay::StartForm {
        method: "seb:EE".into(),
        ..Default::default()
    };
    assert_eq!(
        pay::start(&state, &token, &form, None).await,
        Err(pay::StartRefused::Message("error-internal"))
    );
    let (status, connector): (String, String) =
        sqlx::query_as("SELECT status, connector FROM transactions")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), connector.as_str()),
        ("cancelled", "unreachable")
    );
    // The link can still be paid.
    let buyer = TestApp::client();
    let to = start(&app, &buyer, &token, &[("method", "seb:EE")]).await;
    assert!(to.contains("/test-bank/"), "{to}");
}

#[tokio::test]
async fn the_transactions_list_shows_the_payments_of_one_link() {
    let app = crate::app!();
    let (club, club_token) = make_link(
        &app,
        &[
            ("amount", "12.00"),
            ("reference", "Club fee"),
            ("usage", "reusable"),
        ],
    )
    .await;
    let (_, other_token) = make_link(&app, &[("amount", "3.00"), ("reference", "Other")]).await;
    let buyer = TestApp::client();
    let mut club_payments = Vec::new();
    for (token, choice) in [
        (&club_token, "approve"),
        (&club_token, "cancel"),
        (&other_token, "approve"),
    ] {
        let payment = payment_in(&start(&app, &buyer, token, &[("method", "seb:EE")]).await);
        bank(&app, &buyer, token, payment, &[("choice", choice)]).await;
        pay::confirm(&app.state, payment).await.unwrap();
        if *token == club_token {
            club_payments.push(payment);
        }
    }
    let info = app.client_for(Who::Info).await;
    let link = club.id.to_string();
    let call = |endpoint: &'static str, shop: &'static str, link: String| {
        let info = info.clone();
        let app = &app;
        async move {
            let form = [("shop", shop.to_string()), ("filter[link]", link)];
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            body(app.call(&info, endpoint, &form).await).await
        }
    };

    // Both attempts through the link, the paid one and the cancelled one, and nothing else.
    let (s, _, b) = call("list_transactions", SHOP, link.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let page: TxPage = serde_json::from_str(&b).unwrap();
    let mut ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    ids.sort();
    club_payments.sort();
    assert_eq!(ids, club_payments);
    assert_eq!(page.link_reference.as_deref(), Some("Club fee"));
    let (s, _, b) = call("transaction_totals", SHOP, link.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let totals: TxTotals = serde_json::from_str(&b).unwrap();
    assert_eq!((totals.count, totals.gross.cents()), (2, 1200));

    // The export says which link it holds.
    let r = info
        .get(app.url(&format!(
            "/shops/{SHOP}/exports/transactions.csv?link={link}"
        )))
        .send()
        .await
        .unwrap();
    let (s, _, csv) = body(r).await;
    assert_eq!(s, StatusCode::OK, "{csv}");
    assert!(
        csv.contains("Filter,\"payment link \"\"Club fee\"\"\""),
        "{csv}"
    );
    assert_eq!(csv.matches("Club fee,").count(), 2, "{csv}");

    // Another shop's view of the link, and a damaged value, are mistakes to fix.
    for (shop, link) in [(SHOP_B, link.clone()), (SHOP, "12abc".to_string())] {
        let (s, _, b) = call("list_transactions", shop, link).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.contains("no such payment link"), "{b}");
    }

    // The links page leads to them.
    let (_, _, links_page) = body(
        app.page(&info, &format!("/shops/{SHOP}/payment-links"))
            .await,
    )
    .await;
    assert!(
        links_page.contains(&format!("href=\"/shops/{SHOP}/transactions?link={link}\"")),
        "{links_page}"
    );
    let (s, _, tx_page) = body(
        app.page(&info, &format!("/shops/{SHOP}/transactions?link={link}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        tx_page.contains("Payments through the payment link"),
        "{tx_page}"
    );
    assert!(!tx_page.contains(">Other<"), "{tx_page}");
}

#[tokio::test]
async fn a_single_use_link_paid_in_two_tabs_keeps_both_payments_and_says_so() {
    let app = crate::app!();
    set_notification_address(&app).await;
    let (link, token) = make_link(&app, &[("amount", "40.00"), ("reference", "Two tabs")]).await;
    let buyer = TestApp::client();
    // Both tabs reach the bank before either payment is approved.
    let first = payment_in(&start(&app, &buyer, &token, &[("method", "seb:EE")]).await);
    let second = payment_in(&start(&app, &buyer, &token, &[("method", "lhv:EE")]).await);
    for payment in [first, second] {
        bank(&app, &buyer, &token, payment, &[("choice", "approve")]).await;
        pay::confirm(&app.state, payment).await.unwrap();
        assert_eq!(status_of(&app, payment).await, "approved");
    }
    // The money was taken twice, so both payments stand; the link counts its one payment.
    assert_eq!(
        app.scalar("SELECT payments_made FROM payment_links").await,
        1
    );
    // The test bank also notifies the portal on its own: its mails may still be on the way.
    let notices = mails_to(&app, "orders@shop-a.example", 2).await;
    // The later approval's notice says so (the two may arrive in either order).
    let warned: Vec<_> = notices
        .iter()
        .filter(|m| m.text.contains("had already been paid"))
        .collect();
    assert_eq!(warned.len(), 1, "{notices:?}");
    assert!(
        warned[0]
            .text
            .contains(&format!("had already been paid (payment ID {first})")),
        "{}",
        warned[0].text
    );

    // Each payment's page points to the other, and its origin to the link's payments.
    let admin = app.client_for(Who::Admin).await;
    for (this, other) in [(first, second), (second, first)] {
        let (s, _, b) = body(
            app.call(
                &admin,
                "get_transaction",
                &[("shop", SHOP), ("id", &this.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let d: app::api::transactions::TxDetail = serde_json::from_str(&b).unwrap();
        assert_eq!((d.link_id, d.also_paid), (Some(link.id), vec![other]));
        let (_, _, page) = body(
            app.page(&admin, &format!("/shops/{SHOP}/transactions/{this}"))
                .await,
        )
        .await;
        assert!(page.contains("it was paid more than once"), "{page}");
        assert!(page.contains(&format!("href=\"/shops/{SHOP}/transactions/{other}\"")));
        assert!(page.contains(&format!(
            "href=\"/shops/{SHOP}/transactions?link={}\"",
            link.id
        )));
    }

    // A reusable link's payments are not doubles of each other.
    let (_, reusable) = make_link(
        &app,
        &[
            ("amount", "5.00"),
            ("reference", "Many"),
            ("usage", "reusable"),
        ],
    )
    .await;
    let a = payment_in(&start(&app, &buyer, &reusable, &[("method", "seb:EE")]).await);
    let b = payment_in(&start(&app, &buyer, &reusable, &[("method", "seb:EE")]).await);
    for payment in [a, b] {
        bank(&app, &buyer, &reusable, payment, &[("choice", "approve")]).await;
        pay::confirm(&app.state, payment).await.unwrap();
    }
    assert!(
        pay::other_payments_of_single_use_link(&app.state.db.pool, b)
            .await
            .unwrap()
            .is_empty()
    );
}
