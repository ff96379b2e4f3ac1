//! Starts the real application on port 0 with a fresh database (SQLite file, or a PostgreSQL
//! database created for the test and dropped after it) and mail captured in memory.
//!
//! `PORTAL_TEST_DB=postgres` runs the suite on PostgreSQL (`PORTAL_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Without a reachable server those tests
//! skip with a loud message, unless `CI` is set: then they fail.

use app::domain::fees::Channel;
use app::domain::{Money, Role};
use app::server::infra::clock::Clock;
use app::server::infra::mail::OutgoingMail;
use app::server::payments::transactions::{self, NewTransaction};
use app::server::{operations::operator, AppState};
use reqwest::header::HeaderMap;
use reqwest::{Client, Response, StatusCode};
use server::config::Settings;
use sqlx::Connection;

pub const PASSWORD: &str = "correct horse battery staple";
pub const SHOP: &str = "shop-a";
pub const SHOP_B: &str = "shop-b";
pub const OTHER_SHOP: &str = "other-shop";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pg_drop: Option<(String, String)>,
    dir: std::path::PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    Admin,
    Refunds,
    Info,
    OtherAdmin,
}

impl Who {
    pub const ALL: [Who; 5] = [
        Who::Anonymous,
        Who::Admin,
        Who::Refunds,
        Who::Info,
        Who::OtherAdmin,
    ];
    pub fn email(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Admin => Some("admin@test.example"),
            Who::Refunds => Some("refunds@test.example"),
            Who::Info => Some("info@test.example"),
            Who::OtherAdmin => Some("other@test.example"),
        }
    }
}

fn random_suffix() -> String {
    format!("{:016x}", app::server::new_id())
}

pub fn on_postgres() -> bool {
    std::env::var("PORTAL_TEST_DB")
        .map(|v| v == "postgres")
        .unwrap_or(false)
}

async fn postgres_database() -> Option<(String, (String, String))> {
    let admin_url = std::env::var("PORTAL_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("PostgreSQL at {admin_url} is required when CI is set: {e}");
            }
            eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                       !!! SKIPPED on PostgreSQL: cannot connect to {admin_url}: {e}\n\
                       !!! Start PostgreSQL or set PORTAL_TEST_PG_URL to run these tests against it.\n\
                       !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
            return None;
        }
    };
    let name = format!("portal_test_{}", random_suffix());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("PORTAL_TEST_PG_URL is a URL");
    url.set_path(&name);
    Some((url.to_string(), (admin_url, name)))
}

impl TestApp {
    /// A running application with the standard fixture: merchant "Test Merchant" with shops
    /// `shop-a` and `shop-b`, one user per role in both, and another merchant with its admin.
    /// `None` when the PostgreSQL run is skipped.
    pub async fn spawn() -> Option<TestApp> {
        Self::spawn_with(
            Clock::manual_at(jiff::Timestamp::now().as_millisecond()),
            server::MailChoice::Memory,
            |_| {},
        )
        .await
    }

    /// With a chosen clock and mailer, and settings changed by `tweak`.
    pub async fn spawn_with(
        clock: Clock,
        mail: server::MailChoice,
        tweak: impl FnOnce(&mut Vec<(String, String)>),
    ) -> Option<TestApp> {
        let dir = std::env::temp_dir().join(format!("portal-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (database_url, pg_drop) = if on_postgres() {
            let (url, drop) = postgres_database().await?;
            (url, Some(drop))
        } else {
            (format!("sqlite://{}/portal.db", dir.display()), None)
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut env = vec![
            ("PORTAL_DATABASE_URL".to_string(), database_url),
            ("PORTAL_DATA_DIR".to_string(), dir.display().to_string()),
            ("PORTAL_LISTEN".to_string(), addr.to_string()),
            ("PORTAL_PUBLIC_URL".to_string(), format!("http://{addr}")),
            ("PORTAL_CONFIG".to_string(), "/dev/null".to_string()),
            // Most tests pay live links end to end: live payments go through the test bank,
            // as in a demo. `test_mode.rs` runs without a live connector, as installed.
            ("PORTAL_LIVE_CONNECTOR".to_string(), "test-bank".to_string()),
        ];
        tweak(&mut env);
        let settings = Settings::from_sources(&env).expect("test settings");
        let built = server::build(&settings, mail, clock)
            .await
            .expect("build app");
        let state = built.state.clone();
        tokio::spawn(server::serve(built, listener));
        let app = TestApp {
            base: format!("http://{addr}"),
            state,
            pg_drop,
            dir,
        };
        app.fixture().await;
        Some(app)
    }

    /// A second instance of the application on the same database and clock (as several
    /// stateless servers share one PostgreSQL), without a listener of its own.
    pub async fn second_instance(&self) -> app::server::AppState {
        let dir = std::env::temp_dir().join(format!("portal-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let env = vec![
            ("PORTAL_DATABASE_URL".to_string(), self.state.db.url.clone()),
            ("PORTAL_DATA_DIR".to_string(), dir.display().to_string()),
            ("PORTAL_CONFIG".to_string(), "/dev/null".to_string()),
            ("PORTAL_LIVE_CONNECTOR".to_string(), "test-bank".to_string()),
        ];
        let settings = Settings::from_sources(&env).expect("test settings");
        server::build(
            &settings,
            server::MailChoice::Memory,
            self.state.clock.clone(),
        )
        .await
        .expect("build a second instance")
        .state
    }

    async fn fixture(&self) {
        let s = &self.state;
        let m = operator::create_merchant(s, "Test Merchant").await.unwrap();
        operator::create_shop(s, m, SHOP, "Shop A", "Europe/Tallinn")
            .await
            .unwrap();
        operator::create_shop(s, m, SHOP_B, "Shop B", "Europe/Riga")
            .await
            .unwrap();
        for (email, name, role) in [
            ("admin@test.example", "Ada Admin", Role::Admin),
            ("refunds@test.example", "Rita Refunds", Role::InfoRefunds),
            ("info@test.example", "Ivo Info", Role::InfoOnly),
        ] {
            for shop in [SHOP, SHOP_B] {
                operator::create_user(s, shop, email, name, role, Some(PASSWORD), false)
                    .await
                    .unwrap();
            }
        }
        let other = operator::create_merchant(s, "Other Merchant")
            .await
            .unwrap();
        operator::create_shop(s, other, OTHER_SHOP, "Other Shop", "Europe/Vilnius")
            .await
            .unwrap();
        operator::create_user(
            s,
            OTHER_SHOP,
            "other@test.example",
            "Otto Other",
            Role::Admin,
            Some(PASSWORD),
            false,
        )
        .await
        .unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn client() -> Client {
        // A request that hangs fails the test after a minute instead of stalling the suite.
        Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A client signed in as `who` (anonymous: no sign-in).
    pub async fn client_for(&self, who: Who) -> Client {
        let c = Self::client();
        if let Some(email) = who.email() {
            let r = self.sign_in(&c, email, PASSWORD).await;
            assert_eq!(
                r.status(),
                StatusCode::OK,
                "sign-in of {email}: {}",
                r.text().await.unwrap_or_default()
            );
        }
        c
    }

    pub async fn sign_in(&self, c: &Client, email: &str, password: &str) -> Response {
        self.call(c, "sign_in", &[("email", email), ("password", password)])
            .await
    }

    /// Calls a server function the way the browser's hydrated app does.
    pub async fn call(&self, c: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        c.post(self.url(&format!("/api/{endpoint}")))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Loads a page the way a browser navigation does.
    pub async fn page(&self, c: &Client, path: &str) -> Response {
        c.get(self.url(path))
            .header("Accept", "text/html")
            .send()
            .await
            .expect("request")
    }

    /// The mails sent so far, after sending every mail that waits in the outbox.
    pub async fn mails(&self) -> Vec<OutgoingMail> {
        self.flush_mail().await;
        self.state.mailer.sent()
    }

    /// Runs the named background job once, now, as the server's runner would; panics if
    /// the whole run failed (row failures are in the outcome).
    pub async fn run_job(&self, name: &str) -> app::server::infra::jobs::Outcome {
        use app::server::infra::jobs::{self, Ran};
        match jobs::run_once(&self.state, &app::server::jobs(), name)
            .await
            .expect("job runs")
        {
            Ran::Done(Ok(outcome)) => outcome,
            other => panic!("the {name} job did not run: {other:?}"),
        }
    }

    /// Sends the outbox's due mails now, as the mail job of a running server would.
    pub async fn flush_mail(&self) {
        use app::server::infra::jobs::{self, Ran};
        for _ in 0..500 {
            match jobs::run_once(&self.state, &app::server::jobs(), jobs::MAIL)
                .await
                .expect("mail job")
            {
                Ran::Done(Ok(o)) if o.done + o.failed == 0 => return,
                Ran::Done(_) => {}
                // Another run (the test's own worker) is sending: wait for it.
                Ran::Busy => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
        panic!("the outbox did not empty");
    }

    /// The first link to `path_prefix` in the newest mail to `to`.
    pub async fn link_in_mail(&self, to: &str, path_prefix: &str) -> String {
        let mail = self
            .mails()
            .await
            .into_iter()
            .rev()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("no mail to {to}"));
        let start_pat = format!("{}{}", self.base, path_prefix);
        let start = mail
            .text
            .find(&start_pat)
            .unwrap_or_else(|| panic!("no {start_pat} link in: {}", mail.text));
        let rest = &mail.text[start + self.base.len()..];
        let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        rest[..end].to_string()
    }

    /// Moves the manual clock forward to 10:00 in Tallinn (08:00 UTC) on `day`.
    pub fn at_day(&self, day: &str) {
        let target = format!("{day}T08:00:00Z")
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        let now = self.state.clock.now_ms();
        assert!(target >= now, "the clock only moves forward");
        self.state.clock.advance_ms(target - now);
    }

    pub async fn scalar(&self, sql: impl AsRef<str>) -> i64 {
        sqlx::query_scalar::<_, i64>(sql.as_ref())
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }

    /// The id of the shop with this slug.
    pub async fn merchant_of(&self, slug: &str) -> i64 {
        self.scalar(format!(
            "SELECT merchant_id FROM shops WHERE slug = '{slug}'"
        ))
        .await
    }

    pub async fn shop_id(&self, slug: &str) -> i64 {
        self.scalar(format!("SELECT id FROM shops WHERE slug = '{slug}'"))
            .await
    }

    /// A payment started in `shop-a` by a buyer with an e-mail, not yet approved.
    pub async fn new_payment(&self, cents: i64, channel: Channel, test_mode: bool) -> i64 {
        self.new_payment_in(SHOP, cents, channel, test_mode).await
    }

    pub async fn new_payment_in(
        &self,
        shop: &str,
        cents: i64,
        channel: Channel,
        test_mode: bool,
    ) -> i64 {
        transactions::create(
            &self.state,
            NewTransaction {
                shop_id: self.shop_id(shop).await,
                reference: format!("T-{}", random_suffix()),
                amount: Money::from_cents(cents),
                channel,
                test_mode,
                buyer_name: Some("Aino Korhonen".into()),
                buyer_email: Some("aino@example.fi".into()),
                buyer_ip: Some("192.0.2.1".into()),
                buyer_country: Some("FI".into()),
                description: None,
                from_link: None,
            },
        )
        .await
        .unwrap()
    }

    /// An approved payment in `shop-a`, its income, fees and VAT posted.
    pub async fn paid_payment(&self, cents: i64, channel: Channel) -> i64 {
        self.paid_payment_in(SHOP, cents, channel).await
    }

    /// An approved payment in `shop`.
    pub async fn paid_payment_in(&self, shop: &str, cents: i64, channel: Channel) -> i64 {
        let t = self.new_payment_in(shop, cents, channel, false).await;
        transactions::approve(&self.state, t).await.unwrap();
        t
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.state.clock.advance_ms(minutes * 60_000);
    }
}

/// Broken ledger rows: shops whose balance is not the sum of their movements, movements
/// whose balance-after is not the running sum up to them, the dashboard's paid totals per
/// quarter hour where they differ from the payments they count, the statement's totals per
/// block of postings where they differ from the movements, payouts whose PAYOUT
/// movement or count of payments is not theirs, and payouts of one shop whose ranges of
/// payments overlap (a payment paid out twice) or run backwards.
fn ledger_check() -> String {
    let covered = app::server::payouts::cover::covered_by("t.", "p.");
    format!(
        "{LEDGER_CHECK} + (SELECT COUNT(*) FROM payouts p WHERE p.payments <> \
        (SELECT COUNT(*) FROM transactions t WHERE t.shop_id = p.shop_id AND {covered})) \
      + (SELECT COUNT(*) FROM payouts p WHERE p.bank_to < p.bank_from OR p.card_to < p.card_from) \
      + (SELECT COUNT(*) FROM payouts a JOIN payouts b ON a.shop_id = b.shop_id AND a.id < b.id \
        AND ((a.bank_from < b.bank_to AND b.bank_from < a.bank_to) \
          OR (a.card_from < b.card_to AND b.card_from < a.card_to)))"
    )
}

const LEDGER_CHECK: &str = "SELECT \
    (SELECT COUNT(*) FROM shop_balances b WHERE b.balance_cents <> \
        (SELECT COALESCE(SUM(m.amount_cents), 0) FROM movements m WHERE m.shop_id = b.shop_id)) \
  + (SELECT COUNT(*) FROM (SELECT balance_after_cents, \
        SUM(amount_cents) OVER (PARTITION BY shop_id ORDER BY seq) AS running FROM movements) r \
     WHERE r.running <> r.balance_after_cents) \
  + (SELECT COUNT(*) FROM (SELECT shop_id, test_mode, created_at / 900000 AS quarter, COUNT(*) AS paid, \
        SUM(amount_cents) AS gross, SUM(net_cents) AS net FROM transactions WHERE paid_at IS NOT NULL \
        GROUP BY shop_id, test_mode, created_at / 900000) t \
     LEFT JOIN shop_paid_quarters q ON q.shop_id = t.shop_id AND q.test_mode = t.test_mode AND q.quarter = t.quarter \
     WHERE q.paid IS NULL OR q.paid <> t.paid OR q.gross_cents <> t.gross OR q.net_cents <> t.net) \
  + (SELECT COUNT(*) FROM shop_paid_quarters q WHERE (q.paid <> 0 OR q.gross_cents <> 0 OR q.net_cents <> 0) \
     AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.shop_id = q.shop_id AND t.test_mode = q.test_mode \
        AND t.created_at / 900000 = q.quarter AND t.paid_at IS NOT NULL)) \
  + (SELECT COUNT(*) FROM (SELECT shop_id, seq / 1024 AS block, kind, COUNT(*) AS entries, \
        SUM(CASE WHEN amount_cents < 0 THEN -amount_cents ELSE 0 END) AS debit, \
        SUM(CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END) AS credit \
        FROM movements GROUP BY shop_id, seq / 1024, kind) m \
     LEFT JOIN shop_movement_blocks b ON b.shop_id = m.shop_id AND b.block = m.block AND b.kind = m.kind \
     WHERE b.entries IS NULL OR b.entries <> m.entries OR b.debit_cents <> m.debit OR b.credit_cents <> m.credit) \
  + (SELECT COUNT(*) FROM shop_movement_blocks b WHERE NOT EXISTS (SELECT 1 FROM movements m \
        WHERE m.shop_id = b.shop_id AND m.seq / 1024 = b.block AND m.kind = b.kind)) \
  + (SELECT COUNT(*) FROM payouts p WHERE p.amount_cents <> -(SELECT COALESCE(SUM(m.amount_cents), 0) \
        FROM movements m WHERE m.payout_id = p.id AND m.kind = 'PAYOUT'))";

impl Drop for TestApp {
    /// Checks the ledger invariant after every test, then removes the test's database. Runs
    /// on a thread of its own: Drop cannot await, and the test's runtime is ending.
    fn drop(&mut self) {
        let url = self.state.db.url.clone();
        let pg_drop = self.pg_drop.take();
        let check = !std::thread::panicking();
        let broken = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut broken = 0;
                if check {
                    if let Ok(mut c) = sqlx::AnyConnection::connect(&url).await {
                        // A check that cannot run counts as broken.
                        broken = sqlx::query_scalar::<_, i64>(&ledger_check())
                            .fetch_one(&mut c)
                            .await
                            .unwrap_or_else(|e| {
                                eprintln!("the ledger check failed: {e}");
                                -1
                            });
                        let _ = c.close().await;
                    }
                }
                if let Some((admin_url, name)) = pg_drop {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                }
                broken
            })
        })
        .join()
        .unwrap_or(0);
        let _ = std::fs::remove_dir_all(&self.dir);
        assert_eq!(
            broken, 0,
            "the ledger does not add up: {broken} broken rows"
        );
    }
}

pub async fn body(r: Response) -> (StatusCode, HeaderMap, String) {
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap_or_default())
}

/// Skips the test (returns) when the PostgreSQL run has no server.
#[macro_export]
macro_rules! app {
    () => {
        match $crate::harness::TestApp::spawn().await {
            Some(a) => a,
            None => return,
        }
    };
}
