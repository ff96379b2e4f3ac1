//! Ninety days of believable payments for the demo shops, made through the same service a
//! real payment confirmation uses, so the ledger, fees and VAT are the real thing.

use crate::domain::fees::Channel;
use crate::domain::Money;
use crate::error::AppResult;
use crate::server::infra::clock::{DAY_MS, MINUTE_MS};
use crate::server::payments::transactions::{self, Closed, NewTransaction};
use crate::server::AppState;
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

/// A payment to make: when, how much, how, by whom, and how it ends (approved when
/// `outcome` is `None`). Demo data and the bulk generator share these plans.
#[derive(Clone, Debug)]
pub struct PlannedPayment {
    pub at: i64,
    pub reference: String,
    pub cents: i64,
    pub channel: Channel,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub country: String,
    pub ip: String,
    pub outcome: Option<Closed>,
}

/// The buyer's action ends two minutes after the payment starts.
pub const DECISION_DELAY_MS: i64 = 2 * MINUTE_MS;

fn ordinary(rng: &mut StdRng, at: i64) -> PlannedPayment {
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
    PlannedPayment {
        at,
        reference: String::new(),
        cents,
        channel: channel_for(country, rng),
        buyer_name: Some(name.into()),
        buyer_email: Some(email.into()),
        country: country.into(),
        ip: format!("198.51.100.{}", rng.gen_range(1..250)),
        outcome,
    }
}

fn numbered(mut plan: Vec<PlannedPayment>) -> Vec<PlannedPayment> {
    plan.sort_by_key(|p| p.at);
    for (n, p) in plan.iter_mut().enumerate() {
        p.reference = format!("ORD-{}", 10_000 + n);
    }
    plan
}

/// About 90 days up to `now`, 3–9 payments a day, plus the cases fraud signals should flag:
/// several declined cards then a success from one IP, an order far above the shop's usual
/// from a new buyer outside Europe, and a payment without contact data.
pub fn demo_plan(seed: u64, now: i64) -> Vec<PlannedPayment> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut plan = Vec::new();
    let start = now - 90 * DAY_MS;
    for day in 0..90 {
        for _ in 0..rng.gen_range(3..10) {
            let at = start + day * DAY_MS + rng.gen_range(7 * 60..23 * 60) * MINUTE_MS;
            plan.push(ordinary(&mut rng, at));
        }
    }
    let t = now - 2 * DAY_MS;
    for i in 0..4 {
        plan.push(PlannedPayment {
            at: t + i * 3 * MINUTE_MS,
            reference: String::new(),
            cents: 48_900,
            channel: Channel::Visa,
            buyer_name: Some("Alex Smith".into()),
            buyer_email: Some("alex.smith@example.com".into()),
            country: "US".into(),
            ip: "203.0.113.77".into(),
            outcome: if i < 3 { Some(Closed::Cancelled) } else { None },
        });
    }
    plan.push(PlannedPayment {
        at: now - DAY_MS,
        reference: String::new(),
        cents: 295_000,
        channel: Channel::Mastercard,
        buyer_name: Some("Chen Wei".into()),
        buyer_email: Some("chen.wei@example.com".into()),
        country: "SG".into(),
        ip: "203.0.113.9".into(),
        outcome: None,
    });
    plan.push(PlannedPayment {
        at: now - 3 * DAY_MS,
        reference: String::new(),
        cents: 7_490,
        channel: Channel::Maestro,
        buyer_name: None,
        buyer_email: None,
        country: "EE".into(),
        ip: "198.51.100.3".into(),
        outcome: None,
    });
    numbered(plan)
}

/// `count` ordinary payments spread evenly over the 365 days up to `now`.
pub fn bulk_plan(seed: u64, count: usize, now: i64) -> Vec<PlannedPayment> {
    let mut rng = StdRng::seed_from_u64(seed);
    let span = 365 * DAY_MS - DECISION_DELAY_MS;
    let step = (span / count.max(1) as i64).max(1);
    let start = now - 365 * DAY_MS;
    let plan = (0..count as i64)
        .map(|i| {
            let at = start + i * step + rng.gen_range(0..step);
            ordinary(&mut rng, at)
        })
        .collect();
    numbered(plan)
}

/// Makes each planned payment through the transaction service, as a real one would be.
pub async fn post_via_service(
    state: &AppState,
    shop_id: i64,
    plan: Vec<PlannedPayment>,
) -> AppResult<()> {
    for p in plan {
        let id = transactions::create_at(
            state,
            NewTransaction {
                shop_id,
                reference: p.reference,
                amount: Money::from_cents(p.cents),
                channel: p.channel,
                test_mode: false,
                buyer_name: p.buyer_name,
                buyer_email: p.buyer_email,
                buyer_ip: Some(p.ip),
                buyer_country: Some(p.country),
                description: Some(DESCRIPTION.into()),
                from_link: None,
            },
            p.at,
        )
        .await?;
        let done = p.at + DECISION_DELAY_MS;
        match p.outcome {
            None => {
                transactions::approve_at(state, id, done).await?;
            }
            Some(closed) => {
                transactions::close_at(state, id, closed, done).await?;
            }
        }
    }
    Ok(())
}

pub const DESCRIPTION: &str = "Order from the demo shop";

/// Fills a shop with about 90 days of payments ending at `now`, unless it has some already.
pub async fn fill(state: &AppState, shop_id: i64, seed: u64, now: i64) -> AppResult<usize> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(&state.db.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let plan = demo_plan(seed, now);
    let count = plan.len();
    post_via_service(state, shop_id, plan).await?;
    Ok(count)
}
