//! Calendar months, the pay period: `YYYY-MM` as people type it, and its bounds in a time zone.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// A calendar month, e.g. `2025-03`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// Why text is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("`{0}` is not a month: write it as YYYY-MM, e.g. 2025-03")]
    Format(String),
    #[error("`{0}` has no month {1}: months run from 01 to 12")]
    MonthOutOfRange(String, u32),
    #[error("`{0}` is outside the years Baton handles (2000 to 2199)")]
    YearOutOfRange(String),
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((2000..=2199).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The month containing `instant` in `tz`.
    pub fn containing(instant: DateTime<Utc>, tz: Tz) -> Self {
        let local = instant.with_timezone(&tz);
        Self {
            year: local.year(),
            month: local.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("YearMonth holds a valid month")
    }

    /// The month after this one. It may leave the years Baton handles (2199-12 gives 2200-01),
    /// which [`YearMonth::new`] would refuse: for a month's end bound and messages only.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before, if it is within the years Baton handles.
    pub fn previous(self) -> Option<Self> {
        if self.month == 1 {
            Self::new(self.year - 1, 12)
        } else {
            Self::new(self.year, self.month - 1)
        }
    }

    /// `[start, end)` of the month in UTC: local midnight on the 1st to local midnight on the 1st
    /// of the next month.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of_day(self.first_day(), tz),
            start_of_day(self.next().first_day(), tz),
        )
    }

    /// Where `now` is relative to the month, in `tz`.
    pub fn progress(self, tz: Tz, now: DateTime<Utc>) -> Progress {
        let (start, end) = self.bounds(tz);
        if now < start {
            Progress::NotStarted
        } else if now < end {
            Progress::ToDate
        } else {
            Progress::Over
        }
    }

    /// e.g. "March 2025".
    pub fn long_name(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }
}

/// Where a month is, seen from now: its pay is final, accrued to now, or nothing yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotStarted,
    ToDate,
    Over,
}

/// Which month, as asked: `this` and `last` are read against the local calendar when answered.
/// `/oncall-pay` and `pay-report --month` take the same words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthAsked {
    This,
    Last,
    Given(YearMonth),
}

impl MonthAsked {
    /// `this` or `last`, in any case: a month named relative to now.
    pub fn relative(word: &str) -> Option<Self> {
        match crate::domain::text::keyword(word).as_str() {
            "this" => Some(Self::This),
            "last" => Some(Self::Last),
            _ => None,
        }
    }

    /// One word: `this`, `last` or `YYYY-MM`, in quotes or followed by punctuation as people
    /// type them (`2025-03.`). `/oncall-pay`'s month, and each of [`Self::parse_words`]'.
    pub fn parse_word(word: &str) -> Result<Self, MonthError> {
        let word = crate::domain::text::keyword(word);
        Self::relative(&word).map_or_else(|| word.parse().map(Self::Given), Ok)
    }

    /// A month as `pay-report --month` takes it: `YYYY-MM`, `last` or `this`, either of those
    /// followed by `month` (`last month`), as `/oncall-pay` reads them.
    pub fn parse_words(text: &str) -> Result<Self, MonthError> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words[..] {
            // Quoted back as typed, not as read (`March`, not `march`).
            [word] => Self::parse_word(word).map_err(|e| e.quoting(word.to_owned())),
            [word, month] if crate::domain::text::keyword(month) == "month" => {
                Self::relative(word).ok_or_else(|| MonthError::Format(text.trim().to_owned()))
            }
            _ => Err(MonthError::Format(text.trim().to_owned())),
        }
    }

    /// The month meant at `now` in `tz`; `None` for `last` in January 2000, before the years
    /// Baton handles.
    pub fn resolve(self, now: DateTime<Utc>, tz: Tz) -> Option<YearMonth> {
        let this = YearMonth::containing(now, tz);
        match self {
            Self::This => Some(this),
            Self::Last => this.previous(),
            Self::Given(month) => Some(month),
        }
    }
}

impl MonthError {
    /// The same error, with what the person typed in it replaced by `shown`: in Slack, the
    /// typed word escaped and cut (`text::echo`).
    pub fn quoting(self, shown: String) -> Self {
        match self {
            Self::Format(_) => Self::Format(shown),
            Self::MonthOutOfRange(_, month) => Self::MonthOutOfRange(shown, month),
            Self::YearOutOfRange(_) => Self::YearOutOfRange(shown),
        }
    }
}

/// How to write a month typed by its name (`March`, `feb`), with the word after it, which may be
/// its year: "write March 2026 as `2026-03`", in the year typed, or else the latest such month
/// up to `this_month` (`december` in January is the one just gone), or else with the year left
/// as YYYY. `None` for a word that names no month.
pub fn how_to_write(word: &str, after: &str, this_month: Option<YearMonth>) -> Option<String> {
    let number = month_number(word)?;
    let typed_year = (after.len() == 4)
        .then(|| after.parse::<i32>().ok())
        .flatten();
    let meant = match typed_year {
        Some(year) => YearMonth::new(year, number),
        None => this_month.and_then(|now| latest_named(number, now)),
    };
    Some(match meant {
        Some(month) => format!("write {} as `{month}`", month.long_name()),
        None => {
            let name = YearMonth::new(2000, number).map(|m| m.first_day().format("%B").to_string());
            format!("write {} as YYYY-{number:02}", name.unwrap_or_default())
        }
    })
}

/// The latest month numbered `number` (1 to 12) not after `now`: what someone means by a month's
/// name without its year (in January, `december` is the one just gone).
pub fn latest_named(number: u32, now: YearMonth) -> Option<YearMonth> {
    let year = if number <= now.month() {
        now.year()
    } else {
        now.year() - 1
    };
    YearMonth::new(year, number)
}

/// An English month's name or its usual abbreviation (`March`, `mar`, `Sept`, `Nov.`), in any
/// case: for saying how to write a month, and for reading a date typed with its month's name.
pub fn is_month_name(word: &str) -> bool {
    month_number(word).is_some()
}

/// The number (1 to 12) of the month [`is_month_name`] reads `word` as.
pub fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = crate::domain::text::keyword(word);
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| word == *m || (word.len() == 3 && m.starts_with(&word)))
        .map(|i| i as u32 + 1)
}

/// The first instant of a local date. Midnight can be skipped by a DST change in some zones
/// (e.g. America/Havana); the day then starts at the first instant that exists.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists on every date");
    first_instant_at_or_after(midnight, tz)
}

/// The first real instant at or after a local wall-clock time: the time itself, its earlier
/// occurrence if it is repeated (clocks going back), or the end of the gap if it is skipped.
pub fn first_instant_at_or_after(local: chrono::NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    use chrono::offset::LocalResult;
    let mut probe = local;
    // Gaps are at most a few hours; step minute by minute to the first time that exists.
    for _ in 0..(26 * 60) {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => {
                probe = (probe + chrono::Duration::minutes(1))
                    .with_second(0)
                    .unwrap_or(probe + chrono::Duration::minutes(1));
            }
        }
    }
    // Unreachable for real zone data; fall back to reading the local time as UTC.
    Utc.from_utc_datetime(&local)
}

use chrono::Timelike;

impl FromStr for YearMonth {
    type Err = MonthError;

    /// `2025-03`, and as people also type it: `2025-3`, or with the dash a word processor or a
    /// phone put in (`2025–03`, an en dash, looks the same).
    fn from_str(raw: &str) -> Result<Self, MonthError> {
        let text = crate::domain::text::plain_hyphens(raw.trim());
        let text = text.as_str();
        let (y, m) = text
            .split_once('-')
            .ok_or_else(|| MonthError::Format(text.to_owned()))?;
        if y.len() != 4
            || !(1..=2).contains(&m.len())
            || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(MonthError::Format(text.to_owned()));
        }
        let year: i32 = y.parse().map_err(|_| MonthError::Format(text.to_owned()))?;
        let month: u32 = m.parse().map_err(|_| MonthError::Format(text.to_owned()))?;
        if !(1..=12).contains(&month) {
            return Err(MonthError::MonthOutOfRange(text.to_owned(), month));
        }
        YearMonth::new(year, month).ok_or_else(|| MonthError::YearOutOfRange(text.to_owned()))
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    #[test]
    fn a_month_named_without_its_year_is_the_latest_such_month_up_to_now() {
        let month = |s: &str| s.parse::<YearMonth>().unwrap();
        // (month's number, now, meant)
        for (number, now, meant) in [
            (12, "2027-01", "2026-12"),
            (1, "2027-01", "2027-01"),
            (2, "2027-01", "2026-02"),
            (11, "2026-11", "2026-11"),
            (3, "2026-11", "2026-03"),
        ] {
            assert_eq!(
                latest_named(number, month(now)),
                Some(month(meant)),
                "{number} at {now}"
            );
        }
        // Before the years Baton handles.
        assert_eq!(latest_named(12, month("2000-01")), None);
    }

    #[test]
    fn a_month_has_not_started_is_to_date_or_is_over_by_local_midnights() {
        let m: YearMonth = "2025-03".parse().unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let cases = [
            ("2025-02-28T23:59:59Z", Progress::NotStarted),
            ("2025-03-01T00:00:00Z", Progress::ToDate),
            // The month ends at midnight BST: 23:00 UTC, after the clocks went forward.
            ("2025-03-31T22:59:59Z", Progress::ToDate),
            ("2025-03-31T23:00:00Z", Progress::Over),
        ];
        for (now, expected) in cases {
            assert_eq!(m.progress(London, at(now)), expected, "{now}");
        }
    }

    #[test]
    fn a_month_is_asked_for_as_yyyy_mm_or_relative_to_the_local_calendar() {
        let month = |s: &str| s.parse::<YearMonth>().unwrap();
        // 00:30 BST on 1 April 2025 is still 31 March in UTC: by local time it is April.
        let now = DateTime::parse_from_rfc3339("2025-03-31T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // (typed, the month meant)
        for (typed, want) in [
            ("2025-02", "2025-02"),
            (" 2025-2 ", "2025-02"),
            ("last", "2025-03"),
            ("LAST", "2025-03"),
            ("last month", "2025-03"),
            ("this", "2025-04"),
            ("this Month", "2025-04"),
            // As `/oncall-pay` reads a word: in quotes, or with a full stop after it.
            ("'2025-02'", "2025-02"),
            ("2025-02.", "2025-02"),
            ("\"last\"", "2025-03"),
        ] {
            let asked = MonthAsked::parse_words(typed).unwrap();
            assert_eq!(asked.resolve(now, London), Some(month(want)), "{typed:?}");
        }
        for typed in [
            "",
            "feb",
            "March 2026",
            "last week",
            "2025-03 month",
            "last month ago",
        ] {
            assert!(
                matches!(MonthAsked::parse_words(typed), Err(MonthError::Format(_))),
                "{typed:?}"
            );
        }
        assert_eq!(
            MonthAsked::parse_words("2025-13"),
            Err(MonthError::MonthOutOfRange("2025-13".into(), 13))
        );
        // Quoted back as typed, not as read.
        assert_eq!(
            MonthAsked::parse_words("March"),
            Err(MonthError::Format("March".into()))
        );
        let january_2000 = DateTime::parse_from_rfc3339("2000-01-15T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(MonthAsked::Last.resolve(january_2000, London), None);
    }

    #[test]
    fn months_parse_from_yyyy_mm_and_print_back() {
        let m: YearMonth = "2024-02".parse().unwrap();
        assert_eq!((m.year(), m.month()), (2024, 2));
        assert_eq!(m.to_string(), "2024-02");
        assert_eq!(m.long_name(), "February 2024");
        // The month before, across a year, and none before the years Baton handles.
        let prev = |s: &str| {
            s.parse::<YearMonth>()
                .unwrap()
                .previous()
                .map(|m| m.to_string())
        };
        assert_eq!(prev("2025-01").as_deref(), Some("2024-12"));
        assert_eq!(prev("2025-03").as_deref(), Some("2025-02"));
        assert_eq!(prev("2000-01"), None);
        // As people also type it: one digit, or a dash that looks like `-` but is not.
        for typed in [
            "2024-2",
            "2024\u{2013}02",
            "2024\u{2014}2",
            "2024\u{2212}02",
            " 2024-02 ",
        ] {
            assert_eq!(typed.parse::<YearMonth>(), Ok(m), "{typed:?}");
        }
    }

    #[test]
    fn bad_months_are_refused_with_a_reason_a_person_can_act_on() {
        assert_eq!(
            "2024-13".parse::<YearMonth>(),
            Err(MonthError::MonthOutOfRange("2024-13".into(), 13))
        );
        assert_eq!(
            "2024-00".parse::<YearMonth>(),
            Err(MonthError::MonthOutOfRange("2024-00".into(), 0))
        );
        for bad in [
            "2024",
            "24-01",
            "2024-001",
            "2024-",
            "2024/01",
            "march",
            "2024-01-01",
            "+024-01",
        ] {
            assert!(
                matches!(bad.parse::<YearMonth>(), Err(MonthError::Format(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            "1999-12".parse::<YearMonth>(),
            Err(MonthError::YearOutOfRange(_))
        ));
    }

    #[test]
    fn month_bounds_are_local_midnights_in_utc() {
        // London is on GMT in January and BST (UTC+1) from the last Sunday of March.
        let (start, end) = YearMonth::new(2025, 3).unwrap().bounds(London);
        assert_eq!(start.to_rfc3339(), "2025-03-01T00:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2025-03-31T23:00:00+00:00");
        // A month whose last day is a clock change ends at that day's local midnight.
        for (y, m, start, end) in [
            (
                2024,
                3,
                "2024-03-01T00:00:00+00:00",
                "2024-03-31T23:00:00+00:00",
            ),
            (
                2025,
                10,
                "2025-09-30T23:00:00+00:00",
                "2025-11-01T00:00:00+00:00",
            ),
            (
                2027,
                10,
                "2027-09-30T23:00:00+00:00",
                "2027-11-01T00:00:00+00:00",
            ),
        ] {
            let (s, e) = YearMonth::new(y, m).unwrap().bounds(London);
            assert_eq!((s.to_rfc3339(), e.to_rfc3339()), (start.into(), end.into()));
        }
        let (start, _) = YearMonth::new(2025, 12).unwrap().bounds(London);
        assert_eq!(
            YearMonth::new(2025, 12).unwrap().next().to_string(),
            "2026-01"
        );
        assert_eq!(start.to_rfc3339(), "2025-12-01T00:00:00+00:00");
    }

    #[test]
    fn a_skipped_local_time_means_the_first_instant_after_the_gap() {
        // 2025-03-30 01:30 does not exist in London: clocks jump from 01:00 GMT to 02:00 BST.
        let t = NaiveDate::from_ymd_opt(2025, 3, 30)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            first_instant_at_or_after(t, London).to_rfc3339(),
            "2025-03-30T01:00:00+00:00"
        );
        // 2025-10-26 01:30 happens twice; the first is BST (00:30 UTC).
        let t = NaiveDate::from_ymd_opt(2025, 10, 26)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            first_instant_at_or_after(t, London).to_rfc3339(),
            "2025-10-26T00:30:00+00:00"
        );
    }

    #[test]
    fn a_date_the_clocks_skip_whole_starts_when_the_next_date_does() {
        // Samoa moved across the date line at the end of 29 December 2011 (UTC-10), straight to
        // 31 December (UTC+14): no 30 December at all, a gap of a whole day, not an hour. The day
        // has no seconds, so nobody is paid for it, rather than its midnight being read as UTC.
        let apia = chrono_tz::Pacific::Apia;
        let day = |d| NaiveDate::from_ymd_opt(2011, 12, d).unwrap();
        assert_eq!(
            start_of_day(day(30), apia).to_rfc3339(),
            "2011-12-30T10:00:00+00:00"
        );
        assert_eq!(start_of_day(day(30), apia), start_of_day(day(31), apia));
    }
}
