use crate::app;
use crate::harness::{TestApp, Who, SHOP};
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
