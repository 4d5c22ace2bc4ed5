//! `/oncall-pay`: what an engineer has earned, always answered privately.
//!
//! Grammar (the help text, quoted by every usage error):
//! ```text
//! /oncall-pay [me] [YYYY-MM|last]        your pay for the month (default: this month, to
//!                                        date; `last` or `last month`: the month before)
//! /oncall-pay @person [YYYY-MM|last]     someone else's (admins, or the person themself)
//! /oncall-pay team [YYYY-MM|last]        everyone's month (admins)
//! /oncall-pay help                       this help
//! ```

use super::{
    Block, CommandError, Directory, Engine, Handled, Invocation, MentionRef, Reply, Visibility,
};
use crate::domain::money::Money;
use crate::domain::month::{Progress, YearMonth};
use crate::domain::pay::{self, DayKind, KindBreakdown, PayPolicy, Shift, Statement};
use crate::domain::text::{self, Token};
use crate::domain::when;
use crate::store::{PayScope, Store};
use chrono::{DateTime, Utc};

pub const USAGE: &str = "\
`/oncall-pay me [YYYY-MM]` — your pay for the month (default: this month, to date)\n\
`/oncall-pay @person [YYYY-MM]` — someone else's (admins, or the person themself)\n\
`/oncall-pay team [YYYY-MM]` — everyone's month (admins)\n\
In place of YYYY-MM, `last` (or `last month`) is the month before this one.\n\
`/oncall-pay help` — this help";

/// Whose pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Me,
    Person(MentionRef),
    Team,
}

pub use crate::domain::month::MonthAsked;

/// A parsed `/oncall-pay` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Pay { subject: Subject, month: MonthAsked },
}

fn usage(message: impl Into<String>) -> CommandError {
    CommandError::usage(message, USAGE)
}

/// The month typed (blank: this month), through the parser `pay-report --month` uses too.
fn month(word: &str) -> Result<MonthAsked, CommandError> {
    if text::keyword(word).is_empty() {
        return Ok(MonthAsked::This);
    }
    // Quoted back as typed, but cut short: see `text::echo`.
    // A sentence in a reply, as the others are; the command line's one-line errors have no stop.
    MonthAsked::parse_word(word).map_err(|e| usage(format!("{}.", e.quoting(text::echo(word)))))
}

/// A month typed by its name (`March`, `feb`), and the word after it, which may be its year: how
/// to write it as Baton reads months, in the year typed, or else the latest such month up to
/// `this_month` (the configured zone's: `december` in January is the one just gone), or else
/// with the year left as YYYY. None for a word that names no month.
fn month_by_name(word: &str, after: &str, this_month: Option<YearMonth>) -> Option<CommandError> {
    let how = crate::domain::month::how_to_write(word, after, this_month)?;
    Some(usage(format!(
        "`{}` is not a month Baton reads: {how}.",
        text::echo(word)
    )))
}

/// Parses the text after `/oncall-pay` (wire form). `this_month` (the configured zone's) says how
/// to write a month typed by its name without a year.
pub fn parse(wire: &str, this_month: Option<YearMonth>) -> Result<Command, CommandError> {
    let normalized = text::normalize(wire);
    let (first, rest) = text::first_word(&normalized);
    let (mut second, mut extra) = text::first_word(rest);
    // "last month", "this month": the word `month` adds nothing.
    let relative = |w: &str| MonthAsked::relative(w).is_some();
    if relative(second) && text::keyword(extra) == "month" {
        extra = "";
    } else if relative(first) && text::keyword(second) == "month" && extra.is_empty() {
        second = "";
    }
    // `me March 2026`, `team feb`: the person is there, the month is a name.
    let a_subject = !matches!(text::keyword(first).as_str(), "" | "help" | "?")
        && !relative(first)
        && !first.starts_with(|c: char| c.is_ascii_digit());
    if a_subject {
        let (year, _) = text::first_word(extra);
        if let Some(how) = month_by_name(second, year, this_month) {
            return Err(how);
        }
    }
    if !extra.is_empty() {
        // Three words or more: name the first one out of place.
        return Err(usage(
            if second.starts_with(|c: char| c.is_ascii_digit()) || relative(second) {
                format!("I didn't expect `{}` after the month.", text::echo(extra))
            } else {
                format!(
                    "`{}` is not a month. Ask for one person (or `team`), then the month as \
                 YYYY-MM: `/oncall-pay me 2025-03`.",
                    text::echo(second)
                )
            },
        ));
    }
    let subject = match text::keyword(first).as_str() {
        "" => Subject::Me,
        "help" | "?" | "-h" | "--help" | "-help" => return Ok(Command::Help),
        "me" => Subject::Me,
        "team" => Subject::Team,
        k if k.starts_with(|c: char| c.is_ascii_digit()) || relative(k) => {
            // `/oncall-pay 2025-03` and `/oncall-pay last` mean "me".
            if !second.is_empty() {
                return Err(usage(
                    "Put the person first, then the month: `/oncall-pay me 2025-03`.",
                ));
            }
            return Ok(Command::Pay {
                subject: Subject::Me,
                month: month(first)?,
            });
        }
        _ => match text::token(first) {
            Token::UserId(id) => Subject::Person(MentionRef::Id(id)),
            Token::UserName(name) => Subject::Person(MentionRef::Name(name)),
            Token::Channel => {
                return Err(usage(
                    "That is a channel; ask for a person's pay, e.g. `/oncall-pay me`.",
                ))
            }
            Token::UserGroup | Token::Broadcast => {
                return Err(usage(
                    "Ask for one person's pay, or `/oncall-pay team` for everyone's (admins).",
                ))
            }
            Token::Word(w) => {
                // `/oncall-pay march`: how to write a month, rather than "I don't understand".
                if let Some(how) = month_by_name(&w, second, this_month) {
                    return Err(how);
                }
                // Said in other words: never offered as a mention (`@everyone` is a broadcast).
                let other_words = match text::keyword(&w).as_str() {
                    "everyone" | "everybody" | "all" | "us" => Some("team"),
                    "mine" | "my" | "myself" | "i" => Some("me"),
                    _ => None,
                };
                let hint = other_words
                    .or_else(|| super::did_you_mean(&w, &["team", "help", "last", "this"]))
                    .map(|keyword| {
                        format!(
                            " Did you mean {}? For someone's pay, start with them: type @ and \
                             pick them.",
                            super::with_the_rest(&format!("/oncall-pay {keyword}"), second)
                        )
                    })
                    .or_else(|| {
                        super::mention_hint(super::CommandName::OncallPay, &w, second)
                            .map(|m| format!(" {m}"))
                    })
                    .unwrap_or_default();
                return Err(usage(format!(
                    "I don't understand `{}`.{hint}",
                    text::echo(&w)
                )));
            }
        },
    };
    Ok(Command::Pay {
        subject,
        month: month(second)?,
    })
}

/// Runs `/oncall-pay`.
pub(crate) async fn run<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
) -> Handled {
    let settings = &engine.settings;
    let is_admin = settings.is_admin(&inv.user);
    let this = YearMonth::containing(inv.now, settings.timezone);
    let (subject, month) = match parse(&inv.text, Some(this))? {
        Command::Help => {
            return Ok((Reply::private(format!("*On-call pay*\n{USAGE}")), "help"));
        }
        Command::Pay { subject, month } => (subject, month),
    };
    let month = month
        .resolve(inv.now, settings.timezone)
        .ok_or_else(|| usage("Last month is outside the years Baton handles (2000 to 2199)."))?;
    let policy = &settings.pay;
    let (start, end) = month.bounds(policy.timezone);
    let user = match subject {
        Subject::Team => {
            if !is_admin {
                return Err(CommandError::Refused(
                    "Only an admin can see the whole team's pay. `/oncall-pay me` shows yours."
                        .into(),
                ));
            }
            let rotas = engine.store.pay_history(start, end, PayScope::All).await?;
            let statements = pay::team(policy, &rotas, month, inv.now);
            warn_uncovered(&statements);
            return Ok((render_team(&statements, policy, month, inv.now), "team"));
        }
        Subject::Me => inv.user.clone(),
        Subject::Person(MentionRef::Id(id)) => id,
        Subject::Person(who @ MentionRef::Name(_)) => match engine.directory.lookup(&who).await? {
            Some(person) => person.id,
            None => {
                return Err(CommandError::Refused(
                    "I don't know who that is. Type @ and pick the person from the list.".into(),
                ))
            }
        },
    };
    if user != inv.user && !is_admin {
        return Err(CommandError::Refused(format!(
            "Pay is private: only admins can see {}'s. `/oncall-pay me` shows yours.",
            user.mention()
        )));
    }
    let rotas = engine
        .store
        .pay_history(start, end, PayScope::Person(&user))
        .await?;
    let (statement, shifts) = pay::statement_and_shifts(policy, &rotas, &user, month, inv.now);
    warn_uncovered([&statement]);
    let whose = if user == inv.user {
        "Your".to_owned()
    } else {
        format!("{}'s", user.mention())
    };
    Ok((
        render_statement(&statement, &shifts, policy, &whose, inv.now),
        "pay",
    ))
}

/// Logs, per engineer, the dates the holiday calendar could not vouch for.
fn warn_uncovered<'a>(statements: impl IntoIterator<Item = &'a Statement>) {
    for s in statements {
        if let Some((first, last)) = pay::uncovered_span([s]) {
            tracing::warn!(
                user = %s.user, month = %s.month, first = %first, last = %last,
                "the bank-holiday calendar does not cover dates this pay needs; they were paid as \
                 weekday/weekend days"
            );
        }
    }
}

fn kind_plural(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Weekday => "Weekdays",
        DayKind::Weekend => "Weekends",
        DayKind::BankHoliday => "Bank holidays",
    }
}

/// "4.42 days — £221.00", or just the days without rates.
fn kind_line(b: &KindBreakdown, kind: DayKind) -> String {
    match b.amount(kind) {
        Some(amount) => format!("{} days — {amount}", b.shown_days(kind)),
        None => format!("{} days", b.shown_days(kind)),
    }
}

/// "4.42 weekday, 2.00 weekend, 0.00 bank holiday".
fn days_summary(b: &KindBreakdown) -> String {
    DayKind::ALL
        .iter()
        .map(|k| format!("{} {}", b.shown_days(*k), k.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "March 2025", "November 2025 (to date, Wed 5 Nov, 09:00)" or "January 2030 (not started
/// yet)": a month still to come is not "to date" as of a day before it.
pub(crate) fn period_label(month: YearMonth, policy: &PayPolicy, now: DateTime<Utc>) -> String {
    match month.progress(policy.timezone, now) {
        Progress::NotStarted => format!("{} (not started yet)", month.long_name()),
        Progress::ToDate => format!(
            "{} (to date, {})",
            month.long_name(),
            when::short(now, policy.timezone, now)
        ),
        Progress::Over => month.long_name(),
    }
}

/// The rates `month` is paid at, naming the month (rates may change from one to the next), and
/// why days × rate need not be the amount shown: a team lead checking 7.26 weekend days × £75
/// (£544.50) against £545.00 (7.2667 days) took it for a mistake.
pub(crate) fn rates_note(policy: &PayPolicy, month: YearMonth) -> String {
    match policy.rates_for(month) {
        Some(r) => {
            format!(
            "Rates per full day on call in {}: {} weekday, {} weekend, {} bank holiday. Part days \
             are paid pro rata to the second: amounts come from the exact time on call, and days \
             are shown rounded to two decimals, so days × rate can differ a little from the \
             amount.",
            month.long_name(),
            r.weekday, r.weekend, r.bank_holiday
        )
        }
        None => {
            "Pay rates are not configured, so this shows days on call only. An admin can set them \
                 under [pay] in Baton's config."
                .to_owned()
        }
    }
}

fn uncovered_note(span: Option<(chrono::NaiveDate, chrono::NaiveDate)>) -> Option<String> {
    let (first, last) = span?;
    Some(format!(
        ":warning: The bank-holiday calendar does not cover {first} to {last}: those days were paid as \
         weekday or weekend days and may be wrong. Ask whoever runs Baton to update the calendar."
    ))
}

/// Said of a month to come in place of its time on call, which cannot be any "so far".
pub(crate) const NOT_STARTED: &str = "This month has not started yet.";

/// At most this many shifts are listed in a statement; more are counted ("and 3 more").
const SHIFTS_SHOWN: usize = 31;

/// "• #ops: Thu 1 Oct, 09:00 to Thu 8 Oct, 09:00", one line a shift, the last "… to now" while
/// it goes on, and "… to the end of October" for one the month's end cut (midnight is the next
/// month's date). One the month's start cut begins "the start of October 2026 (on call since
/// Mon 28 Sep, 10:00)": shown from the 1st alone, it would read as a handover at midnight. After
/// [`SHIFTS_SHOWN`] of them, how many more there are.
fn shift_lines(
    shifts: &[Shift],
    month: YearMonth,
    policy: &PayPolicy,
    now: DateTime<Utc>,
) -> String {
    let tz = policy.timezone;
    let (month_start, month_end) = month.bounds(tz);
    let this_year = YearMonth::containing(now, tz).year();
    // One string, written in place: up to 31 lines of two times each, on every answer.
    let mut lines = String::with_capacity(64 * shifts.len().min(SHIFTS_SHOWN));
    for (i, shift) in shifts.iter().take(SHIFTS_SHOWN).enumerate() {
        if i > 0 {
            lines.push('\n');
        }
        lines.push_str("• ");
        shift.channel.push_link(&mut lines);
        lines.push_str(": ");
        // Before the month, to the second: pay counts whole seconds.
        if shift.began.timestamp() < month_start.timestamp() {
            lines.push_str("the start of ");
            lines.push_str(&month.long_name());
            lines.push_str(" (on call since ");
            when::write_short(&mut lines, shift.began, tz, this_year);
            lines.push(')');
        } else {
            when::write_short(&mut lines, shift.from, tz, this_year);
        }
        lines.push_str(" to ");
        if shift.ongoing {
            lines.push_str("now");
        } else if shift.until == month_end {
            lines.push_str("the end of ");
            lines.push_str(&month.long_name());
        } else {
            when::write_short(&mut lines, shift.until, tz, this_year);
        }
    }
    if let Some(more) = shifts.len().checked_sub(SHIFTS_SHOWN).filter(|&n| n > 0) {
        lines.push_str(&format!(
            "\n…and {more} later shift{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    lines
}

/// An engineer's month, as text and blocks that say the same: the days and pay, and the shifts
/// they come from (`shifts`, from [`pay::statement_and_shifts`]).
pub fn render_statement(
    s: &Statement,
    shifts: &[Shift],
    policy: &PayPolicy,
    whose: &str,
    now: DateTime<Utc>,
) -> Reply {
    let title = format!(
        "{whose} on-call pay for {}",
        period_label(s.month, policy, now)
    );
    // Each channel's rota is paid in full, so days on call in two channels at once count twice:
    // said, or the total reads as more days than the month had for them.
    let across = match s.channels.len() {
        0 | 1 => String::new(),
        n => format!(" across {n} channels (each channel's rota counted in full)"),
    };
    let headline = match &s.total {
        Some(total) => format!(
            "Total: *{total}* for {} days on call{across}",
            s.overall.total_days()
        ),
        None => format!("{} days on call{across}", s.overall.total_days()),
    };
    let kinds: Vec<(String, String)> = DayKind::ALL
        .iter()
        .map(|k| (kind_plural(*k).to_owned(), kind_line(&s.overall, *k)))
        .collect();
    let channels: Vec<String> = s
        .channels
        .iter()
        .map(|c| {
            let amount = c
                .total
                .as_ref()
                .map(|t| format!(": {t}"))
                .unwrap_or_default();
            format!(
                "• {}{amount} ({} days)",
                c.channel.link(),
                days_summary(&c.breakdown)
            )
        })
        .collect();
    let mut blocks = vec![
        Block::Section(format!("*{title}*\n{headline}")),
        Block::Fields(kinds),
        Block::Section(if channels.is_empty() {
            // A month not over may still bring some: a shift that began a moment ago has
            // accrued nothing yet. One to come has none "so far": it has not begun.
            match s.month.progress(policy.timezone, now) {
                Progress::NotStarted => NOT_STARTED.to_owned(),
                Progress::ToDate => "No time on call in this month so far.".to_owned(),
                Progress::Over => "No time on call in this month.".to_owned(),
            }
        } else {
            format!("*By channel*\n{}", channels.join("\n"))
        }),
    ];
    if !shifts.is_empty() {
        blocks.push(Block::Section(format!(
            "*Shifts*\n{}",
            shift_lines(shifts, s.month, policy, now)
        )));
    }
    blocks.push(Block::Context(rates_note(policy, s.month)));
    blocks.extend(uncovered_note(pay::uncovered_span([s])).map(Block::Context));
    Reply::from_blocks(Visibility::Private, blocks)
}

/// What the team is paid: the sum of each engineer's total (each rounded once, as paid).
pub fn team_total(policy: &PayPolicy, statements: &[Statement]) -> Option<Money> {
    policy.rates.as_ref()?;
    // Saturating, as each statement's total is (see `Money::from_exact_minor`): a sum that
    // overflowed would panic in a debug build and wrap to a negative payroll in a release one.
    let minor = statements
        .iter()
        .filter_map(|s| s.total.as_ref())
        .fold(0_i64, |sum, m| sum.saturating_add(m.minor_units()));
    Some(Money::from_minor(minor, &policy.currency))
}

/// Everyone's month, for admins.
pub fn render_team(
    statements: &[Statement],
    policy: &PayPolicy,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Reply {
    let title = format!("Team on-call pay for {}", period_label(month, policy, now));
    let mut lines: Vec<String> = statements
        .iter()
        .map(|s| {
            let amount = s
                .total
                .as_ref()
                .map(|t| format!(": *{t}*"))
                .unwrap_or_default();
            // As in one person's statement: days in two channels at once count in both.
            let across = match s.channels.len() {
                0 | 1 => String::new(),
                n => format!(", across {n} channels, each counted in full"),
            };
            format!(
                "• {}{amount} ({} days{across})",
                s.user.mention(),
                days_summary(&s.overall)
            )
        })
        .collect();
    if lines.is_empty() {
        lines.push(
            match month.progress(policy.timezone, now) {
                Progress::NotStarted => NOT_STARTED,
                Progress::ToDate => "Nobody has been on call in this month so far.",
                Progress::Over => "Nobody was on call in this month.",
            }
            .to_owned(),
        );
    }
    let mut blocks = vec![Block::Section(format!("*{title}*\n{}", lines.join("\n")))];
    if let Some(total) = team_total(policy, statements) {
        blocks.push(Block::Section(format!("Team total: *{total}*")));
    }
    blocks.push(Block::Context(rates_note(policy, month)));
    blocks.extend(uncovered_note(pay::uncovered_span(statements)).map(Block::Context));
    Reply::from_blocks(Visibility::Private, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    #[test]
    fn a_month_to_date_is_labelled_in_local_time_on_both_clock_change_days() {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        for (month, now, label) in [
            // 01:00 GMT is 02:00 BST: the hour after 00:59 is 02:00.
            (
                "2025-03",
                "2025-03-30T00:59:00Z",
                "March 2025 (to date, Sun 30 Mar, 00:59)",
            ),
            (
                "2025-03",
                "2025-03-30T01:30:00Z",
                "March 2025 (to date, Sun 30 Mar, 02:30)",
            ),
            // 01:30 happens twice on 26 October: the label says which.
            (
                "2025-10",
                "2025-10-26T00:30:00Z",
                "October 2025 (to date, Sun 26 Oct, 01:30 BST)",
            ),
            (
                "2025-10",
                "2025-10-26T01:30:00Z",
                "October 2025 (to date, Sun 26 Oct, 01:30 GMT)",
            ),
            // The last instant of a month that ends on a 23-hour day, and the first of the next.
            (
                "2024-03",
                "2024-03-31T22:59:59Z",
                "March 2024 (to date, Sun 31 Mar, 23:59)",
            ),
            ("2024-03", "2024-03-31T23:00:00Z", "March 2024"),
            (
                "2024-04",
                "2024-03-31T23:00:00Z",
                "April 2024 (to date, Mon 1 Apr, 00:00)",
            ),
        ] {
            let month: YearMonth = month.parse().unwrap();
            assert_eq!(period_label(month, &policy, at(now)), label, "{now}");
        }
    }

    #[test]
    fn a_shift_is_listed_to_now_while_it_goes_on_and_to_the_months_end_when_that_cut_it() {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let month: YearMonth = "2026-10".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let ops = crate::domain::ids::ChannelId::parse("C0OPS").unwrap();
        let shift = |from: &str, until: &str, ongoing: bool| Shift {
            channel: ops.clone(),
            from: at(from),
            until: at(until),
            began: at(from),
            ongoing,
        };
        // Read in another year: the year is shown.
        let now = at("2027-01-05T12:00:00Z");
        let lines = shift_lines(
            &[
                // In the hour the clocks went back, the second time: with its zone.
                shift("2026-10-01T08:00:00Z", "2026-10-25T01:30:00Z", false),
                shift("2026-10-28T09:00:00Z", "2026-11-01T00:00:00Z", false),
                shift("2026-10-31T09:00:00Z", "2026-10-31T10:00:00Z", true),
            ],
            month,
            &policy,
            now,
        );
        assert_eq!(
            lines,
            "• <#C0OPS>: Thu 1 Oct 2026, 09:00 to Sun 25 Oct 2026, 01:30 GMT\n\
             • <#C0OPS>: Wed 28 Oct 2026, 09:00 to the end of October 2026\n\
             • <#C0OPS>: Sat 31 Oct 2026, 09:00 to now"
        );
    }

    #[test]
    fn a_shift_carried_over_from_last_month_says_since_when_and_one_handed_over_at_midnight_does_not(
    ) {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let month: YearMonth = "2026-11".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let ops = crate::domain::ids::ChannelId::parse("C0OPS").unwrap();
        let shift = |began: &str, from: &str, until: &str| Shift {
            channel: ops.clone(),
            from: at(from),
            until: at(until),
            began: at(began),
            ongoing: false,
        };
        let start = "2026-11-01T00:00:00Z";
        let lines = shift_lines(
            &[
                // Handed over a second before the month: carried over.
                shift("2026-10-31T23:59:59Z", start, "2026-11-02T10:00:00Z"),
                // At the month's very start: a handover at midnight.
                shift(start, start, "2026-11-03T10:00:00Z"),
                // Carried over and still on call when the month ended.
                shift("2026-10-20T09:00:00Z", start, "2026-12-01T00:00:00Z"),
            ],
            month,
            &policy,
            at("2026-12-02T09:00:00Z"),
        );
        assert_eq!(
            lines,
            "• <#C0OPS>: the start of November 2026 (on call since Sat 31 Oct, 23:59) to \
             Mon 2 Nov, 10:00\n\
             • <#C0OPS>: Sun 1 Nov, 00:00 to Tue 3 Nov, 10:00\n\
             • <#C0OPS>: the start of November 2026 (on call since Tue 20 Oct, 10:00) to the end \
             of November 2026"
        );
    }

    #[test]
    fn a_month_of_daily_handovers_lists_its_first_shifts_and_counts_the_rest() {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let month: YearMonth = "2026-10".parse().unwrap();
        let first = "2026-10-01T08:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let ops = crate::domain::ids::ChannelId::parse("C0OPS").unwrap();
        // (shifts in the month, the last line of the list)
        for (count, last) in [
            // 08:00 UTC: 09:00 in BST, 08:00 after the clocks go back on the 25th.
            (31, "• <#C0OPS>: Sat 31 Oct, 08:00 to Sat 31 Oct, 20:00"),
            (32, "…and 1 later shift"),
            (40, "…and 9 later shifts"),
        ] {
            let shifts: Vec<Shift> = (0..count)
                .map(|i| Shift {
                    channel: ops.clone(),
                    from: first + chrono::Duration::hours(24 * i),
                    until: first + chrono::Duration::hours(24 * i + 12),
                    began: first + chrono::Duration::hours(24 * i),
                    ongoing: false,
                })
                .collect();
            let lines = shift_lines(&shifts, month, &policy, first);
            assert_eq!(
                lines.lines().count(),
                31.min(count as usize) + usize::from(count > 31)
            );
            assert_eq!(lines.lines().last(), Some(last), "{count}: {lines}");
        }
    }

    #[test]
    fn a_month_with_no_time_on_call_says_whether_it_is_over_under_way_or_not_started() {
        let policy = PayPolicy::unconfigured(chrono_tz::Europe::London);
        let now = "2026-12-30T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let ann = UserId::parse("ann").unwrap();
        // (month, the line said in place of the channels, in one person's month and the team's)
        for (month, one, team) in [
            (
                "2027-01",
                "This month has not started yet.",
                "This month has not started yet.",
            ),
            (
                "2026-12",
                "No time on call in this month so far.",
                "Nobody has been on call in this month so far.",
            ),
            (
                "2026-11",
                "No time on call in this month.",
                "Nobody was on call in this month.",
            ),
        ] {
            let month: YearMonth = month.parse().unwrap();
            let statement = pay::statement(&policy, &[], &ann, month, now);
            let text = render_statement(&statement, &[], &policy, "Your", now).text;
            assert!(text.contains(&format!("\n{one}\n")), "{month}: {text}");
            let text = render_team(&[], &policy, month, now).text;
            assert!(text.contains(&format!("\n{team}\n")), "{month}: {text}");
        }
    }

    #[test]
    fn the_grammar_reads_me_people_team_and_months() {
        let m = |s: &str| MonthAsked::Given(s.parse::<YearMonth>().unwrap());
        let cases = [
            (
                "",
                Command::Pay {
                    subject: Subject::Me,
                    month: MonthAsked::This,
                },
            ),
            (
                "me",
                Command::Pay {
                    subject: Subject::Me,
                    month: MonthAsked::This,
                },
            ),
            (
                "\u{201C}me\u{201D}\u{00A0}2025-03",
                Command::Pay {
                    subject: Subject::Me,
                    month: m("2025-03"),
                },
            ),
            (
                "2024-02",
                Command::Pay {
                    subject: Subject::Me,
                    month: m("2024-02"),
                },
            ),
            (
                "team 2025-01",
                Command::Pay {
                    subject: Subject::Team,
                    month: m("2025-01"),
                },
            ),
            (
                "<@U0BOB0001|bob>",
                Command::Pay {
                    subject: Subject::Person(MentionRef::Id(UserId::parse("U0BOB0001").unwrap())),
                    month: MonthAsked::This,
                },
            ),
            (
                "@bob 2025-03",
                Command::Pay {
                    subject: Subject::Person(MentionRef::Name("bob".into())),
                    month: m("2025-03"),
                },
            ),
            (
                "me last",
                Command::Pay {
                    subject: Subject::Me,
                    month: MonthAsked::Last,
                },
            ),
            (
                "Last",
                Command::Pay {
                    subject: Subject::Me,
                    month: MonthAsked::Last,
                },
            ),
            (
                "me last month",
                Command::Pay {
                    subject: Subject::Me,
                    month: MonthAsked::Last,
                },
            ),
            (
                "last month",
                Command::Pay {
                    subject: Subject::Me,
                    month: MonthAsked::Last,
                },
            ),
            (
                "team this",
                Command::Pay {
                    subject: Subject::Team,
                    month: MonthAsked::This,
                },
            ),
            ("help", Command::Help),
            ("-h", Command::Help),
            ("--help", Command::Help),
        ];
        for (typed, expected) in cases {
            assert_eq!(parse(typed, None).unwrap(), expected, "{typed:?}");
        }
    }

    #[test]
    fn a_long_mistake_is_quoted_back_cut_short() {
        let long = "x".repeat(5000);
        for typed in [
            long.clone(),
            format!("me {long}"),
            format!("me 2025-03 {long}"),
        ] {
            match parse(&typed, None) {
                Err(CommandError::Usage { message, .. }) => {
                    assert!(
                        message.contains(&format!("`{}…`", "x".repeat(40))),
                        "{message}"
                    );
                    assert!(message.len() < 200, "{message}");
                }
                other => panic!("expected a usage error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_name_typed_without_its_at_sign_is_answered_with_the_mention_to_type() {
        // (typed, said)
        let cases = [
            (
                "bob",
                "I don't understand `bob`. If `bob` is a person, mention them: \
                 `/oncall-pay @bob`.",
            ),
            (
                "bob 2025-03",
                "If `bob` is a person, mention them: `/oncall-pay @bob 2025-03`.",
            ),
            ("Mel", "I don't understand `Mel`. If `Mel` is a person"),
            // A slip for a keyword is answered with the keyword, and the month typed after it.
            (
                "teem",
                "I don't understand `teem`. Did you mean `/oncall-pay team`?",
            ),
            ("teem 2025-03", "Did you mean `/oncall-pay team 2025-03`?"),
            // Said in other words: `everyone` is never offered as `@everyone`, a broadcast.
            (
                "everyone",
                "I don't understand `everyone`. Did you mean `/oncall-pay team`?",
            ),
            ("mine 2025-03", "Did you mean `/oncall-pay me 2025-03`?"),
            // Not shaped like a name: no mention to suggest.
            ("x&gt;", "I don't understand `x&gt;`.\n"),
        ];
        for (typed, said) in cases {
            match parse(typed, None) {
                Err(e @ CommandError::Usage { .. }) => {
                    let text = e.into_reply().text;
                    assert!(text.contains(said), "{typed}: {text}")
                }
                other => panic!("{typed}: expected a usage error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_month_typed_by_name_is_answered_with_how_to_write_it_not_that_the_person_is_missing() {
        // (typed, this month, said)
        let cases = [
            (
                "me March 2026",
                Some("2025-06"),
                "`March` is not a month Baton reads: write March 2026 as `2026-03`.",
            ),
            (
                "me feb",
                Some("2026-11"),
                "`feb` is not a month Baton reads: write February 2026 as `2026-02`.",
            ),
            (
                "team SEPT 2025",
                Some("2026-11"),
                "write September 2025 as `2025-09`.",
            ),
            (
                "<@U0BOB0001|bob> Nov",
                Some("2027-11"),
                "write November 2027 as `2027-11`.",
            ),
            ("@bob may", Some("2026-11"), "write May 2026 as `2026-05`."),
            (
                "me March please",
                Some("2026-11"),
                "write March 2026 as `2026-03`.",
            ),
            // Without a person: `me` is meant.
            (
                "march",
                Some("2026-11"),
                "`march` is not a month Baton reads: write March 2026",
            ),
            (
                "Mar 2024",
                Some("2026-11"),
                "write March 2024 as `2024-03`.",
            ),
            // Without a year, the latest such month: in January, December is the one just gone.
            (
                "me december",
                Some("2027-01"),
                "write December 2026 as `2026-12`.",
            ),
            (
                "me jan",
                Some("2027-01"),
                "write January 2027 as `2027-01`.",
            ),
            // Without the month now (nor a year typed): the month's number, and where the year
            // goes.
            (
                "me feb",
                None,
                "`feb` is not a month Baton reads: write February as YYYY-02.",
            ),
        ];
        for (typed, this_month, said) in cases {
            let this_month = this_month.map(|m: &str| m.parse().unwrap());
            match parse(typed, this_month) {
                Err(CommandError::Usage { message, .. }) => {
                    assert!(message.contains(said), "{typed}: {message}");
                    assert!(
                        !message.contains("Ask for one person"),
                        "{typed}: {message}"
                    );
                }
                other => panic!("{typed}: expected a usage error, got {other:?}"),
            }
        }
        assert_eq!(
            parse("help march", "2026-11".parse().ok()).unwrap(),
            Command::Help
        );
    }

    #[test]
    fn bad_pay_requests_are_refused_with_the_usage() {
        let cases = [
            ("me 2024-13", "has no month 13: months run from 01 to 12."),
            ("me March", "is not a month"),
            ("wages", "I don't understand `wages`"),
            (
                "march",
                "`march` is not a month Baton reads: write March as YYYY-03.",
            ),
            (
                "Sept",
                "`Sept` is not a month Baton reads: write September as YYYY-09.",
            ),
            ("mars", "I don't understand `mars`."),
            (
                "teem",
                "I don't understand `teem`. Did you mean `/oncall-pay team`?",
            ),
            ("lsat", "Did you mean `/oncall-pay last`?"),
            ("Mel", "I don't understand `Mel`."),
            ("<#C1|general>", "That is a channel"),
            ("<!here>", "Ask for one person's pay"),
            ("me 2025-03 please", "I didn't expect `please`"),
            ("2025-03 me", "Put the person first"),
            // The month is the word that is right: the one before it is out of place.
            (
                "team @bob 2025-03",
                "`@bob` is not a month. Ask for one person",
            ),
            ("me 2025-03-&gt;", "`2025-03-&gt;` is not a month"),
            // `last` is right; the word after it is not.
            ("me last moth", "I didn't expect `moth` after the month"),
            ("me last week", "I didn't expect `week` after the month"),
            // Two people joined into one word are neither, not the first of them.
            (
                "<@U1|bob>,<@U2|carol>",
                "I don't understand `&lt;@U1|bob&gt;,",
            ),
        ];
        for (typed, expected) in cases {
            match parse(typed, None) {
                Err(CommandError::Usage { message, usage }) => {
                    assert!(message.contains(expected), "{typed}: {message}");
                    assert_eq!(usage, USAGE);
                }
                other => panic!("{typed}: expected a usage error, got {other:?}"),
            }
        }
    }
}
