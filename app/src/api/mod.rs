//! Server functions: the browser's API. Each is thin — one input, an access check, one
//! service call — and has a fixed endpoint so tests and other instances see stable URLs.

pub mod account;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod pay;
pub mod payment_links;
pub mod refund_account;
pub mod refunds;
pub mod shop;
pub mod transactions;
pub mod users;

use serde::{Deserialize, Serialize};

/// A shop the signed-in user can open, for the shop switcher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopRef {
    pub slug: String,
    pub name: String,
    pub merchant: String,
    pub role: crate::domain::Role,
}
