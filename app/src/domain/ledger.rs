//! The statement's movement types and how an approved payment becomes movements.

use super::fees::{Billing, FeeBreakdown, FeeKind};
use super::money::Money;
use serde::{Deserialize, Serialize};

/// The movement types of the account statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MovementKind {
    Income,
    Refund,
    TrxFee,
    TrxFeeFix,
    TrxFeeMin,
    /// The monthly account fee (cards or foreign bank links active).
    ServiceFeeAccount,
    ServiceFeePlugin,
    ServiceFeeLogistics,
    ShipmentDeliveryFee,
    Vat,
    VatCorrection,
    Payout,
    Chargeback,
    ChargebackFee,
}

impl MovementKind {
    pub const ALL: [MovementKind; 14] = [
        MovementKind::Income,
        MovementKind::Refund,
        MovementKind::TrxFee,
        MovementKind::TrxFeeFix,
        MovementKind::TrxFeeMin,
        MovementKind::ServiceFeeAccount,
        MovementKind::ServiceFeePlugin,
        MovementKind::ServiceFeeLogistics,
        MovementKind::ShipmentDeliveryFee,
        MovementKind::Vat,
        MovementKind::VatCorrection,
        MovementKind::Payout,
        MovementKind::Chargeback,
        MovementKind::ChargebackFee,
    ];

    /// The code in statements and exports (`Ustrd` in camt.053).
    pub fn code(self) -> &'static str {
        match self {
            MovementKind::Income => "INCOME",
            MovementKind::Refund => "REFUND",
            MovementKind::TrxFee => "TRX_FEE",
            MovementKind::TrxFeeFix => "TRX_FEE_FIX",
            MovementKind::TrxFeeMin => "TRX_FEE_MIN",
            MovementKind::ServiceFeeAccount => "SERVICE_FEE_ACCOUNT",
            MovementKind::ServiceFeePlugin => "SERVICE_FEE_PLUGIN",
            MovementKind::ServiceFeeLogistics => "SERVICE_FEE_LOGISTICS",
            MovementKind::ShipmentDeliveryFee => "SHIPMENT_DELIVERY_FEE",
            MovementKind::Vat => "VAT",
            MovementKind::VatCorrection => "VAT_CORRECTION",
            MovementKind::Payout => "PAYOUT",
            MovementKind::Chargeback => "CHARGEBACK",
            MovementKind::ChargebackFee => "CHARGEBACK_FEE",
        }
    }

    /// The type as a reader names it; the statement shows the code beside it.
    pub fn label(self) -> &'static str {
        match self {
            MovementKind::Income => "Payment received",
            MovementKind::Refund => "Refund",
            MovementKind::TrxFee => "Transaction fee (percentage)",
            MovementKind::TrxFeeFix => "Transaction fee (fixed)",
            MovementKind::TrxFeeMin => "Minimum transaction fee",
            MovementKind::ServiceFeeAccount => "Monthly account fee",
            MovementKind::ServiceFeePlugin => "Shop plugin fee",
            MovementKind::ServiceFeeLogistics => "Logistics fee",
            MovementKind::ShipmentDeliveryFee => "Shipment delivery fee",
            MovementKind::Vat => "VAT on fees",
            MovementKind::VatCorrection => "VAT correction",
            MovementKind::Payout => "Payout to your bank account",
            MovementKind::Chargeback => "Chargeback",
            MovementKind::ChargebackFee => "Chargeback fee",
        }
    }

    pub fn parse(code: &str) -> Option<MovementKind> {
        MovementKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl From<FeeKind> for MovementKind {
    fn from(k: FeeKind) -> Self {
        match k {
            FeeKind::TrxFee => MovementKind::TrxFee,
            FeeKind::TrxFeeFix => MovementKind::TrxFeeFix,
            FeeKind::TrxFeeMin => MovementKind::TrxFeeMin,
        }
    }
}

/// The movements an approved payment posts: INCOME, then each deducted fee line followed by
/// its VAT, as debits. Fees billed monthly post nothing now.
pub fn payment_movements(fees: &FeeBreakdown) -> Vec<(MovementKind, Money)> {
    let mut out = vec![(MovementKind::Income, fees.gross)];
    if fees.billing == Billing::Deducted {
        for line in &fees.lines {
            out.push((line.kind.into(), Money::ZERO - line.fee));
            if line.vat.is_positive() {
                out.push((MovementKind::Vat, Money::ZERO - line.vat));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fees::{compute, Channel, PriceList};

    #[test]
    fn fifty_euros_post_income_fees_and_vat() {
        let fees = compute(
            Money::from_cents(5000),
            Channel::Lhv,
            &PriceList::standard(),
            false,
        );
        let m: Vec<(&str, i64)> = payment_movements(&fees)
            .into_iter()
            .map(|(k, a)| (k.code(), a.cents()))
            .collect();
        assert_eq!(
            m,
            vec![
                ("INCOME", 5000),
                ("TRX_FEE", -125),
                ("VAT", -25),
                ("TRX_FEE_FIX", -30),
                ("VAT", -6)
            ]
        );
        assert_eq!(m.iter().map(|(_, a)| a).sum::<i64>(), 4814);
    }

    #[test]
    fn codes_round_trip() {
        for k in MovementKind::ALL {
            assert_eq!(MovementKind::parse(k.code()), Some(k));
        }
    }
}
