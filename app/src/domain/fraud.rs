//! Fraud signals on one payment, each with the reason it was raised. The facts come from the
//! shop's data; the judgement is here, pure, so every rule is a test.

use super::Money;
use serde::{Deserialize, Serialize};

/// What the shop's data says about one payment and its buyer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub amount: Money,
    pub paid: bool,
    pub has_email: bool,
    pub has_name: bool,
    /// Other payments with the same buyer e-mail within 24 hours either side.
    pub same_buyer_24h: i64,
    /// Other payments from the same IP address within 24 hours either side.
    pub same_ip_24h: i64,
    /// Declined, cancelled or expired attempts by the same e-mail or IP in the hour before.
    pub failures_before: i64,
    /// Earlier payments from the same buyer e-mail.
    pub earlier_from_buyer: i64,
    /// The average paid amount of the shop over 90 days, when it has enough payments to tell.
    pub usual_amount: Option<Money>,
    /// ISO country of the buyer, and how many of the shop's recent payments came from it
    /// (out of `country_total`).
    pub country: Option<String>,
    pub country_count: i64,
    pub country_total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    pub title: String,
    pub reason: String,
    pub strong: bool,
}

pub const MANY_PAYMENTS: i64 = 4;
pub const MANY_FAILURES: i64 = 2;
pub const FAR_ABOVE_USUAL: i64 = 5;
/// Under 2% of the shop's payments come from the country.
pub const RARE_COUNTRY_PERMILLE: i64 = 20;
pub const MIN_HISTORY: i64 = 20;

const EUROPE: &[&str] = &[
    "AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FO",
    "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME",
    "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "SM", "UA", "VA", "XK",
];

pub fn is_european(country: &str) -> bool {
    EUROPE.contains(&country.to_ascii_uppercase().as_str())
}

pub fn signals(f: &Facts) -> Vec<Signal> {
    let mut out = Vec::new();
    let mut add = |title: &str, reason: String, strong: bool| {
        out.push(Signal {
            title: title.into(),
            reason,
            strong,
        })
    };
    if f.same_buyer_24h >= MANY_PAYMENTS {
        add(
            "Many payments from one buyer",
            format!(
                "{} payments with this buyer's e-mail within 24 hours.",
                f.same_buyer_24h + 1
            ),
            true,
        );
    }
    if f.same_ip_24h >= MANY_PAYMENTS {
        add(
            "Many payments from one IP address",
            format!(
                "{} payments from this IP address within 24 hours.",
                f.same_ip_24h + 1
            ),
            true,
        );
    }
    if f.paid && f.failures_before >= MANY_FAILURES {
        add(
            "Failures followed by a success",
            format!(
                "{} failed attempts by the same buyer or IP address in the hour before this payment succeeded.",
                f.failures_before
            ),
            true,
        );
    }
    if let Some(usual) = f.usual_amount.filter(|u| u.is_positive()) {
        if f.amount.cents() >= FAR_ABOVE_USUAL * usual.cents() {
            let times = f.amount.cents() / usual.cents();
            let new = if f.has_email && f.earlier_from_buyer == 0 {
                ", from a buyer with no earlier payments"
            } else {
                ""
            };
            add(
                "Amount far above usual",
                format!(
                    "{times}× the shop's average payment of {}{new}.",
                    usual.human()
                ),
                true,
            );
        }
    }
    if f.has_email && f.earlier_from_buyer == 0 {
        add(
            "New buyer",
            "No earlier payments from this buyer's e-mail in this shop.".into(),
            false,
        );
    }
    if let Some(c) = f.country.as_deref().filter(|c| !c.is_empty()) {
        if !is_european(c) {
            add(
                "Paid from outside Europe",
                format!("The buyer's country is {c}."),
                true,
            );
        } else if f.country_total >= MIN_HISTORY
            && f.country_count * 1000 < RARE_COUNTRY_PERMILLE * f.country_total
        {
            add(
                "Unusual country",
                format!(
                    "Only {} of the shop's last {} payments came from {c}.",
                    f.country_count, f.country_total
                ),
                false,
            );
        }
    }
    match (f.has_email, f.has_name) {
        (false, false) => add(
            "Missing contact data",
            "No buyer name or e-mail: the buyer cannot be contacted.".into(),
            true,
        ),
        (false, true) => add(
            "Missing contact data",
            "No buyer e-mail: the buyer cannot be contacted.".into(),
            false,
        ),
        (true, false) => add("Missing contact data", "No buyer name.".into(), false),
        (true, true) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordinary() -> Facts {
        Facts {
            amount: Money::from_cents(4_000),
            paid: true,
            has_email: true,
            has_name: true,
            earlier_from_buyer: 3,
            usual_amount: Some(Money::from_cents(3_500)),
            country: Some("EE".into()),
            country_count: 80,
            country_total: 100,
            ..Facts::default()
        }
    }

    fn titles(f: &Facts) -> Vec<String> {
        signals(f).into_iter().map(|s| s.title).collect()
    }

    #[test]
    fn an_ordinary_payment_raises_nothing() {
        assert!(signals(&ordinary()).is_empty());
    }

    #[test]
    fn each_rule_says_why() {
        let f = Facts {
            same_buyer_24h: 4,
            same_ip_24h: 6,
            failures_before: 3,
            ..ordinary()
        };
        let s = signals(&f);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].reason.contains("5 payments"));
        assert!(s[1].reason.contains("7 payments"));
        assert!(s[2].reason.contains("3 failed attempts"));
        // Failures before an attempt that did not succeed are not this pattern.
        assert!(titles(&Facts {
            failures_before: 3,
            paid: false,
            ..ordinary()
        })
        .is_empty());
    }

    #[test]
    fn large_amounts_and_new_buyers() {
        let f = Facts {
            amount: Money::from_cents(35_000),
            earlier_from_buyer: 0,
            ..ordinary()
        };
        let s = signals(&f);
        assert_eq!(titles(&f), ["Amount far above usual", "New buyer"]);
        assert!(s[0].reason.starts_with("10×"), "{}", s[0].reason);
        assert!(s[0].reason.contains("no earlier payments"));
        let f = Facts {
            amount: Money::from_cents(17_499),
            ..ordinary()
        };
        assert!(titles(&f).is_empty(), "just under five times");
        let f = Facts {
            usual_amount: None,
            amount: Money::from_cents(1_000_000),
            ..ordinary()
        };
        assert!(titles(&f).is_empty(), "no history, no judgement");
    }

    #[test]
    fn countries() {
        let f = Facts {
            country: Some("NG".into()),
            ..ordinary()
        };
        assert_eq!(titles(&f), ["Paid from outside Europe"]);
        let f = Facts {
            country: Some("PT".into()),
            country_count: 1,
            country_total: 100,
            ..ordinary()
        };
        assert_eq!(titles(&f), ["Unusual country"]);
        let f = Facts {
            country_total: 10,
            country_count: 0,
            country: Some("PT".into()),
            ..ordinary()
        };
        assert!(titles(&f).is_empty(), "too little history");
    }

    #[test]
    fn missing_contact_data() {
        let f = Facts {
            has_email: false,
            has_name: false,
            ..ordinary()
        };
        let s = signals(&f);
        assert_eq!(s.len(), 1);
        assert!(s[0].strong && s[0].reason.contains("name or e-mail"));
    }
}
