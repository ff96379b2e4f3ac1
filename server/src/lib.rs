//! Builds the whole application from typed settings, so that `main` and the tests start the
//! same thing: the database, the session layer, the access middleware, the Leptos routes.

pub mod assets;
pub mod config;
pub mod pay;
pub mod session_store;
pub mod shop_api;

use app::server::identity::auth::{session_user, Auth, RequestMeta};
use app::server::infra::clock::Clock;
use app::server::infra::db::Db;
use app::server::infra::mail::Mailer;
use app::server::{AppState, CspNonce};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use config::Settings;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::net::SocketAddr;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

/// How mail leaves the application.
pub enum MailChoice {
    /// From the settings: SMTP if configured, otherwise `.eml` files under the data folder.
    FromSettings,
    /// Keep mails in memory (tests).
    Memory,
}

pub struct Built {
    pub router: Router,
    pub state: AppState,
    /// The browser's files, compressed in the background once the server serves.
    pub site: assets::SiteFiles,
}

/// Connects to the database, applies migrations and builds the router.
pub async fn build(
    settings: &Settings,
    mail: MailChoice,
    clock: Clock,
) -> anyhow_like::Result<Built> {
    let max = if settings.database_url.starts_with("sqlite:") {
        8
    } else {
        16
    };
    if settings.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            anyhow_like::msg(format!(
                "creating data folder {}: {e}",
                settings.data_dir.display()
            ))
        })?;
    }
    let db = Db::connect(&settings.database_url, max)
        .await
        .map_err(|e| anyhow_like::msg(format!("connecting to the database: {e}")))?;
    app::server::migrate(&db)
        .await
        .map_err(|e| anyhow_like::msg(format!("migrating the database: {e}")))?;
    let mailer = match mail {
        MailChoice::Memory => Mailer::memory(&settings.mail_from),
        MailChoice::FromSettings => match &settings.smtp_url {
            Some(url) => Mailer::smtp(url, &settings.mail_from).map_err(anyhow_like::msg)?,
            None => {
                let dir = settings.data_dir.join("mail");
                tracing::info!(folder = %dir.display(), "no SMTP configured: mails are written as .eml files");
                Mailer::files(dir, &settings.mail_from).map_err(anyhow_like::msg)?
            }
        },
    };
    let state = AppState {
        db,
        mailer,
        clock,
        public_url: settings.public_base(),
        public_origin: settings.public_origin(),
        time_zone: settings.time_zone.clone(),
        bank_country: settings.bank_country.clone(),
        provider_name: settings.provider_name.clone(),
        provider_iban: settings.provider_iban.clone(),
        provider_address: settings.provider_address.clone(),
        provider_vat_number: settings.provider_vat_number.clone(),
        payout_minimum_cents: settings.payout_minimum_cents,
        operator_email: settings.operator_email.clone(),
        notify_allow_private: settings.notify_allow_private,
        session_idle_minutes: settings.session_idle_minutes,
        session_max_hours: settings.session_max_hours,
        exports: std::sync::Arc::new(tokio::sync::Semaphore::new(settings.export_limit as usize)),
        export_progress: Default::default(),
        mail_from: settings.mail_from.clone(),
        live_connector: match settings.live_connector {
            config::LiveConnector::None => None,
            config::LiveConnector::TestBank => {
                tracing::warn!("live payments go through the test bank: a demo, no money moves");
                Some(std::sync::Arc::new(
                    app::server::payments::connector::TestConnector,
                ))
            }
        },
        test_connector: std::sync::Arc::new(app::server::payments::connector::TestConnector),
        mail_wake: std::sync::Arc::default(),
    };
    let store = session_store::Store::connect(&settings.database_url)
        .await
        .map_err(|e| anyhow_like::msg(format!("preparing the session store: {e}")))?;
    store.spawn_cleanup();
    let sessions = SessionManagerLayer::new(store)
        .with_name("portal_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            settings.session_idle_minutes,
        )));

    let site = assets::SiteFiles::new(&settings.site_root, &settings.hash_file);
    let leptos = site.configure(
        LeptosOptions::builder()
            .output_name("portal")
            .site_root(settings.site_root.to_string_lossy().to_string())
            .site_pkg_dir(assets::PKG_DIR)
            .site_addr(settings.listen)
            .build(),
    );
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let server_state = ServerState {
        leptos: leptos.clone(),
        app: state.clone(),
    };
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/shops/{shop}/exports/{file}", get(export))
        .merge(pay::routes())
        .merge(shop_api::routes())
        .merge(site.routes())
        .leptos_routes_with_context(&server_state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || app::shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, app::shell))
        .with_state(server_state)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), protect))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|r| r.header_value().to_str().ok())
                .unwrap_or("-")
                .to_string();
            tracing::info_span!("request", id = %id, method = %req.method(), path = %redact(req.uri().path()))
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    Ok(Built {
        router,
        state,
        site,
    })
}

/// Paths carry single-use tokens for invites and resets; logs get only their first part.
pub fn redact(path: &str) -> String {
    for prefix in [
        "/reset-password/",
        "/invite/",
        "/refund-account/",
        "/pay/",
        "/test-bank/",
    ] {
        if path.starts_with(prefix) {
            return format!("{prefix}…");
        }
    }
    path.to_string()
}

/// Downloads: the transactions a filter matches (CSV streams; XLSX is built, then sent) and
/// the account statement as camt.053 XML (streams). Each file reads its page's filter from
/// the query string.
async fn export(
    State(s): State<ServerState>,
    axum::extract::Path((shop, file)): axum::extract::Path<(String, String)>,
    uri: axum::http::Uri,
    axum::Extension(auth): axum::Extension<app::server::identity::auth::Auth>,
    axum::Extension(meta): axum::Extension<app::server::identity::auth::RequestMeta>,
) -> Response {
    app::server::reporting::export::handle(s.app.clone(), shop, file, uri, auth, meta).await
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(s): State<ServerState>) -> Response {
    match s.app.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

/// Refuses state-changing requests from other sites, and adds the security headers (with
/// a fresh CSP nonce) to every response.
async fn protect(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !same_origin(&req, &state.public_origin) {
        tracing::warn!(method = %req.method(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not allowed.",
        )
            .into_response();
    }
    let nonce = {
        use base64::Engine;
        use rand::RngCore;
        let mut b = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut b);
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    // The browser files set their own caching (`assets`); everything else is never stored.
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A browser says where a request comes from with `Sec-Fetch-Site` and `Origin`. The origin
/// must be the public URL's, or the very host the request was sent to (so `localhost` and
/// `127.0.0.1` both work in development). Requests without either header (command-line
/// clients) carry no ambient browser credentials of another site.
fn same_origin(req: &Request, public_origin: &str) -> bool {
    if let Some(site) = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    if origin == public_origin {
        return true;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    // Another name for this server (the Host it was reached by) counts only with the public
    // URL's scheme: an https page must not post to the http site, nor the other way round.
    let public_scheme = public_origin.split_once("://").map(|(s, _)| s);
    match (origin.split_once("://"), host) {
        (Some((scheme, origin_host)), Some(host)) => {
            Some(scheme) == public_scheme && origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

/// Resolves the session's user on every request and hands it to the handlers.
async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let user = match req.extensions().get::<tower_sessions::Session>().cloned() {
        Some(session) => match session_user(&state, &session).await {
            Ok(u) => u,
            Err(_) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The portal cannot reach its database. Please try again shortly.",
                )
                    .into_response();
            }
        },
        None => None,
    };
    req.extensions_mut().insert(Auth(user));
    req.extensions_mut().insert(RequestMeta { ip });
    next.run(req).await
}

/// The application's page routes, worked out once per process. Leptos finds them by running
/// the app with resource loading switched off by a process-wide flag, so a page rendered by
/// another instance in this process at that moment would wait forever for its data (tests
/// build many instances side by side; the access matrix also lists the routes).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// Every endpoint the application serves: page routes, server functions and plain routes,
/// as (method, path). The access-matrix test checks that each one has a row.
pub fn endpoints() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![
        ("GET".into(), "/healthz".into()),
        ("GET".into(), "/readyz".into()),
        ("GET".into(), "/shops/{shop}/exports/{file}".into()),
    ];
    out.extend(pay::paths().map(|(m, p)| (m.to_string(), p.to_string())));
    out.extend(shop_api::paths().map(|(m, p)| (m.to_string(), p.to_string())));
    for r in route_list() {
        for m in r.methods() {
            out.push((format!("{m:?}").to_uppercase(), r.path().to_string()));
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        out.push((method.to_string(), path.to_string()));
    }
    out.sort();
    out.dedup();
    out
}

/// Serves until Ctrl-C or SIGTERM, compressing the browser files that lack a compressed
/// copy meanwhile.
///
/// Every connection has TCP_NODELAY: a page rendered in several pieces (one per loaded part)
/// otherwise waits for the client's delayed acknowledgement between them, about 40 ms on
/// one request in ten over a kept-alive connection.
pub async fn serve(built: Built, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    assets::precompress_in_background(built.site.pkg_dir.clone());
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        built
            .router
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// A minimal boxed error with a message, for start-up failures shown to the operator.
pub mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Error>;
    #[derive(Debug)]
    pub struct Error(pub String);
    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Error {}
    pub fn msg(m: impl std::fmt::Display) -> Error {
        Error(m.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn one_time_tokens_never_reach_the_logs() {
        assert_eq!(redact("/reset-password/abcDEF123"), "/reset-password/…");
        assert_eq!(redact("/invite/abcDEF123"), "/invite/…");
        assert_eq!(redact("/shops/demo/users"), "/shops/demo/users");
    }
}
