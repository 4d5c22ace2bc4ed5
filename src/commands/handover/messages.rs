//! What `/handover` says: the announcement, the status, the rota and the history.

use super::HISTORY_NOTES_AT_MOST;
use crate::commands::Invocation;
use crate::domain::ids::UserId;
use crate::domain::month::YearMonth;
use crate::domain::rota::{Ahead, ChannelState, Handover};
use crate::domain::when;
use crate::domain::{reminders, text};
use chrono::{DateTime, Utc};

/// Notes as a Slack quote, made safe to repeat in a channel.
pub(super) fn quoted(notes: &str) -> String {
    let safe = text::sanitize(notes);
    if safe.trim().is_empty() {
        return String::new();
    }
    format!("\n{}", text::block_quote(&safe))
}

/// The months already over whose pay a change from `from` on alters ("March 2025", or "March
/// 2025 to May 2025"); None when `from` is in the current month (local calendar).
pub(super) fn ended_months_from(
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Option<String> {
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
pub(super) fn ended_months_note(months: &str) -> String {
    // One month, or "March 2025 to May 2025" (see `ended_months_from`).
    let each = if months.contains(" to ") {
        " for each month"
    } else {
        ""
    };
    format!(
        " This changes pay for {months}, already over: if payroll has paid it, run \
         `baton pay-report` again{each} and settle the difference."
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
            // Said, since an end by mistake leaves the channel without cover. Only an admin
            // ends standby, and an admin may undo it later than the window others have.
            format!(
                "{by} ended {whose} standby here: nobody is on call in this channel now, and \
                 nobody is paid for it. An admin starts the rota again with `/handover @person`, \
                 or, if this was a mistake, undoes it with `/handover undo end`."
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

/// Who is on call here now (`state.current` is the handover in effect now), and the handovers
/// recorded `ahead` of now, if any.
pub(super) fn status(
    state: &ChannelState,
    ahead: Option<&Ahead>,
    inv: &Invocation,
    tz: chrono_tz::Tz,
) -> String {
    if let Some(ahead) = ahead {
        return status_with_ahead(state, ahead, inv, tz);
    }
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
    let mut text = on_call_since(h, to, inv, tz);
    if let Some(next) = state.next_in_rota() {
        text.push_str(&format!(" Next in the rota: {}.", next.mention()));
    }
    text + &quoted(&h.notes)
}

/// The status when handovers take effect later than now (see `state_now`): who holds the pager
/// now, the first coming (and when the last does), and why nothing can be handed over until then.
fn status_with_ahead(
    state: &ChannelState,
    ahead: &Ahead,
    inv: &Invocation,
    tz: chrono_tz::Tz,
) -> String {
    // The notes of the handover in effect follow its own line, not the one ahead's.
    let notes = state
        .current
        .as_ref()
        .map_or_else(String::new, |h| quoted(&h.notes));
    let mut text = holder_now(state, inv, tz) + &notes + "\n" + &coming(ahead, inv, tz);
    text.push_str(if ahead.latest.seq == ahead.coming.seq {
        " Until then a handover here is refused: if that time is a mistake, whoever recorded it \
         or an admin can `/handover undo` it; if Baton's clock is behind, fix the clock."
    } else {
        " Until then a handover here is refused: if those times are a mistake, whoever recorded \
         them or an admin can `/handover undo` them, latest first; if Baton's clock is behind, \
         fix the clock."
    });
    text
}

/// Who holds the pager now, by `state` (see `state_now`).
pub(super) fn holder_now(state: &ChannelState, inv: &Invocation, tz: chrono_tz::Tz) -> String {
    match &state.current {
        Some(h @ Handover { to: Some(to), .. }) => on_call_since(h, to, inv, tz),
        _ => "Nobody is on call in this channel now.".to_owned(),
    }
}

/// The first handover coming, and when the last ahead takes effect if there are more.
pub(super) fn coming(ahead: &Ahead, inv: &Invocation, tz: chrono_tz::Tz) -> String {
    let mut text = reminders::coming_handover(&ahead.coming, tz, inv.now);
    if ahead.latest.seq != ahead.coming.seq {
        text.push_str(&format!(
            " More are recorded after it, the latest taking effect on {} (`/handover history` \
             lists them).",
            when::short(ahead.latest.effective_at, tz, inv.now)
        ));
    }
    text
}

/// "@bob is on call here since Mon 3 Mar, 09:00, handed over by @ann.": by whoever recorded it,
/// which is not always the one who held the pager. "Taking over from @ann" when Bob took it
/// himself, and with "(recorded by @admin)" when someone else recorded it.
fn on_call_since(h: &Handover, to: &UserId, inv: &Invocation, tz: chrono_tz::Tz) -> String {
    let mut line = format!(
        "{} is on call here since {}",
        to.mention(),
        when::short(h.effective_at, tz, inv.now)
    );
    match &h.from {
        Some(from) if *from == h.recorded_by => {
            line.push_str(&format!(", handed over by {}", from.mention()));
        }
        Some(from) if *to == h.recorded_by => {
            line.push_str(&format!(", taking over from {}", from.mention()));
        }
        Some(from) => line.push_str(&format!(
            ", taking over from {} (recorded by {})",
            from.mention(),
            h.recorded_by.mention()
        )),
        None => {}
    }
    line + "."
}

/// The rota order and who is on call now; with `ahead` (see `state_now`), the handover recorded
/// to take effect later.
pub(super) fn show_rota(
    state: &ChannelState,
    ahead: Option<&Ahead>,
    inv: &Invocation,
    tz: chrono_tz::Tz,
) -> String {
    // Who takes the pager next, when a handover is recorded ahead: that one, not the rota.
    let coming = ahead.map(|a| coming(a, inv, tz));
    let mut text = if state.rota.is_empty() {
        let none = "This channel has no rota order yet. An admin can set one with \
                    `/handover rota @a @b @c`.";
        // Who is on call is the status's to say, unless a handover ahead makes it news here.
        if coming.is_none() {
            return none.to_owned();
        }
        none.to_owned()
    } else {
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
        format!("Rota order: {order}")
    };
    match state.on_call() {
        Some(who) => text.push_str(&format!("\nOn call now: {}.", who.mention())),
        None => text.push_str("\nNobody is on call now."),
    }
    match (coming, state.next_in_rota()) {
        (Some(coming), _) => {
            text.push(' ');
            text.push_str(&coming);
        }
        (None, Some(next)) => text.push_str(&format!(" Next: {}.", next.mention())),
        (None, None) => {}
    }
    text
}

pub(super) fn history(log: &[Handover], tz: chrono_tz::Tz) -> String {
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
