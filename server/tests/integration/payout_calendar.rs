//! The banking calendar payouts follow: the built-in Estonian holidays and TARGET2 days,
//! with the operator's exceptions stored (on both databases) and set from the command line.

use app::domain::calendar::Day;
use app::server::payouts::calendar;

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

#[tokio::test]
async fn operators_close_and_open_days_on_top_of_the_built_in_holidays() {
    let app = crate::app!();
    let s = &app.state;
    let cal = calendar::load(s).await.unwrap();
    assert_eq!(cal.closed_because(day("2026-06-23")), Some("Victory Day"));
    assert!(cal.is_banking_day(day("2026-12-31")));

    calendar::set(s, "2026-12-31", false, "The provider's bank is closed")
        .await
        .unwrap();
    calendar::set(s, "2026-06-23", true, "Moved to a Saturday by decree")
        .await
        .unwrap();
    let cal = calendar::load(s).await.unwrap();
    assert_eq!(
        cal.closed_because(day("2026-12-31")),
        Some("Closed by the provider")
    );
    assert!(cal.is_banking_day(day("2026-06-23")));
    let (closed, exceptions) = calendar::year(s, 2026).await.unwrap();
    assert!(closed.iter().any(|(d, _)| *d == day("2026-12-31")));
    assert!(!closed.iter().any(|(d, _)| *d == day("2026-06-23")));
    assert_eq!(exceptions.len(), 2);
    // A second word on the same day replaces the first.
    calendar::set(s, "2026-12-31", false, "Closed all day")
        .await
        .unwrap();
    let (_, exceptions) = calendar::year(s, 2026).await.unwrap();
    assert_eq!(exceptions.len(), 2);
    assert!(exceptions.iter().any(|e| e.note == "Closed all day"));

    // What cannot be: each refusal names the field.
    for (date, open, note, field, says) in [
        (
            "2026-12-25",
            true,
            "x",
            "date",
            "SEPA transfers do not settle",
        ),
        (
            "2026-11-28",
            true,
            "x",
            "date",
            "SEPA transfers do not settle",
        ),
        ("2026-11-30", true, "x", "date", "a banking day already"),
        ("2026-13-01", false, "x", "date", "YYYY-MM-DD"),
        ("2026-11-30", false, " ", "note", "Say why"),
    ] {
        match calendar::set(s, date, open, note).await {
            Err(app::error::AppError::Validation(f)) => {
                let m = f.get(field).unwrap_or_else(|| panic!("{date}: {f:?}"));
                assert!(m.contains(says), "{date}: {m}");
            }
            other => panic!("{date}: {other:?}"),
        }
    }

    assert!(calendar::clear(s, "2026-06-23").await.unwrap());
    assert!(!calendar::clear(s, "2026-06-23").await.unwrap());
    let cal = calendar::load(s).await.unwrap();
    assert!(!cal.is_banking_day(day("2026-06-23")));
}
