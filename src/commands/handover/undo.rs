//! `/handover undo`: who may undo which handover, and what they are told.

use super::messages::{coming, ended_months_from, ended_months_note, holder_now};
use super::UNDO_WINDOW_MINUTES;
use crate::commands::{CommandError, Directory, Engine, Handled, Invocation, Reply};
use crate::domain::ids::UserId;
use crate::domain::rota::{Handover, Undo};
use crate::domain::when;
use crate::store::{Store, Undone};
use chrono::{DateTime, Duration, Utc};

/// Why an undo is refused.
pub(super) enum UndoRefusal {
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
pub(super) fn what_it_did(h: &Handover) -> String {
    match &h.to {
        Some(to) => format!("gave the pager to {}", to.mention()),
        None => "ended standby".to_owned(),
    }
}

/// The `undo` that names this handover: `/handover undo @bob`, or `/handover undo end`.
pub(super) fn undo_form(h: &Handover) -> String {
    match &h.to {
        Some(to) => format!("`/handover undo {}`", to.mention()),
        None => "`/handover undo end`".to_owned(),
    }
}

/// Whether whoever recorded a handover at `recorded_at` may still undo it at `now`: for
/// [`UNDO_WINDOW_MINUTES`] of real time, whatever the clocks on the wall did meanwhile.
pub(super) fn within_undo_window(recorded_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - recorded_at <= Duration::minutes(UNDO_WINDOW_MINUTES)
}

pub(super) async fn undo<S: Store, D: Directory>(
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
            // Others still ahead (recorded by a clock that was ahead): who holds the pager now,
            // and the first coming.
            // The undo is committed whatever this read does: it only says who holds the pager.
            let still_ahead = match &after.current {
                Some(h) if super::is_ahead(h, inv.now) => {
                    match super::state_now(engine, inv).await {
                        Ok(now) => Some(now),
                        Err(e) => {
                            tracing::warn!(
                                error = %crate::commands::error_chain(&e),
                                "undone, but could not read who holds the pager now"
                            );
                            None
                        }
                    }
                }
                _ => Some((after.clone(), None)),
            };
            match (still_ahead, after.on_call()) {
                // `/handover` says it, once the store answers again.
                (None, _) => {}
                (Some((now, Some(ahead))), _) => {
                    text.push(' ');
                    text.push_str(&holder_now(&now, inv, tz));
                    text.push(' ');
                    text.push_str(&coming(&ahead, inv, tz));
                }
                (Some(_), Some(who)) => text.push_str(&format!(
                    " {} is {}, since {}.",
                    who.mention(),
                    // The one undone had not begun: its holder never stopped.
                    if super::is_ahead(&undone, inv.now) {
                        "still on call"
                    } else {
                        "on call again"
                    },
                    when::short(
                        after.current.as_ref().map_or(inv.now, |h| h.effective_at),
                        tz,
                        inv.now
                    )
                )),
                (Some(_), None) => text.push_str(" Nobody is on call in this channel now."),
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
            "There is no handover to undo in this channel. Nothing changed.".into(),
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
                 {at}.",
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
            text.push_str(" Nothing changed.");
            Err(CommandError::Refused(text))
        }
        Err(UndoRefusal::NotTo { latest, named }) => Err(CommandError::Refused(format!(
            "The latest handover here {} (effective {}){}, and only the latest can be undone: \
             `/handover history` shows what was recorded and what was undone already. Nothing \
             changed.",
            what_it_did(&latest),
            when::short(latest.effective_at, tz, inv.now),
            match (named, &latest.to) {
                // "gave the pager to @bob (…), not to @carol"
                (Some(named), Some(_)) => format!(", not to {}", named.mention()),
                // "ended standby (…); it did not give the pager to @bob"
                (Some(named), None) =>
                    format!("; it did not give the pager to {}", named.mention()),
                (None, _) => "; it did not end standby".to_owned(),
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
