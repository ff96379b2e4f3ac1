//! Money in euro cents. Stored as an integer, computed with `rust_decimal`, rounded
//! explicitly — never `f64`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of euros, held as whole cents. May be negative (debits, balances).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money(i64);

/// The largest amount the portal accepts in one input: ten million euros.
pub const MAX_INPUT_CENTS: i64 = 1_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses what a person typed, the Baltic way or the English way: a decimal comma or dot
    /// with at most two decimals ("12,50", "12.5"), thousands grouped in threes by spaces or
    /// by the other mark ("1 234,50", "1.234,50", "1,234.50"), an optional "€" or "EUR".
    /// A sign, letters or more decimals are refused with a message that says what to type.
    pub fn parse(input: &str) -> Result<Money, String> {
        let mut s = input.trim();
        for suffix in ["€", "EUR", "eur", "Eur"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim_end();
            }
        }
        if let Some(rest) = s.strip_prefix('€') {
            s = rest.trim_start();
        }
        if s.is_empty() {
            return Err("Enter an amount, e.g. 12,50.".into());
        }
        let is_space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}');
        if !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_space(c))
        {
            return Err("Enter the amount in euros with digits, e.g. 12,50 or 1 234.50.".into());
        }
        // The decimal mark is the last dot or comma, unless that mark repeats (then it only
        // groups thousands: "1.234.567").
        let last = s.rfind(['.', ',']);
        let (whole, frac) = match last {
            Some(i) => {
                let mark = &s[i..i + 1];
                if s.matches(mark).count() > 1 {
                    (s, "")
                } else {
                    (&s[..i], &s[i + 1..])
                }
            }
            None => (s, ""),
        };
        if !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err("Enter the amount in euros with digits, e.g. 12,50 or 1 234.50.".into());
        }
        if frac.len() > 2 {
            return Err("Use at most two decimals (cents), e.g. 12,50.".into());
        }
        // Thousands groups: the first of 1–3 digits, every other exactly 3.
        let groups: Vec<&str> = whole
            .split(|c: char| c == '.' || c == ',' || is_space(c))
            .collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return Err("Group thousands in threes, e.g. 1 234,50.".into());
        }
        let whole: String = groups.concat();
        if whole.is_empty() {
            return Err("Enter the amount in euros with digits, e.g. 12,50 or 1 234.50.".into());
        }
        if whole.len() > 8 {
            return Err("This amount is too large.".into());
        }
        let whole: i64 = whole
            .parse()
            .map_err(|_| "This amount is too large.".to_string())?;
        let cents = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().unwrap_or(0) * 10,
            _ => frac.parse::<i64>().unwrap_or(0),
        };
        let total = whole * 100 + cents;
        if total > MAX_INPUT_CENTS {
            return Err("This amount is too large.".into());
        }
        Ok(Money(total))
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Rounds a euro amount to the cent, half away from zero (0.125 → 0.13, −0.125 → −0.13).
    pub fn round_from(euros: Decimal) -> Money {
        let rounded = euros.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let cents = (rounded * Decimal::ONE_HUNDRED).trunc();
        Money(i64::try_from(cents).unwrap_or(if cents.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        }))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// For people to read: thousands grouped with a narrow no-break space and the currency,
    /// e.g. `1 234.50 €`, `−0.05 €`. Inputs and exports use `Display` (`1234.50`).
    pub fn human(self) -> String {
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3 * 3);
        for (i, c) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push('\u{202f}');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "\u{2212}" } else { "" };
        format!("{sign}{grouped}.{:02}\u{a0}€", abs % 100)
    }
}

impl fmt::Display for Money {
    /// `1234.50`, `-0.05`: the form used in exports and inputs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn parses_what_people_type() {
        for (typed, cents) in [
            ("12", 1200),
            (" 12.5 ", 1250),
            ("12,50", 1250),
            ("12,5", 1250),
            ("0.05", 5),
            ("0,05", 5),
            ("1 234,50", 123_450),
            ("1\u{202f}234,50\u{a0}€", 123_450),
            ("1.234,50", 123_450),
            ("1,234.50", 123_450),
            ("1.234.567", 123_456_700),
            ("12 EUR", 1200),
            ("€ 12.50", 1250),
            ("10000000", MAX_INPUT_CENTS),
            ("10 000 000,00", MAX_INPUT_CENTS),
        ] {
            assert_eq!(
                Money::parse(typed).map(Money::cents),
                Ok(cents),
                "{typed:?}"
            );
        }
        for (bad, says) in [
            ("12.505", "two decimals"),
            ("12,505", "two decimals"),
            ("1,000.000", "two decimals"),
            ("-5", "digits"),
            ("1e3", "digits"),
            ("", "Enter an amount"),
            (".5", "digits"),
            ("12 34,50", "threes"),
            ("1.00,00", "threes"),
            ("1234 567", "threes"),
            ("10000000.01", "too large"),
            ("999999999999", "too large"),
        ] {
            let e = Money::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(Money::round_from(d("0.125")).cents(), 13);
        assert_eq!(Money::round_from(d("0.124")).cents(), 12);
        assert_eq!(Money::round_from(d("-0.125")).cents(), -13);
        assert_eq!(Money::round_from(d("0.305")).cents(), 31);
    }

    #[test]
    fn reads_well_for_people() {
        assert_eq!(
            Money::from_cents(123_456_789).human(),
            "1\u{202f}234\u{202f}567.89\u{a0}€"
        );
        assert_eq!(Money::from_cents(99_999).human(), "999.99\u{a0}€");
        assert_eq!(Money::from_cents(100_000).human(), "1\u{202f}000.00\u{a0}€");
        assert_eq!(Money::from_cents(-5).human(), "\u{2212}0.05\u{a0}€");
    }

    #[test]
    fn displays_with_two_decimals() {
        assert_eq!(Money::from_cents(123450).to_string(), "1234.50");
        assert_eq!(Money::from_cents(-5).to_string(), "-0.05");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }
}
