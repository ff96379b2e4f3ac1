//! IBANs as buyers type them: spaces allowed, any case; checked for the country's length and
//! the ISO 13616 mod-97 checksum, with a message that says what is wrong.

/// Lengths of the IBANs of the countries the provider's buyers bank in (SEPA and a few more).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("UA", 29),
    ("VA", 22),
];

/// A checked IBAN in its electronic form (no spaces, upper case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, String> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err("Enter your bank account number (IBAN).".into());
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("An IBAN has only letters and digits, e.g. FI21 1234 5600 0007 85.".into());
        }
        let country = s.get(..2).unwrap_or("");
        let Some((_, len)) = LENGTHS.iter().find(|(c, _)| *c == country) else {
            return Err(format!(
                "An IBAN starts with a country code such as FI or EE; \"{country}\" is not one we can pay to."
            ));
        };
        if s.len() != *len {
            return Err(format!(
                "A {country} IBAN has {len} characters; this one has {}.",
                s.len()
            ));
        }
        if !s[2..4].chars().all(|c| c.is_ascii_digit()) {
            return Err("The third and fourth characters of an IBAN are digits.".into());
        }
        let rearranged = format!("{}{}", &s[4..], &s[..4]);
        let mut rem: u32 = 0;
        for c in rearranged.chars() {
            let v = c.to_digit(36).unwrap_or(0);
            rem = if v >= 10 {
                (rem * 100 + v) % 97
            } else {
                (rem * 10 + v) % 97
            };
        }
        if rem != 1 {
            return Err("This IBAN has a typing error: its check digits do not match. Compare it with your bank's.".into());
        }
        Ok(Iban(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, as printed: `FI21 1234 5600 0007 85`.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_ibans_as_people_type_them() {
        for ok in [
            "FI21 1234 5600 0007 85",
            "fi2112345600000785",
            "EE38 2200 2210 2014 5685",
            "LV80BANK0000435195001",
            "LT12 1000 0111 0100 1000",
            "DE89 3704 0044 0532 0130 00",
        ] {
            let i = Iban::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!i.as_str().contains(' '));
        }
        assert_eq!(
            Iban::parse("fi2112345600000785").unwrap().grouped(),
            "FI21 1234 5600 0007 85"
        );
    }

    #[test]
    fn says_what_is_wrong() {
        for (bad, says) in [
            ("", "Enter"),
            ("FI21-1234-5600-0007-85", "only letters and digits"),
            ("XX21 1234 5600 0007 85", "country code"),
            ("FI21 1234 5600 0007 8", "18 characters"),
            ("FI22 1234 5600 0007 85", "check digits"),
            ("FIAB 1234 5600 0007 85", "digits"),
        ] {
            let e = Iban::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
