//! The account statement as a spreadsheet: CSV (streamed, in the comma or the semicolon
//! dialect) and XLSX (two sheets: the movements and the totals per type).
//!
//! Both start with the same header block as the transactions export (merchant, shop,
//! period, filter, time zone, opening and closing balance, when made), then one row per
//! movement in posting order with debit, credit and the balance after it. Movements are
//! read [`BATCH`] at a time by posting number, so a period of a million movements never
//! sits whole in memory: CSV goes out in 64 KiB chunks, XLSX is written by
//! `rust_xlsxwriter` in constant-memory mode to a temporary file.
//!
//! The semicolon dialect writes amounts with a decimal comma, which is what Excel reads as
//! numbers in Estonian, Latvian and Lithuanian settings; the comma dialect a decimal point.

use crate::domain::ledger::MovementKind;
use crate::domain::{CsvDialect as Dialect, Money};
use crate::error::{AppError, AppResult};
use crate::model::statement::StatementFilter;
use crate::server::identity::access::ShopAccess;
use crate::server::reporting::export::{self, csv_cell_between, Format};
use crate::server::reporting::progress::Progress;
use crate::server::statements::statement::{self, Bounds, Checked, Movement};
use crate::server::AppState;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;

/// Movements read per query.
pub const BATCH: i64 = 5_000;
const CHUNK: usize = 64 * 1024;

pub const HEADERS: [&str; 10] = [
    "Time",
    "Type code",
    "Type",
    "Reference",
    "Payment ID",
    "Refund ID",
    "Payout ID",
    "Debit (EUR)",
    "Credit (EUR)",
    "Balance after (EUR)",
];

/// What a download of the statement's spreadsheet needs once checked.
pub struct Job {
    pub db: crate::server::infra::db::Db,
    pub shop_id: i64,
    pub checked: Checked,
    pub bounds: Bounds,
    pub tz: TimeZone,
    /// Label and value of each header line; the balances as cents, written as amounts.
    pub lines: Vec<(&'static str, String)>,
    /// `statement-<shop>-<YYYY-MM>` or `…-<first day>_<last day>`, without extension.
    pub stem: String,
    /// Counts the movements written, for the page that started the download.
    pub progress: Progress,
}

/// Which header lines hold a balance, written as an amount.
const OPENING: &str = "Opening balance (EUR)";
const CLOSING: &str = "Closing balance (EUR)";

fn prepare(state: &AppState, a: &ShopAccess, c: Checked, b: Bounds, now_ms: i64) -> Job {
    let tz = TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC);
    let mut only = Vec::new();
    if let Some(k) = c.kind {
        only.push(format!("type {}", k.label()));
    }
    if let Some(q) = &c.q {
        only.push(format!("search \"{q}\""));
    }
    let filter = if only.is_empty() {
        "every movement".to_string()
    } else {
        only.join(", ")
    };
    let (first, last) = (c.first_day, c.last_day);
    let period = if first.day() == 1 && last == first.last_of_month() {
        first.strftime("%Y-%m").to_string()
    } else {
        format!("{first}_{last}")
    };
    let mut made = String::new();
    export::push_time(&mut made, now_ms, &tz);
    Job {
        db: state.db.clone(),
        shop_id: a.shop_id,
        lines: vec![
            ("Merchant", a.merchant_name.clone()),
            ("Shop", a.shop_name.clone()),
            ("Period", format!("{} ({first} – {last})", c.label)),
            ("Filter", filter),
            ("Time zone", a.time_zone.clone()),
            (OPENING, Money::from_cents(b.opening).to_string()),
            (CLOSING, Money::from_cents(b.closing).to_string()),
            ("Exported", made),
        ],
        checked: c,
        bounds: b,
        tz,
        stem: format!("statement-{}-{period}", a.shop_slug),
        progress: Progress::default(),
    }
}

impl Job {
    fn filtered(&self) -> bool {
        self.checked.kind.is_some() || self.checked.q.is_some()
    }

    /// The period's movements, [`BATCH`] at a time (see [`statement::stream_movements`]).
    fn movements(&self) -> tokio::sync::mpsc::Receiver<AppResult<Vec<Movement>>> {
        statement::stream_movements(
            &self.db,
            self.shop_id,
            &self.checked,
            &self.bounds,
            BATCH as usize,
        )
    }

    /// Without row filters the movements must add up to the balances: a file whose numbers
    /// do not is worse than no file.
    fn check_sum(&self, net_cents: i64) -> Result<(), String> {
        if !self.filtered() && self.bounds.opening + net_cents != self.bounds.closing {
            return Err(format!(
                "the movements ({net_cents} cents) do not add up to the balances ({:?})",
                self.bounds
            ));
        }
        Ok(())
    }
}

/// One CSV line of a movement.
pub fn csv_row(out: &mut String, m: &Movement, tz: &TimeZone, d: Dialect) {
    use std::fmt::Write;
    let sep = d.sep();
    export::push_time(out, m.at, tz);
    out.push(sep);
    csv_cell_between(out, &m.kind, sep);
    out.push(sep);
    csv_cell_between(out, kind_label(&m.kind), sep);
    out.push(sep);
    csv_cell_between(out, m.reference.as_deref().unwrap_or(""), sep);
    for id in [m.transaction_id, m.refund_id, m.payout_id] {
        out.push(sep);
        if let Some(id) = id {
            let _ = write!(out, "{id}");
        }
    }
    out.push(sep);
    if m.amount_cents < 0 {
        d.push_money(out, -m.amount_cents);
    }
    out.push(sep);
    if m.amount_cents >= 0 {
        d.push_money(out, m.amount_cents);
    }
    out.push(sep);
    d.push_money(out, m.balance_after_cents);
    out.push_str("\r\n");
}

fn kind_label(code: &str) -> &'static str {
    MovementKind::parse(code)
        .map(MovementKind::label)
        .unwrap_or("")
}

/// The header lines, a blank line and the column names.
pub fn csv_preamble(lines: &[(&'static str, String)], d: Dialect) -> String {
    let sep = d.sep();
    let mut out = String::new();
    for (k, v) in lines {
        csv_cell_between(&mut out, k, sep);
        out.push(sep);
        if *k == OPENING || *k == CLOSING {
            out.push_str(&d.number(v));
        } else {
            csv_cell_between(&mut out, v, sep);
        }
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    for (i, h) in HEADERS.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        csv_cell_between(&mut out, h, sep);
    }
    out.push_str("\r\n");
    out
}

type Chunks = tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>;

async fn produce_csv(_permit: tokio::sync::OwnedSemaphorePermit, job: Job, d: Dialect, tx: Chunks) {
    let mut buf = csv_preamble(&job.lines, d);
    let mut net = 0i64;
    let mut movements = job.movements();
    while let Some(batch) = movements.recv().await {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = ?e, shop = job.shop_id, "the statement CSV stopped");
                let _ = tx
                    .send(Err(std::io::Error::other("the export stopped")))
                    .await;
                return;
            }
        };
        job.progress.rows(batch.len() as u64);
        for m in &batch {
            csv_row(&mut buf, m, &job.tz, d);
            net += m.amount_cents;
            if buf.len() >= CHUNK {
                if tx
                    .send(Ok(Bytes::from(std::mem::take(&mut buf))))
                    .await
                    .is_err()
                {
                    return;
                }
                buf.reserve(CHUNK + 1024);
            }
        }
    }
    if let Err(e) = job.check_sum(net) {
        tracing::error!(error = %e, shop = job.shop_id, "the statement CSV stopped");
        let _ = tx
            .send(Err(std::io::Error::other("the export stopped")))
            .await;
        return;
    }
    let _ = tx.send(Ok(Bytes::from(buf))).await;
}

/// Entries, debit and credit (positive cents) per type, in the statement's order of types.
#[derive(Default)]
struct PerKind(Vec<(String, i64, i64, i64)>);

impl PerKind {
    fn add(&mut self, m: &Movement) {
        let (d, c) = if m.amount_cents < 0 {
            (-m.amount_cents, 0)
        } else {
            (0, m.amount_cents)
        };
        match self.0.iter_mut().find(|k| k.0 == m.kind) {
            Some(k) => {
                k.1 += 1;
                k.2 += d;
                k.3 += c;
            }
            None => self.0.push((m.kind.clone(), 1, d, c)),
        }
    }

    fn sorted(mut self) -> Vec<(String, i64, i64, i64)> {
        let position = |code: &str| {
            MovementKind::ALL
                .iter()
                .position(|k| k.code() == code)
                .unwrap_or(usize::MAX)
        };
        self.0.sort_by_key(|k| position(&k.0));
        self.0
    }
}

/// A movement's time as a date cell's value, in the shop's zone.
fn excel_time(ms: i64, tz: &TimeZone) -> Option<rust_xlsxwriter::ExcelDateTime> {
    let ts = jiff::Timestamp::from_millisecond(ms).ok()?;
    let dt = tz.to_offset(ts).to_datetime(ts);
    rust_xlsxwriter::ExcelDateTime::from_ymd(dt.year() as u16, dt.month() as u8, dt.day() as u8)
        .ok()?
        .and_hms(dt.hour() as u16, dt.minute() as u8, dt.second())
        .ok()
}

/// Writes both sheets to a temporary file and returns it, open for reading.
async fn produce_xlsx(job: Job) -> AppResult<tokio::fs::File> {
    use rust_xlsxwriter::{Format as Fmt, Workbook};
    let lines = job.lines.clone();
    let bounds = job.bounds;
    let tz = job.tz.clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Movement>>(2);
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, String> {
        let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
        let mut book = Workbook::new();
        // The fastest deflate: a few more bytes, far less time for a million rows.
        book.set_zip_compression_level(1);
        let bold = Fmt::new().set_bold();
        let money = Fmt::new().set_num_format("0.00");
        let bold_money = Fmt::new().set_bold().set_num_format("0.00");
        let date = Fmt::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let mut kinds = PerKind::default();
        let head = lines.len() as u32 + 1;
        let mut row = head + 1;
        {
            let sheet = book.add_worksheet_with_constant_memory().map_err(err)?;
            sheet.set_name("Statement").map_err(err)?;
            for (i, (k, v)) in lines.iter().enumerate() {
                let r = i as u32;
                sheet
                    .write_string_with_format(r, 0, *k, &bold)
                    .map_err(err)?;
                let cents = match *k {
                    OPENING => Some(bounds.opening),
                    CLOSING => Some(bounds.closing),
                    _ => None,
                };
                match cents {
                    Some(c) => sheet
                        .write_number_with_format(r, 1, c as f64 / 100.0, &money)
                        .map(|_| ()),
                    None => sheet.write_string(r, 1, v).map(|_| ()),
                }
                .map_err(err)?;
            }
            for (col, h) in HEADERS.iter().enumerate() {
                sheet
                    .write_string_with_format(head, col as u16, *h, &bold)
                    .map_err(err)?;
            }
            for (col, width) in [21, 12, 22, 24, 20, 20, 20, 13, 13, 19]
                .into_iter()
                .enumerate()
            {
                sheet.set_column_width(col as u16, width).map_err(err)?;
            }
            sheet.set_freeze_panes(head + 1, 0).map_err(err)?;
            while let Some(batch) = rx.blocking_recv() {
                for m in batch {
                    if row as usize >= export::XLSX_MAX_ROWS {
                        return Err("too many rows".into());
                    }
                    if let Some(t) = excel_time(m.at, &tz) {
                        sheet
                            .write_datetime_with_format(row, 0, &t, &date)
                            .map_err(err)?;
                    }
                    sheet.write_string(row, 1, &m.kind).map_err(err)?;
                    sheet
                        .write_string(row, 2, kind_label(&m.kind))
                        .map_err(err)?;
                    if let Some(r) = m.reference.as_deref().filter(|r| !r.is_empty()) {
                        // A string cell: never run as a formula.
                        sheet.write_string(row, 3, r).map_err(err)?;
                    }
                    for (col, id) in [(4, m.transaction_id), (5, m.refund_id), (6, m.payout_id)] {
                        if let Some(id) = id {
                            sheet.write_number(row, col, id as f64).map_err(err)?;
                        }
                    }
                    let (col, abs) = if m.amount_cents < 0 {
                        (7, -m.amount_cents)
                    } else {
                        (8, m.amount_cents)
                    };
                    sheet
                        .write_number_with_format(row, col, abs as f64 / 100.0, &money)
                        .map_err(err)?;
                    sheet
                        .write_number_with_format(
                            row,
                            9,
                            m.balance_after_cents as f64 / 100.0,
                            &money,
                        )
                        .map_err(err)?;
                    kinds.add(&m);
                    row += 1;
                }
            }
            sheet
                .autofilter(head, 0, (row - 1).max(head), HEADERS.len() as u16 - 1)
                .map_err(err)?;
        }
        let totals = book.add_worksheet();
        totals.set_name("Totals").map_err(err)?;
        for (col, h) in [
            "Type code",
            "Type",
            "Entries",
            "Debit (EUR)",
            "Credit (EUR)",
        ]
        .into_iter()
        .enumerate()
        {
            totals
                .write_string_with_format(0, col as u16, h, &bold)
                .map_err(err)?;
        }
        for (col, width) in [12, 24, 10, 14, 14].into_iter().enumerate() {
            totals.set_column_width(col as u16, width).map_err(err)?;
        }
        let kinds = kinds.sorted();
        let mut r = 1u32;
        for (code, entries, debit, credit) in &kinds {
            totals.write_string(r, 0, code).map_err(err)?;
            totals.write_string(r, 1, kind_label(code)).map_err(err)?;
            totals.write_number(r, 2, *entries as f64).map_err(err)?;
            totals
                .write_number_with_format(r, 3, *debit as f64 / 100.0, &money)
                .map_err(err)?;
            totals
                .write_number_with_format(r, 4, *credit as f64 / 100.0, &money)
                .map_err(err)?;
            r += 1;
        }
        let sum = |f: fn(&(String, i64, i64, i64)) -> i64| kinds.iter().map(f).sum::<i64>();
        totals
            .write_string_with_format(r, 0, "Total", &bold)
            .map_err(err)?;
        totals
            .write_number_with_format(r, 2, sum(|k| k.1) as f64, &bold)
            .map_err(err)?;
        totals
            .write_number_with_format(r, 3, sum(|k| k.2) as f64 / 100.0, &bold_money)
            .map_err(err)?;
        totals
            .write_number_with_format(r, 4, sum(|k| k.3) as f64 / 100.0, &bold_money)
            .map_err(err)?;
        let file = export::tempfile_in_tmp()?;
        book.save_to_writer(&file).map_err(err)?;
        Ok(file)
    });
    let mut net = 0i64;
    let mut count = 0usize;
    let limit = export::XLSX_MAX_ROWS - job.lines.len() - 2;
    let mut movements = job.movements();
    while let Some(batch) = movements.recv().await {
        let batch = batch?;
        count += batch.len();
        if count > limit {
            return Err(AppError::Conflict(format!(
                "A spreadsheet holds at most {limit} movements. Choose a shorter period or download CSV."
            )));
        }
        net += batch.iter().map(|m| m.amount_cents).sum::<i64>();
        job.progress.rows(batch.len() as u64);
        if tx.send(batch).await.is_err() {
            break;
        }
    }
    drop(tx);
    job.check_sum(net).map_err(crate::server::internal)?;
    let file = writer
        .await
        .map_err(crate::server::internal)?
        .map_err(crate::server::internal)?;
    let mut file = tokio::fs::File::from_std(file);
    use tokio::io::AsyncSeekExt;
    file.seek(std::io::SeekFrom::Start(0))
        .await
        .map_err(crate::server::internal)?;
    Ok(file)
}

/// The statement of the filter's period as CSV (streamed, in `dialect`) or XLSX (written,
/// then sent).
pub async fn download(
    state: AppState,
    a: ShopAccess,
    format: Format,
    filter: StatementFilter,
    dialect: Dialect,
    progress: Progress,
) -> Response {
    let now = state.clock.now_ms();
    let c = match statement::check(&filter.first_page(), &a.time_zone, now) {
        Ok(c) => c,
        Err(e) => return export::error_response(e),
    };
    let permit = match export::permit(&state, &a.shop_slug) {
        Ok(p) => p,
        Err(busy) => return *busy,
    };
    let b = match statement::bounds(&state.db.pool, a.shop_id, &c).await {
        Ok(b) => b,
        Err(e) => return export::error_response(e),
    };
    let mut job = prepare(&state, &a, c, b, now);
    if !job.filtered() {
        progress.expect(u64::try_from(b.end - b.first).ok());
    } else {
        progress.expect(None);
    }
    job.progress = progress;
    match format {
        Format::Csv => {
            let disposition = format!("attachment; filename=\"{}.csv\"", job.stem);
            let (tx, rx) = tokio::sync::mpsc::channel(8);
            tokio::spawn(produce_csv(permit, job, dialect, tx));
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                export::streamed(rx),
            )
                .into_response()
        }
        Format::Xlsx => {
            let disposition = format!("attachment; filename=\"{}.xlsx\"", job.stem);
            match produce_xlsx(job).await {
                Ok(file) => {
                    drop(permit);
                    export::xlsx_response(file, disposition).await
                }
                Err(e) => export::error_response(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn movement(amount_cents: i64, reference: &str) -> Movement {
        Movement {
            id: 1,
            seq: 7,
            at: 1_780_000_000_000,
            kind: if amount_cents < 0 {
                "TRX_FEE"
            } else {
                "INCOME"
            }
            .into(),
            amount_cents,
            balance_after_cents: 123_456,
            transaction_id: Some(42),
            refund_id: None,
            payout_id: None,
            reference: Some(reference.into()),
            channel: Some("seb".into()),
            paid_at: Some(1_780_000_000_000),
        }
    }

    #[test]
    fn both_dialects_write_amounts_and_defuse_formulas() {
        let tz = TimeZone::get("Europe/Tallinn").unwrap();
        let m = movement(-186, "=HYPERLINK(\"x\";\"y\")");
        let mut a = String::new();
        csv_row(&mut a, &m, &tz, Dialect::Comma);
        assert!(a.starts_with("2026-05-28 23:26:40,TRX_FEE,"), "{a}");
        assert!(
            a.contains(",\"'=HYPERLINK(\"\"x\"\";\"\"y\"\")\",42,,,1.86,,1234.56\r\n"),
            "{a}"
        );
        let mut b = String::new();
        csv_row(
            &mut b,
            &movement(5_000, "Order; 17"),
            &tz,
            Dialect::Semicolon,
        );
        assert!(b.ends_with(";\"Order; 17\";42;;;;50,00;1234,56\r\n"), "{b}");
    }
}
