//! Settings → General: admins change the shop's public name, time zone, contact phone,
//! notification and invoice addresses and the payment page's language; the other roles
//! are refused; bad input is named field by field; every change is audited with before
//! and after; the operator's `set-notification-email` edits the same setting.

use crate::harness::{body, TestApp, Who, SHOP};
use reqwest::StatusCode;

pub fn form<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("shop", SHOP),
        ("general[name]", "Shop A"),
        ("general[time_zone]", "Europe/Tallinn"),
        ("general[phone]", ""),
        ("general[notification_emails]", ""),
        ("general[invoice_email]", ""),
        ("general[language]", "et"),
        ("general[notification_url]", ""),
    ];
    for (k, v) in fields {
        if let Some(x) = f.iter_mut().find(|(name, _)| name == k) {
            x.1 = v;
        }
    }
    f
}

#[tokio::test]
async fn admins_change_general_settings_others_are_refused_and_changes_are_audited() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    for who in [Who::Refunds, Who::Info] {
        let c = app.client_for(who).await;
        let (status, _, _) = body(app.call(&c, "load_settings", &[("shop", SHOP)]).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}");
        let (status, _, _) = body(app.call(&c, "save_general_settings", &form(&[])).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}");
        // The admin pages answer 403 with one short text naming whom to ask, never a form.
        for (page, form) in [
            ("settings", "Save settings"),
            ("users", "Send invitation"),
            ("audit", "Filter the audit log"),
        ] {
            let r = app.page(&c, &format!("/shops/{SHOP}/{page}")).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who:?} {page}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains("No access")
                    && html.contains("Ask the shop's admin: Ada Admin (admin@test.example)")
                    && !html.contains(form)
                    && !html.contains("<form method=\"get\""),
                "{who:?} {page}: {html}"
            );
        }
        let html = app
            .page(&c, &format!("/shops/{SHOP}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("/settings\""),
            "no Settings menu item for {who:?}"
        );
    }
    let admin = app.client_for(Who::Admin).await;
    let html = app
        .page(&admin, &format!("/shops/{SHOP}/settings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Public name") && html.contains("Europe/Tallinn"));

    // Bad input: every field says what to fix; nothing changes.
    let (status, _, text) = body(
        app.call(
            &admin,
            "save_general_settings",
            &form(&[
                ("general[name]", " "),
                ("general[time_zone]", "Mars/Olympus"),
                ("general[phone]", "call me"),
                (
                    "general[notification_emails]",
                    "orders@shop-a.example, nope",
                ),
                ("general[invoice_email]", "x"),
                ("general[language]", "de"),
            ]),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    for words in [
        "Enter a name.",
        "\\\"Mars/Olympus\\\" is not a time zone",
        "Enter a phone number",
        "\\\"nope\\\": Enter an e-mail address",
        "Pick one of the payment page's languages.",
    ] {
        assert!(text.contains(words), "{words} in {text}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'shop_settings'")
            .await,
        0
    );

    let (status, _, text) = body(
        app.call(
            &admin,
            "save_general_settings",
            &form(&[
                ("general[name]", "Näidis Pood"),
                ("general[time_zone]", "Europe/Riga"),
                ("general[phone]", "+371 2000  0000"),
                (
                    "general[notification_emails]",
                    "Orders@shop-a.example;\nboss@shop-a.example",
                ),
                ("general[invoice_email]", "accounts@shop-a.example"),
                ("general[language]", "lv"),
            ]),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let row: (String, String, String, String, String, String) = sqlx::query_as(
        "SELECT name, time_zone, phone, notification_email, invoice_email, language FROM shops WHERE slug = $1",
    )
    .bind(SHOP)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "Näidis Pood".into(),
            "Europe/Riga".into(),
            "+371 2000 0000".into(),
            "orders@shop-a.example, boss@shop-a.example".into(),
            "accounts@shop-a.example".into(),
            "lv".into()
        )
    );
    let events: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT detail, before_value, after_value, actor_email FROM audit_events \
         WHERE kind = 'shop_settings' ORDER BY detail",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(events.contains(&(
        "time zone".into(),
        "Europe/Tallinn".into(),
        "Europe/Riga".into(),
        "admin@test.example".into()
    )));
    assert!(events.contains(&(
        "invoice e-mail".into(),
        "(none)".into(),
        "accounts@shop-a.example".into(),
        "admin@test.example".into()
    )));
    // Saving the same again records nothing.
    let same = form(&[
        ("general[name]", "Näidis Pood"),
        ("general[time_zone]", "Europe/Riga"),
        ("general[phone]", "+371 2000 0000"),
        (
            "general[notification_emails]",
            "orders@shop-a.example, boss@shop-a.example",
        ),
        ("general[invoice_email]", "accounts@shop-a.example"),
        ("general[language]", "lv"),
    ]);
    let (status, _, _) = body(app.call(&admin, "save_general_settings", &same).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'shop_settings'")
            .await,
        6
    );
    // The operator's command edits the same setting.
    app::server::operations::operator::set_notification_email(
        &app.state,
        SHOP,
        Some("desk@shop-a.example"),
    )
    .await
    .unwrap();
    let (_, _, text) = body(app.call(&admin, "load_settings", &[("shop", SHOP)]).await).await;
    assert!(
        text.contains("\"notification_emails\":\"desk@shop-a.example\""),
        "{text}"
    );
    // Another merchant's admin does not find the shop.
    let other = app.client_for(Who::OtherAdmin).await;
    let (status, _, _) = body(app.call(&other, "load_settings", &[("shop", SHOP)]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
