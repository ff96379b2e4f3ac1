use crate::domain::Money;
use serde::{Deserialize, Serialize};

/// What a refund request ended with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundOutcome {
    pub refund_id: i64,
    pub amount: Money,
    /// The shop's balance after the refund (unchanged while a refund awaits the buyer's account).
    pub balance: Money,
    /// `done`, or `awaiting_account` for Finnish bank-link payments.
    pub status: String,
}

/// What a refund would do, shown before the user confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPreview {
    pub amount: Money,
    /// What can still be refunded on the payment.
    pub refundable: Money,
    pub balance: Money,
    pub reserved: Money,
    pub balance_after: Money,
    /// A Finnish bank-link payment: the amount is reserved until the buyer gives an account.
    pub awaits_account: bool,
    /// The idempotency key the confirmation sends, so a double click makes one refund.
    pub key: String,
}
