//! Socket loss with commands in flight. `tests/slack/connection.rs` shows Baton reconnects after
//! a `disconnect` or a dropped socket when idle; these lose the sockets mid-stream and check that
//! no confirmed handover is lost or doubled, and that every command after reconnection is
//! answered.

use super::support::baton::Baton;
use super::support::fake_slack::{FakeSlack, Fault};
use super::{inspect, mention, workspace, ALICE, BOB, WAIT};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const BEFORE: usize = 24;
const AFTER: usize = 12;

fn channel(i: usize) -> String {
    format!("C0SOCK{i:04}")
}

/// Fires `BEFORE` first handovers (each in its own channel) at once, pulls `trigger` while they
/// are in flight, then: resends each one that got no ack exactly as before (as a person clicking
/// again would, with the same `trigger_id`), sends `AFTER` new ones, and checks that every one
/// is answered and every channel holds exactly one handover.
async fn loses_nothing_when(trigger: impl FnOnce(&FakeSlack)) {
    let slack = Arc::new(workspace().await);
    let baton = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let payloads: Vec<_> = (0..BEFORE)
        .map(|i| slack.slash_payload(ALICE, &channel(i), "/handover", &mention(BOB)))
        .collect();
    let sends: Vec<_> = payloads
        .iter()
        .cloned()
        .map(|payload| {
            let slack = slack.clone();
            tokio::spawn(async move {
                slack
                    .send_envelope("slash_commands", payload, true, None)
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(2)).await;
    trigger(&slack);
    let mut lost = Vec::new();
    for (send, payload) in sends.into_iter().zip(payloads) {
        match send.await.unwrap() {
            Ok(ack) => assert_eq!(ack.response_type(), "in_channel", "{}", ack.text()),
            Err(_) => lost.push(payload),
        }
    }
    slack
        .wait_for_sockets_accepted(4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.wait_for_connections(2, WAIT).await.unwrap();
    eprintln!("{} of {BEFORE} in flight got no ack", lost.len());
    for payload in lost {
        let ack = slack
            .send_envelope("slash_commands", payload, true, None)
            .await
            .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
        assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
    }
    for i in BEFORE..BEFORE + AFTER {
        let ack = slack
            .slash_command(ALICE, &channel(i), "/handover", &mention(BOB))
            .await
            .unwrap_or_else(|e| panic!("after reconnection: {e}: {}", baton.stderr()));
        assert!(ack.text().contains(&format!("<@{BOB}>")), "{}", ack.text());
    }
    // And an operator reading the log at info sees that it listens again.
    let deadline = std::time::Instant::now() + WAIT;
    while baton
        .stderr()
        .matches("Socket Mode connection open again")
        .count()
        < 2
    {
        assert!(std::time::Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut per_channel: HashMap<String, usize> = HashMap::new();
    for row in inspect(&baton.db_path()).await {
        *per_channel.entry(row.channel).or_default() += 1;
    }
    for i in 0..BEFORE + AFTER {
        assert_eq!(per_channel.get(&channel(i)), Some(&1), "{}", channel(i));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_dropped_without_a_word_mid_stream_lose_and_double_nothing() {
    loses_nothing_when(FakeSlack::drop_all_sockets).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_requested_disconnect_mid_stream_loses_and_doubles_nothing() {
    loses_nothing_when(|slack| slack.disconnect_all("refresh_requested")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_then_close_mid_stream_loses_and_doubles_nothing() {
    loses_nothing_when(|slack| {
        slack.disconnect_all("warning");
        slack.close_all();
    })
    .await;
}

/// The app-level token revoked while Baton runs: no socket can open again, so Baton stops with
/// the same kind of line as at startup, instead of staying up deaf and retrying forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_token_revoked_while_running_stops_baton_with_one_line_saying_so() {
    let slack = workspace().await;
    let mut baton = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.fail_next(
        "apps.connections.open",
        Fault::SlackError("token_revoked".into()),
        100,
    );
    slack.disconnect_all("refresh_requested");
    let status = baton.wait_exit(WAIT).await.expect("baton stops");
    let stderr = baton.stderr();
    assert_eq!(status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("baton: Slack refused SLACK_APP_TOKEN (`token_revoked`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ERROR") && stderr.contains("Slack refused SLACK_APP_TOKEN: stopping"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains(slack.app_token()), "{stderr}");
}
