//! Invitations grant nothing until the invited person accepts them, and a merchant learns
//! nothing about an account beyond what happens in its own shops.

use crate::app;
use crate::harness::{body, TestApp, Who, OTHER_SHOP, PASSWORD, SHOP};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const OTHER: &str = "other@test.example";
const INFO: &str = "info@test.example";

async fn invite(app: &TestApp, admin: &Client, shop: &str, email: &str, name: &str, role: &str) {
    let r = app
        .call(
            admin,
            "invite_user",
            &[
                ("shop", shop),
                ("email", email),
                ("name", name),
                ("role", role),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

/// The token of the newest invitation mailed to `email`.
async fn invite_token(app: &TestApp, email: &str) -> String {
    app.link_in_mail(email, "/invite/")
        .await
        .trim_start_matches("/invite/")
        .to_string()
}

async fn json(app: &TestApp, c: &Client, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let (s, _, text) = body(app.call(c, endpoint, form).await).await;
    assert_eq!(s, StatusCode::OK, "{endpoint}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The row of `email` in the shop's user list, as the admin sees it.
async fn user_row(app: &TestApp, admin: &Client, shop: &str, email: &str) -> Option<Value> {
    let list = json(app, admin, "list_users", &[("shop", shop)]).await;
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == email)
        .cloned()
}

async fn shop_status(app: &TestApp, c: &Client, shop: &str) -> StatusCode {
    app.call(c, "load_shop", &[("shop", shop)]).await.status()
}

async fn shop_names(app: &TestApp, c: &Client) -> Vec<String> {
    let me = json(app, c, "current_account", &[]).await;
    me["shops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

async fn answer(app: &TestApp, c: &Client, token: &str, accept: bool) -> reqwest::Response {
    app.call(
        c,
        "answer_invite",
        &[
            ("token", token),
            ("accept", if accept { "true" } else { "false" }),
        ],
    )
    .await
}

async fn audit(app: &TestApp, admin: &Client, shop: &str) -> Vec<Value> {
    json(app, admin, "list_audit", &[("shop", shop)]).await["rows"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_invite_to_an_existing_account_grants_nothing_until_its_owner_accepts() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let other = app.client_for(Who::OtherAdmin).await;
    invite(&app, &admin, SHOP, OTHER, "", "info_only").await;

    // Pending: no shop of the inviting merchant opens, none is listed, no data answers.
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(&other, "list_transactions", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(shop_names(&app, &other).await, ["Other Shop"]);
    let (s, _, _) = body(app.page(&other, &format!("/shops/{SHOP}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A fresh sign-in changes nothing either.
    let again = app.client_for(Who::OtherAdmin).await;
    assert_eq!(shop_status(&app, &again, SHOP).await, StatusCode::NOT_FOUND);

    // The owner is asked, by mail, to sign in and answer.
    let mail = app.mails().await.pop().unwrap();
    assert_eq!(mail.to, OTHER);
    assert!(
        mail.subject.contains("invited to Shop A"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("Test Merchant")
            && mail.text.contains("Nothing changes until you accept"),
        "{}",
        mail.text
    );
    let token = invite_token(&app, OTHER).await;
    // Only the link's hash is stored.
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM user_tokens WHERE token_hash = '{token}'"
        ))
        .await,
        0
    );

    // Not signed in: asked to sign in, shown nothing of the invitation; answering needs it.
    let guest = TestApp::client();
    let details = json(&app, &guest, "get_invite", &[("token", &token)]).await;
    assert_eq!(details["step"], "SignIn", "{details}");
    assert!(details["merchant"].is_null(), "{details}");
    assert_eq!(details["name"], "", "{details}");
    assert_eq!(
        answer(&app, &guest, &token, true).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (s, _, html) = body(app.page(&guest, &format!("/invite/{token}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("/login?next=/invite/{token}"))
            && html.contains("email=other%40test.example")
            && !html.contains("Test Merchant"),
        "{html}"
    );
    // Someone else signed in cannot answer it.
    let info = app.client_for(Who::Info).await;
    let details = json(&app, &info, "get_invite", &[("token", &token)]).await;
    assert_eq!(
        details["step"]["OtherAccount"]["signed_in_as"], INFO,
        "{details}"
    );
    let (s, _, text) = body(answer(&app, &info, &token, true).await).await;
    assert_eq!(s, StatusCode::CONFLICT, "{text}");
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);

    // The owner sees who invites, to which shop and as what, and accepts.
    let details = json(&app, &other, "get_invite", &[("token", &token)]).await;
    assert_eq!(details["step"], "Answer", "{details}");
    assert_eq!(details["merchant"], "Test Merchant");
    assert_eq!(details["shops"][0]["name"], "Shop A");
    assert_eq!(details["shops"][0]["role"], "info_only");
    let (_, _, html) = body(app.page(&other, &format!("/invite/{token}")).await).await;
    assert!(
        html.contains("Test Merchant") && html.contains(">Accept<") && html.contains(">Decline<"),
        "{html}"
    );
    let r = answer(&app, &other, &token, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["location"], format!("/shops/{SHOP}"));
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::OK);
    assert_eq!(shop_names(&app, &other).await.len(), 2);
    let row = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    assert_eq!(row["status"], "Active");
    assert_eq!(row["name"], "Otto Other");

    // The link works once.
    let (s, _, text) = body(answer(&app, &other, &token, false).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(text.contains("expired or was already used"), "{text}");
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::OK);
    let (_, _, html) = body(app.page(&other, &format!("/invite/{token}")).await).await;
    assert!(html.contains("expired or was already used"), "{html}");

    // The answer is in the inviting shop's log.
    let events = audit(&app, &admin, SHOP).await;
    let accepted = events
        .iter()
        .find(|e| e["kind"] == "invite_accepted")
        .expect("the acceptance is audited");
    assert_eq!(accepted["actor"], OTHER);
}

#[tokio::test]
async fn a_declined_invitation_grants_nothing_and_is_withdrawn() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let other = app.client_for(Who::OtherAdmin).await;
    invite(&app, &admin, SHOP, OTHER, "", "admin").await;
    let token = invite_token(&app, OTHER).await;
    let r = answer(&app, &other, &token, false).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["location"], "/invite-declined");
    let (s, _, html) = body(app.page(&other, "/invite-declined").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("You declined the invitation"), "{html}");

    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);
    assert_eq!(shop_names(&app, &other).await, ["Other Shop"]);
    assert!(user_row(&app, &admin, SHOP, OTHER).await.is_none());
    // The answer is audited without where it came from; the link is spent.
    let events = audit(&app, &admin, SHOP).await;
    let declined = events
        .iter()
        .find(|e| e["kind"] == "invite_declined")
        .expect("the answer is audited");
    assert_eq!(declined["target"], OTHER);
    assert!(declined["ip"].is_null(), "{declined}");
    assert_eq!(
        answer(&app, &other, &token, true).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);

    // The admin may invite again; that invitation waits for an answer like the first.
    invite(&app, &admin, SHOP, OTHER, "", "info_only").await;
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);
    let token = invite_token(&app, OTHER).await;
    assert_eq!(
        answer(&app, &other, &token, true).await.status(),
        StatusCode::OK
    );
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::OK);
}

#[tokio::test]
async fn a_new_address_may_decline_with_the_link_alone() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    invite(&app, &admin, SHOP, "stranger@test.example", "", "info_only").await;
    let token = invite_token(&app, "stranger@test.example").await;
    let guest = TestApp::client();
    let details = json(&app, &guest, "get_invite", &[("token", &token)]).await;
    assert_eq!(details["step"], "ChoosePassword", "{details}");
    assert_eq!(details["merchant"], "Test Merchant");
    // Accepting a new account's invitation means choosing a password.
    assert_eq!(
        answer(&app, &guest, &token, true).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        answer(&app, &guest, &token, false).await.status(),
        StatusCode::OK
    );
    assert!(user_row(&app, &admin, SHOP, "stranger@test.example")
        .await
        .is_none());
    let pw = "a brand new long password";
    let r = app
        .call(
            &guest,
            "accept_invite",
            &[
                ("token", &token),
                ("name", "Stranger"),
                ("password", pw),
                ("confirm", pw),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

/// Everything the inviting admin can see of a row, but the address and id.
fn seen(row: &Value) -> Value {
    let mut row = row.clone();
    let o = row.as_object_mut().unwrap();
    o.remove("email");
    o.remove("id");
    row
}

#[tokio::test]
async fn the_inviter_sees_the_same_for_an_existing_account_and_a_new_address() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    // The existing account has signed in, has its own name and a second factor.
    let other = app.client_for(Who::OtherAdmin).await;
    assert_eq!(shop_status(&app, &other, OTHER_SHOP).await, StatusCode::OK);
    let other_id = app
        .scalar(format!("SELECT id FROM users WHERE email = '{OTHER}'"))
        .await;
    sqlx::query(
        "INSERT INTO two_factor (user_id, secret, confirmed_at, created_at) VALUES ($1, 'JBSWY3DPEHPK3PXP', 1, 1)",
    )
    .bind(other_id)
    .execute(&app.state.db.pool)
    .await
    .unwrap();

    let mut answers = Vec::new();
    for email in [OTHER, "fresh@test.example"] {
        let r = app
            .call(
                &admin,
                "invite_user",
                &[
                    ("shop", SHOP),
                    ("email", email),
                    ("name", "Olga Invited"),
                    ("role", "admin"),
                ],
            )
            .await;
        let (s, _, text) = body(r).await;
        answers.push((s, text.replace(email, "ADDRESS")));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::OK);

    let existing = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    let new = user_row(&app, &admin, SHOP, "fresh@test.example")
        .await
        .unwrap();
    assert_eq!(seen(&existing), seen(&new));
    assert_eq!(existing["status"], "Invited");
    assert_eq!(existing["name"], "Olga Invited");
    assert_eq!(existing["two_factor"], false);
    assert!(existing["last_active_ms"].is_null(), "{existing}");
    // Both are listed in the same place, by the name the admin gave.
    let list = json(&app, &admin, "list_users", &[("shop", SHOP)]).await;
    let order: Vec<&str> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    let (a, b) = (
        order.iter().position(|e| *e == OTHER).unwrap(),
        order
            .iter()
            .position(|e| *e == "fresh@test.example")
            .unwrap(),
    );
    assert_eq!(a.abs_diff(b), 1, "{order:?}");

    // Neither pending admin counts as the shop's other admin, and neither second factor is
    // the inviter's to reset.
    let me = app
        .scalar("SELECT id FROM users WHERE email = 'admin@test.example'")
        .await
        .to_string();
    let (s, _, text) = body(
        app.call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &me), ("role", "info_only")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{text}");
    let fresh_id = app
        .scalar("SELECT id FROM users WHERE email = 'fresh@test.example'")
        .await;
    let mut resets = Vec::new();
    for id in [other_id, fresh_id] {
        let (s, _, text) = body(
            app.call(
                &admin,
                "reset_two_factor",
                &[("shop", SHOP), ("user_id", &id.to_string())],
            )
            .await,
        )
        .await;
        resets.push((s, text));
    }
    assert_eq!(resets[0], resets[1]);
    assert_eq!(resets[0].0, StatusCode::CONFLICT);
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM two_factor WHERE user_id = {other_id}"
        ))
        .await,
        1
    );
    // Deactivating and reactivating a pending row answers alike too.
    for email in [OTHER, "fresh@test.example"] {
        let id = app
            .scalar(format!("SELECT id FROM users WHERE email = '{email}'"))
            .await
            .to_string();
        for active in ["false", "true"] {
            assert_eq!(
                app.call(
                    &admin,
                    "set_user_active",
                    &[("shop", SHOP), ("user_id", &id), ("active", active)],
                )
                .await
                .status(),
                StatusCode::OK
            );
        }
    }
    let existing = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    let new = user_row(&app, &admin, SHOP, "fresh@test.example")
        .await
        .unwrap();
    assert_eq!(seen(&existing), seen(&new));
    assert_eq!(existing["status"], "Invited");
}

#[tokio::test]
async fn no_sign_in_anywhere_reaches_a_merchants_user_list() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let other = app.client_for(Who::OtherAdmin).await;
    invite(&app, &admin, SHOP, OTHER, "", "info_only").await;
    // The account signed in (elsewhere) just now; the list tells nothing of it.
    let list = json(&app, &admin, "list_users", &[("shop", SHOP)]).await;
    assert!(!list.to_string().contains("last_sign_in"), "{list}");
    let row = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    assert!(row["last_active_ms"].is_null(), "{row}");
    let token = invite_token(&app, OTHER).await;
    assert_eq!(
        answer(&app, &other, &token, true).await.status(),
        StatusCode::OK
    );
    // Joined, but has not used this merchant's shops yet: never active here.
    let row = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    assert!(row["last_active_ms"].is_null(), "{row}");

    app.advance_minutes(10);
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::OK);
    let here = app.state.clock.now_ms();
    let row = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    assert_eq!(row["last_active_ms"], here);

    // Signing in again and working in the other merchant is not activity here.
    app.advance_minutes(60);
    let other = app.client_for(Who::OtherAdmin).await;
    assert_eq!(shop_status(&app, &other, OTHER_SHOP).await, StatusCode::OK);
    let row = user_row(&app, &admin, SHOP, OTHER).await.unwrap();
    assert_eq!(row["last_active_ms"], here);
    let (_, _, html) = body(app.page(&admin, &format!("/shops/{SHOP}/users")).await).await;
    assert!(
        html.contains("Last active here") && !html.contains("Last sign-in"),
        "{html}"
    );
}

#[tokio::test]
async fn a_merchants_audit_log_holds_none_of_its_users_account_events() {
    let app = app!();
    let other_admin = app.client_for(Who::OtherAdmin).await;
    // Before joining the other merchant: sign-ins and a failure.
    let info = app.client_for(Who::Info).await;
    app.sign_in(&TestApp::client(), INFO, "wrong password!!")
        .await;
    invite(&app, &other_admin, OTHER_SHOP, INFO, "", "info_only").await;
    let account_kinds = ["sign_in", "sign_in_failed", "password_changed"];
    let invited: Vec<Value> = audit(&app, &other_admin, OTHER_SHOP).await;
    assert!(
        !invited
            .iter()
            .any(|e| account_kinds.contains(&e["kind"].as_str().unwrap())),
        "{invited:?}"
    );
    let token = invite_token(&app, INFO).await;
    assert_eq!(
        answer(&app, &info, &token, true).await.status(),
        StatusCode::OK
    );
    // A member now: signs in, fails once, changes the password, works in the first merchant.
    app.advance_minutes(1);
    let info = app.client_for(Who::Info).await;
    app.sign_in(&TestApp::client(), INFO, "wrong password!!")
        .await;
    let new_password = "another long enough password";
    assert_eq!(
        app.call(
            &info,
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", new_password),
                ("confirm", new_password),
            ],
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(shop_status(&app, &info, SHOP).await, StatusCode::OK);
    // Deactivated by the other merchant, then signs in (still a member of the first).
    let info_id = app
        .scalar(format!("SELECT id FROM users WHERE email = '{INFO}'"))
        .await
        .to_string();
    assert_eq!(
        app.call(
            &other_admin,
            "set_user_active",
            &[
                ("shop", OTHER_SHOP),
                ("user_id", &info_id),
                ("active", "false")
            ],
        )
        .await
        .status(),
        StatusCode::OK
    );
    app.advance_minutes(1);
    assert_eq!(
        app.sign_in(&TestApp::client(), INFO, new_password)
            .await
            .status(),
        StatusCode::OK
    );
    app.sign_in(&TestApp::client(), INFO, "wrong password!!")
        .await;

    let events = audit(&app, &other_admin, OTHER_SHOP).await;
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for account_kind in account_kinds {
        assert!(!kinds.contains(&account_kind), "{kinds:?}");
    }
    // Only what happened in this merchant: the invitation, the answer, the deactivation.
    let mut about_info: Vec<&str> = events
        .iter()
        .filter(|e| e["target"] == INFO || e["actor"] == INFO)
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    about_info.sort();
    assert_eq!(about_info, ["deactivated", "invite", "invite_accepted"]);
    // The filter offers no account events to look for.
    let (s, _, text) = body(
        app.call(
            &other_admin,
            "list_audit",
            &[("shop", OTHER_SHOP), ("kind", "sign_in")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    // Nor does the first merchant see the account's sign-ins, in or out of its shops.
    let admin = app.client_for(Who::Admin).await;
    let kinds: Vec<String> = audit(&app, &admin, SHOP)
        .await
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !kinds
            .iter()
            .any(|k| k.starts_with("sign_in") || k == "password_changed"),
        "{kinds:?}"
    );
    // The events are still recorded, for the account itself and the operator.
    assert!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' AND target_user_id = {info_id}"
        ))
        .await
            >= 3
    );
}

#[tokio::test]
async fn a_pending_invitee_the_merchant_deactivated_cannot_accept() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let other = app.client_for(Who::OtherAdmin).await;
    invite(&app, &admin, SHOP, OTHER, "", "info_only").await;
    let token = invite_token(&app, OTHER).await;
    let id = app
        .scalar(format!("SELECT id FROM users WHERE email = '{OTHER}'"))
        .await
        .to_string();
    assert_eq!(
        app.call(
            &admin,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &id), ("active", "false")],
        )
        .await
        .status(),
        StatusCode::OK
    );
    let details = json(&app, &other, "get_invite", &[("token", &token)]).await;
    assert!(details.is_null(), "{details}");
    let (s, _, text) = body(answer(&app, &other, &token, true).await).await;
    assert_eq!(s, StatusCode::CONFLICT, "{text}");
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);
    // Reactivated, the invitation still waits for its owner: nothing was accepted.
    assert_eq!(
        app.call(
            &admin,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &id), ("active", "true")],
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::NOT_FOUND);
    assert_eq!(
        answer(&app, &other, &token, true).await.status(),
        StatusCode::OK
    );
    assert_eq!(shop_status(&app, &other, SHOP).await, StatusCode::OK);
}
