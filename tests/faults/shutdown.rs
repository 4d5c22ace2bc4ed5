//! Stopping while the database is held by another process (a console, an `sqlite3` shell): the
//! stop still fits the 10 s a supervisor gives before SIGKILL, and a second signal stops at once.

use super::support::baton::Baton;
use super::{mention, workspace, ALICE, BOB, WAIT};
use std::time::{Duration, Instant};

/// Starts Baton, then takes the database's write lock from another connection and sends
/// handovers that queue behind it. Returns Baton and the connection holding the lock.
async fn stuck_behind_a_lock(
    slack: &std::sync::Arc<super::support::fake_slack::FakeSlack>,
) -> (Baton, rusqlite::Connection) {
    let baton = Baton::start(slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let lock = rusqlite::Connection::open(baton.db_path()).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let send = |i: usize| {
        let slack = slack.clone();
        tokio::spawn(async move {
            let _ = slack
                .slash_command(ALICE, &format!("C0LOCK{i:04}"), "/handover", &mention(BOB))
                .await;
        });
    };
    // The first reaches Baton's engine (which looks Bob up), then its writer, which waits on the
    // lock for its busy timeout; the next two queue behind it, for a second wait as long.
    send(0);
    let deadline = Instant::now() + WAIT;
    while slack.calls_to("users.info").is_empty() {
        assert!(Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(1);
    send(2);
    tokio::time::sleep(Duration::from_millis(300)).await;
    (baton, lock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_the_database_locked_elsewhere_ends_within_ten_seconds() {
    let slack = std::sync::Arc::new(workspace().await);
    let (mut baton, lock) = stuck_behind_a_lock(&slack).await;
    let asked = Instant::now();
    baton.terminate();
    let status = baton
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("baton exits");
    let took = asked.elapsed();
    drop(lock);
    assert!(status.success(), "{status}: {}", baton.stderr());
    // At most 3 s for the commands in hand and 3 s for the database, with a margin: unbounded,
    // the two queued batches' waits for the lock (5 s each, one after the other) took ~9.5 s.
    eprintln!("stopped {took:?} after SIGTERM");
    assert!(
        took < Duration::from_secs(8),
        "{took:?}: {}",
        baton.stderr()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_stop_signal_stops_at_once() {
    let slack = std::sync::Arc::new(workspace().await);
    let (mut baton, lock) = stuck_behind_a_lock(&slack).await;
    baton.terminate();
    let deadline = Instant::now() + WAIT;
    while !baton.stderr().contains("shutting down") {
        assert!(Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let asked = Instant::now();
    baton.terminate();
    let status = baton.wait_exit(WAIT).await.expect("baton exits");
    let took = asked.elapsed();
    drop(lock);
    assert_eq!(
        status.code(),
        Some(143),
        "SIGTERM is 15: {}",
        baton.stderr()
    );
    // Well before the 3 s the commands in hand are given.
    assert!(took < Duration::from_secs(2), "{took:?}");
}
