//! The buyer's languages. Texts live in `app/locales/{code}.ftl`, one `key = text` per line
//! with `{ $name }` placeholders (the simple-message subset of Fluent, so translators' tools
//! read them); a test checks that every file has every key with the same placeholders.
//!
//! Hand-written rather than a Fluent crate: the buyer's pages use only plain messages with
//! named values (no plurals or selectors), and this keeps the wasm bundle free of a runtime.

use crate::domain::Money;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A language of the payment page and the buyer's e-mails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    Et,
    Lv,
    Lt,
    En,
    Ru,
}

const FILES: [(Lang, &str); 5] = [
    (Lang::Et, include_str!("../locales/et.ftl")),
    (Lang::Lv, include_str!("../locales/lv.ftl")),
    (Lang::Lt, include_str!("../locales/lt.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::Ru, include_str!("../locales/ru.ftl")),
];

impl Lang {
    /// In the order the switcher shows them.
    pub const ALL: [Lang; 5] = [Lang::Et, Lang::Lv, Lang::Lt, Lang::En, Lang::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Et => "et",
            Lang::Lv => "lv",
            Lang::Lt => "lt",
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The language's own name (from the form's list of languages), for the switcher.
    pub fn name(self) -> &'static str {
        crate::domain::payment_link::language_name(self.code()).unwrap_or("")
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .filter_map(|tag| Lang::parse(tag.split('-').next().unwrap_or("")))
            .next()
    }

    /// The text of `key`; the key itself if it is missing (the test keeps that from happening).
    pub fn t(self, key: &str) -> String {
        catalog(self)
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The text of `key` with its `{ $name }` placeholders filled in.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        fill(&self.t(key), args)
    }

    /// An amount as readers of this language write it: `€1,234.50` in English,
    /// `1 234,50 €` in the others (groups split by a narrow no-break space).
    pub fn money(self, m: Money) -> String {
        let s = m.human();
        match self {
            Lang::En => {
                let body = s.trim_end_matches("\u{a0}€").replace('\u{202f}', ",");
                match body.strip_prefix('\u{2212}') {
                    Some(b) => format!("\u{2212}€{b}"),
                    None => format!("€{body}"),
                }
            }
            _ => s.replace('.', ","),
        }
    }
}

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static CATALOGS: OnceLock<HashMap<Lang, HashMap<String, String>>> = OnceLock::new();
    let all = CATALOGS.get_or_init(|| {
        FILES
            .iter()
            .map(|(l, text)| (*l, parse(text).unwrap_or_default()))
            .collect()
    });
    &all[&lang]
}

/// Reads one language file: `key = text` lines, `#` comments, blank lines.
pub fn parse(text: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected `key = text`", n + 1))?;
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!("line {}: {key:?} is not a valid key", n + 1));
        }
        if out
            .insert(key.to_string(), value.trim().to_string())
            .is_some()
        {
            return Err(format!("line {}: {key} appears twice", n + 1));
        }
    }
    Ok(out)
}

/// Fills the `{ $name }` placeholders of `template` in one pass over it: a value is copied
/// as it is, so a merchant named `{ $amount }` stays that name instead of being expanded by
/// the next placeholder. A placeholder without a value is left as written.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find("{ $") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        match after.split_once(" }") {
            Some((name, tail))
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[start..start + 3 + name.len() + 2]),
                }
                rest = tail;
            }
            _ => {
                out.push_str("{ $");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{ $name }` placeholders of a text, sorted.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split("{ $")
        .skip(1)
        .filter_map(|rest| rest.split_once(" }").map(|(name, _)| name.to_string()))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders() {
        let en = parse(FILES[3].1).unwrap();
        assert!(en.len() > 50, "the English file looks truncated");
        for (lang, text) in FILES {
            let cat = parse(text).unwrap_or_else(|e| panic!("{}.ftl: {e}", lang.code()));
            for (key, value) in &en {
                let theirs = cat
                    .get(key)
                    .unwrap_or_else(|| panic!("{}.ftl lacks {key}", lang.code()));
                assert!(!theirs.is_empty(), "{}.ftl: {key} is empty", lang.code());
                assert_eq!(
                    placeholders(theirs),
                    placeholders(value),
                    "{}.ftl: {key} has other placeholders than English",
                    lang.code()
                );
            }
            for key in cat.keys() {
                assert!(
                    en.contains_key(key),
                    "{}.ftl has an unknown key {key}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn the_code_and_the_files_agree_on_the_keys() {
        // Keys are written literally in the code; find them in the sources and check each.
        let en = parse(FILES[3].1).unwrap();
        let sources = [
            include_str!("pages/pay.rs"),
            include_str!("pages/test_bank.rs"),
            include_str!("server/payments/pay_mail.rs"),
        ];
        let mut seen = 0;
        for src in sources {
            for call in [".t(\"", ".tf(\""] {
                for piece in src.split(call).skip(1) {
                    if let Some((key, _)) = piece.split_once('"') {
                        seen += 1;
                        assert!(
                            en.contains_key(key),
                            "the code uses {key:?}, which no file has"
                        );
                    }
                }
            }
        }
        assert!(seen > 10);
        // And every text of the files is used (country names are looked up by their code).
        for key in en.keys().filter(|k| !k.starts_with("country-")) {
            let quoted = format!("\"{key}\"");
            assert!(
                sources.iter().any(|src| src.contains(&quoted)),
                "no code uses {key}: remove it from the language files"
            );
        }
    }

    #[test]
    fn the_page_offers_the_languages_a_link_may_have_in_the_same_order() {
        let codes: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
        let form: Vec<&str> = crate::domain::payment_link::LANGUAGES
            .iter()
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(codes, form);
        assert_eq!(Lang::Lv.name(), "Latviešu");
    }

    #[test]
    fn placeholders_are_filled_in_one_pass() {
        // A value that looks like a placeholder is not expanded again.
        assert_eq!(
            fill(
                "{ $merchant } asks for { $amount }",
                &[("merchant", "{ $amount } OÜ"), ("amount", "€5.00")]
            ),
            "{ $amount } OÜ asks for €5.00"
        );
        assert_eq!(
            fill("{ $amount }{ $amount }", &[("amount", "1")]),
            "11",
            "every occurrence"
        );
        assert_eq!(fill("{ $x } and { $", &[]), "{ $x } and { $");
        assert_eq!(fill("no placeholders", &[("a", "b")]), "no placeholders");
        assert_eq!(
            Lang::En.tf("pay-title", &[("merchant", "{ $merchant }")]),
            "Payment to { $merchant }"
        );
    }

    #[test]
    fn languages_parse_and_amounts_read_naturally() {
        assert_eq!(Lang::parse("LV"), Some(Lang::Lv));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(
            Lang::from_accept_language("de-DE,lt;q=0.8,en;q=0.5"),
            Some(Lang::Lt)
        );
        let m = Money::from_cents(123_450);
        assert_eq!(Lang::En.money(m), "€1,234.50");
        assert_eq!(Lang::Lv.money(m), "1\u{202f}234,50\u{a0}€");
        assert_eq!(Lang::En.money(Money::from_cents(-5)), "\u{2212}€0.05");
        assert_eq!(
            Lang::En.tf("pay-title", &[("merchant", "Kiosk OÜ")]),
            "Payment to Kiosk OÜ"
        );
    }
}
