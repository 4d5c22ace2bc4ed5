//! Reading `/handover`'s words into a [`Command`].

use super::{Command, TypedTime, UndoOf, HISTORY_DEFAULT, HISTORY_MAX, MAX_NOTES, USAGE};
use crate::commands::{CommandError, CommandName, MentionRef};
use crate::domain::month::is_month_name;
use crate::domain::text::{self, Token};
use crate::domain::when;

/// The most people a rota holds: more than any team takes turns with the pager. Each one is
/// looked up in Slack's directory, one after another, and named in the announcement, which a
/// pasted member list of thousands would turn into minutes of lookups and a message too long
/// to send.
pub const MOST_IN_A_ROTA: usize = 50;

/// Words typed wrong: what was wrong, then the usage. Each one says that nothing changed, as
/// every refusal does, so "did it record?" has the same answer whichever kind of reply it is.
pub(super) fn usage(message: impl Into<String>) -> CommandError {
    let mut message = message.into();
    if !message.ends_with(['.', '?', '!']) {
        message.push('.');
    }
    message.push_str(" Nothing changed.");
    CommandError::usage(message, USAGE)
}

/// Checks notes (wire form, as typed) and strips one pair of quotes around them.
pub(super) fn notes(rest: &str) -> Result<String, CommandError> {
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

pub(super) fn person_token(word: &str) -> Result<MentionRef, CommandError> {
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
/// (`3 March 09:30`), or a date with its month's name (`20 Nov`, `Nov 20`). "at last, a quiet
/// week" and "at 3 alerts open" are notes. (A time without a date, `at 9am`, is read before
/// this: see [`an_hour`].) A date in the wrong shape is read as one and refused with the
/// format, rather than taken as notes and recorded now: a handover at the wrong time changes
/// pay.
pub(super) fn looks_like_a_date(after_at: &str) -> bool {
    let mut words = after_at.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let second = words.clone().next().unwrap_or("");
    let third = words.clone().nth(1).unwrap_or("");
    let digit = |w: &str| w.starts_with(|c: char| c.is_ascii_digit());
    // `Nov 20 17:30`, `20 Nov 2026`, `20th Nov`: a date with the month's name.
    if (is_month_name(first) && digit(second))
        || (digit(first)
            && is_month_name(second)
            && (second.to_lowercase() != "may" || digit(third)))
    {
        return true;
    }
    if !digit(first) {
        return false;
    }
    let long_number = first.len() >= 6 && first.chars().all(|c| c.is_ascii_digit());
    first.contains(['-', '/', '.', ':']) || long_number || words.take(2).any(looks_like_a_time)
}

/// `09:30`, `9.30`: digits, a `:` or `.`, digits.
pub(super) fn looks_like_a_time(word: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    word.split_once([':', '.'])
        .is_some_and(|(h, m)| digits(h) && digits(m))
}

/// `text` with mentions typed without spaces between them (`<@U1|a>,<@U2|b>`, `<@U1>→<@U2>`)
/// made separate words, the commas or arrows between them dropped.
fn split_joined_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(end) = rest.find('>') {
        out.push_str(&rest[..=end]);
        rest = &rest[end + 1..];
        let after = rest
            .trim_start_matches([',', ';', '/', '\u{2192}'])
            .trim_start_matches("-&gt;");
        if after.starts_with("<@") {
            out.push(' ');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Parses the text after `/handover` (wire form). Command words are read normalized (smart
/// quotes, odd spaces); notes are kept exactly as typed.
pub fn parse(wire: &str) -> Result<Command, CommandError> {
    parse_on(wire, None)
}

/// [`parse`], knowing `today`'s weekday where the command was typed: notes that are only
/// `monday` are a time other than now on any day but a Monday (see [`only_when`]).
pub fn parse_on(wire: &str, today: Option<chrono::Weekday>) -> Result<Command, CommandError> {
    let (first, rest) = text::split_word(wire);
    if first.is_empty() {
        return Ok(Command::Status);
    }
    // Only the keywords that take words read them normalized: the notes of the most common
    // command, `/handover @person notes`, are kept as typed and need no copy.
    let nothing_after = text::trim_gaps(rest).is_empty();
    match text::keyword(&first).as_str() {
        // With a command line's dashes, as people type them out of habit.
        "help" | "?" | "-h" | "--help" | "-help" => return Ok(Command::Help),
        "next" => {
            let (at, notes) = when_and_notes(rest, Before::Next, today)?;
            return Ok(Command::Next { at, notes });
        }
        "end" => {
            let (at, notes) = when_and_notes(rest, Before::End, today)?;
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
                    "After `/handover undo` type either nothing, or the person the handover went \
                     to (`/handover undo @bob`), or `end` for an end of standby.",
                )),
            };
        }
        "rota" if nothing_after => return Ok(Command::ShowRota),
        "rota" => {
            // The order as Baton shows it, `*@a* (on call) → @b → @c`, reads as `@a @b @c`.
            let members = split_joined_mentions(&text::normalize(rest))
                .split_whitespace()
                // `rota set @a @b`, `rota: @a @b`: the order is what follows.
                .filter(|w| {
                    !matches!(
                        w.to_lowercase().as_str(),
                        "→" | "-&gt;" | "&gt;" | "," | "(on" | "call)" | "set" | "=" | ":" | "is"
                    )
                })
                .map(|w| {
                    // Bold, as `show_rota` marks who is on call: a pair, never a name's own `_`.
                    w.strip_prefix('*')
                        .and_then(|w| w.strip_suffix('*'))
                        .unwrap_or(w)
                })
                .map(|w| match text::token(w) {
                    Token::Word(word) => Err(not_a_member(&word, rest)),
                    _ => person_token(w),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if members.len() > MOST_IN_A_ROTA {
                return Err(usage(format!(
                    "A rota holds at most {MOST_IN_A_ROTA} people (this lists {}): give the \
                     order of the people who take the pager in this channel.",
                    members.len()
                )));
            }
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
        Token::Word(w) if w.matches("<@").count() > 1 => {
            return Err(usage(
                "The pager goes to one person, and these are several. To set the rota order, \
                 type `/handover rota @a @b @c`.",
            ));
        }
        Token::Word(w) => {
            // A name typed without `@` (`Rosa`) may be one letter off a keyword (`rota`).
            let slip = crate::commands::did_you_mean(
                &w,
                &["help", "next", "end", "undo", "rota", "history"],
            );
            // `/handover to @bob`, `/handover at 2025-03-03 09:00 @bob`: the person goes first.
            if let Some(hint) = slip.is_none().then(|| person_first(wire)).flatten() {
                return Err(usage(format!(
                    "I don't understand `{}`. Start with the person you hand over to{hint}",
                    text::echo(&w),
                )));
            }
            let hint = match slip {
                // With the words after it (`roat @bob @ann`): the people are not to be typed
                // again, nor dropped.
                Some(keyword) => format!(
                    " Did you mean {}? To hand over, start with the person: type @ and pick them.",
                    crate::commands::with_the_rest(&format!("/handover {keyword}"), rest)
                ),
                // `/handover who`, `/handover status`: a question, answered by `/handover`
                // alone; never offered as `@who`.
                None if ASKING_WHO.contains(&text::keyword(&w).trim_end_matches('?'))
                    && !rest
                        .split_whitespace()
                        .any(|r| shown_person(&text::token(r)).is_some()) =>
                {
                    " To see who is on call here and who is next, type `/handover` alone."
                        .to_owned()
                }
                // `me` works in `/oncall-pay`; the pager goes to a person picked by mention.
                None if text::keyword(&w) == "me" => " Start with the person you hand over to, \
                     as a mention: type @ and pick them (to take the pager yourself, pick \
                     yourself)."
                    .to_owned(),
                // `at`, `to`, `yesterday`: never offered as `@at`, which would pay whoever has
                // that handle.
                None if never_the_person(&w) => " Start with the person you hand over to: type \
                     @ and pick them. An earlier time goes after them, as `at YYYY-MM-DD HH:MM` \
                     (admins)."
                    .to_owned(),
                None => match crate::commands::mention_hint(CommandName::Handover, &w, rest) {
                    Some(mention) => format!(" Start with the person you hand over to. {mention}"),
                    None => " Start with the person you hand over to.".to_owned(),
                },
            };
            return Err(usage(format!(
                "I don't understand `{}`.{hint}",
                text::echo(&w)
            )));
        }
        _ => person_token(&first)?,
    };
    let (at, notes) = when_and_notes(rest, Before::Person, today)?;
    Ok(Command::To { target, at, notes })
}

/// A word in `/handover rota`'s list that is not a person: `add` or `clear` (the order is typed
/// whole, never edited), or a name without its `@` (`rota bob carol`), answered with the
/// command as it should have been typed when every word is one (`rest` is the list, as typed).
fn not_a_member(word: &str, rest: &str) -> CommandError {
    const EDITS: &[&str] = &[
        "add", "remove", "delete", "del", "rm", "clear", "reset", "insert", "append", "drop",
        "swap", "replace", "+", "-",
    ];
    if EDITS.contains(&text::keyword(word).as_str()) {
        return usage(format!(
            "`/handover rota` takes the whole order, not a change to it: type everyone in turn, \
             `/handover rota @a @b @c` (`/handover rota` alone shows the order now). `{}` is not \
             a person.",
            text::echo(word)
        ));
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let all_names = words.iter().all(|w| crate::commands::name_shaped(w));
    let typed = if words.len() <= MOST_IN_A_ROTA && all_names {
        let order: Vec<String> = words
            .iter()
            .map(|w| format!("@{}", text::echo(w)))
            .collect();
        format!(": `/handover rota {}`", order.join(" "))
    } else {
        String::new()
    };
    usage(format!(
        "`{}` is not a mention. Type each person with @ and pick them from the list{typed}.",
        text::echo(word)
    ))
}

/// Words that ask who is on call (`/handover who`, `/handover status?`), answered by `/handover`.
const ASKING_WHO: &[&str] = &[
    "who", "whos", "who's", "who’s", "whoami", "status", "list", "show", "current", "oncall",
    "on-call",
];

/// Words typed before the person that say only "hand over to": `/handover pass the pager to @bob`.
const BEFORE_THE_PERSON: &[&str] = &[
    "to", "give", "pass", "hand", "handing", "handover", "over", "the", "pager", "it", "please",
    "now", "→", "-&gt;", "-&gt",
];

/// Words before the person that say when, though not as a time Baton reads:
/// `/handover yesterday @bob`.
const WHEN_BEFORE_THE_PERSON: &[&str] = &[
    "yesterday",
    "today",
    "tonight",
    "tomorrow",
    "since",
    "from",
    "last",
    "on",
    "for",
];

/// A word of a time typed before the person, to be moved after them: `at`, a date, a time, `pm`,
/// a month's name, a zone (`GMT`). Plain letters, digits and separators only, as it is quoted
/// back in the command to type (`2025-03-0<!here>` is read as a date, and is no time to repeat).
fn time_word(w: &str) -> bool {
    let plain = w
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ":./-".contains(c));
    plain
        && (w.eq_ignore_ascii_case("at")
            || looks_like_a_date(w)
            || strict_time(w)
            || looks_like_an_hour(w)
            || w.bytes().all(|b| b.is_ascii_digit())
            || when::meridiem(w).is_some_and(|(rest, _)| rest.is_empty())
            || is_month_name(w)
            || when::looks_like_a_zone(w))
}

/// A word that is never the person, though shaped like a name: words of "hand over to", of
/// when and of asking who (`who`), and the words of a time. Offered as `@to` or `@at`, it would
/// pay whoever has that handle, if anyone does.
pub(super) fn never_the_person(w: &str) -> bool {
    let k = text::keyword(w);
    BEFORE_THE_PERSON.contains(&k.as_str())
        || WHEN_BEFORE_THE_PERSON.contains(&k.as_str())
        || ASKING_WHO.contains(&k.trim_end_matches('?'))
        || time_word(w)
}

/// How to write a handover whose person (or `next`) came after other words (among its first
/// five), as the end of "Start with the person you hand over to…": with the command to type
/// when the words before say only "hand over to" or give a time (which goes after the person,
/// with `at`), and where the person and a time go when they say when in other words. A name
/// without its `@` after "hand over to" words (`/handover to bob`) is offered as a mention.
/// `None` without a person among the first words, or with other words before them
/// (`/handover nkechi thanks @bob`: the name without its `@` may be the person, answered as
/// such).
fn person_first(wire: &str) -> Option<String> {
    let mut before: Vec<String> = Vec::new();
    let mut rest = wire;
    let filler = |w: &str| BEFORE_THE_PERSON.contains(&text::keyword(w).as_str());
    for _ in 0..6 {
        let (word, after) = text::split_word(rest);
        if word.is_empty() {
            return None;
        }
        let only_filler = !before.is_empty() && before.iter().all(|w| filler(w));
        let token = text::token(&word);
        let person = match token {
            Token::UserId(_) | Token::UserName(_) => shown_person(&token),
            _ if text::keyword(&word) == "next" => Some("next".to_owned()),
            // `/handover to bob`: after "hand over to", a name without its `@`.
            Token::Word(w) if only_filler && !never_the_person(&w) => {
                return crate::commands::mention_hint(CommandName::Handover, &w, after)
                    .map(|m| format!(". {m}"));
            }
            _ => None,
        };
        if let Some(person) = person.filter(|_| !before.is_empty()) {
            if !before.iter().all(|w| filler(w) || time_word(w)) {
                let said_when =
                    |w: &String| WHEN_BEFORE_THE_PERSON.contains(&text::keyword(w).as_str());
                if !before.iter().any(said_when) {
                    return None;
                }
                return Some(format!(
                    ", then the notes: `/handover {person} …`; an earlier time goes after the \
                     person, as `at YYYY-MM-DD HH:MM` (admins)."
                ));
            }
            // The time typed before the person, from its first word, after `at`.
            let time: Vec<&str> = before
                .iter()
                .map(String::as_str)
                .skip_while(|w| !time_word(w) || filler(w))
                .filter(|w| !w.eq_ignore_ascii_case("at"))
                .collect();
            // `9am` alone would be refused for its date after the person too: the date goes in.
            let dated = time.iter().any(|w| {
                full_date(w)
                    || short_date(w)
                    || is_month_name(w)
                    || when::iso_date_time(w).is_some()
            });
            let command = match (time.is_empty(), dated) {
                (true, _) => format!("/handover {person}"),
                (false, true) => format!("/handover {person} at {}", time.join(" ")),
                (false, false) => format!("/handover {person} at YYYY-MM-DD {}", time.join(" ")),
            };
            let admins = if time.is_empty() { "" } else { " (admins)" };
            return Some(format!(
                ": {}{admins}.",
                crate::commands::with_the_rest(&command, after)
            ));
        }
        before.push(word);
        rest = after;
    }
    None
}

/// The words after the person (or `next`): `at DATE TIME [ZONE]` if they start with one (see
/// [`looks_like_a_date`] and [`when::looks_like_a_zone`]), then the notes. Notes that start
/// with a time given without `at` are refused (see [`a_time_without_at`]).
pub(super) fn when_and_notes(
    rest: &str,
    before: Before,
    today: Option<chrono::Weekday>,
) -> Result<(Option<TypedTime>, String), CommandError> {
    // Notes in quotes are notes, whatever they say (`"at 9:30 the db failed over"`), and so
    // are notes that start with a quote (`"at 9am standup" was cancelled`).
    if quoted(rest) {
        return Ok((None, notes(rest)?));
    }
    let (word, after) = text::split_word(rest);
    let (date, after_date) = text::split_word(after);
    let at = text::keyword(&word) == "at";
    // `at YYYY-MM-DD 9am`, a hint's placeholder pasted as it was: kept as notes, the handover
    // would be now.
    if at
        && ["yyyy", "hh:mm"]
            .iter()
            .any(|p| after.to_lowercase().contains(p))
    {
        return Err(usage(
            "Fill in the date and time after `at`: `at 2025-03-03 09:30`, not `YYYY-MM-DD \
             HH:MM`.",
        ));
    }
    // `at 5pm`, `at 03:10`, `at noon`: a time without its date. On its own (or with one word after
    // it, or a date among the three after it: see `an_hour_meant`) it is a try at the handover's
    // time, refused: kept as notes, the handover would be now. Followed by more, it is the notes'
    // story: `at 3am the disk filled`.
    if let Some((typed, meant)) = at.then(|| an_hour_meant(after)).flatten() {
        if meant {
            return Err(usage(format!(
                "After `at`, give the date as well as the time: `at YYYY-MM-DD HH:MM`, e.g. `at \
                 2025-03-03 17:00`; `{}` alone would be kept as notes and the handover recorded \
                 now. To keep it as notes, put them in quotes.",
                text::echo(&typed)
            )));
        }
        not_notes(before, rest)?;
        return Ok((None, notes(rest)?));
    }
    if at && a_date_or_nothing(after) {
        let (time, after_time) = text::split_word(after_date);
        // `2025-03-03T09:30`, as ISO 8601 and some tools write it: the date, then the time.
        let (date, time, after_time) = match when::iso_date_time(&date) {
            Some((d, t)) => (d, t, after_date),
            None => (date, time, after_time),
        };
        if date.is_empty() || time.is_empty() {
            return Err(usage(
                "After `at`, give the local date and time: `at 2025-03-03 09:30`.",
            ));
        }
        let (time, after_time) = twelve_hour(time, after_time)?;
        let (zone, after_zone) = text::split_word(after_time);
        // `GMT,`, `(GMT)`, `GMT!`, `"GMT"` are the zone too: taken as notes, the other 01:30
        // would be used. (Not `+` or `-`, which start an offset; `:` only after a zone.)
        let zone = zone
            .trim_start_matches(['(', '[', '{', '"', '\''])
            .trim_end_matches([',', '.', ';', ':', '!', '?', ')', ']', '}', '"', '\'']);
        let (zone, notes_text) = if when::looks_like_a_zone(zone) {
            (Some(zone.to_owned()), after_zone)
        } else {
            (None, after_time)
        };
        not_notes(before, notes_text)?;
        return Ok((Some(TypedTime { date, time, zone }), notes(notes_text)?));
    }
    if at {
        // `at yesterday 09:00`, `at Monday 9am`: meant as the handover's time, which kept as
        // notes would be now.
        if let Some(typed) = a_time_without_at(after) {
            return Err(usage(format!(
                "After `at`, write the date in full: `at YYYY-MM-DD HH:MM`, e.g. `at 2025-03-03 \
                 09:30`; Baton does not read `{}` as a date. To keep it as notes, put them in \
                 quotes.",
                text::echo(&typed)
            )));
        }
    }
    if let Some(typed) = a_time_without_at(rest).or_else(|| a_time_it_should_have_been(rest)) {
        return Err(usage(format!(
            "`{}` looks like a time, but only `at` records a handover at another time than now: \
             `/handover @person at YYYY-MM-DD HH:MM [notes…]` (admins). To keep it as notes, put \
             them in quotes.",
            text::echo(&typed)
        )));
    }
    if let Some(typed) = only_when(rest, before, today) {
        let typed = text::echo(&typed);
        // After `next`, said with it, and the quotes shown around the notes alone: quoted
        // whole, `"next week"` would be notes for nobody.
        let (said, quoted) = match before {
            Before::Next => (
                format!("next {typed}"),
                format!(": `/handover next \"{typed}\"`"),
            ),
            Before::Person | Before::End => (typed, String::new()),
        };
        return Err(usage(format!(
            "`{said}` reads as when the pager changes hands, but a handover takes effect when it \
             is recorded: run the command then (an admin can record one that has passed with `at \
             YYYY-MM-DD HH:MM`). To keep the words as notes, put them in quotes{quoted}."
        )));
    }
    not_notes(before, rest)?;
    Ok((None, notes(rest)?))
}

/// A time of day after `at` (`at 5pm`, `at 03:10`), as typed, and whether it is meant as the
/// handover's time: alone, with one word after it, or with a date among the three after it (`at
/// 17:30 on 2026-11-20`). Followed by more, it is the notes' story: `at 3am the disk filled`.
fn an_hour_meant(after: &str) -> Option<(String, bool)> {
    let (typed, words) = an_hour(after)?;
    // Enough words to see the three after the time, and whether more than one follows it.
    let all: Vec<String> = text::normalize(after)
        .split_whitespace()
        .take(words + 4)
        .map(|w| text::plain_hyphens(w.trim_end_matches([',', '.', ';', ':'])))
        .collect();
    let dated = all
        .iter()
        .skip(words)
        .take(3)
        .any(|w| full_date(w) || is_month_name(w));
    Some((typed, all.len() <= words + 1 || dated))
}

/// Whether the words after the person, `next` or `end` start with `at`: a try at the form that
/// records a handover at another time than now.
pub(super) fn gives_a_time(wire: &str) -> bool {
    let (first, rest) = text::split_word(wire);
    let keyword = text::keyword(&first);
    let leads = matches!(keyword.as_str(), "next" | "end")
        || matches!(text::token(&first), Token::UserId(_) | Token::UserName(_));
    if !leads || quoted(rest) {
        return false;
    }
    let (second, after) = text::split_word(rest);
    // As [`when_and_notes`] reads `at`: a time is meant when nothing follows it, or a time of
    // day, a date, or a day word and a time does. (`at least 3 pages` is notes.)
    text::keyword(&second) == "at"
        && (a_date_or_nothing(after)
            || an_hour_meant(after).is_some_and(|(_, meant)| meant)
            || a_time_without_at(after).is_some())
}

/// Whether the words after `at` are nothing, or a try at a date: `at` then starts a backdated
/// handover (see [`looks_like_a_date`]).
fn a_date_or_nothing(after_at: &str) -> bool {
    text::trim_gaps(after_at).is_empty()
        || looks_like_a_date(&text::plain_hyphens(&text::normalize(after_at)))
}

/// A time typed with am or pm, joined to it or as the next word (`5:30pm`, `5:30 pm`, `5 p.m.`,
/// `12am`), as a 24-hour `HH:MM`, with the words after it. Without am or pm, the time and the
/// words as they were. Dropped into the notes, `pm` would record the handover twelve hours early.
fn twelve_hour(time: String, after: &str) -> Result<(String, &str), CommandError> {
    use when::meridiem;
    // The punctuation a sentence puts around a word (`5:30 pm.`, `(pm)`, `17:30,`) and Slack's
    // formatting marks (`_pm_`, `*pm*`).
    let bare = |word: &str| -> String {
        word.trim_start_matches(['(', '[', '_', '*', '~'])
            .trim_end_matches([
                ',', ';', ':', '!', '?', ')', ']', '.', '\u{2026}', '_', '*', '~',
            ])
            .to_owned()
    };
    let (next, after_next) = text::split_word(after);
    let next = bare(&next);
    let numeric = |clock: &str| clock.starts_with(|c: char| c.is_ascii_digit());
    let time = if numeric(&time) { bare(&time) } else { time };
    // `pm-ish`, `pm/GMT`: am or pm, then something that is not part of a word (`pm2` is one).
    let leading = |word: &str| {
        let lower = word.to_ascii_lowercase();
        ["a.m.", "p.m.", "a.m", "p.m", "am", "pm"]
            .iter()
            .find(|m| {
                lower.starts_with(*m)
                    && !lower[m.len()..].starts_with(|c: char| c.is_alphanumeric())
            })
            .map(|m| m.starts_with('p'))
    };
    let (clock, pm, after, typed) = match meridiem(&time) {
        Some((clock, pm)) if numeric(clock) => (clock, pm, after, time.clone()),
        _ => match leading(&next) {
            Some(pm) if numeric(&time) => (time.as_str(), pm, after_next, format!("{time} {next}")),
            _ => {
                // `9:30 tonight`, `9:30 in the evening`: a twelve-hour time that does not say
                // which half of the day. Kept as notes, 9:30 would be the morning's.
                let hour = time.split([':', '.']).next().unwrap_or_default();
                let twelve_hour = !hour.starts_with('0')
                    && hour.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h));
                let said: Vec<String> = text::normalize(after)
                    .split_whitespace()
                    .take(3)
                    .map(|w| bare(w).to_lowercase())
                    .collect();
                let part = |w: &str| {
                    [
                        "tonight",
                        "tonite",
                        "evening",
                        "eve",
                        "night",
                        "nite",
                        "morning",
                        "afternoon",
                    ]
                    .contains(&w)
                };
                let halfday = match said.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                    [w, ..] if part(w) => Some(1),
                    ["this" | "at" | "last", w, ..] if part(w) => Some(2),
                    ["in", "the", w, ..] if part(w) => Some(3),
                    _ => None,
                };
                if let Some(n) = halfday.filter(|_| numeric(&time) && twelve_hour) {
                    return Err(usage(format!(
                        "`{time} {}` could be morning or evening: write the time as 24-hour \
                         (`21:30`) or with am or pm (`9:30 pm`).",
                        text::echo(&said[..n].join(" "))
                    )));
                }
                return Ok((time, after));
            }
        },
    };
    match when::twelve_hour_clock(clock, pm) {
        Some(time) => Ok((time, after)),
        None => Err(usage(format!(
            "`{}` is not a time: with am or pm, give an hour from 1 to 12, e.g. `5:30 pm` (or \
             `17:30`).",
            text::echo(&typed)
        ))),
    }
}

/// Whether notes are in quotes, or start with an opening double quote: the way to say "these
/// words are notes" that every refusal of words read as a command offers.
fn quoted(raw: &str) -> bool {
    let trimmed = text::trim_gaps(raw);
    text::unquote(trimmed).len() != trimmed.len()
        || trimmed.starts_with(['"', '\u{201C}', '\u{201E}', '\u{00AB}'])
}

/// A person named by a word, as a reply shows them back: a mention, or `@name` as typed
/// (escaped). `None` for a word that names nobody.
fn shown_person(token: &Token) -> Option<String> {
    match token {
        Token::UserId(id) => Some(id.mention()),
        Token::UserName(name) => Some(format!("@{}", text::echo(name))),
        _ => None,
    }
}

/// What the notes follow: the person handed the pager, `next`, or `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Before {
    Person,
    Next,
    End,
}

/// Refuses notes that are a command's words, not notes: starting with a second person
/// (`/handover @bob @carol @dave`, a forgotten `rota`; `/handover next @dave`), or nothing but a
/// command word (`/handover @carol undo`). Kept as notes, each would record a handover nobody
/// meant (a paid rota started, the wrong person on call) and mention people in the channel.
/// Notes in quotes are notes, whatever they say.
fn not_notes(before: Before, raw: &str) -> Result<(), CommandError> {
    if quoted(raw) {
        return Ok(());
    }
    let (word, after) = text::split_word(raw);
    // `/handover @bob to @tom`: Tom meant, or "from Bob to Tom"; kept as notes, Bob is paid.
    // `/handover next to @dave`: Dave meant; kept as notes, whoever is next is paid.
    if before != Before::End
        && matches!(text::keyword(&word).as_str(), "to" | "→" | "-&gt" | "-&gt;")
    {
        let (second, _) = text::split_word(after);
        if let Some(to) = shown_person(&text::token(&second)) {
            let first = match before {
                Before::Next => {
                    "`/handover next` hands the pager to the next person in the rota \
                                 order, and `to {to}` after `next`"
                }
                Before::Person | Before::End => {
                    "The pager goes to the person first after \
                                                 `/handover`, and `to {to}` after them"
                }
            }
            .replace("{to}", &to);
            return Err(usage(format!(
                "{first} would be kept as notes. To hand it to {to}, type `/handover {to}`; to keep \
                 the words as notes, put them in quotes."
            )));
        }
    }
    // `/handover @carol and @erin`, `@carol & @erin split the week`: two people meant, and
    // only the first would be paid.
    // `/handover end of shift`: the end of a shift, meant as a handover, would end standby.
    if before == Before::End
        && matches!(
            text::keyword(&word).as_str(),
            "of" | "shift" | "my" | "of-shift"
        )
    {
        return Err(usage(
            "`/handover end` ends standby here, with nobody on call and nobody paid; the words \
             after it would be kept as notes. To pass the pager on at the end of your shift, use \
             `/handover next` or `/handover @person`; to keep the words as notes, put them in \
             quotes.",
        ));
    }
    // (`with @erin shadowing` is notes. `&amp;` is `&` as Slack sends it, its `;` trimmed.)
    if before != Before::End
        && matches!(
            text::keyword(&word).trim_start_matches('('),
            "and" | "&amp" | "+" | "/" | "|" | "n" | "then" | "or" | "plus"
        )
    {
        let (second, _) = text::split_word(after);
        let second = second.trim_end_matches([')', ',', '.']);
        if let Some(also) = shown_person(&text::token(second)) {
            let after = match before {
                Before::Next => "after `next`",
                Before::Person | Before::End => "after them",
            };
            return Err(usage(format!(
                "The pager goes to one person, and `{} {also}` {after} would be kept as notes. \
                 Hand it to one of them (the other can take it over with `/handover @person` \
                 when their part begins); to keep the words as notes, put them in quotes.",
                text::echo(&word)
            )));
        }
    }
    let token = text::token(&word);
    let person = match token {
        Token::UserId(_) | Token::UserName(_) => shown_person(&token).unwrap_or_default(),
        // Mentions joined without spaces (`<@U1|a>,<@U2|b>`): named as mentions, never echoed
        // as markup (which could hold a broadcast).
        Token::Word(w) if w.starts_with("<@") => {
            let people: Vec<String> = split_joined_mentions(&w)
                .split_whitespace()
                .filter_map(|w| match text::token(w) {
                    Token::UserId(id) => Some(id.mention()),
                    _ => None,
                })
                .collect();
            if people.is_empty() {
                return Ok(());
            }
            people.join(" ")
        }
        Token::Word(w) if text::trim_gaps(after).is_empty() => {
            let keyword = text::keyword(&w);
            let command = match keyword.as_str() {
                "undo" | "end" | "next" | "rota" | "history" => format!("{keyword} …"),
                "help" | "?" => "help".to_owned(),
                _ => return Ok(()),
            };
            let after = match before {
                Before::Person => "the person",
                Before::Next => "`next`",
                Before::End => "`end`",
            };
            return Err(usage(format!(
                "`{keyword}` after {after} would be kept as notes. Commands start with their \
                 word: `/handover {command}`. To keep it as notes, put it in quotes."
            )));
        }
        _ => return Ok(()),
    };
    let quotes = "to start the notes with a mention, put them in quotes.";
    Err(usage(match before {
        Before::Person => format!(
            "The pager goes to one person, and {person} after them would be kept as notes. To \
             set the rota order, type `/handover rota @a @b @c`; {quotes}"
        ),
        Before::Next => format!(
            "`/handover next` hands the pager to the next person in the rota order, and {person} \
             would be kept as notes. To hand it to {person}, type `/handover {person}`; {quotes}"
        ),
        Before::End => format!(
            "`/handover end` ends standby with nobody on call, and {person} would be kept as \
             notes. To hand the pager to {person}, type `/handover {person}`; {quotes}"
        ),
    }))
}

/// The words at the start of `text` that are a time of day on its own, and how many words
/// that is: `5pm`, `5:30pm`, `09:30`, `9.30`, `5 pm`, `noon`, `midnight`.
fn an_hour(text: &str) -> Option<(String, usize)> {
    let words: Vec<String> = text::normalize(text)
        .split_whitespace()
        .take(2)
        .map(|w| {
            w.trim_end_matches([',', ';', ':', '.', '!', '?', ')'])
                .to_owned()
        })
        .collect();
    let first = words.first()?;
    let second = words.get(1).map_or("", String::as_str);
    let meridiem = when::meridiem(second).is_some_and(|(rest, _)| rest.is_empty());
    if meridiem && (first.bytes().all(|b| b.is_ascii_digit()) || strict_time(first)) {
        Some((format!("{first} {second}"), 2))
    } else if looks_like_an_hour(first)
        || strict_time(first)
        || ["noon", "midnight", "midday"].contains(&first.to_lowercase().as_str())
    {
        Some((first.clone(), 1))
    } else {
        None
    }
}

/// The words at the start of notes that look like an attempt to give the handover's time
/// without `at`: `since 2025-03-03 09:30`, `from 9am`, `on 2025-03-03`, `yesterday at 09:30`,
/// `since Monday 09:30`, or a bare `2025-03-03 09:30`, `2025-03-03T09:30` or `3/3 09:30`.
/// Recorded now, with the time as notes, the handover would pay a different person for the
/// hours in between. Notes that merely start with numbers are notes: `3-4 pages overnight`,
/// `from 3/4 replicas down`, `on 1.5 hours sleep`, `since 4.2 deploy`, `09:30 standup moved`.
pub(super) fn a_time_without_at(rest: &str) -> Option<String> {
    time_phrase(rest, false)
}

/// [`a_time_without_at`]'s reading; with `nearly_whole`, every form counts only when it is the
/// whole of the text or nearly (one word after), as the newer forms always do.
fn time_phrase(rest: &str, nearly_whole: bool) -> Option<String> {
    if text::trim_gaps(rest).is_empty() {
        return None;
    }
    let normalized = text::normalize(rest);
    let words: Vec<String> = normalized
        .split_whitespace()
        .take(10)
        .map(text::plain_hyphens)
        .collect();
    // Only whether at most one word follows a phrase (which ends by the tenth) matters: the
    // words are counted no further, and only the first ten copied, whatever the notes' length.
    let count = normalized.split_whitespace().take(12).count();
    // Each word as a date or time is read without the punctuation around it.
    let word = |i: usize| {
        words.get(i).map_or("", |w: &String| {
            w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '.'))
        })
    };
    let lower = |i: usize| word(i).to_lowercase();
    let echoed = |through: usize| words[..=through.min(words.len() - 1)].join(" ");
    // The forms read since Baton began are refused whatever follows them. Those added later
    // (below) only when they are the whole of the notes or nearly (one word after): followed
    // by a sentence, `Sat 2am page was a false alarm` is an incident's story, not a backdate.
    let whole = |through: usize| count <= through + 2;
    let is_time = |w: &str| strict_time(w) || looks_like_an_hour(w);
    // `on call since Monday 09:00`: what follows "on call" is read as if it began the notes.
    let o = match lower(0) == "on" && lower(1) == "call" {
        true => 2,
        false => 0,
    };
    let (mut i, mut newer) = (o, false);
    match lower(o).as_str() {
        "since" | "from" | "on" | "@" => i = o + 1,
        "effective" | "starting" | "until" | "till" | "wef" | "w.e.f" | "backdate"
        | "backdated" => {
            (i, newer) = (o + 1, true);
            if matches!(lower(o + 1).as_str(), "from" | "at" | "to" | "on") {
                i = o + 2;
            }
        }
        "as" if matches!(lower(o + 1).as_str(), "of" | "at") => (i, newer) = (o + 2, true),
        _ => {}
    }
    let start = i;
    let found = |through: usize, newer: bool| {
        (!(newer || nearly_whole) || whole(through)).then(|| echoed(through))
    };
    // `this morning 09:30`, `last night 11pm`, `earlier today at 17:30`.
    const PARTS_OF_DAY: [&str; 8] = [
        "this",
        "last",
        "earlier",
        "later",
        "morning",
        "afternoon",
        "evening",
        "night",
    ];
    while i < start + 3 && PARTS_OF_DAY.contains(&lower(i).as_str()) {
        i += 1;
    }
    // A time at word `j` (`09:30`, `9am`, `9 am`), or after `at`: the index of its last word.
    let time_here = |j: usize| {
        let spaced = word(j).bytes().all(|b| b.is_ascii_digit()) || strict_time(word(j));
        if spaced && when::meridiem(word(j + 1)).is_some_and(|(rest, _)| rest.is_empty()) {
            Some(j + 1)
        } else {
            is_time(word(j)).then_some(j)
        }
    };
    let time_at = |j: usize| {
        if word(j).eq_ignore_ascii_case("at") {
            time_here(j + 1)
        } else {
            time_here(j)
        }
    };
    let day = lower(i);
    if i > start && !DAY_WORDS.contains(&day.as_str()) {
        return time_at(i).and_then(|j| found(j, true));
    }
    // `20 Nov 17:30`, `Nov 20 2026`: a date with the month's name, then a time or a year.
    let number = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    if (number(word(i)) && is_month_name(word(i + 1)))
        || (is_month_name(word(i)) && number(word(i + 1)))
    {
        if let Some(j) = time_at(i + 2) {
            return found(j, true);
        }
        if word(i + 2).len() == 4 && number(word(i + 2)) {
            return found(time_at(i + 3).unwrap_or(i + 2), true);
        }
    }
    if DAY_WORDS.contains(&day.as_str()) {
        // `yesterday morning 09:30`, `friday night 11pm`.
        let mut j = i + 1;
        while j < i + 3 && PARTS_OF_DAY.contains(&lower(j).as_str()) {
            j += 1;
        }
        let newer = newer || i > start || j > i + 1 || !DAY_WORDS[..10].contains(&day.as_str());
        // Without a time, `since Monday` or `from yesterday` alone (or with one word more): a
        // day gone by. (`until Friday`, `from today`, `on Monday` are not backdates; alone,
        // `on Monday` is refused by [`only_when`].)
        let gone_by = !matches!(day.as_str(), "today" | "tonight" | "tomorrow");
        // `yesterday` as the whole of the notes: when the handover was, not a note.
        let day_alone = || {
            let after_since = i == start && matches!(lower(o).as_str(), "since" | "from");
            let alone = i == 0 && count == 1 && day == "yesterday";
            ((after_since && gone_by) || alone)
                .then(|| found(i, true))
                .flatten()
        };
        return time_at(j).and_then(|j| found(j, newer)).or_else(day_alone);
    }
    if let Some((date, time)) = word(i).split_once('T') {
        if full_date(date) && strict_time(time) {
            return found(i, newer);
        }
    }
    if full_date(word(i)) {
        return found(if is_time(word(i + 1)) { i + 1 } else { i }, newer);
    }
    if short_date(word(i)) {
        if is_time(word(i + 1)) {
            return found(i + 1, newer);
        }
        if let Some(j) = time_at(i + 1) {
            return found(j, true);
        }
    }
    // `since 9am`, `from 14:00`, `as of 9 am`; a bare `09:30 standup moved` is notes.
    time_here(start)
        .filter(|_| start > o)
        .and_then(|j| found(j, newer))
}

/// Notes that say nothing but when, a time other than now: `tomorrow`, `from Monday`, `next
/// week`, `on Friday`, `5pm`, `17:00`, `9am Monday`, `at 9`, `8/11`, `Nov 20`, `EOD`, `in an
/// hour`, `took over at 9am`. Kept as notes, the handover would take effect now: someone is paid
/// for a shift that has not begun, or the one before is not paid for the end of theirs. Said as
/// typed (after `next`, read with it: `next week`). Every word (up to six) must be a word of
/// when, or a courtesy (`please`, an emoji), and one of them must name a time or day other than
/// now: `today`, `tonight`, and `today`'s own weekday (`monday` on a Monday, when `today` is
/// known) do not, though they say which day a time is on (`9am Monday`). Notes that say when
/// the shift ends (`until Friday`, `till tomorrow`, `by 5pm`) are notes, as is anything with
/// another word (`tomorrow's deploy`, `thanks for covering last night`, `at 3 may be flaky`) and
/// numbers that only look like times (`24/7`, `1.5`, `2024`, `12h`, `10/10 week`).
fn only_when(rest: &str, before: Before, today: Option<chrono::Weekday>) -> Option<String> {
    let rest = text::trim_gaps(rest);
    if rest.is_empty() {
        return None;
    }
    let normalized = text::normalize(rest);
    let typed: Vec<&str> = normalized.split_whitespace().take(7).collect();
    if typed.len() > 6 {
        return None;
    }
    // After `next`, read with it: `/handover next week` is a week away, not "week" as notes.
    let next = match before {
        Before::Next => Some("next".to_owned()),
        Before::Person | Before::End => None,
    };
    // Each word without the punctuation or Slack formatting around it, as typed (a zone is
    // read in its own case: `quiet` is no `QUIET` zone) and in lower case.
    let bare: Vec<String> = next
        .into_iter()
        .chain(typed.iter().map(|w| {
            text::plain_hyphens(w.trim_matches([
                ',', ';', '.', '!', '?', '(', ')', '[', ']', '{', '}', '*', '_', '~',
            ]))
        }))
        .collect();
    let words: Vec<String> = bare.iter().map(|w| w.to_lowercase()).collect();
    if matches!(
        words[0].as_str(),
        "until" | "till" | "til" | "by" | "to" | "before"
    ) {
        return None;
    }
    let word = |i: usize| words.get(i).map_or("", String::as_str);
    let day_number = |w: &str| w.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d));
    let ordinal = |w: &str| {
        ["st", "nd", "rd", "th"]
            .iter()
            .any(|s| w.strip_suffix(s).is_some_and(day_number))
    };
    let day_word = |w: &str| DAY_WORDS.contains(&w) || SHORTER_DAY_WORDS.contains(&w);
    // A day beside a number makes it an hour (`monday 9`); `today` does not (`0 today`).
    let named_day = |w: &str| day_word(w) && !matches!(w, "today" | "tonight");
    let mut named = false;
    for (i, w) in words.iter().enumerate() {
        // `5ish`, `~5pm`, `5pm-ish`: the time itself, said roughly.
        // Only after a number or am/pm: `Satish` is a name, not `sat`.
        let core = w
            .trim_start_matches('~')
            .trim_end_matches("ish")
            .trim_end_matches('-');
        let timeish = |c: &str| c.ends_with(|c: char| c.is_ascii_digit()) || c.ends_with('m');
        let rough = w.starts_with('~') || (core.len() < w.len() && timeish(core));
        let w = if rough { core } else { w.as_str() };
        let after = |k: &[&str]| i > 0 && k.contains(&word(i - 1));
        let earlier = |k: &[&str]| words[..i].iter().any(|p| k.contains(&p.as_str()));
        let number = !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
        // A clock time with `:` (`9.30` may be a version), with am or pm, or `17h`, `17h30`.
        let clock = (strict_time(w) && w.contains(':'))
            || looks_like_an_hour(w)
            // (`12h` alone is more likely a length of time.)
            || w.split_once('h').is_some_and(|(h, m)| {
                number_in(h, 0..=23) && m.len() == 2 && number_in(m, 0..=59)
            });
        // `0900` next to a day or after `at` (alone, `2024` is a year, `1234` a ticket).
        let hhmm = w.len() == 4
            && number
            && strict_time(&format!("{}:{}", &w[..2], &w[2..]))
            && (after(&["at", "from", "since", "after", "around", "starting"])
                || named_day(word(i + 1))
                || (i > 0 && named_day(word(i - 1))));
        // `at 9`, `since 9`, `5ish`, `monday 9`, or `9 am`.
        let hour = number
            && number_in(w, 0..=23)
            && (rough
                || after(&["at", "from", "since", "after", "around", "starting"])
                || named_day(word(i + 1))
                || (i > 0 && named_day(word(i - 1)))
                || when::meridiem(word(i + 1)).is_some_and(|(h, _)| h.is_empty()));
        // `from 8/11`, a day then a month, after a word that starts a when: alone, or with an
        // emoji, `7/10` is as likely a score, and `24/7` is round the clock.
        let short = w.split_once('/').is_some_and(|(d, m)| {
            d.len() <= 2 && m.len() <= 2 && number_in(d, 1..=31) && number_in(m, 1..=12)
        }) && w != "24/7"
            && after(&[
                "from",
                "since",
                "on",
                "starting",
                "effective",
                "wef",
                "at",
                "of",
            ]);
        // A month's name near a day (`Nov 20`, `20th Nov`, `1st of Dec`); alone, `may` is a
        // verb.
        let month = is_month_name(w)
            && [
                word(i.wrapping_sub(2)),
                word(i.wrapping_sub(1)),
                word(i + 1),
            ]
            .iter()
            .any(|n| day_number(n) || ordinal(n));
        // A day: not today's (a weekly handover on a Monday says `monday`) unless next week's.
        let weekday_now = weekday_of(w).is_some_and(|d| Some(d) == today);
        let another_week = earlier(&["next", "last", "coming"]);
        // `sun`, `sat` or `wed` alone is as likely a word.
        let short_alone = matches!(w, "sun" | "sat" | "wed") && words.len() == 1;
        let day = day_word(w)
            && !matches!(w, "today" | "tonight")
            && (another_week || !weekday_now)
            && !short_alone;
        let anchor = day
            || clock
            || hhmm
            || hour
            || short
            || month
            || full_date(w)
            || matches!(
                w,
                "noon" | "midnight" | "midday" | "eod" | "cob" | "eow" | "tmrw" | "tmr" | "tmw"
                    | "2moro" | "2morrow" | "tomoz"
            )
            || (matches!(w, "week" | "weekend" | "wk") && after(&["next", "nxt", "last", "coming"]))
            // `in 1h`, `in 30m`, `in 2hrs`.
            || (after(&["in"])
                && ["h", "m", "hr", "hrs", "min", "mins"].iter().any(|u| {
                    w.strip_suffix(u)
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                }))
            || (matches!(w, "morning" | "afternoon" | "evening" | "night" | "lunch")
                && earlier(&["this", "last", "since", "from", "after", "tomorrow", "yesterday"]))
            || (matches!(
                w,
                "hour" | "hours" | "hr" | "hrs" | "min" | "mins" | "minute" | "minutes" | "days"
            ) && earlier(&["in"]))
            || (ordinal(w) && earlier(&["on", "the", "from", "since", "starting"]))
            // `end of day`, `close of business`, `end of the week`.
            || (matches!(w, "day" | "business" | "week")
                && earlier(&["of"])
                && earlier(&["end", "close"]));
        let joining = JOINING_WHEN.contains(&w)
            // Today's own weekday says now, as `today` does (`9am Monday` on a Monday is 9am).
            || (weekday_now && !another_week)
            || (matches!(w, "week" | "weekend") && after(&["this", "the", "for"]))
            || (matches!(w, "end" | "close") && word(i + 1) == "of")
            || (number && earlier(&["in"]))
            || ((day_number(w) || ordinal(w)) && words.iter().any(|n| is_month_name(n)))
            || when::meridiem(w).is_some_and(|(h, _)| h.is_empty())
            || when::looks_like_a_zone(&bare[i])
            // An emoji, as Slack sends it (`:pray:`) or as typed; `:)`.
            || !w.chars().any(char::is_alphanumeric)
            || (w.len() > 2 && w.starts_with(':') && w.ends_with(':'));
        if !(anchor || joining) {
            return None;
        }
        named |= anchor;
    }
    named.then(|| typed.join(" "))
}

/// Whether `w` is a number within `range`.
fn number_in(w: &str, range: std::ops::RangeInclusive<u32>) -> bool {
    !w.is_empty()
        && w.bytes().all(|b| b.is_ascii_digit())
        && w.parse().is_ok_and(|n| range.contains(&n))
}

/// The weekday a day word names (`mon`, `Monday`), if it names one.
fn weekday_of(w: &str) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    Some(match w.get(..3)? {
        "mon" => Mon,
        "tue" => Tue,
        "wed" => Wed,
        "thu" => Thu,
        "fri" => Fri,
        "sat" => Sat,
        "sun" => Sun,
        _ => return None,
    })
    .filter(|_| DAY_WORDS.contains(&w) || SHORTER_DAY_WORDS.contains(&w))
}

/// Day words [`DAY_WORDS`] does not hold, read only by [`only_when`].
const SHORTER_DAY_WORDS: [&str; 1] = ["weds"];

/// Words that join the words of when in [`only_when`] (`from`, `took over at`), or are said with
/// them (`please`): never a when on their own.
const JOINING_WHEN: &[&str] = &[
    "from",
    "since",
    "on",
    "starting",
    "effective",
    "as",
    "of",
    "at",
    "next",
    "nxt",
    "this",
    "last",
    "coming",
    "the",
    "in",
    "a",
    "an",
    "first",
    "thing",
    "morning",
    "afternoon",
    "evening",
    "night",
    "today",
    "tonight",
    "wef",
    "w.e.f",
    "for",
    "after",
    "around",
    "approx",
    "covering",
    "backdate",
    "backdated",
    "to",
    "should",
    "be",
    "meant",
    "actually",
    "took",
    "over",
    "started",
    "start",
    "starts",
    "handed",
    "been",
    "oncall",
    "on-call",
    "please",
    "pls",
    "plz",
];

/// The start a handover should have had, written later in the notes than
/// [`a_time_without_at`] reads: `forgot, should have been from Monday 09:00`. The words after
/// "should have been" (or "should've been", then an optional "on call"), found within the first
/// ten words, are read as if they began the notes, but only as the whole of them or nearly (one
/// word after): "backup should have been at 02:00, didn't run" is notes. Said with the phrase.
pub(super) fn a_time_it_should_have_been(rest: &str) -> Option<String> {
    let normalized = text::normalize(rest);
    // Enough words to find the phrase in the first ten and count what follows its time.
    let words: Vec<&str> = normalized.split_whitespace().take(24).collect();
    // Word `k` read without the punctuation around it, compared without case.
    let is = |k: usize, word: &str| {
        words.get(k).is_some_and(|w| {
            w.trim_matches([',', ';', ':', '(', ')', '.'])
                .eq_ignore_ascii_case(word)
        })
    };
    (0..words.len().min(10)).find_map(|i| {
        let mut end = if is(i, "should") && is(i + 1, "have") && is(i + 2, "been") {
            i + 3
        } else if (is(i, "should've") || is(i, "shouldve")) && is(i + 1, "been") {
            i + 2
        } else {
            return None;
        };
        if is(end, "on") && is(end + 1, "call") {
            end += 2;
        }
        let (phrase, after) = (words[i..end].join(" "), &words[end..]);
        // `should have been at 9am`: read as `from 9am` is (notes never start with `at` there).
        let typed = match after.first() {
            Some(at) if at.eq_ignore_ascii_case("at") => {
                time_phrase(&format!("from {}", after[1..].join(" ")), true)
                    .and_then(|typed| Some(format!("{at}{}", typed.strip_prefix("from")?)))
            }
            _ => time_phrase(&after.join(" "), true),
        }?;
        Some(format!("{phrase} {typed}"))
    })
}

/// Words that, followed by a time, name when: `yesterday 09:00`, `monday at 9am`, `fri 5pm`. The
/// first ten were the only ones read at first (see [`a_time_without_at`]).
pub(super) const DAY_WORDS: [&str; 22] = [
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
    "yest",
    "tomorrow",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
];

/// A date with its year: `2025-03-03`, `3/3/2025`, `3.3.25`, with a month of 1 to 12 and a day
/// of 1 to 31.
pub(super) fn full_date(word: &str) -> bool {
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
pub(super) fn short_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split(['-', '/', '.']).collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `09:30`, `9:30`, `9.30`: an hour of 0 to 23 and two digits of minutes up to 59 (so `1.5` and
/// `4.2` are numbers, not times).
pub(super) fn strict_time(word: &str) -> bool {
    word.split_once([':', '.']).is_some_and(|(h, m)| {
        (1..=2).contains(&h.len())
            && m.len() == 2
            && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
            && h.parse::<u32>().is_ok_and(|h| h < 24)
            && m.parse::<u32>().is_ok_and(|m| m < 60)
    })
}

/// `9am`, `10pm`, `9:30am`, `5p.m.`.
pub(super) fn looks_like_an_hour(word: &str) -> bool {
    when::meridiem(word).is_some_and(|(h, _)| {
        !h.is_empty() && (h.bytes().all(|b| b.is_ascii_digit()) || strict_time(h))
    })
}
