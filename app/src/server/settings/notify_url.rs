//! The shop's notification URL: where the provider posts about each payment to the shop's
//! own server. Admins check it with a test notification: a sample payment notice posted to
//! the saved address, answered with the status and the answer's first kilobyte.
//!
//! The portal calls an address its merchants typed in, so it guards its own network: the
//! host is resolved once, every address it resolves to must be public (unless the operator
//! allows private targets), and the request goes to exactly the address that was checked.
//! Redirects are reported, not followed; the whole call is bounded by [`TIMEOUT`].

use crate::error::{AppError, AppResult};
use crate::model::settings::NotificationTest;
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::AppState;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::time::{timeout_at, Instant};
use url::{Host, Url};

/// The longest a test notification waits, connecting and answer together.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How much of the answer the result shows.
pub const BODY_START_BYTES: usize = 1024;
pub const URL_MAX_CHARS: usize = 500;

/// Checks a notification URL as typed: empty is none; otherwise an absolute http(s) address
/// with a host and without a user name or password.
pub fn parse_url(input: &str) -> Result<Option<Url>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > URL_MAX_CHARS {
        return Err(format!(
            "This address is too long: at most {URL_MAX_CHARS} characters."
        ));
    }
    let full = "Enter the full address of your server, starting with https://, \
                e.g. https://shop.example/payments/notify.";
    let url = Url::parse(s).map_err(|_| full.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("The address must start with https:// (or http://).".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(full.into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Remove the user name and password (user:password@) from the address.".into());
    }
    Ok(Some(url))
}

/// Why the provider would not call this address, or `None` for a public one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    let why = if a == 0 {
        "an unspecified address"
    } else if ip.is_loopback() {
        "a loopback address"
    } else if ip.is_private() {
        "a private address"
    } else if ip.is_link_local() {
        "a link-local address"
    } else if a == 100 && (64..128).contains(&b) {
        "a shared (carrier-grade NAT) address"
    } else if ip.is_broadcast() {
        "a broadcast address"
    } else if ip.is_multicast() {
        "a multicast address"
    } else if a >= 240 {
        "a reserved address"
    } else {
        return None;
    };
    Some(why)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_public_v4(v4);
    }
    let first = ip.segments()[0];
    let why = if ip.is_unspecified() {
        "an unspecified address"
    } else if ip.is_loopback() {
        "a loopback address"
    } else if first & 0xffc0 == 0xfe80 {
        "a link-local address"
    } else if first & 0xfe00 == 0xfc00 {
        "a private (unique-local) address"
    } else if first & 0xffc0 == 0xfec0 {
        "a private (site-local) address"
    } else if ip.is_multicast() {
        "a multicast address"
    } else {
        return None;
    };
    Some(why)
}

/// Sends the test notification to the shop's saved URL and records it in the audit log.
pub async fn send_test(state: &AppState, a: &ShopAccess) -> AppResult<NotificationTest> {
    let saved: Option<String> =
        sqlx::query_scalar("SELECT notification_url FROM shops WHERE id = $1")
            .bind(a.shop_id)
            .fetch_one(&state.db.pool)
            .await?;
    let url = match parse_url(saved.as_deref().unwrap_or_default()) {
        Ok(Some(url)) => url,
        Ok(None) => {
            return Err(AppError::field(
                "notification_url",
                "Save a notification URL first; the test goes to the saved address.",
            ))
        }
        Err(m) => return Err(AppError::field("notification_url", m)),
    };
    let now = state.clock.now_ms();
    let result = deliver(&url, &sample(a, now), state.notify_allow_private).await?;
    audit::record(
        &state.db.pool,
        AuditEvent {
            // The outcome starts with the status code when the server answered.
            detail: Some(format!("{} → {}", result.url, result.outcome)),
            ..AuditEvent::in_shop("notification_test", a, now)
        },
    )
    .await?;
    Ok(result)
}

/// The shop's last test notification in words, from the audit log: the page shows it after
/// a plain form post (without JavaScript) and after a reload.
pub async fn last_test(state: &AppState, a: &ShopAccess) -> AppResult<Option<String>> {
    let last: Option<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT at, actor_email, detail FROM audit_events \
         WHERE shop_id = $1 AND kind = 'notification_test' ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(a.shop_id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(last.map(|(at, who, detail)| {
        let tz = jiff::tz::TimeZone::get(&a.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let when = jiff::Timestamp::from_millisecond(at)
            .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        format!(
            "Last test, {when} {}, by {}: {}",
            a.time_zone,
            who.unwrap_or_default(),
            detail.unwrap_or_default()
        )
    }))
}

/// An obviously-test payment notice for this shop.
fn sample(a: &ShopAccess, now_ms: i64) -> serde_json::Value {
    let at = jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| t.to_string())
        .unwrap_or_default();
    serde_json::json!({
        "test": true,
        "description": "A test notification sent from the portal's settings: no payment happened.",
        "shop": { "id": a.shop_id, "slug": a.shop_slug },
        "transaction_id": format!("test-{:016x}", crate::server::new_id()),
        "amount": "12.50",
        "currency": "EUR",
        "status": "approved",
        "created_at": at,
    })
}

fn refused_or_none(addrs: &[SocketAddr], allow_private: bool) -> Option<String> {
    if allow_private {
        return None;
    }
    addrs.iter().find_map(|s| {
        non_public(s.ip()).map(|why| {
            format!(
                "Refused: {} is {why}; the provider only calls public addresses.",
                s.ip()
            )
        })
    })
}

/// Posts `payload` to `url` under the rules in the module's docs; every way it can go is a
/// result, so that the admin reads what happened.
async fn deliver(
    url: &Url,
    payload: &serde_json::Value,
    allow_private: bool,
) -> AppResult<NotificationTest> {
    let started = Instant::now();
    let deadline = started + TIMEOUT;
    let mut result = NotificationTest {
        url: url.to_string(),
        status: None,
        outcome: String::new(),
        body_start: String::new(),
        truncated: false,
        elapsed_ms: 0,
    };
    let finish = |mut r: NotificationTest, outcome: String| {
        r.outcome = outcome;
        r.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(r)
    };
    let no_answer = format!("No answer within {} seconds.", TIMEOUT.as_secs());
    let port = url.port_or_known_default().unwrap_or(443);
    let (domain, addrs) = match url.host() {
        Some(Host::Domain(d)) => {
            match timeout_at(deadline, tokio::net::lookup_host((d, port))).await {
                Err(_) => return finish(result, no_answer),
                Ok(Ok(found)) => (Some(d.to_string()), found.collect::<Vec<_>>()),
                Ok(Err(_)) => (Some(d.to_string()), Vec::new()),
            }
        }
        Some(Host::Ipv4(ip)) => (None, vec![SocketAddr::new(ip.into(), port)]),
        Some(Host::Ipv6(ip)) => (None, vec![SocketAddr::new(ip.into(), port)]),
        None => (None, Vec::new()),
    };
    let Some(&target) = addrs.first() else {
        let host = url.host_str().unwrap_or_default();
        return finish(
            result,
            format!("Could not find {host}: check the address; the name does not resolve."),
        );
    };
    if let Some(refusal) = refused_or_none(&addrs, allow_private) {
        return finish(result, refusal);
    }
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent("Portal test notification")
        .timeout(TIMEOUT);
    if let Some(d) = &domain {
        // The request goes to the address just checked, not to a second lookup's answer.
        client = client.resolve(d, target);
    }
    let client = client.build().map_err(crate::server::internal)?;
    let sent = timeout_at(deadline, client.post(url.clone()).json(payload).send()).await;
    let mut answer = match sent {
        Err(_) => return finish(result, no_answer),
        Ok(Err(e)) if e.is_timeout() => return finish(result, no_answer),
        Ok(Err(e)) if e.is_connect() => {
            return finish(
                result,
                format!("Could not connect to {target}: {}.", root_cause(&e)),
            )
        }
        Ok(Err(e)) => return finish(result, format!("The call failed: {}.", root_cause(&e))),
        Ok(Ok(answer)) => answer,
    };
    let status = answer.status();
    result.status = Some(status.as_u16());
    let mut outcome = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default()
    )
    .trim_end()
    .to_string();
    if status.is_redirection() {
        let to = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
            .unwrap_or_else(|| "(none)".into());
        outcome.push_str(&format!(
            " — the provider does not follow redirects; Location: {to}"
        ));
    }
    // Read at most one byte past the kilobyte shown, to know whether there was more.
    let mut body = Vec::with_capacity(BODY_START_BYTES + 1);
    while body.len() <= BODY_START_BYTES {
        match timeout_at(deadline, answer.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                let room = BODY_START_BYTES + 1 - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(Ok(None)) => break,
            Ok(Err(e)) if !e.is_timeout() => {
                outcome.push_str(" (the answer broke off)");
                break;
            }
            _ => {
                outcome.push_str(&format!(
                    " (the answer did not finish within {} seconds)",
                    TIMEOUT.as_secs()
                ));
                break;
            }
        }
    }
    result.truncated = body.len() > BODY_START_BYTES;
    body.truncate(BODY_START_BYTES);
    result.body_start = String::from_utf8_lossy(&body).into_owned();
    finish(result, outcome)
}

/// The innermost cause, e.g. "Connection refused (os error 111)" or "invalid peer
/// certificate: UnknownIssuer": what the admin can act on.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(ip: &str) -> Option<&'static str> {
        non_public(ip.parse().unwrap())
    }

    #[test]
    fn only_public_addresses_are_called() {
        for (ip, kind) in [
            ("127.0.0.1", "a loopback address"),
            ("127.8.9.10", "a loopback address"),
            ("10.1.2.3", "a private address"),
            ("172.16.0.1", "a private address"),
            ("172.31.255.254", "a private address"),
            ("192.168.1.1", "a private address"),
            ("169.254.169.254", "a link-local address"),
            ("100.64.0.1", "a shared (carrier-grade NAT) address"),
            ("100.127.255.254", "a shared (carrier-grade NAT) address"),
            ("0.0.0.0", "an unspecified address"),
            ("255.255.255.255", "a broadcast address"),
            ("224.0.0.1", "a multicast address"),
            ("::1", "a loopback address"),
            ("::", "an unspecified address"),
            ("fe80::1", "a link-local address"),
            ("febf::1", "a link-local address"),
            ("fc00::1", "a private (unique-local) address"),
            ("fd12:3456::1", "a private (unique-local) address"),
            ("ff02::1", "a multicast address"),
            ("::ffff:127.0.0.1", "a loopback address"),
            ("::ffff:10.0.0.1", "a private address"),
            ("::ffff:169.254.1.1", "a link-local address"),
            ("::ffff:100.64.0.1", "a shared (carrier-grade NAT) address"),
        ] {
            assert_eq!(why(ip), Some(kind), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "93.184.216.34",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "192.169.0.1",
            "2a00:1450:4001::200e",
            "::ffff:93.184.216.34",
        ] {
            assert_eq!(why(ip), None, "{ip}");
        }
    }

    #[test]
    fn a_refusal_names_the_first_non_public_address() {
        let addrs: Vec<SocketAddr> = vec![
            "93.184.216.34:443".parse().unwrap(),
            "[::1]:443".parse().unwrap(),
        ];
        assert_eq!(
            refused_or_none(&addrs, false).as_deref(),
            Some("Refused: ::1 is a loopback address; the provider only calls public addresses.")
        );
        assert_eq!(refused_or_none(&addrs, true), None);
        assert_eq!(refused_or_none(&addrs[..1], false), None);
    }

    #[test]
    fn the_url_is_checked_with_a_message_naming_what_to_fix() {
        assert_eq!(parse_url("  ").unwrap(), None);
        let ok = parse_url(" https://Shop.example/payments/notify?x=1 ").unwrap();
        assert_eq!(
            ok.map(String::from).as_deref(),
            Some("https://shop.example/payments/notify?x=1")
        );
        assert!(parse_url("http://127.0.0.1:8080/").unwrap().is_some());
        for (bad, words) in [
            ("shop.example/notify", "starting with https://"),
            ("/payments/notify", "starting with https://"),
            ("ftp://shop.example/", "must start with https://"),
            ("mailto:a@shop.example", "must start with https://"),
            (
                "https://user:secret@shop.example/",
                "user name and password",
            ),
            ("https://user@shop.example/", "user name and password"),
            ("https://shop.example:99999/", "starting with https://"),
        ] {
            let m = parse_url(bad).unwrap_err();
            assert!(m.contains(words), "{bad}: {m}");
        }
        let long = format!("https://shop.example/{}", "a".repeat(URL_MAX_CHARS));
        assert!(parse_url(&long).unwrap_err().contains("at most 500"));
    }
}
