//! The operator's tools: command-line actions, demo data, generated load.

pub mod demo_payments;
pub mod generate;
pub mod operator;
