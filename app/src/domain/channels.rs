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

/// The country's name in English; empty for "" (cards).
pub fn country_name(code: &str) -> &'static str {
    match code {
        "EE" => "Estonia",
        "LV" => "Latvia",
        "LT" => "Lithuania",
        "FI" => "Finland",
        _ => "",
    }
}

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

    /// "Swedbank (Latvia)" or "Visa".
    pub fn label(&self) -> String {
        match country_name(self.country) {
            "" => self.channel.label().to_string(),
            country => format!("{} ({country})", self.channel.label()),
        }
    }

    /// How long the provider usually takes to activate the method, from the FAQ.
    pub fn usual_activation(&self) -> &'static str {
        match self.country {
            "" => "up to 2 weeks: the card schemes review the shop first",
            "EE" | "FI" => "up to 2 business days",
            _ => "up to 4 business days",
        }
    }

    /// Every method the provider offers, in display order.
    pub fn offered() -> impl Iterator<Item = Method> {
        DEFAULT_CHANNELS
            .into_iter()
            .map(|(country, channel)| Method { channel, country })
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
    fn methods_are_named_and_their_usual_activation_follows_the_faq() {
        let lv = Method::parse("swedbank:LV").unwrap();
        assert_eq!(lv.label(), "Swedbank (Latvia)");
        assert_eq!(lv.usual_activation(), "up to 4 business days");
        assert_eq!(
            Method::parse("nordea:FI").unwrap().usual_activation(),
            "up to 2 business days"
        );
        let visa = Method::parse("visa").unwrap();
        assert_eq!(visa.label(), "Visa");
        assert!(visa.usual_activation().starts_with("up to 2 weeks"));
        assert_eq!(Method::offered().count(), DEFAULT_CHANNELS.len());
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
