use crate::app;
use crate::harness::{body, TestApp, Who, PASSWORD, SHOP};
use reqwest::StatusCode;

const NEW: &str = "a brand new long password";

#[tokio::test]
async fn forgotten_password_link_works_once() {
    let app = app!();
    let c = TestApp::client();
    assert_eq!(
        app.call(
            &c,
            "request_password_reset",
            &[("email", "Info@test.example")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let mail = app.mails().await.pop().expect("a reset mail");
    assert_eq!(mail.to, "info@test.example");
    assert!(mail.html.contains("<a href=\"") && mail.text.contains("30 minutes"));
    let link = app
        .link_in_mail("info@test.example", "/reset-password/")
        .await;
    let token = link.trim_start_matches("/reset-password/");
    assert!(token.len() >= 43, "256-bit token: {token}");
    // Only the hash is stored.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_tokens WHERE token_hash = $1")
        .bind(token)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(app.page(&c, &link).await.status(), StatusCode::OK);
    let r = app
        .call(
            &c,
            "reset_password",
            &[("token", token), ("password", NEW), ("confirm", NEW)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.sign_in(&c, "info@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.sign_in(&c, "info@test.example", NEW).await.status(),
        StatusCode::OK
    );
    let (s, _, text) = body(
        app.call(
            &c,
            "reset_password",
            &[("token", token), ("password", NEW), ("confirm", NEW)],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(text.contains("expired or was already used"), "{text}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'password_reset'")
            .await,
        1
    );
}

#[tokio::test]
async fn reset_links_expire_after_thirty_minutes_and_unknown_addresses_get_no_mail() {
    let app = app!();
    let c = TestApp::client();
    app.call(
        &c,
        "request_password_reset",
        &[("email", "nobody@test.example")],
    )
    .await;
    assert!(app.mails().await.is_empty());
    let (s, _, text) = body(
        app.call(&c, "request_password_reset", &[("email", "not-an-address")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("name@example.com"), "{text}");
    app.call(
        &c,
        "request_password_reset",
        &[("email", "info@test.example")],
    )
    .await;
    let link = app
        .link_in_mail("info@test.example", "/reset-password/")
        .await;
    app.advance_minutes(31);
    let token = link.trim_start_matches("/reset-password/");
    let r = app
        .call(
            &c,
            "reset_password",
            &[("token", token), ("password", NEW), ("confirm", NEW)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn new_passwords_need_twelve_to_1024_characters_and_a_matching_confirmation() {
    let app = app!();
    let c = app.client_for(Who::Refunds).await;
    let long = "x".repeat(1025);
    for (pw, confirm, field_msg) in [
        ("elevenchars", "elevenchars", "at least 12 characters"),
        (long.as_str(), long.as_str(), "at most 1024"),
        (NEW, "something else entirely", "two passwords differ"),
    ] {
        let (s, _, text) = body(
            app.call(
                &c,
                "change_password",
                &[
                    ("current", PASSWORD),
                    ("password", pw),
                    ("confirm", confirm),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(text.contains(field_msg), "{text}");
    }
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = app!();
    let here = app.client_for(Who::Refunds).await;
    let elsewhere = app.client_for(Who::Refunds).await;
    let (s, _, text) = body(
        app.call(
            &here,
            "change_password",
            &[
                ("current", "not my password"),
                ("password", NEW),
                ("confirm", NEW),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("not your current password"), "{text}");
    let r = app
        .call(
            &here,
            "change_password",
            &[("current", PASSWORD), ("password", NEW), ("confirm", NEW)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.call(&here, "load_shop", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&elsewhere, "load_shop", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in(&TestApp::client(), "refunds@test.example", NEW)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'password_changed'")
            .await,
        1
    );
    // The hash never leaves the server.
    let (_, _, me) = body(app.call(&here, "current_account", &[]).await).await;
    assert!(!me.contains("argon2") && !me.contains("password"), "{me}");
}

#[tokio::test]
async fn invited_user_sets_a_password_within_seven_days_and_signs_in() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let r = app
        .call(
            &admin,
            "invite_user",
            &[
                ("shop", SHOP),
                ("email", "New.Person@Test.example"),
                ("name", ""),
                ("role", "info_refunds"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let mail = app.mails().await.pop().unwrap();
    assert_eq!(mail.to, "new.person@test.example");
    assert!(mail.subject.contains("Shop A"));
    assert!(mail.text.contains("Ada Admin") && mail.text.contains("User (info & refunds)"));
    assert!(
        mail.html.contains(&format!("href=\"{}/invite/", app.base)),
        "{}",
        mail.html
    );
    let link = app
        .link_in_mail("new.person@test.example", "/invite/")
        .await;
    let token = link.trim_start_matches("/invite/");
    let guest = TestApp::client();
    let (_, _, details) = body(app.call(&guest, "get_invite", &[("token", token)]).await).await;
    assert!(details.contains("new.person@test.example"), "{details}");
    // Not yet able to sign in, and listed as invited.
    assert_eq!(
        app.sign_in(&guest, "new.person@test.example", NEW)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, _, list) = body(app.call(&admin, "list_users", &[("shop", SHOP)]).await).await;
    assert!(list.contains("\"Invited\""), "{list}");
    app.advance_minutes(7 * 24 * 60 - 5);
    let r = app
        .call(
            &guest,
            "accept_invite",
            &[
                ("token", token),
                ("name", "Nele Uus"),
                ("password", NEW),
                ("confirm", NEW),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?done=invite"));
    assert_eq!(
        app.sign_in(&guest, "new.person@test.example", NEW)
            .await
            .status(),
        StatusCode::OK
    );
    let (s, _, ctx) = body(app.call(&guest, "load_shop", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        ctx.contains("Nele Uus") && ctx.contains("info_refunds"),
        "{ctx}"
    );
}

#[tokio::test]
async fn invite_links_expire_after_seven_days() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    app.call(
        &admin,
        "invite_user",
        &[
            ("shop", SHOP),
            ("email", "late@test.example"),
            ("name", "Late"),
            ("role", "info_only"),
        ],
    )
    .await;
    let token = app
        .link_in_mail("late@test.example", "/invite/")
        .await
        .trim_start_matches("/invite/")
        .to_string();
    app.advance_minutes(7 * 24 * 60 + 1);
    let guest = TestApp::client();
    let (_, _, details) = body(app.call(&guest, "get_invite", &[("token", &token)]).await).await;
    assert_eq!(details, "null");
    let r = app
        .call(
            &guest,
            "accept_invite",
            &[
                ("token", &token),
                ("name", "Late"),
                ("password", NEW),
                ("confirm", NEW),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn wrong_current_passwords_end_the_session_after_five() {
    let app = app!();
    let here = app.client_for(Who::Refunds).await;
    app.advance_minutes(1);
    let wrong = [
        ("current", "not my password"),
        ("password", NEW),
        ("confirm", NEW),
    ];
    for attempt in 1..=4 {
        let r = app.call(&here, "change_password", &wrong).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
    }
    // The fifth wrong guess ends the session, like five failed sign-ins lock the account.
    let r = app.call(&here, "change_password", &wrong).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        app.call(&here, "load_shop", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Signing in, even with the right password, waits as after failed sign-ins.
    assert_eq!(
        app.sign_in(&TestApp::client(), "refunds@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' \
             AND detail = 'wrong current password when changing it'"
        )
        .await,
        5
    );
    app.advance_minutes(16);
    assert_eq!(
        app.sign_in(&TestApp::client(), "refunds@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn reset_requests_are_limited_per_address_and_per_client() {
    let app = app!();
    let c = TestApp::client();
    let ask = |email: &'static str| {
        let (app, c) = (&app, &c);
        async move {
            app.call(c, "request_password_reset", &[("email", email)])
                .await
        }
    };
    // Known and unknown addresses get the same answer.
    assert_eq!(ask("nobody@test.example").await.status(), StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(ask("info@test.example").await.status(), StatusCode::OK);
    }
    let r = ask("info@test.example").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let mails = app.mails().await;
    assert_eq!(
        mails.iter().filter(|m| m.to == "info@test.example").count(),
        3,
        "three mails in the hour, not four"
    );
    assert!(!mails.iter().any(|m| m.to == "nobody@test.example"));
    // One client asking for many addresses: 10 in the hour.
    for email in [
        "a@test.example",
        "b@test.example",
        "c@test.example",
        "d@test.example",
        "e@test.example",
        "f@test.example",
    ] {
        assert_eq!(ask(email).await.status(), StatusCode::OK, "{email}");
    }
    assert_eq!(
        ask("g@test.example").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // An hour later the address may ask again.
    app.advance_minutes(61);
    assert_eq!(ask("info@test.example").await.status(), StatusCode::OK);
}
