//! Rotas: the handover log of a channel, who is on call, who is next.

use super::ids::{ChannelId, UserId};
use chrono::{DateTime, Utc};

/// A handover as recorded. The log is append-only: an undone handover stays, marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub id: i64,
    pub channel: ChannelId,
    /// 1, 2, 3… within the channel, in the order recorded.
    pub seq: i64,
    /// Who held the pager before; `None` for a channel's first shift, or the first after
    /// standby was ended.
    pub from: Option<UserId>,
    /// Who is on call from `effective_at`; `None` when standby ended here (`/handover end`):
    /// nobody is on call, and nobody paid, until the next handover.
    pub to: Option<UserId>,
    /// When the shift of `to` starts (now, or earlier for a backdated handover).
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: UserId,
    /// The notes in Slack's wire form, as received; sanitize before repeating them.
    pub notes: String,
    pub undone: Option<Undo>,
}

/// Who undid a handover, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undo {
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// A handover about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHandover {
    pub from: Option<UserId>,
    /// `None` ends standby (see [`Handover::to`]).
    pub to: Option<UserId>,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: UserId,
    pub notes: String,
}

/// What a decision about a channel is judged against: read inside the same transaction that
/// writes the outcome, so two racing commands see each other's effect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelState {
    /// The latest handover that is not undone: its `to` is on call now (nobody, if it ended
    /// standby).
    pub current: Option<Handover>,
    /// The rota order, possibly empty.
    pub rota: Vec<UserId>,
}

impl ChannelState {
    /// Who is on call: the latest handover's `to`, nobody when it ended standby.
    pub fn on_call(&self) -> Option<&UserId> {
        self.current.as_ref().and_then(|h| h.to.as_ref())
    }

    /// Who comes after whoever is on call now in the rota order, wrapping round. With nobody on
    /// call (or someone not in the order), the first in the order.
    pub fn next_in_rota(&self) -> Option<&UserId> {
        next_after(&self.rota, self.on_call())
    }
}

/// The member after `current` in `order`, wrapping round; the first member when `current` is
/// absent or not a member. `None` for an empty order, or when `current` is the only member.
pub fn next_after<'a>(order: &'a [UserId], current: Option<&UserId>) -> Option<&'a UserId> {
    let Some(current) = current else {
        return order.first();
    };
    match order.iter().position(|u| u == current) {
        Some(i) => {
            let next = &order[(i + 1) % order.len()];
            (next != current).then_some(next)
        }
        None => order.first(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> Vec<UserId> {
        names.iter().map(|n| UserId::parse(n).unwrap()).collect()
    }

    #[test]
    fn the_next_engineer_follows_the_current_one_and_wraps_round() {
        let order = users(&["ann", "bob", "cat"]);
        let cases: [(Option<&str>, Option<&str>); 5] = [
            (None, Some("ann")),
            (Some("ann"), Some("bob")),
            (Some("cat"), Some("ann")),
            (Some("zed"), Some("ann")),
            (Some("bob"), Some("cat")),
        ];
        for (current, next) in cases {
            let current = current.map(|c| UserId::parse(c).unwrap());
            assert_eq!(
                next_after(&order, current.as_ref()).map(UserId::as_str),
                next,
                "after {current:?}"
            );
        }
    }

    #[test]
    fn an_empty_or_single_person_rota_has_no_next() {
        let ann = UserId::parse("ann").unwrap();
        assert_eq!(next_after(&[], Some(&ann)), None);
        assert_eq!(next_after(&users(&["ann"]), Some(&ann)), None);
    }
}
