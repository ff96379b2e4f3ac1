use crate::app;
use crate::harness::{body, TestApp, Who, PASSWORD, SHOP};
use reqwest::StatusCode;

#[tokio::test]
async fn sign_in_sets_a_safe_session_cookie_and_opens_the_shop() {
    let app = app!();
    let c = TestApp::client();
    let (status, headers, _) = body(app.sign_in(&c, "Admin@Test.example ", PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("portal_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=1800"),
        "idle timeout of 30 minutes: {cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http test server: {cookie}"
    );
    let r = app.page(&c, &format!("/shops/{SHOP}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Ada Admin") && html.contains("Shop A") && html.contains("Test Merchant")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM users WHERE last_sign_in_at IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn session_id_changes_at_sign_in() {
    let app = app!();
    let c = TestApp::client();
    let first = app.sign_in(&c, "admin@test.example", PASSWORD).await;
    let id1 = first.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let second = app.sign_in(&c, "admin@test.example", PASSWORD).await;
    let id2 = second.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(id1, id2);
    // The old id no longer works.
    let old = TestApp::client();
    let r = old
        .post(app.url("/api/load_shop"))
        .header("Cookie", id1)
        .form(&[("shop", SHOP)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = app!();
    let c = TestApp::client();
    let (s1, _, wrong) = body(
        app.sign_in(&c, "admin@test.example", "not the password at all")
            .await,
    )
    .await;
    let (s2, _, unknown) = body(
        app.sign_in(&c, "nobody@test.example", "not the password at all")
            .await,
    )
    .await;
    assert_eq!(s1, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!((s1, &wrong), (s2, &unknown));
    assert!(
        wrong.contains("The e-mail or password is wrong."),
        "{wrong}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed'")
            .await,
        2
    );
    let (s, _, empty) = body(app.sign_in(&c, "", "").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.contains("Enter your e-mail address.") && empty.contains("Enter your password."),
        "{empty}"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = app!();
    let c = app.client_for(Who::Admin).await;
    let cookie = {
        let r = app.sign_in(&c, "admin@test.example", PASSWORD).await;
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(app.call(&c, "sign_out", &[]).await.status(), StatusCode::OK);
    let replay = TestApp::client()
        .post(app.url("/api/load_shop"))
        .header("Cookie", cookie)
        .form(&[("shop", SHOP)])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_end_after_their_absolute_lifetime() {
    let app = app!();
    let c = app.client_for(Who::Info).await;
    app.advance_minutes(11 * 60 + 59);
    assert_eq!(
        app.call(&c, "load_shop", &[("shop", SHOP)]).await.status(),
        StatusCode::OK
    );
    app.advance_minutes(2);
    assert_eq!(
        app.call(&c, "load_shop", &[("shop", SHOP)]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = app!();
    let c = TestApp::client();
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&c, "info@test.example", "wrong password!!")
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        app.advance_minutes(1);
    }
    let (s, headers, text) = body(app.sign_in(&c, "info@test.example", PASSWORD).await).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{text}");
    assert!(text.contains("retry_after_secs"), "{text}");
    // The first failure was 5 minutes ago: it leaves the window in 10 minutes.
    assert_eq!(headers["retry-after"], "600");
    // Another account from the same address is not locked.
    assert_eq!(
        app.sign_in(&c, "refunds@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    // The first failure leaves the window 15 minutes after it happened.
    app.advance_minutes(9);
    assert_eq!(
        app.sign_in(&c, "info@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.advance_minutes(1);
    assert_eq!(
        app.sign_in(&c, "info@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_that_address() {
    let app = app!();
    let c = TestApp::client();
    for i in 0..20 {
        let email = format!("guess{i}@test.example");
        assert_eq!(
            app.sign_in(&c, &email, "wrong password!!").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        app.sign_in(&c, "admin@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.advance_minutes(16);
    assert_eq!(
        app.sign_in(&c, "admin@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_sign_in_page_shows_the_wait_and_keeps_the_next_page() {
    let app = app!();
    let c = TestApp::client();
    let r = app.page(&c, &format!("/shops/{SHOP}/users")).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(
        r.headers()["location"],
        format!("/login?next=/shops/{SHOP}/users").as_str()
    );
    // A plain form post (before hydration) is redirected to the page it asked for.
    let r = c
        .post(app.url("/api/sign_in"))
        .header("Accept", "text/html")
        .form(&[
            ("email", "admin@test.example"),
            ("password", PASSWORD),
            ("next", "/shops/shop-a/users"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "/shops/shop-a/users");
    // Never to another site.
    let r = app
        .call(
            &TestApp::client(),
            "sign_in",
            &[
                ("email", "admin@test.example"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/");
    // Browsers drop tabs and newlines in URLs, so `/<TAB>/host` would become `//host`; CR/LF
    // would break the header. Each answers like any other bad `next`: the start page.
    for next in [
        "/\t/evil.example/",
        "/\\evil.example/",
        "/\r\nSet-Cookie: a=b",
        "/\n/evil.example/",
    ] {
        let r = app
            .call(
                &TestApp::client(),
                "sign_in",
                &[
                    ("email", "admin@test.example"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
}

#[tokio::test]
async fn session_lifetimes_are_configurable() {
    let clock =
        app::server::infra::clock::Clock::manual_at(jiff::Timestamp::now().as_millisecond());
    let Some(app) = TestApp::spawn_with(clock, server::MailChoice::Memory, |env| {
        env.push(("PORTAL_SESSION_IDLE_MINUTES".into(), "5".into()));
        env.push(("PORTAL_SESSION_MAX_HOURS".into(), "1".into()));
    })
    .await
    else {
        return;
    };
    let c = TestApp::client();
    let r = app.sign_in(&c, "admin@test.example", PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Max-Age=300"), "{cookie}");
    app.advance_minutes(61);
    assert_eq!(
        app.call(&c, "load_shop", &[("shop", SHOP)]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_own_sign_in_does_not_reset_the_count_of_an_address() {
    let app = app!();
    let c = TestApp::client();
    let mut guesses = 0;
    // 19 guesses, then the attacker's own account, then guesses again: the address's count
    // keeps every failure in the window.
    for _ in 0..19 {
        guesses += 1;
        let email = format!("guess{guesses}@test.example");
        assert_eq!(
            app.sign_in(&c, &email, "wrong password!!").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        app.sign_in(&TestApp::client(), "admin@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    guesses += 1;
    assert_eq!(
        app.sign_in(
            &c,
            &format!("guess{guesses}@test.example"),
            "wrong password!!"
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app
        .sign_in(&c, "guess99@test.example", "wrong password!!")
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // An account's own success still clears that account's count.
    app.advance_minutes(16);
    for round in 0..2 {
        for _ in 0..4 {
            app.sign_in(&c, "info@test.example", "wrong password!!")
                .await;
        }
        assert_eq!(
            app.sign_in(&c, "info@test.example", PASSWORD)
                .await
                .status(),
            StatusCode::OK,
            "round {round}"
        );
    }
}

#[tokio::test]
async fn signing_out_everywhere_else_keeps_only_this_session() {
    let app = app!();
    let here = app.client_for(Who::Admin).await;
    let laptop = app.client_for(Who::Admin).await;
    let phone = app.client_for(Who::Admin).await;
    for c in [&here, &laptop, &phone] {
        let (s, _, _) = body(app.call(c, "list_users", &[("shop", SHOP)]).await).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _, b) = body(app.call(&here, "sign_out_elsewhere", &[]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _, _) = body(app.call(&here, "list_users", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK, "this session stays");
    for c in [&laptop, &phone] {
        let (s, _, _) = body(app.call(c, "list_users", &[("shop", SHOP)]).await).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "the others are signed out");
    }
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'signed_out_elsewhere' \
             AND actor_email = 'admin@test.example'"
        )
        .await,
        1
    );
    // Another user's sessions are untouched.
    let info = app.client_for(Who::Info).await;
    let (s, _, _) = body(
        app.call(&info, "list_transactions", &[("shop", SHOP)])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}
