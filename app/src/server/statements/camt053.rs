//! The account statement as an ISO 20022 camt.053.001.02 file (`BkToCstmrStmt`), the format
//! banks use for account statements, so an accountant's software can import the shop's
//! account with the provider like any bank account.
//!
//! One message, one `Stmt` for the shop and period: the opening and closing booked balances
//! (`OPBD`, `CLBD`), the totals per direction (`TxsSummry`) and one `Ntry` per movement in
//! posting order. The totals come first in the schema, so they are one aggregate query run
//! before the entries; the entries are then read 5,000 at a time by posting number and
//! written to the response as they come, so a period of a million movements never sits
//! whole in memory.
//!
//! The document is written with `quick-xml` rather than by pasting strings: it escapes every
//! text and attribute, closes what it opens, and costs one small crate (`memchr`, which the
//! workspace already had, is its only dependency). What the schema restricts beyond XML
//! (lengths such as `Max35Text`, characters XML cannot carry) is handled by [`text`]: a text
//! that does not fit is shortened or replaced, never written invalid.

use crate::error::{AppError, AppResult};
use crate::server::identity::access::ShopAccess;
use crate::server::statements::statement::{self, Bounds, Checked, Directions, Movement};
use crate::server::AppState;
use axum::body::Bytes;
use jiff::tz::TimeZone;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::{self, Write};

pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02";
/// `EndToEndId` of a movement without a payment reference (fees of the month, payouts), as
/// SEPA writes it.
pub const NOT_PROVIDED: &str = "NOTPROVIDED";
/// The account's and every amount's currency.
pub const CURRENCY: &str = "EUR";
/// Movements read per query.
pub const BATCH: i64 = 5_000;
/// Bytes gathered before a chunk goes to the response.
const CHUNK: usize = 64 * 1024;
/// `ActiveOrHistoricCurrencyAndAmount` and `DecimalNumber` allow 18 digits in all.
const MAX_CENTS: u64 = 999_999_999_999_999_999;

/// A text as the schema accepts it, at most `max` characters (`Max35Text` → 35): characters
/// that XML 1.0 cannot carry and other control characters become spaces, runs of
/// whitespace one space, and the ends are trimmed. `None` when nothing is left (the schema's
/// texts have at least one character): the caller writes its fallback or leaves the
/// element out. Markup characters stay; the writer escapes them.
pub fn text(s: &str, max: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(max * 4));
    let mut n = 0;
    let mut gap = false;
    for ch in s.chars() {
        if ch.is_whitespace() || ch.is_control() || matches!(ch, '\u{FFFE}' | '\u{FFFF}') {
            gap = !out.is_empty();
            continue;
        }
        let needed = if gap { 2 } else { 1 };
        if n + needed > max {
            break;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(ch);
        n += needed;
    }
    (!out.is_empty()).then_some(out)
}

/// An amount as the schema writes it: positive, a dot and two decimals (`-12.5` EUR → `12.50`).
pub fn amount(cents: i64) -> io::Result<String> {
    let a = cents.unsigned_abs();
    if a > MAX_CENTS {
        return Err(io::Error::other(format!(
            "{cents} cents do not fit an ISO 20022 amount"
        )));
    }
    Ok(format!("{}.{:02}", a / 100, a % 100))
}

/// `CRDT` for money in (and a balance of zero or more), `DBIT` for money out and a negative
/// balance, whose `Amt` is then the positive amount.
pub fn direction(cents: i64) -> &'static str {
    if cents < 0 {
        "DBIT"
    } else {
        "CRDT"
    }
}

/// The shop's account number with the provider, `Acct/Id/Othr/Id`: `PSP`, two check digits
/// and the shop's id in base 36 (13 characters). It is derived from the shop's id, which
/// never changes (unlike its name or domain), so it is stable and unique per shop; the check
/// digits are computed as an IBAN's (ISO 7064 MOD 97-10), so a mistyped number is noticed.
pub fn account_id(shop_id: i64) -> String {
    let body = format!("{:0>13}", base36(shop_id.unsigned_abs()));
    let check = 98 - mod97(&format!("{body}PSP00"));
    format!("PSP{check:02}{body}")
}

/// Whether `id` is an account number with correct check digits.
pub fn account_id_is_valid(id: &str) -> bool {
    id.len() == 18
        && id.starts_with("PSP")
        && id.is_ascii()
        && mod97(&format!("{}{}", &id[5..], &id[..5])) == 1
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The remainder by 97 of the number an IBAN-style string stands for (A = 10 … Z = 35).
fn mod97(s: &str) -> u32 {
    s.chars().fold(0u32, |r, c| match c.to_digit(36) {
        Some(d) if d >= 10 => (r * 100 + d) % 97,
        Some(d) => (r * 10 + d) % 97,
        None => r,
    })
}

/// The statement's id, stable for the shop and period: `<shop in base 36>-<first>-<last>`.
pub fn statement_id(shop_id: i64, c: &Checked) -> String {
    let day = |d: jiff::civil::Date| d.strftime("%Y%m%d").to_string();
    format!(
        "{}-{}-{}",
        base36(shop_id.unsigned_abs()),
        day(c.first_day),
        day(c.last_day)
    )
}

/// Entry counts and sums per direction (sums in cents, positive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub credits: i64,
    pub credit_cents: i64,
    pub debits: i64,
    pub debit_cents: i64,
}

impl Totals {
    pub fn add(&mut self, cents: i64) {
        if cents < 0 {
            self.debits += 1;
            self.debit_cents += -cents;
        } else {
            self.credits += 1;
            self.credit_cents += cents;
        }
    }
}

impl From<Directions> for Totals {
    fn from(d: Directions) -> Self {
        Totals {
            credits: d.credits,
            credit_cents: d.credit_cents,
            debits: d.debits,
            debit_cents: d.debit_cents,
        }
    }
}

/// Everything the file says before its entries.
#[derive(Clone, Debug)]
pub struct Head {
    /// Unique per file (`GrpHdr/MsgId`).
    pub message_id: String,
    /// When the file was made, `YYYY-MM-DDTHH:MM:SS+HH:MM` in the shop's zone.
    pub created: String,
    pub statement_id: String,
    /// `ElctrncSeqNb`: the period's first day as `YYYYMMDD`, stable and increasing from one
    /// period to the next.
    pub sequence: i64,
    /// The period's first and last instant, as `created`.
    pub from: String,
    pub to: String,
    /// `YYYY-MM-DD`: the dates of the opening and the closing balance.
    pub first_day: String,
    pub last_day: String,
    pub account: String,
    pub shop_name: String,
    pub owner: String,
    pub opening: i64,
    pub closing: i64,
    pub totals: Totals,
    /// `AddtlStmtInf`, e.g. that a filter left movements out.
    pub note: Option<String>,
}

/// One movement as an entry.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    /// The movement's id: `AcctSvcrRef`, unique and stable.
    pub id: i64,
    pub amount_cents: i64,
    /// The movement type's code (`INCOME`, `TRX_FEE`, …).
    pub kind: &'a str,
    /// The booking (and value) date, `YYYY-MM-DD` in the shop's zone.
    pub day: String,
    /// The shop's reference of the payment the movement belongs to.
    pub reference: Option<&'a str>,
    pub transaction_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub payout_id: Option<i64>,
}

/// The entry's `Ustrd`: the type's code and label, and the refund or payout it belongs to.
pub fn remittance(e: &Entry<'_>) -> String {
    let label = crate::domain::ledger::MovementKind::parse(e.kind)
        .map(|k| k.label())
        .unwrap_or("");
    let mut s = format!("{} {label}", e.kind);
    if let Some(r) = e.refund_id {
        s.push_str(&format!(", refund {r}"));
    }
    if let Some(p) = e.payout_id {
        s.push_str(&format!(", payout {p}"));
    }
    text(&s, 140).unwrap_or_else(|| NOT_PROVIDED.to_string())
}

fn leaf<W: Write>(w: &mut Writer<W>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn start<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))
}

fn end<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn money<W: Write>(w: &mut Writer<W>, cents: i64) -> io::Result<()> {
    w.create_element("Amt")
        .with_attribute(("Ccy", CURRENCY))
        .write_text_content(BytesText::new(&amount(cents)?))?;
    Ok(())
}

fn balance<W: Write>(w: &mut Writer<W>, code: &str, cents: i64, day: &str) -> io::Result<()> {
    start(w, "Bal")?;
    start(w, "Tp")?;
    start(w, "CdOrPrtry")?;
    leaf(w, "Cd", code)?;
    end(w, "CdOrPrtry")?;
    end(w, "Tp")?;
    money(w, cents)?;
    leaf(w, "CdtDbtInd", direction(cents))?;
    start(w, "Dt")?;
    leaf(w, "Dt", day)?;
    end(w, "Dt")?;
    end(w, "Bal")
}

fn count_and_sum<W: Write>(w: &mut Writer<W>, name: &str, n: i64, cents: i64) -> io::Result<()> {
    start(w, name)?;
    leaf(w, "NbOfNtries", &n.to_string())?;
    leaf(w, "Sum", &amount(cents)?)?;
    end(w, name)
}

/// The XML declaration and everything up to the first entry.
pub fn open<W: Write>(w: &mut Writer<W>, h: &Head) -> io::Result<()> {
    let or =
        |s: &str, max: usize, fallback: &str| text(s, max).unwrap_or_else(|| fallback.to_string());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(
        BytesStart::new("Document").with_attributes([("xmlns", NAMESPACE)]),
    ))?;
    start(w, "BkToCstmrStmt")?;
    start(w, "GrpHdr")?;
    leaf(w, "MsgId", &or(&h.message_id, 35, NOT_PROVIDED))?;
    leaf(w, "CreDtTm", &h.created)?;
    end(w, "GrpHdr")?;
    start(w, "Stmt")?;
    leaf(w, "Id", &or(&h.statement_id, 35, NOT_PROVIDED))?;
    leaf(w, "ElctrncSeqNb", &h.sequence.to_string())?;
    leaf(w, "CreDtTm", &h.created)?;
    start(w, "FrToDt")?;
    leaf(w, "FrDtTm", &h.from)?;
    leaf(w, "ToDtTm", &h.to)?;
    end(w, "FrToDt")?;
    start(w, "Acct")?;
    start(w, "Id")?;
    start(w, "Othr")?;
    leaf(w, "Id", &or(&h.account, 34, NOT_PROVIDED))?;
    end(w, "Othr")?;
    end(w, "Id")?;
    leaf(w, "Ccy", CURRENCY)?;
    if let Some(name) = text(&h.shop_name, 70) {
        leaf(w, "Nm", &name)?;
    }
    if let Some(owner) = text(&h.owner, 140) {
        start(w, "Ownr")?;
        leaf(w, "Nm", &owner)?;
        end(w, "Ownr")?;
    }
    end(w, "Acct")?;
    balance(w, "OPBD", h.opening, &h.first_day)?;
    balance(w, "CLBD", h.closing, &h.last_day)?;
    let t = h.totals;
    let net = t.credit_cents - t.debit_cents;
    start(w, "TxsSummry")?;
    start(w, "TtlNtries")?;
    leaf(w, "NbOfNtries", &(t.credits + t.debits).to_string())?;
    leaf(w, "Sum", &amount(t.credit_cents + t.debit_cents)?)?;
    leaf(w, "TtlNetNtryAmt", &amount(net)?)?;
    leaf(w, "CdtDbtInd", direction(net))?;
    end(w, "TtlNtries")?;
    count_and_sum(w, "TtlCdtNtries", t.credits, t.credit_cents)?;
    count_and_sum(w, "TtlDbtNtries", t.debits, t.debit_cents)?;
    end(w, "TxsSummry")
}

/// One `Ntry`.
pub fn entry<W: Write>(w: &mut Writer<W>, e: &Entry<'_>) -> io::Result<()> {
    start(w, "Ntry")?;
    money(w, e.amount_cents)?;
    leaf(w, "CdtDbtInd", direction(e.amount_cents))?;
    leaf(w, "Sts", "BOOK")?;
    for name in ["BookgDt", "ValDt"] {
        start(w, name)?;
        leaf(w, "Dt", &e.day)?;
        end(w, name)?;
    }
    leaf(w, "AcctSvcrRef", &e.id.to_string())?;
    start(w, "BkTxCd")?;
    start(w, "Prtry")?;
    leaf(
        w,
        "Cd",
        &text(e.kind, 35).unwrap_or_else(|| NOT_PROVIDED.to_string()),
    )?;
    end(w, "Prtry")?;
    end(w, "BkTxCd")?;
    start(w, "NtryDtls")?;
    start(w, "TxDtls")?;
    start(w, "Refs")?;
    let end_to_end = e.reference.and_then(|r| text(r, 35));
    leaf(
        w,
        "EndToEndId",
        end_to_end.as_deref().unwrap_or(NOT_PROVIDED),
    )?;
    if let Some(t) = e.transaction_id {
        leaf(w, "TxId", &t.to_string())?;
    }
    end(w, "Refs")?;
    start(w, "RmtInf")?;
    leaf(w, "Ustrd", &remittance(e))?;
    end(w, "RmtInf")?;
    end(w, "TxDtls")?;
    end(w, "NtryDtls")?;
    end(w, "Ntry")
}

/// `AddtlStmtInf` and the closing tags.
pub fn close<W: Write>(w: &mut Writer<W>, note: Option<&str>) -> io::Result<()> {
    if let Some(note) = note.and_then(|n| text(n, 500)) {
        leaf(w, "AddtlStmtInf", &note)?;
    }
    end(w, "Stmt")?;
    end(w, "BkToCstmrStmt")?;
    end(w, "Document")
}

/// A whole document into `out` (what the tests and small files use; the download streams).
pub fn write_document<'a, W: Write>(
    out: W,
    h: &Head,
    entries: impl IntoIterator<Item = Entry<'a>>,
) -> io::Result<W> {
    let mut w = Writer::new(out);
    open(&mut w, h)?;
    for e in entries {
        entry(&mut w, &e)?;
    }
    close(&mut w, h.note.as_deref())?;
    Ok(w.into_inner())
}

/// `YYYY-MM-DD` of an instant in the zone.
pub fn day_of(ms: i64, tz: &TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| tz.to_datetime(t).date().to_string())
        .unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SS+HH:MM` of an instant in the zone (`ISODateTime`).
pub fn date_time(ms: i64, tz: &TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

fn entry_of<'a>(m: &'a Movement, tz: &TimeZone) -> Entry<'a> {
    Entry {
        id: m.id,
        amount_cents: m.amount_cents,
        kind: &m.kind,
        day: day_of(m.at, tz),
        reference: m.reference.as_deref(),
        transaction_id: m.transaction_id,
        refund_id: m.refund_id,
        payout_id: m.payout_id,
    }
}

pub type Chunks = tokio::sync::mpsc::Sender<Result<Bytes, io::Error>>;

/// What a download of the statement file needs once its response has started.
pub struct Job {
    pub db: crate::server::infra::db::Db,
    pub shop_id: i64,
    pub checked: Checked,
    pub bounds: Bounds,
    pub head: Head,
    pub tz: TimeZone,
    /// `statement-<shop>-<YYYY-MM>.xml`, or `…-<first day>_<last day>.xml` for other periods.
    pub file_name: String,
    /// Movements read per query ([`BATCH`]).
    pub batch: i64,
    /// Counts the entries written, for the page that started the download.
    pub progress: crate::server::reporting::progress::Progress,
}

/// Reads the period's bounds and totals (the one aggregate over its movements) and makes
/// the file's head; errors here still become a plain error response.
pub async fn prepare(state: &AppState, a: &ShopAccess, c: Checked, now_ms: i64) -> AppResult<Job> {
    let pool = &state.db.pool;
    let bounds = statement::bounds(pool, a.shop_id, &c).await?;
    let totals = statement::directions(pool, state.db.kind, a.shop_id, &c, &bounds).await?;
    let filtered = c.kind.is_some() || c.q.is_some();
    if !filtered && bounds.opening + totals.credit_cents - totals.debit_cents != bounds.closing {
        tracing::error!(shop = %a.shop_slug, ?bounds, ?totals, "the period's movements do not add up to its balances");
        return Err(AppError::Internal);
    }
    let tz = TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC);
    let mut note = format!("Dates and times in {}.", a.time_zone);
    if filtered {
        let mut only = Vec::new();
        if let Some(k) = c.kind {
            only.push(format!("of type {}", k.code()));
        }
        if let Some(q) = &c.q {
            only.push(format!("of payments matching \"{q}\""));
        }
        note.push_str(&format!(
            " Only the movements {}: the balances are the account's, the entries a part of its movements.",
            only.join(" and ")
        ));
    }
    let (first, last) = (c.first_day, c.last_day);
    let head = Head {
        message_id: format!("CAMT053-{:016X}", crate::server::new_id()),
        created: date_time(now_ms, &tz),
        statement_id: statement_id(a.shop_id, &c),
        sequence: i64::from(first.year()) * 10_000
            + i64::from(first.month()) * 100
            + i64::from(first.day()),
        from: date_time(c.from_ms, &tz),
        to: date_time(c.to_ms - 1_000, &tz),
        first_day: first.to_string(),
        last_day: last.to_string(),
        account: account_id(a.shop_id),
        shop_name: a.shop_name.clone(),
        owner: a.merchant_name.clone(),
        opening: bounds.opening,
        closing: bounds.closing,
        totals: totals.into(),
        note: Some(note),
    };
    let period = if first.day() == 1 && last == first.last_of_month() {
        first.strftime("%Y-%m").to_string()
    } else {
        format!("{first}_{last}")
    };
    Ok(Job {
        db: state.db.clone(),
        shop_id: a.shop_id,
        checked: c,
        bounds,
        head,
        tz,
        file_name: format!("statement-{}-{period}.xml", a.shop_slug),
        batch: BATCH,
        progress: Default::default(),
    })
}

/// Writes the file into `tx` in chunks until the last entry or until the client goes away.
/// A failure midway ends the body with an error, so the download breaks visibly instead of
/// ending as a short file.
pub async fn produce(_permit: tokio::sync::OwnedSemaphorePermit, job: Job, tx: Chunks) {
    if let Err(e) = write_chunks(&job, &tx).await {
        tracing::error!(error = %e, shop = job.shop_id, "the statement file stopped");
        let _ = tx
            .send(Err(io::Error::other("the statement file stopped")))
            .await;
    }
}

enum Stop {
    Gone,
    Failed(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Gone => f.write_str("the client went away"),
            Stop::Failed(e) => f.write_str(e),
        }
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Failed(e.to_string())
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Stop::Failed(format!("{e:?}"))
    }
}

async fn send(w: &mut Writer<Vec<u8>>, tx: &Chunks) -> Result<(), Stop> {
    let chunk = std::mem::replace(w.get_mut(), Vec::with_capacity(CHUNK + 4096));
    tx.send(Ok(Bytes::from(chunk)))
        .await
        .map_err(|_| Stop::Gone)
}

async fn write_chunks(job: &Job, tx: &Chunks) -> Result<(), Stop> {
    let mut w = Writer::new(Vec::with_capacity(CHUNK + 4096));
    open(&mut w, &job.head)?;
    let mut written = Totals::default();
    let mut movements = statement::stream_movements(
        &job.db,
        job.shop_id,
        &job.checked,
        &job.bounds,
        job.batch as usize,
    );
    while let Some(batch) = movements.recv().await {
        for m in &batch? {
            entry(&mut w, &entry_of(m, &job.tz))?;
            written.add(m.amount_cents);
            job.progress.rows(1);
            if w.get_ref().len() >= CHUNK {
                send(&mut w, tx).await?;
            }
        }
    }
    // The summary went out first: entries that disagree with it would make a file whose
    // numbers do not add up, which is worse than no file.
    if written != job.head.totals {
        return Err(Stop::Failed(format!(
            "the entries ({written:?}) differ from the summary ({:?})",
            job.head.totals
        )));
    }
    close(&mut w, job.head.note.as_deref())?;
    match send(&mut w, tx).await {
        Err(Stop::Gone) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> Head {
        Head {
            message_id: "MSG-1".into(),
            created: "2026-12-01T10:00:00+02:00".into(),
            statement_id: "ABC-20261101-20261130".into(),
            sequence: 20261101,
            from: "2026-11-01T00:00:00+02:00".into(),
            to: "2026-11-30T23:59:59+02:00".into(),
            first_day: "2026-11-01".into(),
            last_day: "2026-11-30".into(),
            account: account_id(42),
            shop_name: "Shop <A> & \"B\"".into(),
            owner: "Test Merchant".into(),
            opening: 1_000,
            closing: -550,
            totals: Totals {
                credits: 1,
                credit_cents: 5_000,
                debits: 1,
                debit_cents: 6_550,
            },
            note: None,
        }
    }

    fn document(h: &Head, entries: Vec<Entry<'_>>) -> String {
        String::from_utf8(write_document(Vec::new(), h, entries).unwrap()).unwrap()
    }

    fn sample(amount_cents: i64, reference: Option<&str>) -> Entry<'_> {
        Entry {
            id: 9_000_000_000_000_000_001,
            amount_cents,
            kind: "INCOME",
            day: "2026-11-02".into(),
            reference,
            transaction_id: Some(77),
            refund_id: None,
            payout_id: None,
        }
    }

    #[test]
    fn texts_fit_the_schema_lengths() {
        let long = "x".repeat(200);
        assert_eq!(text(&long, 35).unwrap().chars().count(), 35);
        assert_eq!(text(&long, 140).unwrap().chars().count(), 140);
        // Characters, not bytes: 35 letters of two bytes each stay 35.
        let wide = "õ".repeat(50);
        assert_eq!(text(&wide, 35).unwrap(), "õ".repeat(35));
        assert_eq!(text("Order 123", 35).as_deref(), Some("Order 123"));
        // A space that would be the last character is dropped rather than kept.
        assert_eq!(text("abc def", 4).as_deref(), Some("abc"));
        assert_eq!(text("abc def", 5).as_deref(), Some("abc d"));
    }

    #[test]
    fn characters_xml_cannot_carry_are_replaced_and_blanks_are_none() {
        assert_eq!(
            text("a\u{0}b\u{7}c\u{1b}[0m\u{FFFF}\u{FFFE}d", 35).as_deref(),
            Some("a b c [0m d")
        );
        assert_eq!(text("  two\r\n\tlines  ", 35).as_deref(), Some("two lines"));
        assert_eq!(text("", 35), None);
        assert_eq!(text(" \u{0}\u{8} \n", 35), None);
        assert_eq!(text("\u{85}x\u{9f}", 35).as_deref(), Some("x"));
    }

    #[test]
    fn markup_in_texts_is_escaped() {
        let r = "<b>&'\"</b>";
        let xml = document(&head(), vec![sample(100, Some(r))]);
        assert!(
            xml.contains("<EndToEndId>&lt;b&gt;&amp;&apos;&quot;&lt;/b&gt;</EndToEndId>"),
            "{xml}"
        );
        assert!(xml.contains("<Nm>Shop &lt;A&gt; &amp; &quot;B&quot;</Nm>"));
        assert!(!xml.contains("<b>"));
    }

    #[test]
    fn a_missing_or_unusable_reference_is_not_provided() {
        for r in [None, Some(""), Some("\u{1}\u{2}")] {
            let xml = document(&head(), vec![sample(100, r)]);
            assert!(
                xml.contains("<EndToEndId>NOTPROVIDED</EndToEndId>"),
                "{xml}"
            );
        }
        let long = "R".repeat(40);
        let xml = document(&head(), vec![sample(100, Some(&long))]);
        assert!(xml.contains(&format!("<EndToEndId>{}</EndToEndId>", "R".repeat(35))));
    }

    #[test]
    fn a_negative_balance_is_a_debit_of_the_positive_amount() {
        let xml = document(&head(), vec![]);
        assert!(xml.contains(
            "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>"
        ), "{xml}");
        assert!(xml.contains(
            "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">5.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>"
        ), "{xml}");
        assert_eq!(direction(0), "CRDT");
        assert_eq!(direction(-1), "DBIT");
    }

    #[test]
    fn amounts_have_two_decimals_and_the_currency() {
        assert_eq!(amount(0).unwrap(), "0.00");
        assert_eq!(amount(5).unwrap(), "0.05");
        assert_eq!(amount(-123_450).unwrap(), "1234.50");
        assert!(amount(i64::MIN + 1).is_err());
        let xml = document(&head(), vec![sample(-30, None), sample(4_814, None)]);
        assert!(
            xml.contains("<Amt Ccy=\"EUR\">0.30</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>")
        );
        assert!(xml.contains("<Amt Ccy=\"EUR\">48.14</Amt><CdtDbtInd>CRDT</CdtDbtInd>"));
        assert!(xml.contains(
            "<TtlNtries><NbOfNtries>2</NbOfNtries><Sum>115.50</Sum><TtlNetNtryAmt>15.50</TtlNetNtryAmt><CdtDbtInd>DBIT</CdtDbtInd></TtlNtries>"
        ), "{xml}");
    }

    #[test]
    fn an_entry_carries_its_type_reference_and_text() {
        let mut e = sample(-2_000, None);
        e.kind = "PAYOUT";
        e.payout_id = Some(12);
        e.transaction_id = None;
        let xml = document(&head(), vec![e]);
        assert!(xml.contains("<AcctSvcrRef>9000000000000000001</AcctSvcrRef>"));
        assert!(xml.contains("<BkTxCd><Prtry><Cd>PAYOUT</Cd></Prtry></BkTxCd>"));
        assert!(xml.contains("<Ustrd>PAYOUT Payout to your bank account, payout 12</Ustrd>"));
        assert!(xml
            .contains("<BookgDt><Dt>2026-11-02</Dt></BookgDt><ValDt><Dt>2026-11-02</Dt></ValDt>"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><GrpHdr>"));
        assert!(xml.ends_with("</Stmt></BkToCstmrStmt></Document>"));
    }

    #[test]
    fn account_numbers_are_stable_unique_and_checked() {
        assert_eq!(account_id(42), account_id(42));
        assert_ne!(account_id(42), account_id(43));
        for id in [1, 42, 1_234_567_890_123, i64::MAX] {
            let a = account_id(id);
            assert_eq!(a.len(), 18, "{a}");
            assert!(account_id_is_valid(&a), "{a}");
            let mut typo = a.clone().into_bytes();
            typo[17] = if typo[17] == b'1' { b'2' } else { b'1' };
            assert!(!account_id_is_valid(&String::from_utf8(typo).unwrap()));
        }
        assert!(account_id(35).ends_with("000000000000Z"));
    }
}
