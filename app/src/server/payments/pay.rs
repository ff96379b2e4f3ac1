//! The hosted payment page's service: what a link's page shows, starting a payment with the
//! method the buyer picked, confirming it exactly once however often the news arrives, and
//! expiring payments left unfinished for 30 minutes.
//!
//! The amount, reference and shop always come from the stored link; the page only says which
//! link (its token), which method and, optionally, where the receipt goes.

use crate::domain::channels::{Method, COUNTRIES};
use crate::domain::fees::ChannelGroup;
use crate::domain::status::{LinkStatus, PaymentStatus, PAID_SQL};
use crate::domain::{Email, Money};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::model::pay::{
    BankPage, LinkState, MethodGroup, MethodItem, Outcome, PaymentPage, PaymentResult,
};
use crate::server::infra::jobs;
use crate::server::infra::outbox;
use crate::server::payments::connector::{BankStatus, StartRequest};
use crate::server::payments::transactions::{self, Approval, Closed, LinkOrigin, NewTransaction};
use crate::server::{payments::pay_mail, AppState};

/// A payment not finished in this time is expired by the background job.
pub const UNFINISHED_MS: i64 = 30 * 60 * 1000;
pub const EXPIRY_INTERVAL_SECS: u64 = 60;
/// The background job that closes them (see `crate::server::jobs`).
pub const EXPIRY_JOB: &str = "payment-expiry";
/// Unfinished or failed attempts one address may start on one link within
/// [`ATTEMPT_WINDOW_MS`]; more are refused, so nobody can fill the ledger with attempts.
pub const MAX_ATTEMPTS: i64 = 20;
pub const ATTEMPT_WINDOW_MS: i64 = 10 * 60 * 1000;

/// A link as stored, with its shop's names.
#[derive(Clone, Debug)]
pub struct Link {
    pub id: i64,
    pub shop_id: i64,
    pub token: String,
    /// The shop's name, as the buyer knows the seller.
    pub merchant: String,
    pub amount: Money,
    pub reference: String,
    pub description: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub language: Lang,
    pub expires_at: i64,
    pub reusable: bool,
    pub max_payments: Option<i64>,
    pub payments_made: i64,
    pub status: String,
    pub message: Option<String>,
    pub time_zone: String,
    /// A test link: its payments go to the test bank and move no money.
    pub test_mode: bool,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    shop_id: i64,
    token: String,
    merchant: String,
    amount_cents: i64,
    reference: String,
    description: Option<String>,
    buyer_name: Option<String>,
    buyer_email: Option<String>,
    language: String,
    expires_at: i64,
    reusable: i64,
    max_payments: Option<i64>,
    payments_made: i64,
    status: String,
    deactivation_message: Option<String>,
    time_zone: String,
    test_mode: i64,
}

const LINK_SELECT: &str = "SELECT l.id, l.shop_id, l.token, s.name AS merchant, l.amount_cents, l.reference, l.description, \
     l.buyer_name, l.buyer_email, l.language, l.expires_at, l.reusable, l.max_payments, l.payments_made, \
     l.status, l.deactivation_message, s.time_zone, l.test_mode \
     FROM payment_links l JOIN shops s ON s.id = l.shop_id";

fn link_of(r: LinkRow) -> Link {
    Link {
        id: r.id,
        shop_id: r.shop_id,
        token: r.token,
        merchant: r.merchant,
        amount: Money::from_cents(r.amount_cents),
        reference: r.reference,
        description: r.description,
        buyer_name: r.buyer_name,
        buyer_email: r.buyer_email,
        language: Lang::parse(&r.language).unwrap_or(Lang::En),
        expires_at: r.expires_at,
        reusable: r.reusable != 0,
        max_payments: r.max_payments,
        payments_made: r.payments_made,
        status: r.status,
        message: r.deactivation_message,
        time_zone: r.time_zone,
        test_mode: r.test_mode != 0,
    }
}

pub async fn link_by_token(state: &AppState, token: &str) -> AppResult<Option<Link>> {
    // Tokens are URL-safe base64 of 32 bytes; anything else cannot be a link.
    if token.len() > 64 {
        return Ok(None);
    }
    let row: Option<LinkRow> = sqlx::query_as(&format!("{LINK_SELECT} WHERE l.token = $1"))
        .bind(token)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.map(link_of))
}

pub async fn link_by_id(state: &AppState, shop_id: i64, id: i64) -> AppResult<Option<Link>> {
    let row: Option<LinkRow> =
        sqlx::query_as(&format!("{LINK_SELECT} WHERE l.id = $1 AND l.shop_id = $2"))
            .bind(id)
            .bind(shop_id)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row.map(link_of))
}

impl Link {
    /// Whether a buyer may pay it now.
    pub fn state(&self, now: i64) -> LinkState {
        LinkState::of(
            LinkStatus::parse(&self.status),
            self.message.clone(),
            self.expires_at,
            self.max_payments,
            self.payments_made,
            now,
        )
    }
}

/// The payment methods the shop offers (activated and switched on), in display order.
pub async fn methods(state: &AppState, shop_id: i64) -> AppResult<Vec<Method>> {
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT country, channel FROM shop_channels WHERE shop_id = $1 AND {} ORDER BY position",
        crate::server::settings::methods::OFFERED
    ))
    .bind(shop_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(country, channel)| Method::parse(&format!("{channel}:{country}")))
        .collect())
}

/// The shop's active methods whose minimum the link's amount reaches: below it the fees
/// would take the whole payment, so the page does not offer them.
async fn reachable(state: &AppState, link: &Link) -> AppResult<Vec<Method>> {
    let all = methods(state, link.shop_id).await?;
    let channels: Vec<_> = all.iter().map(|m| m.channel).collect();
    let mut conn = state.db.pool.acquire().await?;
    let minimums = crate::server::payments::minimums::of_channels(
        &mut conn,
        link.shop_id,
        &channels,
        state.clock.now_ms(),
    )
    .await?;
    Ok(all
        .into_iter()
        .filter(|m| {
            minimums
                .iter()
                .any(|(c, min)| *c == m.channel && min.is_some_and(|min| link.amount >= min))
        })
        .collect())
}

fn grouped(methods: &[Method]) -> Vec<MethodGroup> {
    let mut groups: Vec<MethodGroup> = COUNTRIES
        .iter()
        .chain(std::iter::once(&""))
        .map(|c| MethodGroup {
            country: c.to_string(),
            methods: methods
                .iter()
                .filter(|m| m.country == *c)
                .map(|m| MethodItem {
                    code: m.code(),
                    channel: m.channel.as_str().to_string(),
                    label: m.channel.label().to_string(),
                })
                .collect(),
        })
        .collect();
    groups.retain(|g| !g.methods.is_empty());
    groups
}

/// The language to answer in: the one asked for, else the link's, else the browser's.
fn language(asked: Option<&str>, link: Option<&Link>, accept: Option<&str>) -> Lang {
    asked
        .and_then(Lang::parse)
        .or(link.map(|l| l.language))
        .or_else(|| accept.and_then(Lang::from_accept_language))
        .unwrap_or(Lang::En)
}

/// What the payment page shows for `token`.
pub async fn page(
    state: &AppState,
    token: &str,
    lang: Option<&str>,
    accept: Option<&str>,
    payment: Option<i64>,
) -> AppResult<PaymentPage> {
    let link = link_by_token(state, token).await?;
    let lang = language(lang, link.as_ref(), accept);
    let mut page = PaymentPage {
        lang,
        state: LinkState::Unknown,
        merchant: String::new(),
        amount: Money::ZERO,
        reference: String::new(),
        description: None,
        valid_until: String::new(),
        email_known: false,
        methods: Vec::new(),
        result: None,
        test_mode: false,
        cannot_take_payments: false,
    };
    let Some(link) = link else {
        return Ok(page);
    };
    page.state = link.state(state.clock.now_ms());
    let result = match payment {
        Some(id) => payment_result(state, &link, id).await?,
        None => None,
    };
    let shows_link = page.state == LinkState::Payable
        || result.as_ref().is_some_and(|r| r.outcome == Outcome::Paid);
    if shows_link {
        page.merchant = link.merchant.clone();
        page.amount = link.amount;
        page.reference = link.reference.clone();
        page.description = link.description.clone();
        page.valid_until = crate::server::format_time(link.expires_at, &link.time_zone);
        page.email_known = link.buyer_email.is_some();
        page.test_mode = link.test_mode;
        page.cannot_take_payments = state.connector_for(link.test_mode).is_none();
        if page.state == LinkState::Payable && !page.cannot_take_payments {
            page.methods = grouped(&reachable(state, &link).await?);
        }
        page.result = result;
    }
    Ok(page)
}

async fn payment_result(
    state: &AppState,
    link: &Link,
    id: i64,
) -> AppResult<Option<PaymentResult>> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT status, buyer_email FROM transactions WHERE id = $1 AND payment_link_id = $2",
    )
    .bind(id)
    .bind(link.id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.map(|(status, email)| {
        let outcome = match PaymentStatus::parse(&status) {
            Some(s) if s.is_paid() => Outcome::Paid,
            Some(PaymentStatus::Expired) => Outcome::Expired,
            Some(PaymentStatus::Cancelled) => Outcome::Failed,
            _ => Outcome::Pending,
        };
        PaymentResult {
            receipt_to: email.filter(|_| outcome == Outcome::Paid),
            outcome,
            id,
        }
    }))
}

/// The payment page's form, as sent.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub lang: String,
}

/// Why a payment could not start: a text key of the payment page, or the link's state.
#[derive(Debug, PartialEq, Eq)]
pub enum StartRefused {
    /// A message for the buyer (a key of the language files).
    Message(&'static str),
    /// The link cannot be paid, or there is no such link; its page says which.
    NotPayable,
}

/// Records the payment and asks the connector where the buyer goes to pay it.
pub async fn start(
    state: &AppState,
    token: &str,
    form: &StartForm,
    ip: Option<String>,
) -> Result<String, StartRefused> {
    let internal = |e: AppError| {
        tracing::error!(error = %e, "could not start a payment");
        StartRefused::Message("error-internal")
    };
    let link = link_by_token(state, token)
        .await
        .map_err(internal)?
        .ok_or(StartRefused::NotPayable)?;
    if link.state(state.clock.now_ms()) != LinkState::Payable {
        return Err(StartRefused::NotPayable);
    }
    let lang = Lang::parse(&form.lang).unwrap_or(link.language);
    // A test link's payments go to the test bank; a live one's to the live connector, and
    // without one the shop cannot take payments yet.
    let connector = state
        .connector_for(link.test_mode)
        .ok_or(StartRefused::Message("error-no-connector"))?;
    if form.method.trim().is_empty() {
        return Err(StartRefused::Message("error-choose-method"));
    }
    let offered = methods(state, link.shop_id).await.map_err(internal)?;
    let method = Method::parse(form.method.trim())
        .filter(|m| offered.contains(m))
        .ok_or(StartRefused::Message("error-method-unavailable"))?;
    if !reachable(state, &link)
        .await
        .map_err(internal)?
        .contains(&method)
    {
        return Err(StartRefused::Message("error-below-minimum"));
    }
    let email = match form.email.trim() {
        "" => link.buyer_email.clone(),
        typed => Some(
            Email::parse(typed)
                .map_err(|_| StartRefused::Message("error-email"))?
                .as_str()
                .to_string(),
        ),
    };
    if let Some(ip) = &ip {
        let recent: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM transactions WHERE payment_link_id = $1 AND buyer_ip = $2 \
                 AND created_at > $3 AND status NOT IN {PAID_SQL}"
        ))
        .bind(link.id)
        .bind(ip)
        .bind(state.clock.now_ms() - ATTEMPT_WINDOW_MS)
        .fetch_one(&state.db.pool)
        .await
        .map_err(|e| internal(e.into()))?;
        if recent >= MAX_ATTEMPTS {
            return Err(StartRefused::Message("error-too-many"));
        }
    }
    let id = transactions::create(
        state,
        NewTransaction {
            shop_id: link.shop_id,
            reference: link.reference.clone(),
            amount: link.amount,
            channel: method.channel,
            test_mode: link.test_mode,
            buyer_name: link.buyer_name.clone(),
            buyer_email: email,
            buyer_ip: ip,
            buyer_country: (!method.country.is_empty()).then(|| method.country.to_string()),
            description: link.description.clone(),
            from_link: Some(LinkOrigin {
                link_id: link.id,
                language: lang.code().to_string(),
                connector: connector.id().to_string(),
            }),
        },
    )
    .await
    .map_err(internal)?;
    let started = connector
        .start(
            state,
            StartRequest {
                payment_id: id,
                token: &link.token,
                method,
                amount: link.amount,
                reference: &link.reference,
                merchant: &link.merchant,
                language: lang,
                return_url: state.link(&format!("/pay/{}/return/{id}", link.token)),
            },
        )
        .await;
    if started.is_err() {
        // The bank never saw it: close it now rather than leave it for the expiry job.
        let _ = transactions::close_at(state, id, Closed::Cancelled, state.clock.now_ms()).await;
    }
    started.map_err(internal)
}

/// The payment's token-checked facts: its link and connector. `None` if the payment is not
/// one of this link's.
pub async fn payment_of_link(
    state: &AppState,
    token: &str,
    payment_id: i64,
) -> AppResult<Option<(Link, String)>> {
    let Some(link) = link_by_token(state, token).await? else {
        return Ok(None);
    };
    let lang: Option<Option<String>> = sqlx::query_scalar(
        "SELECT language FROM transactions WHERE id = $1 AND payment_link_id = $2",
    )
    .bind(payment_id)
    .bind(link.id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(lang.map(|l| (link, l.unwrap_or_default())))
}

/// How a confirmation ended for the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmed {
    /// This call approved the payment and posted its movements.
    Approved,
    /// Approved before (by another confirmation): nothing was posted again.
    AlreadyApproved,
    Cancelled,
    /// The bank has no answer yet.
    Pending,
    /// The payment was closed before (cancelled or expired).
    Closed,
}

/// Asks the payment's connector how it stands and records the answer exactly once: an
/// approval posts INCOME, fees and VAT and counts the link's payment in one transaction.
/// Safe to call any number of times, concurrently, from any instance.
pub async fn confirm(state: &AppState, payment_id: i64) -> AppResult<Confirmed> {
    let row: Option<(String, Option<String>, Option<i64>, i64)> = sqlx::query_as(
        "SELECT status, connector, payment_link_id, test_mode FROM transactions WHERE id = $1",
    )
    .bind(payment_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((status, connector, link_id, test_mode)) = row else {
        return Err(AppError::NotFound);
    };
    match PaymentStatus::parse(&status) {
        Some(PaymentStatus::Created | PaymentStatus::Pending) => {}
        Some(s) if s.is_failed() => return Ok(Confirmed::Closed),
        _ => return Ok(Confirmed::AlreadyApproved),
    }
    // Only the connector of the payment's mode may answer for it: a live payment is never
    // settled by the test bank unless the test bank is the configured live connector.
    let Some(bank) = state
        .connector_for(test_mode != 0)
        .filter(|c| connector.as_deref() == Some(c.id()))
    else {
        return Err(crate::server::internal(format!(
            "payment {payment_id} belongs to connector {connector:?}, which this server does not have for {} payments",
            if test_mode != 0 { "test" } else { "live" }
        )));
    };
    let now = state.clock.now_ms();
    match bank.status(state, payment_id).await? {
        BankStatus::Pending => Ok(Confirmed::Pending),
        BankStatus::Declined | BankStatus::Cancelled => Ok(
            if transactions::close_at(state, payment_id, Closed::Cancelled, now).await? {
                Confirmed::Cancelled
            } else {
                Confirmed::Closed
            },
        ),
        BankStatus::Approved => {
            let mut tx = state.db.begin_write().await?;
            let approval = transactions::approve_in(&mut tx, payment_id, now).await;
            let approval = match approval {
                Ok(a) => a,
                // Closed (expired) while the buyer was at the bank.
                Err(AppError::Conflict(_)) => return Ok(Confirmed::Closed),
                Err(e) => return Err(e),
            };
            if approval == Approval::AlreadyApproved {
                return Ok(Confirmed::AlreadyApproved);
            }
            if let Some(link_id) = link_id {
                sqlx::query(
                    "UPDATE payment_links SET payments_made = payments_made + 1, \
                     status = CASE WHEN reusable = 0 OR (max_payments IS NOT NULL AND payments_made + 1 >= max_payments) \
                              THEN 'paid' ELSE status END \
                     WHERE id = $1 AND status = 'active'",
                )
                .bind(link_id)
                .execute(&mut *tx)
                .await?;
            }
            // Read after the link's row is updated: a concurrent approval of the same link
            // has committed by then, so exactly the later one of two finds the other.
            let others = match link_id {
                Some(_) => other_payments_of_single_use_link(&mut *tx, payment_id).await?,
                None => Vec::new(),
            };
            pay_mail::payment_approved(&mut tx, state, payment_id, &others).await?;
            tx.commit().await?;
            outbox::wake(state);
            Ok(Confirmed::Approved)
        }
    }
}

/// The other paid payments of a paid payment's single-use link. A buyer who opened the link
/// twice and paid in both tabs has paid twice (the bank took the money both times), so both
/// payments stand and the merchant is told, to refund one.
pub async fn other_payments_of_single_use_link<'c, E>(db: E, payment_id: i64) -> AppResult<Vec<i64>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_scalar(
        "SELECT o.id FROM transactions t \
         JOIN payment_links l ON l.id = t.payment_link_id \
         JOIN transactions o ON o.payment_link_id = t.payment_link_id AND o.id <> t.id \
         WHERE t.id = $1 AND l.reusable = 0 \
         AND t.status IN ('approved', 'part_refunded') AND o.status IN ('approved', 'part_refunded') \
         ORDER BY o.id",
    )
    .bind(payment_id)
    .fetch_all(db)
    .await?)
}

/// Closes payments from the payment page left unfinished for 30 minutes: the connector is
/// asked first, so a payment the bank approved is approved rather than expired. A payment
/// that cannot be settled (its connector fails or is unknown) is logged and skipped, so the
/// payments after it are still closed. The job runner runs this every minute; each close
/// is a conditional update, so a run on another instance changes nothing twice.
pub async fn expire_unfinished(state: &AppState) -> AppResult<jobs::Outcome> {
    let now = state.clock.now_ms();
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM transactions WHERE connector IS NOT NULL AND status IN ('created', 'pending') \
         AND created_at <= $1 ORDER BY created_at LIMIT 500",
    )
    .bind(now - UNFINISHED_MS)
    .fetch_all(&state.db.pool)
    .await?;
    let mut outcome = jobs::Outcome::default();
    for id in due {
        outcome
            .row(format!("payment {id}"), async move {
                Ok(confirm(state, id).await? == Confirmed::Pending
                    && transactions::close_at(state, id, Closed::Expired, now).await?)
            })
            .await;
    }
    Ok(outcome)
}

/// The payment as the test bank's page reads it.
#[derive(sqlx::FromRow)]
struct BankPayment {
    language: Option<String>,
    channel: String,
    status: String,
    connector: Option<String>,
    test_mode: i64,
    outcome: Option<String>,
}

/// The test bank's page for a payment of `token`'s link.
pub async fn bank_page(
    state: &AppState,
    token: &str,
    payment_id: i64,
    lang: Option<&str>,
) -> AppResult<BankPage> {
    let link = link_by_token(state, token)
        .await?
        .ok_or(AppError::NotFound)?;
    // The payment (one of this link's) and whether the buyer decided at the bank, read once.
    let p: BankPayment = sqlx::query_as(
        "SELECT t.language, t.channel, t.status, t.connector, t.test_mode, d.outcome FROM transactions t \
         LEFT JOIN test_bank_decisions d ON d.transaction_id = t.id \
         WHERE t.id = $1 AND t.payment_link_id = $2",
    )
    .bind(payment_id)
    .bind(link.id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if !crate::server::payments::connector::test_bank_takes(
        state,
        p.connector.as_deref(),
        p.test_mode != 0,
    ) {
        return Err(AppError::NotFound);
    }
    let BankPayment {
        language: paid_in,
        channel,
        status,
        outcome: decided,
        ..
    } = p;
    let ch = crate::domain::fees::Channel::parse(&channel)
        .ok_or_else(|| crate::server::internal("unknown channel in database"))?;
    Ok(BankPage {
        lang: lang
            .and_then(Lang::parse)
            .or(paid_in.as_deref().and_then(Lang::parse))
            .unwrap_or(link.language),
        bank: ch.label().to_string(),
        channel,
        card: ch.group() == ChannelGroup::Cards,
        merchant: link.merchant,
        amount: link.amount,
        reference: link.reference,
        decided: decided.is_some() || !matches!(status.as_str(), "created" | "pending"),
        code: three_ds_code(payment_id),
    })
}

/// The code the test bank's 3-D Secure step asks for (shown on the page).
pub fn three_ds_code(payment_id: i64) -> String {
    format!("{:06}", payment_id.rem_euclid(1_000_000))
}
