//! Socket loss with commands in flight. `tests/slack/connection.rs` shows Baton reconnects after
//! a `disconnect` or a dropped socket when idle; these lose the sockets mid-stream and check that
//! no confirmed handover is lost or doubled, and that every command after reconnection is
//! answered. And a link gone silent without closing, which only Baton's pings find out.

use super::support::baton::Baton;
use super::support::fake_slack::{FakeSlack, Fault};
use super::{eventually, inspect, mention, workspace, ALICE, BOB, OPS, WAIT};
use std::collections::HashMap;
use std::time::Duration;

const BEFORE: usize = 24;
const AFTER: usize = 12;
/// How long the fake holds Baton's first `users.info` (for Bob, whom every handover names, and
/// whose lookup they all share): every handover is in Baton's hands, unanswered, for at least
/// this long. Well inside the directory's 1 s limit on a lookup.
const LOOKUP_DELAY: Duration = Duration::from_millis(400);

fn channel(i: usize) -> String {
    format!("C0SOCK{i:04}")
}

/// What becomes of the handovers in flight when the trigger is pulled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    /// Their socket goes with their acks: some get none, and are resent.
    SomeLost,
    /// Slack asked for new sockets but left the old ones open: each is acked on the socket it
    /// came on.
    AckedOnTheOldSockets,
}

/// Fires `BEFORE` first handovers (each in its own channel) at once and pulls `trigger` while
/// every one is waiting on Baton's lookup of Bob, then: checks what became of them (`expect`),
/// resends each one that got no ack exactly as before (as a person clicking again would, with the
/// same `trigger_id`), sends `AFTER` new ones, and checks that every one is answered and every
/// channel holds exactly one handover.
async fn loses_nothing_when(trigger: impl FnOnce(&FakeSlack), expect: InFlight) {
    let slack = workspace().await;
    let baton = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.fail_next("users.info", Fault::Delay(LOOKUP_DELAY), 10);
    let before = slack.connection_ids();
    let payloads: Vec<_> = (0..BEFORE)
        .map(|i| slack.slash_payload(ALICE, &channel(i), "/handover", &mention(BOB)))
        .collect();
    let sends = payloads
        .iter()
        .map(|payload| slack.send_envelope("slash_commands", payload.clone(), true, None));
    let (acks, ()) = tokio::join!(futures_util::future::join_all(sends), async {
        // Every envelope is on its way (none can be acked before the lookup ends).
        eventually("every handover is sent", WAIT, || {
            slack.pending_envelopes() == BEFORE
        })
        .await;
        trigger(&slack);
    });
    let mut lost = Vec::new();
    for (ack, payload) in acks.into_iter().zip(payloads) {
        match ack {
            Ok(ack) => {
                assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
                if expect == InFlight::AckedOnTheOldSockets {
                    assert!(
                        before.contains(&ack.connection),
                        "acked on socket {}, opened after the trigger (before: {before:?})",
                        ack.connection
                    );
                    assert!(ack.latency >= LOOKUP_DELAY, "{:?}", ack.latency);
                }
            }
            Err(_) => lost.push(payload),
        }
    }
    eprintln!("{} of {BEFORE} in flight got no ack", lost.len());
    match expect {
        InFlight::SomeLost => assert!(!lost.is_empty(), "every handover in flight was acked"),
        InFlight::AckedOnTheOldSockets => {
            assert!(lost.is_empty(), "{} of {BEFORE} got no ack", lost.len())
        }
    }
    slack
        .wait_for_sockets_accepted(4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.wait_for_connections(2, WAIT).await.unwrap();
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
    // (The fake records a call when it answers it.)
    assert!(
        !slack.calls_to("users.info").is_empty(),
        "Baton looked Bob up: the handovers waited on it"
    );
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
    loses_nothing_when(FakeSlack::drop_all_sockets, InFlight::SomeLost).await;
}

/// Slack's `refresh_requested` leaves the old socket open: Baton opens new ones and goes on
/// acking what it has in hand on the old (module docs of `src/slack/socket.rs`), so nothing in
/// flight needs resending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_requested_disconnect_mid_stream_acks_everything_in_hand_on_the_old_sockets() {
    loses_nothing_when(
        |slack| slack.disconnect_all("refresh_requested"),
        InFlight::AckedOnTheOldSockets,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_requested_disconnect_then_close_mid_stream_loses_and_doubles_nothing() {
    loses_nothing_when(
        |slack| {
            slack.disconnect_all("refresh_requested");
            slack.close_all();
        },
        InFlight::SomeLost,
    )
    .await;
}

/// A link that goes silent without closing (a NAT or proxy that forgot the connection): no EOF,
/// no error, only pings that are never answered. Baton gives such a socket up after `PONG_LIMIT`
/// (30 s) without a pong, checked at each ping (every 10 s), so 30 to 40 s in, and listens
/// again on new ones. Takes that long: the product's own timings, nothing shortened for the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_gone_silent_without_closing_is_given_up_after_its_pongs_stop_and_replaced() {
    let slack = workspace().await;
    // Before the sockets open, so before their last pong (none comes after the silence).
    let started = std::time::Instant::now();
    let baton = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let opened = slack.connections_opened();
    let silenced_at = std::time::Instant::now();
    slack.silence_all_sockets();
    eventually("both sockets go silent", WAIT, || {
        slack.silent_sockets() == 2
    })
    .await;
    assert_eq!(slack.open_connections(), 0);
    // 40 s by the constants; generous on top for a loaded machine.
    let limit = Duration::from_secs(60);
    slack
        .wait_for_connections(2, limit)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let replaced_after = silenced_at.elapsed();
    assert!(slack.connections_opened() >= opened + 2);
    // Not before the pongs had been missing for the whole limit (a ping tick just past 30 s
    // finds it, or the next one at 40 s).
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "replaced {replaced_after:?} after the silence, {:?} after the start",
        started.elapsed()
    );
    // The old sockets were never closed: nothing but the missing pongs told Baton.
    assert_eq!(slack.silent_sockets(), 2);
    let log = baton.stderr();
    let warnings = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("no pong from Slack; reconnecting"))
        .count();
    assert_eq!(warnings, 2, "{log}");
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &mention(BOB))
        .await
        .unwrap_or_else(|e| panic!("after reconnection: {e}: {}", baton.stderr()));
    assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
    assert!(ack.text().contains(&format!("<@{BOB}>")), "{}", ack.text());
    eprintln!("silent sockets replaced after {replaced_after:?}");
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
