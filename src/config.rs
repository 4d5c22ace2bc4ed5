//! Configuration: one TOML file read once at startup into typed settings. Unknown keys and bad
//! values stop startup with a one-line message that names the key.
//!
//! The file is `--config FILE`, else `$BATON_CONFIG`, else `./baton.toml` if it exists; without
//! one, defaults apply (Europe/London, no admins, no pay rates, no reminders). See
//! `baton.example.toml` for every key.

use crate::config_pay::{PaySection, Written};
use crate::domain::holidays::{HolidayCalendar, BUILTIN_DIVISIONS};
use crate::domain::ids::UserId;
use crate::domain::pay::PayPolicy;
use crate::domain::reminders::{ReminderSettings, WeekdayKey};
use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why the configuration cannot be used. Each message is one line that says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}, line {line}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("config file {path}{}: {key}: {message}", at_line(*line))]
    Invalid {
        path: String,
        /// The line the key is on, when it is written on one (not for a default).
        line: Option<usize>,
        key: &'static str,
        message: String,
    },
    /// `[pay]`'s, whose message names its key already.
    #[error("config file {path}{}: {source}", at_line(*line))]
    Pay {
        path: String,
        line: Option<usize>,
        /// Boxed: it is large, and every `Result` of the config's would carry its size.
        source: Box<crate::config_pay::PayConfigError>,
    },
}

/// ", line 14", or nothing.
fn at_line(line: Option<usize>) -> String {
    line.map_or_else(String::new, |line| format!(", line {line}"))
}

/// What a line of the config text opens or gives, for finding where a value is written.
enum Entry {
    /// `[pay]`, or `[[pay.rate_change]]` (an item of an array of tables).
    Table { name: String, item: bool },
    /// `weekday = …` under `[pay]`, or `pay.weekday = …` above any table: `pay.weekday`.
    Key(String),
}

/// Each line that opens a table or gives a key, with its number (from 1). Keys in a form this
/// does not read (an inline table) are not found.
fn entries(text: &str) -> impl Iterator<Item = (usize, Entry)> + '_ {
    let mut table = String::new();
    text.lines().enumerate().filter_map(move |(n, line)| {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[') {
            let item = name.starts_with('[');
            let name = name.trim_start_matches('[');
            table = name[..name.find(']').unwrap_or(name.len())]
                .trim()
                .to_owned();
            let name = table.clone();
            return Some((n + 1, Entry::Table { name, item }));
        }
        let (written, _) = line.split_once('=')?;
        let written: String = written
            .split('.')
            .map(|part| part.trim().trim_matches('"'))
            .collect::<Vec<_>>()
            .join(".");
        let full = match table.as_str() {
            "" => written,
            table => format!("{table}.{written}"),
        };
        Some((n + 1, Entry::Key(full)))
    })
}

/// The line (from 1) where `key` (`pay.weekday`, `timezone`) is given a value. `None` when the
/// text does not give it (a default).
fn line_of(text: &str, key: &str) -> Option<usize> {
    entries(text).find_map(|(n, entry)| matches!(entry, Entry::Key(k) if k == key).then_some(n))
}

/// The line of `key` in the `index`th (from 0) `[[pay.rate_change]]` table, or of the table's
/// header where it does not give that key.
fn line_of_change(text: &str, index: usize, key: Option<&str>) -> Option<usize> {
    let key = key.map(|key| format!("pay.rate_change.{key}"));
    let (mut seen, mut header) = (0, None);
    for (n, entry) in entries(text) {
        match entry {
            // The next table ends the change's.
            Entry::Table { .. } if header.is_some() => break,
            Entry::Table { name, item: true } if name == "pay.rate_change" => {
                if seen == index {
                    header = Some(n);
                }
                seen += 1;
            }
            Entry::Key(k) if header.is_some() && key.as_ref() == Some(&k) => return Some(n),
            _ => {}
        }
    }
    header
}

/// The line where a refused `[pay]` value is written.
fn line_of_pay(text: &str, written: Written) -> Option<usize> {
    match written {
        Written::Key(key) => line_of(text, &key),
        Written::Change { index, key } => line_of_change(text, index, key),
    }
}

/// The keys of the config's top level, above any `[table]`: [`RawConfig`]'s fields that are
/// not tables.
const TOP_LEVEL_KEYS: [&str; 2] = ["timezone", "admins"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    timezone: Option<String>,
    #[serde(default)]
    admins: Vec<String>,
    #[serde(default)]
    pay: PaySection,
    reminders: Option<RawReminders>,
    #[serde(default)]
    slack: RawSlack,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReminders {
    enabled: Option<bool>,
    time: Option<String>,
    days: Option<Vec<String>>,
    handover_day: Option<String>,
    on_bank_holidays: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlack {
    connections: Option<u32>,
}

/// The `[slack]` section (tokens come from the environment, never from this file; the
/// settings Baton connects with are `slack::SlackSettings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackSection {
    /// Socket Mode connections to hold open (1 to [`crate::slack::settings::MAX_CONNECTIONS`]).
    pub connections: u32,
}

/// The whole configuration, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub timezone: Tz,
    pub admins: BTreeSet<UserId>,
    pub pay: PayPolicy,
    /// `None`: no `[reminders]` section, or `enabled = false`.
    pub reminders: Option<ReminderSettings>,
    pub slack: SlackSection,
    /// The file it came from, if any.
    pub source: Option<PathBuf>,
    /// The bank-holiday file `[pay] holidays` names, if it names one.
    pub holidays_file: Option<PathBuf>,
}

/// The key whose value starts at byte `at` of the config text, with its table: `pay.weekday`
/// for `weekday = 50` under `[pay]`, `pay.rate_change` for a `[pay.rate_change]` header. Read
/// from the text, as the parser's error gives only where it is; also whether the value is a
/// list.
fn key_at(text: &str, at: usize) -> (String, bool) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or_default().trim();
    // `[reminders]`, `[[pay.rate_change]]`, with any comment after: the name between the
    // brackets.
    let header = |line: &str| {
        let name = line.strip_prefix('[')?.trim_start_matches('[');
        Some(name[..name.find(']')?].trim().to_owned())
    };
    if let Some(table) = header(line) {
        return (table, false);
    }
    let (key, value) = line.split_once('=').unwrap_or((line, ""));
    let (key, in_list) = (key.trim(), value.trim_start().starts_with('['));
    let table = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(header);
    let key = match table {
        Some(table) if !key.is_empty() => format!("{table}.{key}"),
        _ => key.to_owned(),
    };
    (key, in_list)
}

/// The parser's message, with the key it is about (`.` is the top level, where the message names
/// the key itself) and, for a value of the wrong shape, how to write it.
fn shape_message(key: &str, in_list: bool, message: &str) -> String {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    let hint = if message.contains("expected a sequence") && leaf == "rate_change" {
        ": write each change as its own `[[pay.rate_change]]` table, with two brackets".to_owned()
    } else if message.contains("expected a sequence") {
        format!(": it is a list, written in brackets: `{leaf} = [\"…\", \"…\"]`")
    } else if message.contains("expected a string") && in_list {
        format!(": write each item in quotes: `{leaf} = [\"…\", \"…\"]`")
    } else if message.contains("expected a boolean") {
        format!(": write `{leaf} = true` or `{leaf} = false`, without quotes")
    } else if message.contains("expected a string")
        || message.contains("invalid date-time")
        || message == "invalid time"
    {
        // `time = 09:00` is half a TOML time (it wants seconds), refused as "invalid time".
        // `from = 2026-04` is half a TOML date, which the parser refuses before Baton sees it.
        format!(": write it in quotes: `{leaf} = \"…\"`")
    } else {
        String::new()
    };
    // An unknown key under a table: which table, and, for a top-level key written below one
    // (`timezone` after `[slack]`), where it goes.
    // The unknown key is the one in serde's message; the table is what comes before it in the
    // key's path (`slack` for `foo.bar = 1` under `[slack]`, named `slack.foo.bar`).
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split_once('`'))
        .map(|(field, _)| field);
    if let Some(field) = unknown {
        if let Some((table, _)) = key.split_once(&format!(".{field}")) {
            let place = if TOP_LEVEL_KEYS.contains(&field) {
                format!(": `{field}` is a top-level key, so it goes above the first [table]")
            } else {
                String::new()
            };
            return format!("{table}: {message}{place}");
        }
    }
    // A message about a key by name (an unknown field) names it already.
    match key {
        "" => format!("{message}{hint}"),
        _ if message.contains(&format!("`{leaf}`")) => format!("{message}{hint}"),
        key => format!("{key}: {message}{hint}"),
    }
}

/// Parses `mon`, `Monday`, `TUE`… into a weekday.
pub fn parse_weekday(raw: &str) -> Option<Weekday> {
    raw.trim().parse::<Weekday>().ok()
}

/// How far ahead the bank-holiday calendar must reach before Baton warns that it is ending.
const CALENDAR_WARNING_DAYS: i64 = 60;

impl Config {
    /// A warning when the bank-holiday calendar ends within `CALENDAR_WARNING_DAYS` of `today`
    /// (or has ended): after its last year a bank holiday is paid at the weekday or weekend rate
    /// (flagged in pay answers and exports) and gets the daily post, as a working day would.
    pub fn calendar_caveat(&self, today: chrono::NaiveDate) -> Option<String> {
        let (_, last) = self.pay.calendar.covered_range()?;
        let horizon = today + chrono::Duration::days(CALENDAR_WARNING_DAYS);
        (horizon > last).then(|| {
            let ends = if today > last { "ended" } else { "ends" };
            format!(
                "the bank-holiday calendar {ends} on {last}: after it, bank holidays are paid at \
                 the weekday or weekend rate (flagged in pay answers) and get the daily post. \
                 Upgrade Baton, or set `holidays` under [pay] to a newer GOV.UK \
                 bank-holidays.json (https://www.gov.uk/bank-holidays.json)"
            )
        })
    }

    /// A warning for a zone by offset rather than by place (`GMT`, `UTC`, `Etc/…`): its clocks
    /// never change, so for a team whose clocks do (the README's London team), every time typed
    /// and shown, and every day's edge, is an hour out for half the year. Allowed, as a team
    /// may mean it, but said.
    pub fn zone_caveat(&self) -> Option<String> {
        let name = self.timezone.name();
        let by_offset = name.starts_with("Etc/")
            || matches!(
                name,
                "UTC"
                    | "GMT"
                    | "UCT"
                    | "Zulu"
                    | "Universal"
                    | "Greenwich"
                    | "GMT0"
                    | "GMT+0"
                    | "GMT-0"
                    | "EST"
                    | "MST"
                    | "HST"
            );
        by_offset.then(|| {
            // POSIX's signs: `Etc/GMT+1` is an hour behind UTC, not ahead.
            let inverted =
                match name.strip_prefix("Etc/GMT") {
                    Some(offset) if offset.starts_with(['+', '-']) && &offset[1..] != "0" => {
                        format!(
                    " (and `{name}` is UTC{}{}: the Etc zones' signs are the reverse of what \
                     they look like)",
                    if offset.starts_with('+') { '\u{2212}' } else { '+' },
                    &offset[1..]
                )
                    }
                    _ => String::new(),
                };
            format!(
                "timezone `{name}` never changes its clocks: if your team's do, use the zone of \
                 its place (e.g. \"Europe/London\"), or typed times, reminders and pay days will \
                 be an hour out for half the year{inverted}"
            )
        })
    }

    /// A warning for a UK bank-holiday calendar (a built-in division, as by default) with a
    /// zone by place outside the UK (`America/New_York`): bank holidays would be paid, and
    /// reminders skipped, on UK dates. A zone by offset (`UTC`) gets [`Config::zone_caveat`]
    /// instead, and a bank-holidays.json of the team's own is taken as meant.
    pub fn holidays_caveat(&self) -> Option<String> {
        /// The chrono-tz names for UK time, and the Crown Dependencies', which keep it.
        const UK_ZONES: [&str; 7] = [
            "Europe/London",
            "Europe/Belfast",
            "GB",
            "GB-Eire",
            "Europe/Guernsey",
            "Europe/Isle_of_Man",
            "Europe/Jersey",
        ];
        let name = self.timezone.name();
        let division = self.pay.calendar.division();
        let uk_calendar = self.holidays_file.is_none() && BUILTIN_DIVISIONS.contains(&division);
        (uk_calendar && !UK_ZONES.contains(&name) && self.zone_caveat().is_none()).then(|| {
            format!(
                "timezone `{name}` is outside the UK, but bank holidays are the UK's \
                 ({division}, pay.holidays): they are paid at the bank-holiday rate and skip \
                 reminders on UK dates. If your team's are others, set `holidays` under [pay] to \
                 a bank-holidays.json of your own (GOV.UK's format), listing them"
            )
        })
    }

    /// A warning for `weekend_days = []` with a weekend rate that differs from the weekday
    /// rate: that rate is then never paid, which the rates shown in every answer do not say.
    pub fn pay_caveat(&self) -> Option<String> {
        let rates = self.pay.rates.as_ref()?;
        (self.pay.weekend_days.is_empty() && rates.weekend != rates.weekday).then(|| {
            format!(
                "pay.weekend_days is empty, so the weekend rate ({}) is never paid: every day \
                 but a bank holiday is paid at the weekday rate ({}). List the weekend days, or \
                 set weekend to the weekday rate",
                rates.weekend, rates.weekday
            )
        })
    }

    /// Finds and reads the configuration: `explicit` (from `--config` or `$BATON_CONFIG`), else
    /// `./baton.toml` if it exists, else defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("baton.toml")).filter(|p| p.exists()),
        };
        match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                Self::parse(&text, Some(&path))
            }
            None => Self::parse("", None),
        }
    }

    /// Parses configuration text; `path` is named in errors and anchors relative paths.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Self, ConfigError> {
        let shown = path.map_or_else(|| "(defaults)".to_owned(), |p| p.display().to_string());
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start.min(text.len()));
            ConfigError::Syntax {
                path: path.map_or_else(|| PathBuf::from("(defaults)"), Path::to_path_buf),
                line: text[..at].matches('\n').count() + 1,
                message: {
                    let (key, in_list) = key_at(text, at);
                    shape_message(&key, in_list, e.message())
                },
            }
        })?;
        let invalid = |key: &'static str, message: String| ConfigError::Invalid {
            path: shown.clone(),
            line: line_of(text, key),
            key,
            message,
        };

        let timezone = match raw.timezone.as_deref() {
            None => chrono_tz::Europe::London,
            Some(name) => name.parse::<Tz>().map_err(|_| {
                invalid(
                    "timezone",
                    format!("`{name}` is not an IANA time zone name (e.g. \"Europe/London\")"),
                )
            })?,
        };
        let admins = raw
            .admins
            .iter()
            .map(|a| {
                UserId::parse(a).map_err(|e| {
                    // `@U0ABC1234`, as a mention shows: the id is the rest.
                    // Only for an id shaped as Slack's: `@alice` without its `@` is a console
                    // name, which `run` refuses.
                    let why = match a.strip_prefix('@').map(UserId::parse) {
                        Some(Ok(id)) if id.is_slack_shaped() => {
                            format!("write it without the `@`: \"{id}\"")
                        }
                        _ => e.to_string(),
                    };
                    invalid(
                        "admins",
                        format!("`{a}` is not a Slack user id (e.g. \"U0123ABCD\"): {why}"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let dir = path
            .and_then(Path::parent)
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let holidays_file = raw.pay.holidays_file(&dir);
        let pay = raw
            .pay
            .into_policy(timezone, &dir)
            .map_err(|source| ConfigError::Pay {
                path: shown.clone(),
                line: source.written().and_then(|w| line_of_pay(text, w)),
                source: Box::new(source),
            })?;
        let reminders = match raw.reminders {
            None => None,
            Some(r) => {
                parse_reminders(r, &pay.calendar).map_err(|(key, message)| invalid(key, message))?
            }
        };
        let connections = raw
            .slack
            .connections
            .unwrap_or(crate::slack::settings::DEFAULT_CONNECTIONS);
        let most = crate::slack::settings::MAX_CONNECTIONS;
        if !(1..=most).contains(&connections) {
            return Err(invalid(
                "slack.connections",
                format!(
                    "`{connections}` is out of range: from 1 to {most} (Slack allows 10 Socket \
                     Mode connections per app, and each one Slack replaces is briefly two)"
                ),
            ));
        }
        Ok(Self {
            timezone,
            admins,
            pay,
            reminders,
            slack: SlackSection { connections },
            source: path.map(Path::to_path_buf),
            holidays_file,
        })
    }
}

fn parse_reminders(
    raw: RawReminders,
    holidays: &HolidayCalendar,
) -> Result<Option<ReminderSettings>, (&'static str, String)> {
    // A disabled section is still read: a mistake in it shows now, not the day it is enabled.
    let time = match raw.time.as_deref() {
        None => NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .ok()
            .filter(|_| crate::domain::when::minutes_in_two_digits(t))
            .ok_or_else(|| {
                (
                    "reminders.time",
                    format!("`{t}` is not a time of day: write \"HH:MM\", e.g. \"09:00\""),
                )
            })?,
    };
    let day = |key: &'static str, d: &str| {
        parse_weekday(d).ok_or_else(|| {
            (
                key,
                format!("`{d}` is not a day of the week (mon, tue, …, sun)"),
            )
        })
    };
    let days = match raw.days {
        None => ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .filter_map(|d| parse_weekday(d))
            .map(WeekdayKey::of)
            .collect(),
        Some(list) => list
            .iter()
            .map(|d| day("reminders.days", d).map(WeekdayKey::of))
            .collect::<Result<BTreeSet<_>, _>>()?,
    };
    if days.is_empty() {
        return Err((
            "reminders.days",
            "is empty: list at least one day, or set enabled = false".into(),
        ));
    }
    let handover_day = raw
        .handover_day
        .as_deref()
        .map(|d| day("reminders.handover_day", d))
        .transpose()?;
    if raw.enabled == Some(false) {
        return Ok(None);
    }
    Ok(Some(ReminderSettings {
        time,
        days,
        handover_day,
        // A team that wants its reminder every day it names, bank holidays or not.
        holidays: match raw.on_bank_holidays {
            Some(true) => HolidayCalendar::empty(),
            _ => holidays.clone(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        Config::parse(text, Some(Path::new("baton.toml")))
            .expect_err("should be refused")
            .to_string()
    }

    #[test]
    fn the_example_config_loads_and_so_does_its_commented_rate_change() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("baton.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let month = |m: &str| m.parse().unwrap();
        let c = Config::parse(&text, Some(&path)).unwrap();
        assert_eq!(c.pay.rate_changes, []);
        assert!(c.reminders.is_some());
        let uncommented = ["[[pay.rate_change]]", "from = ", "weekend = \"80.00\""]
            .iter()
            .fold(text.clone(), |t, line| {
                t.replace(&format!("# {line}"), line)
            });
        let c = Config::parse(&uncommented, Some(&path)).unwrap();
        let weekend = |m| c.pay.rates_for(month(m)).unwrap().weekend.minor_units();
        assert_eq!([weekend("2026-03"), weekend("2026-04")], [7500, 8000]);
    }

    #[test]
    fn no_file_means_london_no_admins_and_no_reminders() {
        let c = Config::parse("", None).unwrap();
        assert_eq!(c.timezone, chrono_tz::Europe::London);
        assert!(c.admins.is_empty());
        assert!(c.reminders.is_none());
        assert_eq!(c.slack.connections, 2);
    }

    #[test]
    fn a_weekend_rate_that_can_never_be_paid_is_warned_about() {
        let rates = "[pay]\nweekday = \"50\"\nweekend = \"75\"\nbank_holiday = \"100\"\n";
        let warned = |extra: &str| {
            Config::parse(&format!("{rates}{extra}"), None)
                .unwrap()
                .pay_caveat()
        };
        assert_eq!(warned(""), None);
        assert_eq!(warned("weekend_days = [\"fri\"]\n"), None);
        let caveat = warned("weekend_days = []\n").unwrap();
        assert!(
            caveat.starts_with(
                "pay.weekend_days is empty, so the weekend rate (£75.00) is never paid"
            ),
            "{caveat}"
        );
        // The same rate every day: nothing is lost.
        let flat = "[pay]\nweekday = \"50\"\nweekend = \"50\"\nbank_holiday = \"100\"\nweekend_days = []\n";
        assert_eq!(Config::parse(flat, None).unwrap().pay_caveat(), None);
    }

    #[test]
    fn an_etc_zone_says_its_sign_is_reversed() {
        let c = Config::parse("timezone = \"Etc/GMT+1\"\n", None).unwrap();
        let caveat = c.zone_caveat().unwrap();
        assert!(
            caveat.contains("`Etc/GMT+1` is UTC\u{2212}1: the Etc zones' signs are the reverse"),
            "{caveat}"
        );
        let c = Config::parse("timezone = \"UTC\"\n", None).unwrap();
        assert!(!c.zone_caveat().unwrap().contains("reverse"));
        let c = Config::parse("timezone = \"Etc/GMT+0\"\n", None).unwrap();
        assert!(!c.zone_caveat().unwrap().contains("reverse"));
    }

    #[test]
    fn an_ending_bank_holiday_calendar_is_warned_about_two_months_ahead() {
        let c = Config::parse("", None).unwrap();
        let (_, last) = c.pay.calendar.covered_range().unwrap();
        let day = |days: i64| last + chrono::Duration::days(days);
        assert_eq!(c.calendar_caveat(day(-61)), None);
        let soon = c.calendar_caveat(day(-59)).unwrap();
        assert!(
            soon.starts_with(&format!("the bank-holiday calendar ends on {last}:")),
            "{soon}"
        );
        assert!(soon.contains("set `holidays` under [pay]"), "{soon}");
        let past = c.calendar_caveat(day(1)).unwrap();
        assert!(
            past.starts_with(&format!("the bank-holiday calendar ended on {last}:")),
            "{past}"
        );
    }

    #[test]
    fn reminders_skip_bank_holidays_unless_asked_to_post_on_them() {
        let christmas = chrono::NaiveDate::from_ymd_opt(2025, 12, 25).unwrap();
        let r = |toml: &str| Config::parse(toml, None).unwrap().reminders.unwrap();
        assert!(!r("[reminders]\n").posts_on(christmas));
        assert!(r("[reminders]\non_bank_holidays = true\n").posts_on(christmas));
        // The company's extra days are holidays too.
        let eve = chrono::NaiveDate::from_ymd_opt(2025, 12, 24).unwrap();
        assert!(!r("[pay]\nextra_holidays = [\"2025-12-24\"]\n[reminders]\n").posts_on(eve));
    }

    #[test]
    fn a_value_of_the_wrong_shape_names_its_key_and_how_to_write_it() {
        let cases = [
            (
                "[pay.rate_change]\nfrom = \"2026-04\"\n",
                "line 1: pay.rate_change: invalid type: map, expected a sequence: write each \
                 change as its own `[[pay.rate_change]]` table, with two brackets",
            ),
            (
                "admins = \"U0123ABCD\"\n",
                "line 1: admins: invalid type: string \"U0123ABCD\", expected a sequence: it is a \
                 list, written in brackets: `admins = [\"…\", \"…\"]`",
            ),
            (
                "timezone = 3\n",
                "line 1: timezone: invalid type: integer `3`, expected a string: write it in \
                 quotes: `timezone = \"…\"`",
            ),
            (
                "admins = [\"U0123ABCD\", 5]\n",
                "line 1: admins: invalid type: integer `5`, expected a string: write each item in \
                 quotes: `admins = [\"…\", \"…\"]`",
            ),
            (
                "[reminders]\ndays = \"mon\"\n",
                "line 2: reminders.days: invalid type: string \"mon\", expected a sequence",
            ),
        ];
        for (toml, said) in cases {
            let e = Config::parse(toml, Some(Path::new("baton.toml"))).unwrap_err();
            assert!(e.to_string().contains(said), "{toml:?}: {e}");
        }
    }

    #[test]
    fn a_refused_value_is_named_once_with_the_line_it_is_on() {
        // (config, the whole message)
        let cases = [
            (
                "timezone = \"Europe/London\"\n\n[pay]\nweekday = \"50.005\"\nweekend = \"75\"\n\
                 bank_holiday = \"100\"\n",
                "config file baton.toml, line 4: pay.weekday: `50.005` has more decimals than GBP \
                 allows (2)",
            ),
            (
                "pay.currency = \"XYZ\"\n",
                "config file baton.toml, line 1: pay.currency: `XYZ` is not an ISO 4217 currency \
                 code",
            ),
            (
                "[pay]\nweekday = \"50\"\n",
                "config file baton.toml: pay.weekend, pay.bank_holiday: missing; set weekday, \
                 weekend and bank_holiday together, or none of them to show on-call days without \
                 amounts",
            ),
            (
                "admins = []\ntimezone = \"Mars/Olympus\"\n",
                "config file baton.toml, line 2: timezone: `Mars/Olympus` is not an IANA time \
                 zone name (e.g. \"Europe/London\")",
            ),
            (
                "[reminders]\n# at nine\ntime = \"9\"\n",
                "config file baton.toml, line 3: reminders.time: `9` is not a time of day: write \
                 \"HH:MM\", e.g. \"09:00\"",
            ),
            // A `[[pay.rate_change]]`'s key is found in its own table, not the first change's.
            (
                "[pay]\nweekday = \"50\"\nweekend = \"75\"\nbank_holiday = \"100\"\n\
                 [[pay.rate_change]]\nfrom = \"2026-04\"\nweekend = \"80\"\n\
                 [[pay.rate_change]]\nweekday = \"55\"\nweekend = \"-1\"\nfrom = \"2026-10\"\n",
                "config file baton.toml, line 10: pay.rate_change from = \"2026-10\": weekend: \
                 `-1` is negative; rates are per full on-call day, e.g. \"50.00\"",
            ),
            (
                "[pay]\nweekday = \"50\"\nweekend = \"75\"\nbank_holiday = \"100\"\n\
                 [[pay.rate_change]]\nfrom = \"2026-10\"\nweekend = \"80\"\n\
                 [[pay.rate_change]]\nfrom = \"2026-04\"\nweekday = \"55\"\n",
                "config file baton.toml, line 9: pay.rate_change from = \"2026-04\": comes after \
                 the change from 2026-10; list the changes oldest first, one per month",
            ),
            (
                "[pay]\nweekday = \"50\"\nweekend = \"75\"\nbank_holiday = \"100\"\n\
                 [[pay.rate_change]]\nfrom = \"April\"\nweekend = \"80\"\n",
                "config file baton.toml, line 6: pay.rate_change from: `April` is not a month: \
                 write it as YYYY-MM, e.g. 2025-03; it is the first month paid at the new rates",
            ),
            // What no key holds is found at the change's header: a change naming no rate, and
            // a change with no rates under [pay] to change from.
            (
                "[pay]\nweekday = \"50\"\nweekend = \"75\"\nbank_holiday = \"100\"\n\
                 [[pay.rate_change]]\nfrom = \"2026-04\"\nweekend = \"80\"\n\n\
                 [[pay.rate_change]] # autumn\nfrom = \"2026-10\"\n[reminders]\n",
                "config file baton.toml, line 9: pay.rate_change from = \"2026-10\": names no \
                 rate; set weekday, weekend or bank_holiday (the ones it leaves out carry over)",
            ),
            (
                "timezone = \"Europe/London\"\n[[pay.rate_change]]\nfrom = \"2026-04\"\n\
                 weekend = \"80\"\n",
                "config file baton.toml, line 2: pay.rate_change: a change needs rates to change \
                 from; set weekday, weekend and bank_holiday under [pay] too",
            ),
        ];
        for (toml, said) in cases {
            assert_eq!(error_of(toml), said, "{toml:?}");
        }
    }

    #[test]
    fn uk_bank_holidays_with_a_zone_outside_the_uk_are_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Independence Day", "date": "2026-07-04", "notes": "", "bunting": true}]}}"#;
        std::fs::write(dir.path().join("ours.json"), json).unwrap();
        // (config, warned)
        let cases = [
            ("timezone = \"America/New_York\"\n", true),
            (
                "timezone = \"America/New_York\"\n[pay]\nholidays = \"england-and-wales\"\n",
                true,
            ),
            (
                "timezone = \"Asia/Kolkata\"\n[pay]\nholidays = \"scotland\"\n",
                true,
            ),
            ("", false),
            ("timezone = \"Europe/London\"\n", false),
            ("timezone = \"Europe/Belfast\"\n", false),
            ("timezone = \"GB\"\n", false),
            ("timezone = \"Europe/Jersey\"\n", false),
            // Already told to use the zone of its place.
            ("timezone = \"UTC\"\n", false),
            // The team's own calendar, in GOV.UK's format.
            (
                "timezone = \"America/New_York\"\n[pay]\nholidays = \"ours.json\"\n",
                false,
            ),
        ];
        for (toml, warned) in cases {
            let c = Config::parse(toml, Some(&dir.path().join("baton.toml"))).unwrap();
            let caveat = c.holidays_caveat();
            assert_eq!(caveat.is_some(), warned, "{toml:?}: {caveat:?}");
        }
        let c = Config::parse("timezone = \"America/New_York\"\n", None).unwrap();
        let caveat = c.holidays_caveat().unwrap();
        assert!(
            caveat.starts_with(
                "timezone `America/New_York` is outside the UK, but bank holidays are the UK's \
                 (england-and-wales, pay.holidays)"
            ),
            "{caveat}"
        );
    }

    #[test]
    fn a_disabled_reminders_section_is_still_checked() {
        let e =
            Config::parse("[reminders]\nenabled = false\ntime = \"25:00\"\n", None).unwrap_err();
        assert!(e.to_string().contains("reminders.time"), "{e}");
    }

    #[test]
    fn a_reminders_section_defaults_to_nine_on_weekdays() {
        let c = Config::parse("[reminders]\n", None).unwrap();
        let r = c.reminders.unwrap();
        assert_eq!(r.time, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
        assert_eq!(r.days.len(), 5);
        assert!(!r.days.contains(&WeekdayKey::of(Weekday::Sat)));
        let c = Config::parse(
            "[reminders]\ntime = \"08:30:15\"\ndays = [\"Sat\"]\nhandover_day = \"monday\"\n",
            None,
        )
        .unwrap();
        let r = c.reminders.unwrap();
        assert_eq!(r.time, NaiveTime::from_hms_opt(8, 30, 15).unwrap());
        assert_eq!(r.handover_day, Some(Weekday::Mon));
        assert!(Config::parse("[reminders]\nenabled = false\n", None)
            .unwrap()
            .reminders
            .is_none());
    }

    #[test]
    fn bad_values_are_refused_naming_the_key_and_the_value() {
        let cases = [
            (
                "timezone = \"Europe/Lndon\"",
                "timezone: `Europe/Lndon` is not an IANA time zone",
            ),
            (
                "admins = [\"<@U1>\"]",
                "admins: `<@U1>` is not a Slack user id",
            ),
            (
                "admins = [\"@U0ABC1234\"]",
                "admins: `@U0ABC1234` is not a Slack user id (e.g. \"U0123ABCD\"): write it \
                 without the `@`: \"U0ABC1234\"",
            ),
            // `@alice` without its `@` is a console name, which `run` refuses: no such advice.
            (
                "admins = [\"@alice\"]",
                "admins: `@alice` is not a Slack user id (e.g. \"U0123ABCD\"): `@alice` is not a \
                 valid id",
            ),
            (
                "[reminders]\ntime = 09:00",
                "reminders.time: invalid time: write it in quotes: `time = \"…\"`",
            ),
            (
                "[reminders]\nenabled = \"yes\"",
                "reminders.enabled: invalid type: string \"yes\", expected a boolean: write \
                 `enabled = true` or `enabled = false`, without quotes",
            ),
            (
                "[reminders]\ntime = \"9am\"",
                "reminders.time: `9am` is not a time of day",
            ),
            (
                "[reminders]\ntime = \"9:5\"",
                "reminders.time: `9:5` is not a time of day",
            ),
            (
                "[reminders]\ndays = [\"funday\"]",
                "reminders.days: `funday` is not a day",
            ),
            (
                "[reminders]\nhandover_day = \"x\"",
                "reminders.handover_day: `x`",
            ),
            (
                "[slack]\nconnections = 11",
                "slack.connections: `11` is out of range",
            ),
            // A rate change's month as a number, or as half a TOML date.
            (
                "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n\
                 [[pay.rate_change]]\nfrom = 202604\nweekday = \"55.00\"",
                "pay.rate_change.from: `202604` is not a month: write it in quotes as YYYY-MM",
            ),
            (
                "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n\
                 [[pay.rate_change]]\nfrom = 2026-04\nweekday = \"55.00\"",
                "pay.rate_change.from: invalid date-time: write it in quotes: `from = \"…\"`",
            ),
        ];
        for (text, expected) in cases {
            let message = error_of(text);
            assert!(message.contains(expected), "{text}: {message}");
            assert!(!message.contains('\n'), "one line: {message}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name_and_line() {
        let message = error_of("timezone = \"UTC\"\ntimezon = \"UTC\"\n");
        assert!(
            message.contains("line 2") && message.contains("`timezon`"),
            "{message}"
        );
        let message = error_of("[reminders]\ntimes = \"09:00\"\n");
        assert!(
            message.contains("line 2: reminders: unknown field `times`"),
            "{message}"
        );
        // The table is named without a comment after its header, and for an array of tables
        // and a dotted key too.
        let cases = [
            (
                "[reminders] # the daily post\ntimes = \"09:00\"\n",
                "reminders: unknown field `times`",
            ),
            (
                "[[pay.rate_change]] # April\nfrom = \"2026-04\"\nweekdya = \"55.00\"\n",
                "pay.rate_change: unknown field `weekdya`",
            ),
            ("[slack]\nfoo.bar = 1\n", "slack: unknown field `foo`"),
        ];
        for (text, expected) in cases {
            let message = error_of(text);
            assert!(message.contains(expected), "{text}: {message}");
        }
        // A top-level key written below a table is read as that table's, and said to be.
        let message = error_of("[slack]\nconnections = 2\ntimezone = \"Europe/London\"\n");
        assert!(
            message.contains("line 3: slack: unknown field `timezone`")
                && message.contains("`timezone` is a top-level key, so it goes above the first"),
            "{message}"
        );
        let message = error_of("timezone = ");
        assert!(
            message.starts_with("config file baton.toml, line 1:"),
            "{message}"
        );
    }
}
