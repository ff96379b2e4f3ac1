//! Ninety days of believable payments for the demo shops, made through the same service a
//! real payment confirmation uses, so the ledger, fees and VAT are the real thing.

use super::clock::{DAY_MS, MINUTE_MS};
use super::transactions::{self, Closed, NewTransaction};
use super::AppState;
use crate::domain::fees::Channel;
use crate::domain::Money;
use crate::error::AppResult;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const BUYERS: [(&str, &str, &str); 12] = [
    ("Mari Maasikas", "mari.maasikas@example.ee", "EE"),
    ("Jaan Tamm", "jaan.tamm@example.ee", "EE"),
    ("Kadri Kask", "kadri@example.ee", "EE"),
    ("Anna Bērziņa", "anna.berzina@example.lv", "LV"),
    ("Jānis Ozols", "janis.ozols@example.lv", "LV"),
    ("Ieva Kalniņa", "ieva@example.lv", "LV"),
    ("Tomas Petraitis", "tomas@example.lt", "LT"),
    ("Rūta Kazlauskienė", "ruta.k@example.lt", "LT"),
    ("Mikko Virtanen", "mikko.virtanen@example.fi", "FI"),
    ("Aino Korhonen", "aino@example.fi", "FI"),
    ("Peeter Saar", "peeter.saar@example.ee", "EE"),
    ("Liis Lepp", "liis.lepp@example.ee", "EE"),
];

fn channel_for(country: &str, rng: &mut StdRng) -> Channel {
    let cards = [Channel::Visa, Channel::Mastercard, Channel::Maestro];
    if rng.gen_bool(0.35) {
        return cards[rng.gen_range(0..cards.len())];
    }
    let banks: &[Channel] = match country {
        "EE" => &[
            Channel::Swedbank,
            Channel::Seb,
            Channel::Lhv,
            Channel::Luminor,
            Channel::Citadele,
            Channel::Krediidipank,
        ],
        "LV" => &[
            Channel::Swedbank,
            Channel::Seb,
            Channel::Citadele,
            Channel::Luminor,
        ],
        "LT" => &[Channel::Swedbank, Channel::Seb, Channel::Luminor],
        _ => &[
            Channel::Nordea,
            Channel::Pohjola,
            Channel::Danske,
            Channel::Aktia,
            Channel::Saastopankki,
        ],
    };
    banks[rng.gen_range(0..banks.len())]
}

struct Payment {
    at: i64,
    cents: i64,
    channel: Channel,
    buyer: (String, Option<String>, String),
    ip: String,
    outcome: Option<Closed>,
}

/// Fills a shop with about 90 days of payments ending at `now`, unless it has some already.
pub async fn fill(state: &AppState, shop_id: i64, seed: u64, now: i64) -> AppResult<usize> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(&state.db.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut payments = Vec::new();
    let start = now - 90 * DAY_MS;
    for day in 0..90 {
        let per_day = rng.gen_range(3..10);
        for _ in 0..per_day {
            let at = start + day * DAY_MS + rng.gen_range(7 * 60..23 * 60) * MINUTE_MS;
            let (name, email, country) = BUYERS[rng.gen_range(0..BUYERS.len())];
            let cents = match rng.gen_range(0..100) {
                0..=59 => rng.gen_range(500..6_000),
                60..=94 => rng.gen_range(6_000..25_000),
                _ => rng.gen_range(25_000..90_000),
            };
            let outcome = match rng.gen_range(0..100) {
                0..=6 => Some(Closed::Cancelled),
                7..=9 => Some(Closed::Expired),
                _ => None,
            };
            payments.push(Payment {
                at,
                cents,
                channel: channel_for(country, &mut rng),
                buyer: (name.into(), Some(email.into()), country.into()),
                ip: format!("198.51.100.{}", rng.gen_range(1..250)),
                outcome,
            });
        }
    }
    // Cases the fraud signals should flag: several declined cards then a success from one IP,
    // an order far above the shop's usual from a new buyer outside Europe, missing contact data.
    let t = now - 2 * DAY_MS;
    for i in 0..4 {
        payments.push(Payment {
            at: t + i * 3 * MINUTE_MS,
            cents: 48_900,
            channel: Channel::Visa,
            buyer: (
                "Alex Smith".into(),
                Some("alex.smith@example.com".into()),
                "US".into(),
            ),
            ip: "203.0.113.77".into(),
            outcome: if i < 3 { Some(Closed::Cancelled) } else { None },
        });
    }
    payments.push(Payment {
        at: now - DAY_MS,
        cents: 295_000,
        channel: Channel::Mastercard,
        buyer: (
            "Chen Wei".into(),
            Some("chen.wei@example.com".into()),
            "SG".into(),
        ),
        ip: "203.0.113.9".into(),
        outcome: None,
    });
    payments.push(Payment {
        at: now - 3 * DAY_MS,
        cents: 7_490,
        channel: Channel::Maestro,
        buyer: ("".into(), None, "EE".into()),
        ip: "198.51.100.3".into(),
        outcome: None,
    });
    payments.sort_by_key(|p| p.at);
    let count = payments.len();
    for (n, p) in payments.into_iter().enumerate() {
        let (name, email, country) = p.buyer;
        let id = transactions::create_at(
            state,
            NewTransaction {
                shop_id,
                reference: format!("ORD-{}", 10_000 + n),
                amount: Money::from_cents(p.cents),
                channel: p.channel,
                test_mode: false,
                buyer_name: (!name.is_empty()).then_some(name),
                buyer_email: email,
                buyer_ip: Some(p.ip),
                buyer_country: Some(country),
                description: Some("Order from the demo shop".into()),
            },
            p.at,
        )
        .await?;
        let done = p.at + 2 * MINUTE_MS;
        match p.outcome {
            None => {
                transactions::approve_at(state, id, done).await?;
            }
            Some(closed) => {
                transactions::close_at(state, id, closed, done).await?;
            }
        }
    }
    Ok(count)
}
