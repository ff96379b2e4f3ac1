//! A payment link's form, checked field by field with the same rules in the browser and on
//! the server.

use super::status::LinkStatus;
use super::validate::{Email, FieldErrors};
use super::Money;
use serde::{Deserialize, Serialize};

/// The payment page's languages: code and the language's own name.
pub const LANGUAGES: [(&str, &str); 5] = [
    ("et", "Eesti"),
    ("lv", "Latviešu"),
    ("lt", "Lietuvių"),
    ("en", "English"),
    ("ru", "Русский"),
];

/// It becomes the statement's `EndToEndId`, which holds at most 35 characters.
pub const MAX_REFERENCE_CHARS: usize = 35;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
pub const DEFAULT_EXPIRY_DAYS: i64 = 7;
pub const MAX_EXPIRY_DAYS: i64 = 90;

/// What the buyer can do with a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Payable,
    /// A single-use link (or one that reached its maximum) has been paid.
    Paid,
    Expired,
    /// Withdrawn by the merchant, with their message to the buyer.
    Deactivated(Option<String>),
    Unknown,
}

impl LinkState {
    /// Whether a buyer may pay a link now: its stored status, expiry and count of payments.
    pub fn of(
        status: Option<LinkStatus>,
        message: Option<String>,
        expires_at: i64,
        max_payments: Option<i64>,
        payments_made: i64,
        now: i64,
    ) -> LinkState {
        match status {
            Some(LinkStatus::Paid) => LinkState::Paid,
            Some(LinkStatus::Deactivated) => LinkState::Deactivated(message),
            _ if expires_at <= now => LinkState::Expired,
            _ if max_payments.is_some_and(|max| payments_made >= max) => LinkState::Paid,
            Some(LinkStatus::Active) => LinkState::Payable,
            None => LinkState::Unknown,
        }
    }
}

/// The form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub buyer_name: String,
    #[serde(default)]
    pub buyer_email: String,
    /// Empty: the shop's language.
    #[serde(default)]
    pub language: String,
    /// Days until the link expires; empty: 7.
    #[serde(default)]
    pub expires_days: String,
    /// "reusable" or empty (single use).
    #[serde(default)]
    pub usage: String,
    /// For a reusable link: the most payments it takes; empty: no limit.
    #[serde(default)]
    pub max_payments: String,
}

/// A form that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLink {
    pub amount: Money,
    pub reference: String,
    pub description: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub language: String,
    pub expires_days: i64,
    pub reusable: bool,
    pub max_payments: Option<i64>,
}

pub fn language_name(code: &str) -> Option<&'static str> {
    LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Checks the form against the shop's limit and default language.
pub fn validate(f: &LinkForm, limit: Money, shop_language: &str) -> Result<ValidLink, FieldErrors> {
    let mut e = FieldErrors::default();
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let amount = e.check("amount", Money::parse(&f.amount));
    if let Some(a) = amount {
        if !a.is_positive() {
            e.add("amount", "Enter an amount greater than zero.");
        } else if a > limit {
            e.add(
                "amount",
                format!("A link can ask for at most {} in this shop.", limit.human()),
            );
        }
    }
    let reference = f.reference.trim().to_string();
    if reference.is_empty() {
        e.add(
            "reference",
            "Enter a reference you will recognise, e.g. \"Order 123\".",
        );
    } else if reference.chars().count() > MAX_REFERENCE_CHARS {
        e.add(
            "reference",
            format!(
                "Keep the reference within {MAX_REFERENCE_CHARS} characters: banks cut longer ones."
            ),
        );
    } else if reference.chars().any(char::is_control) {
        e.add(
            "reference",
            "The reference cannot contain line breaks or tabs.",
        );
    }
    let description = opt(&f.description);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        e.add(
            "description",
            format!("Keep the description within {MAX_DESCRIPTION_CHARS} characters."),
        );
    }
    let buyer_name = opt(&f.buyer_name);
    if buyer_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        e.add("buyer_name", "Keep the buyer's name within 200 characters.");
    }
    let buyer_email = opt(&f.buyer_email).and_then(|m| {
        e.check(
            "buyer_email",
            Email::parse(&m).map(|m| m.as_str().to_string()),
        )
    });
    let language = opt(&f.language).unwrap_or_else(|| shop_language.to_string());
    if language_name(&language).is_none() {
        e.add("language", "Choose a language from the list.");
    }
    let expires_days = match opt(&f.expires_days) {
        None => Some(DEFAULT_EXPIRY_DAYS),
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (1..=MAX_EXPIRY_DAYS).contains(&n) => Some(n),
            _ => {
                e.add(
                    "expires_days",
                    format!("Enter a whole number of days from 1 to {MAX_EXPIRY_DAYS}."),
                );
                None
            }
        },
    };
    let reusable = match f.usage.trim() {
        "" | "single" => false,
        "reusable" => true,
        _ => {
            e.add("usage", "Choose single use or reusable.");
            false
        }
    };
    let max_payments = match opt(&f.max_payments) {
        None => None,
        Some(_) if !reusable => {
            e.add(
                "max_payments",
                "A single-use link takes one payment; leave this empty or make the link reusable.",
            );
            None
        }
        Some(m) => match m.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => Some(n),
            _ => {
                e.add("max_payments", "Enter a whole number of payments from 1 to 100000, or leave it empty for no limit.");
                None
            }
        },
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ValidLink {
        amount: amount.expect("checked"),
        reference,
        description,
        buyer_name,
        buyer_email,
        language,
        expires_days: expires_days.expect("checked"),
        reusable,
        max_payments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_state_follows_status_expiry_and_count() {
        let now = 1_000;
        let active = Some(LinkStatus::Active);
        assert_eq!(
            LinkState::of(active, None, 2_000, None, 0, now),
            LinkState::Payable
        );
        assert_eq!(
            LinkState::of(active, None, 1_000, None, 0, now),
            LinkState::Expired
        );
        assert_eq!(
            LinkState::of(active, None, 2_000, Some(3), 3, now),
            LinkState::Paid
        );
        assert_eq!(
            LinkState::of(active, None, 2_000, Some(3), 2, now),
            LinkState::Payable
        );
        assert_eq!(
            LinkState::of(Some(LinkStatus::Paid), None, 2_000, None, 1, now),
            LinkState::Paid
        );
        let msg = Some("Sold out".to_string());
        assert_eq!(
            LinkState::of(
                Some(LinkStatus::Deactivated),
                msg.clone(),
                500,
                None,
                0,
                now
            ),
            LinkState::Deactivated(msg)
        );
        assert_eq!(
            LinkState::of(None, None, 2_000, None, 0, now),
            LinkState::Unknown
        );
    }

    fn form() -> LinkForm {
        LinkForm {
            amount: "25.50".into(),
            reference: "Order 123 extra payment".into(),
            ..LinkForm::default()
        }
    }

    const LIMIT: Money = Money::from_cents(1_000_000);

    #[test]
    fn defaults_fill_what_is_left_empty() {
        let v = validate(&form(), LIMIT, "lv").unwrap();
        assert_eq!(v.amount.cents(), 2_550);
        assert_eq!(
            (v.language.as_str(), v.expires_days, v.reusable),
            ("lv", 7, false)
        );
        assert_eq!(
            (v.description, v.buyer_email, v.max_payments),
            (None, None, None)
        );
    }

    #[test]
    fn every_field_says_what_to_fix() {
        let f = LinkForm {
            amount: "25,505".into(),
            reference: "x".repeat(36),
            description: "d".repeat(501),
            buyer_email: "not-an-address".into(),
            language: "de".into(),
            expires_days: "91".into(),
            max_payments: "3".into(),
            ..LinkForm::default()
        };
        let e = validate(&f, LIMIT, "et").unwrap_err();
        for field in [
            "amount",
            "reference",
            "description",
            "buyer_email",
            "language",
            "expires_days",
            "max_payments",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
        assert!(e.get("amount").unwrap().contains("two decimals"));
        assert!(e.get("reference").unwrap().contains("35"));
        let over = LinkForm {
            amount: "10000.01".into(),
            ..form()
        };
        assert!(validate(&over, LIMIT, "et")
            .unwrap_err()
            .get("amount")
            .unwrap()
            .contains("at most"));
        let empty = LinkForm {
            reference: "  ".into(),
            amount: "0".into(),
            ..form()
        };
        let e = validate(&empty, LIMIT, "et").unwrap_err();
        assert!(e.get("reference").is_some() && e.get("amount").is_some());
    }

    #[test]
    fn reusable_links_may_have_a_maximum() {
        let f = LinkForm {
            usage: "reusable".into(),
            max_payments: "10".into(),
            expires_days: "90".into(),
            language: "ru".into(),
            ..form()
        };
        let v = validate(&f, LIMIT, "et").unwrap();
        assert!(v.reusable);
        assert_eq!(
            (v.max_payments, v.expires_days, v.language.as_str()),
            (Some(10), 90, "ru")
        );
        let bad = LinkForm {
            max_payments: "0".into(),
            ..f
        };
        assert!(validate(&bad, LIMIT, "et").is_err());
    }
}
