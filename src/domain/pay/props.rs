//! Properties of the pay rule over random rotas, in several time zones (London; Lord Howe, whose
//! clocks move by 30 minutes; New York), compared exactly (fractions, before any rounding).

use super::accrue::{accrue, Tally};
use super::tests::{policy, shifts, user};
use super::*;
use crate::domain::month::start_of_day;
use chrono::{Duration, TimeZone};
use chrono_tz::Tz;
use proptest::prelude::*;
use std::collections::BTreeMap;

const ZONES: [Tz; 3] = [
    chrono_tz::Europe::London,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::America::New_York,
];

/// Exact pay per engineer (all channels) for `[from, to)`, in minor units.
fn exact_pay(
    policy: &PayPolicy,
    rotas: &[ChannelRota],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> BTreeMap<UserId, Fraction> {
    let Some(rates) = &policy.rates else {
        return BTreeMap::new();
    };
    accrue(policy, rotas, from, to, now, None)
        .into_iter()
        .map(|(who, person)| {
            let mut all = Tally::default();
            person.channels.values().for_each(|t| all.merge(t));
            let exact = KindBreakdown::from_tally(&all, policy).exact_total(rates);
            (who.clone(), exact)
        })
        .collect()
}

/// The engineer number that stands for an end of standby (`/handover end`) in [`rota_from`].
const END: u8 = 4;

/// A rota from (seconds after `origin`, engineer number) pairs, sorted by time; [`END`] ends
/// standby.
fn rota_from(origin: DateTime<Utc>, mut points: Vec<(i64, u8)>) -> ChannelRota {
    points.sort_by_key(|&(t, _)| t);
    ChannelRota {
        channel: ChannelId::parse("ops").unwrap(),
        handovers: points
            .into_iter()
            .map(|(t, u)| HandoverPoint {
                at: origin + Duration::seconds(t),
                to: (u != END).then(|| user(&format!("u{u}"))),
            })
            .collect(),
    }
}

/// Channels `C0`, `C1`, … with these handovers (see [`rota_from`]).
fn channels_from(origin: DateTime<Utc>, channels: Vec<Vec<(i64, u8)>>) -> Vec<ChannelRota> {
    channels
        .into_iter()
        .enumerate()
        .map(|(i, points)| ChannelRota {
            channel: ChannelId::parse(&format!("C{i}")).unwrap(),
            ..rota_from(origin, points)
        })
        .collect()
}

fn policy_in(zone: usize, rate: (i64, i64, i64)) -> PayPolicy {
    let gbp = Currency::gbp();
    PayPolicy {
        timezone: ZONES[zone],
        rates: Some(Rates {
            weekday: Money::from_minor(rate.0, &gbp),
            weekend: Money::from_minor(rate.1, &gbp),
            bank_holiday: Money::from_minor(rate.2, &gbp),
        }),
        ..policy()
    }
}

/// Any date 2020-2028, or one of the days that most often go wrong.
fn a_day() -> impl Strategy<Value = NaiveDate> {
    let special = [
        "2025-03-30",
        "2025-10-26",
        "2025-04-06",
        "2025-10-05",
        "2025-03-09",
        "2025-11-02",
        "2024-02-29",
        "2025-04-18",
        "2022-12-27",
    ]
    .map(|d| d.parse::<NaiveDate>().unwrap());
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    prop_oneof![
        proptest::sample::select(special.to_vec()),
        (0_i64..3288).prop_map(move |n| start + Duration::days(n)),
    ]
}

const DAY: i64 = 86_400;

proptest! {
    #[test]
    fn for_any_day_the_exact_shares_of_all_engineers_add_up_to_that_days_rate(
        day in a_day(),
        zone in 0..ZONES.len(),
        rate in (0_i64..1_000_000, 0_i64..1_000_000, 0_i64..1_000_000),
        points in proptest::collection::vec((-2 * DAY..3 * DAY, 0_u8..4), 0..10),
    ) {
        let p = policy_in(zone, rate);
        let from = start_of_day(day, p.timezone);
        let to = start_of_day(day.succ_opt().unwrap(), p.timezone);
        // Someone is always on call: a handover long before the day, then random ones around it.
        let mut points = points;
        points.push((-3 * DAY, 9));
        let rotas = [rota_from(from, points)];
        let now = to + Duration::days(10);
        let sum = exact_pay(&p, &rotas, from, to, now)
            .into_values()
            .fold(Fraction::ZERO, |a, b| a + b);
        let day_rate = p.rates.as_ref().unwrap().for_kind(p.day_rule(day).kind);
        prop_assert_eq!(sum, Fraction::from_integer(i128::from(day_rate.minor_units())));
    }

    #[test]
    fn splitting_a_period_into_sub_periods_never_changes_an_engineers_exact_total(
        day in a_day(),
        zone in 0..ZONES.len(),
        rate in (0_i64..1_000_000, 0_i64..1_000_000, 0_i64..1_000_000),
        length in 1_i64..(62 * DAY),
        cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..5),
        points in proptest::collection::vec((-5 * DAY..70 * DAY, 0_u8..=END), 0..40),
        now_after in -10 * DAY..80 * DAY,
    ) {
        let p = policy_in(zone, rate);
        let from = start_of_day(day, p.timezone) + Duration::seconds(length % 7_919);
        let to = from + Duration::seconds(length);
        // Cut points anywhere in the period.
        let mut bounds: Vec<DateTime<Utc>> = cuts
            .iter()
            .map(|c| from + Duration::seconds(c.index(length as usize) as i64))
            .collect();
        bounds.push(from);
        bounds.push(to);
        bounds.sort();
        let rotas = [rota_from(from, points)];
        let now = from + Duration::seconds(now_after);
        let whole = exact_pay(&p, &rotas, from, to, now);
        let mut parts: BTreeMap<UserId, Fraction> = BTreeMap::new();
        for w in bounds.windows(2) {
            for (who, f) in exact_pay(&p, &rotas, w[0], w[1], now) {
                let sum = parts.entry(who).or_insert(Fraction::ZERO);
                *sum = *sum + f;
            }
        }
        let nonzero = |m: BTreeMap<UserId, Fraction>| -> BTreeMap<UserId, Fraction> {
            m.into_iter().filter(|(_, f)| f.numer() != 0).collect()
        };
        prop_assert_eq!(nonzero(whole), nonzero(parts));
    }

    #[test]
    fn moving_a_handover_later_never_lowers_the_outgoing_engineers_exact_pay(
        zone in 0..ZONES.len(),
        month_index in 0_u32..12,
        rate in (0_i64..1_000_000, 0_i64..1_000_000, 0_i64..1_000_000),
        points in proptest::collection::vec((-5 * DAY..40 * DAY, 0_u8..=END), 2..20),
        which in any::<proptest::sample::Index>(),
        delay in 0_i64..(10 * DAY),
    ) {
        let p = policy_in(zone, rate);
        let rates = p.rates.clone().unwrap();
        let month = YearMonth::new(2025, month_index + 1).unwrap();
        let (start, _) = month.bounds(p.timezone);
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let before = rota_from(start, points);
        let n = before.handovers.len();
        let i = 1 + which.index(n - 1);
        // Later, but not past the next handover, so the rota stays in time order.
        let mut after = before.clone();
        let moved = before.handovers[i].at + Duration::seconds(delay);
        after.handovers[i].at = before.handovers.get(i + 1).map_or(moved, |h| moved.min(h.at));
        let Some(outgoing) = before.handovers[i - 1].to.clone() else {
            return Ok(());
        };
        let pay = |r: &ChannelRota| {
            statement(&p, std::slice::from_ref(r), &outgoing, month, now)
                .overall
                .exact_total(&rates)
        };
        prop_assert!(pay(&after) >= pay(&before));
    }

    #[test]
    fn ending_standby_never_raises_anyones_pay_and_pays_nobody_after_it(
        zone in 0..ZONES.len(),
        rate in (0_i64..1_000_000, 0_i64..1_000_000, 0_i64..1_000_000),
        points in proptest::collection::vec((-5 * DAY..40 * DAY, 0_u8..END), 1..20),
        end_at in -5 * DAY..40 * DAY,
    ) {
        let p = policy_in(zone, rate);
        let month = YearMonth::new(2025, 3).unwrap();
        let (start, stop) = month.bounds(p.timezone);
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let before = rota_from(start, points.clone());
        let mut with_end = points;
        with_end.push((end_at, END));
        let after = rota_from(start, with_end);
        let (was, is) = (
            exact_pay(&p, std::slice::from_ref(&before), start, stop, now),
            exact_pay(&p, std::slice::from_ref(&after), start, stop, now),
        );
        for (who, pay) in &is {
            prop_assert!(*pay <= was.get(who).copied().unwrap_or(Fraction::ZERO), "{}", who);
        }
        // Nobody is paid between the end and the next handover: paying from the end to there
        // gives nothing.
        let end = start + Duration::seconds(end_at);
        let next = after.handovers.iter().map(|h| h.at).find(|&at| at > end);
        let gap_end = next.unwrap_or(now).min(stop);
        if end > start && end < gap_end {
            let in_gap = exact_pay(&p, std::slice::from_ref(&after), end, gap_end, now);
            prop_assert!(in_gap.values().all(|f| f.numer() == 0), "{:?}", in_gap);
        }
    }

    #[test]
    fn an_engineers_channel_and_kind_amounts_add_up_to_the_total_paid(
        zone in 0..ZONES.len(),
        month_index in 0_u32..12,
        rate in (0_i64..100_000, 0_i64..100_000, 0_i64..100_000),
        channels in proptest::collection::vec(
            proptest::collection::vec((-5 * DAY..40 * DAY, prop_oneof![0_u8..3, Just(END)]), 1..12),
            1..6,
        ),
        now_after in 0_i64..40 * DAY,
    ) {
        let p = policy_in(zone, rate);
        let rates = p.rates.clone().unwrap();
        let month = YearMonth::new(2025, month_index + 1).unwrap();
        let (start, _) = month.bounds(p.timezone);
        let now = start + Duration::seconds(now_after);
        let rotas = channels_from(start, channels);
        let minor = |m: Option<Money>| m.unwrap().minor_units();
        for s in team(&p, &rotas, month, now) {
            let total = minor(s.total);
            prop_assert_eq!(i128::from(total), s.overall.exact_total(&rates).round_half_up());
            let by_channel: i64 = s.channels.iter().map(|c| minor(c.total)).sum();
            prop_assert_eq!(by_channel, total, "channels of {}", s.user);
            let by_kind: i64 = DayKind::ALL.iter().map(|&k| minor(s.overall.amount(k))).sum();
            prop_assert_eq!(by_kind, total, "kinds of {}", s.user);
            // Days as shown: the kinds add up to the total, each within a hundredth of exact.
            let b = &s.overall;
            let shown: i128 = DayKind::ALL.iter().map(|&k| b.shown_days(k).hundredths()).sum();
            prop_assert_eq!(shown, b.total_days().hundredths(), "days of {}", s.user);
            for k in DayKind::ALL {
                let exact = b.days(k).exact().times(100);
                let h = b.shown_days(k).hundredths();
                prop_assert!(h == exact.floor() || h == exact.floor() + 1, "{:?} of {}", k, s.user);
            }
            for c in &s.channels {
                // The channel's exact pay rounded down or up.
                let (paid, exact) = (i128::from(minor(c.total)), c.breakdown.exact_total(&rates));
                let whole = Fraction::from_integer(exact.floor()) == exact;
                prop_assert!(paid == exact.floor() || (!whole && paid == exact.floor() + 1));
                let kinds: i64 = DayKind::ALL.iter().map(|&k| minor(c.breakdown.amount(k))).sum();
                prop_assert_eq!(kinds, minor(c.total), "kinds of {} in {}", s.user, c.channel);
            }
        }
    }

    #[test]
    fn an_engineers_shifts_lie_in_the_month_never_overlap_in_a_channel_and_are_the_time_paid(
        zone in 0..ZONES.len(),
        month_index in 0_u32..12,
        channels in proptest::collection::vec(
            proptest::collection::vec((-5 * DAY..40 * DAY, prop_oneof![0_u8..3, Just(END)]), 1..12),
            1..4,
        ),
        now_after in 0_i64..40 * DAY,
    ) {
        let p = policy_in(zone, (5_000, 7_500, 10_000));
        let month = YearMonth::new(2025, month_index + 1).unwrap();
        let (start, end) = month.bounds(p.timezone);
        let now = start + Duration::seconds(now_after);
        let rotas = channels_from(start, channels);
        let people = accrue(&p, &rotas, start, end, now, None);
        for who in ["u0", "u1", "u2"].map(user) {
            let list = shifts(&p, &rotas, &who, month, now);
            let mut paid: BTreeMap<String, i64> = people
                .get(&who)
                .map(|person| {
                    person
                        .channels
                        .iter()
                        .map(|(c, t)| (c.to_string(), t.seconds()))
                        .collect()
                })
                .unwrap_or_default();
            prop_assert!(list.windows(2).all(|w| w[0].from <= w[1].from), "{:?}", list);
            for (i, shift) in list.iter().enumerate() {
                prop_assert!(start <= shift.from && shift.from < shift.until, "{:?}", shift);
                prop_assert!(shift.until <= end.min(now), "{:?}", shift);
                // It began where it starts, or, as the month began, at a handover to them before.
                let handed = rotas
                    .iter()
                    .filter(|r| r.channel == shift.channel)
                    .flat_map(|r| &r.handovers)
                    .any(|h| h.at == shift.began && h.to.as_ref() == Some(&who));
                prop_assert!(handed, "{:?}", shift);
                prop_assert!(
                    shift.began == shift.from || (shift.began < start && shift.from == start),
                    "{:?}",
                    shift
                );
                // Later shifts in the same channel start at or after this one's end.
                let overlaps = list[i + 1..]
                    .iter()
                    .any(|l| l.channel == shift.channel && l.from < shift.until);
                prop_assert!(!overlaps, "{:?}", list);
                let left = paid.entry(shift.channel.to_string()).or_default();
                *left -= shift.until.timestamp() - shift.from.timestamp();
            }
            // A shift goes on exactly where the pager is theirs now, in a month not over: the
            // latest handover to take effect by now went to them, before this very second.
            for rota in &rotas {
                let latest = rota.handovers.iter().rev().find(|h| h.at <= now);
                let holder = latest.filter(|h| h.at < now).and_then(|h| h.to.as_ref());
                let theirs_now = holder == Some(&who) && start < now && now < end;
                let ongoing: Vec<&Shift> =
                    list.iter().filter(|s| s.channel == rota.channel && s.ongoing).collect();
                prop_assert_eq!(ongoing.len(), usize::from(theirs_now), "{:?}", list);
                prop_assert!(ongoing.iter().all(|s| s.until == now), "{:?}", list);
            }
            // Every second paid is in a shift, and every second of a shift is paid.
            prop_assert!(paid.values().all(|&s| s == 0), "{}: {:?} over {:?}", who, paid, list);
        }
    }
}
