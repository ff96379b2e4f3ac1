//! The payout schedule: every role reads the frequency, a waiting change and the next five
//! payout days from the banking calendar; only admins change it, from the next cycle, and
//! each change is audited.

use crate::harness::{body, TestApp, Who, SHOP};
use app::model::payouts::PayoutSchedule;
use reqwest::{Client, StatusCode};

async fn load(app: &TestApp, c: &Client) -> PayoutSchedule {
    let (s, _, b) = body(app.call(c, "load_payout_schedule", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn set(app: &TestApp, c: &Client, form: &[(&str, &str)]) -> (StatusCode, String) {
    let mut f = vec![("shop", SHOP)];
    f.extend_from_slice(form);
    let (s, _, b) = body(app.call(c, "set_payout_frequency", &f).await).await;
    (s, b)
}

fn days(s: &PayoutSchedule) -> Vec<&str> {
    s.next.iter().map(|d| d.date.as_str()).collect()
}

#[tokio::test]
async fn admins_change_the_frequency_from_the_next_cycle_and_everyone_sees_the_dates() {
    let app = crate::app!();
    // Monday 22 March 2027, 10:00 in Tallinn: Good Friday is the 26th, Easter Monday the 29th.
    let target = "2027-03-22T08:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    app.state
        .clock
        .advance_ms(target - app.state.clock.now_ms());
    let info = app.client_for(Who::Info).await;
    let admin = app.client_for(Who::Admin).await;
    let s = load(&app, &info).await;
    assert_eq!(s.describe, "Every banking day");
    assert_eq!(
        days(&s),
        [
            "2027-03-22",
            "2027-03-23",
            "2027-03-24",
            "2027-03-25",
            "2027-03-30"
        ]
    );
    assert_eq!(s.next[4].weekday, "Tuesday");
    assert!(!s.can_change);
    assert!(load(&app, &admin).await.can_change);
    assert_eq!(s.iban, None, "until the provider sets it");

    // The provider sets the payout account; every role sees it.
    app::server::operations::operator::set_payout_account(
        &app.state,
        SHOP,
        "ee382200221020145685",
        "Test Merchant",
    )
    .await
    .unwrap();
    let s = load(&app, &info).await;
    assert_eq!(s.iban.as_deref(), Some("EE38 2200 2210 2014 5685"));
    assert_eq!(s.holder.as_deref(), Some("Test Merchant"));

    // Only admins change it.
    for who in [Who::Info, Who::Refunds] {
        let c = app.client_for(who).await;
        let (status, b) = set(&app, &c, &[("every", "weekly"), ("weekday", "5")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
    }
    let other = app.client_for(Who::OtherAdmin).await;
    let (status, _) = set(&app, &other, &[("every", "daily")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Fridays from the next cycle: today's payout still happens; Good Friday's moves past
    // Easter Monday to Tuesday.
    let (status, b) = set(
        &app,
        &admin,
        &[("every", "weekly"), ("weekday", "5"), ("day", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let s = load(&app, &info).await;
    assert_eq!(s.describe, "Every banking day");
    let (_, text, from) = s.pending.clone().expect("a waiting change");
    assert_eq!(
        (text.as_str(), from.as_str()),
        ("Every Friday", "2027-03-23")
    );
    assert_eq!(
        days(&s),
        [
            "2027-03-22",
            "2027-03-30",
            "2027-04-02",
            "2027-04-09",
            "2027-04-16"
        ]
    );
    let audited = app
        .scalar(format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'payout_frequency' \
             AND before_value = 'Every banking day' AND after_value = 'Every Friday from 2027-03-23' \
             AND shop_id = {}",
            app.shop_id(SHOP).await
        ))
        .await;
    assert_eq!(audited, 1);

    // Bad choices name the field.
    for (form, field) in [
        (vec![("every", "weekly"), ("weekday", "6")], "weekday"),
        (vec![("every", "monthly"), ("day", "32")], "day"),
        (vec![("every", "hourly")], "every"),
    ] {
        let (status, b) = set(&app, &admin, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.contains(field), "{field}: {b}");
    }

    // The change's day comes: Fridays are in force; choosing them again changes nothing.
    app.state.clock.advance_ms(2 * 24 * 3_600_000);
    // Two days outlast any session: sign in again.
    let (info, admin) = (
        app.client_for(Who::Info).await,
        app.client_for(Who::Admin).await,
    );
    let s = load(&app, &info).await;
    assert_eq!(s.describe, "Every Friday");
    assert_eq!(s.pending, None);
    assert_eq!(days(&s)[0], "2027-03-30");
    let (status, _) = set(&app, &admin, &[("every", "weekly"), ("weekday", "5")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'payout_frequency'")
            .await,
        1
    );
    // Monthly on the 31st from the day after the next Friday payout (30 March).
    let (status, b) = set(&app, &admin, &[("every", "monthly"), ("day", "31")]).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let s = load(&app, &info).await;
    assert_eq!(s.pending.as_ref().map(|p| p.2.as_str()), Some("2027-03-31"));
    assert_eq!(
        days(&s),
        [
            "2027-03-30",
            "2027-03-31",
            "2027-04-30",
            "2027-05-31",
            "2027-06-30"
        ]
    );
}
