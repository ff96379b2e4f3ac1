//! The operator's command line, run as a real process.

use std::process::Command;

/// (success, stdout, stdout + stderr)
fn run(data: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .env("PORTAL_DATA_DIR", data)
        .env("PORTAL_CONFIG", "/dev/null")
        .env_remove("PORTAL_DATABASE_URL")
        .output()
        .expect("run portal");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), stdout, text)
}

fn portal(data: &std::path::Path, args: &[&str]) -> (bool, String) {
    let (ok, _, text) = run(data, args);
    (ok, text)
}

#[test]
fn operator_creates_a_merchant_shop_and_first_admin_and_misuse_is_explained() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, stdout, out) = run(&data, &["create-merchant", "--name", "Näidis OÜ"]);
    assert!(ok, "{out}");
    let merchant = stdout.trim().to_string();
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "naidis",
            "--name",
            "Näidis e-pood",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "naidis",
            "--name",
            "Again",
        ],
    );
    assert!(!ok && out.contains("exists already"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "Bad Slug",
            "--name",
            "X",
        ],
    );
    assert!(!ok && out.contains("--slug"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "tz-shop",
            "--name",
            "X",
            "--time-zone",
            "Moon/Base",
        ],
    );
    assert!(!ok && out.contains("IANA"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "create-user",
            "--shop",
            "naidis",
            "--email",
            "mari@naidis.example",
            "--name",
            "Mari",
            "--print-link",
        ],
    );
    assert!(ok && out.contains("/invite/"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "create-user",
            "--shop",
            "nope",
            "--email",
            "x@naidis.example",
            "--name",
            "X",
            "--print-link",
        ],
    );
    assert!(!ok && out.contains("no shop"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "create-user",
            "--shop",
            "naidis",
            "--email",
            "x@naidis.example",
            "--name",
            "X",
            "--role",
            "boss",
        ],
    );
    assert!(!ok && out.contains("--role"), "{out}");
    let (ok, out) = portal(&data, &["demo"]);
    assert!(
        ok && out.contains("admin@demo.example") && out.contains("demo-admin-password"),
        "{out}"
    );
    let (ok, out) = portal(&data, &["demo"]);
    assert!(ok, "demo runs again: {out}");
    let bad = Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("migrate")
        .env("PORTAL_LISTEN", "not-an-address")
        .env("PORTAL_CONFIG", "/dev/null")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && err.contains("PORTAL_LISTEN"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn operator_sets_price_lists_and_sees_the_one_in_force() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, stdout, out) = run(&data, &["create-merchant", "--name", "Hinnad OÜ"]);
    assert!(ok, "{out}");
    let m = stdout.trim().to_string();
    let (ok, out) = portal(&data, &["price-list", "--merchant", &m]);
    assert!(
        ok && out.contains("built-in standard") && out.contains("2.5% + 0.30 EUR"),
        "{out}"
    );
    let (ok, out) = portal(
        &data,
        &[
            "set-price-list",
            "--merchant",
            &m,
            "--name",
            "Negotiated",
            "--bank-links",
            "1.5%+0.20",
            "--cards",
            "2.2% + 0.25 min 0.40",
            "--bank-links-monthly",
            "--from",
            "2020-01-01",
            "--account-fee",
            "0",
            "--plugin-fee",
            "7,50",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = portal(&data, &["price-list", "--merchant", &m]);
    assert!(
        ok && out.contains("1.5% + 0.20 EUR, billed monthly")
            && out.contains("2.2% + 0.25 min 0.40 EUR, deducted")
            && out.contains("account 0.00 EUR, shop modules 7.50 EUR, logistics 5.00 EUR"),
        "{out}"
    );
    // Misuse is explained, naming the option to fix.
    for (args, says) in [
        (
            vec![
                "--merchant",
                m.as_str(),
                "--name",
                "X",
                "--cards",
                "2,5%+0.30",
            ],
            "--cards",
        ),
        (
            vec!["--merchant", m.as_str(), "--name", "X", "--special-offer"],
            "--until",
        ),
        (vec!["--name", "X", "--until", "2030-01-01"], "--merchant"),
        (vec!["--merchant", "12345", "--name", "X"], "no merchant"),
        (
            vec![
                "--merchant",
                m.as_str(),
                "--name",
                "X",
                "--logistics-fee",
                "-5",
            ],
            "--logistics-fee",
        ),
        (
            vec![
                "--merchant",
                m.as_str(),
                "--name",
                "X",
                "--from",
                "tomorrow",
            ],
            "--from",
        ),
    ] {
        let mut full = vec!["set-price-list"];
        full.extend(args);
        let (ok, out) = portal(&data, &full);
        assert!(!ok && out.contains(says), "{full:?}: {out}");
    }
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn operator_sets_the_shops_notification_address() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, stdout, out) = run(&data, &["create-merchant", "--name", "Teavitus OÜ"]);
    assert!(ok, "{out}");
    let merchant = stdout.trim().to_string();
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "teavitus",
            "--name",
            "Teavitus",
        ],
    );
    assert!(ok, "{out}");
    let set = |email: &str| {
        portal(
            &data,
            &[
                "set-notification-email",
                "--shop",
                "teavitus",
                "--email",
                email,
            ],
        )
    };
    let (ok, out) = set("Orders@Teavitus.example");
    assert!(ok && out.contains("refund notices go to"), "{out}");
    let (ok, out) = set("not an address");
    assert!(!ok && out.contains("email"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-notification-email",
            "--shop",
            "nope",
            "--email",
            "a@b.example",
        ],
    );
    assert!(!ok && out.contains("There is no shop"), "{out}");
    let (ok, out) = set("");
    assert!(ok && out.contains("no refund notices"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn migrate_starts_no_job_and_portal_jobs_shows_each_run_and_the_failed_mails() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, out) = portal(&data, &["migrate"]);
    assert!(ok, "{out}");
    let (ok, out) = portal(&data, &["jobs"]);
    assert!(ok, "{out}");
    for job in ["payment-expiry", "refund-account-expiry", "mail"] {
        assert!(out.contains(&format!("{job:<24}never ran")), "{out}");
    }
    assert!(out.contains("mails that could not be sent: none"), "{out}");

    // A run that skipped a row, and a mail given up, as the runner records them.
    let db =
        app::server::infra::db::Db::connect(&format!("sqlite://{}/portal.db", data.display()), 1)
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO job_runs (name, runs, last_started_at, last_duration_ms, last_outcome, last_done, last_failed, last_errors) \
         VALUES ('payment-expiry', 3, 1764460800000, 42, 'row_errors', 7, 1, 'payment 5: payment 5 belongs to connector \"gone\"')",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, body_text, body_html, created_at, attempts, next_attempt_at, failed_at, last_error) \
         VALUES (77, 'buyer@example.com', 'Your receipt', 't', 'h', 1764460800000, 8, 0, 1764464400000, 'SMTP: connection refused')",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    db.pool.close().await;
    let (ok, out) = portal(&data, &["jobs"]);
    assert!(ok, "{out}");
    for shows in [
        "payment-expiry          last run 2025-11-30 ",
        "42 ms, 7 row(s) done, 1 row(s) failed and were skipped; 3 run(s)",
        "error: payment 5: payment 5 belongs to connector \"gone\"",
        "refund-account-expiry   never ran",
        "mails waiting to be sent: 0",
        "mails that could not be sent (1):",
        "mail 77 to buyer@example.com \"Your receipt\"",
        "after 8 attempts: SMTP: connection refused",
    ] {
        assert!(out.contains(shows), "{shows:?} missing in:\n{out}");
    }
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn operator_sets_a_shops_payment_link_limit() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, stdout, out) = run(&data, &["create-merchant", "--name", "Piir OÜ"]);
    assert!(ok, "{out}");
    let merchant = stdout.trim().to_string();
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "piir",
            "--name",
            "Piir",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = portal(&data, &["set-link-limit", "piir", "25000,50"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("shop piir: payment links up to 25000.50 EUR (was 10000.00 EUR)"),
        "{out}"
    );
    let (ok, out) = portal(&data, &["set-link-limit", "piir", "500"]);
    assert!(
        ok && out.contains("up to 500.00 EUR (was 25000.50 EUR)"),
        "{out}"
    );
    for (bad, says) in [
        ("0", "more than 0.00"),
        ("-5", "digits"),
        ("12.345", "two decimals"),
        ("1.00,00", "threes"),
        ("lots", "digits"),
    ] {
        let (ok, out) = portal(&data, &["set-link-limit", "piir", bad]);
        assert!(
            !ok && out.contains("<amount>") && out.contains(says),
            "{bad}: {out}"
        );
    }
    let (ok, out) = portal(&data, &["set-link-limit", "nope", "100"]);
    assert!(!ok && out.contains("There is no shop \"nope\""), "{out}");
    let (ok, out) = portal(&data, &["set-link-limit", "piir"]);
    assert!(!ok && out.contains("<AMOUNT>"), "{out}");
    // Each change is in the audit log, with the limit before and after.
    let changes: Vec<(String, String)> = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", data.join("portal.db").display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_as(
            "SELECT before_value, after_value FROM audit_events WHERE kind = 'link_limit' ORDER BY at, rowid",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
    });
    assert_eq!(
        changes,
        [
            ("10000.00 EUR".to_string(), "25000.50 EUR".to_string()),
            ("25000.50 EUR".to_string(), "500.00 EUR".to_string())
        ]
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn operator_sets_a_payment_methods_minimum() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, stdout, out) = run(&data, &["create-merchant", "--name", "Miinimum OÜ"]);
    assert!(ok, "{out}");
    let merchant = stdout.trim().to_string();
    let (ok, out) = portal(
        &data,
        &[
            "create-shop",
            "--merchant",
            &merchant,
            "--slug",
            "miinimum",
            "--name",
            "Miinimum",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = portal(&data, &["set-method-minimum", "miinimum", "visa", "1,50"]);
    assert!(
        ok && out
            .contains("shop miinimum: visa takes payments from 1.50 EUR (set by the operator)"),
        "{out}"
    );
    let (ok, out) = portal(
        &data,
        &["set-method-minimum", "miinimum", "visa", "default"],
    );
    assert!(
        ok && out.contains("visa takes payments from 0.38 EUR (from the price list)"),
        "{out}"
    );
    for (args, says) in [
        (
            ["miinimum", "paypal", "1.00"],
            "<method>: \"paypal\" is not a payment method",
        ),
        (
            ["miinimum", "visa", "0"],
            "<amount>: The minimum must be more than 0.00",
        ),
        (["miinimum", "visa", "-1"], "<amount>"),
        (["nope", "visa", "1.00"], "There is no shop \"nope\""),
    ] {
        let mut full = vec!["set-method-minimum"];
        full.extend(args);
        let (ok, out) = portal(&data, &full);
        assert!(!ok && out.contains(says), "{args:?}: {out}");
    }
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_operator_lists_closes_and_opens_banking_days() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, out) = portal(&data, &["calendar", "list", "--year", "2027"]);
    assert!(ok, "{out}");
    for line in [
        "2027-03-26  Good Friday (TARGET2 closed)",
        "2027-02-24  Independence Day",
    ] {
        assert!(out.contains(line), "{line} in {out}");
    }
    let (ok, out) = portal(
        &data,
        &[
            "calendar",
            "close",
            "2027-05-03",
            "--note",
            "Moved by decree",
        ],
    );
    assert!(ok && out.contains("2027-05-03 closed"), "{out}");
    let (ok, out) = portal(&data, &["calendar", "list", "--year", "2027"]);
    assert!(
        ok && out.contains("2027-05-03  Closed by the provider"),
        "{out}"
    );
    assert!(
        out.contains("exception 2027-05-03: closed (Moved by decree)"),
        "{out}"
    );
    let (ok, out) = portal(&data, &["calendar", "open", "2027-12-25", "--note", "No"]);
    assert!(
        !ok && out.contains("<date>: 2027-12-25 cannot be opened"),
        "{out}"
    );
    let (ok, out) = portal(&data, &["calendar", "clear", "2027-05-03"]);
    assert!(
        ok && out.contains("built-in calendar applies again"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_operator_sets_a_shops_payout_account_checked_like_an_iban() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, out) = portal(&data, &["demo"]);
    assert!(ok, "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-payout-account",
            "--shop",
            "demo-store",
            "--iban",
            "ee38 2200 2210 2014 5685",
            "--holder",
            "Demo Merchant OÜ",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("payouts go to EE38 2200 2210 2014 5685 (Demo Merchant OÜ)"),
        "{out}"
    );
    let (ok, out) = portal(
        &data,
        &[
            "set-payout-account",
            "--shop",
            "demo-store",
            "--iban",
            "EE38 2200 2210 2014 5686",
            "--holder",
            "Demo Merchant OÜ",
        ],
    );
    assert!(
        !ok && out.contains("--iban: This IBAN has a typing error"),
        "{out}"
    );
    let (ok, out) = portal(
        &data,
        &[
            "set-payout-account",
            "--shop",
            "nope",
            "--iban",
            "EE382200221020145685",
            "--holder",
            "X",
        ],
    );
    assert!(!ok && out.contains("--shop: There is no shop"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_operator_runs_a_days_payouts_by_hand() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, out) = portal(&data, &["demo"]);
    assert!(ok, "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-payout-account",
            "--shop",
            "demo-store",
            "--iban",
            "EE382200221020145685",
            "--holder",
            "Demo Merchant OÜ",
        ],
    );
    assert!(ok, "{out}");
    // The demo's payments of the last 90 days: yesterday's bank links and older cards are payable.
    let today = jiff::Zoned::now().date();
    let mut d = today;
    let (ok, out) = loop {
        let (ok, out) = portal(&data, &["run-payouts", "--date", &d.to_string()]);
        if out.contains(" 1 paid") || d < today.checked_sub(jiff::Span::new().days(10)).unwrap() {
            break (ok, out);
        }
        d = d.yesterday().unwrap();
    };
    assert!(ok && out.contains(" 1 paid ("), "{out}");
    assert!(out.contains("transfer file"), "{out}");
    let (ok, out) = portal(&data, &["run-payouts", "--date", &d.to_string()]);
    assert!(
        ok && out.contains(": 0 paid"),
        "a rerun pays nobody twice: {out}"
    );
    let (ok, out) = portal(&data, &["run-payouts", "--date", "2027-02-30"]);
    assert!(!ok && out.contains("--date"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_operator_records_module_usage_answers_requests_and_runs_billing() {
    let data = std::env::temp_dir().join(format!("portal-cli-{}", app::server::new_id()));
    let (ok, out) = portal(&data, &["demo"]);
    assert!(ok, "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-billing-details",
            "--shop",
            "demo-store",
            "--vat-number",
            "12345",
        ],
    );
    assert!(!ok && out.contains("not a VAT number"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-billing-details",
            "--shop",
            "demo-store",
            "--address",
            "Tartu mnt 1; 10115 Tallinn",
            "--vat-number",
            "EE100000001",
        ],
    );
    assert!(ok && out.contains("billing details set"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-usage",
            "--shop",
            "demo-store",
            "--month",
            "2026-13",
            "--plugin",
        ],
    );
    assert!(
        !ok && out.contains("--month") && out.contains("YYYY-MM"),
        "{out}"
    );
    let (ok, out) = portal(
        &data,
        &[
            "set-usage",
            "--shop",
            "demo-store",
            "--month",
            "2026-11",
            "--logistics",
        ],
    );
    assert!(!ok && out.contains("--plugin too"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-usage",
            "--shop",
            "nope",
            "--month",
            "2026-11",
            "--plugin",
        ],
    );
    assert!(!ok && out.contains("no shop"), "{out}");
    let (ok, out) = portal(
        &data,
        &[
            "set-usage",
            "--shop",
            "demo-store",
            "--month",
            "2026-11",
            "--plugin",
            "--logistics",
        ],
    );
    assert!(
        ok && out.contains("shop modules and their logistics used"),
        "{out}"
    );
    let (ok, out) = portal(&data, &["run-billing"]);
    assert!(ok && out.starts_with("billing: "), "{out}");
    let (ok, out) = portal(&data, &["requests"]);
    assert!(ok && out.contains("No requests are waiting."), "{out}");
    let (ok, out) = portal(&data, &["request-done", "--id", "1"]);
    assert!(!ok && out.contains("There is no request 1"), "{out}");
    let (ok, out) = portal(&data, &["request-decline", "--id", "1", "--answer", " "]);
    assert!(
        !ok && out.contains("--answer") && out.contains("Say why"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&data);
}
