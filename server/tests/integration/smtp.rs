//! Sends mail through a real SMTP server process (Python's aiosmtpd, installed by .ci/setup
//! into target/pyenv) and reads what arrived.

use crate::harness::{TestApp, Who, SHOP};
use reqwest::StatusCode;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
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
    let clock = app::server::clock::Clock::System;
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let Some(app) = TestApp::spawn_with(clock, |env| {
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
    // The harness captures mail in memory; this test needs the configured SMTP mailer.
    let settings = server::config::Settings::from_sources(&[
        ("PORTAL_DATABASE_URL".into(), app.state.db.url.clone()),
        ("PORTAL_PUBLIC_URL".into(), app.base.clone()),
        (
            "PORTAL_SMTP_URL".into(),
            format!("smtp://127.0.0.1:{}", smtp.port),
        ),
        (
            "PORTAL_MAIL_FROM".into(),
            "Portal <no-reply@portal.example>".into(),
        ),
        ("PORTAL_CONFIG".into(), "/dev/null".into()),
    ])
    .unwrap();
    let built = server::build(
        &settings,
        server::MailChoice::FromSettings,
        app.state.clock.clone(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(built, listener));
    let admin = TestApp::client();
    let r = admin
        .post(format!("{base}/api/sign_in"))
        .form(&[
            ("email", "admin@test.example"),
            ("password", crate::harness::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = admin
        .post(format!("{base}/api/invite_user"))
        .form(&[
            ("shop", SHOP),
            ("email", "smtp.person@test.example"),
            ("name", "Siim"),
            ("role", "info_only"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
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
    let _ = Who::Admin;
}
