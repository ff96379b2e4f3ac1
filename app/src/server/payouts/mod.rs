//! Payouts: the banking calendar they run on (built-in holidays plus the operator's
//! exceptions), and — to come — each shop's payout frequency, the payout job and its pages.

pub mod calendar;
