//! Requests to the provider: an admin asks for another payout account (checked like the
//! refund page checks an IBAN), the request is recorded, audited and mailed to the
//! operators, payouts keep going to the contract's account until an operator applies it,
//! and the admin gets the answer; a declined request says why, a waiting one can be
//! withdrawn, one of a kind waits at a time, and no other role or merchant touches them.

use crate::harness::{body, TestApp, Who, SHOP, SHOP_B};
use app::domain::fees::Channel;
use app::model::requests::ProviderRequest;
use app::server::requests;
use reqwest::{Client, StatusCode};

const OPS: &str = "ops@provider.example";
const OLD: &str = "EE382200221020145685";
/// A second valid Estonian IBAN.
const NEW: &str = "EE47 1000 0010 2014 5685";

async fn ask(
    app: &TestApp,
    c: &Client,
    iban: &str,
    holder: &str,
    note: &str,
) -> (StatusCode, String) {
    let (s, _, b) = body(
        app.call(
            c,
            "request_payout_account",
            &[
                ("shop", SHOP),
                ("iban", iban),
                ("holder", holder),
                ("note", note),
            ],
        )
        .await,
    )
    .await;
    (s, b)
}

async fn list(app: &TestApp, c: &Client) -> Vec<ProviderRequest> {
    let (s, _, b) = body(app.call(c, "list_requests", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn account(app: &TestApp) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT payout_iban, payout_holder FROM shops WHERE slug = $1")
        .bind(SHOP)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

fn valid_new() -> String {
    app::domain::iban::Iban::parse(NEW)
        .expect("the test's IBAN is valid")
        .as_str()
        .to_string()
}

#[tokio::test]
async fn an_admin_asks_for_another_payout_account_and_the_provider_applies_it() {
    let clock = app::server::infra::clock::Clock::manual_at(
        "2027-03-01T08:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
    );
    let Some(app) = TestApp::spawn_with(clock, server::MailChoice::Memory, |env| {
        env.push(("PORTAL_OPERATOR_EMAIL".into(), OPS.into()));
    })
    .await
    else {
        return;
    };
    app::server::operations::operator::set_payout_account(&app.state, SHOP, OLD, "Shop A OÜ")
        .await
        .unwrap();
    let admin = app.client_for(Who::Admin).await;

    // Bad input is named field by field; nothing is recorded.
    let (s, b) = ask(&app, &admin, "EE47 1000 0010 2014 5686", "", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("iban") && b.contains("holder"), "{b}");
    let (s, b) = ask(&app, &admin, NEW, "Shop A OÜ", &"x".repeat(1001)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("1000 characters"), "{b}");
    let (s, b) = ask(&app, &admin, "ee38 2200 2210 2014 5685", "Shop A OÜ", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("already go to this account"), "{b}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM provider_requests").await,
        0
    );

    // A valid request: recorded, waiting, audited and mailed to the operators.
    let (s, b) = ask(&app, &admin, NEW, "Shop A OÜ", "We moved to another bank.").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: ProviderRequest = serde_json::from_str(&b).unwrap();
    assert_eq!(r.state, "open");
    assert_eq!(
        r.what,
        "New payout account EE47 1000 0010 2014 5685, Shop A OÜ"
    );
    assert_eq!(r.note, "We moved to another bank.");
    assert!(r.requested_by.contains("admin@test.example"), "{r:?}");
    assert_eq!(r.requested_at, "2027-03-01 10:00");
    assert_eq!(list(&app, &admin).await, vec![r.clone()]);
    let (s, b) = ask(&app, &admin, "EE37 1010 0112 3456 7890", "Shop A OÜ", "").await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one waits at a time: {b}"
    );
    assert!(b.contains("withdraw it first"), "{b}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'provider_request' \
             AND actor_email = 'admin@test.example' AND before_value = 'EE38 2200 2210 2014 5685, Shop A OÜ' \
             AND after_value = 'New payout account EE47 1000 0010 2014 5685, Shop A OÜ'"
        )
        .await,
        1
    );
    let mails = app.mails().await;
    let to_ops: Vec<_> = mails.iter().filter(|m| m.to == OPS).collect();
    assert_eq!(to_ops.len(), 1);
    let m = to_ops[0];
    assert!(
        m.subject.contains("New payout account") && m.subject.ends_with("(Shop A)"),
        "{}",
        m.subject
    );
    for part in [
        "admin@test.example",
        "Test Merchant",
        SHOP,
        "Now: EE38 2200 2210 2014 5685, Shop A OÜ.",
        "Asked: New payout account EE47 1000 0010 2014 5685, Shop A OÜ.",
        "We moved to another bank.",
        &format!("portal request-done --id {}", r.id),
    ] {
        assert!(m.text.contains(part), "{part:?} in {}", m.text);
    }

    // Until the provider applies it, payouts go to the contract's account.
    app.paid_payment(5_000, Channel::Swedbank).await;
    app.state.clock.advance_ms(24 * 3600 * 1000);
    let day = app::domain::calendar::Day::parse("2027-03-02").unwrap();
    let report = app::server::payouts::run::run(&app.state, day)
        .await
        .unwrap();
    assert_eq!(report.paid, 1);
    let paid_to: String = sqlx::query_scalar("SELECT iban FROM payouts")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(paid_to, OLD);
    assert_eq!(account(&app).await.0.as_deref(), Some(OLD));

    // The operator applies it: the account changes (audited), the admin is told.
    let said = requests::decide(&app.state, r.id, true, Some("Contract annex signed."))
        .await
        .unwrap();
    assert!(said.contains("done"), "{said}");
    // A day later: a new session.
    let admin = app.client_for(Who::Admin).await;
    assert_eq!(
        account(&app).await,
        (Some(valid_new()), Some("Shop A OÜ".to_string()))
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'payout_account' \
             AND before_value = 'EE38 2200 2210 2014 5685, Shop A OÜ' \
             AND after_value = 'EE47 1000 0010 2014 5685, Shop A OÜ' AND detail LIKE 'request %'"
        )
        .await,
        1
    );
    let rows = list(&app, &admin).await;
    assert_eq!(rows[0].state, "done");
    assert_eq!(rows[0].answer.as_deref(), Some("Contract annex signed."));
    assert_eq!(rows[0].decided_at.as_deref(), Some("2027-03-02 10:00"));
    let told = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "admin@test.example" && m.subject.contains("Your request is done"))
        .expect("the admin who asked is told");
    assert!(
        told.text.contains("Contract annex signed."),
        "{}",
        told.text
    );
    assert!(
        told.text.contains(&format!("/shops/{SHOP}/payouts")),
        "{}",
        told.text
    );
    // The schedule every role reads shows the new account.
    let info = app.client_for(Who::Info).await;
    let (_, _, b) = body(
        app.call(&info, "load_payout_schedule", &[("shop", SHOP)])
            .await,
    )
    .await;
    assert!(b.contains("EE47 1000 0010 2014 5685"), "{b}");

    // A decided request is not decided again, nor withdrawn.
    let again = requests::decide(&app.state, r.id, false, Some("no")).await;
    assert!(format!("{again:?}").contains("done already"), "{again:?}");
    let (s, _, b) = body(
        app.call(
            &admin,
            "withdraw_request",
            &[("shop", SHOP), ("id", &r.id.to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");

    // The next payout goes to the new account.
    app.paid_payment(7_000, Channel::Seb).await;
    app.state.clock.advance_ms(24 * 3600 * 1000);
    let day = app::domain::calendar::Day::parse("2027-03-03").unwrap();
    assert_eq!(
        app::server::payouts::run::run(&app.state, day)
            .await
            .unwrap()
            .paid,
        1
    );
    let paid_to: String =
        sqlx::query_scalar("SELECT iban FROM payouts WHERE payout_date = '2027-03-03'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(paid_to, valid_new());
}

#[tokio::test]
async fn a_declined_request_says_why_and_a_waiting_one_can_be_withdrawn() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    let (s, b) = ask(&app, &admin, NEW, "Shop A OÜ", "").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: ProviderRequest = serde_json::from_str(&b).unwrap();
    // No operator address is set: the request is recorded, and the command line lists it.
    let waiting = requests::for_operator(&app.state, false).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!((waiting[0].id, waiting[0].shop.as_str()), (r.id, SHOP));

    // Declining needs a reason, which the admin reads.
    let e = requests::decide(&app.state, r.id, false, Some("  ")).await;
    assert!(format!("{e:?}").contains("Say why"), "{e:?}");
    requests::decide(
        &app.state,
        r.id,
        false,
        Some("The holder must be the merchant."),
    )
    .await
    .unwrap();
    assert_eq!(account(&app).await.0, None, "nothing applied");
    let rows = list(&app, &admin).await;
    assert_eq!(rows[0].state, "declined");
    assert_eq!(rows[0].state_label(), "Declined");
    let told = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "admin@test.example" && m.subject.contains("declined"))
        .expect("the admin is told why");
    assert!(told.text.contains("The holder must be the merchant."));
    assert!(requests::for_operator(&app.state, false)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        requests::for_operator(&app.state, true)
            .await
            .unwrap()
            .len(),
        1
    );

    // A new request (a minute later), withdrawn by an admin; other roles and other
    // merchants cannot.
    app.advance_minutes(1);
    let (s, b) = ask(&app, &admin, NEW, "Test Merchant", "").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: ProviderRequest = serde_json::from_str(&b).unwrap();
    let id = r.id.to_string();
    for (who, status) in [
        (Who::Refunds, StatusCode::FORBIDDEN),
        (Who::Info, StatusCode::FORBIDDEN),
        (Who::OtherAdmin, StatusCode::NOT_FOUND),
    ] {
        let c = app.client_for(who).await;
        let (s, _, _) = body(
            app.call(&c, "withdraw_request", &[("shop", SHOP), ("id", &id)])
                .await,
        )
        .await;
        assert_eq!(s, status, "{who:?}");
        let (s, _, _) = body(app.call(&c, "list_requests", &[("shop", SHOP)]).await).await;
        assert_eq!(s, status, "{who:?}");
    }
    // Another shop's admin page does not reach this shop's request.
    let (s, _, _) = body(
        app.call(&admin, "withdraw_request", &[("shop", SHOP_B), ("id", &id)])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, b) = body(
        app.call(&admin, "withdraw_request", &[("shop", SHOP), ("id", &id)])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(list(&app, &admin).await[0].state, "withdrawn");
    let e = requests::decide(&app.state, r.id, true, None).await;
    assert!(format!("{e:?}").contains("withdrawn already"), "{e:?}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'provider_request'")
            .await,
        4,
        "asked, declined, asked, withdrawn"
    );
    // The page shows the admin the form and the requests; others only the account.
    let (_, _, html) = body(app.page(&admin, &format!("/shops/{SHOP}/payouts")).await).await;
    assert!(
        html.contains("Ask for another payout account"),
        "admin form"
    );
    assert!(html.contains("Withdrawn"), "the request's state");
    let info = app.client_for(Who::Info).await;
    let (_, _, html) = body(app.page(&info, &format!("/shops/{SHOP}/payouts")).await).await;
    assert!(!html.contains("Ask for another payout account"));
    assert!(html.contains("an admin of the shop asks the provider"));
}
