//! Crash safety: `kill -9` during a stream of handovers, then a restart on the same database.

use super::support::baton::Baton;
use super::support::fake_slack::FakeSlack;
use super::{dedup_key, eventually, inspect, mention, workspace, Row, ALICE, BOB, OPS, WAIT};
use std::time::Duration;

/// How long after sending the last handover the process is killed: before it is read, while it
/// is being decided or written, around the commit, and after its ack.
const KILL_AFTER: [Duration; 9] = [
    Duration::ZERO,
    Duration::from_micros(100),
    Duration::from_micros(300),
    Duration::from_micros(700),
    Duration::from_millis(1),
    Duration::from_micros(1_300),
    Duration::from_micros(1_600),
    Duration::from_millis(2),
    Duration::from_millis(50),
];
/// Handovers confirmed before each kill.
const CONFIRMED_PER_ROUND: usize = 3;

fn other(user: &str) -> &'static str {
    if user == ALICE {
        BOB
    } else {
        ALICE
    }
}

/// Starts Baton on the database at `url` and waits until both its sockets are connected.
async fn start(slack: &FakeSlack, url: &str) -> Baton {
    let accepted = slack.sockets_accepted();
    let baton = Baton::start_with(slack, &[("DATABASE_URL", Some(url))]);
    slack
        .wait_for_sockets_accepted(accepted + 2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.wait_for_connections(2, WAIT).await.unwrap();
    baton
}

/// Waits for a killed Baton to be gone and its sockets closed.
async fn gone(slack: &FakeSlack, baton: &mut Baton) {
    assert!(baton.wait_exit(WAIT).await.is_some(), "killed");
    eventually("the killed bot's sockets close", WAIT, || {
        slack.open_sockets() == 0
    })
    .await;
}

/// A slash command's Socket Mode frame with an envelope id of its own: (id, frame).
fn envelope(prefix: &str, payload: &serde_json::Value) -> (String, String) {
    let id = format!("{prefix}-{}", dedup_key(payload));
    let frame = serde_json::json!({
        "envelope_id": id,
        "type": "slash_commands",
        "payload": payload,
        "accepts_response_payload": true,
    });
    (id, frame.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_confirmed_handover_survives_kill_9_in_order_and_once() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("baton.db");
    let url = super::database_url(&db);
    // (dedup key, new holder) of every handover Baton confirmed in an ack, in order.
    let mut confirmed: Vec<(String, String)> = Vec::new();
    let mut holder = ALICE.to_owned();
    let mut in_flight_outcomes = (0, 0); // (recorded, absent) among the unconfirmed ones
    for kill_after in KILL_AFTER {
        let mut baton = start(&slack, &url).await;
        for _ in 0..CONFIRMED_PER_ROUND {
            let to = other(&holder);
            let payload = slack.slash_payload(&holder, OPS, "/handover", &mention(to));
            let key = dedup_key(&payload);
            let ack = slack
                .send_envelope("slash_commands", payload, true, None)
                .await
                .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
            assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
            confirmed.push((key, to.to_owned()));
            holder = to.to_owned();
        }
        // One more, killed `kill_after` after it was sent.
        let to = other(&holder);
        let payload = slack.slash_payload(&holder, OPS, "/handover", &mention(to));
        let key = dedup_key(&payload);
        let (id, frame) = envelope("crash", &payload);
        let send = slack.send_with_id(id, frame, Duration::from_secs(3));
        let (ack, ()) = tokio::join!(send, async {
            // `send` has been polled once: the envelope is on its way. A thread sleep, because
            // tokio's timer cannot wait less than a millisecond.
            std::thread::sleep(kill_after);
            baton.kill();
        });
        let in_flight = match ack {
            Ok(ack) => {
                assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
                confirmed.push((key, to.to_owned()));
                holder = to.to_owned();
                None
            }
            Err(_) => Some((key, to.to_owned())),
        };
        eprintln!(
            "killed {kill_after:?} after sending: {}",
            if in_flight.is_some() {
                "no ack"
            } else {
                "acked"
            }
        );
        gone(&slack, &mut baton).await;

        let rows: Vec<_> = inspect(&db)
            .await
            .into_iter()
            .filter(|r| r.channel == OPS)
            .collect();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let expected: Vec<i64> = (1..=rows.len() as i64).collect();
        assert_eq!(seqs, expected, "one chain, no gaps, nothing twice");
        let recorded: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.dedup_key.clone().unwrap_or_default(), r.to.clone()))
            .collect();
        assert_eq!(
            &recorded[..confirmed.len().min(recorded.len())],
            &confirmed[..],
            "every confirmed handover is there, in order"
        );
        match recorded.len() - confirmed.len() {
            0 => in_flight_outcomes.1 += usize::from(in_flight.is_some()),
            1 => {
                // The unconfirmed one committed before the kill: wholly there.
                let extra = recorded.last().cloned();
                assert_eq!(extra, in_flight, "only the one in flight may be extra");
                let (key, to) = extra.unwrap();
                confirmed.push((key, to.clone()));
                holder = to;
                in_flight_outcomes.0 += 1;
            }
            n => panic!("{n} handovers recorded beyond those confirmed"),
        }
    }
    eprintln!(
        "{} kills: {} unconfirmed handovers were committed, {} were absent",
        KILL_AFTER.len(),
        in_flight_outcomes.0,
        in_flight_outcomes.1
    );

    // After the last crash Baton starts on the same database and knows who is on call.
    let _baton = start(&slack, &url).await;
    let status = slack
        .slash_command(ALICE, OPS, "/handover", "")
        .await
        .unwrap();
    // The status names both people ("<@TO> is on call here since …", then where it came from):
    // the one on call comes first.
    assert!(
        status
            .text()
            .starts_with(&format!("<@{holder}> is on call")),
        "{}",
        status.text()
    );
}

/// How long after a burst is sent the process is killed: the burst's handovers share the
/// writer's transactions (group commit), so a kill can fall inside one holding many of them.
/// Spread wide because a burst's time depends on the build and the machine; each run has seen
/// kills before any ack, between a commit and its acks, and after.
const BURST_KILL_AFTER: [Duration; 7] = [
    Duration::from_millis(1),
    Duration::from_millis(4),
    Duration::from_millis(8),
    Duration::from_millis(11),
    Duration::from_millis(14),
    Duration::from_millis(18),
    Duration::from_millis(25),
];
/// Handovers in flight at once in a burst, each the first of its own channel.
const BURST: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_a_burst_loses_nothing_confirmed_and_redelivery_records_each_once() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("baton.db");
    let url = super::database_url(&db);
    let (mut acked_before_kill, mut committed_unacked) = (0, 0);
    for (round, kill_after) in BURST_KILL_AFTER.into_iter().enumerate() {
        let mut baton = start(&slack, &url).await;
        let channels: Vec<String> = (0..BURST)
            .map(|i| format!("C0BURST{round}X{i:02}"))
            .collect();
        let payloads: Vec<_> = channels
            .iter()
            .map(|c| slack.slash_payload(ALICE, c, "/handover", &mention(BOB)))
            .collect();
        let sends = payloads.iter().map(|payload| {
            let (id, frame) = envelope("burst", payload);
            slack.send_with_id(id, frame, Duration::from_secs(3))
        });
        let (acks, ()) = tokio::join!(futures_util::future::join_all(sends), async {
            std::thread::sleep(kill_after);
            baton.kill();
        });
        gone(&slack, &mut baton).await;

        let recorded: Vec<Row> = inspect(&db)
            .await
            .into_iter()
            .filter(|r| channels.contains(&r.channel))
            .collect();
        let mut unacked = Vec::new();
        let acked_so_far = acked_before_kill;
        for ((channel, payload), ack) in channels.iter().zip(&payloads).zip(&acks) {
            let rows: Vec<&Row> = recorded.iter().filter(|r| &r.channel == channel).collect();
            assert!(rows.len() <= 1, "{channel}: recorded twice: {rows:?}");
            match ack {
                Ok(ack) => {
                    assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
                    assert_eq!(rows.len(), 1, "{channel}: confirmed but not recorded");
                    assert_eq!(rows[0].dedup_key.as_deref(), Some(&*dedup_key(payload)));
                    acked_before_kill += 1;
                }
                Err(_) => {
                    committed_unacked += rows.len();
                    unacked.push(payload.clone());
                }
            }
        }

        eprintln!(
            "killed {kill_after:?} after the burst: {} of {BURST} acked",
            acked_before_kill - acked_so_far
        );

        // Slack redelivers what was never acknowledged; each is then recorded exactly once.
        let mut baton = start(&slack, &url).await;
        for payload in unacked {
            let ack = slack
                .send_envelope("slash_commands", payload, true, Some((1, "timeout")))
                .await
                .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
            assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
        }
        baton.kill();
        gone(&slack, &mut baton).await;
        let after = inspect(&db).await;
        let per_channel: Vec<usize> = channels
            .iter()
            .map(|c| after.iter().filter(|r| &r.channel == c).count())
            .collect();
        assert!(
            per_channel.iter().all(|&n| n == 1),
            "after redelivery every channel has its one handover: {per_channel:?}"
        );
    }
    eprintln!(
        "{} bursts of {BURST}: {acked_before_kill} acked before the kill, \
         {committed_unacked} committed but unacked",
        BURST_KILL_AFTER.len()
    );
}

/// (dedup key, new holder) of each handover recorded in #ops, in order. (`inspect` asserts
/// `PRAGMA integrity_check` is `ok` as it opens the database.)
async fn ops_handovers(db: &std::path::Path) -> Vec<(String, String)> {
    inspect(db)
        .await
        .into_iter()
        .filter(|r| r.channel == OPS)
        .map(|r| (r.dedup_key.unwrap_or_default(), r.to))
        .collect()
}

/// Alice starts the rota (Bob on call), then Baton, armed with the crash point `hook` for it,
/// dies on Bob's handover back to Alice, which is never acked. Slack then redelivers that
/// command to a restarted Baton. Returns the handovers recorded after the crash and after the
/// redelivery, the two commands' keys, and the redelivery's ack text.
async fn crash_at(
    hook: &str,
) -> (
    Vec<(String, String)>,
    Vec<(String, String)>,
    [String; 2],
    String,
) {
    let slack = workspace().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("baton.db");
    let url = super::database_url(&db);
    let start_rota = slack.slash_payload(ALICE, OPS, "/handover", &mention(BOB));
    let lost = slack.slash_payload(BOB, OPS, "/handover", &mention(ALICE));
    let keys = [dedup_key(&start_rota), dedup_key(&lost)];
    let mut baton = Baton::start_with(
        &slack,
        &[("DATABASE_URL", Some(&url)), (hook, Some(&keys[1]))],
    );
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let ack = slack
        .send_envelope("slash_commands", start_rota, true, None)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
    let (id, frame) = envelope("lost", &lost);
    let unacked = slack.send_with_id(id, frame, Duration::from_secs(3)).await;
    assert!(
        unacked.is_err(),
        "acked though it crashed ({hook}): {unacked:?}"
    );
    gone(&slack, &mut baton).await;
    let after_crash = ops_handovers(&db).await;

    // Slack redelivers the unacknowledged command to the restarted Baton.
    let _baton = start(&slack, &url).await;
    let (id, frame) = envelope("retry", &lost);
    let ack = slack
        .send_with_id(id, frame, WAIT)
        .await
        .unwrap_or_else(|e| panic!("the redelivery is answered: {e}"));
    assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
    (
        after_crash,
        ops_handovers(&db).await,
        keys,
        ack.text().to_owned(),
    )
}

/// The window a kill hits only by luck, made certain: Baton aborts the moment a handover has
/// committed, before its ack (`BATON_TEST_CRASH_AFTER_COMMITTING`, debug builds only). On
/// restart the handover is there once, and Slack's redelivery of the command gets the first
/// answer and records nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_committed_but_never_acked_is_there_once_and_its_redelivery_records_nothing() {
    let (after_crash, after_redelivery, [first, lost], answer) =
        crash_at("BATON_TEST_CRASH_AFTER_COMMITTING").await;
    let both = [(first, BOB.to_owned()), (lost, ALICE.to_owned())];
    assert_eq!(after_crash, both, "committed, wholly");
    assert!(
        answer.contains(&format!("<@{BOB}> handed the pager to <@{ALICE}>")),
        "{answer}"
    );
    assert_eq!(after_redelivery, both, "nothing recorded twice");
}

/// The other window a kill hits only by luck, made certain: Baton aborts inside the writer's
/// transaction, right after the handover's row is inserted and before the commit
/// (`BATON_TEST_CRASH_BEFORE_COMMITTING`, debug builds only). The handover is wholly absent
/// after the crash, the database passes `PRAGMA integrity_check`, and Slack's redelivery of the
/// unacknowledged command to a restarted Baton records it exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_killed_before_its_commit_is_wholly_absent_and_its_redelivery_records_it_once() {
    let (after_crash, after_redelivery, [first, lost], answer) =
        crash_at("BATON_TEST_CRASH_BEFORE_COMMITTING").await;
    assert_eq!(
        after_crash,
        [(first.clone(), BOB.to_owned())],
        "only the committed handover; the one killed before its commit is wholly absent"
    );
    assert!(
        answer.contains(&format!("<@{BOB}> handed the pager to <@{ALICE}>")),
        "{answer}"
    );
    assert_eq!(
        after_redelivery,
        [(first, BOB.to_owned()), (lost, ALICE.to_owned())],
        "recorded once, after the first"
    );
}
