use crate::app;
use crate::harness::{body, TestApp, Who, PASSWORD, SHOP, SHOP_B};
use reqwest::StatusCode;

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn admin_changes_a_role_and_the_audit_log_records_before_and_after() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let info = user_id(&app, "info@test.example").await;
    let r = app
        .call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &info), ("role", "info_refunds")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, _, list) = body(app.call(&admin, "list_users", &[("shop", SHOP)]).await).await;
    assert!(
        list.contains("\"email\":\"info@test.example\",\"role\":\"info_refunds\""),
        "{list}"
    );
    // Only in this shop.
    let b = app.client_for(Who::Admin).await;
    let (_, _, list_b) = body(app.call(&b, "list_users", &[("shop", SHOP_B)]).await).await;
    assert!(
        list_b.contains("\"email\":\"info@test.example\",\"role\":\"info_only\""),
        "{list_b}"
    );
    let (_, _, audit) = body(
        app.call(
            &admin,
            "list_audit",
            &[("shop", SHOP), ("kind", "role_changed")],
        )
        .await,
    )
    .await;
    assert!(
        audit.contains("\"before\":\"info_only\",\"after\":\"info_refunds\""),
        "{audit}"
    );
    assert!(
        audit.contains("\"actor\":\"admin@test.example\""),
        "{audit}"
    );
    let (s, _, bad) = body(
        app.call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &info), ("role", "owner")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("Choose one of the roles."), "{bad}");
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let me = user_id(&app, "admin@test.example").await;
    let (s, _, text) = body(
        app.call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &me), ("role", "info_only")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(text.contains("last active admin"), "{text}");
    let (s, _, text) = body(
        app.call(
            &admin,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &me), ("active", "false")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(text.contains("cannot deactivate yourself"), "{text}");
    // With a second admin who has signed up, demotion works.
    let refunds = user_id(&app, "refunds@test.example").await;
    assert_eq!(
        app.call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &refunds), ("role", "admin")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    // An admin never deactivates themselves, even with another admin to take over.
    let (s, _, text) = body(
        app.call(
            &admin,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &me), ("active", "false")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(text.contains("cannot deactivate yourself"), "{text}");
    assert_eq!(
        app.call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &me), ("role", "info_only")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    // Now an info-only user in shop A: no more user management there.
    assert_eq!(
        app.call(&admin, "list_users", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Still the only admin of shop B: deactivation (merchant-wide) is refused.
    let other = app.client_for(Who::Refunds).await;
    let (s, _, text) = body(
        app.call(
            &other,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &me), ("active", "false")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{text}");
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_at_once_and_can_be_reactivated() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let info = app.client_for(Who::Info).await;
    assert_eq!(
        app.call(&info, "load_shop", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::OK
    );
    let id = user_id(&app, "info@test.example").await;
    assert_eq!(
        app.call(
            &admin,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &id), ("active", "false")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&info, "load_shop", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let r = app.page(&info, &format!("/shops/{SHOP}")).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let (s, _, text) = body(
        app.sign_in(&TestApp::client(), "info@test.example", PASSWORD)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The same answer as a wrong password: the password is not confirmed.
    assert!(text.contains("The e-mail or password is wrong."), "{text}");
    assert!(!text.contains("deactivated"), "{text}");
    let (_, _, list) = body(app.call(&admin, "list_users", &[("shop", SHOP)]).await).await;
    assert!(list.contains("\"Deactivated\""), "{list}");
    assert_eq!(
        app.call(
            &admin,
            "set_user_active",
            &[("shop", SHOP), ("user_id", &id), ("active", "true")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.sign_in(&TestApp::client(), "info@test.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let (_, _, audit) = body(
        app.call(
            &admin,
            "list_audit",
            &[("shop", SHOP), ("user", "info@test.example")],
        )
        .await,
    )
    .await;
    assert!(
        audit.contains("\"kind\":\"deactivated\"") && audit.contains("\"kind\":\"reactivated\""),
        "{audit}"
    );
}

#[tokio::test]
async fn invites_are_validated_and_never_duplicated() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let (s, _, text) = body(
        app.call(
            &admin,
            "invite_user",
            &[
                ("shop", SHOP),
                ("email", "no-at-sign"),
                ("name", ""),
                ("role", "admin"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("\"email\""), "{text}");
    let (s, _, text) = body(
        app.call(
            &admin,
            "invite_user",
            &[
                ("shop", SHOP),
                ("email", "info@test.example"),
                ("name", ""),
                ("role", "admin"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("already has access"), "{text}");
    // Someone with an account at another merchant is invited like anyone else: the mail
    // asks them to accept, and until they do the shop stays closed to them.
    let r = app
        .call(
            &admin,
            "invite_user",
            &[
                ("shop", SHOP),
                ("email", "other@test.example"),
                ("name", ""),
                ("role", "info_only"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mail = app.mails().await.pop().unwrap();
    assert!(
        mail.subject.contains("You are invited to Shop A"),
        "{}",
        mail.subject
    );
    let other = app.client_for(Who::OtherAdmin).await;
    assert_eq!(
        app.call(&other, "load_shop", &[("shop", SHOP)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Inviting them again to the same shop is refused like any duplicate.
    let (s, _, text) = body(
        app.call(
            &admin,
            "invite_user",
            &[
                ("shop", SHOP),
                ("email", "other@test.example"),
                ("name", ""),
                ("role", "admin"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("already has access"), "{text}");
}

#[tokio::test]
async fn audit_log_filters_by_user_kind_and_date() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let info = user_id(&app, "info@test.example").await;
    assert_eq!(
        app.call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &info), ("role", "info_refunds")],
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(
            &admin,
            "invite_user",
            &[
                ("shop", SHOP),
                ("email", "newbie@test.example"),
                ("name", ""),
                ("role", "info_only"),
            ],
        )
        .await
        .status(),
        StatusCode::OK
    );
    let (_, _, all) = body(app.call(&admin, "list_audit", &[("shop", SHOP)]).await).await;
    assert!(
        all.contains("\"kind\":\"role_changed\"") && all.contains("\"kind\":\"invite\""),
        "{all}"
    );
    let (_, _, invites) = body(
        app.call(&admin, "list_audit", &[("shop", SHOP), ("kind", "invite")])
            .await,
    )
    .await;
    assert!(
        invites.contains("newbie@test.example") && !invites.contains("role_changed"),
        "{invites}"
    );
    let (_, _, by_user) = body(
        app.call(
            &admin,
            "list_audit",
            &[("shop", SHOP), ("user", "info@test.example")],
        )
        .await,
    )
    .await;
    assert!(
        by_user.contains("role_changed") && !by_user.contains("newbie@test.example"),
        "{by_user}"
    );
    let (_, _, future) = body(
        app.call(
            &admin,
            "list_audit",
            &[("shop", SHOP), ("from", "2999-01-01")],
        )
        .await,
    )
    .await;
    assert!(future.contains("\"rows\":[]"), "{future}");
    let (s, _, bad) = body(
        app.call(
            &admin,
            "list_audit",
            &[("shop", SHOP), ("from", "yesterday"), ("kind", "nonsense")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.contains("YYYY-MM-DD") && bad.contains("Choose a kind"),
        "{bad}"
    );
    // Another shop's and another merchant's events never show.
    let (_, _, b) = body(app.call(&admin, "list_audit", &[("shop", SHOP_B)]).await).await;
    assert!(!b.contains("newbie@test.example"), "{b}");
    let other = app.client_for(Who::OtherAdmin).await;
    app.call(
        &other,
        "invite_user",
        &[
            ("shop", crate::harness::OTHER_SHOP),
            ("email", "elsewhere@test.example"),
            ("name", ""),
            ("role", "info_only"),
        ],
    )
    .await;
    let (_, _, all) = body(app.call(&admin, "list_audit", &[("shop", SHOP)]).await).await;
    assert!(
        !all.contains("other@test.example") && !all.contains("elsewhere@test.example"),
        "{all}"
    );
    // Nor do the accounts' own events (sign-ins, failed ones): they are not the merchant's.
    app.sign_in(&TestApp::client(), "info@test.example", "wrong password!!")
        .await;
    let (_, _, all) = body(app.call(&admin, "list_audit", &[("shop", SHOP)]).await).await;
    assert!(
        !all.contains("sign_in_failed") && !all.contains("\"kind\":\"sign_in\""),
        "{all}"
    );
}

#[tokio::test]
async fn concurrent_writes_all_succeed() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let info = user_id(&app, "info@test.example").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (admin, base, info) = (admin.clone(), app.base.clone(), info.clone());
        tasks.push(tokio::spawn(async move {
            let form: Vec<(&str, String)> = if i % 2 == 0 {
                vec![
                    ("shop", SHOP.into()),
                    ("email", format!("burst{i}@test.example")),
                    ("name", String::new()),
                    ("role", "info_only".into()),
                ]
            } else {
                let role = if i % 4 == 1 {
                    "info_refunds"
                } else {
                    "info_only"
                };
                vec![
                    ("shop", SHOP.into()),
                    ("user_id", info),
                    ("role", role.into()),
                ]
            };
            let endpoint = if i % 2 == 0 {
                "invite_user"
            } else {
                "change_role"
            };
            admin
                .post(format!("{base}/api/{endpoint}"))
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM users WHERE email LIKE 'burst%'")
            .await,
        12
    );
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let app = app!();
    let admin = app.client_for(Who::Admin).await;
    let refunds_id = user_id(&app, "refunds@test.example").await;
    let admin_id = user_id(&app, "admin@test.example").await;
    let r = app
        .call(
            &admin,
            "change_role",
            &[("shop", SHOP), ("user_id", &refunds_id), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let second = app.client_for(Who::Refunds).await;
    for round in 0..40 {
        let form_a = [
            ("shop", SHOP),
            ("user_id", &refunds_id),
            ("role", "info_only"),
        ];
        let form_b = [
            ("shop", SHOP),
            ("user_id", &admin_id),
            ("role", "info_only"),
        ];
        let a = app.call(&admin, "change_role", &form_a);
        let b = app.call(&second, "change_role", &form_b);
        let (ra, rb) = tokio::join!(a, b);
        let statuses = [ra.status(), rb.status()];
        let admins = app.scalar(&format!("SELECT COUNT(*) FROM shop_roles r JOIN shops s ON s.id = r.shop_id WHERE s.slug = '{SHOP}' AND r.role = 'admin'")).await;
        assert_eq!(admins, 1, "round {round}: {statuses:?}");
        assert!(
            statuses.contains(&StatusCode::OK),
            "round {round}: {statuses:?}"
        );
        // Restore two admins for the next round, as whoever is still admin.
        let (still_admin, demoted) = if statuses[0] == StatusCode::OK {
            (&admin, &refunds_id)
        } else {
            (&second, &admin_id)
        };
        let r = app
            .call(
                still_admin,
                "change_role",
                &[("shop", SHOP), ("user_id", demoted), ("role", "admin")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
}
