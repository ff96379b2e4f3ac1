//! Settings → General: the shop's public name, time zone, contact phone, the addresses
//! mailed about payments and refunds and about fee invoices, the payment page's default
//! language and the notification URL. Admins only; every change is audited with before and
//! after.

use crate::domain::validate::{email_list, person_name, phone, Email, FieldErrors};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::model::settings::{Contract, GeneralSettings, SettingsView};
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::settings::notify_url;
use crate::server::AppState;

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

async fn read<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
    shop_id: i64,
) -> AppResult<GeneralSettings> {
    let (name, time_zone, phone, notify, invoice, language, url): Row = sqlx::query_as(
        "SELECT name, time_zone, phone, notification_email, invoice_email, language, \
         notification_url FROM shops WHERE id = $1",
    )
    .bind(shop_id)
    .fetch_one(db)
    .await?;
    Ok(GeneralSettings {
        name,
        time_zone,
        phone: phone.unwrap_or_default(),
        notification_emails: notify.unwrap_or_default(),
        invoice_email: invoice.unwrap_or_default(),
        language,
        notification_url: url.unwrap_or_default(),
    })
}

/// Every IANA time zone this server knows, sorted.
fn time_zones() -> Vec<String> {
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .collect();
    zones.sort();
    zones.dedup();
    zones
}

/// The settings page's general section.
pub async fn load(state: &AppState, a: &ShopAccess) -> AppResult<SettingsView> {
    let (domain, legal_name, registry_code, vat_number): (
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT s.domain, m.name, m.registry_code, m.vat_number FROM shops s \
         JOIN merchants m ON m.id = s.merchant_id WHERE s.id = $1",
    )
    .bind(a.shop_id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(SettingsView {
        contract: Contract {
            domain,
            legal_name,
            registry_code,
            vat_number,
        },
        general: read(&state.db.pool, a.shop_id).await?,
        time_zones: time_zones(),
        languages: Lang::ALL
            .iter()
            .map(|l| (l.code().to_string(), l.name().to_string()))
            .collect(),
        last_notification_test: notify_url::last_test(state, a).await?,
    })
}

/// Checks the form: each field's message names what to fix.
fn check(form: &GeneralSettings) -> Result<GeneralSettings, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", person_name(&form.name));
    let tz = form.time_zone.trim();
    if jiff::tz::TimeZone::get(tz).is_err() || !(tz.contains('/') || tz == "UTC") {
        errors.add(
            "time_zone",
            format!("{tz:?} is not a time zone: pick one from the list, e.g. Europe/Tallinn."),
        );
    }
    let phone = errors.check("phone", phone(&form.phone));
    let notify = errors.check("notification_emails", email_list(&form.notification_emails));
    let invoice = match form.invoice_email.trim() {
        "" => Some(None),
        e => errors.check("invoice_email", Email::parse(e).map(Some)),
    };
    if Lang::parse(form.language.trim()).is_none() {
        errors.add("language", "Pick one of the payment page's languages.");
    }
    let url = errors.check(
        "notification_url",
        notify_url::parse_url(&form.notification_url),
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(GeneralSettings {
        name: name.unwrap_or_default(),
        time_zone: tz.to_string(),
        phone: phone.flatten().unwrap_or_default(),
        notification_emails: notify
            .unwrap_or_default()
            .iter()
            .map(Email::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        invoice_email: invoice
            .flatten()
            .map(|e| e.as_str().to_string())
            .unwrap_or_default(),
        language: form.language.trim().to_string(),
        notification_url: url.flatten().map(String::from).unwrap_or_default(),
    })
}

/// Saves the general settings (admins): each changed field is one audit event with its
/// value before and after.
pub async fn save(
    state: &AppState,
    a: &ShopAccess,
    form: &GeneralSettings,
) -> AppResult<SettingsView> {
    let new = check(form).map_err(AppError::Validation)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let old = read(&mut *tx, a.shop_id).await?;
    let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
    sqlx::query(
        "UPDATE shops SET name = $2, time_zone = $3, phone = $4, notification_email = $5, \
         invoice_email = $6, language = $7, notification_url = $8 WHERE id = $1",
    )
    .bind(a.shop_id)
    .bind(&new.name)
    .bind(&new.time_zone)
    .bind(blank(&new.phone))
    .bind(blank(&new.notification_emails))
    .bind(blank(&new.invoice_email))
    .bind(&new.language)
    .bind(blank(&new.notification_url))
    .execute(&mut *tx)
    .await?;
    let fields = [
        ("name", &old.name, &new.name),
        ("time zone", &old.time_zone, &new.time_zone),
        ("contact phone", &old.phone, &new.phone),
        (
            "notification e-mails",
            &old.notification_emails,
            &new.notification_emails,
        ),
        ("invoice e-mail", &old.invoice_email, &new.invoice_email),
        ("payment page language", &old.language, &new.language),
        (
            "notification URL",
            &old.notification_url,
            &new.notification_url,
        ),
    ];
    for (what, before, after) in fields {
        if before == after {
            continue;
        }
        let shown = |v: &str| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.to_string()
            }
        };
        audit::record(
            &mut *tx,
            AuditEvent {
                before: Some(shown(before)),
                after: Some(shown(after)),
                detail: Some(what.to_string()),
                ..AuditEvent::in_shop("shop_settings", a, now)
            },
        )
        .await?;
    }
    tx.commit().await?;
    load(state, a).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> GeneralSettings {
        GeneralSettings {
            name: "Näidis e-pood".into(),
            time_zone: "Europe/Riga".into(),
            phone: "+371 2000 0000".into(),
            notification_emails: "orders@naidis.lv; Boss@naidis.lv".into(),
            invoice_email: "".into(),
            language: "lv".into(),
            notification_url: " https://Naidis.lv/maksed/teade ".into(),
        }
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let ok = check(&form()).unwrap();
        assert_eq!(ok.notification_emails, "orders@naidis.lv, boss@naidis.lv");
        assert_eq!(ok.invoice_email, "");
        assert_eq!(ok.notification_url, "https://naidis.lv/maksed/teade");
        let none = check(&GeneralSettings {
            notification_url: " ".into(),
            ..form()
        })
        .unwrap();
        assert_eq!(none.notification_url, "");
        let bad = check(&GeneralSettings {
            name: " ".into(),
            time_zone: "Mars/Olympus".into(),
            phone: "call me".into(),
            notification_emails: "orders@".into(),
            invoice_email: "x".into(),
            language: "de".into(),
            notification_url: "naidis.lv/teade".into(),
        })
        .unwrap_err();
        for f in [
            "name",
            "time_zone",
            "phone",
            "notification_emails",
            "invoice_email",
            "language",
            "notification_url",
        ] {
            assert!(bad.get(f).is_some(), "{f}: {bad:?}");
        }
        assert!(time_zones().contains(&"Europe/Tallinn".to_string()));
    }
}
