//! The pay rule: a channel's handovers make shifts; each local day is paid at its kind's rate;
//! whoever is on call for part of a day earns `rate × seconds on call that day ÷ seconds in that
//! day`; a total is the exact sum of those shares, rounded once, half up, to the minor unit.
//!
//! Pure: `now` is an argument and nothing is stored, so a statement can always be recomputed
//! from the handover history (e.g. after a newer holiday file is loaded).
//!
//! Layout: [`policy`] (day kinds, rates, the policy), `accrue` (shifts into seconds per day),
//! this file (statements), and the tests.

mod accrue;
pub mod policy;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

pub use policy::{DayKind, DayRule, PayPolicy, RateChange, Rates, WeekendDays};

use crate::domain::ids::{ChannelId, UserId};
use crate::domain::money::{apportion, Currency, Days, Fraction, Money};
use crate::domain::month::{Progress, YearMonth};
use accrue::{PersonTally, Tally};
use chrono::{DateTime, NaiveDate, Utc};

/// A handover: from `at`, `to` is on call in the channel until the next handover; `None`:
/// standby ended, nobody is paid until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverPoint {
    pub at: DateTime<Utc>,
    pub to: Option<UserId>,
}

/// One channel's handovers, sorted by `at`, with undone handovers already removed.
///
/// It may be the whole history or only a slice of it, as long as the slice holds the last
/// handover at or before the period start and every handover after it up to `now` (or at least
/// the first one after the period end): the shift in force at the start is found by binary
/// search, and a shift with no later handover runs until `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRota {
    pub channel: ChannelId,
    pub handovers: Vec<HandoverPoint>,
}

/// Days on call per day kind, and amounts per kind when rates are configured. The amounts by
/// kind add up to the breakdown's total: see [`crate::domain::money::apportion`].
/// Each split is its own, so a kind's amounts summed over an engineer's channels may differ by
/// a minor unit or so from that kind's overall amount; no amount by kind is shown per channel
/// today. Days by kind are (the CSV, the table, `/oncall-pay`'s "By channel"), each channel's
/// split on its own, so they may differ by a hundredth from the overall kind's.
///
/// Days are shown to two decimals the same way: the total rounded once, and each kind's days
/// rounded down or up so that the kinds add up to it (`41.20 + 15.98 = 57.18`, where each kind
/// rounded on its own would show 15.99 and not add up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindBreakdown {
    days: [Days; 3],
    shown: [Days; 3],
    amounts: Option<[Money; 3]>,
}

/// A tally's days by kind, and with rates its exact pay by kind (minor units).
struct Priced {
    days: [Days; 3],
    exact: Option<[Fraction; 3]>,
}

impl Priced {
    fn of(tally: &Tally, rates: Option<&Rates>) -> Self {
        let days = DayKind::ALL.map(|k| tally.days(k));
        let exact =
            rates.map(|rates| DayKind::ALL.map(|k| exact_amount(rates, k, days[k.index()])));
        Self { days, exact }
    }

    fn exact_total(&self) -> Option<Fraction> {
        self.exact.as_ref().map(|e| exact_sum(e))
    }
}

impl KindBreakdown {
    /// The priced days, with amounts (when there are rates) that split `total` minor units over
    /// the kinds by their exact pay; with no `total` given, their exact sum rounded once.
    fn new(priced: &Priced, total: Option<i128>, currency: &Currency) -> Self {
        let amounts = priced.exact.map(|exact| {
            let total = total.unwrap_or_else(|| exact_sum(&exact).round_half_up());
            let parts = apportion(total, &exact);
            DayKind::ALL.map(|k| Money::from_whole_minor(parts[k.index()], currency))
        });
        Self {
            days: priced.days,
            shown: shown_days(&priced.days),
            amounts,
        }
    }

    #[cfg(test)]
    fn from_tally(tally: &Tally, policy: &PayPolicy) -> Self {
        Self::new(
            &Priced::of(tally, policy.rates.as_ref()),
            None,
            &policy.currency,
        )
    }

    /// Exact days on call of this kind; what to show is [`KindBreakdown::shown_days`].
    pub fn days(&self, kind: DayKind) -> Days {
        self.days[kind.index()]
    }

    /// This kind's days in whole hundredths, within a hundredth of its exact days, such that the
    /// three kinds add up to [`KindBreakdown::total_days`] as shown.
    pub fn shown_days(&self, kind: DayKind) -> Days {
        self.shown[kind.index()]
    }

    /// All days on call, of every kind, exact (display with `{}`: rounded once, to two decimals).
    pub fn total_days(&self) -> Days {
        self.days.iter().copied().sum()
    }

    /// The amount for this kind, within a minor unit of its exact value; None without rates.
    pub fn amount(&self, kind: DayKind) -> Option<Money> {
        self.amounts.map(|a| a[kind.index()])
    }

    /// The exact pay for these days in minor units (rate × exact days, summed over kinds).
    pub fn exact_total(&self, rates: &Rates) -> Fraction {
        exact_sum(&DayKind::ALL.map(|k| exact_amount(rates, k, self.days(k))))
    }

    /// The amounts by kind added up; None without rates.
    fn total(&self) -> Option<Money> {
        let amounts = self.amounts?;
        // Saturating, as each amount is (see `Money::from_exact_minor`): no sum here can
        // overflow short of ~300,000 channel-months in one statement.
        let minor = amounts
            .iter()
            .fold(0_i64, |sum, m| sum.saturating_add(m.minor_units()));
        Some(Money::from_minor(minor, amounts[0].currency()))
    }
}

/// Each kind's days in hundredths, split from the total rounded once (see [`apportion`]).
fn shown_days(days: &[Days; 3]) -> [Days; 3] {
    let each = days.map(|d| d.hundredths());
    let total = days.iter().copied().sum::<Days>().hundredths();
    if each.iter().sum::<i128>() == total {
        // Rounded on their own, the kinds already add up (as they mostly do): the split below
        // would give the same parts.
        return each.map(Days::from_hundredths);
    }
    let hundredths = days.map(|d| d.exact().times(100));
    let parts = apportion(total, &hundredths);
    DayKind::ALL.map(|k| Days::from_hundredths(parts[k.index()]))
}

fn exact_sum(parts: &[Fraction]) -> Fraction {
    parts.iter().fold(Fraction::ZERO, |sum, &p| sum + p)
}

fn exact_amount(rates: &Rates, kind: DayKind, days: Days) -> Fraction {
    days.exact()
        .times(i128::from(rates.for_kind(kind).minor_units()))
}

/// What one channel's rota pays an engineer in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPay {
    pub channel: ChannelId,
    pub breakdown: KindBreakdown,
    /// None when rates are not configured.
    pub total: Option<Money>,
}

/// An engineer's pay for a month: per channel, overall, and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub user: UserId,
    pub month: YearMonth,
    /// Some(now) while the month is not over: the figures are accrued to `now`.
    pub to_date: Option<DateTime<Utc>>,
    /// Channels with time on call, sorted by channel id.
    pub channels: Vec<ChannelPay>,
    /// Across channels: a person on call in two channels at once is paid by each.
    pub overall: KindBreakdown,
    /// The exact sum of every share, rounded once; None when rates are not configured.
    pub total: Option<Money>,
    /// Dates on call that the holiday calendar does not cover: they were paid by the
    /// weekday/weekend rule, and the caller must warn (reply and log) that they may be wrong.
    pub uncovered_dates: Vec<NaiveDate>,
}

impl Statement {
    /// The total is the exact sum of every share rounded once; the channels' amounts are that
    /// total split over them by their exact pay, so the rows of a payroll export add up to what
    /// is paid.
    fn build(
        policy: &PayPolicy,
        user: &UserId,
        month: YearMonth,
        to_date: Option<DateTime<Utc>>,
        person: Option<&PersonTally>,
    ) -> Self {
        let tallies: Vec<(&ChannelId, &Tally)> = person
            .map(|p| p.channels.iter().map(|(&c, t)| (c, t)).collect())
            .unwrap_or_default();
        let uncovered_dates = person
            .map(|p| p.uncovered.iter().copied().collect())
            .unwrap_or_default();
        let mut all = Tally::default();
        tallies.iter().for_each(|(_, tally)| all.merge(tally));
        let currency = &policy.currency;
        // One set of rates for the whole month: see `RateChange`.
        let rates = policy.rates_for(month);
        let overall = KindBreakdown::new(&Priced::of(&all, rates), None, currency);
        let total = overall.total();
        let priced: Vec<Priced> = tallies.iter().map(|(_, t)| Priced::of(t, rates)).collect();
        // Each channel's share of the total, in whole minor units; None without rates.
        let shares: Vec<Option<i128>> = match total {
            Some(total) => {
                let exact: Vec<Fraction> = priced
                    .iter()
                    .map(|p| p.exact_total().unwrap_or(Fraction::ZERO))
                    .collect();
                apportion(i128::from(total.minor_units()), &exact)
                    .into_iter()
                    .map(Some)
                    .collect()
            }
            None => vec![None; tallies.len()],
        };
        let channels = tallies
            .iter()
            .zip(&priced)
            .zip(shares)
            .map(|((&(channel, _), priced), share)| {
                let breakdown = KindBreakdown::new(priced, share, currency);
                ChannelPay {
                    channel: channel.clone(),
                    total: breakdown.total(),
                    breakdown,
                }
            })
            .collect();
        Self {
            user: user.clone(),
            month,
            to_date,
            channels,
            total,
            overall,
            uncovered_dates,
        }
    }

    /// This statement cut down to one channel's line, or None if the engineer had no time on
    /// call there: its days and amount are that line's, a share of the whole total (see
    /// `Statement::build`), so one channel's export and the full one agree to the minor unit.
    /// Its uncovered dates are still the engineer's over every channel (the tally keeps them
    /// per person): the warning they raise stays true, the holiday calendar's coverage going by
    /// whole years, but a date it quotes may be from another channel.
    pub fn only_channel(&self, channel: &ChannelId) -> Option<Statement> {
        let line = self.channels.iter().find(|c| &c.channel == channel)?;
        Some(Statement {
            user: self.user.clone(),
            month: self.month,
            to_date: self.to_date,
            channels: vec![line.clone()],
            overall: line.breakdown.clone(),
            total: line.total,
            uncovered_dates: self.uncovered_dates.clone(),
        })
    }
}

/// `Some(now)` while the month is not over (see [`YearMonth::progress`]).
fn accrued_to(policy: &PayPolicy, month: YearMonth, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (month.progress(policy.timezone, now) != Progress::Over).then_some(now)
}

/// One engineer's statement for a month, accrued to `now` if the month is not over. A month that
/// has not started, or an engineer with no time on call, gives a valid statement of zero days.
pub fn statement(
    policy: &PayPolicy,
    rotas: &[ChannelRota],
    user: &UserId,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Statement {
    let (start, end) = month.bounds(policy.timezone);
    let people = accrue::accrue(policy, rotas, start, end, now, Some(user));
    let to_date = accrued_to(policy, month, now);
    Statement::build(policy, user, month, to_date, people.get(user))
}

/// Statements for every engineer with time on call in the month, sorted by user id.
pub fn team(
    policy: &PayPolicy,
    rotas: &[ChannelRota],
    month: YearMonth,
    now: DateTime<Utc>,
) -> Vec<Statement> {
    let (start, end) = month.bounds(policy.timezone);
    let to_date = accrued_to(policy, month, now);
    accrue::accrue(policy, rotas, start, end, now, None)
        .into_iter()
        .map(|(user, person)| Statement::build(policy, user, month, to_date, Some(&person)))
        .collect()
}

/// A stretch of one engineer's time on call in one channel, within a month: what a statement's
/// days are made of, so that whoever is paid can check them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub channel: ChannelId,
    /// The handover to them, or the month's start if they were on call when it began.
    pub from: DateTime<Utc>,
    /// When the handover to them took effect: `from`, or earlier when they were on call as the
    /// month began, so a shift carried over from last month can say since when.
    pub began: DateTime<Utc>,
    /// The next handover in the channel, or the month's end; `now` while it goes on.
    pub until: DateTime<Utc>,
    /// Still going: no later handover has taken effect by now (one recorded ahead of now may
    /// follow), and the month is not over. One ended by a handover this very second is over.
    pub ongoing: bool,
}

/// One engineer's statement, as [`statement`] gives it, and the shifts it pays for: their time
/// on call in each channel within the month, earliest first (by channel id when two start
/// together). Handovers to them one after the other in a channel, with nobody between (one
/// undone, say), make one shift; a handover to someone else between them, however short (two
/// recorded in the same second), keeps them two. One pass over the handovers makes both.
pub fn statement_and_shifts(
    policy: &PayPolicy,
    rotas: &[ChannelRota],
    user: &UserId,
    month: YearMonth,
    now: DateTime<Utc>,
) -> (Statement, Vec<Shift>) {
    let (start, end) = month.bounds(policy.timezone);
    let stretches: Vec<accrue::Stretch> =
        accrue::stretches(rotas, start, end, now, Some(user)).collect();
    let people = accrue::tally(policy, start, end.min(now), stretches.iter().copied());
    let to_date = accrued_to(policy, month, now);
    let statement = Statement::build(policy, user, month, to_date, people.get(user));
    let mut shifts: Vec<Shift> = Vec::with_capacity(stretches.len());
    // The stretch the last shift ends with.
    let mut last: Option<&accrue::Stretch> = None;
    for s in &stretches {
        let follows = last.is_some_and(|l| l.channel == s.channel && l.handover + 1 == s.handover);
        let ongoing = s.open && now < end;
        match shifts.last_mut() {
            Some(shift) if follows => {
                shift.until = s.until;
                shift.ongoing = ongoing;
            }
            _ => shifts.push(Shift {
                channel: s.channel.clone(),
                from: s.from,
                until: s.until,
                began: s.began,
                ongoing,
            }),
        }
        last = Some(s);
    }
    shifts.sort_by(|a, b| (a.from, &a.channel).cmp(&(b.from, &b.channel)));
    (statement, shifts)
}

/// The first and last dates, across `statements`, that the holiday calendar did not cover: what
/// a reply, a report or a log line warns about. `None` when every date was covered.
pub fn uncovered_span<'a>(
    statements: impl IntoIterator<Item = &'a Statement>,
) -> Option<(NaiveDate, NaiveDate)> {
    statements
        .into_iter()
        .flat_map(|s| s.uncovered_dates.iter().copied())
        .fold(None, |span, d| match span {
            None => Some((d, d)),
            Some((first, last)) => Some((first.min(d), last.max(d))),
        })
}
