use crate::app;
use crate::harness::{body, TestApp, Who, SHOP};
use reqwest::StatusCode;

#[tokio::test]
async fn health_and_readiness() {
    let app = app!();
    let c = TestApp::client();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        (r.status(), r.text().await.unwrap()),
        (StatusCode::OK, "ok".to_string())
    );
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(
        (r.status(), r.text().await.unwrap()),
        (StatusCode::OK, "ready".to_string())
    );
    app.state.db.pool.close().await;
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn state_changes_from_another_site_are_refused() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let form = [
        ("shop", SHOP),
        ("email", "csrf@test.example"),
        ("name", ""),
        ("role", "admin"),
    ];
    let from = |origin: Option<&str>, site: Option<&str>| {
        let mut rq = admin.post(app.url("/api/invite_user")).form(&form);
        if let Some(o) = origin {
            rq = rq.header("Origin", o);
        }
        if let Some(s) = site {
            rq = rq.header("Sec-Fetch-Site", s);
        }
        rq.send()
    };
    assert_eq!(
        from(Some("https://evil.example"), None)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        from(None, Some("cross-site")).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        from(Some(&app.base), Some("same-site"))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        from(Some("null"), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Sign-in and sign-out are state changes too.
    let r = TestApp::client()
        .post(app.url("/api/sign_in"))
        .header("Origin", "https://evil.example")
        .form(&[
            ("email", "admin@test.example"),
            ("password", crate::harness::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM users WHERE email = 'csrf@test.example'")
            .await,
        0
    );
    let ok = from(Some(&app.base), Some("same-origin")).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    // The host the browser is on counts too (`localhost` for a public URL of 127.0.0.1)...
    let port = app.base.rsplit(':').next().unwrap();
    let via_localhost = admin
        .post(format!("http://localhost:{port}/api/load_shop"))
        .header("Origin", format!("http://localhost:{port}"))
        .form(&[("shop", SHOP)])
        .send()
        .await
        .unwrap();
    assert_ne!(via_localhost.status(), StatusCode::FORBIDDEN);
    // ...but not another host posting to it.
    let spoof = admin
        .post(format!("http://localhost:{port}/api/load_shop"))
        .header("Origin", format!("http://evil.example:{port}"))
        .form(&[("shop", SHOP)])
        .send()
        .await
        .unwrap();
    assert_eq!(spoof.status(), StatusCode::FORBIDDEN);
    // The scheme counts as well: the public URL is http, so an https page is another site.
    let https = admin
        .post(app.url("/api/load_shop"))
        .header("Origin", app.base.replacen("http://", "https://", 1))
        .form(&[("shop", SHOP)])
        .send()
        .await
        .unwrap();
    assert_eq!(https.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app!();
    let c = TestApp::client();
    for path in [
        "/login",
        "/healthz",
        "/api/current_account",
        "/no-such-page",
    ] {
        let r = if path.starts_with("/api/") {
            c.post(app.url(path)).send().await
        } else {
            app.page(&c, path).await.pipe_ok()
        }
        .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
    // The page's scripts carry the nonce of its header, and each response has a fresh one.
    let r = app.page(&c, "/login").await;
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    // The portal's own pages say they are in English.
    assert!(html.contains("<html lang=\"en\""), "{html}");
    let again = app.page(&c, "/login").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));
    let missing = app.page(&c, "/no-such-page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

trait PipeOk {
    fn pipe_ok(self) -> Result<reqwest::Response, reqwest::Error>;
}
impl PipeOk for reqwest::Response {
    fn pipe_ok(self) -> Result<reqwest::Response, reqwest::Error> {
        Ok(self)
    }
}

#[tokio::test]
async fn secure_cookies_when_the_public_url_is_https() {
    let clock = app::server::infra::clock::Clock::System;
    let Some(app) = TestApp::spawn_with(clock, server::MailChoice::Memory, |env| {
        env.retain(|(k, _)| k != "PORTAL_PUBLIC_URL");
        env.push((
            "PORTAL_PUBLIC_URL".into(),
            "https://portal.example.com".into(),
        ));
    })
    .await
    else {
        return;
    };
    let r = app
        .sign_in(
            &TestApp::client(),
            "admin@test.example",
            crate::harness::PASSWORD,
        )
        .await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn malformed_form_data_gets_a_clear_answer_not_a_framework_error() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let r = app
        .call(
            &admin,
            "change_role",
            &[
                ("shop", SHOP),
                ("user_id", "not-a-number"),
                ("role", "admin"),
            ],
        )
        .await;
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(
        text, "\"BadRequest\"",
        "no parser message reaches the browser"
    );
    assert!(app::error::AppError::BadRequest
        .to_string()
        .contains("Reload the page and try again"));
}

/// Text a merchant or buyer typed, built to end the `<title>` or a `<script>` and start a
/// link of its own if any page places it in the HTML unescaped.
const MARKUP: &str = "</title></script><a href=//evil.example>x";

#[tokio::test]
async fn stored_markup_reaches_no_page_unescaped() {
    use app::domain::fees::Channel;
    use app::domain::Money;
    use app::server::payments::transactions::{self, NewTransaction};
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let payment = transactions::create(
        &app.state,
        NewTransaction {
            shop_id: app.shop_id(SHOP).await,
            reference: MARKUP.into(),
            amount: Money::from_cents(12_50),
            channel: Channel::Swedbank,
            test_mode: false,
            buyer_name: Some(MARKUP.into()),
            buyer_email: Some("buyer@example.com".into()),
            buyer_ip: Some("192.0.2.7".into()),
            buyer_country: Some("EE".into()),
            description: Some(MARKUP.into()),
            from_link: None,
        },
    )
    .await
    .unwrap();
    transactions::approve(&app.state, payment).await.unwrap();
    let (s, _, b) = body(
        app.call(
            &admin,
            "create_payment_link",
            &[
                ("shop", SHOP),
                ("link[amount]", "5.00"),
                ("link[reference]", "</title><a href=//evil.example>"),
                ("link[description]", MARKUP),
                ("link[buyer_name]", MARKUP),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let link: app::api::payment_links::NewLink = serde_json::from_str(&b).unwrap();
    let token = link.url.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        app.call(&admin, "update_name", &[("name", MARKUP)])
            .await
            .status(),
        StatusCode::OK
    );
    for path in [
        format!("/shops/{SHOP}"),
        format!("/shops/{SHOP}/transactions"),
        format!("/shops/{SHOP}/transactions/{payment}"),
        format!("/shops/{SHOP}/payment-links"),
        format!("/shops/{SHOP}/users"),
        format!("/shops/{SHOP}/audit"),
        "/account".to_string(),
        format!("/pay/{token}"),
    ] {
        let (s, _, html) = body(app.page(&admin, &path).await).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(
            html.contains("evil.example"),
            "{path} should show the text (escaped), or this test proves nothing"
        );
        assert!(
            !html.contains("<a href=//evil.example>"),
            "{path} carries the markup unescaped:\n{}",
            html.split("<a href=//evil.example>")
                .next()
                .unwrap_or("")
                .chars()
                .rev()
                .take(300)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
        );
        let title = html
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next());
        assert!(
            title.is_some_and(|t| !t.contains('<')),
            "{path}: the title holds markup: {title:?}"
        );
    }
}

#[tokio::test]
async fn every_page_names_its_icon_inline() {
    let app = crate::app!();
    let html = app
        .page(&TestApp::client(), "/login")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<link rel=\"icon\" type=\"image/svg+xml\" href=\"data:image/svg+xml,"),
        "{html}"
    );
}
