//! The states a payment, a refund and a payment link go through, as stored in the database
//! (the `CHECK` constraints in `migrations/` list the same words). Code matches on these
//! enums; SQL uses [`PAID_SQL`] so the set of paid statuses is written once.

use serde::{Deserialize, Serialize};

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentStatus {
    Created,
    /// The buyer is at the bank.
    Pending,
    Approved,
    Cancelled,
    Expired,
    PartRefunded,
    Refunded,
}

/// The statuses of a payment whose money arrived (refunds do not undo that).
pub const PAID: [PaymentStatus; 3] = [
    PaymentStatus::Approved,
    PaymentStatus::PartRefunded,
    PaymentStatus::Refunded,
];

/// [`PAID`] as an SQL list, for `status IN {PAID_SQL}`.
pub const PAID_SQL: &str = "('approved', 'part_refunded', 'refunded')";

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Created,
        PaymentStatus::Pending,
        PaymentStatus::Approved,
        PaymentStatus::Cancelled,
        PaymentStatus::Expired,
        PaymentStatus::PartRefunded,
        PaymentStatus::Refunded,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Pending => "pending",
            PaymentStatus::Approved => "approved",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Expired => "expired",
            PaymentStatus::PartRefunded => "part_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The money arrived (and may since have been refunded in part or in full).
    pub fn is_paid(self) -> bool {
        PAID.contains(&self)
    }

    /// Closed without money: the buyer cancelled or never finished.
    pub fn is_failed(self) -> bool {
        matches!(self, PaymentStatus::Cancelled | PaymentStatus::Expired)
    }
}

/// Where a refund stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundStatus {
    Done,
    /// A Finnish bank-link payment: the amount is reserved until the buyer gives an account.
    AwaitingAccount,
    /// The buyer gave no account in time; the reservation was released.
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Done => "done",
            RefundStatus::AwaitingAccount => "awaiting_account",
            RefundStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RefundStatus::Done,
            RefundStatus::AwaitingAccount,
            RefundStatus::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A payment link's stored status; "expired" is not stored but follows from the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkStatus {
    Active,
    Paid,
    Deactivated,
}

impl LinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Active => "active",
            LinkStatus::Paid => "paid",
            LinkStatus::Deactivated => "deactivated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            LinkStatus::Active,
            LinkStatus::Paid,
            LinkStatus::Deactivated,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_round_trip() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("paid"), None);
        assert_eq!(
            RefundStatus::parse("awaiting_account"),
            Some(RefundStatus::AwaitingAccount)
        );
        assert_eq!(
            LinkStatus::parse("deactivated"),
            Some(LinkStatus::Deactivated)
        );
    }

    #[test]
    fn the_paid_set_and_its_sql_agree() {
        let words: Vec<String> = PAID.iter().map(|s| format!("'{}'", s.as_str())).collect();
        assert_eq!(PAID_SQL, format!("({})", words.join(", ")));
        let paid: Vec<_> = PaymentStatus::ALL
            .into_iter()
            .filter(|s| s.is_paid())
            .collect();
        assert_eq!(paid, PAID);
    }
}
