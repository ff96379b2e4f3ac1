//! The transactions page's state as it lives in the URL: the filter, the sort, the page size
//! and the keyset cursor. Raw strings in, so that a shared or hand-edited link round-trips;
//! the server checks them and answers with a message per field.

use serde::{Deserialize, Serialize};

/// Every query parameter of the transactions page, as typed or linked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TxFilter {
    /// A preset period (see `PERIODS`); empty with `from`/`to` for a custom range.
    #[serde(default)]
    pub period: String,
    /// Custom range, `YYYY-MM-DD` in the shop's time zone, both days included.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub channel: String,
    /// Amount range in euros, with a dot.
    #[serde(default)]
    pub min: String,
    #[serde(default)]
    pub max: String,
    /// Searches reference, id, buyer name and e-mail.
    #[serde(default)]
    pub q: String,
    /// Only the payments made through this payment link (its id).
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub size: String,
    /// Keyset cursors: the page after or before this row.
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
}

type Accessor = fn(&TxFilter) -> &String;

/// The URL parameters in their order, with the accessor for each.
const FIELDS: [(&str, Accessor); 13] = [
    ("period", |f| &f.period),
    ("from", |f| &f.from),
    ("to", |f| &f.to),
    ("status", |f| &f.status),
    ("channel", |f| &f.channel),
    ("min", |f| &f.min),
    ("max", |f| &f.max),
    ("q", |f| &f.q),
    ("link", |f| &f.link),
    ("sort", |f| &f.sort),
    ("size", |f| &f.size),
    ("after", |f| &f.after),
    ("before", |f| &f.before),
];

pub const PERIODS: &[(&str, &str)] = &[
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
];

pub const STATUSES: &[(&str, &str)] = &[
    ("approved", "Paid"),
    ("part_refunded", "Partly refunded"),
    ("refunded", "Refunded"),
    ("pending", "Pending"),
    ("created", "Started"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
];

pub const SORTS: &[(&str, &str)] = &[
    ("time_desc", "Newest first"),
    ("time_asc", "Oldest first"),
    ("amount_desc", "Largest amount first"),
    ("amount_asc", "Smallest amount first"),
];

pub const PAGE_SIZES: [i64; 4] = [25, 50, 100, 200];
pub const DEFAULT_PAGE_SIZE: i64 = 50;

pub fn status_label(code: &str) -> &str {
    STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

pub fn period_label(code: &str) -> Option<&'static str> {
    PERIODS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// What the list is ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Time,
    Amount,
}

impl TxFilter {
    /// Builds the filter from URL parameters (`get` returns a parameter's value).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> TxFilter {
        let v = |k| get(k).unwrap_or_default();
        TxFilter {
            period: v("period"),
            from: v("from"),
            to: v("to"),
            status: v("status"),
            channel: v("channel"),
            min: v("min"),
            max: v("max"),
            q: v("q"),
            link: v("link"),
            sort: v("sort"),
            size: v("size"),
            after: v("after"),
            before: v("before"),
        }
    }

    /// The query string (without `?`) of the non-empty parameters.
    pub fn to_query(&self) -> String {
        FIELDS
            .iter()
            .filter(|(_, get)| !get(self).trim().is_empty())
            .map(|(k, get)| format!("{k}={}", encode(get(self).trim())))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The fields that are set, as a form's hidden fields carry them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        FIELDS
            .iter()
            .map(|(k, get)| (*k, get(self).trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// The same filter on its first page.
    pub fn first_page(&self) -> TxFilter {
        TxFilter {
            after: String::new(),
            before: String::new(),
            ..self.clone()
        }
    }

    /// The filter alone: no cursor, sort or page size (what totals and exports depend on).
    pub fn matching(&self) -> TxFilter {
        TxFilter {
            sort: String::new(),
            size: String::new(),
            ..self.first_page()
        }
    }

    pub fn sort_or_default(&self) -> &str {
        if SORTS.iter().any(|(c, _)| *c == self.sort) {
            &self.sort
        } else {
            "time_desc"
        }
    }

    pub fn sort_key(&self) -> SortKey {
        if self.sort_or_default().starts_with("amount") {
            SortKey::Amount
        } else {
            SortKey::Time
        }
    }

    pub fn descending(&self) -> bool {
        self.sort_or_default().ends_with("desc")
    }

    /// The page size, or the default for a missing or unknown one.
    pub fn page_size(&self) -> i64 {
        self.size
            .trim()
            .parse()
            .ok()
            .filter(|n| PAGE_SIZES.contains(n))
            .unwrap_or(DEFAULT_PAGE_SIZE)
    }

    /// Whether anything narrows the list (for empty-state wording).
    pub fn is_filtered(&self) -> bool {
        !self.matching().to_query().is_empty()
    }

    /// A one-line description of the filter, for export headers; `link_reference` names the
    /// payment link the filter is limited to.
    pub fn describe(&self, link_reference: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(p) = period_label(self.period.trim()) {
            parts.push(p.to_string());
        } else if !self.from.trim().is_empty() || !self.to.trim().is_empty() {
            parts.push(format!(
                "{} to {}",
                non_empty_or(&self.from, "the start"),
                non_empty_or(&self.to, "now")
            ));
        }
        if !self.status.trim().is_empty() {
            parts.push(format!("status {}", status_label(self.status.trim())));
        }
        if !self.channel.trim().is_empty() {
            parts.push(format!(
                "channel {}",
                super::fees::Channel::label_of(self.channel.trim())
            ));
        }
        match (self.min.trim(), self.max.trim()) {
            ("", "") => {}
            (lo, "") => parts.push(format!("amount from {lo} EUR")),
            ("", hi) => parts.push(format!("amount up to {hi} EUR")),
            (lo, hi) => parts.push(format!("amount {lo} to {hi} EUR")),
        }
        if !self.q.trim().is_empty() {
            parts.push(format!("search \"{}\"", self.q.trim()));
        }
        if !self.link.trim().is_empty() {
            parts.push(match link_reference {
                Some(r) => format!("payment link \"{r}\""),
                None => format!("payment link {}", self.link.trim()),
            });
        }
        if parts.is_empty() {
            "all transactions".into()
        } else {
            parts.join(", ")
        }
    }
}

fn non_empty_or<'a>(s: &'a str, or: &'a str) -> &'a str {
    if s.trim().is_empty() {
        or
    } else {
        s.trim()
    }
}

/// A keyset position: the sort key's value and the id of the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{}_{}", self.key, self.id)
    }

    pub fn parse(s: &str) -> Option<Cursor> {
        let (k, i) = s.trim().split_once('_')?;
        Some(Cursor {
            key: k.parse().ok()?,
            id: i.parse().ok()?,
        })
    }
}

/// Percent-encodes a query value: everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn round_trips_through_the_url() {
        let f = TxFilter {
            period: "30d".into(),
            status: "approved".into(),
            channel: "swedbank".into(),
            min: "10.50".into(),
            q: "Mari Maasikas & co/ä".into(),
            link: "12".into(),
            sort: "amount_desc".into(),
            size: "100".into(),
            after: "1050_42".into(),
            ..TxFilter::default()
        };
        let q = f.to_query();
        assert!(q.starts_with("period=30d&status=approved"), "{q}");
        assert!(q.contains("q=Mari%20Maasikas%20%26%20co%2F%C3%A4"), "{q}");
        let map: HashMap<String, String> = q
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), decode(v))
            })
            .collect();
        assert_eq!(TxFilter::from_params(|k| map.get(k).cloned()), f);
    }

    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn defaults_for_missing_or_unknown_values() {
        let f = TxFilter {
            sort: "sideways".into(),
            size: "7".into(),
            ..TxFilter::default()
        };
        assert_eq!(f.sort_or_default(), "time_desc");
        assert_eq!(f.sort_key(), SortKey::Time);
        assert!(f.descending());
        assert_eq!(f.page_size(), DEFAULT_PAGE_SIZE);
        assert!(!f.is_filtered());
        let f = TxFilter {
            sort: "amount_asc".into(),
            size: "200".into(),
            ..TxFilter::default()
        };
        assert_eq!(f.sort_key(), SortKey::Amount);
        assert!(!f.descending());
        assert_eq!(f.page_size(), 200);
    }

    #[test]
    fn the_filter_alone_drops_cursor_sort_and_size() {
        let f = TxFilter {
            status: "refunded".into(),
            sort: "amount_asc".into(),
            size: "25".into(),
            after: "1_2".into(),
            ..TxFilter::default()
        };
        assert_eq!(f.matching().to_query(), "status=refunded");
        assert_eq!(
            f.first_page().to_query(),
            "status=refunded&sort=amount_asc&size=25"
        );
        assert_eq!(f.describe(None), "status Refunded");
        assert_eq!(TxFilter::default().describe(None), "all transactions");
        let f = TxFilter {
            period: "7d".into(),
            link: "12".into(),
            ..TxFilter::default()
        };
        assert_eq!(
            f.describe(Some("INV-7")),
            "Last 7 days, payment link \"INV-7\""
        );
        assert_eq!(f.describe(None), "Last 7 days, payment link 12");
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor {
            key: 1_700_000_000_000,
            id: 9_000_000_000_000_000_001,
        };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        for bad in ["", "12", "a_b", "1_", "_1", "1_2_3"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
