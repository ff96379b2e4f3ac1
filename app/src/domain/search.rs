//! How search compares text: the application folds both the stored fields and the typed
//! term (Unicode lowercase, in Rust), and the database only compares the folded strings.
//! Neither database's `LOWER()` is used: SQLite's folds ASCII only and PostgreSQL's depends
//! on the server's locale, so "Õie", "šķēle", "Ąžuolas" or "АННА" would find different
//! payments on each. Diacritics are kept: "oie" does not find "Õie", as a merchant reading
//! the name expects.

/// Separates the fields in a stored search text. A typed term cannot contain it (it is a
/// control character, see [`term`]), so a term never matches across two fields.
pub const FIELD_SEPARATOR: char = '\n';

/// Text folded for comparison: Unicode lowercase ("ŠĶĒLE" → "šķēle", "АННА" → "анна").
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// The stored search text of a row: its fields (absent ones empty) folded, one per line.
pub fn search_text(fields: &[Option<&str>]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(FIELD_SEPARATOR);
        }
        out.push_str(&fold(f.unwrap_or("")).replace(char::is_control, " "));
    }
    out
}

/// The longest search term a list takes.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Checks a typed search term: not too long, and no control characters (a NUL, a tab or a
/// line break cannot occur in stored text and would cut the term short in some databases).
pub fn check_term(q: &str) -> Result<(), String> {
    if q.chars().count() > MAX_SEARCH_CHARS {
        return Err(format!("Search for at most {MAX_SEARCH_CHARS} characters."));
    }
    if q.chars().any(char::is_control) {
        return Err(
            "Remove the control character (such as a tab, a line break or a NUL) from the search."
                .into(),
        );
    }
    Ok(())
}

/// The shortest text term the payments' search takes. Indexes find text by its three-letter
/// pieces (trigrams); a term of one or two letters has none, so it would read every payment
/// of the shop (0.4–0.9 s at a million payments). A number of any length still finds the
/// payment with that id.
pub const MIN_SEARCH_CHARS: usize = 3;

/// As [`check_term`], for the payments' search: also at least [`MIN_SEARCH_CHARS`]
/// characters after trimming, unless the term is a payment's number.
pub fn check_payment_term(q: &str) -> Result<(), String> {
    check_term(q)?;
    let t = q.trim();
    let number = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if !t.is_empty() && !number && t.chars().count() < MIN_SEARCH_CHARS {
        return Err(format!(
            "Search for at least {MIN_SEARCH_CHARS} characters, or for a payment's number."
        ));
    }
    Ok(())
}

/// A typed term, trimmed and folded; `None` when nothing is left or when it holds a control
/// character (no stored text can contain one).
pub fn term(q: &str) -> Option<String> {
    let q = q.trim();
    if q.is_empty() || q.chars().any(char::is_control) {
        return None;
    }
    Some(fold(q))
}

/// A `LIKE` pattern that finds `folded` anywhere, with `%`, `_` and `\` taken literally
/// (escape character `\`).
pub fn like_infix(folded: &str) -> String {
    let mut p = String::from("%");
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_term_is_limited_and_free_of_control_characters() {
        assert!(check_term("Õie").is_ok());
        assert!(check_term(&"x".repeat(MAX_SEARCH_CHARS)).is_ok());
        assert!(check_term(&"x".repeat(MAX_SEARCH_CHARS + 1))
            .unwrap_err()
            .contains("at most 200"));
        for bad in ["a\0b", "a\tb", "a\nb"] {
            assert!(
                check_term(bad).unwrap_err().contains("control character"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_payment_search_needs_three_characters_or_a_number() {
        for ok in ["Õie", "ab1", "7", "42", "  abc  ", ""] {
            assert!(check_payment_term(ok).is_ok(), "{ok:?}");
        }
        for short in ["Õ", "zq", " a ", "4a", "-1"] {
            assert!(
                check_payment_term(short)
                    .unwrap_err()
                    .contains("at least 3 characters"),
                "{short:?}"
            );
        }
        assert!(check_payment_term("a\0b").unwrap_err().contains("control"));
    }

    #[test]
    fn baltic_and_cyrillic_letters_fold_like_ascii() {
        assert_eq!(fold("Õie ÄÖÜ"), "õie äöü");
        assert_eq!(fold("ŠĶĒLE"), "šķēle");
        assert_eq!(fold("ĄŽUOLAS Ėė"), "ąžuolas ėė");
        assert_eq!(fold("АННА"), "анна");
        assert_eq!(term("  АННА "), Some("анна".into()));
        // Diacritics are kept.
        assert_ne!(fold("Õie"), "oie");
    }

    #[test]
    fn fields_are_lines_and_terms_cannot_span_them() {
        assert_eq!(
            search_text(&[Some("INV-1"), None, Some("Ann@X.ee")]),
            "inv-1\n\nann@x.ee"
        );
        assert_eq!(search_text(&[Some("a\nb")]), "a b");
        assert_eq!(term("1\nann"), None);
        assert_eq!(term("   "), None);
    }

    #[test]
    fn wildcards_are_literal() {
        assert_eq!(like_infix("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
