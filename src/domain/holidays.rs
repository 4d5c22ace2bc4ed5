//! Bank-holiday calendars from the UK government's `bank-holidays.json`.
//!
//! The file (<https://www.gov.uk/bank-holidays.json>) lists, per division, every bank holiday
//! including one-off days no rule predicts (2022-06-03, 2022-09-19, 2023-05-08) and substitute
//! days. A copy is compiled in; an operator can load a newer copy of the same format instead
//! (see `config_pay`). We parse it ourselves rather than use the `govuk-bank-holidays` crate,
//! whose network refresh pulls in a TLS stack that conflicts with ours.
//!
//! A calendar knows which dates it *covers*: the whole years from its first listed event to its
//! last. Outside them the file says nothing, so pay must not quietly treat such a date as a
//! working day; callers ask [`HolidayCalendar::covers`] and warn.

use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// The copy of `bank-holidays.json` compiled into the binary (2012 to 2028).
const BUILTIN_JSON: &[u8] = include_bytes!("../../data/bank-holidays.json");

/// The divisions in GOV.UK's file, which [`HolidayCalendar::builtin`] accepts.
pub const BUILTIN_DIVISIONS: [&str; 3] = ["england-and-wales", "scotland", "northern-ireland"];

/// Why a holiday file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolidayError {
    #[error("not a bank-holidays.json file: {0}")]
    Format(String),
    #[error("`{division}` is not a division in the file (it has: {})", available.join(", "))]
    UnknownDivision {
        division: String,
        available: Vec<String>,
    },
    #[error("division `{0}` lists no dates, so it covers no year")]
    NoDates(String),
}

#[derive(serde::Deserialize)]
struct Division {
    events: Vec<Event>,
}

/// One holiday; the file's `title`, `notes` and `bunting` are not needed for pay.
#[derive(serde::Deserialize)]
struct Event {
    date: NaiveDate,
}

/// The bank holidays of one division, plus company-specific extra days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    division: String,
    /// Sorted, deduplicated dates from the file.
    official: Vec<NaiveDate>,
    /// Inclusive range of dates the file speaks for; None for [`HolidayCalendar::empty`].
    covered: Option<(NaiveDate, NaiveDate)>,
    /// Sorted, deduplicated company days, holidays whatever the file says.
    extra: Vec<NaiveDate>,
}

impl HolidayCalendar {
    /// A division of the compiled-in GOV.UK file, e.g. `england-and-wales`.
    pub fn builtin(division: &str) -> Result<Self, HolidayError> {
        Self::from_json(BUILTIN_JSON, division)
    }

    /// A division of a file in GOV.UK's `bank-holidays.json` format.
    pub fn from_json(bytes: &[u8], division: &str) -> Result<Self, HolidayError> {
        let file: BTreeMap<String, Division> =
            serde_json::from_slice(bytes).map_err(|e| HolidayError::Format(e.to_string()))?;
        let available: Vec<String> = file.keys().cloned().collect();
        // `{}`: no list of divisions to offer.
        if available.is_empty() {
            return Err(HolidayError::Format(
                "it names no divisions; GOV.UK's file has `england-and-wales`, `scotland` and \
                 `northern-ireland`"
                    .to_owned(),
            ));
        }
        let events = file
            .into_iter()
            .find_map(|(name, d)| (name == division).then_some(d.events))
            .ok_or_else(|| HolidayError::UnknownDivision {
                division: division.to_owned(),
                available,
            })?;
        let mut official: Vec<NaiveDate> = events.into_iter().map(|e| e.date).collect();
        official.sort_unstable();
        official.dedup();
        let (Some(&first), Some(&last)) = (official.first(), official.last()) else {
            return Err(HolidayError::NoDates(division.to_owned()));
        };
        // GOV.UK publishes whole years, so the file speaks for 1 January of its first year to
        // 31 December of its last (both dates exist in every year).
        let covered = NaiveDate::from_ymd_opt(first.year(), 1, 1).zip(NaiveDate::from_ymd_opt(
            last.year(),
            12,
            31,
        ));
        Ok(Self {
            division: division.to_owned(),
            official,
            covered,
            extra: Vec::new(),
        })
    }

    /// A calendar that covers no date. For pay, only a loud fallback: every date pay needs is
    /// reported as uncovered. The reminders use it for "post on bank holidays too"
    /// (`on_bank_holidays = true`), where it means no day is skipped.
    pub fn empty() -> Self {
        Self {
            division: String::new(),
            official: Vec::new(),
            covered: None,
            extra: Vec::new(),
        }
    }

    /// Adds company holidays (e.g. Christmas Eve), paid as bank holidays.
    pub fn with_extra(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra.extend(dates);
        self.extra.sort_unstable();
        self.extra.dedup();
        self
    }

    /// Whether `d` is a bank holiday in the file or an extra company day.
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.is_extra(d) || self.official.binary_search(&d).is_ok()
    }

    /// Whether `d` is one of the extra company days (known holidays even outside the file).
    pub fn is_extra(&self, d: NaiveDate) -> bool {
        self.extra.binary_search(&d).is_ok()
    }

    /// Whether the file speaks for `d`; outside its years, "not a holiday" means "unknown".
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.covered
            .is_some_and(|(first, last)| first <= d && d <= last)
    }

    /// The inclusive range of dates the file covers.
    pub fn covered_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.covered
    }

    /// The division this calendar came from (empty for [`HolidayCalendar::empty`]).
    pub fn division(&self) -> &str {
        &self.division
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_builtin_calendar_knows_each_divisions_holidays_including_one_off_days() {
        // (division, date, is a holiday) — checked against gov.uk/bank-holidays.
        let cases = [
            ("england-and-wales", "2025-04-18", true),  // Good Friday
            ("england-and-wales", "2025-04-21", true),  // Easter Monday
            ("england-and-wales", "2022-06-03", true),  // Platinum Jubilee, one-off
            ("england-and-wales", "2022-09-19", true),  // State funeral, one-off
            ("england-and-wales", "2023-05-08", true),  // Coronation, one-off
            ("england-and-wales", "2022-12-27", true),  // Christmas substitute day
            ("england-and-wales", "2022-12-25", false), // a Sunday: the 27th is paid instead
            ("england-and-wales", "2025-01-02", false), // Scotland only
            ("england-and-wales", "2025-03-17", false), // Northern Ireland only
            ("scotland", "2025-01-02", true),
            ("scotland", "2025-04-21", false), // no Easter Monday in Scotland
            ("northern-ireland", "2025-03-17", true), // St Patrick's Day
            ("northern-ireland", "2025-07-14", true), // Battle of the Boyne (substitute)
        ];
        for (division, d, want) in cases {
            let cal = HolidayCalendar::builtin(division).unwrap();
            assert_eq!(cal.is_holiday(date(d)), want, "{division} {d}");
            assert_eq!(cal.division(), division);
        }
    }

    #[test]
    fn a_calendar_covers_the_whole_years_its_file_lists_and_nothing_else() {
        let cal = HolidayCalendar::builtin("england-and-wales").unwrap();
        assert_eq!(
            cal.covered_range(),
            Some((date("2012-01-01"), date("2028-12-31")))
        );
        for (d, want) in [
            ("2011-12-31", false),
            ("2012-01-01", true),
            ("2028-12-31", true),
            ("2029-01-01", false),
        ] {
            assert_eq!(cal.covers(date(d)), want, "{d}");
        }
        assert!(!HolidayCalendar::empty().covers(date("2025-06-02")));
    }

    #[test]
    fn extra_company_days_are_holidays_even_outside_the_files_years() {
        let cal = HolidayCalendar::builtin("england-and-wales")
            .unwrap()
            .with_extra([date("2025-12-24"), date("2030-12-24"), date("2025-12-24")]);
        assert!(cal.is_holiday(date("2025-12-24")));
        assert!(cal.is_holiday(date("2030-12-24")));
        assert!(cal.is_extra(date("2030-12-24")));
        assert!(!cal.covers(date("2030-12-24")));
        assert!(cal.is_holiday(date("2025-12-25")));
        assert!(!cal.is_holiday(date("2025-12-23")));
    }

    #[test]
    fn an_operators_newer_file_is_read_in_the_same_format() {
        let json = br#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year's Day", "date": "2029-01-01", "notes": "", "bunting": true},
            {"title": "Christmas Day", "date": "2030-12-25", "notes": "", "bunting": true}]}}"#;
        let cal = HolidayCalendar::from_json(json, "england-and-wales").unwrap();
        assert!(cal.is_holiday(date("2029-01-01")));
        assert!(cal.covers(date("2030-06-01")));
        assert!(!cal.covers(date("2028-12-31")));
    }

    #[test]
    fn unusable_files_are_refused_with_the_reason() {
        let cases: [(&[u8], &str, &str); 5] = [
            (
                b"not json",
                "england-and-wales",
                "not a bank-holidays.json file: ",
            ),
            (
                b"{}",
                "england-and-wales",
                "not a bank-holidays.json file: it names no divisions; GOV.UK's file has",
            ),
            (
                br#"{"scotland": {"events": []}}"#,
                "wales",
                "`wales` is not a division in the file (it has: scotland)",
            ),
            (
                br#"{"scotland": {"events": []}}"#,
                "scotland",
                "division `scotland` lists no dates, so it covers no year",
            ),
            (
                br#"{"scotland": {"events": [{"date": "2025-02-30"}]}}"#,
                "scotland",
                "not a bank-holidays.json file: ",
            ),
        ];
        for (bytes, division, want) in cases {
            let err = HolidayCalendar::from_json(bytes, division).unwrap_err();
            assert!(err.to_string().starts_with(want), "{err}");
        }
        assert!(matches!(
            HolidayCalendar::builtin("wales"),
            Err(HolidayError::UnknownDivision { .. })
        ));
    }
}
