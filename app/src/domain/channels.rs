//! The payment methods a shop offers on its payment page: bank links grouped by the bank's
//! country, then cards.

use super::fees::{Channel, ChannelGroup};

/// Bank-link countries in the order the payment page shows them.
pub const COUNTRIES: [&str; 4] = ["EE", "LV", "LT", "FI"];

/// What a new shop offers until its settings say otherwise (also what the migration gave
/// the shops that existed before): country ("" for cards) and channel, in display order.
pub const DEFAULT_CHANNELS: [(&str, Channel); 30] = [
    ("EE", Channel::Swedbank),
    ("EE", Channel::Seb),
    ("EE", Channel::Lhv),
    ("EE", Channel::Luminor),
    ("EE", Channel::Krediidipank),
    ("EE", Channel::Citadele),
    ("EE", Channel::Pocopay),
    ("EE", Channel::LiisiEe),
    ("LV", Channel::Swedbank),
    ("LV", Channel::Seb),
    ("LV", Channel::Citadele),
    ("LV", Channel::Luminor),
    ("LT", Channel::Swedbank),
    ("LT", Channel::Seb),
    ("LT", Channel::Luminor),
    ("LT", Channel::Citadele),
    ("FI", Channel::Nordea),
    ("FI", Channel::Pohjola),
    ("FI", Channel::Danske),
    ("FI", Channel::Aktia),
    ("FI", Channel::Spankki),
    ("FI", Channel::Handelsbanken),
    ("FI", Channel::Alandsbanken),
    ("FI", Channel::Poppankki),
    ("FI", Channel::Saastopankki),
    ("FI", Channel::Omasaastopankki),
    ("FI", Channel::Tapiola),
    ("", Channel::Visa),
    ("", Channel::Mastercard),
    ("", Channel::Maestro),
];

/// One payment method as the page offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Method {
    pub channel: Channel,
    /// The bank's country (EE, LV, LT, FI); empty for cards.
    pub country: &'static str,
}

impl Method {
    /// The value the page's button sends, e.g. `swedbank:LV` or `visa`.
    pub fn code(&self) -> String {
        if self.country.is_empty() {
            self.channel.as_str().to_string()
        } else {
            format!("{}:{}", self.channel.as_str(), self.country)
        }
    }

    pub fn parse(code: &str) -> Option<Method> {
        let (channel, country) = code.split_once(':').unwrap_or((code, ""));
        let channel = Channel::parse(channel)?;
        let country = match channel.group() {
            ChannelGroup::Cards if country.is_empty() => "",
            ChannelGroup::BankLinks => COUNTRIES.into_iter().find(|c| *c == country)?,
            ChannelGroup::Cards => return None,
        };
        Some(Method { channel, country })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_codes_round_trip_and_strangers_are_refused() {
        for (country, channel) in DEFAULT_CHANNELS {
            let m = Method { channel, country };
            assert_eq!(Method::parse(&m.code()), Some(m));
            assert_eq!(channel.group() == ChannelGroup::Cards, country.is_empty());
        }
        // As stored: channel and country, the country empty for cards.
        assert_eq!(
            Method::parse("visa:").map(|m| m.code()),
            Some("visa".into())
        );
        assert_eq!(Method::parse("swedbank"), None);
        assert_eq!(Method::parse("swedbank:SE"), None);
        assert_eq!(Method::parse("visa:EE"), None);
        assert_eq!(Method::parse("paypal"), None);
    }

    #[test]
    fn the_migration_gives_existing_shops_the_same_defaults() {
        let sql = include_str!("../../../migrations/0007_payment_page.sql");
        for (i, (country, channel)) in DEFAULT_CHANNELS.iter().enumerate() {
            let row = format!(
                "SELECT '{country}' AS country, '{}' AS channel, {} AS position",
                channel.as_str(),
                i + 1
            );
            assert!(sql.contains(&row), "the migration lacks {row}");
        }
    }
}
