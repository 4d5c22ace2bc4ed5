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
//! /handover end [at …] [notes…]               end standby here: nobody on call, nobody paid,
//!                                             until an admin starts the rota again (admins)
//! /handover undo [@person|end]                undo the latest handover (with @person or `end`:
//!                                             only if it went to them, or ended standby)
//! /handover rota [@a @b …]                    show the rota order, or set it (admins)
//! /handover history [N]                       the last N handovers here (default 10, at most 50)
//! /handover help                              this help
//! ```
//! Who may hand over: whoever is on call, the person taking over, or an admin. Only an admin may
//! start a channel's rota (its first shift, a shift after every handover was undone, or one after
//! `/handover end`): each channel with someone on call is a paid rota, so anyone starting one in
//! a private channel of their own could pay themself twice. Only an admin ends standby: it
//! leaves the channel with nobody to page, and a new engineer's "my week is done" was read as
//! it, when they meant `/handover next`. Undo: whoever recorded the handover, within 15 minutes,
//! or an admin.
//!
//! Layout: this file reads the command and routes it; `parse` reads the words, `record` holds
//! the rule for who may hand over and when a handover takes effect, and records it, `undo`
//! undoes one, and `messages` writes what the channel and the caller are told.

mod messages;
mod parse;
mod record;
#[cfg(test)]
mod tests;
mod undo;

use super::{has_left, CommandError, Engine, Handled, Invocation, Leavers, MentionRef, Reply};
use crate::commands::Directory;
use crate::domain::ids::UserId;
use crate::domain::rota::{Ahead, ChannelState, Handover};
use crate::store::{RotaBefore, RotaSet, Store};
use messages::{history, show_rota, status};
use parse::usage;
use record::{
    answer_again, backdate_needs_admin, check_permitted, effective_at, hand_over, not_ahead,
    permitted, refused,
};
use undo::undo;

pub use parse::parse;

pub const USAGE: &str = "\
`/handover` — who is on call here, since when, and the notes\n\
`/handover @person [notes…]` — hand the pager to @person now\n\
`/handover next [notes…]` — hand over to the next person in the rota order\n\
`/handover @person at YYYY-MM-DD HH:MM [notes…]` — record an earlier handover (admins; \
`next at …` too; in the hour the clocks go back, add the zone: `at 2025-10-26 01:30 GMT`)\n\
`/handover end [notes…]` — end standby here: nobody on call, nobody paid, until an admin starts \
the rota again (admins; to pass the pager on, use `next` or @person)\n\
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
/// Characters of each handover's notes that `history` shows: of their first line that is not
/// blank, and twice as many when that line opens with a link (whose markup is long).
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
    /// newest handover is undone already (see `undo::UndoRefusal`).
    Person(MentionRef),
    /// The latest in force, only if it ended standby, even when the channel's newest handover
    /// is undone already.
    End,
}

/// The date and time typed after `at`, and the zone typed after them, if any (see
/// [`looks_like_a_zone`](crate::domain::when::looks_like_a_zone)): words, read against the
/// configured zone only when the handover is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedTime {
    pub date: String,
    pub time: String,
    pub zone: Option<String>,
}

/// Runs `/handover`.
pub(crate) async fn run<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
) -> Handled {
    // The day where the team is: notes of only `monday` are today on a Monday.
    let today = chrono::Datelike::weekday(&inv.now.with_timezone(&engine.settings.timezone));
    let command = match parse::parse_on(&inv.text, Some(today)) {
        Ok(command) => command,
        // `at 02:00` without its date, from someone who may not use `at` at all: that is the
        // first thing to know, before retyping the date.
        Err(CommandError::Usage { .. })
            if parse::gives_a_time(&inv.text) && !engine.settings.is_admin(&inv.user) =>
        {
            return Err(backdate_needs_admin());
        }
        // `end` with words it refuses (`end my shift`), from someone who may not end standby at
        // all: that, and how to pass the pager on, is what to know.
        Err(CommandError::Usage { .. })
            if crate::domain::text::keyword(
                crate::domain::text::split_word(&inv.text).0.as_str(),
            ) == "end"
                && !engine.settings.is_admin(&inv.user) =>
        {
            let tz = engine.settings.timezone;
            return Err(refused(record::Refusal::EndNeedsAdmin, inv, tz));
        }
        Err(e) => return Err(e),
    };
    // A rota in a direct message (or a group one) would be seen by those in it only, and get no
    // morning reminder: Baton is not in the conversation. Ending or undoing one recorded there
    // is still allowed.
    let in_a_message = inv.channel.is_direct_message()
        || inv
            .channel_name
            .as_ref()
            .is_some_and(|n| n.is_group_message());
    if in_a_message
        && matches!(
            command,
            Command::To { .. } | Command::Next { .. } | Command::Rota(_)
        )
    {
        return Err(CommandError::Refused(
            "A rota lives in a channel, where the team sees who is on call and Baton posts each \
             morning's reminder: run `/handover` in your team's channel, not in a direct message. \
             Nothing changed."
                .to_owned(),
        ));
    }
    let hands_over = matches!(
        command,
        Command::To { .. } | Command::Next { .. } | Command::End { .. }
    );
    match run_parsed(engine, inv, command).await {
        Err(failed) if hands_over => recorded_before(engine, inv, failed).await,
        handled => handled,
    }
}

/// The channel told the rota order `inv`'s caller set.
fn rota_announcement(inv: &Invocation, members: &[UserId]) -> Reply {
    Reply::public(rota_set_text(inv, members))
}

fn rota_set_text(inv: &Invocation, members: &[UserId]) -> String {
    format!(
        "{} set this channel's rota order: {}",
        inv.user.mention(),
        order_text(members)
    )
}

/// "@a → @b → @c".
fn order_text(members: &[UserId]) -> String {
    members
        .iter()
        .map(UserId::mention)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Who the old order had and the new one does not, said with it: `rota @dave` meant as "add
/// Dave" replaces the whole order, and the channel should see who that left out.
fn left_out(was: &[UserId], members: &[UserId]) -> String {
    let gone: Vec<String> = was
        .iter()
        .filter(|u| !members.contains(u))
        .map(UserId::mention)
        .collect();
    if gone.is_empty() {
        return String::new();
    }
    format!("\nNo longer in the order: {}.", gone.join(", "))
}

/// What a new order changes for the people it concerns, said beside it: who is next after
/// whoever is on call (`before`, the channel's state when the order was set), and who was before
/// it, who had been told their turn was coming (the heads-up, the morning post). Nothing when
/// nobody is on call, or the latest handover takes effect later than now (it, not the order,
/// decides who comes next).
fn next_changed(
    before: &ChannelState,
    members: &[UserId],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let Some(holder) = before.on_call() else {
        return String::new();
    };
    if before.current.as_ref().is_some_and(|h| is_ahead(h, now)) {
        return String::new();
    }
    let after = ChannelState {
        current: before.current.clone(),
        rota: members.to_vec(),
    };
    match (before.next_in_rota(), after.next_in_rota()) {
        (was, Some(next)) if was != Some(next) => format!(
            "\nNext after {}: {}{}.",
            holder.mention(),
            next.mention(),
            was.map(|w| format!(" (was {})", w.mention()))
                .unwrap_or_default()
        ),
        (Some(was), None) => format!(
            "\nNobody is next after {} now (was {}): hand over by name.",
            holder.mention(),
            was.mention()
        ),
        _ => String::new(),
    }
}

/// The answer to a repeat of a submission that set the rota order (Slack's redelivery after a
/// lost ack, a double submit): the order it set while it is still the channel's (without who
/// was next before it, which the channel has moved on from), else,
/// privately, that it has changed since (announced again, it would name an order no longer kept).
fn rota_set_again(inv: &Invocation, before: &RotaBefore) -> Reply {
    match before.current {
        true => rota_announcement(inv, &before.members),
        false => Reply::private(
            "This command set the rota order the first time it came, and the order has been \
             changed since. Nothing changed now; `/handover rota` shows the order.",
        ),
    }
}

/// Whether `h` takes effect later than `now` by more than [`CLOCK_SKEW_SECONDS`]: recorded by a
/// clock that was ahead, its holder not on call yet.
pub(super) fn is_ahead(h: &Handover, now: chrono::DateTime<chrono::Utc>) -> bool {
    h.effective_at > begun_by(now)
}

/// The channel's state as of now, for showing it: `current` is the handover in effect now. With
/// it, the handovers ahead if the channel's latest takes effect later than now by more than
/// [`CLOCK_SKEW_SECONDS`]: recorded by a clock that was ahead (a second Baton's, or one since
/// set back). Their new holders are not on call yet, nor paid; whoever held the pager before is.
async fn state_now<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
) -> Result<(ChannelState, Option<Ahead>), CommandError> {
    Ok(engine
        .store
        .channel_at(&inv.channel, begun_by(inv.now))
        .await?)
}

/// The instant by which a handover counts as begun at `now`: one taking effect later is ahead of
/// now (recorded by a clock that was ahead), within [`CLOCK_SKEW_SECONDS`] is not.
pub fn begun_by(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    now + chrono::Duration::seconds(CLOCK_SKEW_SECONDS)
}

/// Warnings when the person on call, or next in the rota (or, with handovers `ahead`, the first
/// coming's new holder), has left (their account is deactivated): a leaver who never handed over
/// is paid standby until someone does, and one kept in the order is found out by `/handover next`
/// at the handover, not before. Nothing when the
/// directory cannot say (it is down): the status matters more than the warnings.
async fn who_left<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    state: &ChannelState,
    ahead: Option<&Ahead>,
) -> String {
    let mut warnings = String::new();
    let holder = state.current.as_ref().and_then(|h| h.to.as_ref());
    if let Some(holder) = holder {
        if let Ok(true) = has_left(&engine.directory, holder).await {
            warnings.push_str("\n:warning: ");
            warnings.push_str(&crate::domain::reminders::holder_left(holder));
        }
    }
    // With a handover ahead, its new holder comes next, not the rota's.
    if let Some(ahead) = ahead {
        let coming = ahead.coming.to.as_ref().filter(|c| Some(*c) != holder);
        if let Some(coming) = coming {
            if let Ok(true) = has_left(&engine.directory, coming).await {
                warnings.push_str(&format!(
                    "\n:warning: {} is deactivated in Slack, but the handover recorded ahead \
                     gives them the pager: whoever recorded it or an admin can `/handover undo` \
                     it.",
                    coming.mention()
                ));
            }
        }
        return warnings;
    }
    let next = state.next_in_rota().filter(|next| Some(*next) != holder);
    if let Some(next) = next {
        if let Ok(true) = has_left(&engine.directory, next).await {
            warnings.push_str(&format!(
                "\n:warning: {} is deactivated in Slack, so `/handover next` would refuse them. \
                 An admin can take them out of the rota order with `/handover rota @a @b …`.",
                next.mention()
            ));
        }
    }
    warnings
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
        Ok(Some(handover)) => Ok((answer_again(engine, inv, &handover).await, "duplicate")),
        Ok(None) => Err(failed),
        Err(e) => {
            tracing::warn!(
                error = %crate::commands::error_chain(&e),
                "could not check whether a failed handover was recorded before"
            );
            Err(failed)
        }
    }
}

/// Who may be handed the pager: someone who has left only by a backdate (`at`, admins'), for a
/// shift they held before they left; an admin's handover now that names them is told so (to
/// anyone else, who cannot backdate, it would be noise).
fn leavers(effective: &record::When, is_admin: bool) -> Leavers {
    match (effective.backdated(), is_admin) {
        (true, _) => Leavers::Accepted,
        (false, true) => Leavers::RefusedSayingAt,
        (false, false) => Leavers::Refused,
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
            let (state, ahead) = state_now(engine, inv).await?;
            let text = status(&state, ahead.as_ref(), inv, tz)
                + &who_left(engine, &state, ahead.as_ref()).await;
            Ok((Reply::private(text), "status"))
        }
        Command::To { target, at, notes } => {
            let effective = effective_at(at, is_admin, inv, tz)?;
            let named = match &target {
                MentionRef::Id(id) => Some(id),
                MentionRef::Name(_) => None,
            };
            check_permitted(engine, inv, is_admin, named).await?;
            let person = engine
                .find_active(
                    &target,
                    "Hand the pager to someone else.",
                    leavers(&effective, is_admin),
                )
                .await?;
            hand_over(engine, inv, Some(&person), effective, &notes, None).await
        }
        Command::End { at, notes } => {
            // Refused before anything is read (the transaction judges it again).
            if !is_admin {
                return Err(refused(record::Refusal::EndNeedsAdmin, inv, tz));
            }
            let effective = effective_at(at, is_admin, inv, tz)?;
            hand_over(engine, inv, None, effective, &notes, None).await
        }
        Command::Next { at, notes } => {
            let effective = effective_at(at, is_admin, inv, tz)?;
            let state = engine.store.channel_state(&inv.channel).await?;
            // Before the rota's next person, who is judged after a holder not on call yet.
            not_ahead(&state, inv.now).map_err(|r| refused(r, inv, tz))?;
            if state.rota.is_empty() {
                // By name is open to an admin, or to anyone while someone holds the pager (the
                // holder, or whoever takes it); with nobody on call, only an admin starts one.
                let by_name = if is_admin || state.on_call().is_some() {
                    ", or hand over by name: `/handover @person`"
                } else {
                    " and start it with `/handover @person`"
                };
                return Err(CommandError::Refused(format!(
                    "This channel has no rota order yet, so there is no \"next\". An admin can set \
                     one with `/handover rota @a @b @c`{by_name}. Nothing changed."
                )));
            }
            let Some(next) = state.next_in_rota().cloned() else {
                return Err(CommandError::Refused(
                    "The rota order has only the person on call in it; hand over by name instead: \
                     `/handover @person`. Nothing changed."
                        .into(),
                ));
            };
            permitted(&state, &inv.user, is_admin, Some(&next)).map_err(|r| refused(r, inv, tz))?;
            let person = engine
                .find_active(
                    &MentionRef::Id(next.clone()),
                    "They are next in this channel's rota order: hand over by name instead \
                     (`/handover @person`), or an admin can change the order with `/handover \
                     rota @a @b …`.",
                    leavers(&effective, is_admin),
                )
                .await?;
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
            let (state, ahead) = state_now(engine, inv).await?;
            let text = show_rota(&state, ahead.as_ref(), inv, engine.settings.timezone)
                + &who_left(engine, &state, ahead.as_ref()).await;
            Ok((Reply::private(text), "rota"))
        }
        Command::Rota(members) => {
            if !is_admin {
                return Err(CommandError::Refused(
                    "Only an admin can set the rota order; ask one to. `/handover rota` shows it. \
                     Nothing changed."
                        .into(),
                ));
            }
            // A repeat of a submission that set the order (Slack's redelivery after a lost ack)
            // is answered before anyone is looked up: the directory may be what failed then.
            if let Some(key) = inv.dedup_key.as_deref() {
                if let Some(before) = engine.store.rota_set_before(key).await? {
                    return Ok((rota_set_again(inv, &before), "duplicate"));
                }
            }
            let mut ids: Vec<UserId> = Vec::with_capacity(members.len());
            for m in &members {
                let person = engine
                    .active_person(m, inv.now, "Set the order without them.")
                    .await?;
                if ids.contains(&person.id) {
                    return Err(usage(format!(
                        "{} is in the list twice; each person appears once in the rota order.",
                        person.id.mention()
                    )));
                }
                ids.push(person.id);
            }
            // Read before the write, only for what the announcement says: a handover racing
            // the write changes no order, and at worst this names the wrong "was".
            let before = engine.store.channel_state(&inv.channel).await?;
            // The same order again: said privately, not announced to the channel as news.
            if before.rota == ids {
                return Ok((
                    Reply::private(format!(
                        "The rota order is already {}. Nothing changed.",
                        order_text(&ids)
                    )),
                    "unchanged",
                ));
            }
            let set = engine
                .store
                .set_rota(
                    &inv.channel,
                    &ids,
                    &inv.user,
                    inv.now,
                    inv.dedup_key.as_deref(),
                )
                .await?;
            Ok(match set {
                RotaSet::Set => (
                    Reply::public(
                        rota_set_text(inv, &ids)
                            + &next_changed(&before, &ids, inv.now)
                            + &left_out(&before.rota, &ids),
                    ),
                    "rota_set",
                ),
                RotaSet::Repeated(before) => (rota_set_again(inv, &before), "duplicate"),
            })
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
