//! Who a fee invoice is from and to: the provider (its settings) and the merchant, whose
//! address and VAT number the provider's operator sets from the contract
//! (`portal set-billing-details`), audited.

use crate::error::{AppError, AppResult};
use crate::server::billing::pdf::Party;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::AppState;

/// The provider as its invoices name it.
pub fn provider(state: &AppState) -> Party {
    Party {
        name: state.provider_name.clone(),
        address: state.provider_address.clone(),
        vat_number: state.provider_vat_number.clone(),
    }
}

/// The merchant as its invoices name it.
pub async fn merchant<'c, E>(db: E, merchant_id: i64) -> AppResult<Party>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let (name, address, vat_number): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT name, address, vat_number FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_one(db)
            .await?;
    Ok(Party {
        name,
        address: address
            .map(|a| a.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        vat_number,
    })
}

/// An address typed on one line, its lines separated by `;`: at most four lines of at most
/// 100 characters, no control characters.
fn parse_address(input: &str) -> AppResult<Option<String>> {
    let lines: Vec<&str> = input
        .split(';')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Ok(None);
    }
    if lines.len() > 4
        || lines
            .iter()
            .any(|l| l.chars().count() > 100 || l.chars().any(char::is_control))
    {
        return Err(AppError::field(
            "address",
            "Write the address as at most four lines of at most 100 characters, separated by ';'.",
        ));
    }
    Ok(Some(lines.join("\n")))
}

fn parse_vat_number(input: &str) -> AppResult<Option<String>> {
    crate::domain::validate::vat_number(input).map_err(|m| AppError::field("vat_number", m))
}

/// Sets the address and VAT number of the merchant of shop `slug` (empty clears them).
pub async fn set(state: &AppState, slug: &str, address: &str, vat_number: &str) -> AppResult<()> {
    let address = parse_address(address)?;
    let vat_number = parse_vat_number(vat_number)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (shop_id, merchant_id) = crate::server::shop_by_slug(&mut tx, slug).await?;
    let before = merchant(&mut *tx, merchant_id).await?;
    sqlx::query("UPDATE merchants SET address = $1, vat_number = $2 WHERE id = $3")
        .bind(&address)
        .bind(&vat_number)
        .bind(merchant_id)
        .execute(&mut *tx)
        .await?;
    let words = |a: Option<String>, v: Option<String>| {
        format!(
            "address: {}; VAT number: {}",
            a.unwrap_or_else(|| "none".into()).replace('\n', ", "),
            v.unwrap_or_else(|| "none".into())
        )
    };
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "billing_details",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            before: Some(words(
                (!before.address.is_empty()).then(|| before.address.join("\n")),
                before.vat_number,
            )),
            after: Some(words(address, vat_number)),
            detail: Some("set by the provider's operator".into()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_vat_numbers_are_checked() {
        assert_eq!(
            parse_address(" Ķeguma iela 5 ; LV-1050 Rīga ;").unwrap(),
            Some("Ķeguma iela 5\nLV-1050 Rīga".into())
        );
        assert_eq!(parse_address("  ").unwrap(), None);
        assert!(parse_address("a;b;c;d;e").is_err());
        assert!(parse_address(&"x".repeat(101)).is_err());
        assert_eq!(
            parse_vat_number("lv 4000 0000 001").unwrap(),
            Some("LV40000000001".into())
        );
        assert_eq!(parse_vat_number("").unwrap(), None);
        for bad in ["12345", "EE", "EE1000-0001", "EE1234567890123456"] {
            assert!(parse_vat_number(bad).is_err(), "{bad}");
        }
    }
}
