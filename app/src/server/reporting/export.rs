//! Exports of everything a transactions filter matches, as CSV or XLSX, with the table's
//! columns and a header naming the shop, filter, time zone and export time; and the route
//! that also serves the account statement's camt.053 file (written in `statements::camt053`)
//! with the same access check and the same cap on exports at once.
//!
//! CSV streams: rows go from the database cursor to the response in 64 KiB chunks through a
//! bounded channel, so memory stays flat however many rows there are. XLSX is written by
//! `rust_xlsxwriter` in its constant-memory mode to a temporary file, then streamed.

use crate::domain::fees::Channel;
use crate::domain::tx_filter::{status_label, SortKey, TxFilter};
use crate::domain::{CsvDialect, Money, Permission};
use crate::error::AppError;
use crate::model::statement::StatementFilter;
use crate::server::identity::access::{self, ShopAccess};
use crate::server::identity::auth::{Auth, RequestMeta};
use crate::server::payouts::cover::Cover;
use crate::server::reporting::progress::Progress;
use crate::server::reporting::tx_list::{self, Checked, Row, COLUMNS};
use crate::server::statements::{camt053, pack, sheets, statement};
use crate::server::AppState;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use jiff::tz::TimeZone;

pub const HEADERS: [&str; 11] = [
    "Time",
    "Reference",
    "ID",
    "Buyer name",
    "Buyer e-mail",
    "Channel",
    "Amount (EUR)",
    "Fees + VAT (EUR)",
    "Net (EUR)",
    "Status",
    "Payout",
];

const CHUNK: usize = 64 * 1024;
/// The names of [`tx_list::COLUMNS`] in order, for messages about a value that cannot be read.
const COLUMN_NAMES: [&str; 11] = [
    "id",
    "created_at",
    "reference",
    "buyer_name",
    "buyer_email",
    "channel",
    "amount_cents",
    "fees_cents",
    "net_cents",
    "status",
    "paid_at",
];
/// An XLSX sheet holds 1,048,576 rows; the header takes six.
pub const XLSX_MAX_ROWS: usize = 1_048_576 - 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// What the export's header says.
#[derive(Clone, Debug)]
pub struct Header {
    pub shop: String,
    pub filter: String,
    pub time_zone: String,
    pub exported: String,
}

impl Header {
    fn lines(&self) -> [(&'static str, &str); 4] {
        [
            ("Shop", &self.shop),
            ("Filter", &self.filter),
            ("Time zone", &self.time_zone),
            ("Exported", &self.exported),
        ]
    }
}

/// A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe,
/// and cells with separators, quotes or line breaks are quoted.
pub fn csv_cell(out: &mut String, s: &str) {
    csv_cell_between(out, s, ',');
}

/// [`csv_cell`] for a file whose fields are separated by `sep` (`;` where the decimal
/// separator is a comma).
pub fn csv_cell_between(out: &mut String, s: &str, sep: char) {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = risky || s.contains([sep, '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if risky {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

fn time_in(ms: i64, tz: &TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// The cells of one row, as text (amounts with a dot and two decimals).
fn cells(r: &Row, tz: &TimeZone) -> [String; 11] {
    let paid = r.paid_at.is_some();
    [
        time_in(r.created_at, tz),
        r.reference.clone(),
        r.id.to_string(),
        r.buyer_name.clone().unwrap_or_default(),
        r.buyer_email.clone().unwrap_or_default(),
        Channel::label_of(&r.channel).to_string(),
        Money::from_cents(r.amount_cents).to_string(),
        if paid {
            Money::from_cents(r.fees_cents).to_string()
        } else {
            String::new()
        },
        if paid {
            Money::from_cents(r.net_cents).to_string()
        } else {
            String::new()
        },
        status_label(&r.status).to_string(),
        r.payout_id.map(|p| p.to_string()).unwrap_or_default(),
    ]
}

/// `YYYY-MM-DD HH:MM:SS` in the zone, written straight into `out`.
pub(crate) fn push_time(out: &mut String, ms: i64, tz: &TimeZone) {
    use std::fmt::Write;
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return;
    };
    let dt = tz.to_offset(ts).to_datetime(ts);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
}

/// A row's fields as borrowed from whichever driver read it.
pub struct RowRef<'a> {
    pub id: i64,
    pub created_at: i64,
    pub reference: &'a str,
    pub buyer_name: Option<&'a str>,
    pub buyer_email: Option<&'a str>,
    pub channel: &'a str,
    pub amount_cents: i64,
    pub fees_cents: i64,
    pub net_cents: i64,
    pub status: &'a str,
    pub payout_id: Option<i64>,
    pub paid: bool,
}

impl<'a> From<&'a Row> for RowRef<'a> {
    fn from(r: &'a Row) -> Self {
        RowRef {
            id: r.id,
            created_at: r.created_at,
            reference: &r.reference,
            buyer_name: r.buyer_name.as_deref(),
            buyer_email: r.buyer_email.as_deref(),
            channel: &r.channel,
            amount_cents: r.amount_cents,
            fees_cents: r.fees_cents,
            net_cents: r.net_cents,
            status: &r.status,
            payout_id: r.payout_id,
            paid: r.paid_at.is_some(),
        }
    }
}

/// One CSV line of a row in the dialect, written without intermediate strings.
pub fn csv_row(out: &mut String, r: &RowRef<'_>, tz: &TimeZone, d: CsvDialect) {
    use std::fmt::Write;
    let sep = d.sep();
    push_time(out, r.created_at, tz);
    out.push(sep);
    csv_cell_between(out, r.reference, sep);
    let _ = write!(out, "{sep}{}{sep}", r.id);
    csv_cell_between(out, r.buyer_name.unwrap_or(""), sep);
    out.push(sep);
    csv_cell_between(out, r.buyer_email.unwrap_or(""), sep);
    out.push(sep);
    csv_cell_between(out, Channel::label_of(r.channel), sep);
    out.push(sep);
    d.push_money(out, r.amount_cents);
    out.push(sep);
    if r.paid {
        d.push_money(out, r.fees_cents);
        out.push(sep);
        d.push_money(out, r.net_cents);
    } else {
        out.push(sep);
    }
    out.push(sep);
    csv_cell_between(out, status_label(r.status), sep);
    out.push(sep);
    if let Some(p) = r.payout_id {
        let _ = write!(out, "{p}");
    }
    out.push_str("\r\n");
}

/// One CSV line of text cells in the dialect.
pub fn csv_line(out: &mut String, values: &[String], d: CsvDialect) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(d.sep());
        }
        csv_cell_between(out, v, d.sep());
    }
    out.push_str("\r\n");
}

/// The header lines, a blank line and the column names.
pub fn csv_preamble(h: &Header, d: CsvDialect) -> String {
    let mut out = String::new();
    for (k, v) in h.lines() {
        csv_line(&mut out, &[k.to_string(), v.to_string()], d);
    }
    out.push_str("\r\n");
    csv_line(&mut out, &HEADERS.map(str::to_string), d);
    out
}

fn export_sql(c: &Checked, kind: crate::server::infra::db::DbKind) -> (String, tx_list::Where) {
    let w = tx_list::matching(c, kind);
    let key = match c.sort {
        SortKey::Time => "created_at",
        SortKey::Amount => "amount_cents",
    };
    let dir = if c.descending { "DESC" } else { "ASC" };
    (
        format!(
            "SELECT {COLUMNS} FROM transactions{} ORDER BY {key} {dir}, id {dir}",
            w.sql
        ),
        w,
    )
}

type Chunks = tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>;

/// How a CSV is written: its head, the zone of its times, its dialect, and whom to tell
/// how far it is.
struct CsvOut {
    header: Header,
    tz: TimeZone,
    d: CsvDialect,
    progress: Progress,
    /// The shop's payouts, to give each payment its payout.
    cover: Cover,
}

/// Streams the CSV into `tx` until the rows end or the client goes away. SQLite is read
/// through `rusqlite` on a blocking thread, borrowing each value from the statement instead
/// of copying rows across threads, as sqlx does (several times slower for a million rows);
/// PostgreSQL through a native sqlx connection, which decodes straight from the wire buffer.
async fn produce_csv(
    _permit: tokio::sync::OwnedSemaphorePermit,
    db: crate::server::infra::db::Db,
    c: Checked,
    out: CsvOut,
    tx: Chunks,
) {
    let (sql, w) = export_sql(&c, db.kind);
    match db.kind {
        crate::server::infra::db::DbKind::Sqlite => {
            let url = db.url.clone();
            let done = tokio::task::spawn_blocking(move || {
                sqlite_csv(&url, &sql, &w.binds, &out, &tx).map_err(|e| (e, tx))
            })
            .await;
            match done {
                Ok(Ok(())) => {}
                Ok(Err((e, tx))) => {
                    tracing::error!(error = %e, "export failed while reading rows");
                    let _ = tx
                        .send(Err(std::io::Error::other("the export stopped")))
                        .await;
                }
                Err(e) => tracing::error!(error = %e, "export thread failed"),
            }
        }
        crate::server::infra::db::DbKind::Postgres => {
            use sqlx::Connection;
            match sqlx::PgConnection::connect(&db.url).await {
                Ok(mut conn) => {
                    let q = w.bind(sqlx::query_as::<sqlx::Postgres, Row>(&sql));
                    write_csv(q.fetch(&mut conn), &out, tx).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "no native connection for the export");
                    let rows = w.bind(sqlx::query_as::<_, Row>(&sql)).fetch(&db.pool);
                    write_csv(rows, &out, tx).await;
                }
            }
        }
    }
}

fn sqlite_csv(
    url: &str,
    sql: &str,
    binds: &[tx_list::Bind],
    out: &CsvOut,
    tx: &Chunks,
) -> Result<(), String> {
    let CsvOut {
        header,
        tz,
        d,
        progress,
        cover,
    } = out;
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        crate::server::infra::db::sqlite_path(url),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    let mut rows = stmt
        .query(tx_list::sqlite_params(binds))
        .map_err(|e| e.to_string())?;
    let mut buf = csv_preamble(header, *d);
    while let Some(r) = rows.next().map_err(|e| e.to_string())? {
        // A value of the wrong type (SQLite stores what it is given) stops the export: a
        // financial file with a silent 0.00 in it is worse than no file.
        let value = |i: usize| {
            r.get_ref(i)
                .map_err(|e| format!("column {} of a payment: {e}", COLUMN_NAMES[i]))
        };
        let bad = |i: usize, e: rusqlite::types::FromSqlError| {
            let id = r.get_ref(0).ok().and_then(|v| v.as_i64().ok());
            format!(
                "column {} of payment {} cannot be read: {e}",
                COLUMN_NAMES[i],
                id.map_or_else(|| "?".to_string(), |id| id.to_string())
            )
        };
        let s = |i: usize| value(i)?.as_str_or_null().map_err(|e| bad(i, e));
        let n = |i: usize| value(i)?.as_i64_or_null().map_err(|e| bad(i, e));
        let missing = |i: usize| format!("column {} of a payment is empty", COLUMN_NAMES[i]);
        let channel = s(5)?.ok_or_else(|| missing(5))?;
        let paid_at = n(10)?;
        let row = RowRef {
            id: n(0)?.ok_or_else(|| missing(0))?,
            created_at: n(1)?.ok_or_else(|| missing(1))?,
            reference: s(2)?.ok_or_else(|| missing(2))?,
            buyer_name: s(3)?,
            buyer_email: s(4)?,
            channel,
            amount_cents: n(6)?.ok_or_else(|| missing(6))?,
            fees_cents: n(7)?.ok_or_else(|| missing(7))?,
            net_cents: n(8)?.ok_or_else(|| missing(8))?,
            status: s(9)?.ok_or_else(|| missing(9))?,
            payout_id: cover.payout_of(channel, paid_at),
            paid: paid_at.is_some(),
        };
        csv_row(&mut buf, &row, tz, *d);
        progress.rows(1);
        if buf.len() >= CHUNK {
            let chunk = Bytes::from(std::mem::take(&mut buf));
            if tx.blocking_send(Ok(chunk)).is_err() {
                return Ok(());
            }
            buf.reserve(CHUNK + 1024);
        }
    }
    if !buf.is_empty() {
        let _ = tx.blocking_send(Ok(Bytes::from(buf)));
    }
    Ok(())
}

async fn write_csv<S>(mut rows: S, out: &CsvOut, tx: Chunks)
where
    S: futures_util::Stream<Item = Result<Row, sqlx::Error>> + Unpin,
{
    let CsvOut {
        header,
        tz,
        d,
        progress,
        cover,
    } = out;
    let mut buf = csv_preamble(header, *d);
    while let Some(row) = rows.next().await {
        match row {
            Ok(mut r) => {
                r.payout_id = cover.payout_of(&r.channel, r.paid_at);
                csv_row(&mut buf, &RowRef::from(&r), tz, *d);
                progress.rows(1);
                if buf.len() >= CHUNK {
                    let chunk = Bytes::from(std::mem::take(&mut buf));
                    if tx.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                    buf.reserve(CHUNK + 1024);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "export failed while reading rows");
                let _ = tx
                    .send(Err(std::io::Error::other("the export stopped")))
                    .await;
                return;
            }
        }
    }
    if !buf.is_empty() {
        let _ = tx.send(Ok(Bytes::from(buf))).await;
    }
}

/// Writes the XLSX to a temporary file and returns it, open for reading.
async fn produce_xlsx(
    pool: sqlx::AnyPool,
    c: Checked,
    header: Header,
    tz: TimeZone,
    progress: Progress,
    cover: Cover,
) -> Result<tokio::fs::File, AppError> {
    use rust_xlsxwriter::{Format as Fmt, Workbook};
    let (sql, w) = export_sql(&c, crate::server::infra::db::DbKind::of_pool(&pool));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Row>>(4);
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, String> {
        let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
        let mut book = Workbook::new();
        // The fastest deflate: a few more bytes, far less time for a million rows.
        book.set_zip_compression_level(1);
        let sheet = book.add_worksheet_with_constant_memory().map_err(err)?;
        sheet.set_name("Transactions").map_err(err)?;
        let bold = Fmt::new().set_bold();
        let money = Fmt::new().set_num_format("0.00");
        for (i, (k, v)) in header.lines().into_iter().enumerate() {
            sheet
                .write_string_with_format(i as u32, 0, k, &bold)
                .map_err(err)?;
            sheet.write_string(i as u32, 1, v).map_err(err)?;
        }
        for (col, h) in HEADERS.iter().enumerate() {
            sheet
                .write_string_with_format(5, col as u16, *h, &bold)
                .map_err(err)?;
        }
        for (col, width) in [19, 18, 21, 22, 28, 16, 13, 16, 13, 16, 21]
            .into_iter()
            .enumerate()
        {
            sheet.set_column_width(col as u16, width).map_err(err)?;
        }
        let mut row = 6u32;
        while let Some(batch) = rx.blocking_recv() {
            for r in batch {
                if row as usize >= XLSX_MAX_ROWS + 6 {
                    return Err("too many rows".into());
                }
                let v = cells(&r, &tz);
                for (col, text) in v.iter().enumerate() {
                    let col16 = col as u16;
                    match col {
                        6..=8 if !text.is_empty() => {
                            let cents = match col {
                                6 => r.amount_cents,
                                7 => r.fees_cents,
                                _ => r.net_cents,
                            };
                            sheet
                                .write_number_with_format(row, col16, cents as f64 / 100.0, &money)
                                .map_err(err)?;
                        }
                        _ if text.is_empty() => {}
                        _ => {
                            sheet.write_string(row, col16, text).map_err(err)?;
                        }
                    }
                }
                row += 1;
            }
        }
        let file = tempfile_in_tmp()?;
        book.save_to_writer(&file).map_err(err)?;
        Ok(file)
    });
    let mut rows = w.bind(sqlx::query_as::<_, Row>(&sql)).fetch(&pool);
    let mut batch = Vec::with_capacity(1_000);
    let mut count = 0usize;
    while let Some(r) = rows.next().await {
        let mut r = r?;
        r.payout_id = cover.payout_of(&r.channel, r.paid_at);
        batch.push(r);
        count += 1;
        if count > XLSX_MAX_ROWS {
            return Err(AppError::Conflict(format!(
                "A spreadsheet holds at most {XLSX_MAX_ROWS} rows. Narrow the filter or export CSV."
            )));
        }
        if batch.len() == 1_000 {
            progress.rows(1_000);
            if tx.send(std::mem::take(&mut batch)).await.is_err() {
                break;
            }
        }
    }
    if !batch.is_empty() {
        progress.rows(batch.len() as u64);
        let _ = tx.send(batch).await;
    }
    drop(tx);
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

/// An anonymous temporary file (removed by the system once closed).
pub(crate) fn tempfile_in_tmp() -> Result<std::fs::File, String> {
    let path = std::env::temp_dir().join(format!(
        "portal-export-{:016x}.xlsx",
        crate::server::new_id()
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| e.to_string())?;
    // Unlinked at once: the open handle keeps the data until the response has been sent.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

pub(crate) fn error_response(e: AppError) -> Response {
    let status = e.status();
    let text = match &e {
        AppError::Validation(f) => {
            let mut parts: Vec<String> = f.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            parts.sort();
            format!("Fix the filter: {}", parts.join(" "))
        }
        other => other.to_string(),
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Seconds a refused export is asked to wait before trying again.
pub const BUSY_RETRY_SECS: u64 = 10;

/// 429 with `Retry-After`: the most exports at once are running.
fn busy_response() -> Response {
    (
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (header::RETRY_AFTER, BUSY_RETRY_SECS.to_string()),
        ],
        format!(
            "The portal is busy with other exports right now. Try again in {BUSY_RETRY_SECS} seconds."
        ),
    )
        .into_response()
}

/// What a download is: the transactions a filter matches, or the account statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum File {
    Transactions(Format),
    Statement,
    StatementSheet(Format),
    MonthClose,
    /// A fee invoice or credit note of the shop, as PDF.
    Invoice(i64),
    /// Not a file: how far one of the user's downloads is.
    Progress,
}

/// The query string read into the page's filter, or the 400 for a link that does not parse.
fn query<T: serde::de::DeserializeOwned>(uri: &axum::http::Uri) -> Result<T, Box<Response>> {
    axum::extract::Query::<T>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| {
            Box::new(
                (
                    axum::http::StatusCode::BAD_REQUEST,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    format!("This download link is broken ({e}): download again from the page."),
                )
                    .into_response(),
            )
        })
}

/// A permit to run one more export, or the 429 that asks to come back later.
pub(crate) fn permit(
    state: &AppState,
    shop: &str,
) -> Result<tokio::sync::OwnedSemaphorePermit, Box<Response>> {
    state.exports.clone().try_acquire_owned().map_err(|_| {
        tracing::warn!(shop = %shop, "export refused: the most exports at once are running");
        Box::new(busy_response())
    })
}

/// A response body fed by a producer through `rx`, chunk by chunk.
pub(crate) fn streamed(rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>) -> Body {
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// `GET /shops/{shop}/exports/{file}`: `transactions.csv` and `transactions.xlsx` with the
/// transactions page's query string; `statement.xml` (camt.053), `statement.csv` (with
/// `dialect`) and `statement.xlsx` with the statement page's; `invoice-<id>.pdf`, a fee
/// invoice or credit note of the shop.
/// One access check, and one cap on exports running at once, for every file.
pub async fn handle(
    state: AppState,
    shop: String,
    file: String,
    uri: axum::http::Uri,
    auth: Auth,
    meta: RequestMeta,
) -> Response {
    let file = match file.as_str() {
        "progress" => File::Progress,
        "transactions.csv" => File::Transactions(Format::Csv),
        "transactions.xlsx" => File::Transactions(Format::Xlsx),
        "statement.xml" => File::Statement,
        "statement.csv" => File::StatementSheet(Format::Csv),
        "statement.xlsx" => File::StatementSheet(Format::Xlsx),
        "month-close.zip" => File::MonthClose,
        other => match other
            .strip_prefix("invoice-")
            .and_then(|f| f.strip_suffix(".pdf"))
            .and_then(|id| id.parse().ok())
        {
            Some(id) => File::Invoice(id),
            None => return error_response(AppError::NotFound),
        },
    };
    let Some(user) = auth.0 else {
        return error_response(AppError::Unauthenticated);
    };
    let a = match access::shop_access(&state, user, meta.ip, &shop).await {
        Ok(a) if a.role.allows(Permission::ViewInfo) => a,
        Ok(_) => return error_response(AppError::Forbidden),
        Err(e) => return error_response(e),
    };
    let extras = match query::<Extras>(&uri) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if file == File::Progress {
        let p = state.export_progress.get(a.user.id, &extras.token);
        return ([(header::CACHE_CONTROL, "no-store")], axum::Json(p)).into_response();
    }
    let progress = state
        .export_progress
        .start(a.user.id, &extras.progress, state.clock.now_ms());
    let response = serve(state, a, file, &uri, &extras, progress.clone()).await;
    tracked(response, progress).await
}

/// The file, made.
async fn serve(
    state: AppState,
    a: ShopAccess,
    file: File,
    uri: &axum::http::Uri,
    extras: &Extras,
    progress: Progress,
) -> Response {
    let dialect = match dialect_for(&state, &a, &extras.dialect).await {
        Ok(d) => d,
        Err(e) => return error_response(e),
    };
    let uri = uri.clone();
    match file {
        File::Progress => error_response(AppError::NotFound),
        File::Transactions(format) => match query::<TxFilter>(&uri) {
            Ok(filter) => transactions(state, a, format, filter, dialect, progress).await,
            Err(r) => *r,
        },
        File::Statement => match query::<StatementFilter>(&uri) {
            Ok(filter) => statement_xml(state, a, filter, progress).await,
            Err(r) => *r,
        },
        File::StatementSheet(format) => match query::<StatementFilter>(&uri) {
            Ok(filter) => sheets::download(state, a, format, filter, dialect, progress).await,
            Err(r) => *r,
        },
        File::MonthClose => match query::<pack::PackQuery>(&uri) {
            Ok(q) => pack::download(state, a, q, dialect, progress).await,
            Err(r) => *r,
        },
        File::Invoice(id) => {
            let made = crate::server::billing::invoices::pdf(
                &state,
                a.shop_id,
                a.merchant_id,
                &format!("{} ({})", a.shop_name, a.shop_slug),
                id,
            )
            .await;
            match made {
                Ok((name, bytes)) => (
                    [
                        (header::CONTENT_TYPE, "application/pdf".to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{name}\""),
                        ),
                        (header::CACHE_CONTROL, "no-store".to_string()),
                    ],
                    bytes,
                )
                    .into_response(),
                Err(e) => error_response(e),
            }
        }
    }
}

/// What a download link may carry besides its page's filter.
#[derive(Debug, Default, serde::Deserialize)]
struct Extras {
    /// The CSV dialect chosen with this download (`comma` or `semicolon`); empty for the
    /// user's last choice.
    #[serde(default)]
    dialect: String,
    /// A token the page made to ask how far this download is (see `reporting::progress`).
    #[serde(default)]
    progress: String,
    /// The download a progress question is about.
    #[serde(default)]
    token: String,
}

/// The response with its sending counted for the download's tracker: bytes as they go,
/// done at the end; a refusal's text becomes the tracker's message, for the page to show.
async fn tracked(response: Response, p: Progress) -> Response {
    let (parts, body) = response.into_parts();
    if !parts.status.is_success() {
        let text = axum::body::to_bytes(body, 64 * 1024)
            .await
            .unwrap_or_default();
        p.failed(String::from_utf8_lossy(&text).trim());
        return Response::from_parts(parts, Body::from(text));
    }
    // A client that knows the length stops reading at its last byte: the end is then the
    // last byte, not the end of the stream.
    let length: Option<u64> = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let chunks = body.into_data_stream();
    let body = Body::from_stream(futures_util::stream::unfold(
        (chunks, p, 0u64),
        move |(mut chunks, p, sent)| async move {
            match chunks.next().await {
                Some(Ok(b)) => {
                    let sent = sent + b.len() as u64;
                    p.sent(b.len() as u64);
                    if length == Some(sent) {
                        p.done();
                    }
                    Some((Ok(b), (chunks, p, sent)))
                }
                Some(Err(e)) => {
                    p.failed(
                        "The download stopped. Try again; if it stops again, tell the provider.",
                    );
                    Some((Err(e), (chunks, p, sent)))
                }
                None => {
                    p.done();
                    None
                }
            }
        },
    ));
    Response::from_parts(parts, body)
}

/// The dialect a download asks for, remembered as the user's choice when it differs from
/// the last one; the last one when the download names none.
async fn dialect_for(
    state: &AppState,
    a: &ShopAccess,
    asked: &str,
) -> Result<CsvDialect, AppError> {
    if asked.trim().is_empty() {
        return Ok(a.user.csv_dialect);
    }
    let Some(d) = CsvDialect::parse(asked) else {
        let mut f = crate::domain::FieldErrors::default();
        f.add("dialect", "Choose comma or semicolon.");
        return Err(AppError::Validation(f));
    };
    if d != a.user.csv_dialect {
        crate::server::identity::users::set_csv_dialect(state, a.user.id, d).await?;
    }
    Ok(d)
}

/// The account statement of the filter's period as camt.053.001.02, streamed.
pub(crate) async fn statement_xml(
    state: AppState,
    a: ShopAccess,
    filter: StatementFilter,
    progress: Progress,
) -> Response {
    let now = state.clock.now_ms();
    let c = match statement::check(&filter.first_page(), &a.time_zone, now) {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    let permit = match permit(&state, &a.shop_slug) {
        Ok(p) => p,
        Err(busy) => return *busy,
    };
    let mut job = match camt053::prepare(&state, &a, c, now).await {
        Ok(job) => job,
        Err(e) => return error_response(e),
    };
    let t = &job.head.totals;
    progress.expect(u64::try_from(t.credits + t.debits).ok());
    job.progress = progress;
    let disposition = format!("attachment; filename=\"{}\"", job.file_name);
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(camt053::produce(permit, job, tx));
    (
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        streamed(rx),
    )
        .into_response()
}

/// The transactions the filter matches, as CSV (streamed) or XLSX (written, then sent).
async fn transactions(
    state: AppState,
    a: ShopAccess,
    format: Format,
    filter: TxFilter,
    dialect: CsvDialect,
    progress: Progress,
) -> Response {
    let now = state.clock.now_ms();
    let checked = match tx_list::check(&filter.first_page(), a.shop_id, &a.time_zone, now) {
        Ok(c) => c.in_mode(a.user.test_data),
        Err(e) => return error_response(e),
    };
    let link = match tx_list::link_reference(&state.db.pool, &checked).await {
        Ok(l) => l,
        Err(e) => return error_response(e),
    };
    let tz = TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC);
    let header = Header {
        shop: format!("{} ({})", a.shop_name, a.merchant_name),
        filter: filter.describe(link.as_deref()),
        time_zone: a.time_zone.clone(),
        exported: time_in(now, &tz),
    };
    let stamp = jiff::Timestamp::from_millisecond(now)
        .map(|t| t.to_zoned(tz.clone()).strftime("%Y%m%d-%H%M").to_string())
        .unwrap_or_default();
    let ext = if format == Format::Csv { "csv" } else { "xlsx" };
    let disposition = format!(
        "attachment; filename=\"transactions-{}-{stamp}.{ext}\"",
        a.shop_slug
    );
    let permit = match permit(&state, &a.shop_slug) {
        Ok(p) => p,
        Err(busy) => return *busy,
    };
    // Test payments are never paid out.
    let cover = if checked.test_mode {
        Cover::default()
    } else {
        match Cover::load(&state.db.pool, a.shop_id).await {
            Ok(c) => c,
            Err(e) => return error_response(e),
        }
    };
    match format {
        Format::Csv => {
            let (tx, rx) = tokio::sync::mpsc::channel(8);
            tokio::spawn(produce_csv(
                permit,
                state.db.clone(),
                checked,
                CsvOut {
                    header,
                    tz,
                    d: dialect,
                    progress,
                    cover,
                },
                tx,
            ));
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                streamed(rx),
            )
                .into_response()
        }
        Format::Xlsx => {
            match produce_xlsx(state.db.pool.clone(), checked, header, tz, progress, cover).await {
                Ok(file) => {
                    // The file is written: sending it needs no database.
                    drop(permit);
                    xlsx_response(file, disposition).await
                }
                Err(e) => error_response(e),
            }
        }
    }
}

/// A written XLSX file as the response, read from disk in chunks.
pub(crate) async fn xlsx_response(file: tokio::fs::File, disposition: String) -> Response {
    file_response(
        file,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        disposition,
    )
    .await
}

/// A written file as the response, read from disk in chunks, with its length.
pub(crate) async fn file_response(
    file: tokio::fs::File,
    content_type: &'static str,
    disposition: String,
) -> Response {
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let stream = futures_util::stream::unfold(file, |mut f| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; CHUNK];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    });
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        let mut out = String::new();
        csv_cell(&mut out, s);
        out
    }

    #[test]
    fn formulas_are_defused_and_separators_quoted() {
        assert_eq!(cell("Order 17"), "Order 17");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+372 5555"), "\"'+372 5555\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    fn sample() -> Row {
        Row {
            id: 42,
            created_at: 1_780_000_000_000,
            reference: "=cmd".into(),
            buyer_name: Some("Mari, Maasikas".into()),
            buyer_email: None,
            channel: "seb".into(),
            amount_cents: 5_000,
            fees_cents: 186,
            net_cents: 4_814,
            status: "approved".into(),
            payout_id: Some(7),
            paid_at: Some(1_780_000_060_000),
        }
    }

    #[test]
    fn a_row_is_written_as_its_cells() {
        let tz = TimeZone::get("Europe/Tallinn").unwrap();
        let open = Row {
            paid_at: None,
            payout_id: None,
            status: "cancelled".into(),
            ..sample()
        };
        for r in [sample(), open] {
            let (mut a, mut b) = (String::new(), String::new());
            csv_row(&mut a, &RowRef::from(&r), &tz, CsvDialect::Comma);
            csv_line(&mut b, &cells(&r, &tz), CsvDialect::Comma);
            assert_eq!(a, b);
        }
        let mut a = String::new();
        csv_row(&mut a, &RowRef::from(&sample()), &tz, CsvDialect::Comma);
        assert_eq!(
            a,
            "2026-05-28 23:26:40,\"'=cmd\",42,\"Mari, Maasikas\",,SEB,50.00,1.86,48.14,Paid,7\r\n"
        );
        let mut b = String::new();
        csv_row(&mut b, &RowRef::from(&sample()), &tz, CsvDialect::Semicolon);
        assert_eq!(
            b,
            "2026-05-28 23:26:40;\"'=cmd\";42;Mari, Maasikas;;SEB;50,00;1,86;48,14;Paid;7\r\n"
        );
    }

    #[test]
    fn the_preamble_names_shop_filter_zone_and_time() {
        let p = csv_preamble(
            &Header {
                shop: "Shop A (Test Merchant)".into(),
                filter: "status Paid, search \"x\"".into(),
                time_zone: "Europe/Tallinn".into(),
                exported: "2026-11-24 12:00:00".into(),
            },
            CsvDialect::Comma,
        );
        let lines: Vec<_> = p.split("\r\n").collect();
        assert_eq!(lines[0], "Shop,Shop A (Test Merchant)");
        assert_eq!(lines[1], "Filter,\"status Paid, search \"\"x\"\"\"");
        assert_eq!(lines[2], "Time zone,Europe/Tallinn");
        assert!(lines[3].starts_with("Exported,2026-11-24"));
        assert_eq!(lines[4], "");
        assert!(lines[5].starts_with("Time,Reference,ID,"));
    }
}
