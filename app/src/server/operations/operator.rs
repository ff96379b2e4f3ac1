//! What the provider's operator does from the command line: merchants, shops, first admins,
//! and the demo data set.

use crate::domain::channels::DEFAULT_CHANNELS;
use crate::domain::validate::person_name;
use crate::domain::{Email, Money, Role};
use crate::error::{AppError, AppResult};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::infra::clock::DAY_MS;
use crate::server::infra::mail::action_mail;
use crate::server::{identity::auth, infra::tokens, AppState};

pub const DEMO_PASSWORD_ADMIN: &str = "demo-admin-password";
pub const DEMO_PASSWORD_REFUNDS: &str = "demo-refunds-password";
pub const DEMO_PASSWORD_INFO: &str = "demo-info-password";

/// A shop's URL name: 3–40 lower-case letters, digits and dashes.
pub fn parse_slug(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = (3..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("shop id {s:?} must be 3–40 characters of a–z, 0–9 and '-', not starting or ending with '-'"))
    }
}

pub async fn create_merchant(state: &AppState, name: &str) -> AppResult<i64> {
    let name = person_name(name).map_err(|m| AppError::field("name", m))?;
    let id = crate::server::new_id();
    sqlx::query("INSERT INTO merchants (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(state.clock.now_ms())
        .execute(&state.db.pool)
        .await?;
    Ok(id)
}

pub async fn create_shop(
    state: &AppState,
    merchant_id: i64,
    slug: &str,
    name: &str,
    time_zone: &str,
) -> AppResult<i64> {
    let slug = parse_slug(slug).map_err(|m| AppError::field("slug", m))?;
    let name = person_name(name).map_err(|m| AppError::field("name", m))?;
    if jiff::tz::TimeZone::get(time_zone).is_err() {
        return Err(AppError::field(
            "time_zone",
            format!("{time_zone:?} is not an IANA time zone such as Europe/Tallinn"),
        ));
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if exists.is_none() {
        return Err(AppError::field(
            "merchant",
            format!("no merchant has id {merchant_id}"),
        ));
    }
    let id = crate::server::new_id();
    let mut tx = state.db.begin_write().await?;
    let res = sqlx::query(
        "INSERT INTO shops (id, merchant_id, slug, name, time_zone, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(&slug)
    .bind(name)
    .bind(time_zone)
    .bind(state.clock.now_ms())
    .execute(&mut *tx)
    .await?;
    if res.rows_affected() == 0 {
        return Err(AppError::field(
            "slug",
            format!("a shop with id {slug:?} exists already"),
        ));
    }
    // A new shop offers the default payment methods until its settings say otherwise.
    for (position, (country, channel)) in DEFAULT_CHANNELS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO shop_channels (shop_id, country, channel, position, activated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(*country)
        .bind(channel.as_str())
        .bind(position as i64 + 1)
        .bind(state.clock.now_ms())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub struct CreatedUser {
    pub user_id: i64,
    /// Set when the user has no password yet: the link that lets them choose one.
    pub invite_link: Option<String>,
}

/// Creates (or finds) a user and gives them `role` in the shop. With a password the account
/// is ready; without one an invite link valid 7 days is made and, if `send_mail`, mailed.
pub async fn create_user(
    state: &AppState,
    shop_slug: &str,
    email: &str,
    name: &str,
    role: Role,
    password: Option<&str>,
    send_mail: bool,
) -> AppResult<CreatedUser> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    let name = person_name(name).map_err(|m| AppError::field("name", m))?;
    let hash = match password {
        Some(p) => {
            let p =
                crate::domain::Password::parse(p).map_err(|m| AppError::field("password", m))?;
            Some(auth::hash_password(p.expose()).await?)
        }
        None => None,
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let shop: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT id, merchant_id, name FROM shops WHERE slug = $1")
            .bind(shop_slug)
            .fetch_optional(&mut *tx)
            .await?;
    let (shop_id, merchant_id, shop_name) =
        shop.ok_or_else(|| AppError::field("shop", format!("no shop has id {shop_slug:?}")))?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let user_id = match existing {
        Some(id) => id,
        None => {
            let id = crate::server::new_id();
            sqlx::query("INSERT INTO users (id, email, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(email.as_str())
                .bind(&name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            id
        }
    };
    if let Some(h) = &hash {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(h.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO merchant_members (merchant_id, user_id, status, created_at, accepted_at) \
         VALUES ($1, $2, 'active', $3, $3) \
         ON CONFLICT (merchant_id, user_id) DO UPDATE SET status = 'active', \
           accepted_at = COALESCE(merchant_members.accepted_at, excluded.accepted_at)",
    )
    .bind(merchant_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO shop_roles (shop_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(shop_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "invite",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            actor_email: Some("operator".into()),
            target_user_id: Some(user_id),
            target_email: Some(email.as_str().into()),
            after: Some(role.as_str().into()),
            ..Default::default()
        },
    )
    .await?;
    let has_password: bool =
        sqlx::query_scalar::<_, Option<String>>("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?
            .is_some();
    let invite_link = if has_password {
        None
    } else {
        let scope = tokens::InviteScope {
            merchant_id,
            shop_id,
        };
        let token = tokens::issue_invite(&mut tx, user_id, scope, now, 7 * DAY_MS).await?;
        Some(state.link(&format!("/invite/{token}")))
    };
    if let (Some(link), true) = (&invite_link, send_mail) {
        let mail = action_mail(
            email.as_str(),
            &format!("You are invited to {shop_name} in Portal"),
            &[
                format!("Hello {name},"),
                format!("Your payment provider has opened the merchant portal for the shop \"{shop_name}\" and made you its {}.", role.label()),
                "Choose your password with the link below. It works once and for 7 days.".into(),
            ],
            "Accept the invitation",
            link,
        );
        crate::server::infra::outbox::enqueue(&mut *tx, &mail, now).await?;
    }
    tx.commit().await?;
    crate::server::infra::outbox::wake(state);
    Ok(CreatedUser {
        user_id,
        invite_link,
    })
}

pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
}

pub const DEMO_LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        email: "admin@demo.example",
        password: DEMO_PASSWORD_ADMIN,
        role: Role::Admin,
    },
    DemoLogin {
        email: "refunds@demo.example",
        password: DEMO_PASSWORD_REFUNDS,
        role: Role::InfoRefunds,
    },
    DemoLogin {
        email: "info@demo.example",
        password: DEMO_PASSWORD_INFO,
        role: Role::InfoOnly,
    },
];

pub const DEMO_SHOPS: [(&str, &str); 2] =
    [("demo-store", "Demo Store"), ("demo-outlet", "Demo Outlet")];

/// The shop's own e-mail addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShopMail {
    /// Gets a mail about every refund and payment-link payment.
    Notifications,
    /// Gets the monthly fee invoices.
    Invoices,
}

/// Sets (or with `None` clears) the address that gets a mail about every refund of the shop.
pub async fn set_notification_email(
    state: &AppState,
    slug: &str,
    email: Option<&str>,
) -> AppResult<()> {
    set_shop_mail(state, slug, ShopMail::Notifications, email).await
}

/// Sets (or with `None` clears) one of the shop's addresses.
pub async fn set_shop_mail(
    state: &AppState,
    slug: &str,
    which: ShopMail,
    email: Option<&str>,
) -> AppResult<()> {
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(
            crate::domain::Email::parse(e)
                .map_err(|m| AppError::field("email", m))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let sql = match which {
        ShopMail::Notifications => "UPDATE shops SET notification_email = $2 WHERE slug = $1",
        ShopMail::Invoices => "UPDATE shops SET invoice_email = $2 WHERE slug = $1",
    };
    let done = sqlx::query(sql)
        .bind(slug)
        .bind(&email)
        .execute(&state.db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::field(
            "shop",
            format!("There is no shop {slug:?}."),
        ));
    }
    Ok(())
}

/// Reads an amount the operator typed as people type it (`Money::parse`: "2500,50",
/// "2 500.50"). `what` names the option in messages.
pub fn operator_amount(input: &str, what: &str) -> AppResult<Money> {
    let typed = input.trim();
    Money::parse(typed).map_err(|m| AppError::field(what, format!("{typed:?}: {m}")))
}

/// Sets the most a payment link of the shop may ask for (10,000.00 EUR unless changed).
/// Returns the limit before and after; recorded in the audit log.
pub async fn set_link_limit(
    state: &AppState,
    slug: &str,
    amount: &str,
) -> AppResult<(Money, Money)> {
    let limit = operator_amount(amount, "amount")?;
    if !limit.is_positive() {
        return Err(AppError::field(
            "amount",
            "The link limit must be more than 0.00 EUR.",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let shop: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT id, merchant_id, payment_limit_cents FROM shops WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((shop_id, merchant_id, before)) = shop else {
        return Err(AppError::field(
            "shop",
            format!("There is no shop {slug:?}."),
        ));
    };
    sqlx::query("UPDATE shops SET payment_limit_cents = $2 WHERE id = $1")
        .bind(shop_id)
        .bind(limit.cents())
        .execute(&mut *tx)
        .await?;
    let before = Money::from_cents(before);
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "link_limit",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            actor_email: Some("operator".into()),
            before: Some(format!("{before} EUR")),
            after: Some(format!("{limit} EUR")),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(shop = %slug, %before, after = %limit, "payment link limit set");
    Ok((before, limit))
}

/// The demo merchant with two shops and one user per role in both. Running it again leaves
/// existing data alone and resets the demo passwords. Returns the address of the demo
/// store's open payment link, to try the payment page with.
pub async fn demo(state: &AppState) -> AppResult<String> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT merchant_id FROM shops WHERE slug = $1")
        .bind(DEMO_SHOPS[0].0)
        .fetch_optional(&state.db.pool)
        .await?;
    if existing.is_none() {
        let merchant = create_merchant(state, "Demo Merchant OÜ").await?;
        for (slug, name) in DEMO_SHOPS {
            create_shop(state, merchant, slug, name, &state.time_zone).await?;
            set_notification_email(state, slug, Some(&format!("orders@{slug}.example"))).await?;
            set_shop_mail(
                state,
                slug,
                ShopMail::Invoices,
                Some(&format!("accounts@{slug}.example")),
            )
            .await?;
        }
    }
    let now = state.clock.now_ms();
    for (i, (slug, _)) in DEMO_SHOPS.iter().enumerate() {
        let shop_id: i64 = sqlx::query_scalar("SELECT id FROM shops WHERE slug = $1")
            .bind(*slug)
            .fetch_one(&state.db.pool)
            .await?;
        crate::server::operations::demo_payments::fill(state, shop_id, 20261123 + i as u64, now)
            .await?;
        // The shop has been open since its first sample payment, so last month is billed.
        sqlx::query(
            "UPDATE shops SET created_at = (SELECT MIN(created_at) FROM transactions WHERE shop_id = $1) \
             WHERE id = $1 AND created_at > (SELECT MIN(created_at) FROM transactions WHERE shop_id = $1)",
        )
        .bind(shop_id)
        .execute(&state.db.pool)
        .await?;
    }
    if existing.is_none() {
        crate::server::billing::details::set(
            state,
            DEMO_SHOPS[0].0,
            "Pärnu mnt 10; 10148 Tallinn; Estonia",
            "EE100000001",
        )
        .await?;
        // What the contract says, and an outlet that does not take Lithuanian bank links.
        for (slug, _) in DEMO_SHOPS {
            sqlx::query("UPDATE shops SET domain = $1 WHERE slug = $2")
                .bind(format!("{slug}.example"))
                .bind(slug)
                .execute(&state.db.pool)
                .await?;
        }
        sqlx::query("UPDATE merchants SET registry_code = '12345678' WHERE id = (SELECT merchant_id FROM shops WHERE slug = $1)")
            .bind(DEMO_SHOPS[0].0)
            .execute(&state.db.pool)
            .await?;
        sqlx::query(
            "UPDATE shop_channels SET active = 0, activated_at = NULL \
             WHERE country = 'LT' AND shop_id = (SELECT id FROM shops WHERE slug = $1)",
        )
        .bind(DEMO_SHOPS[1].0)
        .execute(&state.db.pool)
        .await?;
    }
    // Last month's fees, VAT correction and invoice, as the billing job would have made them.
    crate::server::billing::monthly::run_due(state).await?;
    let names = ["Anna Admin", "Rein Refunds", "Inga Info"];
    for (login, name) in DEMO_LOGINS.iter().zip(names) {
        for (slug, _) in DEMO_SHOPS {
            create_user(
                state,
                slug,
                login.email,
                name,
                login.role,
                Some(login.password),
                false,
            )
            .await?;
        }
    }
    demo_link(state).await
}

/// The demo store's payment link for the test bank (made once, reused on later runs).
async fn demo_link(state: &AppState) -> AppResult<String> {
    const REFERENCE: &str = "Demo invoice 1001";
    let token: Option<String> = sqlx::query_scalar(
        "SELECT l.token FROM payment_links l JOIN shops s ON s.id = l.shop_id \
         WHERE s.slug = $1 AND l.reference = $2 AND l.status = 'active' AND l.expires_at > $3",
    )
    .bind(DEMO_SHOPS[0].0)
    .bind(REFERENCE)
    .bind(state.clock.now_ms())
    .fetch_optional(&state.db.pool)
    .await?;
    if let Some(token) = token {
        return Ok(state.link(&format!("/pay/{token}")));
    }
    let (shop_id, merchant_id, user_id): (i64, i64, i64) = sqlx::query_as(
        "SELECT s.id, s.merchant_id, u.id FROM shops s JOIN users u ON u.email = $2 WHERE s.slug = $1",
    )
    .bind(DEMO_SHOPS[0].0)
    .bind(DEMO_LOGINS[0].email)
    .fetch_one(&state.db.pool)
    .await?;
    let link = crate::server::links::payment_links::create(
        state,
        shop_id,
        &crate::server::links::payment_links::Actor {
            user_id,
            email: DEMO_LOGINS[0].email.to_string(),
            ip: "127.0.0.1".into(),
            merchant_id,
            // A test link: paying it goes through the test bank and moves no money, as every
            // test payment; live payments need a live connector (see `live_connector`).
            test_mode: true,
        },
        &crate::domain::payment_link::LinkForm {
            amount: "89.90".into(),
            reference: REFERENCE.into(),
            description: "Wool blanket, grey".into(),
            usage: "reusable".into(),
            expires_days: "90".into(),
            ..Default::default()
        },
    )
    .await?;
    Ok(link.url)
}

/// What the operator asks for with `portal set-price-list`.
pub struct PriceListSpec {
    /// `None`: the standard list for every merchant without a negotiated one.
    pub merchant_id: Option<i64>,
    pub special_offer: bool,
    pub name: String,
    pub bank_links: String,
    pub cards: String,
    pub bank_links_monthly: bool,
    pub cards_monthly: bool,
    pub vat_percent: String,
    /// `YYYY-MM-DD` in the configured time zone; today when absent.
    pub from: Option<String>,
    pub until: Option<String>,
}

pub async fn set_price_list(state: &AppState, spec: PriceListSpec) -> AppResult<i64> {
    use crate::domain::fees::{Billing, FeeRule, PriceList};
    use crate::domain::FieldErrors;
    use crate::server::ledger::price_lists::{self, ListKind};
    let mut e = FieldErrors::default();
    let billing = |monthly: bool| {
        if monthly {
            Billing::Monthly
        } else {
            Billing::Deducted
        }
    };
    let bank_links = e.check(
        "bank_links",
        FeeRule::parse(&spec.bank_links, billing(spec.bank_links_monthly)),
    );
    let cards = e.check(
        "cards",
        FeeRule::parse(&spec.cards, billing(spec.cards_monthly)),
    );
    let vat = e.check(
        "vat",
        spec.vat_percent
            .trim()
            .parse::<rust_decimal::Decimal>()
            .ok()
            .filter(|v| !v.is_sign_negative() && *v <= rust_decimal::Decimal::ONE_HUNDRED)
            .ok_or_else(|| format!("{:?} must be a percentage from 0 to 100", spec.vat_percent)),
    );
    let name = e.check("name", person_name(&spec.name));
    let now = state.clock.now_ms();
    let from = match &spec.from {
        Some(d) => e.check(
            "from",
            crate::server::parse_local_date(d, &state.time_zone, 0),
        ),
        None => Some(now),
    };
    let until = match &spec.until {
        Some(d) => e
            .check(
                "until",
                crate::server::parse_local_date(d, &state.time_zone, 0),
            )
            .map(Some),
        None => Some(None),
    };
    let kind = match (spec.merchant_id, spec.special_offer, until.flatten()) {
        (None, false, None) => Some(ListKind::Standard),
        (None, _, _) => {
            e.add(
                "merchant",
                "a special offer or an end date needs --merchant",
            );
            None
        }
        (Some(m), false, None) => Some(ListKind::Negotiated { merchant_id: m }),
        (Some(m), true, Some(u)) => Some(ListKind::SpecialOffer {
            merchant_id: m,
            valid_until: u,
        }),
        (Some(_), true, None) => {
            e.add(
                "until",
                "a special offer needs an end date (--until YYYY-MM-DD)",
            );
            None
        }
        (Some(_), false, Some(_)) => {
            e.add(
                "until",
                "only a special offer ends; add --special-offer or drop --until",
            );
            None
        }
    };
    if let (Some(f), Some(Some(u))) = (from, until) {
        if u <= f {
            e.add("until", "the end date must be after the start date");
        }
    }
    let (
        Some(bank_links),
        Some(cards),
        Some(vat_percent),
        Some(name),
        Some(from),
        Some(kind),
        true,
    ) = (bank_links, cards, vat, name, from, kind, e.is_empty())
    else {
        return Err(AppError::Validation(e));
    };
    if let Some(m) = spec.merchant_id {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM merchants WHERE id = $1")
            .bind(m)
            .fetch_optional(&state.db.pool)
            .await?;
        if exists.is_none() {
            return Err(AppError::field(
                "merchant",
                format!("no merchant has id {m}"),
            ));
        }
    }
    let list = PriceList {
        bank_links,
        cards,
        vat_percent,
    };
    let mut conn = state.db.pool.acquire().await?;
    price_lists::add(&mut conn, kind, &name, &list, from, now).await
}

/// Sets a shop's payout bank account from its contract (the provider's decision: in the
/// portal, changing it is a request). The IBAN is checked as the refund page checks one;
/// the holder is the account owner's name. Returns the account before, for the message.
pub async fn set_payout_account(
    state: &AppState,
    slug: &str,
    iban: &str,
    holder: &str,
) -> AppResult<Option<String>> {
    let iban = crate::domain::iban::Iban::parse(iban).map_err(|m| AppError::field("iban", m))?;
    let holder =
        crate::domain::validate::person_name(holder).map_err(|m| AppError::field("holder", m))?;
    let mut tx = state.db.begin_write().await?;
    let (shop_id, merchant_id) = crate::server::shop_by_slug(&mut tx, slug).await?;
    let before = crate::server::payouts::account::apply(
        &mut tx,
        shop_id,
        merchant_id,
        &iban,
        &holder,
        state.clock.now_ms(),
        "set by the provider",
    )
    .await?;
    tx.commit().await?;
    Ok(before)
}
