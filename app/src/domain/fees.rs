//! The fee engine: what the provider deducts from one payment. Pure arithmetic over the
//! price list, rounded per line to the cent, half away from zero.

use super::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Payment methods as the provider names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Aktia,
    Alandsbanken,
    Citadele,
    Danske,
    Handelsbanken,
    Krediidipank,
    Lhv,
    LiisiEe,
    Luminor,
    Maestro,
    Mastercard,
    Nordea,
    Omasaastopankki,
    Pocopay,
    Pohjola,
    Poppankki,
    Saastopankki,
    Seb,
    Spankki,
    Swedbank,
    Tapiola,
    Visa,
}

/// How channels are priced: bank links (payment initiation) or cards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelGroup {
    BankLinks,
    Cards,
}

impl Channel {
    pub const ALL: [Channel; 22] = [
        Channel::Aktia,
        Channel::Alandsbanken,
        Channel::Citadele,
        Channel::Danske,
        Channel::Handelsbanken,
        Channel::Krediidipank,
        Channel::Lhv,
        Channel::LiisiEe,
        Channel::Luminor,
        Channel::Maestro,
        Channel::Mastercard,
        Channel::Nordea,
        Channel::Omasaastopankki,
        Channel::Pocopay,
        Channel::Pohjola,
        Channel::Poppankki,
        Channel::Saastopankki,
        Channel::Seb,
        Channel::Spankki,
        Channel::Swedbank,
        Channel::Tapiola,
        Channel::Visa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Aktia => "aktia",
            Channel::Alandsbanken => "alandsbanken",
            Channel::Citadele => "citadele",
            Channel::Danske => "danske",
            Channel::Handelsbanken => "handelsbanken",
            Channel::Krediidipank => "krediidipank",
            Channel::Lhv => "lhv",
            Channel::LiisiEe => "liisi_ee",
            Channel::Luminor => "luminor",
            Channel::Maestro => "maestro",
            Channel::Mastercard => "mastercard",
            Channel::Nordea => "nordea",
            Channel::Omasaastopankki => "omasaastopankki",
            Channel::Pocopay => "pocopay",
            Channel::Pohjola => "pohjola",
            Channel::Poppankki => "poppankki",
            Channel::Saastopankki => "saastopankki",
            Channel::Seb => "seb",
            Channel::Spankki => "spankki",
            Channel::Swedbank => "swedbank",
            Channel::Tapiola => "tapiola",
            Channel::Visa => "visa",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The name people know the channel by.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Aktia => "Aktia",
            Channel::Alandsbanken => "Ålandsbanken",
            Channel::Citadele => "Citadele",
            Channel::Danske => "Danske Bank",
            Channel::Handelsbanken => "Handelsbanken",
            Channel::Krediidipank => "Coop Pank",
            Channel::Lhv => "LHV",
            Channel::LiisiEe => "Liisi",
            Channel::Luminor => "Luminor",
            Channel::Maestro => "Maestro",
            Channel::Mastercard => "Mastercard",
            Channel::Nordea => "Nordea",
            Channel::Omasaastopankki => "Oma Säästöpankki",
            Channel::Pocopay => "Pocopay",
            Channel::Pohjola => "OP Pohjola",
            Channel::Poppankki => "POP Pankki",
            Channel::Saastopankki => "Säästöpankki",
            Channel::Seb => "SEB",
            Channel::Spankki => "S-Pankki",
            Channel::Swedbank => "Swedbank",
            Channel::Tapiola => "LähiTapiola",
            Channel::Visa => "Visa",
        }
    }

    /// A stored channel code as people read it (the code itself if it is unknown).
    pub fn label_of(code: &str) -> &str {
        Channel::parse(code).map(Channel::label).unwrap_or(code)
    }

    pub fn group(self) -> ChannelGroup {
        match self {
            Channel::Visa | Channel::Mastercard | Channel::Maestro => ChannelGroup::Cards,
            _ => ChannelGroup::BankLinks,
        }
    }

    /// Finnish bank links carry no payer account: refunds need the buyer to give one.
    pub fn is_finnish_bank_link(self) -> bool {
        matches!(
            self,
            Channel::Aktia
                | Channel::Alandsbanken
                | Channel::Danske
                | Channel::Handelsbanken
                | Channel::Nordea
                | Channel::Omasaastopankki
                | Channel::Pohjola
                | Channel::Poppankki
                | Channel::Saastopankki
                | Channel::Spankki
                | Channel::Tapiola
        )
    }
}

/// When the fees of a channel group are paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Deducted from each payment as it arrives (the standard).
    Deducted,
    /// Invoiced by the 10th on last month's volume; nothing is deducted per payment.
    Monthly,
}

/// The fee rule of one channel group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeeRule {
    /// Percentage of the amount, e.g. 2.5 for 2.5 %.
    pub percent: Decimal,
    pub fixed: Money,
    /// If the percentage and fixed fee come to less, a TRX_FEE_MIN line tops them up to this.
    pub minimum: Option<Money>,
    pub billing: Billing,
}

impl FeeRule {
    /// Reads a rule as the operator writes it: `2.5%+0.30`, `2.9% + 0.25 min 0.50`, `0%+0.10`.
    pub fn parse(input: &str, billing: Billing) -> Result<FeeRule, String> {
        let s = input.trim().to_lowercase().replace(' ', "");
        let (main, minimum) = match s.split_once("min") {
            Some((m, min)) => (
                m.to_string(),
                Some(Money::parse(min).map_err(|e| format!("minimum fee: {e}"))?),
            ),
            None => (s.clone(), None),
        };
        let (pct, fixed) = main.split_once("%+").ok_or_else(|| {
            format!(
                "{input:?}: write a fee rule like 2.5%+0.30 (optionally followed by 'min 0.50')"
            )
        })?;
        let percent: Decimal = pct
            .parse()
            .map_err(|_| format!("{input:?}: {pct:?} is not a percentage"))?;
        if percent.is_sign_negative() || percent > Decimal::ONE_HUNDRED {
            return Err(format!("{input:?}: the percentage must be from 0 to 100"));
        }
        let fixed = Money::parse(fixed).map_err(|e| format!("fixed fee: {e}"))?;
        Ok(FeeRule {
            percent,
            fixed,
            minimum,
            billing,
        })
    }

    /// The rule written out for the billing page: "Cards: 2.5 % + 0.30 EUR, VAT 20 %,
    /// deducted per payment".
    pub fn describe(&self, group: &str, vat_percent: Decimal) -> String {
        let mut parts = Vec::new();
        if !self.percent.is_zero() || self.fixed == Money::ZERO {
            parts.push(format!("{} %", self.percent.normalize()));
        }
        if self.fixed != Money::ZERO {
            parts.push(format!("{} EUR", self.fixed));
        }
        let minimum = match self.minimum {
            Some(m) => format!(" (at least {m} EUR a payment)"),
            None => String::new(),
        };
        let when = match self.billing {
            Billing::Deducted => "deducted per payment",
            Billing::Monthly => {
                "billed monthly on last month's volume, on the first banking day of the month"
            }
        };
        format!(
            "{group}: {}{minimum}, VAT {} %, {when}",
            parts.join(" + "),
            vat_percent.normalize()
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceList {
    pub bank_links: FeeRule,
    pub cards: FeeRule,
    /// VAT on fees, in percent (20 for 20 %).
    pub vat_percent: Decimal,
}

impl PriceList {
    /// The standard list: 2.5 % + 0.30 EUR for every channel, deducted, VAT 20 %.
    pub fn standard() -> PriceList {
        let rule = FeeRule {
            percent: Decimal::new(25, 1),
            fixed: Money::from_cents(30),
            minimum: None,
            billing: Billing::Deducted,
        };
        PriceList {
            bank_links: rule.clone(),
            cards: rule,
            vat_percent: Decimal::from(20),
        }
    }

    /// Every transaction-fee rule written out, bank links first.
    pub fn describe(&self) -> Vec<String> {
        vec![
            self.bank_links.describe("Bank links", self.vat_percent),
            self.cards.describe("Cards", self.vat_percent),
        ]
    }

    pub fn rule(&self, group: ChannelGroup) -> &FeeRule {
        match group {
            ChannelGroup::BankLinks => &self.bank_links,
            ChannelGroup::Cards => &self.cards,
        }
    }
}

/// The three kinds of price list, in the order they win when several apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ListKind {
    SpecialOffer,
    Negotiated,
    Standard,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::SpecialOffer => "special_offer",
            ListKind::Negotiated => "negotiated",
            ListKind::Standard => "standard",
        }
    }
    pub fn parse(s: &str) -> Option<ListKind> {
        [
            ListKind::SpecialOffer,
            ListKind::Negotiated,
            ListKind::Standard,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A stored price list with when it applies.
#[derive(Clone, Debug, PartialEq)]
pub struct ListEntry {
    pub id: i64,
    pub kind: ListKind,
    pub valid_from: i64,
    /// Only special offers end.
    pub valid_until: Option<i64>,
    pub created_at: i64,
    pub list: PriceList,
}

/// The list in force at `at` among a merchant's lists and the standard ones: a running
/// special offer, else the newest negotiated list already valid, else the newest standard
/// list. `None` means the built-in standard. When an offer ends, what it replaced applies again.
pub fn pick(entries: &[ListEntry], at: i64) -> Option<&ListEntry> {
    entries
        .iter()
        .filter(|e| e.valid_from <= at && e.valid_until.is_none_or(|u| at < u))
        .min_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then(b.valid_from.cmp(&a.valid_from))
                .then(b.created_at.cmp(&a.created_at))
        })
}

/// The statement's names for fee movements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeeKind {
    /// TRX_FEE: the percentage part.
    TrxFee,
    /// TRX_FEE_FIX: the fixed part.
    TrxFeeFix,
    /// TRX_FEE_MIN: the top-up to the minimum fee.
    TrxFeeMin,
}

impl FeeKind {
    pub fn code(self) -> &'static str {
        match self {
            FeeKind::TrxFee => "TRX_FEE",
            FeeKind::TrxFeeFix => "TRX_FEE_FIX",
            FeeKind::TrxFeeMin => "TRX_FEE_MIN",
        }
    }
}

/// One fee line with its own VAT, each rounded to the cent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub kind: FeeKind,
    pub fee: Money,
    pub vat: Money,
}

/// A fee line the engine lowered so that fees with their VAT stay within the payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeCap {
    pub kind: FeeKind,
    /// What the price list asks for.
    pub from: Money,
    /// What was charged (zero: the line was dropped).
    pub to: Money,
}

impl FeeCap {
    /// The cap in words, for the payment's page.
    pub fn explain(&self) -> String {
        let what = match self.kind {
            FeeKind::TrxFee => "Percentage fee",
            FeeKind::TrxFeeFix => "Fixed fee",
            FeeKind::TrxFeeMin => "Minimum fee top-up",
        };
        format!(
            "{what} ({}) capped from {} to {} so the payment does not go below zero.",
            self.kind.code(),
            self.from,
            self.to
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeBreakdown {
    pub gross: Money,
    pub lines: Vec<FeeLine>,
    pub billing: Billing,
    /// Lines lowered because the payment was too small for the full fees.
    #[serde(default)]
    pub caps: Vec<FeeCap>,
}

impl FeeBreakdown {
    pub fn fees(&self) -> Money {
        self.lines.iter().map(|l| l.fee).sum()
    }
    pub fn vat(&self) -> Money {
        self.lines.iter().map(|l| l.vat).sum()
    }
    /// What the merchant's balance grows by now: the gross less deducted fees and VAT.
    /// Fees billed monthly are not deducted here.
    pub fn net(&self) -> Money {
        match self.billing {
            Billing::Deducted => self.gross - self.fees() - self.vat(),
            Billing::Monthly => self.gross,
        }
    }
}

fn percent_of(amount: Decimal, percent: Decimal) -> Decimal {
    amount * percent / Decimal::ONE_HUNDRED
}

/// The fee lines the price list asks for on `gross`, before any cap.
fn full_lines(gross: Money, rule: &FeeRule, vat_percent: Decimal) -> Vec<FeeLine> {
    let vat_of = |fee: Money| Money::round_from(percent_of(fee.to_decimal(), vat_percent));
    let pct = Money::round_from(percent_of(gross.to_decimal(), rule.percent));
    let mut lines = vec![
        FeeLine {
            kind: FeeKind::TrxFee,
            fee: pct,
            vat: vat_of(pct),
        },
        FeeLine {
            kind: FeeKind::TrxFeeFix,
            fee: rule.fixed,
            vat: vat_of(rule.fixed),
        },
    ];
    if let Some(min) = rule.minimum {
        let so_far = pct + rule.fixed;
        if so_far < min {
            lines.push(FeeLine {
                kind: FeeKind::TrxFeeMin,
                fee: min - so_far,
                vat: vat_of(min - so_far),
            });
        }
    }
    lines
}

/// Fees for one approved payment of `gross` through `channel`. Test-mode shops pay nothing.
/// A fee never exceeds the payment: on tiny amounts the lines are capped so that fees plus
/// VAT stay within the gross and the net is never negative; each cap is listed in `caps`.
pub fn compute(gross: Money, channel: Channel, list: &PriceList, test_mode: bool) -> FeeBreakdown {
    let rule = list.rule(channel.group());
    if test_mode || !gross.is_positive() {
        return FeeBreakdown {
            gross,
            lines: Vec::new(),
            billing: rule.billing,
            caps: Vec::new(),
        };
    }
    let vat_of = |fee: Money| Money::round_from(percent_of(fee.to_decimal(), list.vat_percent));
    let mut lines = full_lines(gross, rule, list.vat_percent);
    let mut caps = Vec::new();
    // Cap: fees with their VAT never take more than the payment itself.
    let mut room = gross;
    for line in &mut lines {
        let asked = line.fee;
        let mut fee = line.fee;
        while fee.is_positive() && fee + vat_of(fee) > room {
            fee = Money::from_cents(fee.cents() - 1);
        }
        if fee != asked {
            caps.push(FeeCap {
                kind: line.kind,
                from: asked,
                to: fee,
            });
        }
        line.fee = fee;
        line.vat = vat_of(fee);
        room = room - line.fee - line.vat;
    }
    lines.retain(|l| l.fee.is_positive());
    FeeBreakdown {
        gross,
        lines,
        billing: rule.billing,
        caps,
    }
}

/// The smallest amount a payment through `channel` may have under `list`: the smallest
/// whose full fees and their VAT leave the merchant something (and so every larger amount
/// does too), so no fee is ever capped at or above it. Fees billed monthly take nothing from
/// the payment: one cent will do. `None` when no amount a person may enter is enough (a
/// percentage that with its VAT takes the whole payment).
pub fn smallest_amount(channel: Channel, list: &PriceList) -> Option<Money> {
    let rule = list.rule(channel.group());
    if rule.billing == Billing::Monthly {
        return Some(Money::from_cents(1));
    }
    let share = percent_of(
        rule.percent,
        Decimal::ONE_HUNDRED + list.vat_percent.max(Decimal::ZERO),
    );
    if share >= Decimal::ONE_HUNDRED {
        return None;
    }
    // What is left of `g` cents after the full fees and their VAT.
    let left = |g: i64| {
        let gross = Money::from_cents(g);
        let taken: i64 = full_lines(gross, rule, list.vat_percent)
            .iter()
            .map(|l| l.fee.cents() + l.vat.cents())
            .sum();
        g - taken
    };
    // The full fees are at least the fixed fee (or the minimum): nothing is left up to it.
    // Rounding moves what is left by less than two cents off its straight line, whose slope
    // is positive; once four cents are left, every larger amount leaves something.
    let floor = rule
        .fixed
        .cents()
        .max(rule.minimum.map_or(0, Money::cents))
        .max(0);
    let mut last_empty = floor;
    let mut g = floor + 1;
    while g <= super::money::MAX_INPUT_CENTS {
        let l = left(g);
        if l <= 0 {
            last_empty = g;
        } else if l >= 4 {
            return Some(Money::from_cents(last_empty + 1));
        }
        g += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn rules_are_written_out_for_the_billing_page() {
        let standard = PriceList::standard();
        assert_eq!(
            standard.describe(),
            vec![
                "Bank links: 2.5 % + 0.30 EUR, VAT 20 %, deducted per payment",
                "Cards: 2.5 % + 0.30 EUR, VAT 20 %, deducted per payment",
            ]
        );
        let mut list = PriceList::standard();
        list.bank_links = FeeRule::parse("1%+0.10", Billing::Monthly).unwrap();
        list.cards = FeeRule::parse("2.9%+0.25 min 0.50", Billing::Deducted).unwrap();
        let d = list.describe();
        assert_eq!(
            d[0],
            "Bank links: 1 % + 0.10 EUR, VAT 20 %, billed monthly on last month's volume, on the first banking day of the month"
        );
        assert_eq!(
            d[1],
            "Cards: 2.9 % + 0.25 EUR (at least 0.50 EUR a payment), VAT 20 %, deducted per payment"
        );
        let fixed_only = FeeRule::parse("0%+0.10", Billing::Deducted).unwrap();
        assert_eq!(
            fixed_only.describe("Cards", Decimal::from(20)),
            "Cards: 0.10 EUR, VAT 20 %, deducted per payment"
        );
    }

    #[test]
    fn fifty_euros_leaves_48_14_to_the_merchant() {
        let b = compute(
            eur("50.00"),
            Channel::Swedbank,
            &PriceList::standard(),
            false,
        );
        assert_eq!(
            b.lines[0],
            FeeLine {
                kind: FeeKind::TrxFee,
                fee: eur("1.25"),
                vat: eur("0.25")
            }
        );
        assert_eq!(
            b.lines[1],
            FeeLine {
                kind: FeeKind::TrxFeeFix,
                fee: eur("0.30"),
                vat: eur("0.06")
            }
        );
        assert_eq!(b.fees(), eur("1.55"));
        assert_eq!(b.vat(), eur("0.31"));
        assert_eq!(b.net(), eur("48.14"));
    }

    #[test]
    fn ten_euros_leaves_9_34_to_the_merchant() {
        let b = compute(eur("10.00"), Channel::Visa, &PriceList::standard(), false);
        assert_eq!(b.fees(), eur("0.55"));
        assert_eq!(b.vat(), eur("0.11"));
        assert_eq!(b.fees() + b.vat(), eur("0.66"));
        assert_eq!(b.net(), eur("9.34"));
    }

    #[test]
    fn each_line_is_rounded_half_away_from_zero() {
        // 2.5 % of 0.50 = 0.0125 → 0.01; 2.5 % of 0.70 = 0.0175 → 0.02; VAT of 0.25 = 0.05.
        let list = PriceList::standard();
        assert_eq!(
            compute(eur("0.50"), Channel::Seb, &list, false).lines[0].fee,
            eur("0.01")
        );
        assert_eq!(
            compute(eur("0.70"), Channel::Seb, &list, false).lines[0].fee,
            eur("0.02")
        );
        // 2.5 % of 12.34 = 0.3085 → 0.31, its VAT 0.062 → 0.06; fixed 0.30 VAT 0.06.
        let b = compute(eur("12.34"), Channel::Seb, &list, false);
        assert_eq!((b.lines[0].fee, b.lines[0].vat), (eur("0.31"), eur("0.06")));
        assert_eq!(b.net(), eur("11.61"));
    }

    #[test]
    fn minimum_fee_tops_up_small_payments() {
        let mut list = PriceList::standard();
        list.cards.minimum = Some(eur("0.50"));
        let b = compute(eur("4.00"), Channel::Mastercard, &list, false);
        // 0.10 + 0.30 = 0.40 < 0.50: a TRX_FEE_MIN line of 0.10 with VAT 0.02.
        assert_eq!(
            b.lines[2],
            FeeLine {
                kind: FeeKind::TrxFeeMin,
                fee: eur("0.10"),
                vat: eur("0.02")
            }
        );
        assert_eq!(b.fees(), eur("0.50"));
        // Bank links have no minimum in this list.
        assert_eq!(
            compute(eur("4.00"), Channel::Lhv, &list, false).lines.len(),
            2
        );
        // Above the minimum there is no top-up.
        assert_eq!(
            compute(eur("40.00"), Channel::Visa, &list, false)
                .lines
                .len(),
            2
        );
    }

    #[test]
    fn test_mode_and_monthly_billing() {
        let b = compute(eur("50.00"), Channel::Visa, &PriceList::standard(), true);
        assert!(b.lines.is_empty());
        assert_eq!(b.net(), eur("50.00"));
        let mut list = PriceList::standard();
        list.bank_links.billing = Billing::Monthly;
        let b = compute(eur("50.00"), Channel::Lhv, &list, false);
        assert_eq!(b.fees(), eur("1.55"), "fees are known, to be invoiced");
        assert_eq!(b.net(), eur("50.00"), "but not deducted from the payment");
        assert_eq!(
            compute(eur("50.00"), Channel::Visa, &list, false).net(),
            eur("48.14")
        );
    }

    #[test]
    fn fees_never_exceed_a_tiny_payment() {
        let b = compute(eur("0.01"), Channel::Visa, &PriceList::standard(), false);
        assert!(b.fees() + b.vat() <= eur("0.01"));
        assert!(b.net() >= Money::ZERO);
        let b = compute(eur("0.30"), Channel::Visa, &PriceList::standard(), false);
        assert_eq!(b.net(), Money::ZERO, "{b:?}");
    }

    #[test]
    fn a_cap_is_reported_with_what_the_list_asked_for() {
        // 0.20 EUR: the percentage 0.01 fits, the fixed 0.30 with VAT does not: 0.16 + 0.03.
        let b = compute(eur("0.20"), Channel::Visa, &PriceList::standard(), false);
        assert_eq!(b.net(), Money::ZERO);
        assert_eq!(
            b.caps,
            vec![FeeCap {
                kind: FeeKind::TrxFeeFix,
                from: eur("0.30"),
                to: eur("0.16")
            }]
        );
        assert_eq!(
            b.caps[0].explain(),
            "Fixed fee (TRX_FEE_FIX) capped from 0.30 to 0.16 so the payment does not go below zero."
        );
        let b = compute(eur("50.00"), Channel::Visa, &PriceList::standard(), false);
        assert!(b.caps.is_empty());
    }

    #[test]
    fn the_smallest_amount_is_the_first_cent_the_full_fees_leave_something_of() {
        let list = PriceList::standard();
        // 2.5 % + 0.30, VAT 20 %: 0.37 pays 0.01 + 0.30 + 0.06 VAT = 0.37, nothing left;
        // 0.38 pays the same and leaves 0.01.
        assert_eq!(smallest_amount(Channel::Visa, &list), Some(eur("0.38")));
        assert_eq!(smallest_amount(Channel::Seb, &list), Some(eur("0.38")));
        let at = |s: &str| compute(eur(s), Channel::Visa, &list, false);
        assert_eq!(at("0.37").net(), Money::ZERO);
        assert!(at("0.38").caps.is_empty());
        assert_eq!(at("0.38").net(), eur("0.01"));
        // A minimum fee moves it: 2.2 % + 0.25 min 0.40 (VAT 0.08) → 0.49.
        let mut with_min = PriceList::standard();
        with_min.cards = FeeRule::parse("2.2%+0.25 min 0.40", Billing::Deducted).unwrap();
        assert_eq!(smallest_amount(Channel::Visa, &with_min), Some(eur("0.49")));
        assert_eq!(
            compute(eur("0.48"), Channel::Visa, &with_min, false).net(),
            Money::ZERO
        );
        assert_eq!(
            compute(eur("0.49"), Channel::Visa, &with_min, false).net(),
            eur("0.01")
        );
        // Monthly billing deducts nothing; a 100 % fee leaves nothing ever.
        let mut monthly = PriceList::standard();
        monthly.bank_links.billing = Billing::Monthly;
        assert_eq!(smallest_amount(Channel::Seb, &monthly), Some(eur("0.01")));
        let mut all = PriceList::standard();
        all.cards = FeeRule::parse("100%+0", Billing::Deducted).unwrap();
        assert_eq!(smallest_amount(Channel::Visa, &all), None);
        let free = FeeRule::parse("0%+0", Billing::Deducted).unwrap();
        let mut nothing = PriceList::standard();
        nothing.cards = free;
        assert_eq!(smallest_amount(Channel::Visa, &nothing), Some(eur("0.01")));
    }

    #[test]
    fn fee_rules_read_as_the_operator_writes_them() {
        let r = FeeRule::parse("2.5%+0.30", Billing::Deducted).unwrap();
        assert_eq!(r, PriceList::standard().cards);
        let r = FeeRule::parse(" 2.9% + 0.25 min 0.50 ", Billing::Monthly).unwrap();
        assert_eq!(
            (r.percent, r.fixed, r.minimum, r.billing),
            (
                Decimal::new(29, 1),
                eur("0.25"),
                Some(eur("0.50")),
                Billing::Monthly
            )
        );
        for bad in ["2.5", "x%+0.30", "101%+0", "-1%+0.10", "2%+0.10 min"] {
            assert!(FeeRule::parse(bad, Billing::Deducted).is_err(), "{bad}");
        }
        // A decimal comma in the fixed part reads as people write it.
        assert_eq!(
            FeeRule::parse("2.5%+0,30", Billing::Deducted),
            FeeRule::parse("2.5%+0.30", Billing::Deducted)
        );
    }

    #[test]
    fn the_list_in_force_follows_offers_negotiations_and_standards() {
        let entry = |id, kind, from, until: Option<i64>| ListEntry {
            id,
            kind,
            valid_from: from,
            valid_until: until,
            created_at: id,
            list: PriceList::standard(),
        };
        let lists = vec![
            entry(1, ListKind::Standard, 0, None),
            entry(2, ListKind::Negotiated, 100, None),
            entry(3, ListKind::SpecialOffer, 200, Some(300)),
            entry(4, ListKind::Negotiated, 250, None),
            entry(5, ListKind::Standard, 400, None),
        ];
        let at = |t| pick(&lists, t).map(|e| e.id);
        assert_eq!(at(-1), None, "before any list: the built-in standard");
        assert_eq!(at(50), Some(1));
        assert_eq!(at(100), Some(2));
        assert_eq!(at(200), Some(3), "the offer wins while it runs");
        assert_eq!(at(299), Some(3));
        assert_eq!(at(300), Some(4), "then the newest negotiated list applies");
        assert_eq!(
            at(500),
            Some(4),
            "a negotiated list outranks a newer standard one"
        );
    }

    #[test]
    fn channels_round_trip_and_group() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::Maestro.group(), ChannelGroup::Cards);
        assert_eq!(Channel::Luminor.group(), ChannelGroup::BankLinks);
        assert!(
            Channel::Nordea.is_finnish_bank_link() && !Channel::Swedbank.is_finnish_bank_link()
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn channel() -> impl Strategy<Value = Channel> {
            (0..Channel::ALL.len()).prop_map(|i| Channel::ALL[i])
        }

        proptest! {
            #[test]
            fn gross_is_net_plus_fees_plus_vat(cents in 1i64..100_000_000, c in channel(), min in proptest::option::of(0i64..500)) {
                let mut list = PriceList::standard();
                list.cards.minimum = min.map(Money::from_cents);
                let b = compute(Money::from_cents(cents), c, &list, false);
                prop_assert_eq!(b.gross, b.net() + b.fees() + b.vat());
                prop_assert!(b.net() >= Money::ZERO);
                for l in &b.lines {
                    prop_assert!(l.fee.is_positive() && l.vat >= Money::ZERO);
                }
            }

            #[test]
            fn from_the_smallest_amount_on_no_fee_is_capped(
                tenths in 0i64..200, fixed in 0i64..200, min in proptest::option::of(0i64..300),
                vat in 0i64..30, above in 0i64..2_000,
            ) {
                let mut list = PriceList::standard();
                list.cards = FeeRule {
                    percent: Decimal::new(tenths, 1),
                    fixed: Money::from_cents(fixed),
                    minimum: min.map(Money::from_cents),
                    billing: Billing::Deducted,
                };
                list.vat_percent = Decimal::from(vat);
                let smallest = smallest_amount(Channel::Visa, &list).unwrap();
                let b = compute(smallest + Money::from_cents(above), Channel::Visa, &list, false);
                prop_assert!(b.caps.is_empty(), "{:?}", b);
                prop_assert!(b.net().is_positive());
                if smallest.cents() > 1 {
                    let below = compute(smallest - Money::from_cents(1), Channel::Visa, &list, false);
                    prop_assert!(!below.caps.is_empty() || below.net() == Money::ZERO);
                }
            }

            #[test]
            fn test_mode_costs_nothing(cents in 1i64..100_000_000, c in channel()) {
                let b = compute(Money::from_cents(cents), c, &PriceList::standard(), true);
                prop_assert_eq!(b.net(), b.gross);
                prop_assert!(b.lines.is_empty());
            }

            #[test]
            fn vat_is_a_fifth_of_each_line_to_the_cent(cents in 1i64..100_000_000, c in channel()) {
                let b = compute(Money::from_cents(cents), c, &PriceList::standard(), false);
                for l in &b.lines {
                    // |vat − fee/5| ≤ half a cent, in whole numbers: |5·vat − fee| ≤ 2.5.
                    prop_assert!((5 * l.vat.cents() - l.fee.cents()).abs() * 2 <= 5);
                }
            }
        }
    }
}
