//! Payment links of a shop: made, listed and deactivated, each change audited.

use crate::domain::payment_link::{validate, LinkForm};
use crate::domain::{Email, Money};
use crate::error::{AppError, AppResult};
use crate::model::payment_links::{LinkPage, LinkRow, NewLink, LINK_PAGE_SIZE};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::{infra::tokens, AppState};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Who acts, for the audit log.
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub ip: String,
    pub merchant_id: i64,
    /// The actor looks at test data: links made now are test links, lists show test links.
    pub test_mode: bool,
}

pub async fn create(
    state: &AppState,
    shop_id: i64,
    by: &Actor,
    form: &LinkForm,
) -> AppResult<NewLink> {
    let (limit, language, time_zone): (i64, String, String) =
        sqlx::query_as("SELECT payment_limit_cents, language, time_zone FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_one(&state.db.pool)
            .await?;
    let v = validate(form, Money::from_cents(limit), &language).map_err(AppError::Validation)?;
    match crate::server::payments::minimums::smallest_for_links(state, shop_id).await? {
        Some(min) if v.amount >= min => {}
        Some(min) => {
            return Err(AppError::field(
                "amount",
                format!(
                    "A link must ask for at least {}: below that the fees of every payment method this shop offers would take the whole payment.",
                    min.human()
                ),
            ))
        }
        None => {
            return Err(AppError::field(
                "amount",
                "No payment method of this shop can take a payment under its price list. Contact support.",
            ))
        }
    }
    let now = state.clock.now_ms();
    let id = crate::server::new_id();
    let token = tokens::random_token();
    let expires_at = now + v.expires_days * DAY_MS;
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO payment_links (id, shop_id, token, amount_cents, reference, description, buyer_name, buyer_email, \
         language, expires_at, reusable, max_payments, status, created_by, created_at, search_text, test_mode) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13, $14, $15, $16)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(&token)
    .bind(v.amount.cents())
    .bind(&v.reference)
    .bind(&v.description)
    .bind(&v.buyer_name)
    .bind(&v.buyer_email)
    .bind(&v.language)
    .bind(expires_at)
    .bind(i64::from(v.reusable))
    .bind(v.max_payments)
    .bind(by.user_id)
    .bind(now)
    .bind(crate::server::reporting::search::link_text(
        &v.reference,
        v.description.as_deref(),
        v.buyer_name.as_deref(),
        v.buyer_email.as_deref(),
    ))
    .bind(i64::from(by.test_mode))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "payment_link_created",
            merchant_id: Some(by.merchant_id),
            shop_id: Some(shop_id),
            actor_user_id: Some(by.user_id),
            actor_email: Some(by.email.clone()),
            ip: Some(by.ip.clone()),
            after: Some(format!("{} EUR", v.amount)),
            detail: Some(format!(
                "{}link {id}: {}",
                if by.test_mode { "test " } else { "" },
                v.reference
            )),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    let url = state.link(&format!("/pay/{token}"));
    Ok(NewLink {
        id,
        qr_svg: qr_svg(&url)?,
        buyer_email: v.buyer_email.clone(),
        url,
        amount: v.amount,
        reference: v.reference,
        expires: crate::server::format_time(expires_at, &time_zone),
        test_mode: by.test_mode,
    })
}

/// The link as a QR code, an SVG to show beside it (and to print on a paper invoice).
pub fn qr_svg(url: &str) -> AppResult<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(crate::server::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build();
    // The renderer starts with an XML declaration, which has no place inside HTML.
    Ok(svg
        .find("<svg")
        .map(|i| svg[i..].to_string())
        .unwrap_or(svg))
}

/// E-mails the link to the buyer as an invoice in the link's language, and audits it. `to`
/// defaults to the buyer's address given with the link.
pub async fn send_invoice(
    state: &AppState,
    shop_id: i64,
    by: &Actor,
    id: i64,
    to: Option<String>,
) -> AppResult<String> {
    let link = crate::server::payments::pay::link_by_id(state, shop_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let to = match to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Email::parse(t).map_err(|e| AppError::field("email", e))?,
        None => match &link.buyer_email {
            Some(e) => Email::parse(e).map_err(|e| AppError::field("email", e))?,
            None => {
                return Err(AppError::field(
                    "email",
                    "Enter the buyer's e-mail address to send the invoice to.",
                ))
            }
        },
    };
    if link.state(state.clock.now_ms()) != crate::model::pay::LinkState::Payable {
        return Err(AppError::Conflict(
            "This link can no longer be paid, so it cannot be sent. Make a new link.".into(),
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    crate::server::infra::outbox::enqueue(
        &mut *tx,
        &crate::server::payments::pay_mail::invoice(state, &link, to.as_str()),
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "payment_link_sent",
            merchant_id: Some(by.merchant_id),
            shop_id: Some(shop_id),
            actor_user_id: Some(by.user_id),
            actor_email: Some(by.email.clone()),
            ip: Some(by.ip.clone()),
            detail: Some(format!("link {id}: invoice to {}", to.as_str())),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    crate::server::infra::outbox::wake(state);
    Ok(to.as_str().to_string())
}

type Stored = (
    i64,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    String,
    Option<String>,
    i64,
);

/// A page cursor: the last row's creation time and id, `1764000000000.123`.
fn parse_cursor(cursor: &str) -> AppResult<(i64, i64)> {
    cursor
        .split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| {
            AppError::field(
                "before",
                "This page link is damaged. Go back to the first page.",
            )
        })
}

/// One page of the shop's links, newest first, with their status as the buyer would meet
/// it; `before` is the cursor of the page to continue after.
pub async fn list(
    state: &AppState,
    shop_id: i64,
    time_zone: &str,
    status: Option<&str>,
    search: Option<&str>,
    test_mode: bool,
    before: Option<&str>,
) -> AppResult<LinkPage> {
    let cursor = before
        .filter(|b| !b.is_empty())
        .map(parse_cursor)
        .transpose()?;
    // Folded as payments' search is (see `domain::search`); wildcards are literal. A term
    // that cannot occur (a control character) matches nothing.
    let search = search.filter(|q| !q.trim().is_empty()).map(|q| {
        crate::domain::search::term(q)
            .map(|t| crate::domain::search::like_infix(&t))
            .unwrap_or_default()
    });
    let status = status.filter(|s| !s.is_empty());
    let now = state.clock.now_ms();
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT l.id, l.token, l.amount_cents, l.reference, l.buyer_email, COALESCE(u.email, ''), l.expires_at, \
                l.reusable, l.max_payments, l.payments_made, l.status, l.deactivation_message, l.created_at \
         FROM payment_links l LEFT JOIN users u ON u.id = l.created_by \
         WHERE l.shop_id = $1 AND l.test_mode = $6 \
           AND ($5 = 0 OR l.search_text LIKE $2 ESCAPE '\\') \
           AND ($3 = '' OR ($3 = 'expired' AND l.status = 'active' AND l.expires_at <= $4) \
                OR ($3 = 'active' AND l.status = 'active' AND l.expires_at > $4) \
                OR ($3 NOT IN ('active', 'expired') AND l.status = $3)) \
           AND ($7 = 0 OR l.created_at < $8 OR (l.created_at = $8 AND l.id < $9)) \
         ORDER BY l.created_at DESC, l.id DESC LIMIT $10",
    )
    .bind(shop_id)
    .bind(search.clone().unwrap_or_default())
    .bind(status.unwrap_or(""))
    .bind(now)
    .bind(i64::from(search.is_some()))
    .bind(i64::from(test_mode))
    .bind(i64::from(cursor.is_some()))
    .bind(cursor.map(|c| c.0).unwrap_or(0))
    .bind(cursor.map(|c| c.1).unwrap_or(0))
    .bind(LINK_PAGE_SIZE + 1)
    .persistent(false)
    .fetch_all(&state.db.pool)
    .await?;
    let mut rows = rows;
    let more = rows.len() as i64 > LINK_PAGE_SIZE;
    rows.truncate(LINK_PAGE_SIZE as usize);
    let next = more
        .then(|| rows.last().map(|r| format!("{}.{}", r.12, r.0)))
        .flatten();
    let rows = rows
        .into_iter()
        .map(|r| {
            let status = match r.10.as_str() {
                "active" if r.6 <= now => "expired".to_string(),
                s => s.to_string(),
            };
            LinkRow {
                id: r.0,
                url: state.link(&format!("/pay/{}", r.1)),
                amount: Money::from_cents(r.2),
                reference: r.3,
                buyer_email: r.4,
                created_by: r.5,
                expires: crate::server::format_time(r.6, time_zone),
                reusable: r.7 != 0,
                max_payments: r.8,
                payments_made: r.9,
                status,
                message: r.11,
                created: crate::server::format_time(r.12, time_zone),
            }
        })
        .collect();
    Ok(LinkPage {
        rows,
        next,
        older: cursor.is_some(),
    })
}

/// Stops a link; the buyer then sees `message`, if any.
pub async fn deactivate(
    state: &AppState,
    shop_id: i64,
    by: &Actor,
    id: i64,
    message: Option<String>,
) -> AppResult<()> {
    let message = message
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 300) {
        return Err(AppError::field(
            "message",
            "Keep the message within 300 characters.",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE payment_links SET status = 'deactivated', deactivation_message = $3 \
         WHERE id = $1 AND shop_id = $2 AND status = 'active'",
    )
    .bind(id)
    .bind(shop_id)
    .bind(&message)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM payment_links WHERE id = $1 AND shop_id = $2")
                .bind(id)
                .bind(shop_id)
                .fetch_optional(&mut *tx)
                .await?;
        return match status {
            None => Err(AppError::NotFound),
            Some(s) => Err(AppError::Conflict(format!(
                "This link is {s} already and cannot be deactivated."
            ))),
        };
    }
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "payment_link_deactivated",
            merchant_id: Some(by.merchant_id),
            shop_id: Some(shop_id),
            actor_user_id: Some(by.user_id),
            actor_email: Some(by.email.clone()),
            ip: Some(by.ip.clone()),
            detail: Some(match &message {
                Some(m) => format!("link {id}: {m}"),
                None => format!("link {id}"),
            }),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
