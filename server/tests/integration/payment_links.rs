//! Payment links over HTTP: made by admins and "info & refunds" (403 for info-only), every
//! field checked with its message, listed with status, deactivated with a message, audited.

use crate::harness::{body, TestApp, Who, SHOP, SHOP_B};
use app::api::payment_links::{LinkRow, NewLink};
use reqwest::{Client, StatusCode};

async fn create(
    app: &TestApp,
    c: &Client,
    shop: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut form = vec![("shop".to_string(), shop.to_string())];
    for (k, v) in fields {
        form.push((format!("link[{k}]"), v.to_string()));
    }
    let r = c
        .post(app.url("/api/create_payment_link"))
        .header("Accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    let (s, _, b) = body(r).await;
    (s, b)
}

async fn list(app: &TestApp, c: &Client, shop: &str) -> Vec<LinkRow> {
    let (s, _, b) = body(app.call(c, "list_payment_links", &[("shop", shop)]).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str::<app::api::payment_links::LinkPage>(&b)
        .unwrap()
        .rows
}

#[tokio::test]
async fn staff_make_links_that_everyone_in_the_shop_can_see() {
    let app = crate::app!();
    let staff = app.client_for(Who::Refunds).await;
    let (s, b) = create(
        &app,
        &staff,
        SHOP,
        &[
            ("amount", "25.50"),
            ("reference", "Order 123 extra payment"),
            ("description", "Gift wrapping"),
            ("buyer_email", "Buyer@Example.com"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let link: NewLink = serde_json::from_str(&b).unwrap();
    assert_eq!(link.amount.cents(), 2_550);
    let token = link.url.rsplit('/').next().unwrap();
    assert!(
        link.url.starts_with(&format!("{}/pay/", app.base)),
        "{}",
        link.url
    );
    assert!(token.len() >= 22, "at least 128 bits: {token}");

    let info = app.client_for(Who::Info).await;
    let rows = list(&app, &info, SHOP).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.status, "active");
    assert_eq!(row.created_by, "refunds@test.example");
    assert_eq!(row.buyer_email.as_deref(), Some("buyer@example.com"));
    assert!(!row.reusable && row.payments_made == 0);
    assert!(
        list(&app, &info, SHOP_B).await.is_empty(),
        "links belong to their shop"
    );

    // Info-only users see links but cannot make or stop them.
    let (s, _) = create(&app, &info, SHOP, &[("amount", "1"), ("reference", "x")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .call(
            &info,
            "deactivate_payment_link",
            &[("shop", SHOP), ("id", &row.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Deactivated with a message for the buyer; twice is refused clearly.
    let admin = app.client_for(Who::Admin).await;
    let id = row.id.to_string();
    let r = app
        .call(
            &admin,
            "deactivate_payment_link",
            &[
                ("shop", SHOP),
                ("id", &id),
                ("message", "Paid by bank transfer instead"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = &list(&app, &info, SHOP).await[0];
    assert_eq!(row.status, "deactivated");
    assert_eq!(
        row.message.as_deref(),
        Some("Paid by bank transfer instead")
    );
    let (s, _, b) = body(
        app.call(
            &admin,
            "deactivate_payment_link",
            &[("shop", SHOP), ("id", &id)],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(b.contains("deactivated already"), "{b}");
    // Another merchant's admin cannot touch it.
    let other = app.client_for(Who::OtherAdmin).await;
    let r = app
        .call(
            &other,
            "deactivate_payment_link",
            &[("shop", SHOP), ("id", &id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    for kind in ["payment_link_created", "payment_link_deactivated"] {
        assert_eq!(
            app.scalar(format!(
                "SELECT COUNT(*) FROM audit_events WHERE kind = '{kind}'"
            ))
            .await,
            1,
            "{kind}"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_a_message_per_field_and_nothing_is_written() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    let (s, b) = create(
        &app,
        &admin,
        SHOP,
        &[
            ("amount", "10 000,005"),
            ("reference", &"R".repeat(36)),
            ("buyer_email", "nobody"),
            ("language", "de"),
            ("expires_days", "120"),
            ("max_payments", "5"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for says in [
        "two decimals",
        "35 characters",
        "language",
        "1 to 90",
        "single-use",
    ] {
        assert!(b.contains(says), "{says}: {b}");
    }
    let (s, b) = create(
        &app,
        &admin,
        SHOP,
        &[("amount", "10000.01"), ("reference", "Big")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("at most"), "{b}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payment_links").await, 0);

    // Expiry is counted from now and shows as "expired" once passed.
    let (s, b) = create(
        &app,
        &admin,
        SHOP,
        &[
            ("amount", "5"),
            ("reference", "Soon"),
            ("expires_days", "1"),
            ("usage", "reusable"),
            ("max_payments", "3"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(list(&app, &admin, SHOP).await[0].status, "active");
    app.state.clock.advance_ms(24 * 60 * 60 * 1000 + 1);
    // A day later the session has ended too: sign in again.
    let admin = app.client_for(Who::Admin).await;
    let row = &list(&app, &admin, SHOP).await[0];
    assert_eq!(
        (row.status.as_str(), row.reusable, row.max_payments),
        ("expired", true, Some(3))
    );

    // Amounts as people write them: a decimal comma, a thousands space.
    let (s, b) = create(
        &app,
        &admin,
        SHOP,
        &[("amount", "1 234,50"), ("reference", "Comma")],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("\"amount\":123450"), "{b}");
}

#[tokio::test]
async fn link_search_folds_letters_as_payment_search_does() {
    let app = crate::app!();
    let staff = app.client_for(Who::Refunds).await;
    for (reference, description, name) in [
        ("Arve 1", "Kingitus", "Õie Tamm"),
        ("Rēķins 2", "ŠĶĒLE", "Jānis"),
        ("Заказ 3", "Подарок", "Анна"),
        ("Sale 50%_A", "Promo", "Mari"),
        ("Sale 50xxA", "Promo", "Jaan"),
    ] {
        let (s, b) = create(
            &app,
            &staff,
            SHOP,
            &[
                ("amount", "10"),
                ("reference", reference),
                ("description", description),
                ("buyer_name", name),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let info = app.client_for(Who::Info).await;
    for (q, expected) in [
        ("ÕIE", vec!["Arve 1"]),
        ("šķēle", vec!["Rēķins 2"]),
        ("РЕЌИНС", vec![]),
        ("ЗАКАЗ", vec!["Заказ 3"]),
        ("подарок", vec!["Заказ 3"]),
        ("анна", vec!["Заказ 3"]),
        ("50%_", vec!["Sale 50%_A"]),
        ("_a", vec!["Sale 50%_A"]),
    ] {
        let (s, _, b) = body(
            app.call(&info, "list_payment_links", &[("shop", SHOP), ("q", q)])
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let rows: Vec<LinkRow> = serde_json::from_str::<app::api::payment_links::LinkPage>(&b)
            .unwrap()
            .rows;
        let refs: Vec<&str> = rows.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(refs, expected, "{q}");
    }
}

#[tokio::test]
async fn the_list_pages_through_every_link_newest_first() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    for i in 0..57 {
        let reference = format!("Order {i:03}");
        let (s, b) = create(
            &app,
            &admin,
            SHOP,
            &[("amount", "5"), ("reference", reference.as_str())],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // Pairs share a millisecond (the id orders those); the last is alone.
        if i % 2 == 1 {
            app.state.clock.advance_ms(1);
        }
    }
    let page = |before: Option<String>| {
        let app = &app;
        let admin = &admin;
        async move {
            let mut form = vec![("shop", SHOP.to_string())];
            if let Some(b) = before {
                form.push(("before", b));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (s, _, b) = body(app.call(admin, "list_payment_links", &form).await).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            serde_json::from_str::<app::api::payment_links::LinkPage>(&b).unwrap()
        }
    };
    let first = page(None).await;
    assert_eq!(first.rows.len(), 50);
    assert!(!first.older);
    assert!(
        first.rows[0].reference == "Order 056",
        "newest first: {}",
        first.rows[0].reference
    );
    let second = page(first.next.clone()).await;
    assert!(second.older && second.next.is_none());
    let mut seen: Vec<String> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.reference.clone())
        .collect();
    assert_eq!(seen.len(), 57);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 57, "every link once");
    // A damaged cursor is named.
    let (s, _, b) = body(
        app.call(
            &admin,
            "list_payment_links",
            &[("shop", SHOP), ("before", "yesterday")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("first page"), "{b}");
    // The page links to the older ones.
    let html = app
        .page(&admin, &format!("/shops/{SHOP}/payment-links"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Older links →"), "{html}");
}
