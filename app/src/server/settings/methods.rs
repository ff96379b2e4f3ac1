//! Settings → Payment methods: every method the provider offers, bank links by country and
//! cards, each with its state for the shop. A method the provider has activated is offered
//! on the payment page while the admin keeps it switched on; switching it off takes it off
//! the page at once. One not activated is asked for with a request to the provider
//! (`requests`, kind `payment_method:<code>`), which the operator applies with
//! `portal request-done` (or `portal activate-method`). The payment page
//! (`payments::pay::methods`) and the monthly account fee (`billing::monthly::usage`) read
//! the same states: activated and switched on.

use crate::domain::channels::{country_name, Method, COUNTRIES};
use crate::error::{AppError, AppResult};
use crate::model::requests::ProviderRequest;
use crate::model::settings::{MethodGroup, MethodState, MethodView};
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::requests::{self, Asking, METHOD_PREFIX};
use crate::server::AppState;
use std::collections::HashMap;

/// The SQL condition of a method the buyer is offered.
pub const OFFERED: &str = "active = 1 AND activated_at IS NOT NULL";

fn parse(code: &str) -> AppResult<Method> {
    Method::parse(code.trim()).ok_or_else(|| {
        AppError::field(
            "method",
            format!("{code:?} is not one of the provider's payment methods."),
        )
    })
}

/// The stored row's key: country and channel.
fn key(m: &Method) -> (String, String) {
    (m.country.to_string(), m.channel.as_str().to_string())
}

/// Every method with its state for the shop, grouped as the page shows them.
pub async fn list(state: &AppState, a: &ShopAccess) -> AppResult<Vec<MethodGroup>> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT country, channel, active, activated_at FROM shop_channels WHERE shop_id = $1",
    )
    .bind(a.shop_id)
    .fetch_all(&state.db.pool)
    .await?;
    let stored: HashMap<(String, String), (bool, Option<i64>)> = rows
        .into_iter()
        .map(|(country, channel, active, at)| ((country, channel), (active != 0, at)))
        .collect();
    let asked: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, kind, created_at FROM provider_requests \
         WHERE shop_id = $1 AND state = 'open' AND kind LIKE 'payment_method:%'",
    )
    .bind(a.shop_id)
    .fetch_all(&state.db.pool)
    .await?;
    let asked: HashMap<String, (i64, i64)> = asked
        .into_iter()
        .filter_map(|(id, kind, at)| {
            kind.strip_prefix(METHOD_PREFIX)
                .map(|code| (code.to_string(), (id, at)))
        })
        .collect();
    let day = |ms: i64| {
        crate::server::format_time(ms, &a.time_zone)
            .get(..10)
            .unwrap_or_default()
            .to_string()
    };
    let view = |m: Method| {
        let code = m.code();
        let (state, since, request_id) = match (stored.get(&key(&m)), asked.get(&code)) {
            (Some((true, Some(at))), _) => (MethodState::Active, Some(day(*at)), None),
            (Some((false, Some(at))), _) => (MethodState::Off, Some(day(*at)), None),
            (_, Some((id, at))) => (MethodState::Requested, Some(day(*at)), Some(*id)),
            _ => (MethodState::Inactive, None, None),
        };
        MethodView {
            name: m.channel.label().to_string(),
            usual_activation: m.usual_activation().to_string(),
            code,
            state,
            since,
            request_id,
        }
    };
    let mut groups: Vec<MethodGroup> = COUNTRIES
        .iter()
        .map(|country| MethodGroup {
            title: format!("Bank links — {}", country_name(country)),
            methods: Method::offered()
                .filter(|m| m.country == *country)
                .map(view)
                .collect(),
        })
        .collect();
    groups.push(MethodGroup {
        title: "Cards".into(),
        methods: Method::offered()
            .filter(|m| m.country.is_empty())
            .map(view)
            .collect(),
    });
    Ok(groups)
}

/// The admin switches an activated method on or off (audited); off, the payment page no
/// longer offers it.
pub async fn switch(state: &AppState, a: &ShopAccess, code: &str, on: bool) -> AppResult<()> {
    let m = parse(code)?;
    let (country, channel) = key(&m);
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let found: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT active, activated_at FROM shop_channels WHERE shop_id = $1 AND country = $2 AND channel = $3",
    )
    .bind(a.shop_id)
    .bind(&country)
    .bind(&channel)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((active, Some(_))) = found else {
        return Err(AppError::Conflict(format!(
            "{} is not activated for this shop: request its activation first.",
            m.label()
        )));
    };
    if (active != 0) == on {
        return Ok(());
    }
    sqlx::query(
        "UPDATE shop_channels SET active = $4 WHERE shop_id = $1 AND country = $2 AND channel = $3",
    )
    .bind(a.shop_id)
    .bind(&country)
    .bind(&channel)
    .bind(i64::from(on))
    .execute(&mut *tx)
    .await?;
    let label = |on: bool| if on { "on" } else { "off" };
    audit::record(
        &mut *tx,
        AuditEvent {
            before: Some(label(!on).into()),
            after: Some(label(on).into()),
            detail: Some(format!("payment method {}", m.label())),
            ..AuditEvent::in_shop("payment_method", a, now)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The admin asks the provider to activate a method.
pub async fn request(
    state: &AppState,
    a: &ShopAccess,
    code: &str,
    note: &str,
) -> AppResult<ProviderRequest> {
    let m = parse(code)?;
    let note = requests::checked_note(note).map_err(|e| AppError::field("note", e))?;
    let (country, channel) = key(&m);
    let activated: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT activated_at FROM shop_channels WHERE shop_id = $1 AND country = $2 AND channel = $3",
    )
    .bind(a.shop_id)
    .bind(&country)
    .bind(&channel)
    .fetch_optional(&state.db.pool)
    .await?;
    if activated.flatten().is_some() {
        return Err(AppError::Conflict(format!(
            "{} is activated already: switch it on or off instead.",
            m.label()
        )));
    }
    requests::open(
        state,
        a,
        Asking {
            kind: format!("{METHOD_PREFIX}{}", m.code()),
            details: serde_json::to_string(&m.code()).map_err(crate::server::internal)?,
            field: "method",
            before: "not active".into(),
            note,
            summary: format!(
                "asks for {} to be activated for the shop {} ({}); it usually takes {}.",
                m.label(),
                a.shop_name,
                a.shop_slug,
                m.usual_activation()
            ),
        },
    )
    .await
}

/// Activates a method for the shop and switches it on (the operator's step, in the caller's
/// transaction).
pub async fn activate(
    tx: &mut crate::server::infra::db::Tx,
    shop_id: i64,
    code: &str,
    now: i64,
) -> AppResult<()> {
    let m = parse(code)?;
    let (country, channel) = key(&m);
    let updated = sqlx::query(
        "UPDATE shop_channels SET active = 1, activated_at = $4 \
         WHERE shop_id = $1 AND country = $2 AND channel = $3",
    )
    .bind(shop_id)
    .bind(&country)
    .bind(&channel)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        let position = crate::domain::channels::DEFAULT_CHANNELS
            .iter()
            .position(|(c, ch)| *c == m.country && *ch == m.channel)
            .unwrap_or(0) as i64
            + 1;
        sqlx::query(
            "INSERT INTO shop_channels (shop_id, country, channel, position, active, activated_at) \
             VALUES ($1, $2, $3, $4, 1, $5)",
        )
        .bind(shop_id)
        .bind(&country)
        .bind(&channel)
        .bind(position)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The operator activates a method of shop `slug`: the waiting request, if any, is done
/// (the admin who asked gets a mail); otherwise the method is activated directly, audited.
pub async fn activate_by_operator(state: &AppState, slug: &str, code: &str) -> AppResult<String> {
    let m = parse(code)?;
    let shop: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, merchant_id FROM shops WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&state.db.pool)
            .await?;
    let Some((shop_id, merchant_id)) = shop else {
        return Err(AppError::field(
            "shop",
            format!("There is no shop {slug:?}."),
        ));
    };
    let waiting: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM provider_requests WHERE shop_id = $1 AND kind = $2 AND state = 'open'",
    )
    .bind(shop_id)
    .bind(format!("{METHOD_PREFIX}{}", m.code()))
    .fetch_optional(&state.db.pool)
    .await?;
    if let Some(id) = waiting {
        return requests::decide(state, id, true, None).await;
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    activate(&mut tx, shop_id, &m.code(), now).await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "payment_method",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            after: Some("on".into()),
            detail: Some(format!(
                "payment method {} activated by the provider",
                m.label()
            )),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(format!("{slug}: {} activated", m.label()))
}
