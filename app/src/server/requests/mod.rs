//! Requests to the provider: what a shop may not change itself because it is part of its
//! contract (the payout bank account today; the domain and the legal entity next). An admin
//! asks; the request is recorded and audited, the provider's operators get a mail, and the
//! shop sees its state until an operator applies it (`portal request-done`) or declines it
//! with an answer (`portal request-decline`); the admin who asked gets the answer by mail.
//! One request of a kind may be open per shop; its admin can withdraw it.

use crate::domain::iban::Iban;
use crate::error::{AppError, AppResult};
use crate::model::requests::ProviderRequest;
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::infra::{mail, outbox};
use crate::server::AppState;

pub const PAYOUT_ACCOUNT: &str = "payout_account";
pub const DOMAIN: &str = "domain";
pub const LEGAL_ENTITY: &str = "legal_entity";
/// A payment method's activation: the kind is this and the method's code (`visa`).
pub const METHOD_PREFIX: &str = "payment_method:";
/// The longest note an admin may add.
pub const NOTE_MAX: usize = 1000;
/// Requests listed per shop, newest first.
const LIST_LIMIT: i64 = 50;

/// What a payout-account request asks for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountAsked {
    pub iban: String,
    pub holder: String,
}

/// What a legal-entity request asks for: the merchant's new company.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntityAsked {
    pub name: String,
    pub registry_code: String,
    pub vat_number: Option<String>,
}

fn describe(kind: &str, details: &str) -> String {
    if let Some(code) = kind.strip_prefix(METHOD_PREFIX) {
        return match crate::domain::channels::Method::parse(code) {
            Some(m) => format!("Activate {}", m.label()),
            None => format!("Activate {code}"),
        };
    }
    match kind {
        DOMAIN => match serde_json::from_str::<String>(details) {
            Ok(d) => format!("New shop domain {d}"),
            Err(_) => "New shop domain".into(),
        },
        LEGAL_ENTITY => match serde_json::from_str::<EntityAsked>(details) {
            Ok(e) => format!(
                "New legal entity {}, registry code {}{}",
                e.name,
                e.registry_code,
                e.vat_number
                    .map(|v| format!(", VAT number {v}"))
                    .unwrap_or_default()
            ),
            Err(_) => "New legal entity".into(),
        },
        PAYOUT_ACCOUNT => match serde_json::from_str::<AccountAsked>(details) {
            Ok(a) => format!(
                "New payout account {}, {}",
                Iban::parse(&a.iban).map(|i| i.grouped()).unwrap_or(a.iban),
                a.holder
            ),
            Err(_) => "New payout account".into(),
        },
        other => other.to_string(),
    }
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

const SELECT: &str = "SELECT r.id, r.kind, r.details, r.note, r.state, u.name, u.email, \
     r.created_at, r.decided_at, r.answer FROM provider_requests r \
     JOIN users u ON u.id = r.requested_by";

fn to_view(r: Row, time_zone: &str) -> ProviderRequest {
    let (id, kind, details, note, state, name, email, at, decided, answer) = r;
    ProviderRequest {
        id,
        what: describe(&kind, &details),
        kind,
        note,
        state,
        requested_by: format!("{name} ({email})"),
        requested_at: crate::server::format_time(at, time_zone),
        decided_at: decided.map(|d| crate::server::format_time(d, time_zone)),
        answer,
    }
}

/// The shop's requests, newest first.
pub async fn list(state: &AppState, a: &ShopAccess) -> AppResult<Vec<ProviderRequest>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE r.shop_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2"
    ))
    .bind(a.shop_id)
    .bind(LIST_LIMIT)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| to_view(r, &a.time_zone)).collect())
}

pub fn checked_note(note: &str) -> Result<String, String> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(format!(
            "Keep the note to {NOTE_MAX} characters (it has {}).",
            note.chars().count()
        ));
    }
    Ok(note.to_string())
}

/// An admin asks for payouts to go to another account: the IBAN is checked as the refund
/// page checks one, the holder is the account owner's name.
pub async fn ask_payout_account(
    state: &AppState,
    a: &ShopAccess,
    iban: &str,
    holder: &str,
    note: &str,
) -> AppResult<ProviderRequest> {
    let mut errors = crate::domain::validate::FieldErrors::default();
    let iban = errors.check("iban", Iban::parse(iban));
    let holder = errors.check("holder", crate::domain::validate::person_name(holder));
    let note = errors.check("note", checked_note(note));
    let (Some(iban), Some(holder), Some(note)) = (iban, holder, note) else {
        return Err(AppError::Validation(errors));
    };
    let current: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT payout_iban, payout_holder FROM shops WHERE id = $1")
            .bind(a.shop_id)
            .fetch_one(&state.db.pool)
            .await?;
    if current.0.as_deref() == Some(iban.as_str()) && current.1.as_deref() == Some(&holder) {
        return Err(AppError::field(
            "iban",
            "Payouts already go to this account.",
        ));
    }
    let asked = AccountAsked {
        iban: iban.as_str().to_string(),
        holder: holder.clone(),
    };
    let before = match current {
        (Some(i), h) => format!(
            "{}{}",
            Iban::parse(&i).map(|x| x.grouped()).unwrap_or(i),
            h.map(|h| format!(", {h}")).unwrap_or_default()
        ),
        (None, _) => "none yet".to_string(),
    };
    open(
        state,
        a,
        Asking {
            kind: PAYOUT_ACCOUNT.to_string(),
            details: serde_json::to_string(&asked).map_err(crate::server::internal)?,
            field: "iban",
            before,
            note,
            summary: format!(
                "asks for the payouts of the shop {} ({}) to go to another bank account.",
                a.shop_name, a.shop_slug
            ),
        },
    )
    .await
}

/// An admin asks for the shop's domain to change (part of the contract: the provider
/// checks the new site first).
pub async fn ask_domain(
    state: &AppState,
    a: &ShopAccess,
    domain: &str,
    note: &str,
) -> AppResult<ProviderRequest> {
    let mut errors = crate::domain::validate::FieldErrors::default();
    let domain = errors.check("domain", crate::domain::validate::domain_name(domain));
    let note = errors.check("note", checked_note(note));
    let (Some(domain), Some(note)) = (domain, note) else {
        return Err(AppError::Validation(errors));
    };
    let current: Option<String> = sqlx::query_scalar("SELECT domain FROM shops WHERE id = $1")
        .bind(a.shop_id)
        .fetch_one(&state.db.pool)
        .await?;
    if current.as_deref() == Some(domain.as_str()) {
        return Err(AppError::field(
            "domain",
            "This is the shop's domain already.",
        ));
    }
    open(
        state,
        a,
        Asking {
            kind: DOMAIN.to_string(),
            details: serde_json::to_string(&domain).map_err(crate::server::internal)?,
            field: "domain",
            before: current.unwrap_or_else(|| "none yet".into()),
            note,
            summary: format!(
                "asks for the shop {} ({}) to move to another domain.",
                a.shop_name, a.shop_slug
            ),
        },
    )
    .await
}

/// An admin asks for the contract to pass to another legal entity (company).
pub async fn ask_legal_entity(
    state: &AppState,
    a: &ShopAccess,
    name: &str,
    registry_code: &str,
    vat_number: &str,
    note: &str,
) -> AppResult<ProviderRequest> {
    use crate::domain::validate;
    let mut errors = validate::FieldErrors::default();
    let name = errors.check("name", validate::person_name(name));
    let code = errors.check("registry_code", validate::registry_code(registry_code));
    let vat = errors.check("vat_number", validate::vat_number(vat_number));
    let note = errors.check("note", checked_note(note));
    let (Some(name), Some(registry_code), Some(vat_number), Some(note)) = (name, code, vat, note)
    else {
        return Err(AppError::Validation(errors));
    };
    let (current, current_code): (String, Option<String>) =
        sqlx::query_as("SELECT name, registry_code FROM merchants WHERE id = $1")
            .bind(a.merchant_id)
            .fetch_one(&state.db.pool)
            .await?;
    let asked = EntityAsked {
        name,
        registry_code,
        vat_number,
    };
    open(
        state,
        a,
        Asking {
            kind: LEGAL_ENTITY.to_string(),
            details: serde_json::to_string(&asked).map_err(crate::server::internal)?,
            field: "name",
            before: match current_code {
                Some(c) => format!("{current}, registry code {c}"),
                None => current,
            },
            note,
            summary: format!(
                "asks for the contract of {} (shop {}) to pass to another legal entity.",
                a.merchant_name, a.shop_slug
            ),
        },
    )
    .await
}

/// A request an admin makes: what is asked (as stored), and how to tell about it.
pub struct Asking {
    pub kind: String,
    /// What is asked for, as JSON.
    pub details: String,
    /// The form field a refusal names.
    pub field: &'static str,
    /// What it is now, for the audit log and the operator's mail.
    pub before: String,
    /// The admin's note, checked.
    pub note: String,
    /// The operator mail's first sentence after the asker's name: "asks for …".
    pub summary: String,
}

/// Records a request (one of a kind may wait per shop), audits it and mails the operators.
pub async fn open(state: &AppState, a: &ShopAccess, asking: Asking) -> AppResult<ProviderRequest> {
    let Asking {
        kind,
        details,
        field,
        before,
        note,
        summary,
    } = asking;
    let what = describe(&kind, &details);
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let waiting = |since: Option<i64>| {
        AppError::field(
            field,
            format!(
                "A request to the provider ({what}) is waiting{}: withdraw it first to ask again.",
                since
                    .map(|at| format!(" since {}", crate::server::format_time(at, &a.time_zone)))
                    .unwrap_or_default()
            ),
        )
    };
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM provider_requests WHERE shop_id = $1 AND kind = $2 AND state = 'open'",
    )
    .bind(a.shop_id)
    .bind(&kind)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(at) = open {
        return Err(waiting(Some(at)));
    }
    let id = crate::server::new_id();
    let inserted = sqlx::query(
        "INSERT INTO provider_requests (id, shop_id, kind, details, note, state, requested_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) ON CONFLICT (shop_id, kind) WHERE state = 'open' DO NOTHING",
    )
    .bind(id)
    .bind(a.shop_id)
    .bind(&kind)
    .bind(&details)
    .bind(&note)
    .bind(a.user.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(waiting(None));
    }
    audit::record(
        &mut *tx,
        admin_event(
            a,
            now,
            before.clone(),
            what.clone(),
            format!("request {id}: asked the provider"),
        ),
    )
    .await?;
    match &state.operator_email {
        Some(to) => {
            let mut paragraphs = vec![
                format!(
                    "{} ({}) of {} {summary}",
                    a.user.name, a.user.email, a.merchant_name
                ),
                format!("Now: {before}."),
                format!("Asked: {what}."),
            ];
            if !note.is_empty() {
                paragraphs.push(format!("Their note: {note}"));
            }
            paragraphs.push(format!(
                "Once done, apply it with `portal request-done --id {id}`; \
                 or decline it with `portal request-decline --id {id} --answer \"why\"`."
            ));
            let m = mail::notice_mail(
                to,
                &format!("Request {id}: {what} ({})", a.shop_name),
                &paragraphs,
            );
            outbox::enqueue(&mut *tx, &m, now).await?;
        }
        None => tracing::warn!(
            request = id,
            "no operator e-mail set (PORTAL_OPERATOR_EMAIL): the request is recorded only; `portal requests` lists it"
        ),
    }
    tx.commit().await?;
    outbox::wake(state);
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_one(&state.db.pool)
        .await?;
    Ok(to_view(row, &a.time_zone))
}

/// The audit event of a shop admin's step on a request.
fn admin_event(
    a: &ShopAccess,
    now: i64,
    before: String,
    after: String,
    detail: String,
) -> AuditEvent {
    AuditEvent {
        before: Some(before),
        after: Some(after),
        detail: Some(detail),
        ..AuditEvent::in_shop("provider_request", a, now)
    }
}

/// An admin withdraws an open request of the shop.
pub async fn withdraw(state: &AppState, a: &ShopAccess, id: i64) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let found: Option<(String, String, String)> = sqlx::query_as(
        "SELECT kind, details, state FROM provider_requests WHERE id = $1 AND shop_id = $2",
    )
    .bind(id)
    .bind(a.shop_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((kind, details, st)) = found else {
        return Err(AppError::NotFound);
    };
    if st != "open" {
        return Err(AppError::Conflict(format!(
            "This request is {} already: only a waiting request can be withdrawn.",
            label(&st)
        )));
    }
    sqlx::query("UPDATE provider_requests SET state = 'withdrawn', decided_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        admin_event(
            a,
            now,
            describe(&kind, &details),
            "withdrawn".into(),
            format!("request {id}: withdrawn"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn label(state: &str) -> &'static str {
    match state {
        "open" => "waiting",
        "done" => "done",
        "declined" => "declined",
        _ => "withdrawn",
    }
}

/// A request as the operator's command line lists it.
#[derive(Clone, Debug)]
pub struct OperatorRow {
    pub id: i64,
    pub shop: String,
    pub what: String,
    pub note: String,
    pub state: String,
    pub requested_by: String,
    pub requested_at: String,
    pub answer: Option<String>,
}

/// id, shop, kind, details, note, state, name, e-mail, asked at, answer.
type OperatorStored = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
);

/// Every shop's requests for the operator: the open ones, or all.
pub async fn for_operator(state: &AppState, all: bool) -> AppResult<Vec<OperatorRow>> {
    let rows: Vec<OperatorStored> =
        sqlx::query_as(&format!(
            "SELECT r.id, s.slug, r.kind, r.details, r.note, r.state, u.name, u.email, r.created_at, r.answer \
             FROM provider_requests r JOIN shops s ON s.id = r.shop_id JOIN users u ON u.id = r.requested_by \
             {} ORDER BY r.created_at, r.id",
            if all { "" } else { "WHERE r.state = 'open'" }
        ))
        .fetch_all(&state.db.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, shop, kind, details, note, st, name, email, at, answer)| OperatorRow {
                id,
                shop,
                what: describe(&kind, &details),
                note,
                state: st,
                requested_by: format!("{name} <{email}>"),
                requested_at: crate::server::format_time(at, &state.time_zone),
                answer,
            },
        )
        .collect())
}

/// The operator's answer: `done` applies what was asked (the payout account changes, audited
/// with before and after), `declined` needs a reason. The admin who asked gets a mail.
pub async fn decide(
    state: &AppState,
    id: i64,
    done: bool,
    answer: Option<&str>,
) -> AppResult<String> {
    let answer = answer.map(str::trim).filter(|a| !a.is_empty());
    if !done && answer.is_none() {
        return Err(AppError::field(
            "answer",
            "Say why the request is declined: the shop's admin reads it.",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    type Found = (i64, i64, String, String, String, String, String, String);
    let found: Option<Found> = sqlx::query_as(
        "SELECT r.shop_id, s.merchant_id, s.name, s.slug, r.kind, r.details, r.state, u.email \
         FROM provider_requests r JOIN shops s ON s.id = r.shop_id JOIN users u ON u.id = r.requested_by \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((shop_id, merchant_id, shop_name, slug, kind, details, st, requester)) = found else {
        return Err(AppError::field("id", format!("There is no request {id}.")));
    };
    if st != "open" {
        return Err(AppError::field(
            "id",
            format!("Request {id} is {} already.", label(&st)),
        ));
    }
    let what = describe(&kind, &details);
    if done {
        match kind.as_str() {
            PAYOUT_ACCOUNT => {
                let asked: AccountAsked =
                    serde_json::from_str(&details).map_err(crate::server::internal)?;
                let iban = Iban::parse(&asked.iban).map_err(|m| AppError::field("iban", m))?;
                crate::server::payouts::account::apply(
                    &mut tx,
                    shop_id,
                    merchant_id,
                    &iban,
                    &asked.holder,
                    now,
                    &format!("request {id}, applied by the provider"),
                )
                .await?;
            }
            DOMAIN => {
                let domain: String =
                    serde_json::from_str(&details).map_err(crate::server::internal)?;
                sqlx::query("UPDATE shops SET domain = $1 WHERE id = $2")
                    .bind(&domain)
                    .bind(shop_id)
                    .execute(&mut *tx)
                    .await?;
            }
            LEGAL_ENTITY => {
                let e: EntityAsked =
                    serde_json::from_str(&details).map_err(crate::server::internal)?;
                sqlx::query(
                    "UPDATE merchants SET name = $1, registry_code = $2, \
                     vat_number = COALESCE($3, vat_number) WHERE id = $4",
                )
                .bind(&e.name)
                .bind(&e.registry_code)
                .bind(e.vat_number.as_deref())
                .bind(merchant_id)
                .execute(&mut *tx)
                .await?;
            }
            other => match other.strip_prefix(METHOD_PREFIX) {
                Some(code) => {
                    crate::server::settings::methods::activate(&mut tx, shop_id, code, now).await?
                }
                None => {
                    return Err(AppError::field(
                        "id",
                        format!("Requests of kind {other:?} are applied by hand."),
                    ))
                }
            },
        }
    }
    let new_state = if done { "done" } else { "declined" };
    sqlx::query(
        "UPDATE provider_requests SET state = $1, decided_at = $2, answer = $3 WHERE id = $4",
    )
    .bind(new_state)
    .bind(now)
    .bind(answer)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "provider_request",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            before: Some(what.clone()),
            after: Some(new_state.into()),
            detail: Some(format!(
                "request {id}: {new_state} by the provider{}",
                answer.map(|a| format!(": {a}")).unwrap_or_default()
            )),
            ..Default::default()
        },
    )
    .await?;
    let mut paragraphs = vec![format!(
        "Your request for the shop {shop_name}: {what}. {}",
        if done {
            "The provider has done it."
        } else {
            "The provider has declined it."
        }
    )];
    if let Some(a) = answer {
        paragraphs.push(format!("The provider's answer: {a}"));
    }
    let m = mail::action_mail(
        &requester,
        &format!("Your request is {new_state}: {what}"),
        &paragraphs,
        if kind == PAYOUT_ACCOUNT {
            "See your payouts"
        } else {
            "See your settings"
        },
        &state.link(&format!(
            "/shops/{slug}/{}",
            if kind == PAYOUT_ACCOUNT {
                "payouts"
            } else {
                "settings"
            }
        )),
    );
    outbox::enqueue(&mut *tx, &m, now).await?;
    tx.commit().await?;
    outbox::wake(state);
    Ok(format!("request {id} ({slug}): {what}: {new_state}"))
}
