//! The pay engine at scale: 100 channels × 10 years of weekly handovers (about 52,000), as in
//! issue 2. Targets: a one-month team report under 20 ms, one engineer's statement under 1 ms.
//!
//! Run: `cargo bench --bench pay -- --warm-up-time 1 --measurement-time 3`

use baton::commands::oncall_pay::render_statement;
use baton::domain::ids::{ChannelId, UserId};
use baton::domain::money::{Currency, Money};
use baton::domain::month::YearMonth;
use baton::domain::pay::{
    statement, statement_and_shifts, team, ChannelRota, HandoverPoint, PayPolicy, Rates,
};
use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Europe::London;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const CHANNELS: usize = 100;
const WEEKS: i64 = 520;
const ENGINEERS_PER_CHANNEL: usize = 8;

/// Each channel hands over weekly on its own weekday and hour, rotating through its own eight
/// engineers, with one engineer in every channel so some statements span many rotas.
fn history() -> Vec<ChannelRota> {
    let first = Utc.with_ymd_and_hms(2016, 1, 4, 9, 0, 0).unwrap();
    (0..CHANNELS)
        .map(|c| {
            let offset = Duration::hours((c as i64 * 7) % 168);
            let handovers = (0..WEEKS)
                .map(|w| {
                    let n = w as usize % ENGINEERS_PER_CHANNEL;
                    let to = if n == 0 {
                        "Ushared".to_owned()
                    } else {
                        format!("U{c:03}x{n}")
                    };
                    HandoverPoint {
                        at: first + offset + Duration::weeks(w),
                        to: Some(UserId::parse(&to).unwrap()),
                    }
                })
                .collect();
            ChannelRota {
                channel: ChannelId::parse(&format!("C{c:03}")).unwrap(),
                handovers,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let gbp = Currency::gbp();
    let money = |s: &str| Money::parse(s, &gbp).unwrap();
    let policy = PayPolicy {
        rates: Some(Rates {
            weekday: money("50.00"),
            weekend: money("75.00"),
            bank_holiday: money("100.00"),
        }),
        ..PayPolicy::unconfigured(London)
    };
    let rotas = history();
    let handovers: usize = rotas.iter().map(|r| r.handovers.len()).sum();
    assert_eq!(handovers, 52_000);
    let month = YearMonth::new(2021, 3).unwrap(); // mid-history, with the clocks changing
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    let one = UserId::parse("U042x3").unwrap();
    let shared = UserId::parse("Ushared").unwrap();
    assert!(team(&policy, &rotas, month, now).len() > 300);

    c.bench_function("team report, one month, 100 channels x 10 years", |b| {
        b.iter(|| team(black_box(&policy), black_box(&rotas), month, now))
    });
    c.bench_function("statement, one engineer in one channel", |b| {
        b.iter(|| statement(black_box(&policy), black_box(&rotas), &one, month, now))
    });
    c.bench_function("statement, one engineer in all 100 channels", |b| {
        b.iter(|| statement(black_box(&policy), black_box(&rotas), &shared, month, now))
    });
    // `/oncall-pay me` whole, as the engine runs it: the statement with its shifts, and the
    // reply listing them (the first 31 of the shared engineer's; the other's few); and the same
    // reply without its list of shifts, to see what the list costs.
    let (_, many) = statement_and_shifts(&policy, &rotas, &shared, month, now);
    assert!(many.len() > 31, "{}", many.len());
    for (who, name) in [(&one, "one channel"), (&shared, "all 100 channels")] {
        let reply = |with_shifts: bool| {
            let (s, list) =
                statement_and_shifts(black_box(&policy), black_box(&rotas), who, month, now);
            let list = if with_shifts { &list[..] } else { &[] };
            render_statement(&s, list, &policy, "Your", now)
        };
        c.bench_function(&format!("reply, one engineer in {name}"), |b| {
            b.iter(|| reply(true))
        });
        c.bench_function(
            &format!("reply without shifts, one engineer in {name}"),
            |b| b.iter(|| reply(false)),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
