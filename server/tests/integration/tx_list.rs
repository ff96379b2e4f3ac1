//! The transactions list over HTTP: keyset pages in every sort order and both directions,
//! filters, totals, validation, shop scoping and saved views — checked against plain SQL.

use crate::harness::{body, TestApp, Who, SHOP, SHOP_B};
use app::api::transactions::{SavedView, TxPage, TxTotals};
use app::server::{operations::demo_payments, operations::generate};
use reqwest::{Client, StatusCode};

/// Fills `shop-a` with `n` payments over the last year (and a few in `shop-b`).
async fn fill(app: &TestApp, n: usize) {
    let now = app.state.clock.now_ms();
    let plan = demo_payments::bulk_plan(11, n, now);
    generate::bulk_insert(&app.state, app.shop_id(SHOP).await, plan)
        .await
        .unwrap();
    let other = demo_payments::bulk_plan(12, 20, now);
    generate::bulk_insert(&app.state, app.shop_id(SHOP_B).await, other)
        .await
        .unwrap();
}

fn form<'a>(shop: &'a str, filter: &'a [(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut f = vec![("shop".to_string(), shop.to_string())];
    for (k, v) in filter {
        f.push((format!("filter[{k}]"), v.to_string()));
    }
    f
}

async fn post(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    f: &[(String, String)],
) -> (StatusCode, String) {
    let r = c
        .post(app.url(&format!("/api/{endpoint}")))
        .header("Accept", "application/json")
        .form(f)
        .send()
        .await
        .unwrap();
    let (s, _, b) = body(r).await;
    (s, b)
}

async fn list(app: &TestApp, c: &Client, filter: &[(&str, &str)]) -> TxPage {
    let (s, b) = post(app, c, "list_transactions", &form(SHOP, filter)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

async fn ids_by_sql(app: &TestApp, where_: &str, order: &str) -> Vec<i64> {
    let shop = app.shop_id(SHOP).await;
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT id FROM transactions WHERE shop_id = {shop}{where_} ORDER BY {order}"
    ))
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

/// Walks every page forward from the first, then backward from the last.
async fn walk(app: &TestApp, c: &Client, filter: &[(&str, &str)]) -> (Vec<i64>, Vec<i64>) {
    let mut forward = Vec::new();
    let mut cursor = String::new();
    let last = loop {
        let mut f = filter.to_vec();
        if !cursor.is_empty() {
            f.push(("after", cursor.as_str()));
        }
        let p = list(app, c, &f).await;
        forward.extend(p.rows.iter().map(|r| r.id));
        match p.next.clone() {
            Some(n) => cursor = n,
            None => break p,
        }
        assert!(forward.len() < 10_000, "the walk does not end");
    };
    let mut backward: Vec<i64> = last.rows.iter().rev().map(|r| r.id).collect();
    let mut prev = last.prev;
    while let Some(cur) = prev {
        let mut f = filter.to_vec();
        f.push(("before", cur.as_str()));
        let p = list(app, c, &f).await;
        backward.extend(p.rows.iter().rev().map(|r| r.id));
        prev = p.prev;
    }
    backward.reverse();
    (forward, backward)
}

#[tokio::test]
async fn keyset_pages_cover_every_row_once_in_every_order_and_direction() {
    let app = crate::app!();
    fill(&app, 230).await;
    let c = app.client_for(Who::Info).await;
    for (sort, order) in [
        ("time_desc", "created_at DESC, id DESC"),
        ("time_asc", "created_at ASC, id ASC"),
        ("amount_desc", "amount_cents DESC, id DESC"),
        ("amount_asc", "amount_cents ASC, id ASC"),
    ] {
        let expected = ids_by_sql(&app, "", order).await;
        assert_eq!(expected.len(), 230);
        let (forward, backward) = walk(&app, &c, &[("sort", sort), ("size", "25")]).await;
        assert_eq!(forward, expected, "forward, {sort}");
        assert_eq!(backward, expected, "backward, {sort}");
    }
    // The first page has no previous page; the default size is 50.
    let p = list(&app, &c, &[]).await;
    assert_eq!(p.rows.len(), 50);
    assert!(p.prev.is_none() && p.next.is_some());
}

#[tokio::test]
async fn filters_and_totals_match_the_database() {
    let app = crate::app!();
    fill(&app, 400).await;
    let c = app.client_for(Who::Refunds).await;
    let tz = jiff::tz::TimeZone::get("Europe/Tallinn").unwrap();
    let (since, until) =
        app::server::reporting::tx_list::period_range("30d", app.state.clock.now_ms(), &tz)
            .unwrap();
    // A row to search for by reference, buyer and id.
    let (id, reference, email): (i64, String, String) = sqlx::query_as(
        "SELECT id, reference, buyer_email FROM transactions WHERE buyer_email IS NOT NULL AND shop_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(app.shop_id(SHOP).await)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let id_text = id.to_string();
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (vec![("status", "approved")], " AND status = 'approved'".into()),
        (vec![("channel", "swedbank")], " AND channel = 'swedbank'".into()),
        (
            vec![("status", "approved"), ("channel", "visa"), ("period", "30d")],
            format!(
                " AND status = 'approved' AND channel = 'visa' AND created_at >= {since} AND created_at < {until}"
            ),
        ),
        (
            vec![("min", "20"), ("max", "80.50")],
            " AND amount_cents >= 2000 AND amount_cents <= 8050".into(),
        ),
        (vec![("q", &reference)], format!(" AND reference = '{reference}'")),
        (vec![("q", &id_text)], format!(" AND id = {id}")),
        (
            vec![("q", &email[..email.find('@').unwrap()])],
            format!(
                " AND LOWER(buyer_email) LIKE '%{}%'",
                &email[..email.find('@').unwrap()]
            ),
        ),
        (
            vec![("from", "2000-01-01"), ("to", "2000-01-31")],
            " AND 1 = 0".into(),
        ),
    ];
    for (filter, sql) in cases {
        let (ids, _) = walk(&app, &c, &filter).await;
        let (s, b) = post(&app, &c, "transaction_totals", &form(SHOP, &filter)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let totals: TxTotals = serde_json::from_str(&b).unwrap();
        assert_eq!(totals.count, ids.len() as i64, "{filter:?}");
        let expected = ids_by_sql(&app, &sql, "created_at DESC, id DESC").await;
        assert_eq!(ids, expected, "{filter:?}");
        let shop = app.shop_id(SHOP).await;
        let (gross, fees, net): (i64, i64, i64) = sqlx::query_as(&format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status IN ('approved', 'part_refunded', 'refunded') THEN amount_cents ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(fee_cents + vat_cents), 0) AS BIGINT), CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) \
             FROM transactions WHERE shop_id = {shop}{sql}"
        ))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(
            (
                totals.gross.cents(),
                totals.fees.cents(),
                totals.net.cents()
            ),
            (gross, fees, net),
            "{filter:?}"
        );
    }
    // Nothing of shop-b ever shows in shop-a.
    let all = ids_by_sql(&app, "", "id").await;
    let (ids, _) = walk(&app, &c, &[("size", "200")]).await;
    assert_eq!(ids.len(), all.len());
}

#[tokio::test]
async fn bad_filters_get_a_message_per_field() {
    let app = crate::app!();
    let c = app.client_for(Who::Admin).await;
    let (s, b) = post(
        &app,
        &c,
        "list_transactions",
        &form(
            SHOP,
            &[
                ("min", "12,505"),
                ("status", "lost"),
                ("from", "yesterday"),
                ("after", "garbage"),
            ],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for says in [
        "two decimals",
        "Choose a status",
        "YYYY-MM-DD",
        "first page",
    ] {
        assert!(b.contains(says), "{says}: {b}");
    }
    // The page itself shows the messages next to the fields, with a 422.
    let r = app
        .page(&c, &format!("/shops/{SHOP}/transactions?min=12%2C505"))
        .await;
    let (s, _, html) = body(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("f-min-error"), "{html}");
    // A decimal comma is read as people write it.
    let r = app
        .page(&c, &format!("/shops/{SHOP}/transactions?min=12%2C50"))
        .await;
    let (s, _, html) = body(r).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("f-min-error"), "{html}");
}

#[tokio::test]
async fn the_page_renders_rows_in_the_shops_time_zone() {
    let app = crate::app!();
    let t = app
        .paid_payment(12_345, app::domain::fees::Channel::Swedbank)
        .await;
    let c = app.client_for(Who::Info).await;
    let r = app.page(&c, &format!("/shops/{SHOP}/transactions")).await;
    let (s, _, html) = body(r).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Europe/Tallinn"), "time zone named");
    assert!(html.contains(&t.to_string()));
    assert!(html.contains("123.45"));
    assert!(html.contains("Swedbank"));
    assert!(html.contains(&format!("/shops/{SHOP}/transactions/{t}")));
}

#[tokio::test]
async fn saved_views_belong_to_their_user_and_shop() {
    let app = crate::app!();
    let admin = app.client_for(Who::Admin).await;
    let info = app.client_for(Who::Info).await;
    let save = |c: &Client, name: &str, status: &str| {
        let mut f = form(SHOP, &[]);
        f.push(("name".into(), name.into()));
        f.push(("filter[status]".into(), status.into()));
        f.push(("filter[after]".into(), "1_1".into()));
        let c = c.clone();
        let app = &app;
        async move { post(app, &c, "save_view", &f).await }
    };
    let (s, b) = save(&admin, "Refunded", "refunded").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: SavedView = serde_json::from_str(&b).unwrap();
    // The page position is not part of a view.
    assert_eq!(v.query, "status=refunded");
    let (s, _) = save(&admin, "Refunded", "part_refunded").await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = save(&admin, "  ", "approved").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("name"), "{b}");
    let (s, b) = save(&admin, "Broken", "lost").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let views = |c: &Client, shop: &'static str| {
        let c = c.clone();
        let app = &app;
        async move {
            let (s, b) = post(app, &c, "list_saved_views", &form(shop, &[])).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            serde_json::from_str::<Vec<SavedView>>(&b).unwrap()
        }
    };
    let mine = views(&admin, SHOP).await;
    assert_eq!(mine.len(), 1, "same name replaces");
    assert_eq!(mine[0].query, "status=part_refunded");
    assert!(
        views(&info, SHOP).await.is_empty(),
        "another user's views are theirs"
    );
    assert!(
        views(&admin, SHOP_B).await.is_empty(),
        "another shop's views are separate"
    );
    let del = |c: &Client, id: i64| {
        let c = c.clone();
        let app = &app;
        async move {
            post(
                app,
                &c,
                "delete_saved_view",
                &[("shop".into(), SHOP.into()), ("id".into(), id.to_string())],
            )
            .await
            .0
        }
    };
    assert_eq!(del(&info, mine[0].id).await, StatusCode::NOT_FOUND);
    assert_eq!(del(&admin, mine[0].id).await, StatusCode::OK);
    assert!(views(&admin, SHOP).await.is_empty());
}

/// Starts a payment in `shop-a` with this reference, buyer name and e-mail.
async fn payment_by(app: &TestApp, reference: &str, name: &str, email: &str) -> i64 {
    use app::domain::{fees::Channel, Money};
    use app::server::payments::transactions::{self, NewTransaction};
    transactions::create(
        &app.state,
        NewTransaction {
            shop_id: app.shop_id(SHOP).await,
            reference: reference.into(),
            amount: Money::from_cents(1_000),
            channel: Channel::Swedbank,
            test_mode: false,
            buyer_name: Some(name.into()),
            buyer_email: Some(email.into()),
            buyer_ip: None,
            buyer_country: None,
            description: None,
            from_link: None,
        },
    )
    .await
    .unwrap()
}

/// The ids a search finds, from the list and from its totals' count, which must agree.
async fn found(app: &TestApp, c: &Client, q: &str) -> Vec<i64> {
    let (mut ids, _) = walk(app, c, &[("q", q)]).await;
    let (s, b) = post(app, c, "transaction_totals", &form(SHOP, &[("q", q)])).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let totals: TxTotals = serde_json::from_str(&b).unwrap();
    assert_eq!(totals.count, ids.len() as i64, "{q}");
    ids.sort();
    ids
}

#[tokio::test]
async fn search_folds_baltic_and_cyrillic_letters_the_same_on_both_databases() {
    let app = crate::app!();
    let oie = payment_by(&app, "INV-1001", "Õie Tamm", "tamm@example.ee").await;
    let skele = payment_by(&app, "INV-1002", "ŠĶĒLE Bērziņa", "ske@example.lv").await;
    let azuolas = payment_by(&app, "INV-1003", "Ąžuolas Kazlauskas", "az@example.lt").await;
    let anna = payment_by(&app, "ЗАКАЗ-7", "Анна Иванова", "Anna.Ivanova@Example.com").await;
    let percent = payment_by(&app, "SALE-50%_A", "Mari Mets", "mari@example.ee").await;
    let plain = payment_by(&app, "SALE-50xxA", "Jaan Kask", "jaan@example.ee").await;
    let c = app.client_for(Who::Refunds).await;
    let mut cases: Vec<(&str, Vec<i64>)> = vec![
        ("õie", vec![oie]),
        ("ÕIE", vec![oie]),
        ("Õie Tamm", vec![oie]),
        ("šķēle", vec![skele]),
        ("ŠĶĒLE", vec![skele]),
        ("BĒRZIŅA", vec![skele]),
        ("ąžuolas", vec![azuolas]),
        ("ĄŽUOLAS", vec![azuolas]),
        ("Анна", vec![anna]),
        ("АННА", vec![anna]),
        ("иванова", vec![anna]),
        ("заказ-7", vec![anna]),
        // A trigram exactly.
        ("Õie", vec![oie]),
        ("Анн", vec![anna]),
        // E-mail parts and references, in any case.
        ("ANNA.IVANOVA@", vec![anna]),
        ("example.lv", vec![skele]),
        ("inv-100", vec![oie, skele, azuolas]),
        // LIKE's wildcards are literal.
        ("50%_", vec![percent]),
        ("0%_", vec![percent]),
        ("%_a", vec![percent]),
        ("50xx", vec![plain]),
        // Diacritics are kept; nothing spans two fields.
        ("oie", vec![]),
        ("tamm tamm@", vec![]),
        ("nobody", vec![]),
    ];
    let by_id = oie.to_string();
    cases.push((&by_id, vec![oie]));
    for (q, mut expected) in cases {
        expected.sort();
        assert_eq!(found(&app, &c, q).await, expected, "{q}");
    }
}

#[tokio::test]
async fn payments_from_before_the_search_text_are_folded_at_migrate_time() {
    let app = crate::app!();
    let oie = payment_by(&app, "OLD-1", "Õie Tamm", "oie@example.ee").await;
    // As a row written before migration 0009 was: no search text.
    sqlx::query("UPDATE transactions SET search_text = NULL WHERE id = $1")
        .bind(oie)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let c = app.client_for(Who::Refunds).await;
    assert_eq!(found(&app, &c, "ÕIE").await, Vec::<i64>::new());
    app::server::migrate(&app.state.db).await.unwrap();
    assert_eq!(found(&app, &c, "ÕIE").await, vec![oie]);
    assert_eq!(found(&app, &c, "old-1").await, vec![oie]);
}

#[tokio::test]
async fn frequent_and_rare_terms_find_the_rows_plain_sql_finds() {
    let app = crate::app!();
    // Enough payments that a term in every e-mail is frequent (SQLite then reads the
    // shop's payments in order instead of fetching every match from the index).
    fill(&app, 2_100).await;
    let c = app.client_for(Who::Refunds).await;
    for (q, sql) in [
        ("EXAMPLE", " AND buyer_email LIKE '%example%'"),
        ("BĒRZIŅA", " AND buyer_name = 'Anna Bērziņa'"),
        ("ieva@", " AND buyer_email = 'ieva@example.lv'"),
    ] {
        let (ids, back) = walk(&app, &c, &[("q", q), ("size", "200")]).await;
        let expected = ids_by_sql(&app, sql, "created_at DESC, id DESC").await;
        assert!(!expected.is_empty(), "{q}");
        assert_eq!(ids, expected, "{q}");
        assert_eq!(back, expected, "{q} backwards");
        let (s, b) = post(&app, &c, "transaction_totals", &form(SHOP, &[("q", q)])).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let totals: TxTotals = serde_json::from_str(&b).unwrap();
        assert_eq!(totals.count, expected.len() as i64, "{q}");
    }
}

#[tokio::test]
async fn search_text_is_limited_and_control_characters_are_refused() {
    let app = crate::app!();
    let c = app.client_for(Who::Admin).await;
    // A NUL used to cut the term short silently; now the field says what to fix.
    for q in ["T-\u{0}1", "T-\t1"] {
        let (s, b) = post(&app, &c, "list_transactions", &form(SHOP, &[("q", q)])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q:?}: {b}");
        assert!(b.contains("control character"), "{b}");
    }
    // One or two letters have no trigram to look up and read the whole shop: refused with
    // a message; a short number still finds a payment by its id.
    for q in ["zq", "Õ", " a "] {
        for f in ["list_transactions", "transaction_totals"] {
            let (s, b) = post(&app, &c, f, &form(SHOP, &[("q", q)])).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{f} {q:?}: {b}");
            assert!(b.contains("at least 3 characters"), "{b}");
        }
    }
    let (s, b) = post(&app, &c, "list_transactions", &form(SHOP, &[("q", "7")])).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let long = "x".repeat(50_000);
    let (s, b) = post(&app, &c, "list_transactions", &form(SHOP, &[("q", &long)])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b.contains("at most 200 characters"),
        "{}",
        &b[..b.len().min(300)]
    );
    // The payment links' search: 50,000 characters answered 500 (SQLite's pattern limit).
    for q in [long.as_str(), "a\u{0}b"] {
        let r = c
            .post(app.url("/api/list_payment_links"))
            .header("Accept", "application/json")
            .form(&[("shop", SHOP), ("q", q)])
            .send()
            .await
            .unwrap();
        let s = r.status();
        let b = r.text().await.unwrap();
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            &b[..b.len().min(300)]
        );
        assert!(b.contains("\"q\""), "{}", &b[..b.len().min(300)]);
    }
}
