//! Store tests on a temporary SQLite file: the race rule, dedup, the pay window, reminder
//! claims, and refusals at open.

use super::open::*;
use super::rows::*;
use super::writer::Writes;
use super::*;
use crate::domain::pay::HandoverPoint;
use rusqlite::{Connection, Row};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
fn u(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}
fn c(s: &str) -> ChannelId {
    ChannelId::parse(s).unwrap()
}

async fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap();
    (dir, store)
}

fn handover(state: &ChannelState, to: &str, at: &str) -> NewHandover {
    NewHandover {
        from: state.on_call().cloned(),
        to: Some(u(to)),
        effective_at: t(at),
        recorded_at: t(at),
        recorded_by: u(to),
        notes: String::new(),
    }
}

/// Ends standby in `channel` at `at`, as `/handover end` does.
async fn record_end(store: &SqliteStore, channel: &str, at: DateTime<Utc>) -> Handover {
    store
        .record_handover(&c(channel), None, move |s| {
            Ok::<_, ()>(NewHandover {
                from: s.on_call().cloned(),
                to: None,
                effective_at: at,
                recorded_at: at,
                recorded_by: u("ann"),
                notes: String::new(),
            })
        })
        .await
        .unwrap()
        .unwrap()
        .handover
}

async fn record(store: &SqliteStore, channel: &str, to: &str, at: &str) -> Handover {
    store
        .record_handover(&c(channel), None, {
            let (to, at) = (to.to_owned(), at.to_owned());
            move |s| Ok::<_, ()>(handover(s, &to, &at))
        })
        .await
        .unwrap()
        .unwrap()
        .handover
}

#[tokio::test]
async fn a_channel_name_that_fails_to_store_leaves_the_handover_recorded_and_says_so() {
    let (dir, store) = temp_store().await;
    // The name's statement fails on its own (SQLite's RAISE(ABORT) undoes that statement only).
    Connection::open(dir.path().join("t.db"))
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER no_names BEFORE INSERT ON channels BEGIN SELECT RAISE(ABORT, 'no'); END",
        )
        .unwrap();
    let name = crate::domain::ids::ChannelName::from_slack("ops");
    let recorded = store
        .record_named_handover(&c("C0OPS"), name.as_ref(), None, |s| {
            Ok::<_, ()>(handover(s, "bob", "2025-06-02T09:00:00Z"))
        })
        .await
        .unwrap()
        .unwrap();
    assert!(recorded.channel_name_failed);
    assert!(!recorded.duplicate);
    let state = store.channel_state(&c("C0OPS")).await.unwrap();
    assert_eq!(state.on_call(), Some(&u("bob")));
    // Without the fault, a name stores and says so.
    Connection::open(dir.path().join("t.db"))
        .unwrap()
        .execute_batch("DROP TRIGGER no_names")
        .unwrap();
    let recorded = store
        .record_named_handover(&c("C0WEB"), name.as_ref(), None, |s| {
            Ok::<_, ()>(handover(s, "bob", "2025-06-02T09:00:00Z"))
        })
        .await
        .unwrap()
        .unwrap();
    assert!(!recorded.channel_name_failed);
    store.close().await;
}

#[tokio::test]
async fn a_channel_at_an_instant_has_the_handover_in_effect_then_and_the_ones_ahead_of_it() {
    let (_dir, store) = temp_store().await;
    let (state, ahead) = store
        .channel_at(&c("ops"), t("2026-12-30T09:00:00Z"))
        .await
        .unwrap();
    assert_eq!((state.current, ahead), (None, None));
    record(&store, "ops", "dave", "2026-12-28T09:00:00Z").await;
    // Recorded ahead, by a clock that was.
    record(&store, "ops", "bob", "2027-01-04T09:00:00Z").await;
    record(&store, "other", "erin", "2026-12-01T09:00:00Z").await;
    record(&store, "ops", "carol", "2027-01-11T09:00:00Z").await;
    let to = |h: Option<&Handover>| h.and_then(|h| h.to.as_ref()).map(|u| u.as_str().to_owned());
    // (at, whose shift is in effect, whose comes next)
    let cases = [
        ("2026-12-28T08:59:59Z", None, Some("dave")),
        ("2026-12-28T09:00:00Z", Some("dave"), Some("bob")),
        ("2026-12-30T09:00:00Z", Some("dave"), Some("bob")),
        ("2027-01-04T08:59:59Z", Some("dave"), Some("bob")),
        ("2027-01-04T09:00:00Z", Some("bob"), Some("carol")),
        ("2027-02-01T00:00:00Z", Some("carol"), None),
    ];
    for (at, holder, next) in cases {
        let (state, ahead) = store.channel_at(&c("ops"), t(at)).await.unwrap();
        assert_eq!(to(state.current.as_ref()).as_deref(), holder, "{at}");
        assert_eq!(
            to(ahead.as_ref().map(|a| &a.coming)).as_deref(),
            next,
            "{at}"
        );
        // The latest ahead is carol's, whichever comes first.
        if let Some(ahead) = &ahead {
            assert_eq!(to(Some(&ahead.latest)).as_deref(), Some("carol"), "{at}");
        }
        // The reminders' read says the same.
        let channels = store.channels_on_call(t(at)).await.unwrap();
        let ops = channels.iter().find(|ch| ch.channel == c("ops"));
        assert_eq!(
            ops.and_then(|ch| ch.state.on_call()).map(UserId::as_str),
            holder,
            "{at}"
        );
        let coming = ops.and_then(|ch| ch.ahead.as_ref()).map(|a| &a.coming);
        assert_eq!(to(coming).as_deref(), holder.and(next), "{at}");
    }
    // Undone handovers (carol's, then bob's) are neither in effect nor ahead: the one before
    // them is in effect again.
    for _ in 0..2 {
        store
            .undo_latest(&c("ops"), None, |_, _| {
                Ok::<_, ()>(Undo {
                    by: u("ann"),
                    at: t("2026-12-30T09:00:00Z"),
                })
            })
            .await
            .unwrap()
            .unwrap();
    }
    let (state, ahead) = store
        .channel_at(&c("ops"), t("2026-12-30T09:00:00Z"))
        .await
        .unwrap();
    assert_eq!(state.current.and_then(|h| h.to), Some(u("dave")));
    assert_eq!(ahead, None);
}

#[tokio::test]
async fn racing_first_handovers_in_one_channel_record_exactly_one() {
    let (_dir, store) = temp_store().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .record_handover(&c("ops"), None, move |s| {
                    if s.current.is_some() {
                        return Err("taken");
                    }
                    Ok(handover(s, &format!("u{i}"), "2025-03-03T09:00:00Z"))
                })
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for task in tasks {
        if task.await.unwrap().is_ok() {
            won += 1;
        }
    }
    assert_eq!(won, 1);
    assert_eq!(store.history(&c("ops"), 50).await.unwrap().len(), 1);
}

#[tokio::test]
async fn racing_handovers_extend_one_chain_each_judged_against_the_last() {
    let (_dir, store) = temp_store().await;
    record(&store, "ops", "ann", "2025-03-03T09:00:00Z").await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            record(&store, "ops", &format!("u{i}"), "2025-03-04T09:00:00Z").await
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let log = store.history(&c("ops"), 50).await.unwrap();
    assert_eq!(log.len(), 7);
    // Newest first: each handover's `from` is the `to` of the one before it.
    for pair in log.windows(2) {
        assert_eq!(pair[0].from.as_ref(), pair[1].to.as_ref());
        assert_eq!(pair[0].seq, pair[1].seq + 1);
    }
}

#[tokio::test]
async fn a_repeated_submission_returns_the_first_record_and_writes_nothing() {
    let (_dir, store) = temp_store().await;
    let first = store
        .record_handover(&c("ops"), Some("T1:trig"), |s| {
            Ok::<_, ()>(handover(s, "bob", "2025-03-03T09:00:00Z"))
        })
        .await
        .unwrap()
        .unwrap();
    assert!(!first.duplicate);
    let again = store
        .record_handover(&c("ops"), Some("T1:trig"), |s| {
            Ok::<_, ()>(handover(s, "bob", "2025-03-03T09:00:01Z"))
        })
        .await
        .unwrap()
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.handover, first.handover);
    assert_eq!(store.history(&c("ops"), 50).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_repeated_rota_order_is_written_once_and_never_puts_back_an_order_set_since() {
    let (dir, store) = temp_store().await;
    let at = t("2025-03-03T09:00:00Z");
    let set = |members: &'static [&str], key: &'static str| {
        let store = store.clone();
        async move {
            let members: Vec<UserId> = members.iter().map(|m| u(m)).collect();
            store
                .set_rota(&c("ops"), &members, &u("ann"), at, Some(key))
                .await
                .unwrap()
        }
    };
    let before = |current: bool| {
        RotaSet::Repeated(RotaBefore {
            members: vec![u("ann"), u("bob")],
            current,
        })
    };
    assert_eq!(set(&["ann", "bob"], "T1:a").await, RotaSet::Set);
    assert_eq!(set(&["ann", "bob"], "T1:a").await, before(true));
    assert_eq!(set(&["cat"], "T1:b").await, RotaSet::Set);
    assert_eq!(set(&["ann", "bob"], "T1:a").await, before(false));
    // Also found before anyone is looked up.
    let found = store.rota_set_before("T1:a").await.unwrap();
    assert_eq!(found.map(RotaSet::Repeated), Some(before(false)));
    assert_eq!(store.rota_set_before("T1:zzz").await.unwrap(), None);
    let state = store.channel_state(&c("ops")).await.unwrap();
    assert_eq!(state.rota, [u("cat")]);
    let logged: i64 = other_process(&dir)
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(logged, 2);
    // Without a key (the console), each order is written.
    store
        .set_rota(&c("ops"), &[u("dan")], &u("ann"), at, None)
        .await
        .unwrap();
    store
        .set_rota(&c("ops"), &[u("dan")], &u("ann"), at, None)
        .await
        .unwrap();
    assert_eq!(
        store.channel_state(&c("ops")).await.unwrap().rota,
        [u("dan")]
    );
}

#[tokio::test]
async fn a_redelivered_undo_undoes_one_handover_not_two() {
    let (_dir, store) = temp_store().await;
    record(&store, "ops", "ann", "2025-03-03T09:00:00Z").await;
    record(&store, "ops", "bob", "2025-03-04T09:00:00Z").await;
    let undo = |_: &ChannelState, _: Option<&Handover>| {
        Ok::<_, ()>(Undo {
            by: u("ann"),
            at: t("2025-03-04T09:05:00Z"),
        })
    };
    let first = store
        .undo_latest(&c("ops"), Some("T1:u"), undo)
        .await
        .unwrap()
        .unwrap();
    assert!(!first.duplicate);
    assert_eq!(first.handover.to, Some(u("bob")));
    let again = store
        .undo_latest(&c("ops"), Some("T1:u"), undo)
        .await
        .unwrap()
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.handover.id, first.handover.id);
    assert_eq!(
        again.after, first.after,
        "the same state after, as first reported"
    );
    let state = store.channel_state(&c("ops")).await.unwrap();
    assert_eq!(
        state.on_call(),
        Some(&u("ann")),
        "ann's handover is still in force"
    );
}

#[tokio::test]
async fn pay_history_starts_with_the_shift_running_at_the_period_start_and_skips_undone() {
    let (_dir, store) = temp_store().await;
    record(&store, "ops", "ann", "2025-01-06T09:00:00Z").await;
    record(&store, "ops", "bob", "2025-02-24T09:00:00Z").await;
    record(&store, "ops", "cat", "2025-03-03T09:00:00Z").await;
    record(&store, "ops", "dan", "2025-03-10T09:00:00Z").await;
    store
        .undo_latest(&c("ops"), None, |_, _| {
            Ok::<_, ()>(Undo {
                by: u("ann"),
                at: t("2025-03-10T09:05:00Z"),
            })
        })
        .await
        .unwrap()
        .unwrap();
    record(&store, "ops", "eve", "2025-04-07T09:00:00Z").await;
    record(&store, "web", "zed", "2025-03-15T09:00:00Z").await;
    let rotas = store
        .pay_history(
            t("2025-03-01T00:00:00Z"),
            t("2025-04-01T00:00:00Z"),
            PayScope::All,
        )
        .await
        .unwrap();
    let seen: Vec<(String, Vec<String>)> = rotas
        .iter()
        .map(|r| {
            (
                r.channel.to_string(),
                r.handovers
                    .iter()
                    .map(|h| h.to.as_ref().map_or_else(String::new, UserId::to_string))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("ops".to_owned(), vec!["bob".to_owned(), "cat".to_owned()]),
            ("web".to_owned(), vec!["zed".to_owned()]),
        ]
    );
    let only_web = store
        .pay_history(
            t("2025-03-01T00:00:00Z"),
            t("2025-04-01T00:00:00Z"),
            PayScope::Channel(&c("web")),
        )
        .await
        .unwrap();
    assert_eq!(only_web.len(), 1);
    // One engineer's pay reads only the rotas they were on, whole: cat's is ops (with bob's
    // shift running at the start), zed's is web, and eve (only from April) has none.
    let march = (t("2025-03-01T00:00:00Z"), t("2025-04-01T00:00:00Z"));
    for (who, expected) in [("cat", vec!["ops"]), ("zed", vec!["web"]), ("eve", vec![])] {
        let rotas = store
            .pay_history(march.0, march.1, PayScope::Person(&u(who)))
            .await
            .unwrap();
        let channels: Vec<String> = rotas.iter().map(|r| r.channel.to_string()).collect();
        assert_eq!(channels, expected, "{who}");
    }
    let cats = store
        .pay_history(march.0, march.1, PayScope::Person(&u("cat")))
        .await
        .unwrap();
    assert_eq!(cats[0].handovers.len(), 2);
}

/// Pay's rows as SQL reads them: what pay read by before the index in memory
/// (`pay_index.rs`), kept as the oracle the index must agree with.
fn pay_by_sql(
    conn: &Connection,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    scope: PayScope<'_>,
) -> Vec<ChannelRota> {
    let (chans, who) = match scope {
        PayScope::All => ("SELECT DISTINCT channel_id FROM handovers", None),
        PayScope::Channel(c) => ("SELECT :who", Some(c.as_str())),
        PayScope::Person(u) => (
            "SELECT DISTINCT channel_id FROM handovers \
             WHERE to_user = :who AND undone_at IS NULL AND effective_at < :end",
            Some(u.as_str()),
        ),
    };
    let sql = format!(
        "WITH chans(channel_id) AS ({chans}) \
         SELECT h.channel_id, h.effective_at, h.to_user, h.seq \
         FROM chans JOIN handovers h ON h.channel_id = chans.channel_id \
         WHERE h.undone_at IS NULL AND h.effective_at >= :start AND h.effective_at < :end \
         UNION ALL \
         SELECT h.channel_id, h.effective_at, h.to_user, h.seq \
         FROM chans JOIN handovers h ON h.id = ( \
             SELECT p.id FROM handovers p \
             WHERE p.channel_id = chans.channel_id AND p.undone_at IS NULL \
               AND p.effective_at < :start \
             ORDER BY p.seq DESC LIMIT 1) \
         ORDER BY 1, 4"
    );
    let mut statement = conn.prepare(&sql).unwrap();
    let (start, end) = (start.timestamp(), end.timestamp());
    let read = |row: &Row<'_>| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
        ))
    };
    // SQLite refuses a value for a parameter the statement does not have, so `:who` only when
    // the scope names someone.
    let rows: Vec<(String, i64, String)> = match who {
        Some(who) => statement.query_map(
            rusqlite::named_params! {":start": start, ":end": end, ":who": who},
            read,
        ),
        None => statement.query_map(rusqlite::named_params! {":start": start, ":end": end}, read),
    }
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap();
    let mut rotas: Vec<ChannelRota> = Vec::new();
    for (channel_id, at, to) in rows {
        let point = HandoverPoint {
            at: instant(at).unwrap(),
            // An end of standby is stored with no one in `to_user`.
            to: (!to.is_empty()).then(|| u(&to)),
        };
        match rotas.last_mut() {
            Some(last) if last.channel.as_str() == channel_id => last.handovers.push(point),
            _ => rotas.push(ChannelRota {
                channel: c(&channel_id),
                handovers: vec![point],
            }),
        }
    }
    rotas
}

/// Another process's connection to the store's file (the console's, or the sqlite3 shell's).
fn other_process(dir: &tempfile::TempDir) -> Connection {
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    conn.busy_timeout(BUSY_TIMEOUT).unwrap();
    conn
}

/// Inserts a handover as another process would, without the store knowing.
fn insert_behind_its_back(conn: &Connection, channel: &str, to: &str, at: DateTime<Utc>) {
    conn.execute(
        "INSERT INTO handovers (channel_id, seq, to_user, effective_at, recorded_at, recorded_by) \
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM handovers WHERE channel_id = ?1), \
                 ?2, ?3, ?3, ?2)",
        rusqlite::params![channel, to, at.timestamp()],
    )
    .unwrap();
}

#[tokio::test]
async fn pay_sees_a_handover_another_process_recorded_and_one_it_undid() {
    let (dir, store) = temp_store().await;
    let march = (t("2025-03-01T00:00:00Z"), t("2025-04-01T00:00:00Z"));
    record(&store, "ops", "ann", "2025-03-03T09:00:00Z").await;
    let ann = store
        .pay_history(march.0, march.1, PayScope::Person(&u("ann")))
        .await
        .unwrap();
    assert_eq!(ann.len(), 1);
    let console = other_process(&dir);
    insert_behind_its_back(&console, "ops", "bob", t("2025-03-10T09:00:00Z"));
    let bob = store
        .pay_history(march.0, march.1, PayScope::Person(&u("bob")))
        .await
        .unwrap();
    assert_eq!(bob.len(), 1, "the console's handover counts");
    assert_eq!(bob[0].handovers.len(), 2, "ann's shift, then bob's");
    console
        .execute(
            "UPDATE handovers SET undone_at = 1, undone_by = 'x' WHERE to_user = 'bob'",
            [],
        )
        .unwrap();
    let bob = store
        .pay_history(march.0, march.1, PayScope::Person(&u("bob")))
        .await
        .unwrap();
    assert!(bob.is_empty(), "the console's undo counts: {bob:?}");
    // And the store's own writes still reach the index after it was read again.
    record(&store, "ops", "cat", "2025-03-17T09:00:00Z").await;
    let all = store
        .pay_history(march.0, march.1, PayScope::All)
        .await
        .unwrap();
    assert_eq!(all, pay_by_sql(&console, march.0, march.1, PayScope::All));
    assert_eq!(all[0].handovers.len(), 2, "ann's shift, then cat's");
}

#[tokio::test]
async fn a_write_the_writer_was_not_told_of_is_still_in_the_next_pay_answer() {
    let (dir, store) = temp_store().await;
    let march = (t("2025-03-01T00:00:00Z"), t("2025-04-01T00:00:00Z"));
    record(&store, "ops", "ann", "2025-03-03T09:00:00Z").await;
    // Pay's index is loaded (it is read on the first question), so the answer below comes from
    // the index, not from a fresh read of the table.
    let before = store
        .pay_history(march.0, march.1, PayScope::Channel(&c("ops")))
        .await
        .unwrap();
    assert_eq!(before[0].handovers.len(), 1, "{before:?}");
    // A job that changes a handover but reports nothing, as a buggy one would.
    store
        .writer
        .run(Writes::AtMostOne, |conn| {
            insert_behind_its_back(conn, "ops", "bob", t("2025-03-10T09:00:00Z"));
            Ok(())
        })
        .await
        .unwrap();
    let rotas = store
        .pay_history(march.0, march.1, PayScope::Channel(&c("ops")))
        .await
        .unwrap();
    assert_eq!(rotas[0].handovers.len(), 2, "{rotas:?}");
    assert_eq!(
        rotas,
        pay_by_sql(
            &other_process(&dir),
            march.0,
            march.1,
            PayScope::Channel(&c("ops"))
        )
    );
}

/// One step of [`pay_from_memory_always_matches_pay_by_sql`].
#[derive(Debug, Clone)]
enum Step {
    /// A handover through the store, `hours` after the base time (not always later than the
    /// last: the store records what the engine decided, and the index must not assume order).
    Record {
        channel: usize,
        to: usize,
        hours: i64,
    },
    /// The same, by another process.
    RecordElsewhere {
        channel: usize,
        to: usize,
        hours: i64,
    },
    /// End standby in the channel through the store, `hours` after the base time.
    End { channel: usize, hours: i64 },
    /// Undo the channel's latest handover through the store.
    Undo { channel: usize },
    /// Compare pay for a period of `days` starting `hours` after the base time.
    Ask { hours: i64, days: i64 },
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    // Whole half-days, so that handovers often fall exactly on a period's start or end.
    let hours = || (0..170_i64).prop_map(|h| h * 12);
    prop_oneof![
        4 => (0..3_usize, 0..4_usize, hours())
            .prop_map(|(channel, to, hours)| Step::Record { channel, to, hours }),
        1 => (0..3_usize, 0..4_usize, hours())
            .prop_map(|(channel, to, hours)| Step::RecordElsewhere { channel, to, hours }),
        1 => (0..3_usize, hours()).prop_map(|(channel, hours)| Step::End { channel, hours }),
        1 => (0..3_usize).prop_map(|channel| Step::Undo { channel }),
        2 => ((-8..175_i64).prop_map(|h| h * 12), 1..60_i64)
            .prop_map(|(hours, days)| Step::Ask { hours, days }),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(48))]

    /// Whatever order handovers arrive in, from this process or another, with undos between,
    /// pay's answers from memory equal SQL's for every scope.
    #[test]
    fn pay_from_memory_always_matches_pay_by_sql(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (dir, store) = temp_store().await;
            let other = other_process(&dir);
            let base = t("2025-01-01T00:00:00Z");
            let at = |hours: i64| base + chrono::Duration::hours(hours);
            let channels = ["ops", "web", "data"];
            let people = ["ann", "bob", "cat", "dan"];
            for step in steps {
                match step {
                    Step::Record { channel, to, hours } => {
                        let when = at(hours).to_rfc3339();
                        record(&store, channels[channel], people[to], &when).await;
                    }
                    Step::RecordElsewhere { channel, to, hours } => {
                        insert_behind_its_back(&other, channels[channel], people[to], at(hours));
                    }
                    Step::End { channel, hours } => {
                        record_end(&store, channels[channel], at(hours)).await;
                    }
                    Step::Undo { channel } => {
                        let _ = store
                            .undo_latest(&c(channels[channel]), None, move |s, _| match s.current {
                                Some(_) => Ok(Undo { by: u("ann"), at: base }),
                                None => Err(()),
                            })
                            .await
                            .unwrap();
                    }
                    Step::Ask { hours, days } => {
                        let (start, end) = (at(hours), at(hours) + chrono::Duration::days(days));
                        let (people, channels) = (people.map(u), channels.map(c));
                        let scopes = people
                            .iter()
                            .map(PayScope::Person)
                            .chain(channels.iter().map(PayScope::Channel))
                            .chain([PayScope::All]);
                        for scope in scopes {
                            let from_memory = store.pay_history(start, end, scope).await.unwrap();
                            let by_sql = pay_by_sql(&other, start, end, scope);
                            assert_eq!(from_memory, by_sql, "{scope:?} from {start} to {end}");
                        }
                    }
                }
            }
        });
    }
}

#[tokio::test]
async fn a_reminder_is_claimed_once_and_a_stale_unsent_claim_is_taken_over() {
    let (_dir, store) = temp_store().await;
    let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    let nine = t("2025-03-03T09:00:00Z");
    let stale = |now: DateTime<Utc>| now - chrono::Duration::minutes(5);
    assert_eq!(
        store
            .claim_reminder(&c("ops"), day, "a", nine, stale(nine))
            .await
            .unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store
            .claim_reminder(&c("ops"), day, "b", nine, stale(nine))
            .await
            .unwrap(),
        Claim::Taken
    );
    let later = t("2025-03-03T09:06:00Z");
    assert_eq!(
        store
            .claim_reminder(&c("ops"), day, "b", later, stale(later))
            .await
            .unwrap(),
        Claim::Claimed
    );
    store
        .mark_reminder_sent(&c("ops"), day, later)
        .await
        .unwrap();
    let much_later = t("2025-03-03T12:00:00Z");
    assert_eq!(
        store
            .claim_reminder(&c("ops"), day, "c", much_later, stale(much_later))
            .await
            .unwrap(),
        Claim::Taken
    );
}

#[tokio::test]
async fn a_claim_is_released_only_by_its_claimant_not_by_the_copy_it_was_taken_from() {
    let (_dir, store) = temp_store().await;
    let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    let stale = |now: DateTime<Utc>| now - chrono::Duration::minutes(5);
    let claim = |who: &'static str, at: &'static str| {
        let store = store.clone();
        async move {
            let at = t(at);
            store
                .claim_reminder(&c("ops"), day, who, at, stale(at))
                .await
                .unwrap()
        }
    };
    assert_eq!(claim("a", "2025-03-03T09:00:00Z").await, Claim::Claimed);
    // A's claim went stale (its post hung) and B took it over; A's post then fails for good.
    assert_eq!(claim("b", "2025-03-03T09:06:00Z").await, Claim::Claimed);
    store.release_reminder(&c("ops"), day, "a").await.unwrap();
    // B's claim stands: a third copy may not post too.
    assert_eq!(claim("c", "2025-03-03T09:07:00Z").await, Claim::Taken);
    // B's own release frees it.
    store.release_reminder(&c("ops"), day, "b").await.unwrap();
    assert_eq!(claim("c", "2025-03-03T09:08:00Z").await, Claim::Claimed);
}

#[tokio::test]
async fn a_database_from_a_newer_baton_is_refused_with_advice() {
    let (dir, store) = temp_store().await;
    store.close().await;
    other_process(&dir)
        .execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'future', 1, x'00', 0)",
            [],
        )
        .unwrap();
    let err = SqliteStore::open(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                version: 99990101000000,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("written by a newer Baton"));
}

#[tokio::test]
async fn a_database_with_migrations_baton_does_not_know_is_left_as_it_was() {
    // Another sqlx program's database: a migrations table, none of the versions Baton's, and
    // not in WAL mode. Refused before any connection could switch it to WAL.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT, \
             installed_on TEXT, success BOOLEAN, checksum BLOB, execution_time BIGINT);
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (1, 'theirs', 1, x'00', 0);",
        )
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let err = SqliteStore::open(other.to_str().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { version: 1, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read(&other).unwrap(), before, "nothing written");
    assert!(!dir.path().join("other.db-wal").exists());
}

#[tokio::test]
async fn an_unwritable_path_names_the_path() {
    let err = SqliteStore::open("/proc/no-such-dir/baton.db")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot open the database at /proc/no-such-dir/baton.db"),
        "{err}"
    );
}

#[tokio::test]
async fn an_in_memory_blank_or_foreign_database_is_refused_because_nothing_would_be_kept() {
    for url in [
        "sqlite::memory:",
        "sqlite://:memory:",
        "sqlite://?mode=memory",
        ":memory:",
        // Blank, as a stray space in an env file leaves it: not a file named "  ".
        "",
        "  ",
        // Its password is never shown.
        "postgres://baton:secret@db/baton",
    ] {
        let err = SqliteStore::open(url).await.unwrap_err();
        assert!(matches!(err, StoreError::BadUrl(_)), "{url}: {err}");
        assert!(!err.to_string().contains("secret"), "{url}: {err}");
        assert!(err.to_string().contains("use a file path"), "{err}");
    }
}

#[tokio::test]
async fn a_closed_store_leaves_every_handover_in_the_database_file_itself() {
    let (dir, store) = temp_store().await;
    // Pay's index opens its read-only counter connection, which outlives the writer's.
    store
        .pay_history(
            t("2025-03-01T00:00:00Z"),
            t("2025-04-01T00:00:00Z"),
            PayScope::All,
        )
        .await
        .unwrap();
    for day in 1..=9 {
        record(
            &store,
            "C1",
            if day % 2 == 0 { "U1" } else { "U2" },
            &format!("2025-03-0{day}T09:00:00Z"),
        )
        .await;
    }
    store.close().await;
    // A backup of the file alone, without its -wal: every handover is in it.
    let copy = dir.path().join("backup.db");
    std::fs::copy(dir.path().join("t.db"), &copy).unwrap();
    let conn = Connection::open(&copy).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM handovers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 9);
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_and_its_wal_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store().await;
    record(&store, "C0OPS", "U0BOB", "2025-06-02T09:00:00Z").await;
    for name in ["t.db", "t.db-wal", "t.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(name)).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600), "{name}");
    }
    store.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_made_through_a_link_that_names_no_file_yet_is_its_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    // A link to a link, the last relative to its own directory, naming a file not there yet.
    std::os::unix::fs::symlink("real.db", dir.path().join("data/next.db")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("data/next.db"), dir.path().join("t.db")).unwrap();
    let store = SqliteStore::open(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap();
    record(&store, "C0OPS", "U0BOB", "2025-06-02T09:00:00Z").await;
    for name in ["real.db", "real.db-wal", "real.db-shm"] {
        let path = dir.path().join("data").join(name);
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600), "{name}");
    }
    store.close().await;
}

#[tokio::test]
async fn an_end_of_standby_is_stored_as_nobody_on_call_and_pays_nobody() {
    let (_dir, store) = temp_store().await;
    record(&store, "ops", "ann", "2025-03-03T09:00:00Z").await;
    let ended = record_end(&store, "ops", t("2025-03-05T09:00:00Z")).await;
    assert_eq!((ended.from, ended.to), (Some(u("ann")), None));
    let state = store.channel_state(&c("ops")).await.unwrap();
    assert_eq!(state.on_call(), None);
    assert_eq!(state.current.map(|h| h.id), Some(ended.id));
    // Read back as written, in the history and in pay's rows.
    let history = store.history(&c("ops"), 10).await.unwrap();
    assert_eq!(history[0].to, None);
    let march = (t("2025-03-01T00:00:00Z"), t("2025-04-01T00:00:00Z"));
    let rotas = store
        .pay_history(march.0, march.1, PayScope::All)
        .await
        .unwrap();
    let points: Vec<Option<UserId>> = rotas[0].handovers.iter().map(|p| p.to.clone()).collect();
    assert_eq!(points, [Some(u("ann")), None]);
    // Nobody is on call in it, so no reminder is due there.
    let now = t("2025-03-10T09:00:00Z");
    assert!(store.channels_on_call(now).await.unwrap().is_empty());
    store.close().await;
}

/// How many handovers of March 2025 a Baton database at `path` holds, read as a report does.
async fn march_handovers(path: &std::path::Path) -> usize {
    let store = ReadOnlyStore::open(path.to_str().unwrap()).await.unwrap();
    let rows = store
        .pay_history(
            t("2025-03-01T00:00:00Z"),
            t("2025-04-01T00:00:00Z"),
            PayScope::All,
        )
        .await
        .unwrap();
    rows.iter().map(|r| r.handovers.len()).sum()
}

#[tokio::test]
async fn a_backup_taken_while_baton_writes_holds_every_committed_handover_in_one_file() {
    let (dir, store) = temp_store().await;
    for day in 1..=5 {
        record(&store, "C1", "U1", &format!("2025-03-0{day}T09:00:00Z")).await;
    }
    // Baton is still running: its writer holds the database open, the newest rows in the WAL.
    let live = dir.path().join("t.db");
    let copy = dir.path().join("copy.db");
    assert_eq!(back_up(live.to_str().unwrap(), &copy).await.unwrap(), 5);
    record(&store, "C1", "U2", "2025-03-06T09:00:00Z").await;
    // The copy alone, without a -wal beside it, is whole, and a Baton database.
    assert!(!dir.path().join("copy.db-wal").exists());
    assert_eq!(march_handovers(&copy).await, 5);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // An existing file is never overwritten.
    let again = back_up(live.to_str().unwrap(), &copy).await.unwrap_err();
    assert!(matches!(again, StoreError::Backup { .. }), "{again}");
    assert_eq!(march_handovers(&copy).await, 5);
    store.close().await;
}

#[tokio::test]
async fn a_backup_is_taken_of_a_database_from_an_older_baton_before_an_upgrade() {
    let (dir, store) = temp_store().await;
    record(&store, "C1", "U1", "2025-03-01T09:00:00Z").await;
    store.close().await;
    let live = dir.path().join("t.db");
    // As if the newest migration had not been applied: an older Baton's database, which the
    // new binary backs up before it is first started on it.
    let conn = Connection::open(&live).unwrap();
    conn.execute(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(matches!(
        ReadOnlyStore::open(live.to_str().unwrap()).await,
        Err(StoreError::OlderSchema { .. })
    ));
    let copy = dir.path().join("before-upgrade.db");
    assert_eq!(back_up(live.to_str().unwrap(), &copy).await.unwrap(), 1);
    // Not a Baton database at all: refused, and nothing written.
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let nowhere = dir.path().join("other-copy.db");
    assert!(matches!(
        back_up(other.to_str().unwrap(), &nowhere).await,
        Err(StoreError::NotBaton(_))
    ));
    assert!(!nowhere.exists());
}

#[tokio::test]
async fn another_programs_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    // Even one with a table of the name Baton's first migration creates.
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE handovers (x); INSERT INTO handovers VALUES (1);")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let err = SqliteStore::open(other.to_str().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotBaton(_)), "{err}");
    assert!(err.to_string().contains("is not a Baton database"), "{err}");
    assert_eq!(std::fs::read(&other).unwrap(), before, "nothing written");
    assert!(!dir.path().join("other.db-wal").exists());
    // An empty file is a new database, as a missing one is.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let store = SqliteStore::open(empty.to_str().unwrap()).await.unwrap();
    store.close().await;
}
