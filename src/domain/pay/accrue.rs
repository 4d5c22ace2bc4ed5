//! Handovers into shifts, shifts into seconds on call within each local day.
//!
//! Everything is counted in whole seconds (instants are floored to the second), and kept as
//! "seconds on call in a day of N seconds" buckets per day kind. Converting the buckets to exact
//! fractions happens once per report, so the per-shift work is integer additions.

use super::policy::{DayKind, DayRule, PayPolicy};
use super::ChannelRota;
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::money::{Days, Fraction};
use crate::domain::month::start_of_day;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// The local days overlapping a window, computed once per report (a month has at most 31, so
/// each shift finds its days by binary search instead of asking the time-zone database).
struct DayTable {
    /// `bounds[i]..bounds[i + 1]` is day `i` in Unix seconds; one more bound than days.
    bounds: Vec<i64>,
    days: Vec<(NaiveDate, DayRule)>,
}

impl DayTable {
    fn new(policy: &PayPolicy, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let tz = policy.timezone;
        let to = to.timestamp();
        let mut date = from.with_timezone(&tz).date_naive();
        let mut bounds = vec![start_of_day(date, tz).timestamp()];
        let mut days = Vec::new();
        // `succ_opt` fails only at chrono's far end of time (year 262143), long after YearMonth's.
        while let Some(next) = date.succ_opt() {
            let next_start = start_of_day(next, tz).timestamp();
            days.push((date, policy.day_rule(date)));
            bounds.push(next_start);
            if next_start >= to {
                break;
            }
            date = next;
        }
        Self { bounds, days }
    }
}

/// Seconds on call per day kind, bucketed by the length of the day they fell in (86,400 most
/// days; 82,800 and 90,000 when London's clocks change; other lengths in other zones).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    buckets: [Vec<(i64, i64)>; 3],
}

impl Tally {
    fn add(&mut self, kind: DayKind, day_len: i64, seconds: i64) {
        let buckets = &mut self.buckets[kind.index()];
        match buckets.iter_mut().find(|(len, _)| *len == day_len) {
            Some((_, secs)) => *secs += seconds,
            None => buckets.push((day_len, seconds)),
        }
    }

    pub(crate) fn merge(&mut self, other: &Tally) {
        for kind in DayKind::ALL {
            for &(len, secs) in &other.buckets[kind.index()] {
                self.add(kind, len, secs);
            }
        }
    }

    /// Every second on call counted, whatever the kind of day.
    #[cfg(test)]
    pub(crate) fn seconds(&self) -> i64 {
        self.buckets.iter().flatten().map(|&(_, secs)| secs).sum()
    }

    /// Exact days on call of one kind: the sum of seconds ÷ day length over the buckets.
    pub(crate) fn days(&self, kind: DayKind) -> Days {
        let exact = self.buckets[kind.index()]
            .iter()
            .filter_map(|&(len, secs)| Fraction::new(i128::from(secs), i128::from(len)))
            .fold(Fraction::ZERO, |sum, f| sum + f);
        Days::from_fraction(exact)
    }
}

/// One engineer's time on call, per channel, and the dates the calendar could not vouch for.
#[derive(Debug, Default)]
pub(crate) struct PersonTally<'a> {
    pub(crate) channels: BTreeMap<&'a ChannelId, Tally>,
    pub(crate) uncovered: BTreeSet<NaiveDate>,
}

/// One shift's part within a window: `on_call` held the pager in `channel` over `[from, until)`.
/// Both ends are instants as stored; pay counts them floored to the second, and a part shorter
/// than that second is no part.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stretch<'a> {
    pub(crate) channel: &'a ChannelId,
    pub(crate) on_call: &'a UserId,
    pub(crate) from: DateTime<Utc>,
    pub(crate) until: DateTime<Utc>,
    /// When that handover took effect: before `from` when the window's start cut the shift.
    pub(crate) began: DateTime<Utc>,
    /// The handover that began it: its index in the rota's handovers.
    pub(crate) handover: usize,
    /// No later handover had taken effect by `now`: the shift goes on.
    pub(crate) open: bool,
}

/// Every shift's part within `[from, min(to, now))`, channel by channel in `rotas`' order and by
/// time within each: for everyone, or only for `only`. Each rota is searched from the shift in
/// force at `from`, so the cost grows with the shifts in the window, not with the history.
pub(crate) fn stretches<'a>(
    rotas: &'a [ChannelRota],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    only: Option<&'a UserId>,
) -> impl Iterator<Item = Stretch<'a>> + 'a {
    let end = to.min(now);
    rotas.iter().flat_map(move |rota| {
        let handovers = &rota.handovers;
        // The last handover at or before `from` is the shift in force when the window opens.
        let first = handovers
            .partition_point(|h| h.at <= from)
            .saturating_sub(1);
        handovers
            .iter()
            .enumerate()
            .skip(first)
            .take_while(move |(_, h)| h.at.timestamp() < end.timestamp())
            .filter_map(move |(j, handover)| {
                // After `/handover end` nobody is on call, and nobody paid, until the next
                // handover.
                let on_call = handover.to.as_ref()?;
                if only.is_some_and(|u| u != on_call) {
                    return None;
                }
                // A shift ends at the next handover in this channel, or at `now` for the
                // current one.
                let next = handovers.get(j + 1);
                let stop = next.map_or(now, |n| n.at);
                let (a, b) = (handover.at.max(from), stop.min(end));
                (b.timestamp() > a.timestamp()).then_some(Stretch {
                    channel: &rota.channel,
                    on_call,
                    from: a,
                    until: b,
                    began: handover.at,
                    handover: j,
                    open: next.is_none_or(|n| n.at > now),
                })
            })
    })
}

/// Time on call within `[from, min(to, now))` for every engineer (or only `only`), from each
/// channel's handovers (see [`stretches`]).
pub(crate) fn accrue<'a>(
    policy: &PayPolicy,
    rotas: &'a [ChannelRota],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    only: Option<&'a UserId>,
) -> BTreeMap<&'a UserId, PersonTally<'a>> {
    tally(
        policy,
        from,
        to.min(now),
        stretches(rotas, from, to, now, only),
    )
}

/// Time on call per engineer from `stretches`, which lie within `[from, end)`.
pub(crate) fn tally<'a>(
    policy: &PayPolicy,
    from: DateTime<Utc>,
    end: DateTime<Utc>,
    stretches: impl IntoIterator<Item = Stretch<'a>>,
) -> BTreeMap<&'a UserId, PersonTally<'a>> {
    let mut people: BTreeMap<&UserId, PersonTally> = BTreeMap::new();
    if from >= end {
        return people;
    }
    let table = DayTable::new(policy, from, end);
    for stretch in stretches {
        let person = people.entry(stretch.on_call).or_default();
        let tally = person.channels.entry(stretch.channel).or_default();
        spread(
            &table,
            stretch.from.timestamp(),
            stretch.until.timestamp(),
            tally,
            &mut person.uncovered,
        );
    }
    people
}

/// Adds the seconds of `[a, b)` to the tally, day by day.
fn spread(
    table: &DayTable,
    a: i64,
    b: i64,
    tally: &mut Tally,
    uncovered: &mut BTreeSet<NaiveDate>,
) {
    let bounds = &table.bounds;
    let mut i = bounds[1..].partition_point(|&s| s <= a);
    while i < table.days.len() && bounds[i] < b {
        let seconds = b.min(bounds[i + 1]) - a.max(bounds[i]);
        if seconds > 0 {
            let (date, rule) = table.days[i];
            tally.add(rule.kind, bounds[i + 1] - bounds[i], seconds);
            if !rule.calendar_known {
                uncovered.insert(date);
            }
        }
        i += 1;
    }
}
