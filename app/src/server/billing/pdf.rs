//! A fee invoice or credit note as a PDF, laid out here and written by `krilla` with the
//! DejaVu fonts embedded (subset), so Estonian, Latvian, Lithuanian and Russian names
//! print as they are written. A4, one page: who issues it and to whom, the number, date and
//! period, one line per fee type (quantity, net, VAT rate, VAT), the totals, and that the
//! amount was deducted from the balance already. Amounts are set in the monospaced face, so
//! their columns align on the right.

use crate::domain::Money;
use crate::error::AppResult;
use crate::server::billing::invoices::Invoice;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

static SANS: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSans-Bold.ttf");
static MONO: &[u8] = include_bytes!("../../../fonts/DejaVuSansMono.ttf");
/// DejaVu Sans Mono's advance, 1233 of 2048 units per em.
const MONO_ADVANCE: f32 = 1233.0 / 2048.0;

/// Who issues the invoice, or who receives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    /// Lines of the address.
    pub address: Vec<String>,
    pub vat_number: Option<String>,
}

/// What the PDF needs besides the invoice: the two parties, the shop, the period in words,
/// and for a credit note the invoice it corrects and why.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub provider: Party,
    pub merchant: Party,
    pub shop: String,
    /// "March 2027".
    pub period: String,
    pub corrects: Option<(String, String)>,
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = WIDTH - 56.0;

struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    sans: Font,
    bold: Font,
    mono: Font,
}

impl Pen<'_, '_> {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let font = if bold {
            self.bold.clone()
        } else {
            self.sans.clone()
        };
        self.surface.draw_text(
            Point::from_xy(x, y),
            font,
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// Monospaced text ending at `right`.
    fn amount(&mut self, right: f32, y: f32, size: f32, text: &str) {
        let width = text.chars().count() as f32 * MONO_ADVANCE * size;
        self.surface.draw_text(
            Point::from_xy(right - width, y),
            self.mono.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn rule(&mut self, y: f32) {
        let mut pb = PathBuilder::new();
        if let Some(r) = Rect::from_xywh(LEFT, y, RIGHT - LEFT, 0.6) {
            pb.push_rect(r);
        }
        if let Some(path) = pb.finish() {
            self.surface.set_fill(Some(Fill {
                paint: rgb::Color::new(120, 120, 120).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            self.surface.draw_path(&path);
            self.surface.set_fill(Some(Fill::default()));
        }
    }
}

/// "1 234.56", "-12.00": thousands apart, the decimal point as on the statement, and
/// plain characters that a reader copies out of the PDF as they look.
fn eur(cents: i64) -> String {
    Money::from_cents(cents)
        .human()
        .trim_end_matches("\u{a0}€")
        .replace('\u{202f}', " ")
        .replace('\u{2212}', "-")
}

fn party(pen: &mut Pen<'_, '_>, x: f32, mut y: f32, heading: &str, p: &Party) {
    pen.text(x, y, 8.5, true, heading);
    y += 14.0;
    pen.text(x, y, 10.0, true, &p.name);
    for line in &p.address {
        y += 13.0;
        pen.text(x, y, 9.5, false, line);
    }
    if let Some(v) = &p.vat_number {
        y += 13.0;
        pen.text(x, y, 9.5, false, &format!("VAT number {v}"));
    }
}

/// The invoice as PDF bytes.
pub fn render(inv: &Invoice, c: &Context) -> AppResult<Vec<u8>> {
    let font = |data: &'static [u8]| {
        Font::new(data.into(), 0)
            .ok_or_else(|| crate::server::internal("an embedded font did not load"))
    };
    let (sans, bold, mono) = (font(SANS)?, font(BOLD)?, font(MONO)?);
    let credit = inv.kind == "credit_note";
    let title = if credit {
        format!("Credit note {}", inv.number)
    } else {
        format!("Invoice {}", inv.number)
    };
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.clone())
            .creator("Portal".into())
            .language("en".into()),
    );
    let settings = PageSettings::from_wh(WIDTH, HEIGHT)
        .ok_or_else(|| crate::server::internal("A4 is a page size"))?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    draw(
        &mut Pen {
            surface: &mut surface,
            sans,
            bold,
            mono,
        },
        inv,
        c,
        &title,
    );
    surface.finish();
    page.finish();
    doc.finish()
        .map_err(|e| crate::server::internal(format!("the PDF could not be written: {e:?}")))
}

fn draw(pen: &mut Pen<'_, '_>, inv: &Invoice, c: &Context, title: &str) {
    pen.text(LEFT, 72.0, 20.0, true, title);
    pen.text(
        LEFT,
        94.0,
        10.0,
        false,
        &format!(
            "Date {} · Service fees for {} · Shop {}",
            inv.issued_on, c.period, c.shop
        ),
    );
    party(pen, LEFT, 128.0, "FROM", &c.provider);
    party(pen, 320.0, 128.0, "TO", &c.merchant);
    let mut y = 230.0;
    if let Some((number, reason)) = &c.corrects {
        pen.text(
            LEFT,
            y,
            10.0,
            false,
            &format!("Corrects invoice {number}: {reason}"),
        );
        y += 24.0;
    }
    // The table: fee type | quantity | net | VAT rate | VAT.
    let (q_right, net_right, rate_right, vat_right) = (330.0, 410.0, 460.0, RIGHT);
    pen.text(LEFT, y, 9.0, true, "Fee");
    pen.text(q_right - 42.0, y, 9.0, true, "Quantity");
    pen.text(net_right - 52.0, y, 9.0, true, "Net (EUR)");
    pen.text(rate_right - 26.0, y, 9.0, true, "VAT %");
    pen.text(vat_right - 52.0, y, 9.0, true, "VAT (EUR)");
    y += 6.0;
    pen.rule(y);
    let rate = inv.vat_percent.normalize().to_string();
    for l in &inv.lines {
        y += 16.0;
        pen.text(LEFT, y, 9.5, false, &l.label);
        pen.amount(q_right, y, 9.5, &l.quantity.to_string());
        pen.amount(net_right, y, 9.5, &eur(l.net_cents));
        pen.amount(rate_right, y, 9.5, &rate);
        pen.amount(vat_right, y, 9.5, &eur(l.vat_cents));
    }
    y += 8.0;
    pen.rule(y);
    for (label, cents, strong) in [
        ("Net total", inv.net_cents, false),
        ("VAT", inv.vat_cents, false),
        ("Total (EUR)", inv.total_cents(), true),
    ] {
        y += 16.0;
        pen.text(rate_right - 120.0, y, 10.0, strong, label);
        pen.amount(vat_right, y, 10.0, &eur(cents));
    }
    y += 36.0;
    pen.text(
        LEFT,
        y,
        10.0,
        true,
        "Already deducted from your balance — for your records, nothing to pay.",
    );
    y += 16.0;
    pen.text(
        LEFT,
        y,
        9.0,
        false,
        "Each line is the sum of the fee movements of this type on the account statement of the period.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::billing::InvoiceLine;

    pub fn sample() -> (Invoice, Context) {
        let inv = Invoice {
            id: 1,
            number: "2027-000042".into(),
            kind: "invoice".into(),
            shop_id: 7,
            month: "2027-03".into(),
            issued_on: "2027-04-01".into(),
            net_cents: 123_456 + 1_000,
            vat_cents: 24_891,
            vat_percent: rust_decimal::Decimal::from(20),
            lines: vec![
                InvoiceLine {
                    kind: "TRX_FEE".into(),
                    label: "Transaction fee (percentage)".into(),
                    quantity: 4_321,
                    net_cents: 123_456,
                    vat_cents: 24_691,
                },
                InvoiceLine {
                    kind: "SERVICE_FEE_PLUGIN".into(),
                    label: "Shop plugin fee".into(),
                    quantity: 1,
                    net_cents: 1_000,
                    vat_cents: 200,
                },
            ],
            corrects: None,
        };
        let c = Context {
            provider: Party {
                name: "Makse Teenused AS".into(),
                address: vec!["Õismäe tee 1".into(), "13512 Tallinn".into()],
                vat_number: Some("EE100000001".into()),
            },
            merchant: Party {
                name: "Šokolādes Žurnāls SIA · Ёлка".into(),
                address: vec!["Ķeguma iela 5, Rīga".into()],
                vat_number: Some("LV40000000001".into()),
            },
            shop: "Šokolāde (sokolade)".into(),
            period: "March 2027".into(),
            corrects: None,
        };
        (inv, c)
    }

    #[test]
    fn amounts_are_written_with_plain_characters() {
        assert_eq!(eur(123_456), "1 234.56");
        assert_eq!(eur(-100_000_000), "-1 000 000.00");
        assert_eq!(eur(5), "0.05");
    }

    #[test]
    fn an_invoice_is_a_pdf_with_its_fonts_and_is_small() {
        let (inv, c) = sample();
        let pdf = render(&inv, &c).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // Subset fonts: far smaller than the 1.8 MB of the three faces.
        assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"), "the fonts are embedded");
    }

    /// The words an accountant files the invoice by, read back from the PDF.
    fn assert_readable(text: &str) {
        for words in [
            "Invoice 2027-000042",
            "Date 2027-04-01",
            "March 2027",
            "Šokolādes Žurnāls SIA · Ёлка",
            "Ķeguma iela 5, Rīga",
            "Õismäe tee 1",
            "VAT number LV40000000001",
            "Transaction fee (percentage)",
            "4321",
            "1 234.56",
            "1 244.56",
            "248.91",
            "1 493.47",
            "Already deducted from your balance — for your records, nothing to pay.",
        ] {
            assert!(text.contains(words), "{words:?} in {text}");
        }
    }

    #[test]
    fn a_pdf_reader_finds_the_number_the_totals_and_baltic_and_cyrillic_names() {
        let (inv, c) = sample();
        let pdf = render(&inv, &c).unwrap();
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let text = doc.extract_text(&[1]).unwrap();
        // The reader puts each drawn run on its own line.
        let text = text.replace('\n', " ");
        for words in ["2027-000042", "Šokolādes Žurnāls SIA · Ёлка", "1 493.47"] {
            assert!(text.contains(words), "{words:?} in {text}");
        }
    }

    /// Poppler's `pdftotext` reads the same words, and `qpdf --check` finds the file sound
    /// (both from Debian's poppler-utils and qpdf, which the setup installs).
    #[test]
    fn poppler_reads_it_and_qpdf_finds_no_fault() {
        let (inv, c) = sample();
        let pdf = render(&inv, &c).unwrap();
        let path =
            std::env::temp_dir().join(format!("portal-invoice-{}.pdf", crate::server::new_id()));
        std::fs::write(&path, &pdf).unwrap();
        let run =
            |cmd: &str, args: &[&str]| match std::process::Command::new(cmd).args(args).output() {
                Ok(out) => Some(out),
                Err(e) if std::env::var_os("CI").is_none() => {
                    eprintln!("!!! {cmd} is not installed ({e}): run .ci/setup; skipped");
                    None
                }
                Err(e) => panic!("{cmd}: {e}"),
            };
        let file = path.to_str().unwrap();
        if let Some(out) = run("pdftotext", &["-layout", file, "-"]) {
            assert!(out.status.success());
            assert_readable(&String::from_utf8(out.stdout).unwrap());
        }
        if let Some(out) = run("qpdf", &["--check", file]) {
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{said}");
            assert!(
                said.contains("No syntax or stream encoding errors"),
                "{said}"
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}
