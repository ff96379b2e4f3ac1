//! Monthly billing, as pure rules: the service fees a month's usage costs under a price
//! list, each with its VAT rounded to the cent; the VAT correction that makes a month's VAT
//! entries equal the VAT rate of its fees, rounded once; invoice numbers.

use crate::domain::fees::{Billing, FeeBreakdown, FeeKind};
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

impl MonthlyFees {
    /// The monthly fees written out for the billing page.
    pub fn describe(&self, vat_percent: Decimal) -> Vec<String> {
        let vat = vat_percent.normalize();
        let fee = |name: &str, amount: Money, when: &str| {
            if amount.is_positive() {
                format!("{name}: {amount} EUR + VAT {vat} % {when}")
            } else {
                format!("{name}: waived")
            }
        };
        vec![
            fee(
                "Account fee",
                self.account,
                "a month in which cards or foreign bank links are active, however many \
                 (none with local bank links only)",
            ),
            fee(
                "Shop plugin fee",
                self.plugin,
                "a month in which the shop modules are used",
            ),
            fee(
                "Logistics fee",
                self.logistics,
                "on top, a month in which the modules' logistics functions are used",
            ),
        ]
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

/// One fee type of a month's payments whose fees are billed monthly (bank links under a
/// price list that says so): how many payments carried it, the sum of their fees, and the
/// VAT on that sum rounded once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeFee {
    pub kind: MovementKind,
    pub payments: i64,
    pub fee: Money,
    pub vat: Money,
}

/// The month's fees billed monthly, one per fee type (percentage, fixed, minimum) in that
/// order, from the payments' fee breakdowns; fees deducted per payment are not in it.
pub fn volume_fees<'a>(
    payments: impl IntoIterator<Item = &'a FeeBreakdown>,
    vat_percent: Decimal,
) -> Vec<VolumeFee> {
    let kinds = [FeeKind::TrxFee, FeeKind::TrxFeeFix, FeeKind::TrxFeeMin];
    let mut sums = [(0i64, Money::ZERO); 3];
    for p in payments {
        if p.billing != Billing::Monthly {
            continue;
        }
        for line in &p.lines {
            if let Some(i) = kinds.iter().position(|k| *k == line.kind) {
                sums[i].0 += 1;
                sums[i].1 = sums[i].1 + line.fee;
            }
        }
    }
    kinds
        .into_iter()
        .zip(sums)
        .filter(|(_, (_, fee))| fee.is_positive())
        .map(|(kind, (payments, fee))| VolumeFee {
            kind: kind.into(),
            payments,
            fee,
            vat: vat_of(fee, vat_percent),
        })
        .collect()
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

/// One line of a fee invoice: a fee type, how many entries it sums, its net amount and the
/// VAT on it, in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub kind: String,
    pub label: String,
    pub quantity: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
}

/// Shares `total` cents out over lines in proportion to `weights` (their net amounts), each
/// rounded down and the cents left over given to the largest remainders (the first of
/// equal ones): the shares add up to `total` exactly, as the invoice's VAT column must add
/// up to the VAT deducted. Negative totals share out as the negation of the positive.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    if total < 0 {
        return allocate(-total, weights).into_iter().map(|v| -v).collect();
    }
    let sum: i128 = weights.iter().map(|w| i128::from(w.unsigned_abs())).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        // Nothing to weigh by: all of it on the first line.
        let mut out = vec![0; weights.len()];
        out[0] = total;
        return out;
    }
    let t = i128::from(total);
    let mut shares: Vec<(usize, i64, i128)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = t * i128::from(w.unsigned_abs());
            (i, (exact / sum) as i64, exact % sum)
        })
        .collect();
    let mut left = total - shares.iter().map(|s| s.1).sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        shares[i].1 += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| s.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_is_shared_over_the_lines_to_the_cent() {
        // 20 % of 1.55 + 0.31 + 0.04 = 1.90 is 0.38; per line 0.31 + 0.06 + 0.01 = 0.38.
        assert_eq!(allocate(38, &[155, 31, 4]), vec![31, 6, 1]);
        // Per line 0.002 + 0.002 + 0.002: rounded once the total is 0.01, and one line has it.
        assert_eq!(allocate(1, &[1, 1, 1]), vec![1, 0, 0]);
        assert_eq!(allocate(-38, &[155, 31, 4]), vec![-31, -6, -1]);
        assert_eq!(allocate(5, &[0, 0]), vec![5, 0]);
        assert_eq!(allocate(0, &[10, 20]), vec![0, 0]);
        assert!(allocate(7, &[]).is_empty());
        for (total, weights) in [(123_457, vec![3, 5, 7, 11]), (99, vec![1_000_000, 1, 1])] {
            assert_eq!(allocate(total, &weights).iter().sum::<i64>(), total);
        }
    }

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
    fn bank_link_fees_billed_monthly_sum_per_type_with_vat_rounded_once() {
        use crate::domain::fees::{compute, Channel, PriceList};
        let mut list = PriceList::standard();
        list.bank_links.billing = Billing::Monthly;
        // Three 10.00 EUR bank-link payments: 0.25 + 0.30 each, billed monthly; a 50.00 EUR
        // card payment's fees are deducted with it and not billed again.
        let mut payments: Vec<_> = (0..3)
            .map(|_| compute(eur("10.00"), Channel::Swedbank, &list, false))
            .collect();
        payments.push(compute(eur("50.00"), Channel::Visa, &list, false));
        assert_eq!(
            payments[0].net(),
            eur("10.00"),
            "nothing deducted per payment"
        );
        let f = volume_fees(&payments, twenty());
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].kind, f[0].payments, f[0].fee, f[0].vat),
            (MovementKind::TrxFee, 3, eur("0.75"), eur("0.15"))
        );
        assert_eq!(
            (f[1].kind, f[1].payments, f[1].fee, f[1].vat),
            (MovementKind::TrxFeeFix, 3, eur("0.90"), eur("0.18"))
        );
        // 0.02 fees each (a 0.80 EUR payment at 2.5 %, no fixed fee): per payment the VAT
        // would round to 0.00; on the month's 2.00 it is 0.40.
        let mut tiny = PriceList::standard();
        tiny.bank_links.billing = Billing::Monthly;
        tiny.bank_links.fixed = Money::ZERO;
        let hundred: Vec<_> = (0..100)
            .map(|_| compute(eur("0.80"), Channel::Swedbank, &tiny, false))
            .collect();
        let f = volume_fees(&hundred, twenty());
        assert_eq!((f[0].fee, f[0].vat), (eur("2.00"), eur("0.40")));
        assert!(volume_fees(&[], twenty()).is_empty());
    }

    #[test]
    fn monthly_fees_are_written_out() {
        let d = MonthlyFees::default().describe(twenty());
        assert_eq!(
            d[0],
            "Account fee: 10.00 EUR + VAT 20 % a month in which cards or foreign bank links are active, however many (none with local bank links only)"
        );
        assert_eq!(
            d[2],
            "Logistics fee: 5.00 EUR + VAT 20 % on top, a month in which the modules' logistics functions are used"
        );
        let waived = MonthlyFees {
            account: Money::ZERO,
            ..MonthlyFees::default()
        };
        assert_eq!(waived.describe(twenty())[0], "Account fee: waived");
    }

    mod properties {
        use super::*;
        use crate::domain::fees::{compute, Channel, PriceList};
        use crate::domain::ledger::payment_movements;
        use proptest::prelude::*;

        proptest! {
            /// A month's fees, whether deducted per payment or billed monthly on its volume,
            /// add up to what the payments' fee lines say, and after the VAT correction the
            /// month's VAT is the rate of its fees rounded once: what its invoice totals.
            #[test]
            fn a_months_fees_and_corrected_vat_are_its_invoice(
                payments in proptest::collection::vec((1i64..50_000, any::<bool>()), 0..60),
                monthly in any::<bool>(),
            ) {
                let mut list = PriceList::standard();
                if monthly {
                    list.bank_links.billing = Billing::Monthly;
                }
                let breakdowns: Vec<_> = payments
                    .iter()
                    .map(|(c, card)| {
                        let channel = if *card { Channel::Visa } else { Channel::Swedbank };
                        compute(Money::from_cents(*c), channel, &list, false)
                    })
                    .collect();
                let mut fees = 0i64;
                let mut vat = 0i64;
                for b in &breakdowns {
                    for (kind, amount) in payment_movements(b) {
                        match kind {
                            MovementKind::Income => {}
                            MovementKind::Vat => vat -= amount.cents(),
                            _ => fees -= amount.cents(),
                        }
                    }
                }
                for v in volume_fees(&breakdowns, list.vat_percent) {
                    fees += v.fee.cents();
                    vat += v.vat.cents();
                }
                let all: i64 = breakdowns.iter().map(|b| b.fees().cents()).sum();
                prop_assert_eq!(fees, all);
                let check = VatCheck::new(Money::from_cents(fees), Money::from_cents(vat), list.vat_percent);
                let corrected = vat + check.correction().map(|c| c.cents()).unwrap_or(0);
                prop_assert_eq!(corrected, vat_of(Money::from_cents(fees), list.vat_percent).cents());
                // Shared over the lines, the VAT column adds up to it exactly.
                let weights: Vec<i64> = breakdowns.iter().map(|b| b.fees().cents()).collect();
                prop_assert_eq!(allocate(corrected, &weights).iter().sum::<i64>(), if weights.is_empty() { 0 } else { corrected });
            }
        }
    }

    #[test]
    fn invoice_numbers_have_six_digits_in_the_years_series() {
        assert_eq!(invoice_number(2026, 123), "2026-000123");
        assert_eq!(invoice_number(2027, 1), "2027-000001");
    }
}
