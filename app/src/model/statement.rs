//! The account statement's wire types: what the page asks for (its state in the URL) and
//! what it shows.

use crate::domain::tx_filter::encode;
use crate::domain::Money;
use serde::{Deserialize, Serialize};

/// The statement page's state as it lives in the URL, raw as typed or linked; the server
/// checks it and answers with a message per field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatementFilter {
    /// `this_month` (the default), `last_month`, `month` (with `month`) or `custom` (with
    /// `from` and `to`).
    #[serde(default)]
    pub period: String,
    /// `YYYY-MM`, for `period=month`.
    #[serde(default)]
    pub month: String,
    /// `YYYY-MM-DD` in the shop's time zone, both days included, for `period=custom`.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// A movement type's code (`INCOME`, `TRX_FEE`, …); empty for every type.
    #[serde(default)]
    pub kind: String,
    /// Part of the payment's reference.
    #[serde(default)]
    pub q: String,
    /// Keyset cursors: the movements after or before this posting number.
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
}

type Accessor = fn(&StatementFilter) -> &String;

const FIELDS: [(&str, Accessor); 8] = [
    ("period", |f| &f.period),
    ("month", |f| &f.month),
    ("from", |f| &f.from),
    ("to", |f| &f.to),
    ("kind", |f| &f.kind),
    ("q", |f| &f.q),
    ("after", |f| &f.after),
    ("before", |f| &f.before),
];

/// The periods offered as links, with their labels.
pub const PERIODS: [(&str, &str); 2] = [("this_month", "This month"), ("last_month", "Last month")];

/// Movements per page.
pub const PAGE_SIZE: i64 = 50;

impl StatementFilter {
    /// Reads the filter from URL parameters (`get` returns a parameter's value).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut f = StatementFilter::default();
        for (name, _) in FIELDS {
            let v = get(name).unwrap_or_default();
            match name {
                "period" => f.period = v,
                "month" => f.month = v,
                "from" => f.from = v,
                "to" => f.to = v,
                "kind" => f.kind = v,
                "q" => f.q = v,
                "after" => f.after = v,
                _ => f.before = v,
            }
        }
        f
    }

    /// The URL query of the filter, without empty parameters.
    pub fn to_query(&self) -> String {
        FIELDS
            .iter()
            .filter(|(_, get)| !get(self).is_empty())
            .map(|(name, get)| format!("{name}={}", encode(get(self))))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The fields that are set, as a form's hidden fields carry them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        FIELDS
            .iter()
            .map(|(k, get)| (*k, get(self).to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// The period is a whole calendar month (this month, last month or a picked one): the
    /// month-close pack is offered for it.
    pub fn is_whole_month(&self) -> bool {
        matches!(
            self.period.as_str(),
            "" | "this_month" | "last_month" | "month"
        )
    }

    /// The same filter from its first page.
    pub fn first_page(&self) -> Self {
        StatementFilter {
            after: String::new(),
            before: String::new(),
            ..self.clone()
        }
    }
}

/// One movement of the statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementRow {
    /// The shop's posting number: the statement's order.
    pub seq: i64,
    /// When it was posted, in the shop's time zone.
    pub at: String,
    /// The movement type's code (INCOME, TRX_FEE, …) and its label.
    pub kind: String,
    pub label: String,
    /// Money leaving the account (fees, VAT, refunds, payouts) or coming in.
    pub debit: Option<Money>,
    pub credit: Option<Money>,
    pub balance_after: Money,
    /// The payment's reference and id, where the movement belongs to a payment.
    pub reference: Option<String>,
    pub transaction_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub payout_id: Option<i64>,
    /// What a monthly charge is for: "VAT correction for October 2026: 20 % of …".
    #[serde(default)]
    pub note: Option<String>,
}

/// A page of the statement with the period's opening and closing balance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementPage {
    /// The period, e.g. "November 2026" or "1.11.2026 – 15.11.2026", and its first and last
    /// day (`YYYY-MM-DD`) in the shop's time zone.
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    pub time_zone: String,
    /// The balance after the last movement before the period, and after its last one.
    pub opening: Money,
    pub closing: Money,
    /// Whether the period has no movement at all (whatever the filter).
    pub empty: bool,
    pub rows: Vec<StatementRow>,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The user looks at test data: test payments have no statement.
    pub test_data: bool,
}

/// The totals of one movement type over the period (and the filter).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindTotal {
    pub kind: String,
    pub label: String,
    pub entries: i64,
    pub debit: Money,
    pub credit: Money,
}

/// Totals per movement type, and over all of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementTotals {
    pub kinds: Vec<KindTotal>,
    pub entries: i64,
    pub debit: Money,
    pub credit: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_round_trips_through_the_url() {
        let f = StatementFilter {
            period: "custom".into(),
            from: "2026-11-01".into(),
            to: "2026-11-15".into(),
            kind: "TRX_FEE".into(),
            q: "Arve 12&x".into(),
            ..Default::default()
        };
        let q = f.to_query();
        assert_eq!(
            q,
            "period=custom&from=2026-11-01&to=2026-11-15&kind=TRX_FEE&q=Arve%2012%26x"
        );
        let pairs: Vec<(String, String)> = q
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (
                    k.to_string(),
                    v.replace("%20", " ").replace("%26", "&").to_string(),
                )
            })
            .collect();
        let back = StatementFilter::from_params(|k| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, f);
    }
}
