//! The smallest amount each payment method takes: links below the shop's smallest are
//! refused with the minimum named, the payment page offers only the methods the amount
//! reaches (and refuses the others in the buyer's language), the operator can set a method's
//! minimum, and a fee still cut to fit a payment is explained on the payment's page.

use crate::harness::{body, TestApp, Who, SHOP};
use app::api::transactions::TxDetail;
use app::domain::fees::Channel;
use app::domain::Money;
use app::i18n::Lang;
use app::server::payments::minimums;
use reqwest::{Client, StatusCode};

async fn create_link(app: &TestApp, c: &Client, amount: &str) -> (StatusCode, String) {
    let form = [
        ("shop", SHOP),
        ("link[amount]", amount),
        ("link[reference]", "Small order"),
    ];
    let (s, _, b) = body(app.call(c, "create_payment_link", &form).await).await;
    (s, b)
}

fn token_of(created: &str) -> String {
    let link: app::api::payment_links::NewLink = serde_json::from_str(created).unwrap();
    link.url.rsplit('/').next().unwrap().to_string()
}

async fn start(app: &TestApp, token: &str, method: &str) -> String {
    let r = TestApp::client()
        .post(app.url(&format!("/pay/{token}/start")))
        .form(&[("method", method), ("lang", "et")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_link_below_the_smallest_amount_is_refused_with_the_minimum_named() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    // 2.5 % + 0.30 with VAT takes all of 0.37; 0.38 leaves a cent.
    for amount in ["0.20", "0.37"] {
        let (s, b) = create_link(&app, &admin, amount).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.contains("amount") && b.contains("at least 0.38"), "{b}");
    }
    let (s, b) = create_link(&app, &admin, "0.38").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payment_links").await,
        1,
        "only the link that reaches the minimum"
    );
}

#[tokio::test]
async fn the_page_offers_only_the_methods_the_amount_reaches() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    let (s, b) = create_link(&app, &admin, "2.00").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let token = token_of(&b);
    async fn page(app: &TestApp, token: &str) -> String {
        let path = format!("/pay/{token}?lang=et");
        let (s, _, html) = body(app.page(&TestApp::client(), &path).await).await;
        assert_eq!(s, StatusCode::OK);
        html
    }
    let html = page(&app, &token).await;
    assert!(html.contains("value=\"visa\"") && html.contains("value=\"swedbank:EE\""));

    // Cards from 5.00 in this shop: the 2.00 link no longer offers them.
    let set = minimums::set(&app.state, SHOP, "visa", Some(Money::from_cents(500)))
        .await
        .unwrap();
    assert_eq!(set, Some(Money::from_cents(500)));
    let html = page(&app, &token).await;
    assert!(!html.contains("value=\"visa\""), "{html}");
    assert!(html.contains("value=\"mastercard\"") && html.contains("value=\"swedbank:EE\""));
    // Sent anyway (an old page, a crafted form), it is refused in the buyer's language.
    let to = start(&app, &token, "visa").await;
    assert!(to.ends_with("error=error-below-minimum"), "{to}");
    let (_, _, html) = body(app.page(&TestApp::client(), &to).await).await;
    assert!(html.contains(&Lang::Et.t("error-below-minimum")), "{html}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM transactions").await, 0);
    let to = start(&app, &token, "mastercard").await;
    assert!(to.contains("/test-bank/"), "{to}");

    // Back to the price list's minimum: cards are offered again.
    assert_eq!(
        minimums::set(&app.state, SHOP, "visa", None).await.unwrap(),
        Some(Money::from_cents(38))
    );
    assert!(page(&app, &token).await.contains("value=\"visa\""));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'method_minimum'")
            .await,
        2
    );
    let e = minimums::set(&app.state, SHOP, "paypal", None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a payment method") || format!("{e:?}").contains("paypal"));
}

#[tokio::test]
async fn a_fee_cut_to_fit_the_payment_is_explained_on_its_page() {
    let app = crate::app!();
    // A payment of 0.20 (as made before minimums existed): the fixed fee is cut to 0.16.
    let t = app.paid_payment(20, Channel::Visa).await;
    let admin = app.client_for(Who::Admin).await;
    let (s, _, b) = body(
        app.call(
            &admin,
            "get_transaction",
            &[("shop", SHOP), ("id", &t.to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let d: TxDetail = serde_json::from_str(&b).unwrap();
    assert_eq!(d.net, Some(Money::ZERO));
    let text =
        "Fixed fee (TRX_FEE_FIX) capped from 0.30 to 0.16 so the payment does not go below zero.";
    assert_eq!(d.fee_caps, vec![text.to_string()]);
    let (s, _, html) = body(
        app.page(&admin, &format!("/shops/{SHOP}/transactions/{t}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(text), "{html}");

    // A payment the full fees fit says nothing of the kind.
    let t = app.paid_payment(5_000, Channel::Visa).await;
    let (_, _, b) = body(
        app.call(
            &admin,
            "get_transaction",
            &[("shop", SHOP), ("id", &t.to_string())],
        )
        .await,
    )
    .await;
    let d: TxDetail = serde_json::from_str(&b).unwrap();
    assert!(d.fee_caps.is_empty());
}
