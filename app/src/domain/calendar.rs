//! The banking calendar payouts run on: no payouts on Saturdays, Sundays, TARGET2 closing
//! days (1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December), nor the public
//! holidays of the provider's country.
//!
//! Holidays are data: a small table of rules per country (a fixed date, or a day counted
//! from Easter Sunday), plus dates an operator adds or lifts, because some governments move
//! working days by decree. Holiday crates cover neither the Baltics nor years past 2030;
//! Easter is computed (the anonymous Gregorian algorithm), so every year works.
//!
//! Dates are plain civil dates ([`Day`]); this module does no I/O and compiles for the
//! browser too.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A civil date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Day {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Day> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Day { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Day> {
        let mut parts = s.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Day::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Day {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Day { year, month, day }
    }

    pub fn plus(self, days: i64) -> Day {
        Day::from_days(self.to_days() + days)
    }

    /// 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        ((self.to_days() + 3).rem_euclid(7) + 1) as u8
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 6
    }

    pub fn first_of_month(self) -> Day {
        Day { day: 1, ..self }
    }

    pub fn last_of_month(self) -> Day {
        Day {
            day: days_in_month(self.year, self.month),
            ..self
        }
    }

    /// The first day of the next month.
    pub fn next_month(self) -> Day {
        self.last_of_month().plus(1)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm of Meeus, Jones and
/// Butcher).
pub fn easter_sunday(year: i32) -> Day {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Day {
        year,
        month: month as u8,
        day: day as u8,
    }
}

/// A closing day that comes back every year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The same date every year.
    Fixed {
        month: u8,
        day: u8,
        name: &'static str,
    },
    /// A day counted from Easter Sunday (−2 Good Friday, +1 Easter Monday, +49 Pentecost).
    Easter { offset: i64, name: &'static str },
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Fixed { name, .. } | Rule::Easter { name, .. } => name,
        }
    }

    /// The rule's date in `year`.
    pub fn in_year(self, year: i32) -> Option<Day> {
        match self {
            Rule::Fixed { month, day, .. } => Day::new(year, month, day),
            Rule::Easter { offset, .. } => Some(easter_sunday(year).plus(offset)),
        }
    }
}

const fn fixed(month: u8, day: u8, name: &'static str) -> Rule {
    Rule::Fixed { month, day, name }
}

const fn easter(offset: i64, name: &'static str) -> Rule {
    Rule::Easter { offset, name }
}

/// The days SEPA credit transfers do not settle in euro anywhere.
pub const TARGET2: [Rule; 6] = [
    fixed(1, 1, "New Year's Day (TARGET2 closed)"),
    easter(-2, "Good Friday (TARGET2 closed)"),
    easter(1, "Easter Monday (TARGET2 closed)"),
    fixed(5, 1, "Labour Day (TARGET2 closed)"),
    fixed(12, 25, "Christmas Day (TARGET2 closed)"),
    fixed(12, 26, "Boxing Day (TARGET2 closed)"),
];

/// Estonia's public holidays (Public Holidays and Days of National Importance Act).
pub const ESTONIA: [Rule; 12] = [
    fixed(1, 1, "New Year's Day"),
    fixed(2, 24, "Independence Day"),
    easter(-2, "Good Friday"),
    easter(0, "Easter Sunday"),
    fixed(5, 1, "Spring Day"),
    easter(49, "Pentecost"),
    fixed(6, 23, "Victory Day"),
    fixed(6, 24, "Midsummer Day"),
    fixed(8, 20, "Day of Restoration of Independence"),
    fixed(12, 24, "Christmas Eve"),
    fixed(12, 25, "Christmas Day"),
    fixed(12, 26, "Boxing Day"),
];

/// The countries whose holiday table is built in, by ISO code. Others are added here as a
/// table, and any year's exceptions (days moved by decree) with the operator's command.
pub fn country_rules(code: &str) -> Option<&'static [Rule]> {
    match code {
        "EE" => Some(&ESTONIA),
        _ => None,
    }
}

/// One country's banking calendar: weekends, TARGET2 and the country's holidays, with the
/// dates an operator closed or opened on top (a holiday moved by decree).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub country: String,
    rules: Vec<Rule>,
    /// Extra closing days.
    pub closed: BTreeSet<Day>,
    /// National holidays that are working days after all (never a weekend or a TARGET2
    /// closing day: SEPA does not settle then).
    pub opened: BTreeSet<Day>,
}

impl Calendar {
    /// The built-in calendar of a country (`None` for one without a table).
    pub fn of(country: &str) -> Option<Calendar> {
        Some(Calendar {
            country: country.to_string(),
            rules: country_rules(country)?.to_vec(),
            closed: BTreeSet::new(),
            opened: BTreeSet::new(),
        })
    }

    /// Why no payout is made on `d`, or `None` on a banking day.
    pub fn closed_because(&self, d: Day) -> Option<&'static str> {
        if d.weekday() == 6 {
            return Some("Saturday");
        }
        if d.weekday() == 7 {
            return Some("Sunday");
        }
        if let Some(r) = TARGET2.iter().find(|r| r.in_year(d.year) == Some(d)) {
            return Some(r.name());
        }
        if self.closed.contains(&d) {
            return Some("Closed by the provider");
        }
        if self.opened.contains(&d) {
            return None;
        }
        self.rules
            .iter()
            .find(|r| r.in_year(d.year) == Some(d))
            .map(|r| r.name())
    }

    pub fn is_banking_day(&self, d: Day) -> bool {
        self.closed_because(d).is_none()
    }

    /// The first banking day on or after `d`.
    pub fn on_or_after(&self, mut d: Day) -> Day {
        while !self.is_banking_day(d) {
            d = d.plus(1);
        }
        d
    }

    /// The last banking day on or before `d`.
    pub fn on_or_before(&self, mut d: Day) -> Day {
        while !self.is_banking_day(d) {
            d = d.plus(-1);
        }
        d
    }

    /// The `n`th banking day after `d` (`n` = 1: the next banking day).
    pub fn banking_days_after(&self, mut d: Day, n: u32) -> Day {
        for _ in 0..n {
            d = self.on_or_after(d.plus(1));
        }
        d
    }

    /// Every closing day of a year that is not a weekend, with its reason.
    pub fn holidays(&self, year: i32) -> Vec<(Day, &'static str)> {
        let mut d = Day::new(year, 1, 1).expect("1 January");
        let mut out = Vec::new();
        while d.year == year {
            if !d.is_weekend() {
                if let Some(why) = self.closed_because(d) {
                    out.push((d, why));
                }
            }
            d = d.plus(1);
        }
        out
    }
}

/// How often a shop is paid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "every", rename_all = "lowercase")]
pub enum Frequency {
    /// Every banking day.
    Daily,
    /// Once a week on `weekday` (1 = Monday … 5 = Friday); the next banking day when that
    /// day is closed.
    Weekly { weekday: u8 },
    /// Once a month on `day` (1–31); the next banking day when that day is closed, and the
    /// month's last banking day when the month is shorter than `day`.
    Monthly { day: u8 },
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "November 2026" (a month out of range reads as January).
pub fn month_label(year: i32, month: u8) -> String {
    format!("{} {year}", MONTHS[usize::from(month.clamp(1, 12)) - 1])
}

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl Frequency {
    /// Checks the choice: a working weekday, a day of the month.
    pub fn checked(self) -> Result<Frequency, String> {
        match self {
            Frequency::Weekly { weekday } if !(1..=5).contains(&weekday) => {
                Err("Choose a weekday from Monday to Friday.".into())
            }
            Frequency::Monthly { day } if !(1..=31).contains(&day) => {
                Err("Choose a day of the month from 1 to 31.".into())
            }
            f => Ok(f),
        }
    }

    /// For people: "Every banking day", "Every Friday", "On the 15th of every month".
    pub fn describe(self) -> String {
        match self {
            Frequency::Daily => "Every banking day".into(),
            Frequency::Weekly { weekday } => {
                format!("Every {}", WEEKDAYS[usize::from(weekday.clamp(1, 7)) - 1])
            }
            Frequency::Monthly { day } if day >= 29 => {
                format!(
                    "On the {} of every month (the last banking day of a shorter month)",
                    ordinal(day)
                )
            }
            Frequency::Monthly { day } => format!("On the {} of every month", ordinal(day)),
        }
    }

    /// The payout day of the cycle that `nominal` (a day the frequency names) starts.
    fn actual(self, nominal: Day, cal: &Calendar) -> Day {
        match self {
            Frequency::Monthly { day } if day > days_in_month(nominal.year, nominal.month) => {
                cal.on_or_before(nominal.last_of_month())
            }
            _ => cal.on_or_after(nominal),
        }
    }

    /// The nominal days of the frequency from `from` on, in order.
    fn nominal_from(self, from: Day) -> impl Iterator<Item = Day> {
        let mut next = match self {
            Frequency::Daily => from,
            Frequency::Weekly { weekday } => {
                let ahead = (i64::from(weekday) - i64::from(from.weekday())).rem_euclid(7);
                from.plus(ahead)
            }
            Frequency::Monthly { .. } => from.first_of_month(),
        };
        std::iter::from_fn(move || {
            let d = match self {
                Frequency::Daily | Frequency::Weekly { .. } => next,
                Frequency::Monthly { day } => Day {
                    day: day.min(days_in_month(next.year, next.month)),
                    ..next
                },
            };
            next = match self {
                Frequency::Daily => next.plus(1),
                Frequency::Weekly { .. } => next.plus(7),
                Frequency::Monthly { .. } => next.next_month(),
            };
            Some(d)
        })
    }

    /// The payout days on or after `from`, the next `n` of them.
    pub fn next_dates(self, cal: &Calendar, from: Day, n: usize) -> Vec<Day> {
        let mut out: Vec<Day> = Vec::with_capacity(n);
        if n == 0 {
            return out;
        }
        // A month back: a cycle named before `from` may be paid on or after it.
        let start = from.plus(-31);
        // Ten years of nominal days is far more than five payouts need; the bound keeps a
        // calendar closed by mistake for years from looping.
        let horizon = from.plus(3_660);
        for nominal in self.nominal_from(start) {
            if nominal > horizon {
                break;
            }
            let d = self.actual(nominal, cal);
            if d >= from && out.last().is_none_or(|l| *l < d) {
                out.push(d);
                if out.len() == n {
                    break;
                }
            }
        }
        out
    }

    /// Whether `d` is a payout day.
    pub fn pays_on(self, cal: &Calendar, d: Day) -> bool {
        self.next_dates(cal, d, 1).first() == Some(&d)
    }
}

fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// When income is payable: bank-link income on the next banking day after the payment's
/// day, card income on the 7th banking day after it.
pub fn payable_on(cal: &Calendar, paid: Day, card: bool) -> Day {
    cal.banking_days_after(paid, if card { 7 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn dates_count_and_name_weekdays() {
        assert_eq!(day("1970-01-01").to_days(), 0);
        assert_eq!(day("2026-11-30").weekday(), 1);
        assert_eq!(day("2000-02-29").plus(1), day("2000-03-01"));
        assert_eq!(day("2100-02-28").plus(1), day("2100-03-01"));
        for n in -800_000..800_000i64 {
            if n % 997 == 0 {
                assert_eq!(Day::from_days(n).to_days(), n);
            }
        }
        assert_eq!(Day::parse("2026-02-30"), None);
        assert_eq!(Day::parse("2026-2-3"), None);
        assert_eq!(day("2026-11-30").to_string(), "2026-11-30");
    }

    /// Easter Sunday 2000–2100 from an independent reference: python-dateutil's
    /// `easter(year, EASTER_WESTERN)`, written out once into `easter_2000_2100.txt`.
    #[test]
    fn easter_matches_the_reference_for_2000_to_2100() {
        let reference = include_str!("easter_2000_2100.txt");
        let mut years = 0;
        for line in reference
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let d = day(line);
            assert_eq!(easter_sunday(d.year), d, "{line}");
            assert_eq!(d.weekday(), 7);
            years += 1;
        }
        assert_eq!(years, 101);
    }

    #[test]
    fn estonian_closing_days_of_2026_and_2027() {
        let ee = Calendar::of("EE").unwrap();
        let days = |year| {
            ee.holidays(year)
                .into_iter()
                .map(|(d, _)| d.to_string())
                .collect::<Vec<_>>()
        };
        // 2026: 24 Feb is a Tuesday; 6 Apr, Easter Monday, closes TARGET2.
        assert_eq!(
            days(2026),
            [
                "2026-01-01",
                "2026-02-24",
                "2026-04-03",
                "2026-04-06",
                "2026-05-01",
                "2026-06-23",
                "2026-06-24",
                "2026-08-20",
                "2026-12-24",
                "2026-12-25"
            ]
        );
        // 26 Dec 2026 is a Saturday: closed anyway.
        assert!(!ee.is_banking_day(day("2026-12-26")));
        assert_eq!(
            ee.closed_because(day("2026-04-06")),
            Some("Easter Monday (TARGET2 closed)")
        );
        assert_eq!(
            ee.closed_because(day("2026-04-03")),
            Some("Good Friday (TARGET2 closed)")
        );
        assert_eq!(ee.closed_because(day("2026-06-23")), Some("Victory Day"));
        // 2027: Easter is 28 March; 1 May, 26 Dec fall on weekends.
        assert_eq!(
            days(2027),
            [
                "2027-01-01",
                "2027-02-24",
                "2027-03-26",
                "2027-03-29",
                "2027-06-23",
                "2027-06-24",
                "2027-08-20",
                "2027-12-24"
            ]
        );
        for d in ["2026-01-02", "2026-04-07", "2026-12-28", "2027-03-30"] {
            assert!(ee.is_banking_day(day(d)), "{d}");
        }
    }

    #[test]
    fn operators_close_and_open_days() {
        let mut ee = Calendar::of("EE").unwrap();
        ee.closed.insert(day("2026-12-31"));
        assert_eq!(
            ee.closed_because(day("2026-12-31")),
            Some("Closed by the provider")
        );
        ee.opened.insert(day("2026-06-23"));
        assert!(ee.is_banking_day(day("2026-06-23")));
        // Opening never makes a TARGET2 day or a weekend a banking day.
        ee.opened.insert(day("2026-12-25"));
        ee.opened.insert(day("2026-11-28"));
        assert!(!ee.is_banking_day(day("2026-12-25")));
        assert!(!ee.is_banking_day(day("2026-11-28")));
    }

    #[test]
    fn income_is_payable_one_or_seven_banking_days_later() {
        let ee = Calendar::of("EE").unwrap();
        // Paid on Thursday 2 April 2026: Good Friday and Easter Monday are closed.
        assert_eq!(payable_on(&ee, day("2026-04-02"), false), day("2026-04-07"));
        assert_eq!(payable_on(&ee, day("2026-04-02"), true), day("2026-04-15"));
        // Paid on a Saturday: the next banking day is Monday.
        assert_eq!(payable_on(&ee, day("2026-11-28"), false), day("2026-11-30"));
        // Before Christmas: 24, 25 Dec closed, 26–27 weekend.
        assert_eq!(payable_on(&ee, day("2026-12-23"), false), day("2026-12-28"));
    }

    #[test]
    fn payout_dates_follow_the_frequency_and_the_calendar() {
        let ee = Calendar::of("EE").unwrap();
        let dates = |f: Frequency, from: &str| {
            f.next_dates(&ee, day(from), 5)
                .into_iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            dates(Frequency::Daily, "2026-12-22"),
            [
                "2026-12-22",
                "2026-12-23",
                "2026-12-28",
                "2026-12-29",
                "2026-12-30"
            ]
        );
        // Fridays; Good Friday 2026 moves to the next banking day, Tuesday after Easter.
        assert_eq!(
            dates(Frequency::Weekly { weekday: 5 }, "2026-03-23"),
            [
                "2026-03-27",
                "2026-04-07",
                "2026-04-10",
                "2026-04-17",
                "2026-04-24"
            ]
        );
        // The 31st: the next banking day when it is closed (31 Oct 2026 is a Saturday, 31
        // Jan 2027 a Sunday), the month's last banking day in shorter months.
        assert_eq!(
            dates(Frequency::Monthly { day: 31 }, "2026-10-01"),
            [
                "2026-11-02",
                "2026-11-30",
                "2026-12-31",
                "2027-02-01",
                "2027-02-26"
            ]
        );
        // The 15th; 15 Nov 2026 is a Sunday.
        assert_eq!(
            dates(Frequency::Monthly { day: 15 }, "2026-11-01"),
            [
                "2026-11-16",
                "2026-12-15",
                "2027-01-15",
                "2027-02-15",
                "2027-03-15"
            ]
        );
        assert!(Frequency::Weekly { weekday: 5 }.pays_on(&ee, day("2026-04-07")));
        assert!(!Frequency::Weekly { weekday: 5 }.pays_on(&ee, day("2026-04-08")));
        assert!(Frequency::Weekly { weekday: 6 }.checked().is_err());
        assert!(Frequency::Monthly { day: 0 }.checked().is_err());
        assert_eq!(
            Frequency::Monthly { day: 22 }.describe(),
            "On the 22nd of every month"
        );
    }
}
