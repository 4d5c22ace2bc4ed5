//! Local times as people read and type them, in the configured IANA zone.

use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// e.g. "Mon 3 Feb, 10:02"; the year is added when it is not the year of `now`, and the zone
/// when the local time happens twice (the hour the clocks go back: "Sun 26 Oct, 01:30 GMT").
///
/// Written field by field rather than through a format string, and the repeated hour looked for
/// only near a change of offset: a pay answer lists up to 31 shifts with two of these each.
pub fn short(instant: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    let mut shown = String::with_capacity(28);
    write_short(&mut shown, instant, tz, now.with_timezone(&tz).year());
    shown
}

/// [`short`], written at the end of `out`, with `this_year` the local year of now.
pub fn write_short(out: &mut String, instant: DateTime<Utc>, tz: Tz, this_year: i32) {
    use std::fmt::Write;
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = instant.with_timezone(&tz);
    let day = DAYS[local.weekday().num_days_from_monday() as usize];
    let month = MONTHS[local.month0() as usize];
    // Writing to a String cannot fail.
    let _ = write!(out, "{day} {} {month}", local.day());
    if local.year() != this_year {
        let _ = write!(out, " {}", local.year());
    }
    let _ = write!(out, ", {:02}:{:02}", local.hour(), local.minute());
    if repeated(instant, local.offset().fix(), tz) {
        let _ = write!(out, " {}", local.format("%Z"));
    }
}

/// Whether the local time at `instant` (whose offset is `here`) happens twice in `tz` (the hour
/// the clocks go back). Clocks go back by a few hours at most, and never twice within a day:
/// with the same offset six hours either side, no change is near and the time is not repeated.
fn repeated(instant: DateTime<Utc>, here: chrono::FixedOffset, tz: Tz) -> bool {
    let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    let window = chrono::Duration::hours(6);
    if offset(instant - window) == here && offset(instant + window) == here {
        return false;
    }
    matches!(
        tz.from_local_datetime(&instant.with_timezone(&tz).naive_local()),
        LocalResult::Ambiguous(..)
    )
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
    /// In the right shape, but no such date or time: the typed text, and why.
    #[error("`{0}` is not a date and time: {1}")]
    Impossible(String, String),
    /// The typed time, the zone, and the first local time after the gap.
    #[error(
        "{0} does not exist in {1}: the clocks went forward over it. Use a time before or after \
         the gap, e.g. {2}"
    )]
    Skipped(String, Tz, String),
    /// The typed time, the zone, what it is there (`BST`, or `BST or GMT`), the zone typed.
    #[error(
        "{0} in {1} is {2}, not {3}. Write the time as the clocks there showed it; a zone after \
         it only picks one of the two times the clocks went back over"
    )]
    WrongZone(String, Tz, String, String),
}

impl LocalTimeError {
    /// The same error, with what the person typed in it replaced by `shown(typed)`: in Slack,
    /// escaped and cut as every other quote of typed text is (`text::echo`).
    pub fn quoting(self, shown: impl Fn(&str) -> String) -> Self {
        match self {
            Self::Format(typed) => Self::Format(shown(&typed)),
            Self::Impossible(typed, why) => Self::Impossible(shown(&typed), why),
            Self::Skipped(typed, tz, next) => Self::Skipped(shown(&typed), tz, next),
            Self::WrongZone(typed, tz, is, zone) => {
                Self::WrongZone(shown(&typed), tz, is, shown(&zone))
            }
        }
    }
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
    parse_local_in_zone(date, time, None, tz)
}

/// [`parse_local_occurrences`], where `zone`, typed after the time, picks one occurrence: the
/// zone's own abbreviation then (`BST`, `GMT` in Europe/London, compared in any case), `UTC`,
/// `GMT` or `Z` for an offset of zero, or an offset (`+01:00`, `+0100`, `+1`, `GMT+0`). A zone
/// that is neither
/// occurrence's is refused: it means the time was typed in another zone, or the wrong one.
pub fn parse_local_in_zone(
    date: &str,
    time: &str,
    zone: Option<&str>,
    tz: Tz,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), LocalTimeError> {
    // Dates typed on a phone or pasted from a document come with en dashes (`2025–03–03`).
    let date = crate::domain::text::plain_hyphens(date);
    let typed = format!("{date} {time}").trim().to_owned();
    let format_error = || match impossible(&date, time) {
        Some(why) => LocalTimeError::Impossible(typed.clone(), why),
        None => LocalTimeError::Format(typed.clone()),
    };
    // `%Y` takes any number of digits: `26-11-08` would be the year 26.
    if date.split('-').next().is_none_or(|year| year.len() != 4) {
        return Err(format_error());
    }
    // `%M` takes one digit: `09:5` would be 09:05, where 09:50 is as likely meant.
    if !minutes_in_two_digits(time) {
        return Err(LocalTimeError::Impossible(
            typed,
            "give the minutes as two digits, e.g. 09:05 or 09:50".into(),
        ));
    }
    let naive =
        NaiveDateTime::parse_from_str(&typed, "%Y-%m-%d %H:%M").map_err(|_| format_error())?;
    let occurrences = match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => vec![t],
        LocalResult::Ambiguous(first, second) => vec![first, second],
        LocalResult::None => {
            return Err(LocalTimeError::Skipped(typed, tz, after_gap(naive, tz)));
        }
    };
    let utc = |t: &DateTime<Tz>| t.with_timezone(&Utc);
    let Some(zone) = zone else {
        return Ok((utc(&occurrences[0]), occurrences.get(1).map(utc)));
    };
    match occurrences.iter().find(|t| zone_names(zone, t)) {
        Some(picked) => Ok((utc(picked), None)),
        None => {
            let there: Vec<String> = occurrences
                .iter()
                .map(|t| t.format("%Z").to_string())
                .collect();
            Err(LocalTimeError::WrongZone(
                typed,
                tz,
                there.join(" or "),
                zone.to_owned(),
            ))
        }
    }
}

/// `am` or `pm` (`a.m.`, `P.M`) at the end of `word`: the rest of the word (empty when the word
/// is only that), and whether it is pm.
pub fn meridiem(word: &str) -> Option<(&str, bool)> {
    let lower = word.to_ascii_lowercase();
    ["am", "a.m.", "a.m", "pm", "p.m.", "p.m"]
        .iter()
        .find(|suffix| lower.ends_with(*suffix))
        .map(|suffix| (&word[..word.len() - suffix.len()], suffix.starts_with('p')))
}

/// A twelve-hour `clock` (`5`, `5:30`, `5.30`) with am or pm as a 24-hour `HH:MM`: `12 am` is
/// 00:00, `12 pm` noon. `None` for an hour outside 1 to 12, or minutes not two digits.
pub fn twelve_hour_clock(clock: &str, pm: bool) -> Option<String> {
    let (hour, minute) = clock.split_once([':', '.']).unwrap_or((clock, "00"));
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(hour, 1..=2) && digits(minute, 2..=2)) {
        return None;
    }
    let (hour, minute): (u32, u32) = (hour.parse().ok()?, minute.parse().ok()?);
    ((1..=12).contains(&hour) && minute < 60)
        .then(|| format!("{:02}:{minute:02}", hour % 12 + if pm { 12 } else { 0 }))
}

/// `2025-03-03T09:30` (ISO 8601's `T` between a date and a time) as its date and time.
/// `/handover … at` and `pay-report --until` read it alike. Only the shape is checked:
/// `2025-03-32T24:00` is split too, for the date and time parser to say what is wrong with it.
pub fn iso_date_time(word: &str) -> Option<(String, String)> {
    let (date, time) = word.split_once(['T', 't'])?;
    let numbers = |s: &str, sep: char, parts: std::ops::RangeInclusive<usize>| {
        let split: Vec<&str> = s.split(sep).collect();
        parts.contains(&split.len())
            && split
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    (numbers(&crate::domain::text::plain_hyphens(date), '-', 3..=3) && numbers(time, ':', 2..=3))
        .then(|| (date.to_owned(), time.to_owned()))
}

/// Why the words after a date are not a time and a zone (see [`clock_and_zone`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockError {
    /// More words than a time, am or pm, and a zone.
    TooManyWords,
    /// am or pm with an hour outside 1 to 12 (`13:00 pm`).
    TwelveHour,
}

/// The words after a typed date (`17:00`, `5:00 pm`, `5pm GMT`, `09:30 BST`) as a 24-hour time
/// and the zone word, if any: for `--until` and the console's `:now`, which take nothing else
/// after the date. (`/handover`'s `at` reads notes after them too, in its own parser.)
pub fn clock_and_zone<'a>(
    time: &'a str,
    rest: &[&'a str],
) -> Result<(String, Option<&'a str>), ClockError> {
    let (time, rest) = match (meridiem(time), rest) {
        (Some((clock, pm)), _) if clock.starts_with(|c: char| c.is_ascii_digit()) => {
            (twelve_hour_clock(clock, pm), rest)
        }
        (_, [word, zone @ ..]) if meridiem(word).is_some_and(|(rest, _)| rest.is_empty()) => (
            meridiem(word).and_then(|(_, pm)| twelve_hour_clock(time, pm)),
            zone,
        ),
        _ => (Some(time.to_owned()), rest),
    };
    let time = time.ok_or(ClockError::TwelveHour)?;
    match rest {
        [] => Ok((time, None)),
        [zone] => Ok((time, Some(zone))),
        _ => Err(ClockError::TooManyWords),
    }
}

/// Whether every part of `time` after the hour has two digits (`09:05`, `9:05:00`), as a time
/// with a dropped digit (`09:5`) does not: read as 09:05, it may have meant 09:50.
pub fn minutes_in_two_digits(time: &str) -> bool {
    time.split(':')
        .skip(1)
        .all(|part| part.len() == 2 || !part.bytes().all(|b| b.is_ascii_digit()))
}

/// Why a date and time in the right shape (`YYYY-MM-DD`, `HH:MM`) is none the less not one:
/// "November 2026 has 30 days", "there is no month 13", no seconds, no hour 24. `None` when the
/// shape itself is wrong, or nothing is.
fn impossible(date: &str, time: &str) -> Option<String> {
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let parts: Vec<Option<u32>> = date.split('-').map(number).collect();
    // Only a date written year first (`20-11-2026` is not one, whatever its numbers).
    let year_first = date.split('-').next().is_some_and(|y| y.len() == 4);
    if let ([Some(year), Some(month), Some(day)], true) = (&parts[..], year_first) {
        let (year, month, day) = (*year, *month, *day);
        let Ok(year) = i32::try_from(year) else {
            return None;
        };
        if !(1..=12).contains(&month) {
            return Some(format!("there is no month {month}"));
        }
        let days = (28..=31)
            .rev()
            .find(|&d| chrono::NaiveDate::from_ymd_opt(year, month, d).is_some())?;
        if day == 0 || day > days {
            let name = chrono::NaiveDate::from_ymd_opt(year, month, 1)?.format("%B %Y");
            return Some(format!("{name} has {days} days"));
        }
    }
    let parts: Vec<Option<u32>> = time.split(':').map(number).collect();
    match parts[..] {
        [Some(_), Some(_), Some(_)] => {
            Some("give the time in hours and minutes, without seconds, e.g. 09:30".into())
        }
        [Some(hour), Some(minute)] if hour > 23 || minute > 59 => Some(
            "hours run from 00 to 23 and minutes from 00 to 59 (midnight is 00:00 of the next \
             day)"
                .into(),
        ),
        _ => None,
    }
}

/// Whether `zone`, as typed, names the offset of local time `t`: its abbreviation (any case),
/// its offset, the zone's own IANA name, or a US zone's two letters (`ET` for EST or EDT).
fn zone_names(zone: &str, t: &DateTime<Tz>) -> bool {
    let abbreviation = t.format("%Z").to_string();
    if zone.eq_ignore_ascii_case(&abbreviation) {
        return true;
    }
    // An IANA name names the offset it has at that moment (`Europe/Belfast` is London's).
    if let Ok(other) = zone.parse::<Tz>() {
        return t.with_timezone(&other).offset().fix() == t.offset().fix();
    }
    // `ET` is EST or EDT, in a US zone only: CET, EET or China's CST are not meant.
    if US_GENERIC.contains(&zone) {
        let american = ["America/", "US/"]
            .iter()
            .any(|p| t.timezone().name().starts_with(p));
        let (generic, specific) = (zone.as_bytes(), abbreviation.as_bytes());
        return american
            && specific.len() == 3
            && specific[0] == generic[0]
            && matches!(&specific[1..], b"ST" | b"DT");
    }
    zone_offset_seconds(zone) == Some(t.offset().fix().local_minus_utc())
}

/// `UTC`, `GMT`, `Z` and `+01:00`, `+0100`, `+01`, `+1`, `-05:30`, also after `UTC` or `GMT`
/// (`GMT+0`, `UTC+01:00`), as seconds east of UTC.
fn zone_offset_seconds(zone: &str) -> Option<i32> {
    if ["UTC", "GMT"].iter().any(|z| zone.eq_ignore_ascii_case(z)) || zone == "Z" {
        return Some(0);
    }
    let offset = match zone.get(..3) {
        Some(name) if ["UTC", "GMT"].iter().any(|z| name.eq_ignore_ascii_case(z)) => &zone[3..],
        _ => zone,
    };
    let (sign, digits) = if let Some(rest) = offset.strip_prefix('+') {
        (1, rest)
    } else {
        (-1, offset.strip_prefix(['-', '\u{2212}'])?)
    };
    // Split by bytes below: only digits and a colon can be an offset (`+£5` is not one).
    if !digits.is_ascii() {
        return None;
    }
    let (hours, minutes) = match digits.split_once(':') {
        Some((hours, minutes)) if minutes.len() == 2 => (hours, minutes),
        Some(_) => return None,
        None if digits.len() > 2 => digits.split_at(digits.len() - 2),
        None => (digits, "00"),
    };
    if !(1..=2).contains(&hours.len())
        || !hours
            .bytes()
            .chain(minutes.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// Zone abbreviations read in any case after a time (`bst`, `Cest`): those of the zones teams
/// are most often in, leaving out the ones that are also words or abbreviations (`wet`, `west`,
/// `cat`, `eat`, `est.` for estimated, `ist`), which start notes more often than they name a
/// zone. In capitals (`EST`, `IST`) they are zones.
const ABBREVIATIONS: [&str; 28] = [
    "acdt", "acst", "aedt", "aest", "akdt", "akst", "awst", "bst", "cdt", "cest", "cet", "cst",
    "edt", "eest", "eet", "hkt", "hst", "jst", "kst", "mdt", "msk", "mst", "nzdt", "nzst", "pdt",
    "pst", "sast", "sgt",
];

/// The US zones as people write them without saying whether it is summer: `ET` is EST or EDT.
const US_GENERIC: [&str; 4] = ["ET", "CT", "MT", "PT"];

/// Whether a word typed after a time is meant as its zone, read without knowing the zone: `UTC`,
/// `GMT`, `Z`, an offset (`+01:00`, `+1`, `GMT+0`, `UTC-05:00`), an abbreviation in capitals
/// ending in T (`BST`, `CET`, `CEST`, `EDT`) or a US zone's two (`ET`), a common abbreviation
/// in any case (`bst`, `Cest`), or an IANA zone's name (`Europe/Berlin`). Anything else after
/// the time is the start of the notes.
pub fn looks_like_a_zone(word: &str) -> bool {
    let abbreviation = (3..=5).contains(&word.len())
        && word.bytes().all(|b| b.is_ascii_uppercase())
        && word.ends_with('T');
    abbreviation
        || US_GENERIC.contains(&word)
        || ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str())
        || zone_offset_seconds(word).is_some()
        || (word.contains('/') && word.parse::<Tz>().is_ok())
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
    fn full_times_always_name_the_zone_on_both_clock_change_days() {
        for (instant, shown) in [
            ("2025-03-30T00:59:00Z", "2025-03-30 00:59 GMT"),
            ("2025-03-30T01:00:00Z", "2025-03-30 02:00 BST"),
            ("2025-10-26T00:30:00Z", "2025-10-26 01:30 BST"),
            ("2025-10-26T01:30:00Z", "2025-10-26 01:30 GMT"),
        ] {
            assert_eq!(full(utc(instant), London), shown);
        }
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
    fn a_date_or_time_that_does_not_exist_is_refused_saying_why() {
        let cases = [
            ("2026-11-31", "09:00", "`2026-11-31 09:00` is not a date and time: November 2026 has 30 days"),
            ("2025-02-29", "09:00", "`2025-02-29 09:00` is not a date and time: February 2025 has 28 days"),
            ("2025-13-01", "09:00", "`2025-13-01 09:00` is not a date and time: there is no month 13"),
            ("2025-03-00", "09:00", "`2025-03-00 09:00` is not a date and time: March 2025 has 31 days"),
            ("2026-11-11", "24:00", "`2026-11-11 24:00` is not a date and time: hours run from 00 to 23 and minutes from 00 to 59 (midnight is 00:00 of the next day)"),
            ("2026-11-11", "09:60", "`2026-11-11 09:60` is not a date and time: hours run from 00 to 23 and minutes from 00 to 59 (midnight is 00:00 of the next day)"),
            ("2026-11-11", "09:30:00", "`2026-11-11 09:30:00` is not a date and time: give the time in hours and minutes, without seconds, e.g. 09:30"),
            ("11/11/2026", "09:30", "`11/11/2026 09:30` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2025-03-03 09:30"),
            // Each said only of what is wrong: the last day of a month, 23:59, are fine.
            ("2026-11-30", "24:00", "`2026-11-30 24:00` is not a date and time: hours run from 00 to 23 and minutes from 00 to 59 (midnight is 00:00 of the next day)"),
            ("2026-11-2x", "23:59", "`2026-11-2x 23:59` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2025-03-03 09:30"),
        ];
        for (date, time, said) in cases {
            let e = parse_local(date, time, London).unwrap_err();
            assert_eq!(e.to_string(), said, "{date} {time}");
        }
        // February has 29 days in a leap year.
        assert!(parse_local("2028-02-29", "09:00", London).is_ok());
    }

    #[test]
    fn dates_typed_with_en_dashes_read_as_typed_with_hyphens() {
        for date in [
            "2025\u{2013}03\u{2013}03",
            "2025\u{2014}03\u{2014}03",
            "2025\u{2212}03\u{2212}03",
        ] {
            assert_eq!(
                parse_local(date, "09:30", London),
                Ok(utc("2025-03-03T09:30:00Z")),
                "{date}"
            );
        }
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
             Use a time before or after the gap, e.g. 2025-03-30 02:00"
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
        // The year in full: `%Y` alone would read 26 as the year 26.
        assert!(matches!(
            parse_local("26-11-08", "09:00", London),
            Err(LocalTimeError::Format(_))
        ));
        // A missing time is quoted as typed, without a stray space.
        assert_eq!(
            parse_local("2025-10-01", "", London).unwrap_err().to_string(),
            "`2025-10-01` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2025-03-03 09:30"
        );
        // Single digits are read as people type them.
        assert_eq!(
            parse_local("2025-3-3", "9:30", London),
            Ok(utc("2025-03-03T09:30:00Z"))
        );
        assert!(matches!(
            parse_local("tomorrow", "10:00", London),
            Err(LocalTimeError::Format(_))
        ));
        for (d, t) in [("2025-02-30", "10:00"), ("2025-03-03", "25:00")] {
            assert!(
                matches!(
                    parse_local(d, t, London),
                    Err(LocalTimeError::Impossible(..))
                ),
                "{d} {t}"
            );
        }
    }

    #[test]
    fn a_time_in_a_gap_of_two_hours_is_told_the_end_of_the_gap() {
        // Antarctica/Troll goes from +00 to +02 at 01:00 UTC on the last Sunday of March.
        assert_eq!(
            parse_local("2026-03-29", "01:30", chrono_tz::Antarctica::Troll)
                .unwrap_err()
                .to_string(),
            "2026-03-29 01:30 does not exist in Antarctica/Troll: the clocks went forward over \
             it. Use a time before or after the gap, e.g. 2026-03-29 03:00"
        );
    }

    #[test]
    fn minutes_with_a_digit_missing_are_refused_not_read_as_the_minute_under_ten() {
        for time in ["09:5", "17:3", "9:5"] {
            let err = parse_local("2026-11-20", time, London).unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("give the minutes as two digits, e.g. 09:05 or 09:50"),
                "{time}: {err}"
            );
        }
        assert!(parse_local("2026-11-20", "9:05", London).is_ok());
        // A time that is not digits at all is not said to lack one.
        assert!(matches!(
            parse_local("2026-11-20", "9:30pm\u{1F64F}", London),
            Err(LocalTimeError::Format(..))
        ));
        // Nor is a date written day first a date in the year 20.
        assert!(matches!(
            parse_local("20-11-2026", "17:30", London),
            Err(LocalTimeError::Format(..))
        ));
    }

    #[test]
    fn a_zone_typed_after_the_time_picks_the_occurrence_it_names() {
        let in_zone = |date, time, zone| parse_local_in_zone(date, time, Some(zone), London);
        // 01:30 on 26 October 2025 happened at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
        for (zone, expected) in [
            ("BST", "2025-10-26T00:30:00Z"),
            ("bst", "2025-10-26T00:30:00Z"),
            ("+01:00", "2025-10-26T00:30:00Z"),
            ("+0100", "2025-10-26T00:30:00Z"),
            ("+01", "2025-10-26T00:30:00Z"),
            ("+1", "2025-10-26T00:30:00Z"),
            ("GMT+1", "2025-10-26T00:30:00Z"),
            ("UTC+01:00", "2025-10-26T00:30:00Z"),
            ("GMT", "2025-10-26T01:30:00Z"),
            ("GMT+0", "2025-10-26T01:30:00Z"),
            ("utc+0", "2025-10-26T01:30:00Z"),
            ("GMT+00:00", "2025-10-26T01:30:00Z"),
            ("+0", "2025-10-26T01:30:00Z"),
            ("UTC", "2025-10-26T01:30:00Z"),
            ("Z", "2025-10-26T01:30:00Z"),
            ("+00:00", "2025-10-26T01:30:00Z"),
            ("-00:00", "2025-10-26T01:30:00Z"),
        ] {
            assert_eq!(
                in_zone("2025-10-26", "01:30", zone),
                Ok((utc(expected), None)),
                "{zone}"
            );
        }
        // Outside that hour, the zone must be the one the clocks showed.
        assert_eq!(
            in_zone("2025-07-01", "09:00", "BST"),
            Ok((utc("2025-07-01T08:00:00Z"), None))
        );
        assert_eq!(
            in_zone("2025-07-01", "09:00", "GMT")
                .unwrap_err()
                .to_string(),
            "2025-07-01 09:00 in Europe/London is BST, not GMT. Write the time as the clocks \
             there showed it; a zone after it only picks one of the two times the clocks went \
             back over"
        );
        assert!(in_zone("2025-10-26", "01:30", "CET")
            .unwrap_err()
            .to_string()
            .starts_with("2025-10-26 01:30 in Europe/London is BST or GMT, not CET."));
        // A skipped time stays skipped, whatever zone is typed.
        assert!(matches!(
            in_zone("2025-03-30", "01:30", "GMT"),
            Err(LocalTimeError::Skipped(..))
        ));
    }

    #[test]
    fn a_wrong_zone_is_explained_in_the_configured_zones_own_terms() {
        let tz = chrono_tz::America::New_York;
        let message = parse_local_in_zone("2026-07-01", "09:00", Some("est"), tz)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("2026-07-01 09:00 in America/New_York is EDT, not est."),
            "{message}"
        );
        assert!(
            !message.contains("BST") && !message.contains("GMT"),
            "{message}"
        );
        // `ET` is the zone as New Yorkers write it, summer or winter; `PT` is not theirs.
        assert!(parse_local_in_zone("2026-07-01", "09:00", Some("ET"), tz).is_ok());
        assert!(parse_local_in_zone("2026-12-01", "09:00", Some("ET"), tz).is_ok());
        assert!(parse_local_in_zone("2026-07-01", "09:00", Some("America/New_York"), tz).is_ok());
        assert!(parse_local_in_zone("2026-07-01", "09:00", Some("PT"), tz).is_err());
        // Nor is `CT` China's CST, nor `ET` Helsinki's EET: only US zones have them.
        for (zone, tz) in [
            ("CT", chrono_tz::Asia::Shanghai),
            ("CT", chrono_tz::Europe::Berlin),
            ("ET", chrono_tz::Europe::Helsinki),
            ("ET", chrono_tz::Africa::Nairobi),
        ] {
            assert!(
                parse_local_in_zone("2026-07-01", "09:00", Some(zone), tz).is_err(),
                "{zone} in {tz}"
            );
        }
        // Another name for the configured zone names it.
        assert!(parse_local_in_zone("2026-07-01", "09:00", Some("Europe/Belfast"), London).is_ok());
        // In London, a time written in another zone is refused, not read as London's.
        for other in ["ET", "PT", "Europe/Berlin"] {
            assert!(
                matches!(
                    parse_local_in_zone("2026-11-20", "09:00", Some(other), London),
                    Err(LocalTimeError::WrongZone(..))
                ),
                "{other}"
            );
        }
        let (first, second) = parse_local_in_zone("2026-11-01", "01:30", Some("est"), tz).unwrap();
        assert_eq!(first, utc("2026-11-01T06:30:00Z"));
        assert_eq!(second, None);
    }

    #[test]
    fn an_offset_typed_after_the_time_counts_its_sign_and_its_minutes() {
        // 09:00 on 1 December 2026: EST in New York, IST in India.
        for (zone, tz, expected) in [
            (
                "-05:00",
                chrono_tz::America::New_York,
                "2026-12-01T14:00:00Z",
            ),
            (
                "UTC-5",
                chrono_tz::America::New_York,
                "2026-12-01T14:00:00Z",
            ),
            ("+05:30", chrono_tz::Asia::Kolkata, "2026-12-01T03:30:00Z"),
        ] {
            assert_eq!(
                parse_local_in_zone("2026-12-01", "09:00", Some(zone), tz),
                Ok((utc(expected), None)),
                "{zone} in {tz}"
            );
        }
    }

    #[test]
    fn an_offset_with_other_characters_is_not_one_and_never_panics() {
        for word in ["+£5", "-€5", "+é1", "GMT+é1", "-—", "+1é", "UTC-\u{2212}1"] {
            assert!(!looks_like_a_zone(word), "{word}");
            assert!(parse_local_in_zone("2025-03-03", "09:30", Some(word), London).is_err());
        }
    }

    #[test]
    fn only_zone_shaped_words_after_a_time_are_read_as_its_zone() {
        for zone in [
            "GMT",
            "BST",
            "CEST",
            "UTC",
            "utc",
            "Z",
            "+01:00",
            "-0530",
            "+01",
            "+1",
            "+0",
            "-5",
            "+530",
            "bst",
            "Bst",
            "cest",
            "GMT+0",
            "gmt+1",
            "UTC+0",
            "UTC+01:00",
            "GMT+00:00",
            "UTC-5",
            "utc\u{2212}05:30",
            "ET",
            "PT",
            "Europe/Berlin",
            "America/New_York",
        ] {
            assert!(looks_like_a_zone(zone), "{zone}");
        }
        for word in [
            "DB",
            "done",
            "z",
            "+01:0",
            "+25:00",
            "01:00",
            "CHANGES",
            "west",
            "wet",
            "cat",
            "that",
            "GMT+",
            "UTC+x",
            "+",
            "-",
            "+12345",
            "GMT-1:5",
            "+01:60",
            "+-1",
            "IT",
            "UTCnow",
            "et",
            "pt",
            "and/or",
            "Europe/Nowhere",
        ] {
            assert!(!looks_like_a_zone(word), "{word}");
        }
    }

    #[test]
    fn a_twelve_hour_clock_reads_as_24_hour_and_only_with_real_hours_and_minutes() {
        for (clock, pm, read) in [
            ("12", false, Some("00:00")),
            ("12", true, Some("12:00")),
            ("5:30", true, Some("17:30")),
            ("9.05", false, Some("09:05")),
            ("5:59", true, Some("17:59")),
            ("5:60", true, None),
            ("13", true, None),
            ("0", false, None),
            ("5:3", true, None),
        ] {
            assert_eq!(
                twelve_hour_clock(clock, pm).as_deref(),
                read,
                "{clock} pm: {pm}"
            );
        }
    }

    #[test]
    fn an_iso_date_and_time_is_split_only_when_both_halves_are_numbers() {
        for (word, split) in [
            ("2025-03-03T09:30", Some(("2025-03-03", "09:30"))),
            // Only the shape: the date and time parser says what is wrong with it.
            ("2025-03-32t24:00", Some(("2025-03-32", "24:00"))),
            ("2025-03-03T9", None),
            ("2025-03-0xT09:30", None),
            ("2025-03-03Tnoon", None),
        ] {
            assert_eq!(
                iso_date_time(word),
                split.map(|(d, t)| (d.to_owned(), t.to_owned())),
                "{word}"
            );
        }
    }

    #[test]
    fn the_words_after_a_date_are_a_24_hour_time_and_at_most_one_zone() {
        type Read = Result<(&'static str, Option<&'static str>), ClockError>;
        // (time, the words after it, read as)
        let cases: [(&str, &[&str], Read); 7] = [
            ("17:00", &[], Ok(("17:00", None))),
            ("09:30", &["BST"], Ok(("09:30", Some("BST")))),
            ("5pm", &[], Ok(("17:00", None))),
            ("5:30", &["pm", "GMT"], Ok(("17:30", Some("GMT")))),
            ("12", &["am"], Ok(("00:00", None))),
            ("13:00", &["pm"], Err(ClockError::TwelveHour)),
            ("17:00", &["BST", "sharp"], Err(ClockError::TooManyWords)),
        ];
        for (time, rest, read) in cases {
            assert_eq!(
                clock_and_zone(time, rest),
                read.map(|(time, zone)| (time.to_owned(), zone)),
                "{time} {rest:?}"
            );
        }
    }
}
