//! The month-close pack: one ZIP per shop and month with everything an accountant files for
//! the month — the statement as camt.053 XML, XLSX and CSV, a VAT summary, and a
//! `README.txt` that lists every file with what it is and its SHA-256 (in the form
//! `sha256sum -c README.txt` checks).
//!
//! The pack is a list of [`Part`]s: each makes one file through the same machinery as its
//! own download (same access, same cap on exports at once), written to a temporary file
//! while it is hashed. The ZIP is then written to another temporary file and streamed, so a
//! month of a million movements never sits whole in memory. The month's fee invoice joins
//! once it is issued.

use crate::domain::ledger::MovementKind;
use crate::domain::{CsvDialect, Money};
use crate::error::{AppError, AppResult};
use crate::model::statement::{KindTotal, StatementFilter};
use crate::server::identity::access::ShopAccess;
use crate::server::reporting::export::{self, csv_cell_between, Format};
use crate::server::reporting::progress::Progress;
use crate::server::statements::{sheets, statement};
use crate::server::AppState;
use axum::http::header;
use axum::response::Response;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

/// One file of the pack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    StatementXml,
    StatementXlsx,
    StatementCsv,
    VatSummary,
    Payouts,
    /// The month's fee invoice and any credit note correcting it, as PDFs (none before the
    /// invoice is issued on the next month's 1st).
    Invoice,
}

/// The pack's files, in the order the README lists them.
pub const PARTS: [Part; 6] = [
    Part::StatementXml,
    Part::StatementXlsx,
    Part::StatementCsv,
    Part::VatSummary,
    Part::Payouts,
    Part::Invoice,
];

impl Part {
    /// What the page shows while the part is made.
    pub fn making(self) -> &'static str {
        match self {
            Part::StatementXml => "Writing the statement as camt.053 XML",
            Part::StatementXlsx => "Writing the statement as XLSX",
            Part::StatementCsv => "Writing the statement as CSV",
            Part::VatSummary => "Adding up the VAT",
            Part::Payouts => "Listing the payouts",
            Part::Invoice => "Adding the fee invoice",
        }
    }

    /// What the README says the file is for.
    pub fn describe(self) -> &'static str {
        match self {
            Part::StatementXml => {
                "Account statement, ISO 20022 camt.053.001.02: import it like a bank statement."
            }
            Part::StatementXlsx => {
                "Account statement as a spreadsheet: every movement, and totals per type."
            }
            Part::StatementCsv => "Account statement as CSV, in your chosen CSV format.",
            Part::VatSummary => {
                "VAT summary: the month's fees per type, their VAT, and the VAT correction."
            }
            Part::Payouts => {
                "The month's payouts to your bank account: day, amount, payments covered, account."
            }
            Part::Invoice => {
                "The month's fee invoice (or a credit note correcting it), PDF: for your records, the fees were already deducted."
            }
        }
    }
}

/// The month a pack is for, as the statement page's link names it: `period` this_month
/// (also when empty) or last_month, or `month` with `period=month`. Other fields of the
/// page's filter (type, search) do not narrow a pack: it holds the whole month.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PackQuery {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub month: String,
}

/// One made file: its name in the ZIP, the open temporary file and its SHA-256.
struct Made {
    name: String,
    file: std::fs::File,
    sha256: String,
    what: &'static str,
}

/// The filter of the whole month: every movement, no search; `None` for a period that is
/// not a calendar month.
fn month_filter(q: &PackQuery) -> Option<StatementFilter> {
    let period = q.period.trim();
    let f = StatementFilter {
        period: period.to_string(),
        month: if period == "month" {
            q.month.trim().to_string()
        } else {
            String::new()
        },
        ..Default::default()
    };
    f.is_whole_month().then_some(f)
}

/// `GET /shops/{shop}/exports/month-close.zip?month=YYYY-MM`.
pub async fn download(
    state: AppState,
    a: ShopAccess,
    q: PackQuery,
    dialect: CsvDialect,
    progress: Progress,
) -> Response {
    let now = state.clock.now_ms();
    let Some(filter) = month_filter(&q) else {
        return export::error_response(AppError::field(
            "period",
            "A month-close pack is made for a calendar month: choose this month, last month or a month.",
        ));
    };
    let c = match statement::check(&filter, &a.time_zone, now) {
        Ok(c) => c,
        Err(AppError::Validation(f)) if f.get("month").is_some() => {
            return export::error_response(AppError::field(
                "month",
                "Choose a month as YYYY-MM, this month or earlier.",
            ))
        }
        Err(e) => return export::error_response(e),
    };
    let b = match statement::bounds(&state.db.pool, a.shop_id, &c).await {
        Ok(b) => b,
        Err(e) => return export::error_response(e),
    };
    let month = c.first_day.strftime("%Y-%m").to_string();
    let mut made = Vec::new();
    for (i, part) in PARTS.into_iter().enumerate() {
        progress.step(&format!("{} ({} of {})", part.making(), i + 1, PARTS.len()));
        progress.expect(None);
        let result = if part == Part::Invoice {
            invoice_parts(&state, &a, &month).await
        } else {
            make(&state, &a, part, &filter, dialect, &month, &progress)
                .await
                .map(|m| vec![m])
        };
        match result {
            Ok(m) => made.extend(m),
            Err(r) => return *r,
        }
    }
    let tz = jiff::tz::TimeZone::get(&a.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut when = String::new();
    export::push_time(&mut when, now, &tz);
    let readme = readme(&a, &c.label, &c, &b, &when, &made);
    let name = format!("month-close-{}-{month}.zip", a.shop_slug);
    progress.step("Packing the files");
    let zipped = tokio::task::spawn_blocking(move || zip(made, readme)).await;
    match zipped {
        Ok(Ok(file)) => {
            export::file_response(
                tokio::fs::File::from_std(file),
                "application/zip",
                format!("attachment; filename=\"{name}\""),
            )
            .await
        }
        Ok(Err(e)) => export::error_response(crate::server::internal(e)),
        Err(e) => export::error_response(crate::server::internal(e)),
    }
}

/// Makes one part through its own download, into a temporary file, hashing as it writes.
async fn make(
    state: &AppState,
    a: &ShopAccess,
    part: Part,
    filter: &StatementFilter,
    dialect: CsvDialect,
    month: &str,
    progress: &Progress,
) -> Result<Made, Box<Response>> {
    let what = part.describe();
    let response = match part {
        Part::StatementXml => {
            export::statement_xml(state.clone(), a.clone(), filter.clone(), progress.clone()).await
        }
        Part::StatementXlsx | Part::StatementCsv => {
            let format = if part == Part::StatementXlsx {
                Format::Xlsx
            } else {
                Format::Csv
            };
            let (s, a, f, p) = (state.clone(), a.clone(), filter.clone(), progress.clone());
            sheets::download(s, a, format, f, dialect, p).await
        }
        Part::Payouts => {
            let name = format!("payouts-{}-{month}.csv", a.shop_slug);
            return text_part(name, what, payouts_csv(state, a, month, dialect).await).await;
        }
        Part::VatSummary => {
            let name = format!("vat-summary-{}-{month}.csv", a.shop_slug);
            return text_part(name, what, vat_summary_csv(state, a, filter, dialect).await).await;
        }
        Part::Invoice => {
            return Err(Box::new(export::error_response(crate::server::internal(
                "the invoice part is made by invoice_parts",
            ))))
        }
    };
    if !response.status().is_success() {
        return Err(Box::new(response));
    }
    let name = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| d.split("filename=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .unwrap_or("statement")
        .to_string();
    to_file(name, what, response.into_body().into_data_stream())
        .await
        .map_err(|e| Box::new(export::error_response(crate::server::internal(e))))
}

/// The month's fee invoice and its credit notes as PDFs; none before the invoice is issued.
async fn invoice_parts(
    state: &AppState,
    a: &ShopAccess,
    month: &str,
) -> Result<Vec<Made>, Box<Response>> {
    let fail = |e: AppError| Box::new(export::error_response(e));
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM invoices WHERE shop_id = $1 AND month = $2 ORDER BY issued_on, number",
    )
    .bind(a.shop_id)
    .bind(month)
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| fail(e.into()))?;
    let mut made = Vec::new();
    for (id,) in ids {
        let shop = format!("{} ({})", a.shop_name, a.shop_slug);
        let (name, bytes) =
            crate::server::billing::invoices::pdf(state, a.shop_id, a.merchant_id, &shop, id)
                .await
                .map_err(fail)?;
        let chunk = Ok::<_, std::io::Error>(axum::body::Bytes::from(bytes));
        let m = to_file(
            name,
            Part::Invoice.describe(),
            futures_util::stream::iter([chunk]),
        )
        .await
        .map_err(|e| fail(crate::server::internal(e)))?;
        made.push(m);
    }
    Ok(made)
}

/// A part the pack writes itself (a short text), as a made file.
async fn text_part(
    name: String,
    what: &'static str,
    text: AppResult<String>,
) -> Result<Made, Box<Response>> {
    let text = text.map_err(|e| Box::new(export::error_response(e)))?;
    let chunk = Ok::<_, std::io::Error>(axum::body::Bytes::from(text));
    to_file(name, what, futures_util::stream::iter([chunk]))
        .await
        .map_err(|e| Box::new(export::error_response(crate::server::internal(e))))
}

/// Writes a stream of chunks to a temporary file, hashing it; the file is rewound.
async fn to_file<S, E>(name: String, what: &'static str, mut chunks: S) -> Result<Made, String>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    use std::io::{Seek, Write};
    let mut file = export::tempfile_in_tmp()?;
    let mut hash = Sha256::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| format!("{name}: {e}"))?;
        hash.update(&chunk);
        file.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    file.seek(std::io::SeekFrom::Start(0))
        .map_err(|e| e.to_string())?;
    Ok(Made {
        name,
        file,
        sha256: hex::encode(hash.finalize()),
        what,
    })
}

/// The README: what the pack is, the balances, and every file with its SHA-256.
fn readme(
    a: &ShopAccess,
    label: &str,
    c: &statement::Checked,
    b: &statement::Bounds,
    made_at: &str,
    made: &[Made],
) -> String {
    let mut out = format!(
        "Month-close pack\r\n\r\nMerchant: {}\r\nShop: {}\r\nMonth: {label} ({} to {}, times in {})\r\n\
         Opening balance: {} EUR\r\nClosing balance: {} EUR\r\nMade: {made_at}\r\n\r\n\
         Files and their SHA-256 (check them with: sha256sum -c README.txt)\r\n\r\n",
        a.merchant_name,
        a.shop_name,
        c.first_day,
        c.last_day,
        a.time_zone,
        Money::from_cents(b.opening),
        Money::from_cents(b.closing),
    );
    for m in made {
        out.push_str(&format!("{}  {}\r\n", m.sha256, m.name));
    }
    out.push_str("\r\nWhat each file is:\r\n");
    for m in made {
        out.push_str(&format!("- {}: {}\r\n", m.name, m.what));
    }
    if !made.iter().any(|m| m.name.ends_with(".pdf")) {
        out.push_str(
            "\r\nNo fee invoice yet: the month's invoice is issued on the 1st of the next month.\r\n",
        );
    }
    out
}

/// The ZIP of the made files and the README, in a temporary file, rewound.
fn zip(made: Vec<Made>, readme: String) -> Result<std::fs::File, String> {
    use std::io::{Seek, Write};
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;
    let err = |e: zip::result::ZipError| e.to_string();
    let out = export::tempfile_in_tmp()?;
    let mut z = zip::ZipWriter::new(out);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    z.start_file("README.txt", deflated).map_err(err)?;
    z.write_all(readme.as_bytes()).map_err(|e| e.to_string())?;
    for mut m in made {
        // An XLSX is a ZIP already: compressing it again only costs time.
        let options = if m.name.ends_with(".xlsx") {
            stored
        } else {
            deflated.large_file(m.file.metadata().map(|x| x.len()).unwrap_or(0) >= u32::MAX as u64)
        };
        z.start_file(m.name.as_str(), options).map_err(err)?;
        std::io::copy(&mut m.file, &mut z).map_err(|e| e.to_string())?;
    }
    let mut file = z.finish().map_err(err)?;
    file.seek(std::io::SeekFrom::Start(0))
        .map_err(|e| e.to_string())?;
    Ok(file)
}

/// Fee codes that carry VAT, in the statement's order.
const FEE_KINDS: [MovementKind; 8] = [
    MovementKind::TrxFee,
    MovementKind::TrxFeeFix,
    MovementKind::TrxFeeMin,
    MovementKind::ServiceFeeAccount,
    MovementKind::ServiceFeePlugin,
    MovementKind::ServiceFeeLogistics,
    MovementKind::ShipmentDeliveryFee,
    MovementKind::ChargebackFee,
];

/// A month's fees and their VAT, as the summary shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VatSummary {
    /// Per fee type: code, entries, net fee in cents (debits less credits).
    pub fees: Vec<(MovementKind, i64, i64)>,
    pub fees_cents: i64,
    /// The VAT movements posted with the fees.
    pub vat_cents: i64,
    /// The VAT rate in percent and the VAT due on the month's fees, rounded once.
    pub rate: Decimal,
    pub due_cents: i64,
    /// VAT corrections posted in the month (for the month before).
    pub corrections_cents: i64,
}

impl VatSummary {
    /// From the month's totals per type and the VAT rate in force.
    pub fn of(kinds: &[KindTotal], rate: Decimal) -> VatSummary {
        let net = |k: &KindTotal| k.debit.cents() - k.credit.cents();
        let of_kind = |kind: MovementKind| kinds.iter().find(|k| k.kind == kind.code());
        let fees: Vec<_> = FEE_KINDS
            .into_iter()
            .filter_map(|kind| of_kind(kind).map(|k| (kind, k.entries, net(k))))
            .collect();
        let fees_cents = fees.iter().map(|f| f.2).sum();
        let due = crate::domain::billing::vat_of(Money::from_cents(fees_cents), rate);
        VatSummary {
            fees,
            fees_cents,
            vat_cents: of_kind(MovementKind::Vat).map(net).unwrap_or(0),
            rate,
            due_cents: due.cents(),
            corrections_cents: of_kind(MovementKind::VatCorrection).map(net).unwrap_or(0),
        }
    }

    /// What the start of next month corrects: VAT due less VAT posted (positive: more VAT
    /// is deducted; negative: VAT is given back).
    pub fn difference_cents(&self) -> i64 {
        self.due_cents - self.vat_cents
    }

    /// The summary as CSV lines in the dialect.
    pub fn csv(&self, d: CsvDialect, month_label: &str) -> String {
        let sep = d.sep();
        let mut out = String::new();
        let line = |out: &mut String, cells: &[&str], cents: Option<i64>| {
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                csv_cell_between(out, c, sep);
            }
            if let Some(c) = cents {
                out.push(sep);
                d.push_money(out, c);
            }
            out.push_str("\r\n");
        };
        line(&mut out, &["VAT summary", month_label], None);
        out.push_str("\r\n");
        line(
            &mut out,
            &["Type code", "Type", "Entries", "Amount (EUR)"],
            None,
        );
        for (kind, entries, cents) in &self.fees {
            line(
                &mut out,
                &[kind.code(), kind.label(), &entries.to_string()],
                Some(*cents),
            );
        }
        line(&mut out, &["", "Fees", ""], Some(self.fees_cents));
        line(
            &mut out,
            &[MovementKind::Vat.code(), "VAT posted with the fees", ""],
            Some(self.vat_cents),
        );
        let rate = format!("{} % of the fees, rounded once", self.rate.normalize());
        line(&mut out, &["", &rate, ""], Some(self.due_cents));
        line(
            &mut out,
            &["", "Difference, corrected at the start of next month", ""],
            Some(self.difference_cents()),
        );
        line(
            &mut out,
            &[
                MovementKind::VatCorrection.code(),
                "VAT corrections posted this month (for the month before)",
                "",
            ],
            Some(self.corrections_cents),
        );
        out
    }
}

/// The month's payouts (`YYYY-MM`) as CSV lines in the dialect, oldest first.
async fn payouts_csv(
    state: &AppState,
    a: &ShopAccess,
    month: &str,
    d: CsvDialect,
) -> AppResult<String> {
    let rows: Vec<(i64, String, i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT id, payout_date, amount_cents, status, payments, iban, holder FROM payouts \
         WHERE shop_id = $1 AND payout_date LIKE $2 ORDER BY payout_date",
    )
    .bind(a.shop_id)
    .bind(format!("{month}-%"))
    .fetch_all(&state.db.pool)
    .await?;
    let sep = d.sep();
    let mut out = String::new();
    let cells = |out: &mut String, cells: &[&str]| {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(sep);
            }
            csv_cell_between(out, c, sep);
        }
    };
    cells(
        &mut out,
        &[
            "Day",
            "Payout ID",
            "Amount (EUR)",
            "Status",
            "Payments",
            "IBAN",
            "Account holder",
        ],
    );
    out.push_str("\r\n");
    let mut total = 0;
    for (id, day, cents, status, payments, iban, holder) in rows {
        cells(&mut out, &[&day, &id.to_string()]);
        out.push(sep);
        d.push_money(&mut out, cents);
        out.push(sep);
        cells(&mut out, &[&status, &payments.to_string(), &iban, &holder]);
        out.push_str("\r\n");
        total += cents;
    }
    cells(&mut out, &["Total", ""]);
    out.push(sep);
    d.push_money(&mut out, total);
    out.push_str("\r\n");
    Ok(out)
}

/// The month's VAT summary as CSV, from the statement's totals per type.
async fn vat_summary_csv(
    state: &AppState,
    a: &ShopAccess,
    filter: &StatementFilter,
    d: CsvDialect,
) -> AppResult<String> {
    let totals = statement::totals(state, a.shop_id, &a.time_zone, filter).await?;
    let c = statement::check(filter, &a.time_zone, state.clock.now_ms())?;
    let mut conn = state.db.pool.acquire().await?;
    let (_, list) =
        crate::server::ledger::price_lists::in_force(&mut conn, a.merchant_id, c.to_ms - 1).await?;
    Ok(VatSummary::of(&totals.kinds, list.vat_percent).csv(d, &c.label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(kind: MovementKind, entries: i64, debit: i64, credit: i64) -> KindTotal {
        KindTotal {
            kind: kind.code().into(),
            label: kind.label().into(),
            entries,
            debit: Money::from_cents(debit),
            credit: Money::from_cents(credit),
        }
    }

    #[test]
    fn the_summary_adds_fees_and_shows_the_correction_due() {
        // Three 50.00 payments: fees 3 × 1.55 = 4.65, VAT 3 × 0.31 = 0.93; 20 % of 4.65 is
        // 0.93 exactly: nothing to correct.
        let even = VatSummary::of(
            &[
                total(MovementKind::Income, 3, 0, 15_000),
                total(MovementKind::TrxFee, 3, 375, 0),
                total(MovementKind::TrxFeeFix, 3, 90, 0),
                total(MovementKind::Vat, 3, 93, 0),
            ],
            Decimal::from(20),
        );
        assert_eq!(even.fees_cents, 465);
        assert_eq!(even.due_cents, 93);
        assert_eq!(even.difference_cents(), 0);
        // Per-fee rounding that does not cancel: two fees of 0.03 carry VAT of 0.006 each,
        // posted as 0.01 each; 20 % of the 0.06 together is 0.012, rounded once 0.01, so the
        // month holds a cent too much. Last month's correction gave a cent back.
        let odd = VatSummary::of(
            &[
                total(MovementKind::TrxFee, 2, 6, 0),
                total(MovementKind::Vat, 2, 2, 0),
                total(MovementKind::VatCorrection, 1, 0, 1),
            ],
            Decimal::from(20),
        );
        assert_eq!(odd.fees_cents, 6);
        assert_eq!(odd.due_cents, 1);
        assert_eq!(odd.difference_cents(), -1);
        assert_eq!(odd.corrections_cents, -1);
        let csv = odd.csv(CsvDialect::Semicolon, "October 2026");
        assert!(csv.starts_with("VAT summary;October 2026\r\n"), "{csv}");
        assert!(
            csv.contains("TRX_FEE;Transaction fee (percentage);2;0,06\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains(";20 % of the fees, rounded once;;0,01\r\n"),
            "{csv}"
        );
        assert!(csv.contains(";Difference, corrected at the start of next month;;-0,01\r\n"));
    }
}
