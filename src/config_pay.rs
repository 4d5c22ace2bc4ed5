//! The `[pay]` section of the config file, validated once at startup into a [`PayPolicy`].
//!
//! ```toml
//! [pay]
//! currency = "GBP"                # ISO 4217; symbol and minor unit from it
//! weekday = "50.00"               # per full on-call day; all three rates, or none (days only)
//! weekend = "75.00"
//! bank_holiday = "100.00"
//! weekend_days = ["sat", "sun"]   # the default
//! holidays = "england-and-wales"  # or "scotland", "northern-ireland", or a path to a
//!                                 # bank-holidays.json, relative to the config file
//! # holidays_division = "scotland"  # only with a path above: which division of that file
//!                                   # (default england-and-wales)
//! extra_holidays = ["2025-12-24"] # company days paid as bank holidays
//!
//! [[pay.rate_change]]             # new rates from a month on; one table per change, oldest first
//! from = "2026-04"                # the first month paid at them ("2026-04-01" also reads)
//! weekend = "80.00"               # any of the three; the others carry over
//! ```
//!
//! Every error names the key and the value, so an operator can fix the file from the message.
//! The time zone is the top-level `timezone`, parsed by the caller and passed in.

use crate::domain::holidays::{HolidayCalendar, HolidayError, BUILTIN_DIVISIONS};
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::month::{MonthError, YearMonth};
use crate::domain::pay::{PayPolicy, RateChange, Rates, WeekendDays};
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

/// `[pay]` as written. Rates are strings so no decimal ever passes through a float.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaySection {
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "rate_text")]
    pub weekday: Option<String>,
    #[serde(default, deserialize_with = "rate_text")]
    pub weekend: Option<String>,
    #[serde(default, deserialize_with = "rate_text")]
    pub bank_holiday: Option<String>,
    /// None means Saturday and Sunday.
    pub weekend_days: Option<Vec<String>>,
    /// None means the built-in `england-and-wales`.
    pub holidays: Option<String>,
    /// The division to read when `holidays` is a file; None means `england-and-wales`.
    pub holidays_division: Option<String>,
    #[serde(default)]
    pub extra_holidays: Vec<String>,
    /// `[[pay.rate_change]]` tables, oldest first.
    #[serde(default)]
    pub rate_change: Vec<RateChangeSection>,
}

/// One `[[pay.rate_change]]` as written: the rates it names, from the month it names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateChangeSection {
    #[serde(deserialize_with = "month_text")]
    pub from: String,
    #[serde(default, deserialize_with = "rate_text")]
    pub weekday: Option<String>,
    #[serde(default, deserialize_with = "rate_text")]
    pub weekend: Option<String>,
    #[serde(default, deserialize_with = "rate_text")]
    pub bank_holiday: Option<String>,
}

/// A string, or a TOML date written without quotes (`from = 2026-04-01`), as text.
fn month_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Date(toml::value::Datetime),
        Other(toml::Value),
    }
    match Raw::deserialize(d)? {
        Raw::Text(s) => Ok(s),
        Raw::Date(d) => Ok(d.to_string()),
        // `from = 202604`: serde's own words would be "did not match any variant".
        Raw::Other(v) => Err(serde::de::Error::custom(format!(
            "`{v}` is not a month: write it in quotes as YYYY-MM, e.g. from = \"2026-04\""
        ))),
    }
}

/// Accepts only a string: `weekday = 50.10` would be a TOML float, already rounded in binary.
fn rate_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(toml::Value),
    }
    match Raw::deserialize(d)? {
        Raw::Text(s) => Ok(Some(s)),
        Raw::Number(v) => Err(serde::de::Error::custom(format!(
            "`{v}`: write rates in quotes, e.g. \"50.00\", so no decimal is lost"
        ))),
    }
}

/// Why `[pay]` was refused. Each message starts with the key.
#[derive(Debug, thiserror::Error)]
pub enum PayConfigError {
    #[error("pay.currency: {0}")]
    Currency(MoneyError),
    #[error("pay.{key}: {source}{}", rate_hint(source))]
    Rate {
        key: &'static str,
        source: MoneyError,
    },
    #[error(
        "{}: missing; set weekday, weekend and bank_holiday together, or none of them to show \
         on-call days without amounts",
        missing.iter().map(|k| format!("pay.{k}")).collect::<Vec<_>>().join(", ")
    )]
    IncompleteRates { missing: Vec<&'static str> },
    #[error(
        "pay.weekend_days: `{0}` is not a day of the week; use mon, tue, wed, thu, fri, sat or sun"
    )]
    WeekendDay(String),
    #[error(
        "pay.holidays: `{0}` is neither a built-in division ({divisions}) nor a path to a \
         bank-holidays.json file",
        divisions = BUILTIN_DIVISIONS.join(", ")
    )]
    UnknownHolidays(String),
    #[error("pay.holidays: cannot read `{path}`: {source}")]
    HolidaysUnreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("pay.holidays: `{path}` cannot be used: {source}")]
    HolidaysFile { path: String, source: HolidayError },
    #[error("pay.holidays_division: `{0}` applies only when pay.holidays is a path to a file")]
    DivisionWithoutFile(String),
    #[error("pay.extra_holidays: `{0}` is not a date (YYYY-MM-DD)")]
    ExtraHoliday(String),
    #[error(
        "pay.rate_change: a change needs rates to change from; set weekday, weekend and \
         bank_holiday under [pay] too"
    )]
    ChangeWithoutRates,
    #[error("pay.rate_change from: {source}; it is the first month paid at the new rates")]
    ChangeMonth { index: usize, source: MonthError },
    #[error(
        "pay.rate_change from = \"{text}\": rates change from the start of a month, since each \
         month is paid at one set of rates; write \"{month}\" for {month_name} on, or \"{next}\" \
         for the month after"
    )]
    ChangeMidMonth {
        index: usize,
        text: String,
        month: YearMonth,
        month_name: String,
        next: YearMonth,
    },
    #[error(
        "pay.rate_change from = \"{text}\": comes after the change from {previous}; list the \
         changes oldest first, one per month"
    )]
    ChangeOrder {
        index: usize,
        text: String,
        previous: YearMonth,
    },
    #[error(
        "pay.rate_change from = \"{text}\": names no rate; set weekday, weekend or bank_holiday \
         (the ones it leaves out carry over)"
    )]
    ChangeEmpty { index: usize, text: String },
    #[error(
        "pay.rate_change from = \"{text}\": {key}: {source}{}",
        rate_hint(source)
    )]
    ChangeRate {
        index: usize,
        text: String,
        key: &'static str,
        source: MoneyError,
    },
}

/// Where a refused value is written in the file, for finding its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A key of `[pay]`, as written in the file: `pay.weekday`.
    Key(String),
    /// A key of the `index`th `[[pay.rate_change]]` (from 0), or the table's header line when
    /// the key is `None` or not in it.
    Change {
        index: usize,
        key: Option<&'static str>,
    },
}

impl PayConfigError {
    /// Where the refused value is written: `None` where no one place holds it (rates
    /// missing from `[pay]`).
    pub fn written(&self) -> Option<Written> {
        let key = match self {
            Self::Currency(_) => "currency",
            Self::Rate { key, .. } => key,
            Self::WeekendDay(_) => "weekend_days",
            Self::UnknownHolidays(_) | Self::HolidaysUnreadable { .. } => "holidays",
            Self::HolidaysFile { .. } => "holidays",
            Self::DivisionWithoutFile(_) => "holidays_division",
            Self::ExtraHoliday(_) => "extra_holidays",
            Self::IncompleteRates { .. } => return None,
            // The first change, which has no rates to change from.
            Self::ChangeWithoutRates => {
                return Some(Written::Change {
                    index: 0,
                    key: None,
                })
            }
            Self::ChangeMonth { index, .. }
            | Self::ChangeMidMonth { index, .. }
            | Self::ChangeOrder { index, .. } => {
                return Some(Written::Change {
                    index: *index,
                    key: Some("from"),
                })
            }
            Self::ChangeEmpty { index, .. } => {
                return Some(Written::Change {
                    index: *index,
                    key: None,
                })
            }
            Self::ChangeRate { index, key, .. } => {
                return Some(Written::Change {
                    index: *index,
                    key: Some(key),
                })
            }
        };
        Some(Written::Key(format!("pay.{key}")))
    }
}

fn rate_hint(e: &MoneyError) -> &'static str {
    match e {
        MoneyError::Negative(_) | MoneyError::TooLarge(_) => {
            "; rates are per full on-call day, e.g. \"50.00\""
        }
        _ => "",
    }
}

impl PaySection {
    /// Validates the section into a policy. `config_dir` is the config file's directory, against
    /// which a relative `holidays` path is resolved; reading that file is the only I/O.
    pub fn into_policy(self, tz: Tz, config_dir: &Path) -> Result<PayPolicy, PayConfigError> {
        let currency = match &self.currency {
            Some(code) => Currency::parse(code).map_err(PayConfigError::Currency)?,
            None => Currency::gbp(),
        };
        let rates = rates(&self, &currency)?;
        let rate_changes = rate_changes(&self.rate_change, rates.as_ref(), &currency)?;
        let weekend_days = match &self.weekend_days {
            Some(days) => WeekendDays::from_days(
                days.iter()
                    .map(|d| {
                        crate::config::parse_weekday(d)
                            .ok_or_else(|| PayConfigError::WeekendDay(d.clone()))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => WeekendDays::saturday_and_sunday(),
        };
        let extra = self
            .extra_holidays
            .iter()
            .map(|d| date(d).ok_or_else(|| PayConfigError::ExtraHoliday(d.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let calendar = calendar(
            self.holidays.as_deref(),
            self.holidays_division.as_deref(),
            config_dir,
        )?
        .with_extra(extra);
        Ok(PayPolicy {
            timezone: tz,
            currency,
            rates,
            rate_changes,
            weekend_days,
            calendar,
        })
    }
}

impl PaySection {
    /// The bank-holiday file `holidays` names, read from the config's directory: none for a
    /// built-in division.
    pub fn holidays_file(&self, config_dir: &Path) -> Option<PathBuf> {
        let holidays = self.holidays.as_deref()?;
        (!BUILTIN_DIVISIONS.contains(&holidays)).then(|| config_dir.join(holidays))
    }
}

/// Each change's full rates (what it leaves out carries over from the rates before it), in
/// order, one per month.
fn rate_changes(
    written: &[RateChangeSection],
    base: Option<&Rates>,
    currency: &Currency,
) -> Result<Vec<RateChange>, PayConfigError> {
    let Some(base) = base else {
        return match written.is_empty() {
            true => Ok(Vec::new()),
            false => Err(PayConfigError::ChangeWithoutRates),
        };
    };
    let mut changes: Vec<RateChange> = Vec::with_capacity(written.len());
    for (index, section) in written.iter().enumerate() {
        let text = section.from.trim();
        let from = change_month(index, text)?;
        if let Some(previous) = changes.last().map(|c| c.from) {
            if from <= previous {
                return Err(PayConfigError::ChangeOrder {
                    index,
                    text: text.to_owned(),
                    previous,
                });
            }
        }
        if [&section.weekday, &section.weekend, &section.bank_holiday]
            .iter()
            .all(|r| r.is_none())
        {
            return Err(PayConfigError::ChangeEmpty {
                index,
                text: text.to_owned(),
            });
        }
        let before = changes.last().map_or(base, |c| &c.rates);
        let rate = |key: &'static str, written: &Option<String>, before: Money| match written {
            None => Ok(before),
            Some(t) => Money::parse(t, currency).map_err(|source| PayConfigError::ChangeRate {
                index,
                text: text.to_owned(),
                key,
                source,
            }),
        };
        let rates = Rates {
            weekday: rate("weekday", &section.weekday, before.weekday)?,
            weekend: rate("weekend", &section.weekend, before.weekend)?,
            bank_holiday: rate("bank_holiday", &section.bank_holiday, before.bank_holiday)?,
        };
        changes.push(RateChange { from, rates });
    }
    Ok(changes)
}

/// `2026-04`, or the first of that month as a date (`2026-04-01`); any other day of a month is
/// refused with the month to write instead.
fn change_month(index: usize, text: &str) -> Result<YearMonth, PayConfigError> {
    let refused = |source| PayConfigError::ChangeMonth { index, source };
    if let Some(day) = date(text) {
        let month = YearMonth::new(day.year(), day.month())
            .ok_or_else(|| refused(MonthError::YearOutOfRange(text.to_owned())))?;
        return match day.day() == 1 {
            true => Ok(month),
            false => Err(PayConfigError::ChangeMidMonth {
                index,
                text: text.to_owned(),
                month,
                month_name: month.long_name(),
                next: month.next(),
            }),
        };
    }
    text.parse().map_err(refused)
}

fn rates(section: &PaySection, currency: &Currency) -> Result<Option<Rates>, PayConfigError> {
    let fields = [
        ("weekday", &section.weekday),
        ("weekend", &section.weekend),
        ("bank_holiday", &section.bank_holiday),
    ];
    let missing: Vec<&'static str> = fields
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|&(k, _)| k)
        .collect();
    if missing.len() == fields.len() {
        return Ok(None);
    }
    if !missing.is_empty() {
        return Err(PayConfigError::IncompleteRates { missing });
    }
    let parse = |key: &'static str, text: &Option<String>| {
        Money::parse(text.as_deref().unwrap_or_default(), currency)
            .map_err(|source| PayConfigError::Rate { key, source })
    };
    Ok(Some(Rates {
        weekday: parse("weekday", &section.weekday)?,
        weekend: parse("weekend", &section.weekend)?,
        bank_holiday: parse("bank_holiday", &section.bank_holiday)?,
    }))
}

/// Strictly `YYYY-MM-DD`: chrono alone would also take `2025-1-5`.
fn date(text: &str) -> Option<NaiveDate> {
    let ok_shape = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    ok_shape
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

fn calendar(
    holidays: Option<&str>,
    division: Option<&str>,
    config_dir: &Path,
) -> Result<HolidayCalendar, PayConfigError> {
    let holidays = holidays.unwrap_or("england-and-wales");
    if BUILTIN_DIVISIONS.contains(&holidays) {
        if let Some(d) = division {
            return Err(PayConfigError::DivisionWithoutFile(d.to_owned()));
        }
        // A built-in division name always parses: the compiled-in file is pinned by tests.
        return HolidayCalendar::builtin(holidays).map_err(|source| PayConfigError::HolidaysFile {
            path: holidays.to_owned(),
            source,
        });
    }
    // Anything else must look like a file, so a misspelt division ("scotlnd") gets a message
    // about divisions rather than "file not found".
    let looks_like_path = holidays.ends_with(".json") || holidays.contains(['/', '\\']);
    if !looks_like_path {
        return Err(PayConfigError::UnknownHolidays(holidays.to_owned()));
    }
    let path = config_dir.join(holidays);
    let bytes = std::fs::read(&path).map_err(|source| PayConfigError::HolidaysUnreadable {
        path: path.display().to_string(),
        source,
    })?;
    HolidayCalendar::from_json(&bytes, division.unwrap_or("england-and-wales")).map_err(|source| {
        PayConfigError::HolidaysFile {
            path: path.display().to_string(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pay::DayKind;
    use chrono::Weekday;
    use chrono_tz::Europe::London;

    fn load(toml_text: &str, dir: &Path) -> Result<PayPolicy, String> {
        let section: PaySection = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        section.into_policy(London, dir).map_err(|e| e.to_string())
    }

    fn here() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_documented_example_gives_the_policy_it_describes() {
        let p = load(
            r#"
            currency = "GBP"
            weekday = "50.00"
            weekend = "75.00"
            bank_holiday = "100.00"
            weekend_days = ["sat", "sun"]
            holidays = "england-and-wales"
            extra_holidays = ["2025-12-24"]
            "#,
            here(),
        )
        .unwrap();
        let rates = p.rates.unwrap();
        assert_eq!(
            [rates.weekday, rates.weekend, rates.bank_holiday].map(|m| m.minor_units()),
            [5000, 7500, 10000]
        );
        assert_eq!(p.currency.code(), "GBP");
        assert_eq!(p.weekend_days, WeekendDays::saturday_and_sunday());
        assert!(p.calendar.is_holiday(date("2025-12-24")));
        assert!(p.calendar.is_holiday(date("2025-12-25")));
    }

    #[test]
    fn rate_changes_apply_from_their_month_and_keep_the_rates_they_leave_out() {
        let p = load(
            r#"
            weekday = "50.00"
            weekend = "75.00"
            bank_holiday = "100.00"

            [[rate_change]]
            from = "2026-04"
            weekend = "80.00"

            [[rate_change]]
            from = 2026-10-01
            weekday = "55.50"
            "#,
            here(),
        )
        .unwrap();
        let minor = |m: &str| {
            let r = p.rates_for(m.parse().unwrap()).unwrap();
            [r.weekday, r.weekend, r.bank_holiday].map(|m| m.minor_units())
        };
        assert_eq!(minor("2026-03"), [5000, 7500, 10000]);
        assert_eq!(minor("2026-04"), [5000, 8000, 10000]);
        assert_eq!(minor("2026-09"), [5000, 8000, 10000]);
        assert_eq!(minor("2026-10"), [5550, 8000, 10000]);
        assert_eq!(minor("2030-01"), [5550, 8000, 10000]);
    }

    #[test]
    fn rate_changes_out_of_order_mid_month_or_empty_are_refused_with_what_to_write() {
        let rates = "weekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n";
        let change = |from: &str, body: &str| format!("[[rate_change]]\nfrom = {from}\n{body}\n");
        // (config, the error message)
        let cases = [
            (
                format!("{rates}{}", change("\"2026-04-06\"", "weekend = \"80.00\"")),
                "pay.rate_change from = \"2026-04-06\": rates change from the start of a month, \
                 since each month is paid at one set of rates; write \"2026-04\" for April 2026 \
                 on, or \"2026-05\" for the month after",
            ),
            (
                format!("{rates}{}", change("2026-04-06", "weekend = \"80.00\"")),
                "pay.rate_change from = \"2026-04-06\": rates change from the start of a month, \
                 since each month is paid at one set of rates; write \"2026-04\" for April 2026 \
                 on, or \"2026-05\" for the month after",
            ),
            (
                format!("{rates}{}", change("\"April\"", "weekend = \"80.00\"")),
                "pay.rate_change from: `April` is not a month: write it as YYYY-MM, e.g. \
                 2025-03; it is the first month paid at the new rates",
            ),
            (
                format!(
                    "{rates}{}{}",
                    change("\"2026-10\"", "weekend = \"80.00\""),
                    change("\"2026-04\"", "weekday = \"55.00\"")
                ),
                "pay.rate_change from = \"2026-04\": comes after the change from 2026-10; list \
                 the changes oldest first, one per month",
            ),
            (
                format!(
                    "{rates}{}{}",
                    change("\"2026-04\"", "weekend = \"80.00\""),
                    change("\"2026-04-01\"", "weekday = \"55.00\"")
                ),
                "pay.rate_change from = \"2026-04-01\": comes after the change from 2026-04; \
                 list the changes oldest first, one per month",
            ),
            (
                format!("{rates}{}", change("\"2026-04\"", "")),
                "pay.rate_change from = \"2026-04\": names no rate; set weekday, weekend or \
                 bank_holiday (the ones it leaves out carry over)",
            ),
            (
                format!("{rates}{}", change("\"2026-04\"", "weekend = \"-80.00\"")),
                "pay.rate_change from = \"2026-04\": weekend: `-80.00` is negative; rates are \
                 per full on-call day, e.g. \"50.00\"",
            ),
            (
                change("\"2026-04\"", "weekend = \"80.00\""),
                "pay.rate_change: a change needs rates to change from; set weekday, weekend and \
                 bank_holiday under [pay] too",
            ),
        ];
        for (config, want) in cases {
            assert_eq!(load(&config, here()).unwrap_err(), want, "{config}");
        }
        // A misspelt key in a change is named, like one in [pay] itself.
        let typo = load(
            &format!(
                "{rates}{}",
                change("\"2026-04\"", "weekend_rate = \"80.00\"")
            ),
            here(),
        )
        .unwrap_err();
        assert!(typo.contains("unknown field `weekend_rate`"), "{typo}");
    }

    #[test]
    fn a_config_without_pay_is_the_unconfigured_policy() {
        for p in [
            PaySection::default().into_policy(London, here()).unwrap(),
            load("", here()).unwrap(),
        ] {
            let unconfigured = PayPolicy::unconfigured(London);
            assert_eq!(p.rates, None);
            assert_eq!(p.currency, unconfigured.currency);
            assert_eq!(p.weekend_days, unconfigured.weekend_days);
            assert_eq!(p.calendar, unconfigured.calendar);
        }
    }

    #[test]
    fn other_currencies_weekend_days_and_divisions_are_honoured() {
        let p = load(
            r#"
            currency = "JPY"
            weekday = "5000"
            weekend = "7500"
            bank_holiday = "10000"
            weekend_days = ["Fri", "saturday", "sun"]
            holidays = "scotland"
            "#,
            here(),
        )
        .unwrap();
        assert_eq!(p.rates.as_ref().unwrap().weekday.to_string(), "¥5,000");
        assert!(p.weekend_days.contains(Weekday::Fri));
        assert!(!p.weekend_days.contains(Weekday::Mon));
        assert_eq!(p.day_rule(date("2025-01-02")).kind, DayKind::BankHoliday); // Scotland only
        let none = load("weekend_days = []", here()).unwrap();
        assert_eq!(none.day_rule(date("2025-06-07")).kind, DayKind::Weekday);
        // A day listed twice (`sat` and `Saturday`) is still a weekend day, not toggled off.
        let twice = load(r#"weekend_days = ["sat", "Saturday", "sun"]"#, here()).unwrap();
        assert_eq!(twice.weekend_days, WeekendDays::saturday_and_sunday());
    }

    #[test]
    fn a_holiday_file_path_is_read_relative_to_the_config_directory() {
        // The vendored copy, by relative path, with a division.
        let p = load(
            "holidays = \"data/bank-holidays.json\"\nholidays_division = \"northern-ireland\"",
            here(),
        )
        .unwrap();
        assert!(p.calendar.is_holiday(date("2025-03-17")));
        // A newer file from an operator, next to the config.
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year's Day", "date": "2029-01-01", "notes": "", "bunting": true}]}}"#;
        std::fs::write(dir.path().join("newer.json"), json).unwrap();
        let p = load("holidays = \"newer.json\"", dir.path()).unwrap();
        assert!(p.calendar.is_holiday(date("2029-01-01")));
        assert!(p.calendar.covers(date("2029-12-31")));
    }

    #[test]
    fn invalid_values_are_refused_naming_the_key_and_the_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.json"), "{").unwrap();
        let rates = "weekend = \"75.00\"\nbank_holiday = \"100.00\"\n";
        // (config, the error message)
        let cases = [
            (
                format!("weekday = \"-5.00\"\n{rates}"),
                "pay.weekday: `-5.00` is negative; rates are per full on-call day, e.g. \"50.00\"",
            ),
            (
                "currency = \"XYZ\"".into(),
                "pay.currency: `XYZ` is not an ISO 4217 currency code",
            ),
            (
                format!("weekday = \"50.001\"\n{rates}"),
                "pay.weekday: `50.001` has more decimals than GBP allows (2)",
            ),
            (
                "currency = \"JPY\"\nweekday = \"50\"\nweekend = \"7.5\"\nbank_holiday = \"1\""
                    .to_string(),
                "pay.weekend: `7.5` has more decimals than JPY allows (0)",
            ),
            (
                "currency = \"JPY\"\nweekday = \"50.00\"\nweekend = \"50.5\"\nbank_holiday = \"1\""
                    .to_string(),
                "pay.weekend: `50.5` has more decimals than JPY allows (0)",
            ),
            (
                format!("weekday = \"fifty\"\n{rates}"),
                "pay.weekday: `fifty` is not an amount: write digits with an optional decimal \
                 point, e.g. \"50.00\"",
            ),
            (
                "extra_holidays = [\"2025-13-01\"]".into(),
                "pay.extra_holidays: `2025-13-01` is not a date (YYYY-MM-DD)",
            ),
            (
                "extra_holidays = [\"2025-1-5\"]".into(),
                "pay.extra_holidays: `2025-1-5` is not a date (YYYY-MM-DD)",
            ),
            (
                "weekday = \"50.00\"".into(),
                "pay.weekend, pay.bank_holiday: missing; set weekday, weekend and bank_holiday \
                 together, or none of them to show on-call days without amounts",
            ),
            (
                "weekend_days = [\"sat\", \"sabbath\"]".into(),
                "pay.weekend_days: `sabbath` is not a day of the week; use mon, tue, wed, thu, \
                 fri, sat or sun",
            ),
            (
                "holidays = \"scotlnd\"".into(),
                "pay.holidays: `scotlnd` is neither a built-in division (england-and-wales, \
                 scotland, northern-ireland) nor a path to a bank-holidays.json file",
            ),
            (
                "holidays = \"scotland\"\nholidays_division = \"scotland\"".into(),
                "pay.holidays_division: `scotland` applies only when pay.holidays is a path to a \
                 file",
            ),
            (
                "holidays = \"data/bank-holidays.json\"\nholidays_division = \"wales\"".into(),
                "pay.holidays: `{here}/data/bank-holidays.json` cannot be used: `wales` is not a \
                 division in the file (it has: england-and-wales, northern-ireland, scotland)",
            ),
        ];
        for (config, want) in cases {
            let want = want.replace("{here}", &here().display().to_string());
            assert_eq!(load(&config, here()).unwrap_err(), want, "{config}");
        }
        // File errors name the path; the OS and parser wording after it varies.
        let missing = load("holidays = \"missing.json\"", dir.path()).unwrap_err();
        assert!(
            missing.starts_with("pay.holidays: cannot read `"),
            "{missing}"
        );
        assert!(missing.contains("missing.json"), "{missing}");
        let broken = load("holidays = \"broken.json\"", dir.path()).unwrap_err();
        assert!(
            broken.contains("broken.json` cannot be used: not a bank-holidays.json file"),
            "{broken}"
        );
    }

    #[test]
    fn unknown_keys_and_unquoted_rates_are_refused_by_name() {
        let unknown = load("wekday = \"50.00\"", here()).unwrap_err();
        assert!(unknown.contains("unknown field `wekday`"), "{unknown}");
        let float = load("weekday = 50.10", here()).unwrap_err();
        assert!(float.contains("weekday"), "{float}");
        assert!(float.contains("write rates in quotes"), "{float}");
    }
}
