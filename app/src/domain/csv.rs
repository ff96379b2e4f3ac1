//! The two CSV dialects a spreadsheet reads as numbers: comma-separated with a decimal
//! point, or semicolon-separated with a decimal comma (what Excel expects in Estonian,
//! Latvian and Lithuanian settings). Each user's choice is remembered and used for every
//! CSV the portal makes for them.

use crate::domain::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CsvDialect {
    /// `,` between fields, `12.50`.
    #[default]
    Comma,
    /// `;` between fields, `12,50`.
    Semicolon,
}

impl CsvDialect {
    pub const ALL: [CsvDialect; 2] = [CsvDialect::Comma, CsvDialect::Semicolon];

    /// The name a link or a form carries: `comma` or `semicolon`.
    pub fn parse(s: &str) -> Option<CsvDialect> {
        match s.trim() {
            "comma" => Some(CsvDialect::Comma),
            "semicolon" => Some(CsvDialect::Semicolon),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CsvDialect::Comma => "comma",
            CsvDialect::Semicolon => "semicolon",
        }
    }

    /// What the choice is called where a person picks it.
    pub fn label(self) -> &'static str {
        match self {
            CsvDialect::Comma => "Comma, decimal point (12.50)",
            CsvDialect::Semicolon => "Semicolon, decimal comma (12,50)",
        }
    }

    pub fn sep(self) -> char {
        match self {
            CsvDialect::Comma => ',',
            CsvDialect::Semicolon => ';',
        }
    }

    /// An amount of cents as this dialect writes numbers: `-1234.50` or `-1234,50`.
    pub fn push_money(self, out: &mut String, cents: i64) {
        use std::fmt::Write;
        let start = out.len();
        let _ = write!(out, "{}", Money::from_cents(cents));
        if self == CsvDialect::Semicolon {
            if let Some(dot) = out[start..].find('.') {
                out.replace_range(start + dot..start + dot + 1, ",");
            }
        }
    }

    /// A decimal written as an amount in this dialect (header lines hold such text).
    pub fn number(self, amount: &str) -> String {
        match self {
            CsvDialect::Comma => amount.to_string(),
            CsvDialect::Semicolon => amount.replace('.', ","),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for d in CsvDialect::ALL {
            assert_eq!(CsvDialect::parse(d.as_str()), Some(d));
        }
        assert_eq!(CsvDialect::parse("tab"), None);
        assert_eq!(CsvDialect::parse(""), None);
    }

    #[test]
    fn amounts_are_written_in_the_dialect() {
        let mut a = String::from("x");
        CsvDialect::Comma.push_money(&mut a, -123_450);
        assert_eq!(a, "x-1234.50");
        let mut b = String::from("1.5;");
        CsvDialect::Semicolon.push_money(&mut b, 5);
        assert_eq!(b, "1.5;0,05");
    }
}
