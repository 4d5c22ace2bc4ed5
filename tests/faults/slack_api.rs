//! Slack's Web API in trouble while Baton runs: the daily reminder's `chat.postMessage` meets
//! 429s and 500s, and slash command acks carry on regardless. (The poster's retry rules alone are
//! tested in `tests/slack/web_api.rs`; here it is the running binary.)

use super::support::baton::Baton;
use super::support::fake_slack::{FakeSlack, FakeUser, Fault};
use super::{workspace, ALICE, BOB, OPS, WAIT};
use baton::domain::ids::{ChannelId, UserId};
use baton::domain::rota::NewHandover;
use baton::store::{SqliteStore, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The shortest retry wait (then 1 s, …): an ack held up by a retry would take at least this.
const ACK_LIMIT: Duration = Duration::from_millis(500);

/// A database where Bob is on call in #ops, and a config whose reminder (every day at midnight)
/// is therefore due the moment Baton starts.
async fn due_reminder(dir: &std::path::Path) -> (String, String) {
    let db = dir.join("baton.db");
    let store = SqliteStore::open(&db.to_string_lossy()).await.unwrap();
    let now = chrono::Utc::now();
    store
        .record_handover(&ChannelId::parse(OPS).unwrap(), None, move |_| {
            Ok::<_, ()>(NewHandover {
                from: None,
                to: Some(UserId::parse(BOB).unwrap()),
                effective_at: now,
                recorded_at: now,
                recorded_by: UserId::parse(ALICE).unwrap(),
                notes: String::new(),
            })
        })
        .await
        .unwrap()
        .unwrap();
    store.close().await;
    let config = dir.join("baton.toml");
    // Alice, an admin, starts the rotas of the channels `acks_while` hands over in.
    let text = format!(
        "admins = [\"{ALICE}\"]\n{}",
        super::support::reminders_due_now()
    );
    std::fs::write(&config, text).unwrap();
    (
        super::database_url(&db),
        config.to_string_lossy().into_owned(),
    )
}

/// Until `done`, sends in turn a status command (which calls no Slack API) and a first handover
/// by Alice in a channel of its own to someone Baton has not looked up yet (so its ack waits for
/// `users.info` while `chat.postMessage` is in trouble); checks each answer and returns the
/// slowest ack and how many were sent.
async fn acks_while(slack: &Arc<FakeSlack>, done: impl Fn() -> bool) -> (Duration, usize) {
    let mut slowest = Duration::ZERO;
    let mut sent = 0;
    let deadline = Instant::now() + WAIT;
    let lookups_before = slack.calls_to("users.info").len();
    let mut handovers = 0;
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        let ack = slack
            .slash_command(ALICE, OPS, "/handover", "")
            .await
            .expect("a status command is acked");
        assert!(ack.text().contains(&format!("<@{BOB}>")), "{}", ack.text());
        slowest = slowest.max(ack.latency);
        sent += 1;

        handovers += 1;
        let (person, channel) = (
            format!("U0NEW{handovers:05}"),
            format!("C0NEW{handovers:05}"),
        );
        slack.add_user(FakeUser::person(&person, &format!("new{handovers}")));
        let ack = slack
            .slash_command(
                ALICE,
                &channel,
                "/handover",
                &format!("<@{person}|new{handovers}>"),
            )
            .await
            .expect("a handover is acked");
        assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
        assert!(
            ack.text().contains(&format!("<@{person}>")),
            "{}",
            ack.text()
        );
        slowest = slowest.max(ack.latency);
        sent += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Each handover's person was looked up with Slack: its ack did wait on the Web API.
    let lookups = slack.calls_to("users.info").len() - lookups_before;
    assert!(
        lookups >= handovers,
        "{lookups} lookups for {handovers} handovers"
    );
    (slowest, sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_then_given_up_with_an_error_while_acks_stay_fast() {
    let slack = Arc::new(workspace().await);
    slack.fail_next("chat.postMessage", Fault::Status(500), 100);
    let dir = tempfile::tempdir().unwrap();
    let (url, config) = due_reminder(dir.path()).await;
    let started = Instant::now();
    let baton = Baton::start_with(
        &slack,
        &[
            ("DATABASE_URL", Some(&url)),
            ("BATON_CONFIG", Some(&config)),
            // Retries for 2 s (attempts at 0, 0.5 and 1.5 s), not the default 90.
            ("SLACK_POST_RETRY_SECS", Some("2")),
        ],
    );
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let gave_up = || {
        baton
            .stderr()
            .lines()
            .any(|l| l.contains("ERROR") && l.contains("gave up on a Slack call"))
    };
    let (slowest, sent) = acks_while(&slack, gave_up).await;
    let took = started.elapsed();
    let log = baton.stderr();
    assert!(sent >= 10, "only {sent} commands sent while retrying");
    assert!(slowest < ACK_LIMIT, "slowest ack {slowest:?} of {sent}");
    assert!(
        took < Duration::from_secs(6),
        "gave up after {took:?}: {log}"
    );
    // Attempts at 0, 0.5 and 1.5 s: the next wait (2 s) would end past the budget. A backoff that
    // did not double would fit a fourth, at 1.5 s, and a fifth.
    let calls = slack.calls_to("chat.postMessage");
    let attempts = calls.len();
    assert!((2..=3).contains(&attempts), "{attempts} attempts: {log}");
    let gaps: Vec<Duration> = calls
        .windows(2)
        .map(|pair| pair[1].at.duration_since(pair[0].at))
        .collect();
    for (gap, backoff) in gaps.iter().zip([500, 1000]) {
        assert!(
            *gap >= Duration::from_millis(backoff),
            "waits {gaps:?}: each at least the backoff, 500 ms doubling"
        );
    }
    assert!(
        log.contains("Slack call failed; retrying"),
        "each retry is logged: {log}"
    );
    let error = log
        .lines()
        .find(|l| l.contains("gave up on a Slack call"))
        .unwrap_or_default();
    assert!(
        error.contains("chat.postMessage") && error.contains("500"),
        "{error}"
    );
    assert!(slack.posted_messages().is_empty());
    eprintln!("{sent} acks while retrying, slowest {slowest:?}; gave up after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_reminder_arrives_once_after_the_wait_while_acks_stay_fast() {
    let slack = Arc::new(workspace().await);
    slack.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        2,
    );
    let dir = tempfile::tempdir().unwrap();
    let (url, config) = due_reminder(dir.path()).await;
    let mut baton = Baton::start_with(
        &slack,
        &[
            ("DATABASE_URL", Some(&url)),
            ("BATON_CONFIG", Some(&config)),
        ],
    );
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let (slowest, sent) = acks_while(&slack, || !slack.posted_messages().is_empty()).await;
    assert!(sent >= 10, "only {sent} commands sent while retrying");
    assert!(slowest < ACK_LIMIT, "slowest ack {slowest:?} of {sent}");
    let calls = slack.calls_to("chat.postMessage");
    assert_eq!(calls.len(), 3, "{}", baton.stderr());
    let posted = slack.posted_messages();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].channel, OPS);
    assert!(
        posted[0].text.contains(&format!("<@{BOB}>")),
        "{}",
        posted[0].text
    );
    let waited = posted[0].at.duration_since(calls[0].at);
    assert!(waited >= Duration::from_secs(2), "{waited:?}");
    // Nothing more arrives: once Baton has stopped, having finished what it had begun, the
    // reminder was still posted once.
    baton.terminate();
    let status = baton.wait_exit(WAIT).await.expect("baton stops on SIGTERM");
    assert!(status.success(), "{}", baton.stderr());
    assert_eq!(slack.posted_messages().len(), 1);
}
