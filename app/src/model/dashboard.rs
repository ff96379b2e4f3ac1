use crate::domain::Money;
use crate::model::transactions::TxRow;
use serde::{Deserialize, Serialize};

/// Paid payments in one window of time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub label: String,
    pub count: i64,
    pub gross: Money,
    pub net: Money,
}

/// The paid gross of one day in the shop's calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayGross {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Short, for the chart's axis: `Mar 3`.
    pub label: String,
    pub gross: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub balance: Money,
    pub reserved: Money,
    /// Posted since the last payout.
    pub unpaid: Money,
    pub windows: Vec<Window>,
    pub days: Vec<DayGross>,
    pub latest: Vec<TxRow>,
    pub time_zone: String,
    /// The figures are of test payments: no balance, nothing paid out.
    pub test_mode: bool,
}
