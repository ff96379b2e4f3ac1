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
