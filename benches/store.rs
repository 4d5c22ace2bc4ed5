//! Reading pay's rows at scale: 100 channels × 10 years of weekly handovers (52,000 rows, as in
//! `benches/pay.rs`), written through the store into a real database file. Pay's rows come from
//! the store's index in memory, which the writes kept up to date.
//!
//! Run: `cargo bench --bench store -- --warm-up-time 1 --measurement-time 3`
//!
//! One engineer's `/oncall-pay me` reads only the rotas they were on, for one month; the team
//! report reads every rota. Filling the database takes a few seconds before the first figure.
//!
//! Then one `/handover`'s write, one after another into the same file: the hand-off to the
//! store's writer thread and back, and a committed transaction of its own (begin, the channel's
//! state with the submission-key check, the insert, commit). Under load the writer puts the
//! handovers waiting for it into one transaction, so this is the cost with no batching at all.
//!
//! Last, the first pay answer after a restart, which reads pay's index from the table, against
//! opening the store alone.

use baton::domain::ids::{ChannelId, UserId};
use baton::domain::rota::NewHandover;
use baton::store::{PayScope, SqliteStore, Store};
use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const CHANNELS: usize = 100;
const WEEKS: i64 = 520;
const ENGINEERS_PER_CHANNEL: usize = 8;

/// Each channel rotates weekly through its own eight engineers, one of whom ("Ushared") is in
/// every channel.
async fn filled_store(path: &std::path::Path) -> SqliteStore {
    let store = SqliteStore::open(path.to_str().expect("a UTF-8 temp path"))
        .await
        .expect("open the bench database");
    let first = Utc.with_ymd_and_hms(2016, 1, 4, 9, 0, 0).unwrap();
    for c in 0..CHANNELS {
        let channel = ChannelId::parse(&format!("C{c:03}")).unwrap();
        let offset = Duration::hours((c as i64 * 7) % 168);
        for w in 0..WEEKS {
            let n = w as usize % ENGINEERS_PER_CHANNEL;
            let to = if n == 0 {
                "Ushared".to_owned()
            } else {
                format!("U{c:03}x{n}")
            };
            let at = first + offset + Duration::weeks(w);
            store
                .record_handover(&channel, None, move |state| {
                    Ok::<_, ()>(NewHandover {
                        from: state.on_call().cloned(),
                        to: Some(UserId::parse(&to).unwrap()),
                        effective_at: at,
                        recorded_at: at,
                        recorded_by: UserId::parse(&to).unwrap(),
                        notes: String::new(),
                    })
                })
                .await
                .expect("store the handover")
                .expect("always allowed");
        }
    }
    store
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = runtime.block_on(filled_store(&dir.path().join("bench.db")));
    // March 2025, well inside the history.
    let start = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap();
    let shared = UserId::parse("Ushared").unwrap();
    let one_rota = UserId::parse("U042x3").unwrap();
    let channel = ChannelId::parse("C042").unwrap();

    let mut group = c.benchmark_group("pay rows from 52,000 handovers");
    for (name, scope) in [
        (
            "one engineer in all 100 channels, one month",
            PayScope::Person(&shared),
        ),
        (
            "one engineer in one channel, one month",
            PayScope::Person(&one_rota),
        ),
        ("one channel, one month", PayScope::Channel(&channel)),
        ("every channel, one month (team report)", PayScope::All),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime
                    .block_on(store.pay_history(start, end, black_box(scope)))
                    .unwrap()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("handover writes after 52,000 handovers");
    let mut n = 0_u64;
    let to = UserId::parse("Unext").unwrap();
    group.bench_function(
        "one handover in a new channel, with a submission key",
        |b| {
            b.iter(|| {
                n += 1;
                let channel = ChannelId::parse(&format!("CNEW{n}")).unwrap();
                let key = format!("bench-{n}");
                let to = to.clone();
                runtime
                    .block_on(store.record_handover(&channel, Some(&key), move |state| {
                        Ok::<_, ()>(NewHandover {
                            from: state.on_call().cloned(),
                            to: Some(to.clone()),
                            effective_at: end,
                            recorded_at: end,
                            recorded_by: to.clone(),
                            notes: String::new(),
                        })
                    }))
                    .unwrap()
                    .unwrap()
            })
        },
    );
    group.finish();
    runtime.block_on(store.close());

    // Pay's index is read on the first pay question after start (src/store/pay_index.rs).
    let path = dir.path().join("bench.db");
    let path = path.to_str().expect("a UTF-8 temp path");
    let mut group = c.benchmark_group("after a restart, with 52,000 handovers");
    group.sample_size(10);
    group.bench_function("open the store and answer one engineer's pay", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let store = SqliteStore::open(path).await.expect("reopen");
                let rotas = store
                    .pay_history(start, end, PayScope::Person(&shared))
                    .await
                    .expect("the first answer");
                store.close().await;
                rotas
            })
        })
    });
    group.bench_function("open the store only", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let store = SqliteStore::open(path).await.expect("reopen");
                store.close().await;
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
