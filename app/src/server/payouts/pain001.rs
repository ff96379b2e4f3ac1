//! The payout run's bank transfer file: a SEPA credit transfer initiation,
//! ISO 20022 pain.001.001.03, that the provider's bank executes — one `PmtInf` from the
//! provider's account and one `CdtTrfTxInf` per payout (the shop's account and holder, the
//! amount, `EndToEndId` = `PAYOUT-<id>`). Written with `quick-xml`, as the statement's
//! camt.053; texts are cleaned to the schema's lengths.

use crate::domain::calendar::Day;
use crate::error::AppResult;
use crate::server::statements::camt053::{amount, date_time, text};
use crate::server::AppState;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::{self, Write};

pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03";

/// One transfer of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub payout_id: i64,
    pub shop_slug: String,
    pub amount_cents: i64,
    pub iban: String,
    pub holder: String,
}

/// What the file says about the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub message_id: String,
    /// `YYYY-MM-DDThh:mm:ss`.
    pub created: String,
    pub execution_date: Day,
    pub debtor_name: String,
    pub debtor_iban: String,
}

fn leaf<W: Write>(w: &mut Writer<W>, name: &str, value: &str) -> io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(value)))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

fn start<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))
}

fn end<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// A name as `Max70Text` takes it (the provider's and each holder's).
fn name(s: &str) -> String {
    text(s, 70).unwrap_or_else(|| "NOTPROVIDED".into())
}

/// Writes the whole document.
pub fn write<W: Write>(out: W, run: &Run, transfers: &[Transfer]) -> io::Result<W> {
    let mut w = Writer::new(out);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut doc = BytesStart::new("Document");
    doc.push_attribute(("xmlns", NAMESPACE));
    w.write_event(Event::Start(doc))?;
    start(&mut w, "CstmrCdtTrfInitn")?;
    let total: i64 = transfers.iter().map(|t| t.amount_cents).sum();
    let count = transfers.len().to_string();
    start(&mut w, "GrpHdr")?;
    leaf(&mut w, "MsgId", &run.message_id)?;
    leaf(&mut w, "CreDtTm", &run.created)?;
    leaf(&mut w, "NbOfTxs", &count)?;
    leaf(&mut w, "CtrlSum", &amount(total)?)?;
    start(&mut w, "InitgPty")?;
    leaf(&mut w, "Nm", &name(&run.debtor_name))?;
    end(&mut w, "InitgPty")?;
    end(&mut w, "GrpHdr")?;

    start(&mut w, "PmtInf")?;
    leaf(&mut w, "PmtInfId", &format!("{}-1", run.message_id))?;
    leaf(&mut w, "PmtMtd", "TRF")?;
    leaf(&mut w, "BtchBookg", "false")?;
    leaf(&mut w, "NbOfTxs", &count)?;
    leaf(&mut w, "CtrlSum", &amount(total)?)?;
    start(&mut w, "PmtTpInf")?;
    start(&mut w, "SvcLvl")?;
    leaf(&mut w, "Cd", "SEPA")?;
    end(&mut w, "SvcLvl")?;
    end(&mut w, "PmtTpInf")?;
    leaf(&mut w, "ReqdExctnDt", &run.execution_date.to_string())?;
    start(&mut w, "Dbtr")?;
    leaf(&mut w, "Nm", &name(&run.debtor_name))?;
    end(&mut w, "Dbtr")?;
    start(&mut w, "DbtrAcct")?;
    start(&mut w, "Id")?;
    leaf(&mut w, "IBAN", &run.debtor_iban)?;
    end(&mut w, "Id")?;
    end(&mut w, "DbtrAcct")?;
    start(&mut w, "DbtrAgt")?;
    start(&mut w, "FinInstnId")?;
    start(&mut w, "Othr")?;
    leaf(&mut w, "Id", "NOTPROVIDED")?;
    end(&mut w, "Othr")?;
    end(&mut w, "FinInstnId")?;
    end(&mut w, "DbtrAgt")?;
    leaf(&mut w, "ChrgBr", "SLEV")?;
    for t in transfers {
        start(&mut w, "CdtTrfTxInf")?;
        start(&mut w, "PmtId")?;
        leaf(&mut w, "EndToEndId", &format!("PAYOUT-{}", t.payout_id))?;
        end(&mut w, "PmtId")?;
        start(&mut w, "Amt")?;
        let mut amt = BytesStart::new("InstdAmt");
        amt.push_attribute(("Ccy", "EUR"));
        w.write_event(Event::Start(amt))?;
        w.write_event(Event::Text(BytesText::new(&amount(t.amount_cents)?)))?;
        end(&mut w, "InstdAmt")?;
        end(&mut w, "Amt")?;
        start(&mut w, "Cdtr")?;
        leaf(&mut w, "Nm", &name(&t.holder))?;
        end(&mut w, "Cdtr")?;
        start(&mut w, "CdtrAcct")?;
        start(&mut w, "Id")?;
        leaf(&mut w, "IBAN", &t.iban)?;
        end(&mut w, "Id")?;
        end(&mut w, "CdtrAcct")?;
        start(&mut w, "RmtInf")?;
        let what = format!(
            "Payout {} of shop {} for {}",
            t.payout_id, t.shop_slug, run.execution_date
        );
        leaf(&mut w, "Ustrd", &text(&what, 140).unwrap_or_default())?;
        end(&mut w, "RmtInf")?;
        end(&mut w, "CdtTrfTxInf")?;
    }
    end(&mut w, "PmtInf")?;
    end(&mut w, "CstmrCdtTrfInitn")?;
    end(&mut w, "Document")?;
    Ok(w.into_inner())
}

/// Puts the day's payouts that are in no file yet into a new run's file, marks them sent,
/// and returns the run's id (`None` when there were none). One transaction: a crash leaves
/// them for the next run.
pub async fn write_run(state: &AppState, day: Day) -> AppResult<Option<i64>> {
    let mut tx = state.db.begin_write().await?;
    let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT p.id, s.slug, p.amount_cents, p.iban, p.holder FROM payouts p \
         JOIN shops s ON s.id = p.shop_id WHERE p.payout_date = $1 AND p.run_id IS NULL ORDER BY p.id",
    )
    .bind(day.to_string())
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let transfers: Vec<Transfer> = rows
        .into_iter()
        .map(
            |(payout_id, shop_slug, amount_cents, iban, holder)| Transfer {
                payout_id,
                shop_slug,
                amount_cents,
                iban,
                holder,
            },
        )
        .collect();
    let id = crate::server::new_id();
    let now = state.clock.now_ms();
    let tz = jiff::tz::TimeZone::get(&state.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let run = Run {
        message_id: format!("PAYOUTS-{id:016X}"),
        created: date_time(now, &tz),
        execution_date: day,
        debtor_name: state.provider_name.clone(),
        debtor_iban: state.provider_iban.clone(),
    };
    let file = write(Vec::new(), &run, &transfers).map_err(crate::server::internal)?;
    let file = String::from_utf8(file).map_err(crate::server::internal)?;
    let total: i64 = transfers.iter().map(|t| t.amount_cents).sum();
    sqlx::query(
        "INSERT INTO payout_runs (id, run_date, payouts, total_cents, file, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(day.to_string())
    .bind(transfers.len() as i64)
    .bind(total)
    .bind(&file)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Exactly the payouts in the file; if another instance's run took some meanwhile (it
    // waits here for that run's commit on PostgreSQL), this file is dropped: they are in
    // the other one, and the rest go into the next run's.
    let ids: Vec<String> = transfers.iter().map(|t| t.payout_id.to_string()).collect();
    let marked = sqlx::query(&format!(
        "UPDATE payouts SET run_id = $1, status = 'sent' WHERE run_id IS NULL AND id IN ({})",
        ids.join(", ")
    ))
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if marked != transfers.len() as u64 {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(id))
}
