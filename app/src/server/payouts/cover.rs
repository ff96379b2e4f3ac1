//! Which payout paid a payment out. A payout covers the shop's live paid payments of each
//! channel group paid in one range of time — from where the shop's previous payouts ended
//! to its own cut-off — and the ranges of one shop and group never overlap. The run stores
//! the ranges with the payout (a few values, however many payments), and pages, files and
//! the statement read a payment's payout from them.

use crate::domain::fees::{Channel, ChannelGroup};
use crate::error::AppResult;

/// The SQL list of the channels of `group`, for `channel IN (…)`.
pub fn channels(group: ChannelGroup) -> String {
    let list: Vec<String> = Channel::ALL
        .iter()
        .filter(|c| c.group() == group)
        .map(|c| format!("'{}'", c.as_str()))
        .collect();
    format!("({})", list.join(", "))
}

/// The condition that a payment is one a payout covers: `t` prefixes the columns of
/// `transactions` and `p` those of the joined `payouts` row (`"t."`, `"p."`). The payment
/// must also be the payout's shop's, which the caller's join says.
pub fn covered_by(t: &str, p: &str) -> String {
    let (bank, card) = (
        channels(ChannelGroup::BankLinks),
        channels(ChannelGroup::Cards),
    );
    format!(
        "{t}paid_at IS NOT NULL AND {t}test_mode = 0 AND \
         (({t}channel IN {bank} AND {t}paid_at >= {p}bank_from AND {t}paid_at < {p}bank_to) \
         OR ({t}channel IN {card} AND {t}paid_at >= {p}card_from AND {t}paid_at < {p}card_to))"
    )
}

/// One payout's ranges, as UTC milliseconds: `from` included, `to` not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ranges {
    pub bank_from: i64,
    pub bank_to: i64,
    pub card_from: i64,
    pub card_to: i64,
}

/// The payouts of one shop, to look payments up in.
#[derive(Clone, Debug, Default)]
pub struct Cover {
    /// `(from, to, payout)`, sorted by `from`, one list per group.
    bank: Vec<(i64, i64, i64)>,
    card: Vec<(i64, i64, i64)>,
}

impl Cover {
    /// Every payout of the shop (a few hundred a year at most).
    pub async fn load<'c, E>(db: E, shop_id: i64) -> AppResult<Cover>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, bank_from, bank_to, card_from, card_to FROM payouts WHERE shop_id = $1",
        )
        .bind(shop_id)
        .fetch_all(db)
        .await?;
        Ok(Cover::from_rows(rows))
    }

    fn from_rows(rows: Vec<(i64, i64, i64, i64, i64)>) -> Cover {
        let mut c = Cover::default();
        for (id, bf, bt, cf, ct) in rows {
            if bt > bf {
                c.bank.push((bf, bt, id));
            }
            if ct > cf {
                c.card.push((cf, ct, id));
            }
        }
        c.bank.sort_unstable();
        c.card.sort_unstable();
        c
    }

    /// The payout of a live payment of `channel` paid at `paid_at`, if one paid it out yet.
    pub fn payout_of(&self, channel: &str, paid_at: Option<i64>) -> Option<i64> {
        let at = paid_at?;
        let list = match Channel::parse(channel)?.group() {
            ChannelGroup::Cards => &self.card,
            ChannelGroup::BankLinks => &self.bank,
        };
        let i = list.partition_point(|(from, _, _)| *from <= at);
        let (_, to, id) = *list.get(i.checked_sub(1)?)?;
        (at < to).then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_belongs_to_the_payout_whose_range_holds_its_time() {
        let c = Cover::from_rows(vec![
            (2, 100, 200, 50, 60),
            (1, 0, 100, 0, 50),
            // A payout that covered no bank links: an empty range.
            (3, 200, 200, 60, 90),
        ]);
        assert_eq!(c.payout_of("seb", Some(0)), Some(1));
        assert_eq!(c.payout_of("seb", Some(99)), Some(1));
        assert_eq!(c.payout_of("seb", Some(100)), Some(2));
        assert_eq!(c.payout_of("seb", Some(199)), Some(2));
        assert_eq!(c.payout_of("seb", Some(200)), None, "not paid out yet");
        assert_eq!(c.payout_of("visa", Some(49)), Some(1));
        assert_eq!(c.payout_of("maestro", Some(50)), Some(2));
        assert_eq!(c.payout_of("mastercard", Some(89)), Some(3));
        assert_eq!(c.payout_of("visa", Some(90)), None);
        assert_eq!(c.payout_of("visa", None), None, "not paid");
        assert_eq!(c.payout_of("nonsense", Some(10)), None);
        assert_eq!(Cover::default().payout_of("seb", Some(10)), None);
    }
}
