use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 1024;
pub const NAME_MAX_CHARS: usize = 100;

/// Messages per form field, each saying what to fix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Records `result`'s error under `field` and hands back its value.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }
}

/// An e-mail address, trimmed and lower-cased, with one `@` and a dotted domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, String> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter an e-mail address.".into());
        }
        if s.len() > 254 {
            return Err("This e-mail address is too long (at most 254 characters).".into());
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("Enter an e-mail address like name@example.com.".into());
        };
        let ok_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c == '<' || c == '>');
        if !ok_domain || !ok_local {
            return Err("Enter an e-mail address like name@example.com.".into());
        }
        Ok(Email(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the length rule. The old password never goes through this:
/// whatever was accepted once must keep working.
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Password, String> {
        let n = input.chars().count();
        if n < PASSWORD_MIN_CHARS {
            return Err(format!(
                "Use at least {PASSWORD_MIN_CHARS} characters (this one has {n})."
            ));
        }
        if n > PASSWORD_MAX_CHARS {
            return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
        }
        Ok(Password(input.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Checks a new password and its confirmation together.
pub fn new_password(errors: &mut FieldErrors, password: &str, confirm: &str) -> Option<Password> {
    let p = errors.check("password", Password::parse(password))?;
    if password != confirm {
        errors.add(
            "confirm",
            "The two passwords differ: type the same password twice.",
        );
        return None;
    }
    Some(p)
}

/// A person's display name: trimmed, 1–100 characters, no control characters.
pub fn person_name(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Enter a name.".into());
    }
    if s.chars().count() > NAME_MAX_CHARS {
        return Err(format!("Use at most {NAME_MAX_CHARS} characters."));
    }
    if s.chars().any(char::is_control) {
        return Err("Remove the line breaks or control characters.".into());
    }
    Ok(s.to_string())
}

/// A web shop's domain as a person types it (`https://Shop.example/` is `shop.example`):
/// letters, digits and hyphens in dot-separated labels, a top-level domain of letters.
pub fn domain_name(input: &str) -> Result<String, String> {
    let s = input.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.trim_end_matches('/');
    if s.is_empty() {
        return Err("Enter the shop's domain, e.g. shop.example.".into());
    }
    let labels: Vec<&str> = s.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    if s.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(format!(
            "{:?} is not a domain: write it as shop.example (no path; punycode for letters outside a-z).",
            input.trim()
        ));
    }
    Ok(s.to_string())
}

/// A company's registry code as its register prints it: 5 to 15 letters or digits (spaces
/// and hyphens dropped), e.g. 12345678 in Estonia, 40003000000 in Latvia.
pub fn registry_code(input: &str) -> Result<String, String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    if !(5..=15).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "{:?} is not a registry code: 5 to 15 letters or digits, e.g. 12345678.",
            input.trim()
        ));
    }
    Ok(s)
}

/// A VAT number: the country's two letters and 2 to 13 letters or digits (`EE100000001`);
/// spaces are dropped. Empty: none.
pub fn vat_number(input: &str) -> Result<Option<String>, String> {
    let v: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() >= 4
        && v.len() <= 15
        && v.chars().take(2).all(|c| c.is_ascii_uppercase())
        && v.chars().skip(2).all(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(format!(
            "{input:?} is not a VAT number: two letters of the country, then its digits, e.g. EE100000001."
        ));
    }
    Ok(Some(v))
}

/// The most addresses a shop's notification list holds.
pub const NOTIFY_MAX: usize = 5;

/// A list of e-mail addresses as a person types it — separated by commas, semicolons,
/// spaces or lines — each checked, duplicates dropped, at most [`NOTIFY_MAX`]. Empty: none.
pub fn email_list(input: &str) -> Result<Vec<Email>, String> {
    let mut out: Vec<Email> = Vec::new();
    for part in input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let e = Email::parse(part).map_err(|m| format!("{part:?}: {m}"))?;
        if !out.contains(&e) {
            out.push(e);
        }
    }
    if out.len() > NOTIFY_MAX {
        return Err(format!("Give at most {NOTIFY_MAX} addresses."));
    }
    Ok(out)
}

/// A contact phone number: digits with an optional leading `+` and spaces, dashes or
/// brackets between, 5–15 digits. Empty: none.
pub fn phone(input: &str) -> Result<Option<String>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let ok_chars = s.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    if !ok_chars || !(5..=15).contains(&digits) {
        return Err(
            "Enter a phone number like +372 5555 1234 (digits, spaces, a leading +).".into(),
        );
    }
    Ok(Some(s.split_whitespace().collect::<Vec<_>>().join(" ")))
}

/// Where to go after signing in: only a path on this site, else the start page. A path must
/// start with one `/` followed by neither `/` nor `\` (browsers read `//host` and `/\host`
/// as another host) and hold no backslash or control character (browsers drop tabs and
/// newlines, so `/<TAB>/host` becomes `//host`; CR/LF would break the redirect header).
pub fn safe_next(next: Option<&str>) -> String {
    let ok = |n: &str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !n.chars().any(|c| c == '\\' || c.is_control())
    };
    match next {
        Some(n) if ok(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_lists_and_phones_are_checked() {
        let l = email_list("Orders@Shop.ee, acc@shop.ee;\norders@shop.ee").unwrap();
        assert_eq!(
            l.iter().map(Email::as_str).collect::<Vec<_>>(),
            ["orders@shop.ee", "acc@shop.ee"]
        );
        assert!(email_list("  ").unwrap().is_empty());
        let e = email_list("a@shop.ee, not-an-address").unwrap_err();
        assert!(e.contains("\"not-an-address\""), "{e}");
        assert!(email_list("a@x.ee b@x.ee c@x.ee d@x.ee e@x.ee f@x.ee").is_err());
        assert_eq!(
            phone(" +372  5555 1234 ").unwrap().as_deref(),
            Some("+372 5555 1234")
        );
        assert_eq!(phone("").unwrap(), None);
        assert!(phone("12").is_err());
        assert!(phone("555-CALL-ME").is_err());
        assert!(phone("37+2 5555").is_err());
    }

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        for good in [
            "/",
            "/shops/a/transactions?status=approved",
            "/account#x",
            "/a/b//c",
        ] {
            assert_eq!(safe_next(Some(good)), good, "{good:?}");
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "/\tevil",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\nSet-Cookie: x=1",
            "/a\\b",
            "/%09\u{7f}",
            "https://evil.example/",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.ee",
            "ann@localhost",
            "a b@x.ee",
            "ann@x..ee",
            "ann@.x.ee",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("elevenchars").is_err());
        assert!(Password::parse("twelve chars").is_ok());
        assert!(Password::parse(&"õ".repeat(12)).is_ok());
        assert!(Password::parse(&"x".repeat(1024)).is_ok());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn confirmation_must_match() {
        let mut e = FieldErrors::default();
        assert!(new_password(&mut e, "correct horse battery", "correct horse batterY").is_none());
        assert!(e.get("confirm").is_some());
        let mut e = FieldErrors::default();
        assert!(new_password(&mut e, "correct horse battery", "correct horse battery").is_some());
        assert!(e.is_empty());
    }

    #[test]
    fn names() {
        assert_eq!(person_name("  Mari Maasikas ").unwrap(), "Mari Maasikas");
        assert!(person_name(" ").is_err());
        assert!(person_name("a\nb").is_err());
        assert!(person_name(&"a".repeat(101)).is_err());
    }

    #[test]
    fn domains_and_registry_codes_are_read_as_people_type_them() {
        assert_eq!(
            domain_name(" https://Shop.Example/ ").unwrap(),
            "shop.example"
        );
        assert!(domain_name("pood.näide.ee").is_err());
        for bad in [
            "",
            "shop",
            "shop..ee",
            "-shop.ee",
            "shop.e",
            "shop.ee/path",
            "shop.123",
        ] {
            assert!(domain_name(bad).is_err(), "{bad}");
        }
        assert_eq!(registry_code("1234 5678").unwrap(), "12345678");
        assert_eq!(registry_code("40003-000000").unwrap(), "40003000000");
        assert!(registry_code("123").is_err());
        assert!(registry_code("1234/5678").is_err());
    }
}
