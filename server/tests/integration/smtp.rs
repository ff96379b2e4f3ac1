//! Sends mail through a real SMTP server process (Python's aiosmtpd, installed by .ci/setup
//! into target/pyenv) and reads what arrived.

use crate::harness::{TestApp, Who, SHOP};
use reqwest::StatusCode;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

struct SmtpServer {
    child: Child,
    maildir: PathBuf,
    port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = [
        std::env::var_os("PORTAL_TEST_PYTHON").map(PathBuf::from),
        Some(root.join("target/pyenv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

async fn start_smtp() -> Option<SmtpServer> {
    let Some(py) = python() else {
        if std::env::var_os("CI").is_some() {
            panic!("aiosmtpd is required when CI is set: run .ci/setup");
        }
        eprintln!("\n!!! SKIPPED the SMTP test: no Python with aiosmtpd (run .ci/setup to install it into target/pyenv)\n");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = std::env::temp_dir().join(format!("portal-smtp-{port}"));
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let mut child = Command::new(py)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(SmtpServer {
                child,
                maildir,
                port,
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start on port {port}");
}

fn read_maildir(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for e in entries.flatten() {
                out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

#[tokio::test]
async fn invite_mail_goes_out_over_smtp_with_text_and_html_parts() {
    let Some(smtp) = start_smtp().await else {
        return;
    };
    let clock = app::server::infra::clock::Clock::System;
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let Some(app) = TestApp::spawn_with(clock, server::MailChoice::FromSettings, |env| {
        env.push(("PORTAL_SMTP_URL".into(), url));
        env.push((
            "PORTAL_MAIL_FROM".into(),
            "Portal <no-reply@portal.example>".into(),
        ));
    })
    .await
    else {
        return;
    };
    let admin = app.client_for(Who::Admin).await;
    let form = [
        ("shop", SHOP),
        ("email", "smtp.person@test.example"),
        ("name", "Siim"),
        ("role", "info_only"),
    ];
    let r = app.call(&admin, "invite_user", &form).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    app.flush_mail().await;
    let mut mails = Vec::new();
    for _ in 0..50 {
        mails = read_maildir(&smtp.maildir);
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mails.len(), 1, "one mail arrived");
    let m = &mails[0];
    assert!(m.contains("To: smtp.person@test.example"), "{m}");
    assert!(m.contains("From: Portal <no-reply@portal.example>"), "{m}");
    assert!(
        m.contains("multipart/alternative") && m.contains("text/plain") && m.contains("text/html"),
        "{m}"
    );
    let unfolded = m
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(unfolded.contains(&format!("{}/invite/", app.base)), "{m}");
}

/// An SMTP server that greets each connection only after `stall` (or once released), then
/// takes every mail; what it received is kept.
struct StalledSmtp {
    port: u16,
    connections: Arc<AtomicUsize>,
    greeted: Arc<AtomicBool>,
    release: Arc<(Mutex<bool>, Condvar)>,
    received: Arc<Mutex<Vec<String>>>,
}

impl StalledSmtp {
    fn start(stall: Duration) -> StalledSmtp {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = StalledSmtp {
            port: listener.local_addr().unwrap().port(),
            connections: Arc::default(),
            greeted: Arc::default(),
            release: Arc::default(),
            received: Arc::default(),
        };
        let (connections, greeted, release, received) = (
            server.connections.clone(),
            server.greeted.clone(),
            server.release.clone(),
            server.received.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                connections.fetch_add(1, Ordering::SeqCst);
                let (greeted, release, received) =
                    (greeted.clone(), release.clone(), received.clone());
                std::thread::spawn(move || {
                    let (lock, wake) = &*release;
                    let released = lock.lock().unwrap();
                    drop(wake.wait_timeout_while(released, stall, |r| !*r).unwrap());
                    greeted.store(true, Ordering::SeqCst);
                    let _ = Self::session(stream, &received);
                });
            }
        });
        server
    }

    fn release(&self) {
        let (lock, wake) = &*self.release;
        *lock.lock().unwrap() = true;
        wake.notify_all();
    }

    fn session(stream: std::net::TcpStream, received: &Mutex<Vec<String>>) -> std::io::Result<()> {
        use std::io::{BufRead, Write};
        let mut reader = std::io::BufReader::new(stream.try_clone()?);
        let mut w = stream;
        w.write_all(b"220 slow.example ESMTP\r\n")?;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            if command.starts_with("DATA") {
                w.write_all(b"354 go ahead\r\n")?;
                let mut message = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line.trim_end() == "." {
                        break;
                    }
                    message.push_str(&line);
                }
                received.lock().unwrap().push(message);
                w.write_all(b"250 queued\r\n")?;
            } else if command.starts_with("QUIT") {
                w.write_all(b"221 bye\r\n")?;
                return Ok(());
            } else if command.starts_with("EHLO") || command.starts_with("HELO") {
                w.write_all(b"250 slow.example\r\n")?;
            } else {
                w.write_all(b"250 ok\r\n")?;
            }
        }
    }
}

#[tokio::test]
async fn a_stalled_smtp_server_holds_up_no_invite_approval_or_refund() {
    use crate::pay_page::{make_link, payment_in, set_notification_address, start};
    use app::server::payments::connector::{test_bank_decide, BankStatus};
    use app::server::payments::pay::{self, Confirmed};

    let smtp = StalledSmtp::start(Duration::from_secs(15));
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let clock =
        app::server::infra::clock::Clock::manual_at(jiff::Timestamp::now().as_millisecond());
    let Some(app) = TestApp::spawn_with(clock, server::MailChoice::FromSettings, |env| {
        env.push(("PORTAL_SMTP_URL".into(), url));
    })
    .await
    else {
        return;
    };
    // The background jobs, as `portal serve` starts them.
    app::server::infra::jobs::spawn_all(&app.state, app::server::jobs());
    set_notification_address(&app).await;
    let (_, token) = make_link(
        &app,
        &[
            ("amount", "20.00"),
            ("reference", "Slow mail"),
            ("buyer_email", "buyer@example.ee"),
            ("usage", "reusable"),
        ],
    )
    .await;
    let buyer = TestApp::client();
    let mut payments = Vec::new();
    for _ in 0..2 {
        let p = payment_in(&start(&app, &buyer, &token, &[("method", "swedbank:EE")]).await);
        test_bank_decide(&app.state, p, BankStatus::Approved)
            .await
            .unwrap();
        payments.push(p);
    }

    // An invite: its mail is on its way, and the SMTP server keeps the sender waiting.
    let admin = app.client_for(Who::Admin).await;
    let form = [
        ("shop", SHOP),
        ("email", "patient.person@test.example"),
        ("name", "Peeter"),
        ("role", "info_only"),
    ];
    let r = app.call(&admin, "invite_user", &form).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    for _ in 0..200 {
        if smtp.connections.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        smtp.connections.load(Ordering::SeqCst) > 0,
        "the mail job is sending"
    );

    // Meanwhile the approvals and a refund go through.
    for &p in &payments {
        assert!(matches!(
            pay::confirm(&app.state, p).await.unwrap(),
            Confirmed::Approved
        ));
    }
    let shop_id = app.shop_id(SHOP).await;
    let by = crate::refunds::requester(&app).await;
    let refund = app::server::refunds::refund(
        &app.state,
        shop_id,
        &by,
        payments[0],
        app::domain::Money::parse("5.00").unwrap(),
        None,
        "while-smtp-stalls",
    )
    .await
    .unwrap();
    assert_eq!(refund.status, "done");
    assert!(
        !smtp.greeted.load(Ordering::SeqCst),
        "all of it was done before the SMTP server even said hello"
    );

    // The server answers (it would after 15 s by itself): every mail arrives, once.
    smtp.release();
    let expected = 6; // invite; a receipt and a shop notice per payment; the refund notice
    for _ in 0..600 {
        if smtp.received.lock().unwrap().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received = smtp.received.lock().unwrap().clone();
    assert_eq!(received.len(), expected, "{received:#?}");
    for to in [
        "patient.person@test.example",
        "buyer@example.ee",
        "orders@shop-a.example",
    ] {
        assert!(
            received.iter().any(|m| m.contains(&format!("To: {to}"))),
            "no mail to {to}"
        );
    }
    // The worker marks a mail sent once the server has accepted it: wait for the last one.
    let mut unsent = -1;
    for _ in 0..600 {
        unsent = app
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")
            .await;
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(unsent, 0);
}
