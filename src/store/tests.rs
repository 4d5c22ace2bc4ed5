//! Store tests on a temporary SQLite file: the race rule, dedup, the pay window, reminder
//! claims, and refusals at open.

use super::*;

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
        to: u(to),
        effective_at: t(at),
        recorded_at: t(at),
        recorded_by: u(to),
        notes: String::new(),
    }
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
        assert_eq!(pair[0].from.as_ref(), Some(&pair[1].to));
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
async fn a_redelivered_undo_undoes_one_handover_not_two() {
    let (_dir, store) = temp_store().await;
    record(&store, "ops", "ann", "2025-03-03T09:00:00Z").await;
    record(&store, "ops", "bob", "2025-03-04T09:00:00Z").await;
    let undo = |_: &ChannelState| {
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
    assert_eq!(first.handover.to, u("bob"));
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
        .undo_latest(&c("ops"), None, |_| {
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
                r.handovers.iter().map(|h| h.to.to_string()).collect(),
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

/// A year of weekly handovers in 50 channels is 2,600 rows: one engineer's `/oncall-pay` must
/// find their rows through the indexes, not by reading every handover ever recorded.
#[tokio::test]
async fn pay_for_one_person_or_channel_reads_handovers_by_index_never_by_a_full_scan() {
    let (_dir, store) = temp_store().await;
    let mut conn = store.reader.acquire().await.unwrap();
    for sql in [PAY_PERSON, PAY_CHANNEL] {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let plan = sqlx::query(&explain).bind(0_i64).bind(1_i64).bind("U0CAT");
        let steps: Vec<String> = plan
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|row| sqlx::Row::get::<String, _>(row, "detail"))
            .collect();
        let scans: Vec<&String> = steps
            .iter()
            .filter(|step| step.starts_with("SCAN h") || step.starts_with("SCAN p"))
            .collect();
        assert!(scans.is_empty(), "{sql}\n{steps:#?}");
        assert!(
            steps
                .iter()
                .any(|s| s.contains("USING INDEX handovers_by_channel_time")),
            "{steps:#?}"
        );
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
async fn a_database_from_a_newer_baton_is_refused_with_advice() {
    let (dir, store) = temp_store().await;
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'future', 1, x'00', 0)")
        .execute(&store.reader)
        .await
        .unwrap();
    store.close().await;
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
async fn an_in_memory_database_is_refused_because_nothing_would_be_kept() {
    for url in [
        "sqlite::memory:",
        "sqlite://:memory:",
        "sqlite://?mode=memory",
        ":memory:",
    ] {
        let err = SqliteStore::open(url).await.unwrap_err();
        assert!(matches!(err, StoreError::BadUrl(_)), "{url}: {err}");
        assert!(err.to_string().contains("use a file path"), "{err}");
    }
}
