//! Server functions: the browser's API. Each is thin — one input, an access check, one
//! service call — and has a fixed endpoint so tests and other instances see stable URLs.

pub mod account;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod dashboard;
pub mod pay;
pub mod payment_links;
pub mod payouts;
pub mod refund_account;
pub mod refunds;
pub mod requests;
pub mod settings;
pub mod shop;
pub mod statement;
pub mod transactions;
pub mod two_factor;
pub mod users;

pub use crate::model::shop::ShopRef;
