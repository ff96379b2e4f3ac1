//! The payment link's mails: the invoice to the buyer (in the link's language), the receipt
//! to the buyer (in the language they paid in) and the payment notice to the shop's
//! notification address. Each has a plain-text and an HTML part.

use crate::domain::fees::Channel;
use crate::domain::Money;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::server::infra::mail::{escape_html, OutgoingMail};
use crate::server::infra::{db::Tx, outbox};
use crate::server::payments::pay::Link;
use crate::server::AppState;

/// A mail of paragraphs with, optionally, one button; the last line names who sent it.
fn compose(
    lang: Lang,
    to: &str,
    subject: String,
    paragraphs: &[String],
    button: Option<(String, String)>,
    merchant: &str,
) -> OutgoingMail {
    let signature = lang.tf("mail-signature", &[("merchant", merchant)]);
    let mut text = String::new();
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body style=\"font-family:sans-serif;line-height:1.5;color:#1f2933\">",
        lang.code()
    );
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", escape_html(p)));
    }
    if let Some((label, link)) = button {
        text.push_str(&format!("{label}: {link}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{l}\" style=\"display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px\">{b}</a></p>\
             <p style=\"font-size:13px;color:#52606d\">{f} {l}</p>",
            l = escape_html(&link),
            b = escape_html(&label),
            f = escape_html(&lang.t("mail-link-fallback")),
        ));
    }
    text.push_str(&format!("-- \n{signature}\n"));
    html.push_str(&format!(
        "<p style=\"font-size:13px;color:#52606d\">{}</p></body></html>",
        escape_html(&signature)
    ));
    OutgoingMail {
        to: to.to_string(),
        subject,
        text,
        html,
        attachments: Vec::new(),
    }
}

/// The invoice: who asks for how much, for what, until when, and the link.
pub fn invoice(state: &AppState, link: &Link, to: &str) -> OutgoingMail {
    let lang = link.language;
    let amount = lang.money(link.amount);
    let m = link.merchant.as_str();
    let mut p = vec![
        match &link.buyer_name {
            Some(name) => lang.tf("invoice-greeting", &[("name", name)]),
            None => lang.t("invoice-greeting-plain"),
        },
        lang.tf("invoice-text", &[("merchant", m), ("amount", &amount)]),
        lang.tf("invoice-reference", &[("reference", &link.reference)]),
    ];
    if let Some(d) = &link.description {
        p.push(lang.tf("invoice-description", &[("description", d)]));
    }
    p.push(lang.tf(
        "invoice-valid-until",
        &[(
            "date",
            &crate::server::format_time(link.expires_at, &link.time_zone),
        )],
    ));
    compose(
        lang,
        to,
        lang.tf("invoice-subject", &[("merchant", m), ("amount", &amount)]),
        &p,
        Some((
            lang.t("invoice-button"),
            state.link(&format!("/pay/{}?lang={}", link.token, lang.code())),
        )),
        m,
    )
}

type Paid = (
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
    String,
    Option<String>,
    i64,
);

/// Queues, in the approval's transaction, the buyer's receipt and the shop's notice; they
/// are sent after commit (a failure to send is retried; the payment stands).
/// `others`: the other paid payments of its single-use link, which the shop is told of.
pub async fn payment_approved(
    tx: &mut Tx,
    state: &AppState,
    payment_id: i64,
    others: &[i64],
) -> AppResult<()> {
    let (slug, reference, cents, channel, buyer, language, paid_at, shop, tz, notify, test_mode): Paid =
        sqlx::query_as(
            "SELECT s.slug, t.reference, t.amount_cents, t.channel, t.buyer_email, t.language, t.paid_at, \
                s.name, s.time_zone, s.notification_email, t.test_mode \
         FROM transactions t JOIN shops s ON s.id = t.shop_id WHERE t.id = $1",
        )
        .bind(payment_id)
        .fetch_one(&mut **tx)
        .await?;
    let now = state.clock.now_ms();
    let amount = Money::from_cents(cents);
    let method = Channel::label_of(&channel).to_string();
    let date = crate::server::format_time(paid_at.unwrap_or_default(), &tz);
    if let Some(to) = buyer {
        let lang = language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or(Lang::En);
        let a = lang.money(amount);
        let mail = compose(
            lang,
            &to,
            // A test payment's mails say so before anything else.
            format!(
                "{}{}",
                if test_mode != 0 { "[TEST] " } else { "" },
                lang.tf("receipt-subject", &[("amount", &a), ("merchant", &shop)])
            ),
            &[
                lang.tf("receipt-text", &[("merchant", &shop)]),
                lang.tf("receipt-amount", &[("amount", &a)]),
                lang.tf("receipt-reference", &[("reference", &reference)]),
                lang.tf("receipt-method", &[("method", &method)]),
                lang.tf("receipt-date", &[("date", &date)]),
                lang.tf("receipt-id", &[("id", &payment_id.to_string())]),
            ],
            None,
            &shop,
        );
        outbox::enqueue(&mut **tx, &mail, now).await?;
    }
    if let Some(to) = notify {
        let mut lines = vec![
            format!("{shop} has received a payment through a payment link."),
            format!("Amount: {}", amount.human()),
            format!("Reference: {reference}"),
            format!("Method: {method}"),
            format!("Time: {date} ({tz})"),
            format!("Payment ID: {payment_id}"),
        ];
        if test_mode != 0 {
            lines.insert(
                0,
                "This is a test payment: no money moved, and it shows only in test data.".into(),
            );
        }
        if !others.is_empty() {
            lines.push(format!(
                "This link was for one payment and had already been paid (payment ID {}). \
                 The buyer may have paid twice: if so, refund one of the payments.",
                join_ids(others)
            ));
        }
        let mail = crate::server::infra::mail::action_mail(
            &to,
            &format!(
                "{}ayment received: {} ({reference})",
                if test_mode != 0 { "Test p" } else { "P" },
                amount.human()
            ),
            &lines,
            "Open the payment",
            &state.link(&format!("/shops/{slug}/transactions/{payment_id}")),
        );
        outbox::enqueue(&mut **tx, &mail, now).await?;
    }
    Ok(())
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
