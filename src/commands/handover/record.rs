//! Handing over: who may, when it takes effect, and recording it.

use super::messages::announcement;
use super::parse::usage;
use super::{TypedTime, MAX_BACKDATE_DAYS};
use crate::commands::{
    AccountKind, CommandError, Directory, Engine, Handled, Invocation, Person, Reply,
};
use crate::domain::ids::UserId;
use crate::domain::rota::{ChannelState, Handover, NewHandover};
use crate::domain::text;
use crate::domain::when;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join;

/// Why a handover is refused, judged against the channel's state inside the transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    AlreadyOnCall(UserId),
    /// An admin's backdated handover to whoever is on call, at a time before their shift
    /// began (`since`): a try at moving its start earlier.
    AlreadyOnCallSince {
        holder: UserId,
        since: DateTime<Utc>,
    },
    NotHolder {
        holder: UserId,
    },
    /// Nobody is on call here: starting a rota (a paid one) is for admins.
    StartNeedsAdmin,
    /// `end` where nobody is on call.
    NothingToEnd,
    /// `end` by someone who is not an admin.
    EndNeedsAdmin,
    NotAfterLatest {
        latest: DateTime<Utc>,
    },
    /// The latest handover takes effect later than now by more than [`super::CLOCK_SKEW_SECONDS`].
    LatestInFuture {
        latest: DateTime<Utc>,
    },
    RotaMoved,
}

/// A handover someone asked for, before it is judged against the channel's state.
pub(super) struct Proposal<'a> {
    pub(super) caller: &'a UserId,
    pub(super) is_admin: bool,
    /// Who takes over; `None` ends standby.
    pub(super) target: Option<&'a UserId>,
    pub(super) effective_at: DateTime<Utc>,
    /// The second occurrence of a typed time the clocks went back over: used if the first is
    /// not after the latest handover (see [`When`]).
    pub(super) or_later: Option<DateTime<Utc>>,
    /// Typed with `at`: must be strictly later than the latest handover.
    pub(super) backdated: bool,
    pub(super) now: DateTime<Utc>,
    pub(super) notes: &'a str,
}

/// Who may hand over here: whoever is on call, the person taking over (`target`; `None` when
/// not yet known, which gives the caller the benefit of the doubt), or an admin. Only an admin
/// starts a rota. Handing over to whoever is on call changes nothing, for anyone.
pub(super) fn permitted(
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

/// Who may end standby here: an admin, and only while someone is on call. Not the person on
/// call, though it only lowers their own pay: it leaves the channel with nobody to page, and
/// only an admin can start the rota again (see the module's docs).
pub(super) fn permitted_end(state: &ChannelState, is_admin: bool) -> Result<(), Refusal> {
    match state.on_call() {
        None => Err(Refusal::NothingToEnd),
        Some(_) if is_admin => Ok(()),
        Some(_) => Err(Refusal::EndNeedsAdmin),
    }
}

/// Refuses a handover the caller may not make before anything is looked up or stored: the
/// person named is looked up with Slack (`users.info`, rate-limited) and their name stored. The
/// same rule runs again in the handover's transaction, against the state it commits on. Admins
/// skip the read: the rule refuses them only a handover to whoever is on call already, which
/// the transaction judges.
pub(super) async fn check_permitted<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    is_admin: bool,
    target: Option<&UserId>,
) -> Result<(), CommandError> {
    if is_admin {
        return Ok(());
    }
    let state = engine.store.channel_state(&inv.channel).await?;
    not_ahead(&state, inv.now)
        .and_then(|()| permitted(&state, &inv.user, is_admin, target))
        .map_err(|r| refused(r, inv, engine.settings.timezone))
}

/// Refuses any handover while the channel's latest one takes effect later than `now` (beyond
/// [`super::CLOCK_SKEW_SECONDS`]): recorded by a clock that was ahead. Judged before who may hand
/// over, which reads that latest handover's holder, who is not on call yet: the status names
/// whoever holds the pager now, and this refusal says how to undo the one ahead.
pub(super) fn not_ahead(state: &ChannelState, now: DateTime<Utc>) -> Result<(), Refusal> {
    match &state.current {
        Some(latest) if super::is_ahead(latest, now) => Err(Refusal::LatestInFuture {
            latest: latest.effective_at,
        }),
        _ => Ok(()),
    }
}

/// The rule for who may hand over, and when a backdated handover may take effect.
pub(super) fn decide(state: &ChannelState, p: &Proposal<'_>) -> Result<NewHandover, Refusal> {
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
    // Backdated too: no time lies between the latest handover and now.
    not_ahead(state, now)?;
    match target {
        Some(target) => permitted(state, caller, is_admin, Some(target)).map_err(|r| {
            match (r, &state.current) {
                (Refusal::AlreadyOnCall(holder), Some(current))
                    if backdated && effective_at < current.effective_at =>
                {
                    Refusal::AlreadyOnCallSince {
                        holder,
                        since: current.effective_at,
                    }
                }
                (r, _) => r,
            }
        })?,
        None => permitted_end(state, is_admin)?,
    }
    if let Some(current) = &state.current {
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
    // A handover "now" never starts before the shift it ends, even if this machine's clock is a
    // little behind the one that recorded it (see [`super::CLOCK_SKEW_SECONDS`]): the shift is then
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

/// When a handover takes effect.
#[derive(Debug, Clone, Copy)]
pub(super) struct When {
    at: DateTime<Utc>,
    /// A typed time that happened twice (the hour the clocks go back) means its first
    /// occurrence, unless only the second is after the channel's latest handover: then the
    /// second, which could not be typed any other way. Only a second occurrence already past.
    or_later: Option<DateTime<Utc>>,
    /// Typed with `at`, even if it is now to the minute: it must then be later than the latest
    /// handover, where a handover now follows it whatever the clocks say.
    backdated: bool,
}

impl When {
    /// Typed with `at` (by an admin: nobody else gets this far).
    pub(super) fn backdated(&self) -> bool {
        self.backdated
    }
}

/// A handover `at` an earlier time, asked for by someone who is not an admin.
pub(super) fn backdate_needs_admin() -> CommandError {
    CommandError::Refused(
        "Only an admin can record a handover at an earlier time. Ask an admin, or hand over now \
         without `at` (to keep `at …` as notes, put the notes in quotes). Nothing changed."
            .into(),
    )
}

/// When a handover takes effect: now, or the time typed after `at`. That form is for admins,
/// and is checked before anything else is done.
pub(super) fn effective_at(
    at: Option<TypedTime>,
    is_admin: bool,
    inv: &Invocation,
    tz: chrono_tz::Tz,
) -> Result<When, CommandError> {
    let Some(TypedTime { date, time, zone }) = at else {
        return Ok(When {
            at: inv.now,
            or_later: None,
            backdated: false,
        });
    };
    if !is_admin {
        return Err(backdate_needs_admin());
    }
    let (at, second) =
        when::parse_local_in_zone(&date, &time, zone.as_deref(), tz).map_err(|e| {
            let hint = match (&e, &zone) {
                (when::LocalTimeError::WrongZone(..), Some(word)) => format!(
                    ". If `{}` starts your notes, put the notes in quotes.",
                    text::echo(word)
                ),
                // `at 99.9% this month`: notes that start with `at` and a number.
                (when::LocalTimeError::Format(_), _) => {
                    ". If `at` starts your notes, put the notes in quotes.".to_owned()
                }
                _ => String::new(),
            };
            usage(format!("{}{hint}", e.quoting(text::echo)))
        })?;
    if at > inv.now {
        return Err(CommandError::Refused(format!(
            "{} is in the future. A backdated handover must be at or before now ({}): check \
             the date, or leave out `at` to hand over now. Nothing changed.",
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
        backdated: true,
    })
}

/// Records a handover to `to`, or with `None` the end of standby.
pub(super) async fn hand_over<S: Store, D: Directory>(
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
            backdated: effective.backdated,
            now,
            notes: &notes,
        };
        decide(state, &proposal)
    };
    let channel_name = engine.channel_name_to_store(inv);
    let record = engine.store.record_named_handover(
        &inv.channel,
        channel_name,
        inv.dedup_key.as_deref(),
        allowed,
    );
    // The new holder's name (for reports) is stored beside the handover, not before it: both
    // jobs reach the store's writer together and commit in one transaction. One after the other
    // cost a second commit for each person new to this Baton, in every command of the first
    // burst after a start and in every handover of a team it had not seen. A name that fails to
    // store does not undo a recorded handover; the next handover to that person tries again.
    // The channel's name goes inside the handover's own job.
    let remember = async {
        match to {
            Some(person) => engine.remember_name(person, inv.now).await,
            None => Ok(()),
        }
    };
    let (named, outcome) = join(remember, record).await;
    let name_stored = matches!(&outcome, Ok(Ok(r)) if !r.duplicate && !r.channel_name_failed);
    if let Some(name) = channel_name.filter(|_| !name_stored) {
        engine.channel_name_not_stored(inv, name);
    }
    if let Err(e) = named {
        tracing::warn!(
            error = %crate::commands::error_chain(&e),
            "could not store the name of someone handed the pager"
        );
    }
    let outcome = outcome?;
    let tz = engine.settings.timezone;
    match outcome {
        Ok(recorded) if recorded.duplicate => Ok((
            answer_again(engine, inv, &recorded.handover).await,
            "duplicate",
        )),
        Ok(recorded) => {
            let mut said = announcement(&recorded.handover, inv.now, tz);
            // An admin's backdate to a leaver (only a backdate may go to one): they are paid
            // until the next handover, which is still to be recorded.
            if let Some(person) = to.filter(|p| p.kind == AccountKind::Deactivated) {
                said.push_str(&format!(
                    "\n:warning: {who} has left (their account is deactivated), and is paid \
                     standby from then until the next handover here. Record when they left: \
                     `/handover end at YYYY-MM-DD HH:MM` (nobody covered), or `/handover @person \
                     at …` (someone took over then).",
                    who = person.id.mention()
                ));
            }
            Ok((Reply::public(said), "recorded"))
        }
        Err(refusal) => Err(refused(refusal, inv, tz)),
    }
}

/// The answer to a submission recorded before (Slack's redelivery of a command whose ack was
/// lost, a double submit): its announcement again, while it is still the channel's latest
/// handover. Once it was undone, or another handover followed it, announcing it again would
/// tell the channel the pager moved where it no longer is: its person is told privately.
pub(super) async fn answer_again<S: Store, D: Directory>(
    engine: &Engine<S, D>,
    inv: &Invocation,
    h: &Handover,
) -> Reply {
    let tz = engine.settings.timezone;
    let since = match &h.undone {
        Some(undo) => Some(format!(
            "{} undid it at {}",
            undo.by.mention(),
            when::full(undo.at, tz)
        )),
        None => match engine.store.channel_state(&h.channel).await {
            Ok(state) if state.current.as_ref().is_some_and(|c| c.id != h.id) => {
                Some("another handover has followed it".to_owned())
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(
                    error = %crate::commands::error_chain(&e),
                    "could not read whether a repeated handover is still the latest"
                );
                None
            }
        },
    };
    match since {
        None => Reply::public(announcement(h, inv.now, tz)),
        Some(since) => Reply::private(format!(
            "This command was recorded the first time it came, at {}, and since then {since}. \
             Nothing changed now; `/handover` shows who is on call.",
            when::full(h.recorded_at, tz)
        )),
    }
}

/// What the person is told when their handover is refused.
pub(super) fn refused(refusal: Refusal, inv: &Invocation, tz: chrono_tz::Tz) -> CommandError {
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
        Refusal::AlreadyOnCallSince { holder, since } => format!(
            "{who} is already on call here, since {}. To record that their shift began earlier, \
             undo the handover that gave it to them (`/handover undo {who}`), then record it \
             again with `at`. Nothing changed.",
            when::full(since, tz),
            who = holder.mention()
        ),
        Refusal::NotAfterLatest { latest } => {
            let (latest, now) = (when::full(latest, tz), when::full(inv.now, tz));
            let window = match latest == now {
                true => "; it took effect this minute, so no time lies between it and now".into(),
                false => format!(": pick a time between {latest} and now ({now})"),
            };
            format!(
                "A handover must be later than this channel's latest one ({latest}), and not in \
                 the future{window}. To change when the latest one took effect instead, undo it \
                 (`/handover undo`), then record it again with `at`. Nothing changed."
            )
        }
        Refusal::LatestInFuture { latest } => format!(
            "This channel's latest handover takes effect at {}, later than now ({}) by Baton's \
             clock, so no handover (now or backdated) can follow it until then. If that time is a mistake, whoever \
             recorded it or an admin can `/handover undo` it; if Baton's clock is wrong, fix the \
             clock. Nothing changed.",
            when::full(latest, tz),
            when::full(inv.now, tz)
        ),
        Refusal::NothingToEnd => "Nobody is on call in this channel, so there is no standby to \
             end. Nothing changed."
            .into(),
        Refusal::EndNeedsAdmin => "Only an admin can end standby here: it leaves nobody on call \
             in this channel. To pass the pager on, use `/handover next` or `/handover @person`. \
             Nothing changed."
            .into(),
        Refusal::StartNeedsAdmin => "Nobody is on call in this channel, and only an admin can \
             start its rota: each rota is paid standby. Ask an admin to run `/handover @person` \
             here. Nothing changed."
            .into(),
        Refusal::RotaMoved => "The rota changed while you were typing; run `/handover rota` to \
             see who is next, and try again. Nothing changed."
            .into(),
    })
}
