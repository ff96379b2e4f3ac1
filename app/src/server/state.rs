//! The application state every request and job shares: the database, mail, the clock, the
//! settings that services read, and the payment connectors. Built once by the server.

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
    /// The country whose banking calendar payouts follow (ISO code, `EE` by default).
    pub bank_country: String,
    /// The provider's name and the IBAN payouts are paid from.
    pub provider_name: String,
    pub provider_iban: String,
    /// The provider's address lines and VAT number, as fee invoices print them.
    pub provider_address: Vec<String>,
    pub provider_vat_number: Option<String>,
    /// Below this a payout waits (cents).
    pub payout_minimum_cents: i64,
    /// Where the shops' requests to the provider are mailed (unset: recorded only).
    pub operator_email: Option<String>,
    /// Whether a shop's test notification may go to non-public addresses (loopback,
    /// private networks, …); false unless the operator allows it.
    pub notify_allow_private: bool,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// Permits for exports running at once: each holds a database connection (PostgreSQL
    /// exports a native one of their own) for as long as it reads, so they are capped.
    pub exports: std::sync::Arc<tokio::sync::Semaphore>,
    /// How far each running download is (see `reporting::progress`).
    pub export_progress: std::sync::Arc<crate::server::reporting::progress::Registry>,
    pub mail_from: String,
    /// Carries live payments from the payment page to the banks and card processors;
    /// `None` until the provider configures one, and then live links say the shop cannot
    /// take payments yet.
    pub live_connector: Option<std::sync::Arc<dyn crate::server::payments::connector::Connector>>,
    /// Carries test payments: the simulated bank. It serves live payments only where it is
    /// also the live connector (demos, which say so on every page).
    pub test_connector: std::sync::Arc<dyn crate::server::payments::connector::Connector>,
    /// Wakes the mail job after a commit that queued mail (see `infra::outbox`).
    pub mail_wake: std::sync::Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }

    /// The connector for a test or a live payment; `None` for a live one when no live
    /// connector is configured. A live payment never goes to the test bank unless the
    /// test bank is configured as the live connector.
    pub fn connector_for(
        &self,
        test_mode: bool,
    ) -> Option<std::sync::Arc<dyn crate::server::payments::connector::Connector>> {
        if test_mode {
            Some(self.test_connector.clone())
        } else {
            self.live_connector.clone()
        }
    }

    /// Whether live payments go through the simulated bank (a demo): every page says so.
    pub fn live_is_simulated(&self) -> bool {
        self.live_connector
            .as_ref()
            .is_some_and(|c| c.id() == crate::server::payments::connector::TEST_CONNECTOR)
    }
}

/// The application state from the Leptos context of the current request.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::server::internal("AppState missing from context"))
}
