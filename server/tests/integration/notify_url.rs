//! The notification URL and its test: admins save it (checked, audited with before and
//! after) and send a sample payment notice to a real HTTP server started here; the answer's
//! status and first kilobyte come back, a silent server is a timeout after 5 seconds,
//! redirects are reported and not followed, and loopback addresses are refused unless the
//! operator allows private targets — then the local server receives nothing.

use crate::harness::{body, TestApp, Who, SHOP};
use crate::settings::form;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode as AxStatus, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// What the shop's server received: (method, path, content type, body).
type Received = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// The long answer the shop's server gives: 3,000 ASCII bytes, each position telling.
fn long_answer() -> String {
    (0..3000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

/// The shop's server: records every request; `/moved` answers 302 to `/hook`, anything
/// else 201 with [`long_answer`].
async fn shop_answers(
    State(received): State<Received>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    text: String,
) -> Response {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = uri.path().to_string();
    received
        .lock()
        .unwrap()
        .push((method.to_string(), path.clone(), kind, text));
    if path == "/moved" {
        (AxStatus::FOUND, [(header::LOCATION, "/hook")]).into_response()
    } else {
        (AxStatus::CREATED, long_answer()).into_response()
    }
}

/// Starts the shop's server on 127.0.0.1; returns its port.
async fn shop_server(received: Received) -> u16 {
    let router = axum::Router::new()
        .route("/hook", post(shop_answers))
        .route("/moved", post(shop_answers))
        .with_state(received);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await });
    port
}

/// A server that accepts connections and never answers. Returns its port.
async fn silent_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

async fn save_url(app: &TestApp, c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let f = form(&[("general[notification_url]", url)]);
    let (status, _, text) = body(app.call(c, "save_general_settings", &f).await).await;
    (status, text)
}

async fn send_test(app: &TestApp, c: &reqwest::Client) -> (StatusCode, Value) {
    let (status, _, text) = body(
        app.call(c, "send_test_notification", &[("shop", SHOP)])
            .await,
    )
    .await;
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

#[tokio::test]
async fn the_test_notification_reaches_the_shops_server_and_shows_its_answer() {
    let Some(app) = TestApp::spawn_with(
        app::server::infra::clock::Clock::manual_at(jiff::Timestamp::now().as_millisecond()),
        server::MailChoice::Memory,
        |env| env.push(("PORTAL_NOTIFY_ALLOW_PRIVATE".into(), "true".into())),
    )
    .await
    else {
        return;
    };
    let received = Received::default();
    let port = shop_server(received.clone()).await;
    let admin = app.client_for(Who::Admin).await;

    // Nothing saved yet: the test says to save an address first.
    let (status, answer) = send_test(&app, &admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer.to_string().contains("Save a notification URL first"),
        "{answer}"
    );

    // A bad address is named and nothing is saved.
    for (bad, words) in [
        (
            "shop-a.example/hook",
            "Enter the full address of your server, starting with https://",
        ),
        (
            "https://me:secret@shop-a.example/hook",
            "Remove the user name and password",
        ),
        ("ftp://shop-a.example/hook", "must start with https://"),
    ] {
        let (status, text) = save_url(&app, &admin, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {text}");
        assert!(
            text.contains("notification_url") && text.contains(words),
            "{bad}: {text}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM shops WHERE notification_url IS NOT NULL")
            .await,
        0
    );

    // Saved and audited with before and after.
    let hook = format!("http://127.0.0.1:{port}/hook");
    let (status, text) = save_url(&app, &admin, &hook).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        text.contains(&format!("\"notification_url\":\"{hook}\"")),
        "{text}"
    );
    let changes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT detail, before_value, after_value FROM audit_events WHERE kind = 'shop_settings'",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        changes,
        [("notification URL".into(), "(none)".into(), hook.clone())]
    );

    // The test: one JSON POST marked as a test; the answer's status and first kilobyte.
    let (status, answer) = send_test(&app, &admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], 201, "{answer}");
    assert_eq!(answer["outcome"], "201 Created");
    assert_eq!(answer["url"], hook.as_str());
    assert_eq!(answer["truncated"], true);
    assert_eq!(answer["body_start"], &long_answer()[..1024]);
    assert!(answer["elapsed_ms"].as_u64().unwrap() < 5000);
    {
        let got = received.lock().unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        let (method, path, kind, text) = &got[0];
        assert_eq!((method.as_str(), path.as_str()), ("POST", "/hook"));
        assert!(kind.starts_with("application/json"), "{kind}");
        let notice: Value = serde_json::from_str(text).unwrap();
        assert_eq!(notice["test"], true, "{notice}");
        assert_eq!(notice["shop"]["slug"], SHOP);
        assert_eq!(notice["currency"], "EUR");
        assert_eq!(notice["status"], "approved");
        assert!(notice["transaction_id"]
            .as_str()
            .unwrap()
            .starts_with("test-"));
    }
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE kind = 'notification_test'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(detail, format!("{hook} → 201 Created"));

    // A plain form post (no JavaScript) comes back to the page, which shows the last test.
    let page = app.url(&format!("/shops/{SHOP}/settings"));
    let r = admin
        .post(app.url("/api/send_test_notification"))
        .header("Accept", "text/html")
        .header("Referer", &page)
        .form(&[("shop", SHOP)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let back = r.headers()[reqwest::header::LOCATION].to_str().unwrap();
    assert!(back.starts_with(&page), "{back}");
    let html = app
        .page(&admin, &format!("/shops/{SHOP}/settings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Notification URL (optional)"), "{html}");
    assert!(
        html.contains("Last test") && html.contains("by admin@test.example: http://127.0.0.1"),
        "{html}"
    );

    // A redirect is the answer; it is not followed.
    received.lock().unwrap().clear();
    save_url(&app, &admin, &format!("http://127.0.0.1:{port}/moved")).await;
    let (_, answer) = send_test(&app, &admin).await;
    assert_eq!(answer["status"], 302, "{answer}");
    assert!(
        answer["outcome"]
            .as_str()
            .unwrap()
            .contains("does not follow redirects; Location: /hook"),
        "{answer}"
    );
    assert_eq!(received.lock().unwrap().len(), 1, "only /moved was called");

    // A server that never answers: the result says so after 5 seconds.
    let silent = silent_server().await;
    save_url(&app, &admin, &format!("http://127.0.0.1:{silent}/")).await;
    let (status, answer) = send_test(&app, &admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], Value::Null);
    assert_eq!(answer["outcome"], "No answer within 5 seconds.");
    let took = answer["elapsed_ms"].as_u64().unwrap();
    assert!((4900..8000).contains(&took), "{took}");

    // Nobody connects: a clear result, not an error page.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    save_url(&app, &admin, &format!("http://127.0.0.1:{closed}/")).await;
    let (status, answer) = send_test(&app, &admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer["outcome"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Could not connect to 127.0.0.1:{closed}")),
        "{answer}"
    );

    // Only the shop's admins may send it.
    for who in [Who::Refunds, Who::Info] {
        let c = app.client_for(who).await;
        let (status, _) = send_test(&app, &c).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}");
    }
    let other = app.client_for(Who::OtherAdmin).await;
    let (status, _) = send_test(&app, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'notification_test'")
            .await,
        5
    );
}

#[tokio::test]
async fn loopback_addresses_are_refused_unless_the_operator_allows_them() {
    let Some(app) = TestApp::spawn().await else {
        return;
    };
    let received = Received::default();
    let port = shop_server(received.clone()).await;
    let admin = app.client_for(Who::Admin).await;
    for (url, refused) in [
        (format!("http://127.0.0.1:{port}/hook"), "127.0.0.1"),
        (format!("http://localhost:{port}/hook"), ""),
        (format!("http://[::1]:{port}/hook"), "::1"),
        (
            format!("http://[::ffff:127.0.0.1]:{port}/hook"),
            "::ffff:127.0.0.1",
        ),
    ] {
        let (status, text) = save_url(&app, &admin, &url).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let (status, answer) = send_test(&app, &admin).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let outcome = answer["outcome"].as_str().unwrap();
        assert!(
            outcome.starts_with(&format!("Refused: {refused}"))
                && outcome
                    .ends_with(" is a loopback address; the provider only calls public addresses."),
            "{url}: {outcome}"
        );
        assert_eq!(answer["status"], Value::Null);
    }
    assert!(received.lock().unwrap().is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'notification_test'")
            .await,
        4
    );
}
