use crate::server::infra::clock::Clock;
use crate::server::infra::db::Db;
use crate::server::infra::mail::Mailer;

/// What every request handler needs, built once by the server from its settings.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub mailer: Mailer,
    pub clock: Clock,
    /// Where links in e-mails point, e.g. `https://portal.example.com` (no trailing slash).
    pub public_url: String,
    /// The origin (`scheme://host[:port]`) that state-changing requests must come from.
    pub public_origin: String,
    /// Default time zone for showing times, an IANA name.
    pub time_zone: String,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// Permits for exports running at once: each holds a database connection (PostgreSQL
    /// exports a native one of their own) for as long as it reads, so they are capped.
    pub exports: std::sync::Arc<tokio::sync::Semaphore>,
    pub mail_from: String,
    /// Carries payments from the payment page to the banks and card processors.
    pub connector: std::sync::Arc<dyn crate::server::payments::connector::Connector>,
    /// Wakes the mail job after a commit that queued mail (see `infra::outbox`).
    pub mail_wake: std::sync::Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }
}

/// The application state from the Leptos context of the current request.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::server::internal("AppState missing from context"))
}
