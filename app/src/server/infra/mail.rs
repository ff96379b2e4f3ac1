//! Outgoing e-mail: SMTP in production, `.eml` files in development, memory in tests.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A message as the application composes it, before it becomes MIME.
#[derive(Clone, Debug, Default)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Files the mail carries (an invoice's PDF).
    pub attachments: Vec<Attachment>,
}

/// A file attached to a mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Development without SMTP: each mail becomes an `.eml` file in this folder.
    Files { dir: PathBuf, from: Mailbox },
    /// Tests: mails are kept in memory for the test to read.
    Memory {
        sent: Arc<Mutex<Vec<OutgoingMail>>>,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail from address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP URL: {e}"))?
            .build();
        Ok(Mailer::Smtp { transport, from })
    }

    pub fn files(dir: PathBuf, from: &str) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail from address: {e}"))?;
        Ok(Mailer::Files { dir, from })
    }

    pub fn memory(from: &str) -> Mailer {
        Mailer::Memory {
            sent: Arc::default(),
            from: from.parse().expect("a valid test sender address"),
        }
    }

    /// Mails sent so far by a memory mailer (empty for the others).
    pub fn sent(&self) -> Vec<OutgoingMail> {
        match self {
            Mailer::Memory { sent, .. } => sent.lock().map(|v| v.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp { from, .. }
            | Mailer::Files { from, .. }
            | Mailer::Memory { from, .. } => from,
        }
    }

    fn build(&self, mail: &OutgoingMail) -> Result<Message, String> {
        // One address, or several separated by commas (a shop's notification list).
        let to: lettre::message::Mailboxes =
            mail.to.parse().map_err(|e| format!("recipient: {e}"))?;
        if to.iter().next().is_none() {
            return Err("no recipient".into());
        }
        let body = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(mail.html.clone()),
            );
        let body = if mail.attachments.is_empty() {
            body
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for a in &mail.attachments {
                let kind = ContentType::parse(&a.content_type)
                    .map_err(|e| format!("attachment type {}: {e}", a.content_type))?;
                mixed = mixed.singlepart(
                    lettre::message::Attachment::new(a.name.clone()).body(a.bytes.clone(), kind),
                );
            }
            mixed
        };
        let mut builder = Message::builder().from(self.from().clone());
        for m in to {
            builder = builder.to(m);
        }
        builder
            .subject(&mail.subject)
            .multipart(body)
            .map_err(|e| format!("building message: {e}"))
    }

    pub async fn send(&self, mail: OutgoingMail) -> Result<(), String> {
        match self {
            Mailer::Memory { sent, .. } => {
                self.build(&mail)?;
                sent.lock().map_err(|e| e.to_string())?.push(mail);
                Ok(())
            }
            Mailer::Files { dir, .. } => {
                let msg = self.build(&mail)?;
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| e.to_string())?;
                let name = format!(
                    "{}-{}.eml",
                    jiff::Timestamp::now().as_millisecond(),
                    crate::server::new_id()
                );
                let path = dir.join(name);
                tokio::fs::write(&path, msg.formatted())
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(path = %path.display(), subject = %mail.subject, "mail written to file");
                Ok(())
            }
            Mailer::Smtp { transport, .. } => {
                let msg = self.build(&mail)?;
                transport
                    .send(msg)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SMTP: {e}"))
            }
        }
    }
}

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A mail with one call to action: greeting, paragraphs, a button, and the link spelled out.
pub fn action_mail(
    to: &str,
    subject: &str,
    paragraphs: &[String],
    button: &str,
    link: &str,
) -> OutgoingMail {
    compose(to, subject, paragraphs, Some((button, link)))
}

/// A mail that only tells: paragraphs, no button.
pub fn notice_mail(to: &str, subject: &str, paragraphs: &[String]) -> OutgoingMail {
    compose(to, subject, paragraphs, None)
}

fn compose(
    to: &str,
    subject: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
) -> OutgoingMail {
    let mut text = String::new();
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    if let Some((button, link)) = action {
        text.push_str(&format!("{button}: {link}\n\n"));
    }
    text.push_str("-- \nPortal\n");
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1f2933\">",
    );
    for p in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape_html(p)));
    }
    if let Some((button, link)) = action {
        html.push_str(&format!(
            "<p><a href=\"{l}\" style=\"display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px\">{b}</a></p><p style=\"font-size:13px;color:#52606d\">If the button does not work, open this address: {l}</p>",
            l = escape_html(link),
            b = escape_html(button)
        ));
    }
    html.push_str("</body></html>");
    OutgoingMail {
        to: to.to_string(),
        subject: subject.to_string(),
        text,
        html,
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_with_a_file_is_mixed_with_the_text_html_and_the_file() {
        let mut mail = notice_mail("a@example.com", "Invoice", &["Hello".into()]);
        mail.attachments.push(Attachment {
            name: "invoice-2027-000001.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 test".to_vec(),
        });
        let m = Mailer::memory("portal@example.com").build(&mail).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        for part in [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "Content-Type: application/pdf",
            "filename=\"invoice-2027-000001.pdf\"",
        ] {
            assert!(raw.contains(part), "{part} in {raw}");
        }
        let two = Mailer::memory("portal@example.com")
            .build(&notice_mail(
                "a@example.com, b@example.com",
                "Hi",
                &["x".into()],
            ))
            .unwrap();
        let raw = String::from_utf8(two.formatted()).unwrap();
        assert!(
            raw.contains("a@example.com") && raw.contains("b@example.com"),
            "{raw}"
        );
        let plain = Mailer::memory("portal@example.com")
            .build(&notice_mail("a@example.com", "Hi", &["x".into()]))
            .unwrap();
        let raw = String::from_utf8(plain.formatted()).unwrap();
        assert!(!raw.contains("multipart/mixed"), "no files, no mixed part");
    }
}
