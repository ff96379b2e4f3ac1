//! Payouts: the banking calendar they run on (built-in holidays plus the operator's
//! exceptions) and each shop's payout schedule; the payout job and its pages build on them.

pub mod account;
pub mod calendar;
pub mod cover;
pub mod pain001;
pub mod run;
pub mod schedule;
pub mod view;
