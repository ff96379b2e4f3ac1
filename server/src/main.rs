//! `portal`: the web server and the operator's command line.

use app::domain::Role;
use app::error::AppError;
use app::server::infra::clock::Clock;
use app::server::operations::operator;
use clap::{Parser, Subcommand};
use server::config::Settings;
use server::{build, MailChoice};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Merchant self-service portal of a payment service provider."
)]
#[command(
    after_help = "Settings come from PORTAL_* environment variables and an optional TOML file (PORTAL_CONFIG); see README.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum CalendarAction {
    /// Every closing day of a year that is not a weekend, and the exceptions.
    List {
        /// The year; this year when left out.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Close a day (no payouts), e.g. a holiday moved to it by decree.
    Close {
        /// YYYY-MM-DD
        date: String,
        #[arg(long)]
        note: String,
    },
    /// Open a national holiday for payouts after all (not a weekend or TARGET2 day).
    Open {
        /// YYYY-MM-DD
        date: String,
        #[arg(long)]
        note: String,
    },
    /// Remove a day's exception: the built-in calendar applies again.
    Clear {
        /// YYYY-MM-DD
        date: String,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Show each background job's last run (when, how long, rows done, errors) and the
    /// mails that could not be sent.
    Jobs,
    /// Create a merchant (a legal entity) and print its id.
    CreateMerchant {
        /// The merchant's legal name, e.g. "Näidis OÜ".
        #[arg(long)]
        name: String,
    },
    /// Create a shop of a merchant.
    CreateShop {
        /// Merchant id printed by create-merchant.
        #[arg(long)]
        merchant: i64,
        /// The shop's id in URLs: 3–40 characters of a–z, 0–9 and '-'.
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// IANA time zone; defaults to the configured one.
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// Create a user with a role in a shop (a merchant's first admin, usually). Without
    /// --password the user gets an invite link: e-mailed, or printed with --print-link.
    CreateUser {
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, info_refunds or info_only.
        #[arg(long, default_value = "admin")]
        role: String,
        /// Print the invite link instead of e-mailing it.
        #[arg(long)]
        print_link: bool,
    },
    /// Create the demo merchant with two shops and one user per role, and print the logins.
    Demo,
    /// The banking calendar payouts follow (PORTAL_BANK_COUNTRY): list a year's closing
    /// days, or close or open a day on top of the built-in holidays.
    Calendar {
        #[command(subcommand)]
        action: CalendarAction,
    },
    /// Set the address that gets a mail about every refund in a shop (empty: none).
    SetNotificationEmail {
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        #[arg(long)]
        email: String,
    },
    /// Set (or with an empty --email clear) the address the shop's fee invoices are mailed to.
    SetInvoiceEmail {
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        #[arg(long)]
        email: String,
    },
    /// Run the payouts of a banking day by hand (a missed day); a rerun pays nobody twice.
    RunPayouts {
        /// YYYY-MM-DD
        #[arg(long)]
        date: String,
    },
    /// The shops' requests to the provider (a new payout account, …): the waiting ones, or
    /// with --all every one.
    Requests {
        #[arg(long)]
        all: bool,
    },
    /// Apply a waiting request (a payout account request sets the shop's account) and tell
    /// the admin who asked.
    RequestDone {
        #[arg(long)]
        id: i64,
        /// A remark for the admin (optional).
        #[arg(long)]
        answer: Option<String>,
    },
    /// Activate a payment method for a shop (its waiting request is done and the admin who
    /// asked is told), e.g. --method visa or --method swedbank:LV.
    ActivateMethod {
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        /// The method: a card (visa, mastercard, maestro) or bank:COUNTRY (seb:EE).
        #[arg(long)]
        method: String,
    },
    /// Decline a waiting request, saying why; the admin who asked gets the answer.
    RequestDecline {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        answer: String,
    },
    /// Set a shop's payout bank account from its contract (IBAN and the holder's name).
    SetPayoutAccount {
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        /// The IBAN, spaces allowed: EE38 2200 2210 2014 5685.
        #[arg(long)]
        iban: String,
        /// The account holder's name.
        #[arg(long)]
        holder: String,
    },
    /// Set the most one payment link of a shop may ask for (10000.00 EUR unless changed).
    SetLinkLimit {
        /// The shop's slug.
        shop: String,
        /// In euros, with a dot or a decimal comma: 25000.00 or 25000,00.
        #[arg(allow_hyphen_values = true)]
        amount: String,
    },
    /// Set the smallest amount a buyer may pay through a payment method of a shop, or
    /// "default" for the price list's (the smallest amount whose fees leave something).
    SetMethodMinimum {
        /// The shop's slug.
        shop: String,
        /// The payment method, e.g. visa, swedbank, nordea.
        method: String,
        /// In euros with a dot or a decimal comma (0.50 or 0,50), or "default".
        #[arg(allow_hyphen_values = true)]
        amount: String,
    },
    /// Set a price list: the standard one, a merchant's negotiated one, or a special offer
    /// that ends on a date, after which the list before it applies again.
    SetPriceList {
        /// The merchant the list is for; without it, the standard list for everyone.
        #[arg(long)]
        merchant: Option<i64>,
        /// A time-limited special offer (needs --merchant and --until).
        #[arg(long)]
        special_offer: bool,
        #[arg(long)]
        name: String,
        /// Fee rule for bank links, e.g. "2.5%+0.30" or "1.9%+0.20 min 0.35".
        #[arg(long, default_value = "2.5%+0.30")]
        bank_links: String,
        /// Fee rule for cards.
        #[arg(long, default_value = "2.5%+0.30")]
        cards: String,
        /// Bill bank-link fees monthly instead of deducting them from each payment.
        #[arg(long)]
        bank_links_monthly: bool,
        /// Bill card fees monthly instead of deducting them from each payment.
        #[arg(long)]
        cards_monthly: bool,
        /// VAT on fees, in percent.
        #[arg(long, default_value = "20")]
        vat: String,
        /// First day (YYYY-MM-DD, configured time zone); default today.
        #[arg(long)]
        from: Option<String>,
        /// Day the special offer ends (YYYY-MM-DD); it no longer applies from that day on.
        #[arg(long)]
        until: Option<String>,
        /// Monthly account fee in EUR (cards or foreign bank links active); 0 waives it.
        #[arg(long, default_value = "10.00", allow_hyphen_values = true)]
        account_fee: String,
        /// Monthly fee in EUR in a month the shop modules were used.
        #[arg(long, default_value = "10.00", allow_hyphen_values = true)]
        plugin_fee: String,
        /// Monthly fee in EUR on top when the modules' logistics were used too.
        #[arg(long, default_value = "5.00", allow_hyphen_values = true)]
        logistics_fee: String,
    },
    /// Record what a shop used in a month that monthly fees charge for: the shop modules
    /// (--plugin) and their logistics functions (--logistics); neither flag: nothing.
    SetUsage {
        #[arg(long)]
        shop: String,
        /// YYYY-MM
        #[arg(long)]
        month: String,
        #[arg(long)]
        plugin: bool,
        #[arg(long)]
        logistics: bool,
    },
    /// Set what the fee invoices of a shop's merchant print under its name: its address
    /// (lines separated by ';') and VAT number; empty clears them.
    SetBillingDetails {
        #[arg(long)]
        shop: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        vat_number: String,
    },
    /// Run the billing steps that are due now (the month's fees on its last day, the VAT
    /// correction from the 1st); a rerun charges nothing twice.
    RunBilling,
    /// Add N payments spread over the last year to a shop, quickly (for benchmarks): the same
    /// rows and movements the payment service would make.
    Generate {
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        #[arg(long)]
        count: usize,
        /// Seed of the pseudo-random plan; the same seed makes the same payments.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Show the price list in force for a merchant now.
    PriceList {
        #[arg(long)]
        merchant: i64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("portal: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(settings.log_json);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portal: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command.unwrap_or(Command::Serve), settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portal: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn explain(e: AppError) -> String {
    match e {
        AppError::Validation(f) => {
            f.0.into_iter()
                .map(|(k, v)| format!("--{}: {v}", k.replace('_', "-")))
                .collect::<Vec<_>>()
                .join("\n")
        }
        other => other.to_string(),
    }
}

/// Like [`explain`], for commands whose inputs are positional arguments (`<shop> <amount>`).
fn explain_arguments(e: AppError) -> String {
    match e {
        AppError::Validation(f) => {
            f.0.into_iter()
                .map(|(k, v)| format!("<{k}>: {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        other => other.to_string(),
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), String> {
    let built = build(&settings, MailChoice::FromSettings, Clock::System)
        .await
        .map_err(|e| e.to_string())?;
    let state = built.state.clone();
    match command {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(settings.listen)
                .await
                .map_err(|e| {
                    format!("cannot listen on {} (PORTAL_LISTEN): {e}", settings.listen)
                })?;
            tracing::info!(address = %settings.listen, public_url = %settings.public_url, "portal is serving");
            eprintln!("Portal is running at {}", settings.public_base());
            // Only the server runs background jobs; the other commands never start them.
            app::server::infra::jobs::spawn_all(&state, app::server::jobs());
            server::serve(built, listener)
                .await
                .map_err(|e| e.to_string())
        }
        Command::Calendar { action } => {
            use app::server::payouts::calendar;
            match action {
                CalendarAction::List { year } => {
                    let year = year.unwrap_or_else(|| {
                        jiff::Timestamp::from_millisecond(state.clock.now_ms())
                            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).year().into())
                            .unwrap_or(2026)
                    });
                    let (closed, exceptions) =
                        calendar::year(&state, year).await.map_err(explain)?;
                    println!(
                        "banking calendar {} {year}: closed on weekdays",
                        state.bank_country
                    );
                    for (d, why) in closed {
                        println!("{d}  {why}");
                    }
                    for e in exceptions {
                        let what = if e.open { "opened" } else { "closed" };
                        println!("exception {}: {what} ({})", e.day, e.note);
                    }
                }
                CalendarAction::Close { date, note } => {
                    let d = calendar::set(&state, &date, false, &note)
                        .await
                        .map_err(explain_arguments)?;
                    println!("{d} closed: no payouts that day");
                }
                CalendarAction::Open { date, note } => {
                    let d = calendar::set(&state, &date, true, &note)
                        .await
                        .map_err(explain_arguments)?;
                    println!("{d} opened: a banking day");
                }
                CalendarAction::Clear { date } => {
                    if calendar::clear(&state, &date)
                        .await
                        .map_err(explain_arguments)?
                    {
                        println!("{date}: the built-in calendar applies again");
                    } else {
                        println!("{date} had no exception");
                    }
                }
            }
            Ok(())
        }
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::Jobs => {
            print!(
                "{}",
                jobs_report(&state, &settings.time_zone)
                    .await
                    .map_err(explain)?
            );
            Ok(())
        }
        Command::CreateMerchant { name } => {
            let id = operator::create_merchant(&state, &name)
                .await
                .map_err(explain)?;
            println!("{id}");
            Ok(())
        }
        Command::CreateShop {
            merchant,
            slug,
            name,
            time_zone,
        } => {
            let tz = time_zone.unwrap_or_else(|| settings.time_zone.clone());
            operator::create_shop(&state, merchant, &slug, &name, &tz)
                .await
                .map_err(explain)?;
            println!(
                "shop {slug} created: {}/shops/{slug}",
                settings.public_base()
            );
            Ok(())
        }
        Command::SetNotificationEmail { shop, email } => {
            operator::set_notification_email(&state, &shop, Some(&email))
                .await
                .map_err(explain)?;
            if email.trim().is_empty() {
                println!("shop {shop}: no refund notices");
            } else {
                println!("shop {shop}: refund notices go to {}", email.trim());
            }
            Ok(())
        }
        Command::SetInvoiceEmail { shop, email } => {
            operator::set_shop_mail(&state, &shop, operator::ShopMail::Invoices, Some(&email))
                .await
                .map_err(explain)?;
            if email.trim().is_empty() {
                println!("shop {shop}: invoices are not mailed");
            } else {
                println!("shop {shop}: invoices go to {}", email.trim());
            }
            Ok(())
        }
        Command::RunPayouts { date } => {
            let day = app::domain::calendar::Day::parse(&date)
                .ok_or("--date: give the day as YYYY-MM-DD")?;
            let r = app::server::payouts::run::run(&state, day)
                .await
                .map_err(explain)?;
            println!(
                "payouts of {day}: {} paid ({}), {} waiting, {} paid already{}",
                r.paid,
                app::domain::Money::from_cents(r.total_cents),
                r.waiting,
                r.skipped,
                r.file
                    .map(|f| format!("; transfer file {f}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        Command::Requests { all } => {
            let rows = app::server::requests::for_operator(&state, all)
                .await
                .map_err(explain)?;
            if rows.is_empty() {
                println!(
                    "{}",
                    if all {
                        "No requests yet."
                    } else {
                        "No requests are waiting."
                    }
                );
            }
            for r in rows {
                println!(
                    "{}  {}  {}  {}  asked {} by {}{}{}",
                    r.id,
                    r.state,
                    r.shop,
                    r.what,
                    r.requested_at,
                    r.requested_by,
                    if r.note.is_empty() {
                        String::new()
                    } else {
                        format!("\n    note: {}", r.note)
                    },
                    r.answer
                        .map(|a| format!("\n    answer: {a}"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::RequestDone { id, answer } => {
            let done = app::server::requests::decide(&state, id, true, answer.as_deref())
                .await
                .map_err(explain)?;
            println!("{done}");
            Ok(())
        }
        Command::ActivateMethod { shop, method } => {
            let done = app::server::settings::methods::activate_by_operator(&state, &shop, &method)
                .await
                .map_err(explain)?;
            println!("{done}");
            Ok(())
        }
        Command::RequestDecline { id, answer } => {
            let done = app::server::requests::decide(&state, id, false, Some(&answer))
                .await
                .map_err(explain)?;
            println!("{done}");
            Ok(())
        }
        Command::SetPayoutAccount { shop, iban, holder } => {
            let before = operator::set_payout_account(&state, &shop, &iban, &holder)
                .await
                .map_err(explain)?;
            println!(
                "shop {shop}: payouts go to {} ({})",
                app::domain::iban::Iban::parse(&iban)
                    .map(|i| i.grouped())
                    .unwrap_or(iban),
                holder.trim()
            );
            if let Some(b) = before {
                println!("(before: {b})");
            }
            Ok(())
        }
        Command::SetLinkLimit { shop, amount } => {
            let (before, after) = operator::set_link_limit(&state, &shop, &amount)
                .await
                .map_err(explain_arguments)?;
            println!("shop {shop}: payment links up to {after} EUR (was {before} EUR)");
            Ok(())
        }
        Command::SetMethodMinimum {
            shop,
            method,
            amount,
        } => {
            let minimum = match amount.trim() {
                "default" => None,
                typed => {
                    Some(operator::operator_amount(typed, "amount").map_err(explain_arguments)?)
                }
            };
            let now = app::server::payments::minimums::set(&state, &shop, &method, minimum)
                .await
                .map_err(explain_arguments)?;
            let how = if minimum.is_some() {
                "set by the operator"
            } else {
                "from the price list"
            };
            match now {
                Some(m) => println!("shop {shop}: {method} takes payments from {m} EUR ({how})"),
                None => println!("shop {shop}: {method} can take no payment under the price list"),
            }
            Ok(())
        }
        Command::CreateUser {
            shop,
            email,
            name,
            role,
            print_link,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                format!("--role: {role:?} must be admin, info_refunds or info_only")
            })?;
            let created =
                operator::create_user(&state, &shop, &email, &name, role, None, !print_link)
                    .await
                    .map_err(explain)?;
            match (created.invite_link, print_link) {
                (Some(link), true) => println!("Invite link (valid 7 days): {link}"),
                (Some(_), false) => {
                    // The invite is queued in the outbox; send it now rather than wait for
                    // the server's mail job.
                    use app::server::infra::jobs::{self, Ran};
                    match jobs::run_once(&state, &app::server::jobs(), jobs::MAIL).await.map_err(explain)? {
                        Ran::Done(Ok(o)) if o.failed == 0 => println!("Invite e-mailed to {email}."),
                        _ => println!(
                            "Invite for {email} queued: it could not be sent yet, and the server's mail job will try again (see portal jobs)."
                        ),
                    }
                }
                (None, _) => println!(
                    "{email} already has a password and now has the role {} in {shop}.",
                    role.label()
                ),
            }
            Ok(())
        }
        Command::SetPriceList {
            merchant,
            special_offer,
            name,
            bank_links,
            cards,
            bank_links_monthly,
            cards_monthly,
            vat,
            from,
            until,
            account_fee,
            plugin_fee,
            logistics_fee,
        } => {
            let fee = |flag: &str, v: &str| {
                app::domain::Money::parse(v.trim()).map_err(|m| format!("--{flag}: {m}"))
            };
            let monthly = app::domain::billing::MonthlyFees {
                account: fee("account-fee", &account_fee)?,
                plugin: fee("plugin-fee", &plugin_fee)?,
                logistics: fee("logistics-fee", &logistics_fee)?,
            };
            let spec = operator::PriceListSpec {
                merchant_id: merchant,
                special_offer,
                name,
                bank_links,
                cards,
                bank_links_monthly,
                cards_monthly,
                vat_percent: vat,
                from,
                until,
            };
            let id = operator::set_price_list(&state, spec)
                .await
                .map_err(explain)?;
            let mut conn = state.db.pool.acquire().await.map_err(|e| e.to_string())?;
            app::server::ledger::price_lists::set_monthly(&mut conn, id, &monthly)
                .await
                .map_err(explain)?;
            println!("price list {id} recorded");
            Ok(())
        }
        Command::SetUsage {
            shop,
            month,
            plugin,
            logistics,
        } => {
            app::server::billing::usage::set(&state, &shop, &month, plugin, logistics)
                .await
                .map_err(explain)?;
            println!(
                "shop {shop}, {month}: {}",
                match (plugin, logistics) {
                    (true, true) => "shop modules and their logistics used",
                    (true, false) => "shop modules used",
                    _ => "no modules used",
                }
            );
            Ok(())
        }
        Command::SetBillingDetails {
            shop,
            address,
            vat_number,
        } => {
            app::server::billing::details::set(&state, &shop, &address, &vat_number)
                .await
                .map_err(explain)?;
            println!("the merchant of shop {shop}: billing details set");
            Ok(())
        }
        Command::RunBilling => {
            let o = app::server::billing::monthly::run_due(&state)
                .await
                .map_err(explain)?;
            println!(
                "billing: {} shops charged or corrected, {} failed",
                o.done, o.failed
            );
            for e in o.errors {
                println!("  {e}");
            }
            Ok(())
        }
        Command::Generate { shop, count, seed } => {
            if count == 0 || count > 10_000_000 {
                return Err("--count: give a number of payments from 1 to 10000000".into());
            }
            let shop_id: Option<i64> = sqlx::query_scalar("SELECT id FROM shops WHERE slug = $1")
                .bind(&shop)
                .fetch_optional(&state.db.pool)
                .await
                .map_err(|e| e.to_string())?;
            let shop_id = shop_id.ok_or_else(|| format!("--shop: no shop has id {shop:?}"))?;
            let started = std::time::Instant::now();
            let plan = app::server::operations::demo_payments::bulk_plan(
                seed,
                count,
                state.clock.now_ms(),
            );
            let n = app::server::operations::generate::bulk_insert(&state, shop_id, plan)
                .await
                .map_err(explain)?;
            println!(
                "{n} payments added to {shop} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::PriceList { merchant } => {
            let mut conn = state.db.pool.acquire().await.map_err(|e| e.to_string())?;
            let (id, list) = app::server::ledger::price_lists::in_force(
                &mut conn,
                merchant,
                state.clock.now_ms(),
            )
            .await
            .map_err(explain)?;
            let show = |r: &app::domain::fees::FeeRule| {
                let min = r.minimum.map(|m| format!(" min {m}")).unwrap_or_default();
                let billing = match r.billing {
                    app::domain::fees::Billing::Deducted => "deducted from each payment",
                    app::domain::fees::Billing::Monthly => "billed monthly",
                };
                format!("{}% + {}{min} EUR, {billing}", r.percent, r.fixed)
            };
            println!(
                "price list: {}",
                id.map(|i| i.to_string())
                    .unwrap_or_else(|| "built-in standard".into())
            );
            println!("bank links: {}", show(&list.bank_links));
            println!("cards:      {}", show(&list.cards));
            println!("VAT on fees: {}%", list.vat_percent);
            let monthly = app::server::ledger::price_lists::monthly_of(&mut conn, id)
                .await
                .map_err(explain)?;
            println!(
                "monthly:    account {} EUR, shop modules {} EUR, logistics {} EUR (each + VAT)",
                monthly.account, monthly.plugin, monthly.logistics
            );
            Ok(())
        }
        Command::Demo => {
            let link = operator::demo(&state).await.map_err(explain)?;
            println!(
                "Demo merchant \"Demo Merchant OÜ\" with shops {}:",
                operator::DEMO_SHOPS.map(|s| s.0).join(" and ")
            );
            for l in operator::DEMO_LOGINS {
                println!("  {:<24} {:<24} {}", l.email, l.password, l.role.label());
            }
            println!("A test payment link, to try the payment page and the test bank: {link}");
            println!(
                "  (its payments are test payments: in the portal, choose \"View test data\" to see them)"
            );
            Ok(())
        }
    }
}

/// What `portal jobs` prints: every job's last run, then the outbox's waiting and failed mails.
async fn jobs_report(state: &app::server::AppState, tz: &str) -> Result<String, AppError> {
    use app::server::infra::{jobs, outbox};
    use std::fmt::Write;
    let when = |ms: i64| format!("{} ({tz})", app::server::format_time(ms, tz));
    let mut out = String::new();
    for j in jobs::status(state, &app::server::jobs()).await? {
        let _ = write!(out, "{:<24}", j.name);
        match (j.last_started_at, j.last_outcome.as_deref()) {
            (None, _) => out.push_str("never ran\n"),
            (Some(at), None) => {
                let _ = writeln!(
                    out,
                    "running since {} on {}",
                    when(at),
                    j.lease_holder.as_deref().unwrap_or("?")
                );
            }
            (Some(at), Some(outcome)) => {
                let outcome = match outcome {
                    "ok" => "ok".to_string(),
                    "row_errors" => format!("{} row(s) failed and were skipped", j.last_failed),
                    _ => "failed".to_string(),
                };
                let _ = writeln!(
                    out,
                    "last run {}, {} ms, {} row(s) done, {outcome}; {} run(s)",
                    when(at),
                    j.last_duration_ms.unwrap_or(0),
                    j.last_done,
                    j.runs
                );
                if j.lease_holder.is_some() {
                    let _ = writeln!(out, "{:<24}running again now", "");
                }
            }
        }
        for e in j.last_errors.iter().flat_map(|e| e.lines()) {
            let _ = writeln!(out, "{:<24}error: {e}", "");
        }
    }
    let (failed, pending) = outbox::failed_and_pending(state).await?;
    let _ = writeln!(out, "\nmails waiting to be sent: {pending}");
    if failed.is_empty() {
        out.push_str("mails that could not be sent: none\n");
    } else {
        let _ = writeln!(out, "mails that could not be sent ({}):", failed.len());
        for m in failed {
            let _ = writeln!(
                out,
                "  mail {} to {} \"{}\", queued {}, given up {} after {} attempts: {}",
                m.id,
                m.recipient,
                m.subject,
                when(m.created_at),
                when(m.failed_at),
                m.attempts,
                m.last_error.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(out)
}
