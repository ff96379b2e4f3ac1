//! What merchants read: transaction lists, detail, dashboard, exports.

pub mod dashboard;
pub mod export;
pub mod progress;
pub mod search;
pub mod tx_detail;
pub mod tx_list;
