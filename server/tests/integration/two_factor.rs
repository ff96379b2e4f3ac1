//! Two-factor sign-in over HTTP: setting it up, signing in with a code from the app or a
//! recovery code, codes never accepted twice, the second step throttled like the first,
//! turning it off, and an admin's requirement and reset.

use crate::app;
use crate::harness::{body, TestApp, Who, PASSWORD, SHOP};
use app::api::two_factor::TwoFactorStatus;
use app::server::identity::two_factor::code_at;
use reqwest::{Client, StatusCode};

const INFO: &str = "info@test.example";

async fn status(app: &TestApp, c: &Client) -> TwoFactorStatus {
    let (s, _, b) = body(app.call(c, "load_two_factor", &[]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

/// The code the user's app shows now.
fn code_now(app: &TestApp, secret: &str) -> String {
    code_at(secret, app.state.clock.now_ms()).unwrap()
}

/// Turns two-factor sign-in on for the info-only user; returns the secret and the recovery
/// codes, with the clock moved past the step of the code used to confirm.
async fn enrol(app: &TestApp) -> (String, Vec<String>) {
    enrol_as(app, Who::Info).await
}

async fn enrol_as(app: &TestApp, who: Who) -> (String, Vec<String>) {
    let c = app.client_for(who).await;
    let s = status(app, &c).await;
    assert!(!s.enabled);
    let setup = s.setup.expect("a secret to set up with");
    assert!(setup.url.starts_with("otpauth://totp/"), "{}", setup.url);
    assert!(setup.qr_svg.starts_with("<svg"));
    let secret = setup.secret.replace(' ', "");
    // The same secret on a reload, until confirmed.
    assert_eq!(
        status(app, &c).await.setup.unwrap().secret.replace(' ', ""),
        secret
    );
    let (s, _, b) = body(
        app.call(&c, "confirm_two_factor", &[("code", "000000")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let r = app
        .call(
            &c,
            "confirm_two_factor",
            &[("code", &code_now(app, &secret))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let after = status(app, &c).await;
    assert!(after.enabled && after.setup.is_none());
    assert_eq!(after.fresh_codes.len(), 10);
    assert_eq!(after.codes_left, 10);
    // Shown once.
    assert!(status(app, &c).await.fresh_codes.is_empty());
    app.advance_minutes(1);
    (secret, after.fresh_codes)
}

/// Signs in with the password; the answer points to the code step.
async fn password_step(app: &TestApp) -> Client {
    password_step_of(app, INFO).await
}

async fn password_step_of(app: &TestApp, email: &str) -> Client {
    let c = TestApp::client();
    let r = app.sign_in(&c, email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["location"], "/login/code?next=%2F");
    c
}

async fn code_step(app: &TestApp, c: &Client, code: &str) -> StatusCode {
    app.call(c, "sign_in_code", &[("code", code), ("next", "/account")])
        .await
        .status()
}

async fn shop_status(app: &TestApp, c: &Client) -> StatusCode {
    app.call(c, "load_shop", &[("shop", SHOP)]).await.status()
}

#[tokio::test]
async fn sign_in_asks_for_a_code_that_works_once() {
    let app = app!();
    let (secret, codes) = enrol(&app).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'two_factor_enabled'")
            .await,
        1
    );
    // The password alone signs nobody in.
    let c = password_step(&app).await;
    assert_eq!(shop_status(&app, &c).await, StatusCode::UNAUTHORIZED);
    let code = code_now(&app, &secret);
    let r = app
        .call(&c, "sign_in_code", &[("code", &code), ("next", "/account")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["location"], "/account");
    assert_eq!(shop_status(&app, &c).await, StatusCode::OK);
    // The same code again, in another sign-in within its 30 seconds: refused.
    let again = password_step(&app).await;
    assert_eq!(
        code_step(&app, &again, &code).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A recovery code works once, typed loosely.
    let loose = codes[0].to_uppercase().replace('-', " ");
    assert_eq!(code_step(&app, &again, &loose).await, StatusCode::OK);
    assert_eq!(shop_status(&app, &again).await, StatusCode::OK);
    let third = password_step(&app).await;
    assert_eq!(
        code_step(&app, &third, &codes[0]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(status(&app, &again).await.codes_left, 9);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in' AND detail = 'with a recovery code'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn wrong_codes_count_like_wrong_passwords() {
    let app = app!();
    let (secret, _) = enrol(&app).await;
    let c = password_step(&app).await;
    for attempt in 1..=5 {
        assert_eq!(
            code_step(&app, &c, "123456").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
    }
    // Locked now, even with the right code.
    let r = app
        .call(&c, "sign_in_code", &[("code", &code_now(&app, &secret))])
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' \
             AND detail = 'wrong second-factor code'"
        )
        .await,
        5
    );
}

#[tokio::test]
async fn the_code_step_waits_five_minutes_for_the_code() {
    let app = app!();
    let (secret, _) = enrol(&app).await;
    let c = password_step(&app).await;
    app.advance_minutes(6);
    let (s, _, b) = body(
        app.call(&c, "sign_in_code", &[("code", &code_now(&app, &secret))])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(b.contains("timed out"), "{b}");
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code() {
    let app = app!();
    let (secret, _) = enrol(&app).await;
    let c = password_step(&app).await;
    assert_eq!(
        code_step(&app, &c, &code_now(&app, &secret)).await,
        StatusCode::OK
    );
    app.advance_minutes(1);
    let off = |password: &'static str, code: String| {
        let (app, c) = (&app, &c);
        async move {
            body(
                app.call(
                    c,
                    "disable_two_factor",
                    &[("password", password), ("code", &code)],
                )
                .await,
            )
            .await
        }
    };
    let (s, _, b) = off("wrong password!!", code_now(&app, &secret)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("not your password"), "{b}");
    let (s, _, b) = off(PASSWORD, "000000".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("code is not right"), "{b}");
    let (s, _, _) = off(PASSWORD, code_now(&app, &secret)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'two_factor_disabled'")
            .await,
        1
    );
    // Signing in takes the password alone again.
    let r = app.sign_in(&TestApp::client(), INFO, PASSWORD).await;
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn an_admin_requires_it_and_resets_a_lost_one() {
    let app = app!();
    let info = app.client_for(Who::Info).await;
    // An admin without a second factor would lock themselves out: refused.
    let admin = app.client_for(Who::Admin).await;
    let require = [("shop", SHOP), ("required", "true")];
    let (s, _, b) = body(app.call(&admin, "require_two_factor", &require).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(b.contains("for yourself first"), "{b}");
    let (admin_secret, _) = enrol_as(&app, Who::Admin).await;
    let admin = password_step_of(&app, "admin@test.example").await;
    assert_eq!(
        code_step(&app, &admin, &code_now(&app, &admin_secret)).await,
        StatusCode::OK
    );
    assert_eq!(
        app.call(&admin, "require_two_factor", &require)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'two_factor_required'")
            .await,
        1
    );
    // The server shows no shop data to users without a second factor...
    let (s, _, b) = body(app.call(&info, "load_shop", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(b.contains("TwoFactorRequired"), "{b}");
    let r = app
        .page(&info, &format!("/shops/{SHOP}/transactions"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // ...and leads them to set it up when they sign in.
    let r = app.sign_in(&TestApp::client(), INFO, PASSWORD).await;
    assert_eq!(r.headers()["location"], "/account/two-factor");
    assert_eq!(
        status(&app, &info).await.required_by,
        vec!["Test Merchant".to_string()]
    );
    let (secret, _) = enrol(&app).await;
    let c = password_step(&app).await;
    assert_eq!(
        code_step(&app, &c, &code_now(&app, &secret)).await,
        StatusCode::OK
    );
    assert_eq!(shop_status(&app, &c).await, StatusCode::OK);

    // A lost phone: the admin resets the user's second factor.
    let info_id = app
        .scalar("SELECT id FROM users WHERE email = 'info@test.example'")
        .await
        .to_string();
    let reset = [("shop", SHOP), ("user_id", info_id.as_str())];
    assert_eq!(
        app.call(&admin, "reset_two_factor", &reset).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'two_factor_reset'")
            .await,
        1
    );
    assert!(
        app.mails()
            .await
            .iter()
            .any(|m| m.to == INFO && m.subject.contains("two-factor sign-in was reset")),
        "the user hears of it"
    );
    // Nothing left to reset; and the user sets it up again at the next sign-in.
    assert_eq!(
        app.call(&admin, "reset_two_factor", &reset).await.status(),
        StatusCode::CONFLICT
    );
    let r = app.sign_in(&TestApp::client(), INFO, PASSWORD).await;
    assert_eq!(r.headers()["location"], "/account/two-factor");
}
