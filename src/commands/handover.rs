//! `/handover`: who holds the pager, handing it over, and correcting the record.
//!
//! Grammar (this text is the help, and every usage error quotes it):
//! ```text
//! /handover                                   who is on call here, since when, and the notes
//! /handover @person [notes…]                  hand the pager to @person now
//! /handover next [notes…]                     hand over to the next person in the rota order
//! /handover @person at YYYY-MM-DD HH:MM [ZONE] [notes…]   record an earlier handover
//!                                             (admins; `next` in place of @person works too;
//!                                             ZONE, e.g. GMT, picks one of a repeated hour)
//! /handover undo [@person]                    undo the latest handover (with @person: only if
//!                                             it handed the pager to them)
//! /handover rota [@a @b …]                    show the rota order, or set it (admins)
//! /handover history [N]                       the last N handovers here (default 10, at most 50)
//! /handover help                              this help
//! ```
//! Who may hand over: whoever is on call, the person taking over, or an admin. Only an admin may
//! start a channel's rota (its first shift, or a shift after every handover was undone): each
//! channel with someone on call is a paid rota, so anyone starting one in a private channel of
//! their own could pay themself twice. Undo: whoever recorded the handover, within 15 minutes,
//! or an admin.

use super::{CommandError, Engine, Handled, Invocation, MentionRef, Person, Reply};
use crate::commands::Directory;
use crate::domain::ids::UserId;
use crate::domain::month::YearMonth;
use crate::domain::rota::{ChannelState, Handover, NewHandover, Undo};
use crate::domain::text::{self, Token};
use crate::domain::when;
use crate::store::{Store, Undone};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join;

pub const USAGE: &str = "\
`/handover` — who is on call here, since when, and the notes\n\
`/handover @person [notes…]` — hand the pager to @person now\n\
`/handover next [notes…]` — hand over to the next person in the rota order\n\
`/handover @person at YYYY-MM-DD HH:MM [notes…]` — record an earlier handover (admins; \
`next at …` too; in the hour the clocks go back, add the zone: `at 2025-10-26 01:30 GMT`)\n\
`/handover end [notes…]` — end standby here: nobody on call, nobody paid, until the next handover \
(the person on call or an admin; `end at …` for admins)\n\
`/handover undo [@person|end]` — undo the latest handover (with @person or `end`: only if it went \
to them, or ended standby)\n\
`/handover rota [@a @b …]` — show the rota order, or set it (admins)\n\
`/handover history [N]` — the last N handovers here (default 10, at most 50)\n\
`/handover help` — this help";

/// Notes longer than this are refused rather than cut.
pub const MAX_NOTES: usize = 2000;
/// How far back `at` may go. A forgotten handover is days old, and a rota brought over when a
/// team starts using Baton is weeks; a year typed wrong (2015 for 2025, 0001) would pay years
/// of standby to someone, so anything older is refused.
pub const MAX_BACKDATE_DAYS: i64 = 92;
/// How long the person who recorded a handover may undo it themself.
pub const UNDO_WINDOW_MINUTES: i64 = 15;
/// How far a channel's latest handover may lie after this clock's "now" for a handover now to
/// follow it. Two clocks on one database (the bot's and a console's) differ by a second or so,
/// and the new shift then starts where the last one did (zero length, never negative). A latest
/// handover further ahead means a clock was wrong (or the console's `:now` was moved back):
/// following it would start the new shift then, so the shift before would be paid until a day
/// that has not come, and the new holder paid nothing until it does.
pub const CLOCK_SKEW_SECONDS: i64 = 60;
const HISTORY_DEFAULT: u32 = 10;
/// Characters of each handover's notes that `history` shows.
const HISTORY_NOTES_AT_MOST: usize = 200;
const HISTORY_MAX: u32 = 50;

/// A parsed `/handover` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Status,
    Help,
    To {
        target: MentionRef,
        /// A backdated handover's local date and time, as typed.
        at: Option<TypedTime>,
        notes: String,
    },
    Next {
        /// A backdated handover's local date and time, as typed.
        at: Option<TypedTime>,
        notes: String,
    },
    /// Ends standby: nobody on call, nobody paid, until the next handover.
    End {
        /// A backdated end's local date and time, as typed.
        at: Option<TypedTime>,
        notes: String,
    },
    Undo(UndoOf),
    Rota(Vec<MentionRef>),
    ShowRota,
    History(u32),
}

/// Which handover `/handover undo` means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoOf {
    /// The latest in force.
    Latest,
    /// The latest in force, only if it handed the pager to this person, even when the channel's
    /// newest handover is undone already (see [`UndoRefusal`]).
    Person(MentionRef),
    /// The latest in force, only if it ended standby.
    End,
}

/// The date and time typed after `at`, and the zone typed after them, if any (see
/// [`when::looks_like_a_zone`]): words, read against the configured zone only when the handover
/// is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedTime {
    pub date: String,
    pub time: String,
    pub zone: Option<String>,
}

fn usage(message: impl Into<String>) -> CommandError {
    CommandError::usage(message, USAGE)
}

/// Checks notes (wire form, as typed) and strips one pair of quotes around them.
fn notes(rest: &str) -> Result<String, CommandError> {
    let notes = text::unquote(text::trim_gaps(rest)).to_owned();
    let typed_length = text::decode(&notes).chars().count();
    if typed_length > MAX_NOTES {
        return Err(usage(format!(
            "Your notes are {typed_length} characters long (an emoji can count as several); the \
             most Baton keeps is {MAX_NOTES}. Shorten them, or link to a document."
        )));
    }
    Ok(notes)
}

fn person_token(word: &str) -> Result<MentionRef, CommandError> {
    match text::token(word) {
        Token::UserId(id) => Ok(MentionRef::Id(id)),
        Token::UserName(name) => Ok(MentionRef::Name(name)),
        Token::Channel => Err(usage(
            "That is a channel, not a person. Hand over to a person, e.g. `/handover @alice`.",
        )),
        Token::UserGroup => Err(usage(
            "That is a user group; the pager goes to one person, e.g. `/handover @alice`.",
        )),
        Token::Broadcast => Err(usage(
            "@here, @channel and @everyone are not people; hand over to one person, e.g. `/handover @alice`.",
        )),
        Token::Word(w) => Err(usage(format!(
            "I expected a person (a mention like @alice) but found `{}`.",
            text::echo(&w)
        ))),
    }
}

/// Whether the words after `at` are a try at a date and time, so that `at` starts a backdated
/// handover: a word starting with a digit that is shaped like a date (`2025-03-03`, `3/3`,
/// `20250303`) or a time (`09:30`), or that has a time within the two words after it
/// (`3 March 09:30`). "at last, a quiet week", "at 9am standup" and "at 3 alerts open" are
/// notes. A date in the wrong shape is read as one and refused with the format, rather than
/// taken as notes and recorded now: a handover at the wrong time changes pay.
fn looks_like_a_date(after_at: &str) -> bool {
    let mut words = after_at.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    if !first.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let long_number = first.len() >= 6 && first.chars().all(|c| c.is_ascii_digit());
    first.contains(['-', '/', '.', ':']) || long_number || words.take(2).any(looks_like_a_time)
}

/// `09:30`, `9.30`: digits, a `:` or `.`, digits.
fn looks_like_a_time(word: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    word.split_once([':', '.'])
        .is_some_and(|(h, m)| digits(h) && digits(m))
}

/// Parses the text after `/handover` (wire form). Command words are read normalized (smart
/// quotes, odd spaces); notes are kept exactly as typed.
pub fn parse(wire: &str) -> Result<Command, CommandError> {
    let (first, rest) = text::split_word(wire);
    if first.is_empty() {
        return Ok(Command::Status);
    }
    // Only the keywords that take words read them normalized: the notes of the most common
    // command, `/handover @person notes`, are kept as typed and need no copy.
    let nothing_after = text::trim_gaps(rest).is_empty();
    match text::keyword(&first).as_str() {
        "help" | "?" => return Ok(Command::Help),
        "next" => {
            let (at, notes) = when_and_notes(rest)?;
            return Ok(Command::Next { at, notes });
        }
        "end" => {
            let (at, notes) = when_and_notes(rest)?;
            return Ok(Command::End { at, notes });
        }
        "undo" if nothing_after => return Ok(Command::Undo(UndoOf::Latest)),
        "undo" => {
            let words = text::normalize(rest);
            let mut words = words.split_whitespace();
            return match (words.next(), words.next()) {
                (Some(word), None) if text::keyword(word) == "end" => {
                    Ok(Command::Undo(UndoOf::End))
                }
                (Some(person), None) if !matches!(text::token(person), Token::Word(_)) => {
                    Ok(Command::Undo(UndoOf::Person(person_token(person)?)))
                }
                _ => Err(usage(
                    "`/handover undo` takes nothing after it, the person the handover went to \
                     (`/handover undo @bob`), or `end` for an end of standby.",
                )),
            };
        }
        "rota" if nothing_after => return Ok(Command::ShowRota),
        "rota" => {
            // The order as Baton shows it, `*@a* (on call) → @b → @c`, reads as `@a @b @c`.
            let members = text::normalize(rest)
                .split_whitespace()
                .filter(|w| !matches!(*w, "→" | "-&gt;" | "&gt;" | "," | "(on" | "call)"))
                .map(|w| {
                    // Bold, as `show_rota` marks who is on call: a pair, never a name's own `_`.
                    w.strip_prefix('*')
                        .and_then(|w| w.strip_suffix('*'))
                        .unwrap_or(w)
                })
                .map(person_token)
                .collect::<Result<Vec<_>, _>>()?;
            if members.is_empty() {
                // Only arrows or commas: setting that would clear the order, announced as nothing.
                return Err(usage(
                    "Give the people in order after `rota`: `/handover rota @a @b @c`.",
                ));
            }
            return Ok(Command::Rota(members));
        }
        "history" => {
            let words = text::normalize(rest);
            let n = match words.trim() {
                "" => HISTORY_DEFAULT,
                // More than the most shown means "all you can": the reply says it was capped.
                n => match n.parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        return Err(usage(format!(
                            "`{}` is not a number of handovers: give one from 1 to {HISTORY_MAX}.",
                            text::echo(n)
                        )))
                    }
                },
            };
            return Ok(Command::History(n));
        }
        _ => {}
    }
    let target = match text::token(&first) {
        Token::Word(w) => {
            // A name typed without `@` (`Rosa`) may be one letter off a keyword (`rota`).
            let hint = match super::did_you_mean(
                &w,
                &["help", "next", "end", "undo", "rota", "history"],
            ) {
                Some(keyword) => format!(
                    " Did you mean `/handover {keyword}`? To hand over, start with the person: \
                     type @ and pick them."
                ),
                None => " Start with the person you hand over to.".to_owned(),
            };
            return Err(usage(format!(
                "I don't understand `{}`.{hint}",
                text::echo(&w)
            )));
        }
        _ => person_token(&first)?,
    };
    let (at, notes) = when_and_notes(rest)?;
    Ok(Command::To { target, at, notes })
}

/// The words after the person (or `next`): `at DATE TIME [ZONE]` if they start with one (see
/// [`looks_like_a_date`] and [`when::looks_like_a_zone`]), then the notes. Notes that start
/// with a time given without `at` are refused (see [`a_time_without_at`]).
fn when_and_notes(rest: &str) -> Result<(Option<TypedTime>, String), CommandError> {
    // Notes in quotes are notes, whatever they say (`"at 9:30 the db failed over"`).
    let trimmed = text::trim_gaps(rest);
    if text::unquote(trimmed).len() != trimmed.len() {
        return Ok((None, notes(rest)?));
    }
    let (word, after) = text::split_word(rest);
    let (date, after_date) = text::split_word(after);
    if text::keyword(&word) == "at"
        && (date.is_empty() || looks_like_a_date(&text::normalize(after)))
    {
        let (time, after_time) = text::split_word(after_date);
        if date.is_empty() || time.is_empty() {
            return Err(usage(
                "After `at`, give the local date and time: `at 2025-03-03 09:30`.",
            ));
        }
        let (zone, after_zone) = text::split_word(after_time);
        // `GMT,` and `(GMT)` are the zone too: taken as notes, the other 01:30 would be used.
        let zone = zone.trim_matches(|c: char| matches!(c, ',' | '.' | ';' | '(' | ')'));
        let (zone, notes_text) = if when::looks_like_a_zone(zone) {
            (Some(zone.to_owned()), after_zone)
        } else {
            (None, after_time)
        };
        return Ok((Some(TypedTime { date, time, zone }), notes(notes_text)?));
    }
    if let Some(typed) = a_time_without_at(rest) {
        return Err(usage(format!(
            "`{}` looks like a time, but only `at` records a handover at another time than now: \
             `/handover @person at YYYY-MM-DD HH:MM [notes…]` (admins). To keep it as notes, put \
             them in quotes. Nothing changed.",
            text::echo(&typed)
        )));
    }
    Ok((None, notes(rest)?))
}

/// The words at the start of notes that look like an attempt to give the handover's time
/// without `at`: `since 2025-03-03 09:30`, `from 9am`, `on 2025-03-03`, `yesterday at 09:30`,
/// `since Monday 09:30`, or a bare `2025-03-03 09:30`, `2025-03-03T09:30` or `3/3 09:30`.
/// Recorded now, with the time as notes, the handover would pay a different person for the
/// hours in between. Notes that merely start with numbers are notes: `3-4 pages overnight`,
/// `from 3/4 replicas down`, `on 1.5 hours sleep`, `since 4.2 deploy`, `09:30 standup moved`.
fn a_time_without_at(rest: &str) -> Option<String> {
    if text::trim_gaps(rest).is_empty() {
        return None;
    }
    let words: Vec<String> = text::normalize(rest)
        .split_whitespace()
        .take(4)
        .map(text::plain_hyphens)
        .collect();
    // Each word as a date or time is read without the punctuation around it.
    let word = |i: usize| {
        words.get(i).map_or("", |w: &String| {
            w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '.'))
        })
    };
    let echoed = |through: usize| words[..=through.min(words.len() - 1)].join(" ");
    let is_time = |w: &str| strict_time(w) || looks_like_an_hour(w);
    let mut i = 0;
    if matches!(
        word(0).to_lowercase().as_str(),
        "since" | "from" | "on" | "@"
    ) {
        i = 1;
    }
    let day = word(i).to_lowercase();
    if DAY_WORDS.contains(&day.as_str()) {
        let time = if word(i + 1).eq_ignore_ascii_case("at") {
            i + 2
        } else {
            i + 1
        };
        return is_time(word(time)).then(|| echoed(time));
    }
    if let Some((date, time)) = word(i).split_once('T') {
        if full_date(date) && strict_time(time) {
            return Some(echoed(i));
        }
    }
    if full_date(word(i)) {
        return Some(echoed(if is_time(word(i + 1)) { i + 1 } else { i }));
    }
    if short_date(word(i)) && is_time(word(i + 1)) {
        return Some(echoed(i + 1));
    }
    // `since 9am`, `from 14:00`; a bare `09:30 standup moved` is notes.
    (i == 1 && is_time(word(1))).then(|| echoed(1))
}

/// Words that, followed by a time, name when: `yesterday 09:00`, `monday at 9am`.
const DAY_WORDS: [&str; 10] = [
    "yesterday",
    "today",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A date with its year: `2025-03-03`, `3/3/2025`, `3.3.25`, with a month of 1 to 12 and a day
/// of 1 to 31.
fn full_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let n = |p: &str| p.parse::<u32>().unwrap_or(0);
    let (day_month, year) = if parts[0].len() == 4 {
        ((n(parts[2]), n(parts[1])), parts[0])
    } else {
        ((n(parts[0]), n(parts[1])), parts[2])
    };
    let plausible = |a: u32, b: u32| (1..=31).contains(&a) && (1..=12).contains(&b);
    (year.len() == 2 || year.len() == 4)
        && (plausible(day_month.0, day_month.1) || plausible(day_month.1, day_month.0))
}

/// A day and month without a year: `3/3`, `3.3`, `03-03`.
fn short_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split(['-', '/', '.']).collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `09:30`, `9:30`, `9.30`: an hour of 0 to 23 and two digits of minutes up to 59 (so `1.5` and
/// `4.2` are numbers, not times).
fn strict_time(word: &str) -> bool {
    word.split_once([':', '.']).is_some_and(|(h, m)| {
        (1..=2).contains(&h.len())
            && m.len() == 2
            && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
            && h.parse::<u32>().is_ok_and(|h| h < 24)
            && m.parse::<u32>().is_ok_and(|m| m < 60)
    })
}

/// `9am`, `10pm`, `9:30am`.
fn looks_like_an_hour(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    lower
        .strip_suffix("am")
        .or_else(|| lower.strip_suffix("pm"))
        .is_some_and(|h| !h.is_empty() && (h.bytes().all(|b| b.is_ascii_digit()) || strict_time(h)))
}

/// Why a handover is refused, judged against the channel's state inside the transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    AlreadyOnCall(UserId),
    NotHolder {
        holder: UserId,
    },
    /// Nobody is on call here: starting a rota (a paid one) is for admins.
    StartNeedsAdmin,
    /// `end` where nobody is on call.
    NothingToEnd,
    /// `end` by someone who is neither on call nor an admin.
    EndNotYours {
        holder: UserId,
    },
    NotAfterLatest {
        latest: DateTime<Utc>,
    },
    /// The latest handover takes effect later than now by more than [`CLOCK_SKEW_SECONDS`].
    LatestInFuture {
        latest: DateTime<Utc>,
    },
    RotaMoved,
}

/// A handover someone asked for, before it is judged against the channel's state.
struct Proposal<'a> {
    caller: &'a UserId,
    is_admin: bool,
    /// Who takes over; `None` ends standby.
    target: Option<&'a UserId>,
    effective_at: DateTime<Utc>,
    /// The second occurrence of a typed time the clocks went back over: used if the first is
    /// not after the latest handover (see [`When`]).
    or_later: Option<DateTime<Utc>>,
    /// Typed with `at`: must be strictly later than the latest handover.
    backdated: bool,
    now: DateTime<Utc>,
    notes: &'a str,
}

/// Who may hand over here: whoever is on call, the person taking over (`target`; `None` when
/// not yet known, which gives the caller the benefit of the doubt), or an admin. Only an admin
/// starts a rota. Handing over to whoever is on call changes nothing, for anyone.
fn permitted(
    state: &ChannelState,
    caller: &UserId,
    is_admin: bool,
    target: Option<&UserId>,
) -> Result<(), Refusal> {
    match state.on_call() {
        Some(holder) if target == Some(holder) => Err(Refusal::AlreadyOnCall(holder.clone())),
        _ if is_admin => Ok(()),
        None => Err(Refusal::StartNeedsAdmin),
        Some(holder) if caller == holder || target.is_none_or(|t| t == caller) => Ok(()),
        Some(holder) => Err(Refusal::NotHolder {
            holder: holder.clone(),
        }),
    }
}

/// Who may end standby here: whoever is on call (less pay for themself), or an admin; and only
/// while someone is.
fn permitted_end(state: &ChannelState, caller: &UserId, is_admin: bool) -> Result<(), Refusal> {
    match state.on_call() {
        None => Err(Refusal::NothingToEnd),
        Some(holder) if is_admin || holder == caller => Ok(()),
        Some(holder) => Err(Refusal::EndNotYours {
            holder: holder.clone(),
        }),
    }
}

/// Refuses a handover the caller may not make before anything is looked up or stored: the
/// person named is looked up with Slack (`users.info`, rate-limited) and their name stored. The
/// same rule runs again in the handover's transaction, against the state it commits on. Admins,
/// who may always hand over, skip the read.
async fn check_permitted<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    is_admin: bool,
    target: Option<&UserId>,
) -> Result<(), CommandError> {
    if is_admin {
        return Ok(());
    }
    let state = engine.store.channel_state(&inv.channel).await?;
    permitted(&state, &inv.user, is_admin, target)
        .map_err(|r| refused(r, inv, engine.settings.timezone))
}

/// The rule for who may hand over, and when a backdated handover may take effect.
fn decide(state: &ChannelState, p: &Proposal<'_>) -> Result<NewHandover, Refusal> {
    let Proposal {
        caller,
        is_admin,
        target,
        mut effective_at,
        or_later,
        backdated,
        now,
        notes,
    } = *p;
    match target {
        Some(target) => permitted(state, caller, is_admin, Some(target))?,
        None => permitted_end(state, caller, is_admin)?,
    }
    if let Some(current) = &state.current {
        // Backdated too: no time lies between the latest handover and now.
        if current.effective_at - now > Duration::seconds(CLOCK_SKEW_SECONDS) {
            return Err(Refusal::LatestInFuture {
                latest: current.effective_at,
            });
        }
        if backdated && effective_at <= current.effective_at {
            match or_later {
                Some(later) if later > current.effective_at => effective_at = later,
                _ => {
                    return Err(Refusal::NotAfterLatest {
                        latest: current.effective_at,
                    })
                }
            }
        }
    }
    // A handover "now" never starts before the shift it ends, even if this machine's clock is
    // a little behind the one that recorded it (see [`CLOCK_SKEW_SECONDS`]): the shift is then
    // zero-length, never negative.
    let effective_at = match &state.current {
        Some(current) if !backdated => effective_at.max(current.effective_at),
        _ => effective_at,
    };
    Ok(NewHandover {
        from: state.on_call().cloned(),
        to: target.cloned(),
        effective_at,
        recorded_at: now,
        recorded_by: caller.clone(),
        notes: notes.to_owned(),
    })
}

/// Runs `/handover`.
pub(crate) async fn run<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
) -> Handled {
    let command = parse(&inv.text)?;
    let hands_over = matches!(
        command,
        Command::To { .. } | Command::Next { .. } | Command::End { .. }
    );
    match run_parsed(engine, inv, command).await {
        Err(failed) if hands_over => recorded_before(engine, inv, failed).await,
        handled => handled,
    }
}

/// A handover that failed before reaching the store may be a redelivery of one that was
/// recorded: Slack retries when an ack is lost, often because something was failing then. Its
/// checks ran again against a world that has moved on (the directory down, the rota order
/// changed by the handover itself), so the store is asked whether this submission's key was
/// recorded; if so, the answer is the first one's. Only failures pay for that read.
async fn recorded_before<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    failed: CommandError,
) -> Handled {
    let Some(key) = inv.dedup_key.as_deref() else {
        return Err(failed);
    };
    match engine.store.recorded_with_key(key).await {
        Ok(Some(handover)) => Ok((
            Reply::public(announcement(&handover, inv.now, engine.settings.timezone)),
            "duplicate",
        )),
        Ok(None) => Err(failed),
        Err(e) => {
            tracing::warn!(
                error = %super::error_chain(&e),
                "could not check whether a failed handover was recorded before"
            );
            Err(failed)
        }
    }
}

async fn run_parsed<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    command: Command,
) -> Handled {
    let tz = engine.settings.timezone;
    let is_admin = engine.settings.is_admin(&inv.user);
    match command {
        Command::Help => Ok((
            Reply::private(format!("*Handing over the pager*\n{USAGE}")),
            "help",
        )),
        Command::Status => {
            let state = engine.store.channel_state(&inv.channel).await?;
            Ok((Reply::private(status(&state, inv, tz)), "status"))
        }
        Command::To { target, at, notes } => {
            let effective = effective_at(at, is_admin, inv, tz)?;
            let named = match &target {
                MentionRef::Id(id) => Some(id),
                MentionRef::Name(_) => None,
            };
            check_permitted(engine, inv, is_admin, named).await?;
            let person = engine.find_active(&target).await?;
            hand_over(engine, inv, Some(&person), effective, &notes, None).await
        }
        Command::End { at, notes } => {
            let effective = effective_at(at, is_admin, inv, tz)?;
            hand_over(engine, inv, None, effective, &notes, None).await
        }
        Command::Next { at, notes } => {
            let effective = effective_at(at, is_admin, inv, tz)?;
            let state = engine.store.channel_state(&inv.channel).await?;
            if state.rota.is_empty() {
                return Err(CommandError::Refused(
                    "This channel has no rota order yet, so there is no \"next\". An admin can set \
                     one with `/handover rota @a @b @c`, or hand over by name: `/handover @person`."
                        .into(),
                ));
            }
            let Some(next) = state.next_in_rota().cloned() else {
                return Err(CommandError::Refused(
                    "The rota order has only the person on call in it; hand over by name instead."
                        .into(),
                ));
            };
            permitted(&state, &inv.user, is_admin, Some(&next)).map_err(|r| refused(r, inv, tz))?;
            let person = match engine.find_active(&MentionRef::Id(next.clone())).await {
                Err(CommandError::Refused(why)) => {
                    return Err(CommandError::Refused(format!(
                        "{why} They are next in this channel's rota order: hand over by name \
                         instead (`/handover @person`), or an admin can change the order with \
                         `/handover rota @a @b …`. Nothing changed."
                    )))
                }
                found => found?,
            };
            hand_over(engine, inv, Some(&person), effective, &notes, Some(next)).await
        }
        Command::Undo(of) => {
            let named = match of {
                UndoOf::Latest => None,
                UndoOf::Person(who) => Some(Some(engine.find_id(&who).await?)),
                UndoOf::End => Some(None),
            };
            undo(engine, inv, is_admin, named).await
        }
        Command::ShowRota => {
            let state = engine.store.channel_state(&inv.channel).await?;
            Ok((Reply::private(show_rota(&state)), "rota"))
        }
        Command::Rota(members) => {
            if !is_admin {
                return Err(CommandError::Refused(
                    "Only an admin can set the rota order. `/handover rota` shows it.".into(),
                ));
            }
            let mut ids: Vec<UserId> = Vec::with_capacity(members.len());
            for m in &members {
                let person = engine.active_person(m, inv.now).await?;
                if ids.contains(&person.id) {
                    return Err(usage(format!(
                        "{} is in the list twice; each person appears once in the rota order.",
                        person.id.mention()
                    )));
                }
                ids.push(person.id);
            }
            engine
                .store
                .set_rota(&inv.channel, &ids, &inv.user, inv.now)
                .await?;
            let order = ids
                .iter()
                .map(UserId::mention)
                .collect::<Vec<_>>()
                .join(" → ");
            Ok((
                Reply::public(format!(
                    "{} set this channel's rota order: {order}",
                    inv.user.mention()
                )),
                "rota_set",
            ))
        }
        Command::History(asked) => {
            let log = engine
                .store
                .history(&inv.channel, asked.min(HISTORY_MAX))
                .await?;
            let mut text = history(&log, tz);
            if asked > HISTORY_MAX && log.len() == HISTORY_MAX as usize {
                text.push_str(&format!(
                    "\n_Baton shows at most the latest {HISTORY_MAX} handovers._"
                ));
            }
            Ok((Reply::private(text), "history"))
        }
    }
}

/// When a handover takes effect.
#[derive(Debug, Clone, Copy)]
struct When {
    at: DateTime<Utc>,
    /// A typed time that happened twice (the hour the clocks go back) means its first
    /// occurrence, unless only the second is after the channel's latest handover: then the
    /// second, which could not be typed any other way. Only a second occurrence already past.
    or_later: Option<DateTime<Utc>>,
}

/// When a handover takes effect: now, or the time typed after `at`. That form is for admins,
/// and is checked before anything else is done.
fn effective_at(
    at: Option<TypedTime>,
    is_admin: bool,
    inv: &Invocation,
    tz: chrono_tz::Tz,
) -> Result<When, CommandError> {
    let Some(TypedTime { date, time, zone }) = at else {
        return Ok(When {
            at: inv.now,
            or_later: None,
        });
    };
    if !is_admin {
        return Err(CommandError::Refused(
            "Only an admin can record a handover at an earlier time. Ask an admin, or hand over \
             now without `at`."
                .into(),
        ));
    }
    let (at, second) =
        when::parse_local_in_zone(&date, &time, zone.as_deref(), tz).map_err(|e| {
            let hint = match (&e, &zone) {
                (when::LocalTimeError::WrongZone(..), Some(word)) => format!(
                    ". If `{}` starts your notes, put the notes in quotes.",
                    text::echo(word)
                ),
                _ => String::new(),
            };
            usage(format!("{e}{hint}"))
        })?;
    if at > inv.now {
        return Err(CommandError::Refused(format!(
            "{} is in the future. A backdated handover must be at or before now ({}).",
            when::full(at, tz),
            when::full(inv.now, tz)
        )));
    }
    // Counted on the local calendar, as typed: 92 days before 10:00 is 10:00, whichever way the
    // clocks changed in between.
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    if local(inv.now) - local(at) > Duration::days(MAX_BACKDATE_DAYS) {
        return Err(CommandError::Refused(format!(
            "{} is more than {MAX_BACKDATE_DAYS} days ago. Baton records a handover at most \
             {MAX_BACKDATE_DAYS} days back: check the year. Nothing changed.",
            when::full(at, tz)
        )));
    }
    Ok(When {
        at,
        or_later: second.filter(|later| *later <= inv.now),
    })
}

/// Records a handover to `to`, or with `None` the end of standby.
async fn hand_over<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    to: Option<&Person>,
    effective: When,
    notes: &str,
    expected_next: Option<UserId>,
) -> Handled {
    let is_admin = engine.settings.is_admin(&inv.user);
    // The decision runs on the store's writer, so it takes its own copies.
    let (caller, now, notes) = (inv.user.clone(), inv.now, notes.to_owned());
    let target = to.map(|p| p.id.clone());
    let allowed = move |state: &ChannelState| {
        if let Some(expected) = &expected_next {
            if state.next_in_rota() != Some(expected) {
                return Err(Refusal::RotaMoved);
            }
        }
        let proposal = Proposal {
            caller: &caller,
            is_admin,
            target: target.as_ref(),
            effective_at: effective.at,
            or_later: effective.or_later,
            backdated: effective.at != now,
            now,
            notes: &notes,
        };
        decide(state, &proposal)
    };
    let record = engine
        .store
        .record_handover(&inv.channel, inv.dedup_key.as_deref(), allowed);
    // The new holder's name (for reports) is stored beside the handover, not before it: both
    // jobs reach the store's writer together and commit in one transaction. One after the other
    // cost a second commit for each person new to this Baton, in every command of the first
    // burst after a start and in every handover of a team it had not seen. A name that fails to
    // store does not undo a recorded handover; the next handover to that person tries again.
    let remember = async {
        match to {
            Some(person) => engine.remember_name(person, inv.now).await,
            None => Ok(()),
        }
    };
    let (named, outcome) = join(remember, record).await;
    if let Err(e) = named {
        tracing::warn!(
            error = %super::error_chain(&e),
            "could not store the name of someone handed the pager"
        );
    }
    let outcome = outcome?;
    let tz = engine.settings.timezone;
    match outcome {
        Ok(recorded) => Ok((
            Reply::public(announcement(&recorded.handover, inv.now, tz)),
            if recorded.duplicate {
                "duplicate"
            } else {
                "recorded"
            },
        )),
        Err(refusal) => Err(refused(refusal, inv, tz)),
    }
}

/// What the person is told when their handover is refused.
fn refused(refusal: Refusal, inv: &Invocation, tz: chrono_tz::Tz) -> CommandError {
    CommandError::Refused(match refusal {
        Refusal::AlreadyOnCall(who) => format!(
            "{} is already on call here. Nothing changed.",
            who.mention()
        ),
        Refusal::NotHolder { holder } => format!(
            "Only {} (on call now), the person taking over, or an admin can hand over here. \
             Nothing changed.",
            holder.mention()
        ),
        Refusal::NotAfterLatest { latest } => format!(
            "A handover must be later than this channel's latest one ({}), and not in the \
             future: pick a time between {} and now ({}).",
            when::full(latest, tz),
            when::full(latest, tz),
            when::full(inv.now, tz)
        ),
        Refusal::LatestInFuture { latest } => format!(
            "This channel's latest handover takes effect at {}, later than now ({}) by Baton's \
             clock, so a handover now cannot follow it. Nothing changed. If that time is a \
             mistake, whoever recorded it or an admin can `/handover undo` it; if Baton's clock \
             is wrong, fix the clock.",
            when::full(latest, tz),
            when::full(inv.now, tz)
        ),
        Refusal::NothingToEnd => "Nobody is on call in this channel, so there is no standby to \
             end. Nothing changed."
            .into(),
        Refusal::EndNotYours { holder } => format!(
            "Only {} (on call now) or an admin can end standby here. Nothing changed.",
            holder.mention()
        ),
        Refusal::StartNeedsAdmin => "Nobody is on call in this channel, and only an admin can \
             start its rota: each rota is paid standby. Ask an admin to run `/handover @person` \
             here. Nothing changed."
            .into(),
        Refusal::RotaMoved => "The rota changed while you were typing; run `/handover rota` to \
             see who is next, and try again."
            .into(),
    })
}

/// Notes as a Slack quote, made safe to repeat in a channel.
fn quoted(notes: &str) -> String {
    let safe = text::sanitize(notes);
    if safe.trim().is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = safe.lines().map(|l| format!("> {l}")).collect();
    format!("\n{}", quoted.join("\n"))
}

/// The months already over whose pay a change from `from` on alters ("March 2025", or "March
/// 2025 to May 2025"); None when `from` is in the current month (local calendar).
fn ended_months_from(from: DateTime<Utc>, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Option<String> {
    let first = YearMonth::containing(from, tz);
    let this = YearMonth::containing(now, tz);
    if first >= this {
        return None;
    }
    let last = this.previous()?;
    Some(match first == last {
        true => first.long_name(),
        false => format!("{} to {}", first.long_name(), last.long_name()),
    })
}

/// Said with a change that alters pay in months already over, which payroll may have paid.
fn ended_months_note(months: &str) -> String {
    format!(
        " This changes pay for {months}, already over: if payroll has paid it, run \
         `baton pay-report` again for each month and settle the difference."
    )
}

/// The public message for a recorded handover.
pub fn announcement(h: &Handover, now: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    let by = h.recorded_by.mention();
    let mut line = match (&h.from, &h.to) {
        (from, None) => {
            let whose = match from {
                Some(from) if *from == h.recorded_by => "their".to_owned(),
                Some(from) => format!("{}'s", from.mention()),
                None => "the".to_owned(),
            };
            format!(
                "{by} ended {whose} standby here: nobody is on call in this channel now, and \
                 nobody is paid for it. An admin starts the rota again with `/handover @person`."
            )
        }
        // A channel's first shift, or the first after standby was ended.
        (None, Some(to)) => format!("{} is now on call here, where nobody was.", to.mention()),
        (Some(from), Some(to)) if *from == h.recorded_by => {
            format!("{by} handed the pager to {}.", to.mention())
        }
        (Some(from), Some(to)) if *to == h.recorded_by => {
            format!("{} took the pager from {}.", to.mention(), from.mention())
        }
        (Some(from), Some(to)) => format!(
            "{by} handed the pager from {} to {}.",
            from.mention(),
            to.mention()
        ),
    };
    if h.from.is_none() && h.to.as_ref().is_some_and(|to| *to != h.recorded_by) {
        line.push_str(&format!(" (Recorded by {by}.)"));
    }
    if h.effective_at != h.recorded_at {
        line.push_str(&format!(
            " Effective from {}, recorded {}.",
            when::short(h.effective_at, tz, now),
            when::short(h.recorded_at, tz, now)
        ));
    }
    if let Some(months) = ended_months_from(h.effective_at, h.recorded_at, tz) {
        line.push_str(&ended_months_note(&months));
    }
    line + &quoted(&h.notes)
}

fn status(state: &ChannelState, inv: &Invocation, tz: chrono_tz::Tz) -> String {
    let Some(h) = &state.current else {
        return "Nobody is on call in this channel. An admin starts the rota with \
                `/handover @person`."
            .into();
    };
    let Some(to) = &h.to else {
        let mut text = format!(
            "Nobody is on call in this channel: {} ended standby at {}. An admin starts the rota \
             again with `/handover @person`",
            h.recorded_by.mention(),
            when::short(h.effective_at, tz, inv.now)
        );
        match state.next_in_rota() {
            Some(next) => text.push_str(&format!(
                " or `/handover next` (next in the rota: {}).",
                next.mention()
            )),
            None => text.push('.'),
        }
        return text + &quoted(&h.notes);
    };
    let mut text = format!(
        "{} is on call here since {}",
        to.mention(),
        when::short(h.effective_at, tz, inv.now)
    );
    if let Some(from) = &h.from {
        text.push_str(&format!(", handed over by {}", from.mention()));
    }
    text.push('.');
    if let Some(next) = state.next_in_rota() {
        text.push_str(&format!(" Next in the rota: {}.", next.mention()));
    }
    text + &quoted(&h.notes)
}

fn show_rota(state: &ChannelState) -> String {
    if state.rota.is_empty() {
        return "This channel has no rota order yet. An admin can set one with \
                `/handover rota @a @b @c`."
            .into();
    }
    let order = state
        .rota
        .iter()
        .map(|u| {
            if Some(u) == state.on_call() {
                format!("*{}* (on call)", u.mention())
            } else {
                u.mention()
            }
        })
        .collect::<Vec<_>>()
        .join(" → ");
    let mut text = format!("Rota order: {order}");
    match state.on_call() {
        Some(who) => text.push_str(&format!("\nOn call now: {}.", who.mention())),
        None => text.push_str("\nNobody is on call now."),
    }
    if let Some(next) = state.next_in_rota() {
        text.push_str(&format!(" Next: {}.", next.mention()));
    }
    text
}

fn history(log: &[Handover], tz: chrono_tz::Tz) -> String {
    if log.is_empty() {
        return "No handovers have been recorded in this channel yet.".into();
    }
    let mut text = match log.len() {
        1 => "*The latest handover here*".to_owned(),
        n => format!("*The last {n} handovers here, newest first*"),
    };
    for h in log {
        let from = h
            .from
            .as_ref()
            .map_or_else(|| "nobody".to_owned(), UserId::mention);
        text.push_str(&format!(
            "\n• {} {from} → {} (recorded by {} at {})",
            when::full(h.effective_at, tz),
            h.to.as_ref()
                .map_or_else(|| "nobody (standby ended)".to_owned(), UserId::mention),
            h.recorded_by.mention(),
            when::full(h.recorded_at, tz)
        ));
        if let Some(undo) = &h.undone {
            text.push_str(&format!(
                " — ~undone~ by {} at {}",
                undo.by.mention(),
                when::full(undo.at, tz)
            ));
        }
        // The first line of the notes, cut short: 50 handovers with 2,000-character notes would
        // be 100,000 characters, past the 40,000 Slack takes in a message. Cut, each note is at
        // most 400 characters (a link kept whole), so 50 lines stay well under 40,000.
        let first_line = h.notes.lines().find(|l| !l.trim().is_empty());
        if let Some(line) = first_line {
            let notes = text::sanitize(&text::excerpt(line.trim(), HISTORY_NOTES_AT_MOST));
            text.push_str(&format!(": _{notes}_"));
        }
    }
    text
}

/// Why an undo is refused.
enum UndoRefusal {
    Nothing,
    /// The channel's newest handover is undone already: a plain `undo` (typed twice, or
    /// retyped after a slow reply) would reach back to an older one, perhaps a week of someone's
    /// pay. `undo @person` names the one meant; `in_force` is offered only to a caller who may
    /// undo it.
    AlreadyUndone {
        undone: Box<Handover>,
        in_force: Option<Box<Handover>>,
    },
    /// `undo @person`, but the latest handover in force went to someone else.
    NotTo {
        latest: Box<Handover>,
        /// The person named, or `None` for `undo end`.
        named: Option<UserId>,
    },
    NotYours(UserId),
    TooLate(DateTime<Utc>),
    /// A plain `undo` of a handover that took effect in a month that is over: it would move
    /// pay that payroll may have paid. `undo @person` names it, and goes ahead.
    ReachesEndedMonth {
        latest: Box<Handover>,
        months: String,
    },
}

/// "gave the pager to @bob", or "ended standby".
fn what_it_did(h: &Handover) -> String {
    match &h.to {
        Some(to) => format!("gave the pager to {}", to.mention()),
        None => "ended standby".to_owned(),
    }
}

/// The `undo` that names this handover: `/handover undo @bob`, or `/handover undo end`.
fn undo_form(h: &Handover) -> String {
    match &h.to {
        Some(to) => format!("`/handover undo {}`", to.mention()),
        None => "`/handover undo end`".to_owned(),
    }
}

/// Whether whoever recorded a handover at `recorded_at` may still undo it at `now`: for
/// [`UNDO_WINDOW_MINUTES`] of real time, whatever the clocks on the wall did meanwhile.
fn within_undo_window(recorded_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - recorded_at <= Duration::minutes(UNDO_WINDOW_MINUTES)
}

async fn undo<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    is_admin: bool,
    named: Option<Option<UserId>>,
) -> Handled {
    let (caller, now, tz) = (inv.user.clone(), inv.now, engine.settings.timezone);
    let outcome = engine
        .store
        .undo_latest(
            &inv.channel,
            inv.dedup_key.as_deref(),
            move |state, undone| {
                let may_undo = |h: &Handover| {
                    is_admin || (h.recorded_by == caller && within_undo_window(h.recorded_at, now))
                };
                if let (Some(undone), None) = (undone, &named) {
                    return Err(UndoRefusal::AlreadyUndone {
                        undone: Box::new(undone.clone()),
                        in_force: state.current.clone().filter(|h| may_undo(h)).map(Box::new),
                    });
                }
                let Some(latest) = &state.current else {
                    return Err(UndoRefusal::Nothing);
                };
                if let Some(named) = &named {
                    if &latest.to != named {
                        return Err(UndoRefusal::NotTo {
                            latest: Box::new(latest.clone()),
                            named: named.clone(),
                        });
                    }
                }
                if !is_admin {
                    if latest.recorded_by != caller {
                        return Err(UndoRefusal::NotYours(latest.recorded_by.clone()));
                    }
                    if !within_undo_window(latest.recorded_at, now) {
                        return Err(UndoRefusal::TooLate(latest.recorded_at));
                    }
                }
                if named.is_none() {
                    if let Some(months) = ended_months_from(latest.effective_at, now, tz) {
                        return Err(UndoRefusal::ReachesEndedMonth {
                            latest: Box::new(latest.clone()),
                            months,
                        });
                    }
                }
                Ok(Undo {
                    by: caller,
                    at: now,
                })
            },
        )
        .await?;
    let tz = engine.settings.timezone;
    match outcome {
        Ok(Undone {
            handover: undone,
            after,
            duplicate,
        }) => {
            let from = undone
                .from
                .as_ref()
                .map(|f| format!(" from {}", f.mention()))
                .unwrap_or_default();
            let mut text = match &undone.to {
                Some(to) => format!(
                    "{} undid the handover{from} to {} (effective {}).",
                    inv.user.mention(),
                    to.mention(),
                    when::short(undone.effective_at, tz, inv.now)
                ),
                None => format!(
                    "{} undid the end of standby (effective {}).",
                    inv.user.mention(),
                    when::short(undone.effective_at, tz, inv.now)
                ),
            };
            match (&after.current, after.on_call()) {
                (Some(h), Some(who)) => text.push_str(&format!(
                    " {} is on call again, since {}.",
                    who.mention(),
                    when::short(h.effective_at, tz, inv.now)
                )),
                _ => text.push_str(" Nobody is on call in this channel now."),
            }
            let undone_at = undone.undone.as_ref().map_or(inv.now, |u| u.at);
            if let Some(months) = ended_months_from(undone.effective_at, undone_at, tz) {
                text.push_str(&ended_months_note(&months));
            }
            Ok((
                Reply::public(text),
                if duplicate { "duplicate" } else { "undone" },
            ))
        }
        Err(UndoRefusal::Nothing) => Err(CommandError::Refused(
            "There is no handover to undo in this channel.".into(),
        )),
        Err(UndoRefusal::AlreadyUndone { undone, in_force }) => {
            let (by, at) = undone
                .undone
                .as_ref()
                .map(|u| (u.by.mention(), when::short(u.at, tz, inv.now)))
                .unwrap_or_default();
            let what = match &undone.to {
                Some(to) => format!("to {}", to.mention()),
                None => "ending standby".to_owned(),
            };
            let mut text = format!(
                "The newest handover here, {what} (effective {}), was already undone by {by} at \
                 {at}. Nothing changed.",
                when::short(undone.effective_at, tz, inv.now),
            );
            if let Some(in_force) = in_force {
                text.push_str(&format!(
                    " The latest handover still in force {} (effective {}); to undo that one too, \
                     type {}.",
                    what_it_did(&in_force),
                    when::short(in_force.effective_at, tz, inv.now),
                    undo_form(&in_force)
                ));
            }
            Err(CommandError::Refused(text))
        }
        Err(UndoRefusal::NotTo { latest, named }) => Err(CommandError::Refused(format!(
            "The latest handover here {} (effective {}), {}. Nothing changed.",
            what_it_did(&latest),
            when::short(latest.effective_at, tz, inv.now),
            match named {
                Some(named) => format!("not to {}", named.mention()),
                None => "and did not end standby".to_owned(),
            }
        ))),
        Err(UndoRefusal::NotYours(by)) => Err(CommandError::Refused(format!(
            "Only {} (who recorded the latest handover) or an admin can undo it. Nothing changed.",
            by.mention()
        ))),
        Err(UndoRefusal::ReachesEndedMonth { latest, months }) => {
            Err(CommandError::Refused(format!(
                "The latest handover here {} (effective {}): undoing it changes pay for {months}, \
                 already over, which payroll may have paid. To undo it all the same, type {}. \
                 Nothing changed.",
                what_it_did(&latest),
                when::short(latest.effective_at, tz, inv.now),
                undo_form(&latest)
            )))
        }
        Err(UndoRefusal::TooLate(at)) => Err(CommandError::Refused(format!(
            "The latest handover was recorded at {}, more than {UNDO_WINDOW_MINUTES} minutes ago; \
             only an admin can undo it now. Nothing changed.",
            when::full(at, tz)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MentionRef {
        MentionRef::Id(UserId::parse(s).unwrap())
    }

    fn typed(date: &str, time: &str) -> Option<TypedTime> {
        Some(TypedTime {
            date: date.into(),
            time: time.into(),
            zone: None,
        })
    }

    fn typed_in(date: &str, time: &str, zone: &str) -> Option<TypedTime> {
        Some(TypedTime {
            zone: Some(zone.into()),
            ..typed(date, time)?
        })
    }

    #[test]
    fn the_grammar_reads_every_form_as_typed_in_slack() {
        let cases: Vec<(&str, Command)> = vec![
            ("", Command::Status),
            ("  ", Command::Status),
            ("help", Command::Help),
            ("HELP", Command::Help),
            (
                "<@U0BOB0001|bob>",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: String::new(),
                },
            ),
            (
                "<@U0BOB0001> quiet week, see runbook",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "quiet week, see runbook".into(),
                },
            ),
            (
                "\u{201C}<@U0BOB0001>\u{201D}\u{00A0}\u{201C}quiet week\u{201D}",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "quiet week".into(),
                },
            ),
            (
                "@bob hi",
                Command::To {
                    target: MentionRef::Name("bob".into()),
                    at: None,
                    notes: "hi".into(),
                },
            ),
            (
                "<@U0BOB0001> at 2025-03-03 09:30 forgot on Monday",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed("2025-03-03", "09:30"),
                    notes: "forgot on Monday".into(),
                },
            ),
            (
                "<@U0BOB0001> at last, a quiet week",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "at last, a quiet week".into(),
                },
            ),
            (
                // Notes exactly as typed: curly quotes, a tab, a developer emoji (man, zero-width
                // joiner, laptop); only the gap before them goes.
                "<@U0BOB0001>\u{00A0}deploy \u{201C}v2\u{201D}\tdone \u{1F468}\u{200D}\u{1F4BB}",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "deploy \u{201C}v2\u{201D}\tdone \u{1F468}\u{200D}\u{1F4BB}".into(),
                },
            ),
            (
                "next \u{201C}quiet week\u{201D}",
                Command::Next {
                    at: None,
                    notes: "quiet week".into(),
                },
            ),
            (
                "<@U0BOB0001> at 9am standup moved",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "at 9am standup moved".into(),
                },
            ),
            (
                "<@U0BOB0001> at 3 alerts still open",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "at 3 alerts still open".into(),
                },
            ),
            (
                "<@U0BOB0001> at 3/3 09:30",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed("3/3", "09:30"),
                    notes: String::new(),
                },
            ),
            // Dates in other shapes are read as dates (and refused with the format later),
            // never recorded now with the date as notes.
            (
                "<@U0BOB0001> at 3 March 09:30",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed("3", "March"),
                    notes: "09:30".into(),
                },
            ),
            (
                "<@U0BOB0001> at 3rd March 09:30",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed("3rd", "March"),
                    notes: "09:30".into(),
                },
            ),
            (
                "<@U0BOB0001> at 20250303 0930",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed("20250303", "0930"),
                    notes: String::new(),
                },
            ),
            // A zone after the time is its zone, read against the configured one later; a word
            // that is not one starts the notes.
            (
                "<@U0BOB0001> at 2025-10-26 01:30 GMT rebooted",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed_in("2025-10-26", "01:30", "GMT"),
                    notes: "rebooted".into(),
                },
            ),
            (
                "<@U0BOB0001> at 2025-10-26 01:30 (GMT), rebooted",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed_in("2025-10-26", "01:30", "GMT"),
                    notes: "rebooted".into(),
                },
            ),
            (
                "<@U0BOB0001> at 2025-10-26 01:30 +01:00",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed_in("2025-10-26", "01:30", "+01:00"),
                    notes: String::new(),
                },
            ),
            (
                "<@U0BOB0001> at 2025-10-26 01:30 DB failover done",
                Command::To {
                    target: id("U0BOB0001"),
                    at: typed("2025-10-26", "01:30"),
                    notes: "DB failover done".into(),
                },
            ),
            // Notes that start with a number but no time are notes.
            (
                "<@U0BOB0001> 3-4 pages overnight",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "3-4 pages overnight".into(),
                },
            ),
            (
                "<@U0BOB0001> 09:30 standup moved, on 2/3 days",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "09:30 standup moved, on 2/3 days".into(),
                },
            ),
            (
                "<@U0BOB0001> on 1.5 hours sleep",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "on 1.5 hours sleep".into(),
                },
            ),
            (
                "<@U0BOB0001> from 3/4 replicas down",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "from 3/4 replicas down".into(),
                },
            ),
            (
                "<@U0BOB0001> since 4.2 deploy, disk alerts noisy",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "since 4.2 deploy, disk alerts noisy".into(),
                },
            ),
            (
                "<@U0BOB0001> from 10.0.0.5 alerts",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "from 10.0.0.5 alerts".into(),
                },
            ),
            (
                "<@U0BOB0001> today 1.5 hours of pages",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "today 1.5 hours of pages".into(),
                },
            ),
            (
                "<@U0BOB0001> 555-123-4567 vendor hotline",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "555-123-4567 vendor hotline".into(),
                },
            ),
            (
                "<@U0BOB0001> since the outage, on call twice",
                Command::To {
                    target: id("U0BOB0001"),
                    at: None,
                    notes: "since the outage, on call twice".into(),
                },
            ),
            (
                "next",
                Command::Next {
                    at: None,
                    notes: String::new(),
                },
            ),
            (
                "next all quiet",
                Command::Next {
                    at: None,
                    notes: "all quiet".into(),
                },
            ),
            (
                "next at 2025-06-09 09:00 forgot this morning",
                Command::Next {
                    at: typed("2025-06-09", "09:00"),
                    notes: "forgot this morning".into(),
                },
            ),
            (
                "next at last, a quiet week",
                Command::Next {
                    at: None,
                    notes: "at last, a quiet week".into(),
                },
            ),
            ("undo", Command::Undo(UndoOf::Latest)),
            ("undo <@U1>", Command::Undo(UndoOf::Person(id("U1")))),
            ("Undo <@U1|bob>.", Command::Undo(UndoOf::Person(id("U1")))),
            ("undo end", Command::Undo(UndoOf::End)),
            (
                "end",
                Command::End {
                    at: None,
                    notes: String::new(),
                },
            ),
            (
                "end rota retired, see #ops-new",
                Command::End {
                    at: None,
                    notes: "rota retired, see #ops-new".into(),
                },
            ),
            (
                "END at 2025-03-03 09:30 left the team",
                Command::End {
                    at: Some(TypedTime {
                        date: "2025-03-03".into(),
                        time: "09:30".into(),
                        zone: None,
                    }),
                    notes: "left the team".into(),
                },
            ),
            ("rota", Command::ShowRota),
            ("rota <@U1> <@U2>", Command::Rota(vec![id("U1"), id("U2")])),
            (
                "rota <@U1> → <@U2> -&gt; <@U3>",
                Command::Rota(vec![id("U1"), id("U2"), id("U3")]),
            ),
            (
                "rota *<@U1>* (on call) → <@U2> → <@U3>",
                Command::Rota(vec![id("U1"), id("U2"), id("U3")]),
            ),
            (
                "rota @dev_ *@ann* @_bo_",
                Command::Rota(vec![
                    MentionRef::Name("dev_".into()),
                    MentionRef::Name("ann".into()),
                    MentionRef::Name("_bo_".into()),
                ]),
            ),
            ("history", Command::History(10)),
            ("history 3", Command::History(3)),
            ("history 500", Command::History(500)),
        ];
        for (typed, expected) in cases {
            assert_eq!(parse(typed).unwrap(), expected, "{typed:?}");
        }
    }

    #[test]
    fn bad_input_is_refused_with_a_reason_and_the_usage() {
        let cases = [
            (
                "frobnicate",
                "I don't understand `frobnicate`. Start with the person",
            ),
            (
                "histroy",
                "I don't understand `histroy`. Did you mean `/handover history`?",
            ),
            ("Nxet", "Did you mean `/handover next`?"),
            ("rots", "Did you mean `/handover rota`?"),
            (
                "Rosa",
                "Did you mean `/handover rota`? To hand over, start with the person",
            ),
            ("Mo", "I don't understand `Mo`. Start with the person"),
            ("quiet week <@U0BOB0001>", "I don't understand `quiet`"),
            ("<#C0123|general>", "That is a channel"),
            ("<!subteam^S0123|@oncall>", "That is a user group"),
            ("<!channel>", "are not people"),
            ("<@U0BOB0001> at", "After `at`"),
            ("<@U0BOB0001> at 2025-03-03", "After `at`"),
            ("<@U0BOB0001> at 09:30", "After `at`"),
            ("history 0", "not a number of handovers"),
            ("history -3", "not a number of handovers"),
            ("history lots", "not a number of handovers"),
            ("undo everything", "takes nothing after it"),
            ("rota <@U1> <#C1>", "That is a channel"),
            // Quoted back as typed: Slack escapes `<` and `>`, and the `;` is part of `&gt;`.
            ("x&gt;", "I don't understand `x&gt;`"),
            ("&lt;@bob&gt;", "I don't understand `&lt;@bob&gt;`"),
            ("rota <@U1> hmm&gt;", "found `hmm&gt;`"),
            ("rota →", "Give the people in order after `rota`"),
            ("rota , (on call)", "Give the people in order after `rota`"),
            // A time without `at` would be recorded now with the time as notes.
            (
                "<@U1> since 2025-03-03 09:30",
                "`since 2025-03-03 09:30` looks like a time",
            ),
            ("<@U1> from 3/3 09:30 quiet", "`from 3/3 09:30` looks like"),
            ("<@U1> on 2025-03-03", "`on 2025-03-03` looks like"),
            ("<@U1> 2025-03-03 09:30", "`2025-03-03 09:30` looks like"),
            ("<@U1> 2025-03-03", "`2025-03-03` looks like"),
            ("<@U1> 3.3 9.30", "`3.3 9.30` looks like"),
            (
                "<@U1> yesterday at 09:00",
                "`yesterday at 09:00` looks like",
            ),
            ("<@U1> Yesterday 9am", "`Yesterday 9am` looks like"),
            (
                "next since 2025-06-09 09:00",
                "`since 2025-06-09 09:00` looks",
            ),
            ("<@U1> since 9am", "`since 9am` looks like a time"),
            ("<@U1> from 14:00, quiet", "`from 14:00,` looks like a time"),
            (
                "<@U1> since yesterday 09:00",
                "`since yesterday 09:00` looks",
            ),
            ("<@U1> since Monday 09:30", "`since Monday 09:30` looks"),
            ("<@U1> Yesterday, 9am", "`Yesterday, 9am` looks like a time"),
            (
                "<@U1> 2025-03-03T09:30",
                "`2025-03-03T09:30` looks like a time",
            ),
            (
                "<@U1> 2025\u{2013}03\u{2013}03 09:30",
                "`2025-03-03 09:30` looks",
            ),
            ("<@U1> on 3/3/25", "`on 3/3/25` looks like a time"),
        ];
        for (typed, expected) in cases {
            match parse(typed) {
                Err(CommandError::Usage { message, usage }) => {
                    assert!(message.contains(expected), "{typed}: {message}");
                    assert_eq!(usage, USAGE);
                }
                other => panic!("{typed}: expected a usage error, got {other:?}"),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn notes_in_quotes_are_always_notes(
            start in proptest::prop_oneof![
                proptest::strategy::Just("at 2025-03-03 09:30 "),
                proptest::strategy::Just("since 2025-03-03 09:30 "),
                proptest::strategy::Just("2025-03-03 "),
                proptest::strategy::Just("yesterday 9am "),
                proptest::strategy::Just(""),
            ],
            tail in "[a-zA-Z0-9][a-zA-Z0-9 :./+-]{0,30}[a-zA-Z0-9]",
        ) {
            let notes = format!("{start}{tail}");
            for typed in [format!("<@U1> \"{notes}\""), format!("next \u{201C}{notes}\u{201D}")] {
                let parsed = parse(&typed);
                let (at, kept) = match parsed {
                    Ok(Command::To { at, notes, .. } | Command::Next { at, notes }) => (at, notes),
                    other => panic!("{typed:?}: {other:?}"),
                };
                proptest::prop_assert_eq!(at, None, "{:?}", typed);
                proptest::prop_assert_eq!(kept.as_str(), notes.as_str(), "{:?}", typed);
            }
        }
    }

    #[test]
    fn notes_over_two_thousand_typed_characters_are_refused() {
        let at_limit = format!("<@U1> {}", "x".repeat(MAX_NOTES));
        assert!(parse(&at_limit).is_ok());
        let over = format!("<@U1> {}", "x".repeat(MAX_NOTES + 1));
        assert!(matches!(parse(&over), Err(CommandError::Usage { .. })));
        // Entities count as the one character the person typed.
        let ampersands = format!("<@U1> {}", "&amp;".repeat(MAX_NOTES));
        assert!(parse(&ampersands).is_ok());
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn u(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn state_with(holder: &str, since: &str) -> ChannelState {
        ChannelState {
            current: Some(Handover {
                id: 1,
                channel: crate::domain::ids::ChannelId::parse("ops").unwrap(),
                seq: 1,
                from: None,
                to: Some(u(holder)),
                effective_at: t(since),
                recorded_at: t(since),
                recorded_by: u(holder),
                notes: String::new(),
                undone: None,
            }),
            rota: vec![],
        }
    }

    fn proposal<'a>(
        caller: &'a UserId,
        is_admin: bool,
        target: &'a UserId,
        effective_at: DateTime<Utc>,
        backdated: bool,
        now: DateTime<Utc>,
    ) -> Proposal<'a> {
        Proposal {
            caller,
            is_admin,
            target: Some(target),
            effective_at,
            or_later: None,
            backdated,
            now,
            notes: "",
        }
    }

    #[test]
    fn the_holder_the_taker_or_an_admin_may_hand_over_and_nobody_else() {
        let state = state_with("ann", "2025-03-03T09:00:00Z");
        let now = t("2025-03-10T09:00:00Z");
        let cases = [
            ("ann", false, "bob", true),  // the holder hands over
            ("bob", false, "bob", true),  // bob takes the pager
            ("cat", true, "bob", true),   // an admin moves it
            ("cat", false, "bob", false), // a bystander may not
        ];
        for (caller, admin, target, allowed) in cases {
            let result = decide(
                &state,
                &proposal(&u(caller), admin, &u(target), now, false, now),
            );
            let expected = NewHandover {
                from: Some(u("ann")),
                to: Some(u(target)),
                effective_at: now,
                recorded_at: now,
                recorded_by: u(caller),
                notes: String::new(),
            };
            match allowed {
                true => assert_eq!(result, Ok(expected), "{caller} -> {target}"),
                false => assert!(result.is_err(), "{caller} -> {target}"),
            }
        }
        assert_eq!(
            decide(
                &state,
                &proposal(&u("ann"), true, &u("ann"), now, false, now)
            ),
            Err(Refusal::AlreadyOnCall(u("ann")))
        );
        // Starting a rota, a paid one, is for admins.
        let first = decide(
            &ChannelState::default(),
            &proposal(&u("zed"), true, &u("bob"), now, false, now),
        )
        .unwrap();
        assert_eq!(first.from, None);
        for (caller, target) in [("zed", "bob"), ("zed", "zed")] {
            assert_eq!(
                decide(
                    &ChannelState::default(),
                    &proposal(&u(caller), false, &u(target), now, false, now),
                ),
                Err(Refusal::StartNeedsAdmin),
                "{caller} -> {target}"
            );
        }
    }

    #[test]
    fn the_check_before_any_lookup_refuses_as_the_transaction_would() {
        let state = state_with("ann", "2025-03-03T09:00:00Z");
        // A bystander handing the pager to whoever has it hears that, as from the transaction.
        assert_eq!(
            permitted(&state, &u("cat"), false, Some(&u("ann"))),
            Err(Refusal::AlreadyOnCall(u("ann")))
        );
        assert_eq!(
            permitted(&state, &u("cat"), false, Some(&u("bob"))),
            Err(Refusal::NotHolder { holder: u("ann") })
        );
        // Taking the pager, or a target not known yet (a name): the transaction decides.
        assert_eq!(permitted(&state, &u("cat"), false, Some(&u("cat"))), Ok(()));
        assert_eq!(permitted(&state, &u("cat"), false, None), Ok(()));
        assert_eq!(
            permitted(&ChannelState::default(), &u("cat"), false, None),
            Err(Refusal::StartNeedsAdmin)
        );
        assert_eq!(
            permitted(&ChannelState::default(), &u("cat"), true, None),
            Ok(())
        );
    }

    #[test]
    fn a_backdated_handover_must_be_later_than_the_latest_one() {
        let state = state_with("ann", "2025-03-03T09:00:00Z");
        let now = t("2025-03-10T09:00:00Z");
        let same = t("2025-03-03T09:00:00Z");
        assert_eq!(
            decide(
                &state,
                &proposal(&u("cat"), true, &u("bob"), same, true, now)
            ),
            Err(Refusal::NotAfterLatest { latest: same })
        );
        let a_minute_later = t("2025-03-03T09:01:00Z");
        assert_eq!(
            decide(
                &state,
                &proposal(&u("cat"), true, &u("bob"), a_minute_later, true, now)
            ),
            Ok(NewHandover {
                from: Some(u("ann")),
                to: Some(u("bob")),
                effective_at: a_minute_later,
                recorded_at: now,
                recorded_by: u("cat"),
                notes: String::new(),
            })
        );
        // Handing over "now" within the same second as the last handover is a zero-length shift.
        let made = decide(
            &state,
            &proposal(&u("ann"), false, &u("bob"), same, false, same),
        )
        .unwrap();
        assert_eq!(made.effective_at, same);
    }

    #[test]
    fn a_handover_now_follows_a_latest_one_a_little_ahead_but_not_one_a_day_ahead() {
        let state = state_with("ann", "2025-03-03T09:00:00Z");
        // Another clock on the same database, a few seconds ahead: a zero-length shift.
        let behind = t("2025-03-03T08:59:30Z");
        let made = decide(
            &state,
            &proposal(&u("ann"), false, &u("bob"), behind, false, behind),
        )
        .unwrap();
        assert_eq!(made.effective_at, t("2025-03-03T09:00:00Z"));
        // Backdated, there is no time between it and now either.
        assert_eq!(
            decide(
                &state,
                &proposal(
                    &u("cat"),
                    true,
                    &u("bob"),
                    t("2025-03-02T08:00:00Z"),
                    true,
                    t("2025-03-02T09:00:00Z")
                ),
            ),
            Err(Refusal::LatestInFuture {
                latest: t("2025-03-03T09:00:00Z")
            })
        );
        // A day ahead: following it would pay ann until tomorrow and bob nothing till then.
        let a_day_behind = t("2025-03-02T09:00:00Z");
        assert_eq!(
            decide(
                &state,
                &proposal(
                    &u("ann"),
                    true,
                    &u("bob"),
                    a_day_behind,
                    false,
                    a_day_behind
                ),
            ),
            Err(Refusal::LatestInFuture {
                latest: t("2025-03-03T09:00:00Z")
            })
        );
    }

    #[test]
    fn the_months_already_over_that_a_change_reaches_are_named_by_the_local_calendar() {
        let tz = chrono_tz::Europe::London;
        // (change from, now, months named)
        let cases = [
            ("2025-06-10T09:00:00Z", "2025-06-20T09:00:00Z", None),
            (
                "2025-05-10T09:00:00Z",
                "2025-06-20T09:00:00Z",
                Some("May 2025"),
            ),
            (
                "2025-01-20T09:00:00Z",
                "2025-09-01T09:00:00Z",
                Some("January 2025 to August 2025"),
            ),
            // 23:30 UTC on 31 March is 00:30 BST on 1 April: April, not March.
            ("2025-03-31T23:30:00Z", "2025-04-02T09:00:00Z", None),
            // The last, repeated hour of October's 25-hour Sunday is still October...
            (
                "2025-10-26T01:30:00Z",
                "2025-11-01T00:30:00Z",
                Some("October 2025"),
            ),
            // ...and a now at 23:30 UTC on 31 October is still October in London (GMT).
            ("2025-10-26T01:30:00Z", "2025-10-31T23:30:00Z", None),
            // March 2024 ends on the 23-hour Sunday: 23:00 UTC is already April.
            (
                "2024-03-31T22:30:00Z",
                "2024-03-31T23:00:00Z",
                Some("March 2024"),
            ),
        ];
        for (from, now, months) in cases {
            assert_eq!(
                ended_months_from(t(from), t(now), tz).as_deref(),
                months,
                "{from} {now}"
            );
        }
    }

    #[test]
    fn the_undo_window_is_fifteen_minutes_of_real_time_across_clock_changes() {
        // (recorded, undo asked, allowed)
        let cases = [
            ("2025-03-03T09:00:00Z", "2025-03-03T09:15:00Z", true),
            ("2025-03-03T09:00:00Z", "2025-03-03T09:15:01Z", false),
            // 00:55 GMT to 02:05 BST on the day the clocks go forward: 10 minutes.
            ("2025-03-30T00:55:00Z", "2025-03-30T01:05:00Z", true),
            ("2025-03-30T00:55:00Z", "2025-03-30T01:11:00Z", false),
            // 01:55 BST to 01:05 GMT on the day they go back: 10 minutes, not minus 50.
            ("2025-10-26T00:55:00Z", "2025-10-26T01:05:00Z", true),
            ("2025-10-26T00:55:00Z", "2025-10-26T01:11:00Z", false),
        ];
        for (recorded, now, allowed) in cases {
            assert_eq!(
                within_undo_window(t(recorded), t(now)),
                allowed,
                "{recorded} {now}"
            );
        }
    }

    #[test]
    fn a_latest_handover_ahead_of_now_is_judged_in_real_time_on_the_day_the_clocks_go_back() {
        // The latest took effect at 01:30 GMT (the second 01:30); now is 01:40 BST, the first
        // 01:40, which reads later on the wall but is 50 minutes earlier: refused.
        let state = state_with("ann", "2025-10-26T01:30:00Z");
        let now = t("2025-10-26T00:40:00Z");
        assert_eq!(
            decide(
                &state,
                &proposal(&u("ann"), false, &u("bob"), now, false, now)
            ),
            Err(Refusal::LatestInFuture {
                latest: t("2025-10-26T01:30:00Z")
            })
        );
        // Thirty seconds behind it: another clock, a zero-length shift.
        let now = t("2025-10-26T01:29:30Z");
        let made = decide(
            &state,
            &proposal(&u("ann"), false, &u("bob"), now, false, now),
        )
        .unwrap();
        assert_eq!(made.effective_at, t("2025-10-26T01:30:00Z"));
        assert_eq!((made.to, made.from), (Some(u("bob")), Some(u("ann"))));
    }

    #[test]
    fn the_history_title_counts_its_handovers_in_words_that_agree() {
        let one = state_with("ann", "2025-03-03T09:00:00Z").current.unwrap();
        let mut two = vec![one.clone(), one];
        two[0].id = 2;
        let tz = chrono_tz::Europe::London;
        assert!(history(&two[..1], tz).starts_with("*The latest handover here*\n"));
        assert!(history(&two, tz).starts_with("*The last 2 handovers here, newest first*\n"));
        assert_eq!(
            history(&[], tz),
            "No handovers have been recorded in this channel yet."
        );
    }

    /// The engine on a temp SQLite store, with a directory that knows everyone until `down`.
    mod redelivery {
        use crate::commands::{
            AccountKind, CommandName, Directory, DirectoryError, Engine, EngineSettings,
            Invocation, MentionRef, Person,
        };
        use crate::domain::ids::{ChannelId, UserId};
        use crate::domain::pay::{ChannelRota, PayPolicy};
        use crate::domain::rota::{ChannelState, Handover, NewHandover, Undo};
        use crate::store::{
            ChannelOnCall, Claim, PayScope, Recorded, SqliteStore, Store, StoreError, Undone,
        };
        use chrono::{DateTime, NaiveDate, Utc};
        use std::collections::HashMap;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;

        #[derive(Clone, Default)]
        struct Switchable {
            down: Arc<AtomicBool>,
        }

        impl Directory for Switchable {
            async fn lookup(&self, who: &MentionRef) -> Result<Option<Person>, DirectoryError> {
                if self.down.load(Ordering::SeqCst) {
                    return Err(DirectoryError::Unavailable(
                        "Slack is having trouble".into(),
                    ));
                }
                let MentionRef::Id(id) = who else {
                    return Ok(None);
                };
                Ok(Some(Person {
                    id: id.clone(),
                    name: id.as_str().to_lowercase(),
                    kind: AccountKind::Person,
                }))
            }
        }

        const ADMIN: &str = "U0ADMIN001";
        const ALICE: &str = "U0ALICE001";
        const BOB: &str = "U0BOB00001";
        const CAROL: &str = "U0CAROL001";

        async fn engine() -> (
            Engine<SqliteStore, Switchable>,
            Switchable,
            tempfile::TempDir,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("b.db").to_string_lossy())
                .await
                .unwrap();
            let tz = chrono_tz::Europe::London;
            let settings = Arc::new(EngineSettings {
                timezone: tz,
                // Alice starts the rotas these tests hand over in.
                admins: [UserId::parse(ADMIN).unwrap(), UserId::parse(ALICE).unwrap()].into(),
                pay: PayPolicy::unconfigured(tz),
            });
            let directory = Switchable::default();
            (
                Engine::new(store, directory.clone(), settings),
                directory,
                dir,
            )
        }

        fn inv(user: &str, text: &str, key: &str) -> Invocation {
            Invocation {
                user: UserId::parse(user).unwrap(),
                channel: ChannelId::parse("C0OPS00001").unwrap(),
                command: CommandName::Handover,
                text: text.to_owned(),
                now: super::t("2025-03-03T09:00:00Z"),
                dedup_key: Some(format!("T0001:{key}")),
            }
        }

        #[tokio::test]
        async fn a_redelivered_handover_gets_the_first_answer_though_the_directory_is_down_now() {
            let (engine, directory, _dir) = engine().await;
            let to_bob = format!("<@{BOB}|bob> quiet week");
            let first = engine.answer(inv(ALICE, &to_bob, "k1")).await;
            assert_eq!(first.outcome, "recorded", "{}", first.reply.text);
            directory.down.store(true, Ordering::SeqCst);
            let again = engine.answer(inv(ALICE, &to_bob, "k1")).await;
            assert_eq!(again.outcome, "duplicate", "{}", again.reply.text);
            assert_eq!(again.reply, first.reply);
            // A new submission while the directory is down still fails, and says so.
            let new = engine.answer(inv(ALICE, &to_bob, "k2")).await;
            assert!(new.reply.is_private(), "{}", new.reply.text);
            assert_ne!(new.outcome, "duplicate");
        }

        /// The SQLite store, counting (and, when asked, failing) `remember_name` calls.
        #[derive(Clone)]
        struct Counting {
            inner: SqliteStore,
            names: Arc<AtomicUsize>,
            fail_names: Arc<AtomicUsize>,
            /// A rota order another admin sets between a command's read and its write.
            reorder: Arc<std::sync::Mutex<Option<Vec<UserId>>>>,
        }

        impl Store for Counting {
            async fn channel_state(&self, c: &ChannelId) -> Result<ChannelState, StoreError> {
                self.inner.channel_state(c).await
            }
            async fn record_handover<F, E>(
                &self,
                c: &ChannelId,
                key: Option<&str>,
                decide: F,
            ) -> Result<Result<Recorded, E>, StoreError>
            where
                F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send + 'static,
                E: Send + 'static,
            {
                let reorder = self.reorder.lock().ok().and_then(|mut r| r.take());
                if let Some(order) = reorder {
                    let admin =
                        UserId::parse(ADMIN).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    self.inner
                        .set_rota(c, &order, &admin, super::t("2025-03-03T09:00:00Z"))
                        .await?;
                }
                self.inner.record_handover(c, key, decide).await
            }
            async fn recorded_with_key(&self, key: &str) -> Result<Option<Handover>, StoreError> {
                self.inner.recorded_with_key(key).await
            }
            async fn undo_latest<F, E>(
                &self,
                c: &ChannelId,
                key: Option<&str>,
                decide: F,
            ) -> Result<Result<Undone, E>, StoreError>
            where
                F: FnOnce(&ChannelState, Option<&Handover>) -> Result<Undo, E> + Send + 'static,
                E: Send + 'static,
            {
                self.inner.undo_latest(c, key, decide).await
            }
            async fn set_rota(
                &self,
                c: &ChannelId,
                members: &[UserId],
                actor: &UserId,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                self.inner.set_rota(c, members, actor, at).await
            }
            async fn history(&self, c: &ChannelId, n: u32) -> Result<Vec<Handover>, StoreError> {
                self.inner.history(c, n).await
            }
            async fn pay_history(
                &self,
                start: DateTime<Utc>,
                end: DateTime<Utc>,
                scope: PayScope<'_>,
            ) -> Result<Vec<ChannelRota>, StoreError> {
                self.inner.pay_history(start, end, scope).await
            }
            async fn remember_name(
                &self,
                user: &UserId,
                name: &str,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                self.names.fetch_add(1, Ordering::SeqCst);
                let fail = self
                    .fail_names
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                if fail.is_ok() {
                    return Err(StoreError::Corrupt("disk I/O error".into()));
                }
                self.inner.remember_name(user, name, at).await
            }
            async fn names(&self, u: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
                self.inner.names(u).await
            }
            async fn channels_on_call(&self) -> Result<Vec<ChannelOnCall>, StoreError> {
                self.inner.channels_on_call().await
            }
            async fn claim_reminder(
                &self,
                c: &ChannelId,
                date: NaiveDate,
                claimant: &str,
                now: DateTime<Utc>,
                stale_before: DateTime<Utc>,
            ) -> Result<Claim, StoreError> {
                self.inner
                    .claim_reminder(c, date, claimant, now, stale_before)
                    .await
            }
            async fn mark_reminder_sent(
                &self,
                c: &ChannelId,
                date: NaiveDate,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                self.inner.mark_reminder_sent(c, date, now).await
            }
            async fn release_reminder(
                &self,
                c: &ChannelId,
                date: NaiveDate,
            ) -> Result<(), StoreError> {
                self.inner.release_reminder(c, date).await
            }
        }

        /// [`engine`], on a [`Counting`] store (returned too, to count and steer it).
        async fn counting_engine() -> (Engine<Counting, Switchable>, Counting, tempfile::TempDir) {
            let (engine, _directory, dir) = engine().await;
            let counting = Counting {
                inner: engine.store.clone(),
                names: Arc::default(),
                fail_names: Arc::default(),
                reorder: Arc::default(),
            };
            let engine = Engine::new(
                counting.clone(),
                Switchable::default(),
                engine.settings.clone(),
            );
            (engine, counting, dir)
        }

        fn in_channel(mut inv: Invocation, channel: usize) -> Invocation {
            inv.channel = ChannelId::parse(&format!("C0CHAN{channel:04}")).unwrap();
            inv
        }

        #[tokio::test]
        async fn a_burst_of_handovers_to_someone_new_stores_their_name_once() {
            let (engine, counting, _dir) = counting_engine().await;
            let to_bob = format!("<@{BOB}|bob>");
            let burst = (0..20)
                .map(|i| engine.answer(in_channel(inv(ALICE, &to_bob, &format!("b{i}")), i)));
            for done in futures_util::future::join_all(burst).await {
                assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
            }
            assert_eq!(counting.names.load(Ordering::SeqCst), 1);
            // A name whose write failed is tried again by the next handover to that person.
            let to_carol = format!("<@{CAROL}|carol>");
            counting.fail_names.store(1, Ordering::SeqCst);
            for i in 0..3 {
                let done = engine
                    .answer(in_channel(inv(ALICE, &to_carol, &format!("c{i}")), 100 + i))
                    .await;
                assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
            }
            assert_eq!(counting.names.load(Ordering::SeqCst), 1 + 2);
        }

        #[tokio::test]
        async fn next_is_refused_when_the_rota_order_changes_between_reading_it_and_recording() {
            let (engine, counting, _dir) = counting_engine().await;
            let order = format!("rota <@{ALICE}|alice> <@{BOB}|bob> <@{CAROL}|carol>");
            assert_eq!(
                engine.answer(inv(ADMIN, &order, "r1")).await.outcome,
                "rota_set"
            );
            let to_alice = format!("<@{ALICE}|alice>");
            assert_eq!(
                engine.answer(inv(ADMIN, &to_alice, "h1")).await.outcome,
                "recorded"
            );
            // Read: bob is next. Before the write, another admin puts carol after alice.
            let reordered = [ALICE, CAROL, BOB]
                .map(|u| UserId::parse(u).unwrap())
                .to_vec();
            if let Ok(mut r) = counting.reorder.lock() {
                *r = Some(reordered);
            }
            let next = engine.answer(inv(ALICE, "next", "n1")).await;
            assert_eq!(next.outcome, "refused", "{}", next.reply.text);
            assert!(
                next.reply
                    .text
                    .starts_with("The rota changed while you were typing"),
                "{}",
                next.reply.text
            );
            let state = counting
                .channel_state(&ChannelId::parse("C0OPS00001").unwrap())
                .await
                .unwrap();
            assert_eq!(
                state.on_call(),
                Some(&UserId::parse(ALICE).unwrap()),
                "nothing recorded"
            );
        }

        #[tokio::test]
        async fn a_redelivered_handover_next_gets_the_first_answer_after_the_rota_moved_on() {
            let (engine, _directory, _dir) = engine().await;
            let setup = [
                (ADMIN, format!("<@{ALICE}|alice>"), "k1"),
                (ADMIN, format!("rota <@{BOB}|bob>"), "k2"),
            ];
            for (who, text, key) in setup {
                let done = engine.answer(inv(who, &text, key)).await;
                assert!(!done.reply.is_private(), "{}", done.reply.text);
            }
            let first = engine.answer(inv(ALICE, "next", "k3")).await;
            assert_eq!(first.outcome, "recorded", "{}", first.reply.text);
            // Bob is on call now and the only one in the order: judged afresh, "next" would be
            // refused, though this very submission is what put him there.
            let again = engine.answer(inv(ALICE, "next", "k3")).await;
            assert_eq!(again.outcome, "duplicate", "{}", again.reply.text);
            assert_eq!(again.reply, first.reply);
        }
    }
}
