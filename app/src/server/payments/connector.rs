//! How a payment reaches a bank or card processor. The payment page asks a [`Connector`] to
//! start a payment (it answers with the address to send the buyer to) and, whenever the buyer
//! comes back or the bank notifies us, asks it for the payment's status. Confirmation then
//! happens in one place ([`crate::server::payments::pay::confirm`]) whichever way the news arrived.
//!
//! [`TestConnector`] is the shipped implementation: its "bank" is a page of this server where
//! the buyer chooses Approve, Decline or Cancel (cards go through a 3-D Secure step), and it
//! reads the choice back from the database the way a real connector asks its bank's API.

use crate::domain::channels::Method;
use crate::domain::Money;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::server::AppState;
use futures_util::future::BoxFuture;

/// What a connector needs to start a payment.
pub struct StartRequest<'a> {
    pub payment_id: i64,
    /// The link's token: part of the addresses the buyer returns to.
    pub token: &'a str,
    pub method: Method,
    pub amount: Money,
    pub reference: &'a str,
    pub merchant: &'a str,
    pub language: Lang,
    /// Where the bank sends the buyer back; the connector may add its own parameters.
    pub return_url: String,
}

/// A payment's status as the bank or card processor reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankStatus {
    /// The buyer has not finished yet.
    Pending,
    Approved,
    Declined,
    Cancelled,
}

/// One way to the banks. Implementations must be cheap to clone behind an `Arc` and safe to
/// call concurrently: `status` is asked again for every return and every notification.
pub trait Connector: Send + Sync {
    /// Stored with each payment, so the right connector is asked about it later.
    fn id(&self) -> &'static str;
    /// Registers the payment with the bank; returns where to send the buyer.
    fn start<'a>(
        &'a self,
        state: &'a AppState,
        req: StartRequest<'a>,
    ) -> BoxFuture<'a, AppResult<String>>;
    /// Asks the bank how the payment stands.
    fn status<'a>(
        &'a self,
        state: &'a AppState,
        payment_id: i64,
    ) -> BoxFuture<'a, AppResult<BankStatus>>;
}

/// The simulated bank: see the module documentation.
pub struct TestConnector;

pub const TEST_CONNECTOR: &str = "test";

impl Connector for TestConnector {
    fn id(&self) -> &'static str {
        TEST_CONNECTOR
    }

    fn start<'a>(
        &'a self,
        state: &'a AppState,
        req: StartRequest<'a>,
    ) -> BoxFuture<'a, AppResult<String>> {
        Box::pin(async move {
            Ok(state.link(&format!(
                "/test-bank/{}/{}?lang={}",
                req.token,
                req.payment_id,
                req.language.code()
            )))
        })
    }

    fn status<'a>(
        &'a self,
        state: &'a AppState,
        payment_id: i64,
    ) -> BoxFuture<'a, AppResult<BankStatus>> {
        Box::pin(async move {
            let outcome: Option<String> = sqlx::query_scalar(
                "SELECT outcome FROM test_bank_decisions WHERE transaction_id = $1",
            )
            .bind(payment_id)
            .fetch_optional(&state.db.pool)
            .await?;
            Ok(match outcome.as_deref() {
                Some("approved") => BankStatus::Approved,
                Some("declined") => BankStatus::Declined,
                Some("cancelled") => BankStatus::Cancelled,
                _ => BankStatus::Pending,
            })
        })
    }
}

/// The test bank's side: records the buyer's choice once (the first choice stands, as at a
/// real bank). Returns false if the payment had been decided already.
///
/// The test bank serves test payments only (and live ones where it is the configured live
/// connector, in a demo): for any other payment it answers `NotFound`, as a bank would for
/// a payment it never saw, and nothing is recorded.
pub async fn test_bank_decide(
    state: &AppState,
    payment_id: i64,
    outcome: BankStatus,
) -> AppResult<bool> {
    if !test_bank_serves(state, payment_id).await? {
        return Err(crate::error::AppError::NotFound);
    }
    let outcome = match outcome {
        BankStatus::Approved => "approved",
        BankStatus::Declined => "declined",
        BankStatus::Cancelled => "cancelled",
        BankStatus::Pending => return Ok(false),
    };
    let done = sqlx::query(
        "INSERT INTO test_bank_decisions (transaction_id, outcome, decided_at) VALUES ($1, $2, $3) \
         ON CONFLICT (transaction_id) DO NOTHING",
    )
    .bind(payment_id)
    .bind(outcome)
    .bind(state.clock.now_ms())
    .execute(&state.db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the test bank may take this payment: it was started with the test bank, and it
/// is a test payment or live payments go through the test bank (a demo).
pub async fn test_bank_serves(state: &AppState, payment_id: i64) -> AppResult<bool> {
    let row: Option<(Option<String>, i64)> =
        sqlx::query_as("SELECT connector, test_mode FROM transactions WHERE id = $1")
            .bind(payment_id)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row.is_some_and(|(connector, test_mode)| {
        test_bank_takes(state, connector.as_deref(), test_mode != 0)
    }))
}

/// The rule of [`test_bank_serves`] for a payment already read.
pub fn test_bank_takes(state: &AppState, connector: Option<&str>, test_mode: bool) -> bool {
    connector == Some(TEST_CONNECTOR) && (test_mode || state.live_is_simulated())
}
