//! Typed settings from a TOML file and `PORTAL_*` environment variables (the environment
//! wins). A bad value stops start-up with a message naming the setting.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub listen: SocketAddr,
    /// Base of every link in e-mails; its origin is the only one allowed to post forms.
    pub public_url: url::Url,
    /// `smtp://user:pass@host:587?tls=required` or `smtps://…`; unset: mails become files.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Whether the session cookie is `Secure`; by default true exactly when `public_url` is https.
    pub cookie_secure: bool,
    pub time_zone: String,
    /// The country whose public holidays close the banking calendar of payouts, besides
    /// weekends and TARGET2 closing days: `EE` (Estonia, the default).
    pub bank_country: String,
    /// The provider's name and the IBAN payouts are paid from (the debtor of the SEPA
    /// credit transfer files).
    pub provider_name: String,
    pub provider_iban: String,
    /// The provider's address as its fee invoices print it, line by line (the setting
    /// separates lines with `;`), and its VAT number.
    pub provider_address: Vec<String>,
    pub provider_vat_number: Option<String>,
    /// Below this (in cents) a payout waits for more money: 1.00 EUR unless changed.
    pub payout_minimum_cents: i64,
    /// Where the provider's operators get the shops' requests (bank account, domain and
    /// legal-entity changes); unset, requests are only recorded and `portal requests`
    /// lists them.
    pub operator_email: Option<String>,
    /// Whether a shop's test notification may go to private, loopback and other non-public
    /// addresses (an installation inside a private network, or tests): false unless set.
    pub notify_allow_private: bool,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// How many exports may run at once; more are answered "busy, try again" (429).
    pub export_limit: i64,
    /// The connector that carries live payments: `none` (the default: live links say the
    /// shop cannot take payments yet) or `test-bank` (demos only: live payments then go
    /// through the simulated bank, and every page says so).
    pub live_connector: LiveConnector,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    /// The hashes of the browser files' names that cargo-leptos writes (`hash.txt` next to
    /// the binary unless set); without the file, names are plain and revalidated.
    pub hash_file: PathBuf,
    pub log_json: bool,
}

/// Which connector carries live payments (see [`Settings::live_connector`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LiveConnector {
    #[default]
    None,
    TestBank,
}

#[derive(Debug, thiserror::Error)]
#[error("setting {setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn err(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_string(),
        message: message.into(),
    }
}

/// The file form; every key is optional and has the same meaning as its variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    cookie_secure: Option<String>,
    time_zone: Option<String>,
    bank_country: Option<String>,
    provider_name: Option<String>,
    provider_iban: Option<String>,
    provider_address: Option<String>,
    provider_vat_number: Option<String>,
    payout_minimum: Option<String>,
    operator_email: Option<String>,
    notify_allow_private: Option<String>,
    session_idle_minutes: Option<String>,
    session_max_hours: Option<String>,
    export_limit: Option<String>,
    live_connector: Option<String>,
    data_dir: Option<String>,
    site_root: Option<String>,
    hash_file: Option<String>,
    log_format: Option<String>,
}

/// Names of all settings: `PORTAL_<NAME>` in the environment, `<name>` in the file.
pub const NAMES: [&str; 23] = [
    "database_url",
    "listen",
    "public_url",
    "smtp_url",
    "mail_from",
    "cookie_secure",
    "time_zone",
    "bank_country",
    "provider_name",
    "provider_iban",
    "provider_address",
    "provider_vat_number",
    "payout_minimum",
    "operator_email",
    "notify_allow_private",
    "session_idle_minutes",
    "session_max_hours",
    "export_limit",
    "live_connector",
    "data_dir",
    "site_root",
    "hash_file",
    "log_format",
];

impl Settings {
    /// Reads `PORTAL_CONFIG` (or `portal.toml` if present), then the environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::from_sources(&env)
    }

    pub fn from_sources(env: &[(String, String)]) -> Result<Settings, ConfigError> {
        let get_env = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let file_path = get_env("PORTAL_CONFIG").map(PathBuf::from).or_else(|| {
            let p = PathBuf::from("portal.toml");
            p.exists().then_some(p)
        });
        let file: FileSettings = match &file_path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    err("PORTAL_CONFIG", format!("cannot read {}: {e}", p.display()))
                })?;
                toml::from_str(&text)
                    .map_err(|e| err("PORTAL_CONFIG", format!("{}: {e}", p.display())))?
            }
            None => FileSettings::default(),
        };
        let file_value = |name: &str| -> Option<String> {
            match name {
                "database_url" => file.database_url.clone(),
                "listen" => file.listen.clone(),
                "public_url" => file.public_url.clone(),
                "smtp_url" => file.smtp_url.clone(),
                "mail_from" => file.mail_from.clone(),
                "cookie_secure" => file.cookie_secure.clone(),
                "time_zone" => file.time_zone.clone(),
                "bank_country" => file.bank_country.clone(),
                "provider_name" => file.provider_name.clone(),
                "provider_iban" => file.provider_iban.clone(),
                "provider_address" => file.provider_address.clone(),
                "provider_vat_number" => file.provider_vat_number.clone(),
                "payout_minimum" => file.payout_minimum.clone(),
                "operator_email" => file.operator_email.clone(),
                "notify_allow_private" => file.notify_allow_private.clone(),
                "session_idle_minutes" => file.session_idle_minutes.clone(),
                "session_max_hours" => file.session_max_hours.clone(),
                "export_limit" => file.export_limit.clone(),
                "live_connector" => file.live_connector.clone(),
                "data_dir" => file.data_dir.clone(),
                "site_root" => file.site_root.clone(),
                "hash_file" => file.hash_file.clone(),
                "log_format" => file.log_format.clone(),
                _ => None,
            }
        };
        // (setting name for messages, value)
        let get = |name: &str| -> Option<(String, String)> {
            let var = format!("PORTAL_{}", name.to_uppercase());
            get_env(&var)
                .filter(|v| !v.is_empty())
                .map(|v| (var, v))
                .or_else(|| file_value(name).map(|v| (name.to_string(), v)))
        };
        let data_dir = PathBuf::from(
            get("data_dir")
                .map(|(_, v)| v)
                .unwrap_or_else(|| "data".into()),
        );
        let database_url = match get("database_url") {
            Some((name, v)) => {
                if !(v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://"))
                {
                    return Err(err(
                        &name,
                        format!("{v:?} is neither sqlite:… nor postgres://…"),
                    ));
                }
                v
            }
            None => format!("sqlite://{}/portal.db", data_dir.display()),
        };
        let listen_raw = get("listen")
            .or_else(|| get_env("LEPTOS_SITE_ADDR").map(|v| ("LEPTOS_SITE_ADDR".into(), v)))
            .unwrap_or(("PORTAL_LISTEN".into(), "127.0.0.1:3000".into()));
        let listen: SocketAddr = listen_raw.1.parse().map_err(|_| {
            err(
                &listen_raw.0,
                format!("{:?} is not an address like 127.0.0.1:3000", listen_raw.1),
            )
        })?;
        let (pu_name, pu) =
            get("public_url").unwrap_or(("PORTAL_PUBLIC_URL".into(), format!("http://{listen}")));
        let public_url = url::Url::parse(pu.trim_end_matches('/'))
            .map_err(|e| err(&pu_name, format!("{pu:?} is not a URL: {e}")))?;
        if !matches!(public_url.scheme(), "http" | "https") || public_url.host().is_none() {
            return Err(err(
                &pu_name,
                format!("{pu:?} must be an http:// or https:// address"),
            ));
        }
        let smtp_url = match get("smtp_url") {
            Some((name, v)) => {
                if !(v.starts_with("smtp://") || v.starts_with("smtps://")) {
                    return Err(err(&name, "must start with smtp:// or smtps://"));
                }
                Some(v)
            }
            None => None,
        };
        let mail_from = get("mail_from")
            .map(|(_, v)| v)
            .unwrap_or_else(|| "Portal <portal@localhost.localdomain>".into());
        if let Some((name, v)) = get("mail_from") {
            v.parse::<lettre::message::Mailbox>()
                .map_err(|e| err(&name, format!("{v:?} is not an address: {e}")))?;
        }
        let cookie_secure = match get("cookie_secure") {
            None => public_url.scheme() == "https",
            Some((name, v)) => match v.as_str() {
                "true" => true,
                "false" => false,
                "auto" => public_url.scheme() == "https",
                _ => return Err(err(&name, format!("{v:?} must be true, false or auto"))),
            },
        };
        let time_zone = match get("time_zone") {
            Some((name, v)) => {
                jiff::tz::TimeZone::get(&v).map_err(|_| {
                    err(
                        &name,
                        format!("{v:?} is not an IANA time zone such as Europe/Tallinn"),
                    )
                })?;
                v
            }
            None => "Europe/Tallinn".into(),
        };
        let bank_country = match get("bank_country") {
            None => "EE".to_string(),
            Some((name, v)) => {
                let code = v.trim().to_uppercase();
                if app::domain::calendar::country_rules(&code).is_none() {
                    return Err(err(
                        &name,
                        format!("{v:?}: the banking calendar of this build knows EE (Estonia)"),
                    ));
                }
                code
            }
        };
        let provider_name = get("provider_name")
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "Portal Payments AS".into());
        let provider_iban = match get("provider_iban") {
            None => "EE382200221020145685".to_string(),
            Some((name, v)) => app::domain::iban::Iban::parse(&v)
                .map_err(|m| err(&name, m))?
                .as_str()
                .to_string(),
        };
        let payout_minimum_cents = match get("payout_minimum") {
            None => 100,
            Some((name, v)) => match app::domain::Money::parse(v.trim()) {
                Ok(m) if m.cents() >= 1 => m.cents(),
                _ => {
                    return Err(err(
                        &name,
                        format!("{v:?} must be an amount in euros of at least 0.01, e.g. 1.00"),
                    ))
                }
            },
        };
        let provider_address: Vec<String> = get("provider_address")
            .map(|(_, v)| {
                v.split(';')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let provider_vat_number = get("provider_vat_number")
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let operator_email = match get("operator_email") {
            None => None,
            Some((name, v)) => Some(
                app::domain::validate::Email::parse(&v)
                    .map_err(|m| err(&name, m))?
                    .as_str()
                    .to_string(),
            ),
        };
        let notify_allow_private = match get("notify_allow_private") {
            None => false,
            Some((name, v)) => match v.trim() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err(err(&name, format!("{v:?} must be true, false, 1 or 0"))),
            },
        };
        let number = |name: &str,
                      default: i64,
                      range: std::ops::RangeInclusive<i64>|
         -> Result<i64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some((setting, v)) => match v.parse::<i64>() {
                    Ok(n) if range.contains(&n) => Ok(n),
                    _ => Err(err(
                        &setting,
                        format!(
                            "{v:?} must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    )),
                },
            }
        };
        let session_idle_minutes = number("session_idle_minutes", 30, 1..=1440)?;
        let session_max_hours = number("session_max_hours", 12, 1..=720)?;
        let export_limit = number("export_limit", 4, 1..=64)?;
        let site_root = PathBuf::from(
            get("site_root")
                .map(|(_, v)| v)
                .or_else(|| get_env("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".into()),
        );
        let hash_file = get("hash_file")
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(crate::assets::default_hash_file);
        let live_connector = match get("live_connector") {
            None => LiveConnector::None,
            Some((_, v)) if v == "none" => LiveConnector::None,
            Some((_, v)) if v == "test-bank" => LiveConnector::TestBank,
            Some((name, v)) => {
                return Err(err(
                    &name,
                    format!("{v:?} must be none or test-bank (the only connector this build has)"),
                ))
            }
        };
        let log_json = match get("log_format") {
            None => false,
            Some((_, v)) if v == "text" => false,
            Some((_, v)) if v == "json" => true,
            Some((name, v)) => return Err(err(&name, format!("{v:?} must be text or json"))),
        };
        Ok(Settings {
            database_url,
            listen,
            public_url,
            smtp_url,
            mail_from,
            cookie_secure,
            time_zone,
            bank_country,
            provider_name,
            provider_iban,
            provider_address,
            provider_vat_number,
            payout_minimum_cents,
            operator_email,
            notify_allow_private,
            session_idle_minutes,
            session_max_hours,
            export_limit,
            live_connector,
            data_dir,
            site_root,
            hash_file,
            log_json,
        })
    }

    /// `scheme://host[:port]` of the public URL.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// The public URL without a trailing slash, for building links.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_on_sqlite_at_port_3000() {
        let s = Settings::from_sources(&env(&[])).unwrap();
        assert_eq!(s.database_url, "sqlite://data/portal.db");
        assert_eq!(s.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(s.public_origin(), "http://127.0.0.1:3000");
        assert!(!s.cookie_secure);
        assert_eq!(s.session_idle_minutes, 30);
        assert_eq!(s.session_max_hours, 12);
        assert_eq!(s.bank_country, "EE");
        assert_eq!(s.payout_minimum_cents, 100);
        let s = Settings::from_sources(&env(&[("PORTAL_PAYOUT_MINIMUM", "2,50")])).unwrap();
        assert_eq!(s.payout_minimum_cents, 250);
        assert_eq!(s.operator_email, None);
        let s = Settings::from_sources(&env(&[("PORTAL_OPERATOR_EMAIL", "Ops@Provider.example")]))
            .unwrap();
        assert_eq!(s.operator_email.as_deref(), Some("ops@provider.example"));
        assert!(Settings::from_sources(&env(&[("PORTAL_OPERATOR_EMAIL", "ops")])).is_err());
        assert!(!s.notify_allow_private);
        for (v, allowed) in [("true", true), ("1", true), ("false", false), ("0", false)] {
            let s = Settings::from_sources(&env(&[("PORTAL_NOTIFY_ALLOW_PRIVATE", v)])).unwrap();
            assert_eq!(s.notify_allow_private, allowed, "{v}");
        }
        assert!(s.provider_address.is_empty() && s.provider_vat_number.is_none());
        let s = Settings::from_sources(&env(&[
            ("PORTAL_PROVIDER_ADDRESS", " Õismäe tee 1 ; 13512 Tallinn;"),
            ("PORTAL_PROVIDER_VAT_NUMBER", " EE100000001 "),
        ]))
        .unwrap();
        assert_eq!(s.provider_address, ["Õismäe tee 1", "13512 Tallinn"]);
        assert_eq!(s.provider_vat_number.as_deref(), Some("EE100000001"));
    }

    #[test]
    fn https_makes_cookies_secure() {
        let s = Settings::from_sources(&env(&[(
            "PORTAL_PUBLIC_URL",
            "https://portal.example.com/",
        )]))
        .unwrap();
        assert!(s.cookie_secure);
        assert_eq!(s.public_base(), "https://portal.example.com");
    }

    #[test]
    fn bad_values_name_the_setting() {
        for (k, v) in [
            ("PORTAL_LISTEN", "localhost"),
            ("PORTAL_DATABASE_URL", "mysql://x"),
            ("PORTAL_PUBLIC_URL", "ftp://x"),
            ("PORTAL_TIME_ZONE", "Mars/Olympus"),
            ("PORTAL_SESSION_IDLE_MINUTES", "0"),
            ("PORTAL_COOKIE_SECURE", "yes"),
            ("PORTAL_SMTP_URL", "mail.example.com"),
            ("PORTAL_MAIL_FROM", "not an address"),
            ("PORTAL_BANK_COUNTRY", "XX"),
            ("PORTAL_PROVIDER_IBAN", "EE38 2200 2210 2014 5686"),
            ("PORTAL_PAYOUT_MINIMUM", "0"),
            ("PORTAL_PAYOUT_MINIMUM", "lots"),
            ("PORTAL_NOTIFY_ALLOW_PRIVATE", "yes"),
        ] {
            let e = Settings::from_sources(&env(&[(k, v)])).unwrap_err();
            assert_eq!(e.setting, k, "{e}");
        }
    }
}
