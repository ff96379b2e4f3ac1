//! Wire types: what server functions take and return, shared by pages (both features) and
//! services (ssr). Services return these types and never import `api/` or `pages/`.

pub mod account;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod dashboard;
pub mod download;
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
