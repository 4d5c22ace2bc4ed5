//! Rotas: the handover log of a channel, who is on call, who is next.

use super::ids::{ChannelId, UserId};
use chrono::{DateTime, Utc};

/// Handovers recorded to take effect later than an instant (by a clock that was ahead of the one
/// asking): their new holders are not on call yet, nor paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahead {
    /// The first to take effect.
    pub coming: Handover,
    /// The channel's latest, which no handover may follow until it takes effect; the same as
    /// `coming` when only one is ahead.
    pub latest: Handover,
}

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
    /// From `channel_state`: the latest handover that is not undone, which may take effect
    /// later than now (recorded by a clock that was ahead: see `commands::handover::is_ahead`);
    /// from `channel_at`: the one in effect at that instant. Its `to` is on call (nobody, if it
    /// ended standby).
    pub current: Option<Handover>,
    /// The rota order, possibly empty.
    pub rota: Vec<UserId>,
}

impl ChannelState {
    /// Who is on call: the latest handover's `to`, nobody when it ended standby.
    pub fn on_call(&self) -> Option<&UserId> {
        self.current.as_ref().and_then(|h| h.to.as_ref())
    }

    /// Who comes after whoever is on call now in the rota order, wrapping round. When nobody
    /// is (after an end of standby), or someone outside the order is (covering for a week),
    /// after whoever handed it to them, if they are in the order: the rota carries on where it
    /// stopped. Otherwise the first in the order. `None` for an empty order, or when the person
    /// on call is its only member.
    pub fn next_in_rota(&self) -> Option<&UserId> {
        let holder = self.on_call();
        if holder.is_some_and(|h| self.rota.contains(h)) {
            return next_after(&self.rota, holder);
        }
        let before = self.current.as_ref().and_then(|h| h.from.as_ref());
        match before.filter(|b| self.rota.contains(b)) {
            // Alone in the order, whoever held it before comes round again.
            Some(before) => next_after(&self.rota, Some(before)).or(Some(before)),
            None => self.rota.first(),
        }
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

    /// A channel whose latest handover went from `from` to `to` (`None`: standby ended), with
    /// this rota order.
    fn handed(from: Option<&str>, to: Option<&str>, order: &[&str]) -> ChannelState {
        let at = DateTime::<Utc>::default();
        ChannelState {
            current: Some(Handover {
                id: 2,
                channel: ChannelId::parse("ops").unwrap(),
                seq: 2,
                from: from.map(|b| UserId::parse(b).unwrap()),
                to: to.map(|t| UserId::parse(t).unwrap()),
                effective_at: at,
                recorded_at: at,
                recorded_by: UserId::parse("ann").unwrap(),
                notes: String::new(),
                undone: None,
            }),
            rota: users(order),
        }
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
    fn after_an_end_of_standby_the_rota_carries_on_after_whoever_held_it_before() {
        let ended_by = |before: Option<&str>, order: &[&str]| handed(before, None, order);
        // (held it before the end, order, next)
        for (before, order, next) in [
            (Some("bob"), &["ann", "bob", "cat"][..], Some("cat")),
            (Some("cat"), &["ann", "bob", "cat"][..], Some("ann")),
            (Some("ann"), &["ann"][..], Some("ann")),
            (Some("zed"), &["ann", "bob"][..], Some("ann")),
            (None, &["ann", "bob"][..], Some("ann")),
            (Some("bob"), &[][..], None),
        ] {
            let state = ended_by(before, order);
            assert_eq!(state.on_call(), None);
            assert_eq!(
                state.next_in_rota().map(UserId::as_str),
                next,
                "{before:?} {order:?}"
            );
        }
    }

    #[test]
    fn after_someone_outside_the_order_covers_the_rota_carries_on_after_whoever_handed_to_them() {
        let covered = |from: Option<&str>, to: &str, order: &[&str]| handed(from, Some(to), order);
        // (handed over by, on call, order, next)
        for (from, to, order, next) in [
            // Lee covers bob's week: cat is next, not the first in the order.
            (Some("bob"), "lee", &["ann", "bob", "cat"][..], Some("cat")),
            (Some("cat"), "lee", &["ann", "bob", "cat"][..], Some("ann")),
            (Some("ann"), "lee", &["ann"][..], Some("ann")),
            // Handed to lee by someone also outside the order (or nobody): the first.
            (Some("max"), "lee", &["ann", "bob"][..], Some("ann")),
            (None, "lee", &["ann", "bob"][..], Some("ann")),
            // In the order, the one on call decides, whoever handed over to them.
            (Some("ann"), "cat", &["ann", "bob", "cat"][..], Some("ann")),
            (Some("ann"), "bob", &["bob"][..], None),
        ] {
            let state = covered(from, to, order);
            assert_eq!(
                state.next_in_rota().map(UserId::as_str),
                next,
                "{from:?} -> {to} in {order:?}"
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
