use crate::domain::Money;
use serde::{Deserialize, Serialize};

/// What the buyer's refund link shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundClaim {
    /// `open` (waiting for the account), `done` (sent) or `expired`.
    pub state: String,
    pub merchant: String,
    pub shop: String,
    pub amount: Money,
    pub reference: String,
    /// When the link stops working, in the shop's time zone.
    pub expires: String,
}
