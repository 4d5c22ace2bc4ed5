//! Local times as people read and type them, in the configured IANA zone.

use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// e.g. "Mon 3 Feb, 10:02"; the year is added when it is not the year of `now`, and the zone
/// when the local time happens twice (the hour the clocks go back: "Sun 26 Oct, 01:30 GMT").
pub fn short(instant: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&tz);
    let mut shown = if local.year() == now.with_timezone(&tz).year() {
        local.format("%a %-d %b, %H:%M").to_string()
    } else {
        local.format("%a %-d %b %Y, %H:%M").to_string()
    };
    if matches!(
        tz.from_local_datetime(&local.naive_local()),
        LocalResult::Ambiguous(..)
    ) {
        shown.push_str(&local.format(" %Z").to_string());
    }
    shown
}

/// e.g. "2025-03-30 02:00 BST", for history and audit listings.
pub fn full(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Why a typed local time cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error("`{0}` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2025-03-03 09:30")]
    Format(String),
    /// The typed time, the zone, and the first local time after the gap.
    #[error(
        "{0} does not exist in {1}: the clocks went forward over it. Use a time outside the \
         skipped hour, e.g. {2}"
    )]
    Skipped(String, Tz, String),
}

/// Reads `YYYY-MM-DD HH:MM` as a local time in `tz`. A time skipped when the clocks go forward is
/// refused; a time repeated when they go back means its first occurrence.
pub fn parse_local(date: &str, time: &str, tz: Tz) -> Result<DateTime<Utc>, LocalTimeError> {
    parse_local_occurrences(date, time, tz).map(|(first, _)| first)
}

/// [`parse_local`], with the second occurrence of a time repeated when the clocks go back.
pub fn parse_local_occurrences(
    date: &str,
    time: &str,
    tz: Tz,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), LocalTimeError> {
    let typed = format!("{date} {time}");
    let naive = NaiveDateTime::parse_from_str(&typed, "%Y-%m-%d %H:%M")
        .map_err(|_| LocalTimeError::Format(typed.clone()))?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok((t.with_timezone(&Utc), None)),
        LocalResult::Ambiguous(first, second) => {
            Ok((first.with_timezone(&Utc), Some(second.with_timezone(&Utc))))
        }
        LocalResult::None => Err(LocalTimeError::Skipped(typed, tz, after_gap(naive, tz))),
    }
}

/// The first whole minute after `naive` that exists in `tz` (gaps are at most a few hours).
fn after_gap(naive: NaiveDateTime, tz: Tz) -> String {
    (1..=24 * 60)
        .map(|m| naive + chrono::Duration::minutes(m))
        .find(|t| !matches!(tz.from_local_datetime(t), LocalResult::None))
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn short_times_are_local_and_mention_the_year_only_when_it_differs() {
        let now = utc("2025-02-05T12:00:00Z");
        assert_eq!(
            short(utc("2025-02-03T10:02:00Z"), London, now),
            "Mon 3 Feb, 10:02"
        );
        assert_eq!(
            short(utc("2025-07-01T09:00:00Z"), London, now),
            "Tue 1 Jul, 10:00"
        );
        assert_eq!(
            short(utc("2024-12-31T23:30:00Z"), London, now),
            "Tue 31 Dec 2024, 23:30"
        );
    }

    #[test]
    fn a_short_time_in_the_hour_that_happens_twice_says_which() {
        let now = utc("2025-10-27T12:00:00Z");
        assert_eq!(
            short(utc("2025-10-26T00:30:00Z"), London, now),
            "Sun 26 Oct, 01:30 BST"
        );
        assert_eq!(
            short(utc("2025-10-26T01:30:00Z"), London, now),
            "Sun 26 Oct, 01:30 GMT"
        );
        // Either side of the repeated hour, and on the day the clocks go forward: no zone.
        assert_eq!(
            short(utc("2025-10-26T02:00:00Z"), London, now),
            "Sun 26 Oct, 02:00"
        );
        assert_eq!(
            short(utc("2025-03-30T01:30:00Z"), London, now),
            "Sun 30 Mar, 02:30"
        );
    }

    #[test]
    fn typed_local_times_follow_the_clock_changes() {
        assert_eq!(
            parse_local("2025-03-30", "00:30", London),
            Ok(utc("2025-03-30T00:30:00Z"))
        );
        assert_eq!(
            parse_local("2025-03-30", "01:30", London)
                .unwrap_err()
                .to_string(),
            "2025-03-30 01:30 does not exist in Europe/London: the clocks went forward over it. \
             Use a time outside the skipped hour, e.g. 2025-03-30 02:00"
        );
        assert_eq!(
            parse_local("2025-03-30", "02:00", London),
            Ok(utc("2025-03-30T01:00:00Z"))
        );
        // 01:30 on 26 October 2025 happens twice; the first is still BST.
        assert_eq!(
            parse_local("2025-10-26", "01:30", London),
            Ok(utc("2025-10-26T00:30:00Z"))
        );
        assert_eq!(
            parse_local_occurrences("2025-10-26", "01:30", London),
            Ok((
                utc("2025-10-26T00:30:00Z"),
                Some(utc("2025-10-26T01:30:00Z"))
            ))
        );
        assert_eq!(
            parse_local_occurrences("2025-10-26", "02:30", London),
            Ok((utc("2025-10-26T02:30:00Z"), None))
        );
        // Single digits are read as people type them.
        assert_eq!(
            parse_local("2025-3-3", "9:30", London),
            Ok(utc("2025-03-03T09:30:00Z"))
        );
        for (d, t) in [
            ("2025-02-30", "10:00"),
            ("tomorrow", "10:00"),
            ("2025-03-03", "25:00"),
        ] {
            assert!(
                matches!(parse_local(d, t, London), Err(LocalTimeError::Format(_))),
                "{d} {t}"
            );
        }
    }
}
