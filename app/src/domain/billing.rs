//! Monthly billing, as pure rules: the service fees a month's usage costs under a price
//! list, each with its VAT rounded to the cent; the VAT correction that makes a month's VAT
//! entries equal the VAT rate of its fees, rounded once; invoice numbers.

use crate::domain::ledger::MovementKind;
use crate::domain::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The monthly fees of a price list (the standard: 10.00, 10.00 and 5.00 EUR). A negotiated
/// list may change them or waive them (zero).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyFees {
    /// When cards or foreign bank links were active in the month, however many.
    pub account: Money,
    /// In a month the shop used the provider's shop modules.
    pub plugin: Money,
    /// On top of the plugin fee, when the modules' logistics functions were used too.
    pub logistics: Money,
}

impl Default for MonthlyFees {
    fn default() -> Self {
        MonthlyFees {
            account: Money::from_cents(1_000),
            plugin: Money::from_cents(1_000),
            logistics: Money::from_cents(500),
        }
    }
}

/// What a shop used in a month, as far as monthly fees go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Cards or bank links of another country than the provider's were active.
    pub account_methods: bool,
    /// The provider's shop modules took payments.
    pub plugin: bool,
    /// The modules' logistics (shipping) functions were used.
    pub logistics: bool,
}

/// One monthly fee: its movement type, the fee and its VAT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyFee {
    pub kind: MovementKind,
    pub fee: Money,
    pub vat: Money,
}

/// `percent` % of `amount`, rounded to the cent (half away from zero), as every VAT entry is.
pub fn vat_of(amount: Money, percent: Decimal) -> Money {
    Money::round_from(amount.to_decimal() * percent / Decimal::ONE_HUNDRED)
}

/// The month's fees for its usage: the full amount however late in the month a service
/// started; nothing for what was not used or what the list waives. Logistics comes only
/// with the modules.
pub fn monthly_fees(usage: Usage, fees: &MonthlyFees, vat_percent: Decimal) -> Vec<MonthlyFee> {
    let mut out = Vec::new();
    let mut add = |used: bool, kind: MovementKind, fee: Money| {
        if used && fee.is_positive() {
            out.push(MonthlyFee {
                kind,
                fee,
                vat: vat_of(fee, vat_percent),
            });
        }
    };
    add(
        usage.account_methods,
        MovementKind::ServiceFeeAccount,
        fees.account,
    );
    add(usage.plugin, MovementKind::ServiceFeePlugin, fees.plugin);
    add(
        usage.plugin && usage.logistics,
        MovementKind::ServiceFeeLogistics,
        fees.logistics,
    );
    out
}

/// A month's VAT against its fees: the VAT rate of the month's fees rounded once, against
/// the VAT entries posted (each rounded on its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatCheck {
    pub fees: Money,
    pub due: Money,
    pub posted: Money,
    pub vat_percent: Decimal,
}

impl VatCheck {
    pub fn new(fees: Money, posted: Money, vat_percent: Decimal) -> VatCheck {
        VatCheck {
            fees,
            due: vat_of(fees, vat_percent),
            posted,
            vat_percent,
        }
    }

    /// What the correction adds to the VAT posted (positive: more VAT is due, taken from the
    /// balance; negative: VAT given back); `None` when they agree.
    pub fn correction(&self) -> Option<Money> {
        let d = self.due - self.posted;
        (d != Money::ZERO).then_some(d)
    }

    /// The statement's explanation: "VAT correction for October 2026: 20 % of 1 234.56 is
    /// 246.91; posted 246.89".
    pub fn explain(&self, month: &str) -> String {
        format!(
            "VAT correction for {month}: {} % of {} is {}; posted {}",
            self.vat_percent.normalize(),
            plain(self.fees),
            plain(self.due),
            plain(self.posted)
        )
    }
}

/// An amount as the statement's text writes it: "1 234.56", no currency sign.
fn plain(m: Money) -> String {
    m.human().trim_end_matches("\u{a0}€").to_string()
}

/// An invoice number in the provider's one series: the year and a six-digit sequence,
/// `2026-000123`.
pub fn invoice_number(year: i32, seq: i64) -> String {
    format!("{year}-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn twenty() -> Decimal {
        Decimal::from(20)
    }

    #[test]
    fn the_account_fee_is_ten_euros_plus_vat_once_however_many_methods() {
        let f = monthly_fees(
            Usage {
                account_methods: true,
                ..Default::default()
            },
            &MonthlyFees::default(),
            twenty(),
        );
        assert_eq!(
            f,
            vec![MonthlyFee {
                kind: MovementKind::ServiceFeeAccount,
                fee: eur("10.00"),
                vat: eur("2.00")
            }]
        );
    }

    #[test]
    fn local_bank_links_only_cost_no_monthly_fee() {
        assert!(monthly_fees(Usage::default(), &MonthlyFees::default(), twenty()).is_empty());
    }

    #[test]
    fn modules_cost_ten_and_logistics_five_more_but_only_with_the_modules() {
        let both = monthly_fees(
            Usage {
                plugin: true,
                logistics: true,
                ..Default::default()
            },
            &MonthlyFees::default(),
            twenty(),
        );
        let kinds: Vec<_> = both.iter().map(|f| (f.kind, f.fee, f.vat)).collect();
        assert_eq!(
            kinds,
            vec![
                (MovementKind::ServiceFeePlugin, eur("10.00"), eur("2.00")),
                (MovementKind::ServiceFeeLogistics, eur("5.00"), eur("1.00")),
            ]
        );
        let logistics_alone = monthly_fees(
            Usage {
                logistics: true,
                ..Default::default()
            },
            &MonthlyFees::default(),
            twenty(),
        );
        assert!(logistics_alone.is_empty());
    }

    #[test]
    fn a_negotiated_list_changes_or_waives_monthly_fees() {
        let all = Usage {
            account_methods: true,
            plugin: true,
            logistics: true,
        };
        let list = MonthlyFees {
            account: Money::ZERO,
            plugin: eur("7.33"),
            logistics: eur("5.00"),
        };
        let f = monthly_fees(all, &list, twenty());
        assert_eq!(f.len(), 2, "the account fee is waived");
        assert_eq!((f[0].fee, f[0].vat), (eur("7.33"), eur("1.47")));
        let total: Money = f.iter().map(|x| x.fee + x.vat).sum();
        assert_eq!(total, eur("14.80"));
    }

    #[test]
    fn the_vat_correction_fixes_the_rounding_of_many_small_entries() {
        // Three 10.00 EUR payments' percentage fees of 0.25 and fixed 0.30: each VAT entry is
        // rounded (0.05 and 0.06), 0.33 posted; 20 % of 1.65 is 0.33: nothing to correct.
        let c = VatCheck::new(eur("1.65"), eur("0.33"), twenty());
        assert_eq!(c.correction(), None);
        // Fees of 0.02 each: VAT 0.004 rounds to 0.00 per entry. 100 of them: 2.00 of fees,
        // 0.40 of VAT due, nothing posted.
        let c = VatCheck::new(eur("2.00"), Money::ZERO, twenty());
        assert_eq!(c.correction(), Some(eur("0.40")));
        // Fees of 0.03 each: VAT 0.006 rounds up to 0.01. 100 of them: 3.00 of fees, 0.60
        // due, 1.00 posted: 0.40 given back.
        let c = VatCheck::new(eur("3.00"), eur("1.00"), twenty());
        assert_eq!(c.correction(), Some(Money::from_cents(-40)));
    }

    #[test]
    fn the_correction_explains_itself_as_the_issue_writes_it() {
        let c = VatCheck::new(eur("1234.56"), eur("246.89"), twenty());
        assert_eq!(c.due, eur("246.91"));
        assert_eq!(c.correction(), Some(eur("0.02")));
        assert_eq!(
            c.explain("October 2026"),
            "VAT correction for October 2026: 20 % of 1\u{202f}234.56 is 246.91; posted 246.89"
        );
    }

    #[test]
    fn invoice_numbers_have_six_digits_in_the_years_series() {
        assert_eq!(invoice_number(2026, 123), "2026-000123");
        assert_eq!(invoice_number(2027, 1), "2027-000001");
    }
}
