//! Startup, connections, reconnection and shutdown of the real binary.

use super::support::baton::Baton;
use super::support::fake_slack::{Ack, FakeError, FakeSlack, Fault, RawFrame};
use super::{connected, mention, workspace, ALICE, BOB, CAROL, OPS, WAIT};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn baton_opens_two_socket_mode_connections_at_once() {
    let slack = workspace().await;
    let started = std::time::Instant::now();
    let baton = Baton::start(&slack);
    slack.wait_for_connections(2, WAIT).await.unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    eprintln!("both sockets open {took:?} after spawning baton");
    assert_eq!(slack.open_connections(), 2, "{}", baton.stderr());
    // The startup check opens one URL and discards it; each socket opens its own.
    assert_eq!(slack.connections_opened(), 3);
    assert_eq!(slack.calls_to("auth.test").len(), 1);
}

#[tokio::test]
async fn a_second_baton_on_the_same_app_token_is_warned_about() {
    let slack = workspace().await;
    let first = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", first.stderr()));
    let second = Baton::start(&slack);
    let warning = "another Baton (or one that has just stopped) is using the same app token";
    let deadline = std::time::Instant::now() + WAIT;
    while !second.stderr().contains(warning) {
        assert!(
            std::time::Instant::now() < deadline,
            "no warning: {}",
            second.stderr()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The first, alone when it started, said nothing of the kind.
    assert!(!first.stderr().contains(warning), "{}", first.stderr());
}

#[tokio::test]
async fn a_log_written_to_a_pipe_or_file_is_plain_text() {
    let slack = workspace().await;
    let baton = Baton::start(&slack);
    slack.wait_for_connections(2, WAIT).await.unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while !baton.stderr().contains("listening for slash commands") {
        assert!(std::time::Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let log = baton.stderr();
    assert!(log.contains("connected to Slack"), "{log}");
    // Which config, database and how many admins: what an operator checks first.
    assert!(log.contains("config=baton.toml"), "{log}");
    // The file itself, as an absolute path: a URL or a relative path hides where it is.
    let file = std::fs::canonicalize(baton.db_path()).unwrap();
    assert!(
        log.contains(&format!("database={}", file.display())),
        "{log}"
    );
    assert!(log.contains("admins=1"), "{log}");
    // A first start says it made the database (an upgrade names each migration it applied).
    assert!(log.contains("created a new database"), "{log}");
    // Colour codes belong on a terminal; in a log file or journald they are noise.
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

/// Sends `/handover @bob` with `users.info` answering after `delay`, and returns once Baton is
/// waiting for that answer: a command in hand for as long as the delay.
async fn handover_waiting_on_users_info(
    slack: &Arc<FakeSlack>,
    baton: &Baton,
    delay: Duration,
) -> tokio::task::JoinHandle<Result<Ack, FakeError>> {
    slack.fail_next("users.info", Fault::Delay(delay), 1);
    let sent = {
        let slack = slack.clone();
        tokio::spawn(async move {
            slack
                .slash_command(ALICE, OPS, "/handover", &mention(BOB, "bob"))
                .await
        })
    };
    // Not `calls_to`: the fake records a call only as its answer goes out, after the delay.
    slack
        .wait_for_requests("users.info", 1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    sent
}

/// Each envelope is answered in its own task: on a single socket, a command waiting 800 ms for
/// `users.info` does not hold up the quick one sent after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_command_does_not_hold_up_the_next_one_on_the_same_socket() {
    let slack = Arc::new(workspace().await);
    let baton = Baton::start_with(&slack, &[("SLACK_CONNECTIONS", Some("1"))]);
    slack
        .wait_for_connections(1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let slow = handover_waiting_on_users_info(&slack, &baton, Duration::from_millis(800)).await;
    let quick = slack
        .slash_command(ALICE, OPS, "/handover", "help")
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let slow = slow.await.unwrap().expect("the slow command is answered");
    // Held behind the slow one, help would wait most of its 800 ms.
    assert!(
        quick.latency < Duration::from_millis(700),
        "help waited {:?} behind the slow command",
        quick.latency
    );
    assert!(
        slow.latency >= Duration::from_millis(700),
        "{:?}",
        slow.latency
    );
    assert!(
        slow.text().contains(&format!("<@{BOB}>")),
        "{}",
        slow.text()
    );
    assert_eq!(quick.connection, slow.connection, "one socket carried both");
}

#[tokio::test]
async fn the_number_of_connections_is_configurable() {
    let slack = workspace().await;
    let baton = Baton::start_with(&slack, &[("SLACK_CONNECTIONS", Some("4"))]);
    slack
        .wait_for_connections(4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
}

#[tokio::test]
async fn an_api_url_with_a_trailing_slash_works() {
    let slack = workspace().await;
    let url = format!("{}/", slack.api_url());
    let baton = Baton::start_with(&slack, &[("SLACK_API_URL", Some(&url))]);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
}

/// The last line of stderr, which must be the one error line.
async fn failed_startup(slack: &FakeSlack, overrides: &[(&str, Option<&str>)]) -> String {
    let mut baton = Baton::start_with(slack, overrides);
    let status = baton.wait_exit(WAIT).await.expect("baton should exit");
    let stderr = baton.stderr();
    assert!(!status.success(), "exit status {status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(slack.open_sockets(), 0);
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    assert!(last.starts_with("baton: "), "{stderr}");
    // A database opened before Slack refused is closed cleanly: its WAL checkpointed, empty.
    let mut wal = baton.db_path().into_os_string();
    wal.push("-wal");
    let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert_eq!(left, 0, "the database was not closed: {stderr}");
    last
}

#[tokio::test]
async fn an_invalid_bot_token_stops_startup_with_one_line_naming_it() {
    let slack = workspace().await;
    let line = failed_startup(
        &slack,
        &[("SLACK_BOT_TOKEN", Some("xoxb-revoked-secret123"))],
    )
    .await;
    assert!(
        line.contains("SLACK_BOT_TOKEN") && line.contains("invalid_auth"),
        "{line}"
    );
    assert!(!line.contains("secret123"), "{line}");
}

#[tokio::test]
async fn an_invalid_app_token_stops_startup_with_one_line_naming_it() {
    let slack = workspace().await;
    let line = failed_startup(&slack, &[("SLACK_APP_TOKEN", Some("xapp-1-A0-1-stale999"))]).await;
    assert!(
        line.contains("SLACK_APP_TOKEN") && line.contains("invalid_auth"),
        "{line}"
    );
    assert!(!line.contains("stale999"), "{line}");
}

#[tokio::test]
async fn a_missing_or_swapped_token_is_named_before_calling_slack() {
    let slack = workspace().await;
    let line = failed_startup(&slack, &[("SLACK_APP_TOKEN", None)]).await;
    assert!(line.contains("SLACK_APP_TOKEN is not set"), "{line}");
    let swapped = slack.bot_token();
    let line = failed_startup(&slack, &[("SLACK_APP_TOKEN", Some(swapped))]).await;
    assert!(line.contains("SLACK_APP_TOKEN is malformed"), "{line}");
    assert!(slack.api_calls().is_empty());
}

#[tokio::test]
async fn an_unreachable_slack_is_reported_in_one_line() {
    let slack = workspace().await;
    slack.fail_next("auth.test", Fault::Status(503), 1);
    let line = failed_startup(&slack, &[]).await;
    assert!(
        line.contains("cannot reach Slack") && line.contains("503"),
        "{line}"
    );
}

#[tokio::test]
async fn a_slack_that_cannot_be_connected_to_is_reported_with_why() {
    let slack = workspace().await;
    // A port nothing listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    let line = failed_startup(&slack, &[("SLACK_API_URL", Some(&url))]).await;
    assert!(
        line.contains("cannot reach Slack") && line.to_lowercase().contains("refused"),
        "the cause is kept: {line}"
    );
}

#[tokio::test]
async fn sigterm_while_still_connecting_is_a_clean_stop() {
    let slack = workspace().await;
    // Slack is slow to answer the startup check: Baton is still connecting when it is stopped.
    slack.fail_next("auth.test", Fault::Delay(Duration::from_secs(20)), 1);
    let mut baton = Baton::start(&slack);
    // "starting" is logged after the signal handlers are in place, then Baton calls auth.test.
    let deadline = std::time::Instant::now() + WAIT;
    while !baton.stderr().contains("starting") {
        assert!(std::time::Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    baton.terminate();
    let status = baton
        .wait_exit(Duration::from_secs(5))
        .await
        .expect("baton should stop on SIGTERM while connecting");
    assert!(status.success(), "{status:?}: {}", baton.stderr());
    assert!(
        baton
            .stderr()
            .contains("stopped before Baton had connected to Slack"),
        "{}",
        baton.stderr()
    );
}

/// Both sockets come back after `trigger`, and commands are answered afterwards.
async fn reconnects_after(trigger: impl FnOnce(&FakeSlack)) {
    let (slack, baton) = connected().await;
    trigger(&slack);
    slack
        .wait_for_sockets_accepted(4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.wait_for_connections(2, WAIT).await.unwrap();
    assert!(slack.connections_opened() >= 5);
    for _ in 0..4 {
        let ack = slack.slash_command(ALICE, OPS, "/handover", "help").await;
        assert!(ack.is_ok(), "{ack:?}: {}", baton.stderr());
    }
}

#[tokio::test]
async fn baton_reconnects_after_a_refresh_requested_disconnect() {
    reconnects_after(|slack| slack.disconnect_all("refresh_requested")).await;
}

#[tokio::test]
async fn baton_reconnects_after_a_link_disabled_disconnect_and_close() {
    reconnects_after(|slack| {
        slack.disconnect_all("link_disabled");
        slack.close_all();
    })
    .await;
}

/// `too_many_websockets` on sockets that are serving: they are closed once their acks are out,
/// and replaced after a pause, not at once (which would only be refused again).
#[tokio::test]
async fn serving_sockets_refused_for_too_many_connections_are_replaced_after_a_pause() {
    let (slack, baton) = connected().await;
    let opened = slack.connections_opened();
    slack.disconnect_all("too_many_websockets");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        slack.connections_opened(),
        opened,
        "replaced at once: {}",
        baton.stderr()
    );
    slack
        .wait_for_sockets_accepted(4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.wait_for_connections(2, WAIT).await.unwrap();
    let ack = slack.slash_command(ALICE, OPS, "/handover", "help").await;
    assert!(ack.is_ok(), "{ack:?}: {}", baton.stderr());
}

/// Slack's `disconnect` after `hello` on a socket with two handovers in hand (each waiting on
/// `users.info`): both are acked on that socket, once each, with their real answers; Baton opens
/// a new connection, and commands sent on it are answered. Slack redelivers an envelope whose ack
/// never comes, and shows a slash command's person an error after 3 s.
async fn commands_in_hand_are_acked_on_the_socket_told_to_disconnect(reason: &str) {
    const ELSEWHERE: &str = "C0DEV00001";
    let slack = Arc::new(workspace().await);
    let baton = Baton::start_with(&slack, &[("SLACK_CONNECTIONS", Some("1"))]);
    slack
        .wait_for_connections(1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let old = slack.connection_ids()[0];
    let opened = slack.connections_opened();
    // Under the directory's 1 s timeout: the lookups succeed, late.
    slack.fail_next("users.info", Fault::Delay(Duration::from_millis(700)), 2);
    let in_hand: Vec<_> = [(OPS, BOB, "bob"), (ELSEWHERE, CAROL, "carol")]
        .into_iter()
        .map(|(channel, who, name)| {
            let slack = slack.clone();
            tokio::spawn(async move {
                slack
                    .slash_command(ALICE, channel, "/handover", &mention(who, name))
                    .await
            })
        })
        .collect();
    // Both envelopes are read and both commands wait on their lookup.
    slack
        .wait_for_requests("users.info", 2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    slack.disconnect_all(reason);
    for (sent, who) in in_hand.into_iter().zip([BOB, CAROL]) {
        let ack = sent
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
        assert_eq!(ack.connection, old, "acked on another socket");
        assert!(ack.text().contains(&format!("<@{who}>")), "{}", ack.text());
    }
    // A second ack of either envelope would land here.
    assert_eq!(slack.stray_acks(), Vec::<serde_json::Value>::new());
    slack
        .wait_for_connections(1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    assert!(slack.connections_opened() > opened);
    for _ in 0..2 {
        let ack = slack
            .slash_command(ALICE, OPS, "/handover", "help")
            .await
            .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
        assert_ne!(
            ack.connection, old,
            "answered on the socket told to disconnect"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_in_hand_when_slack_asks_for_a_refresh_are_acked_on_the_old_socket() {
    commands_in_hand_are_acked_on_the_socket_told_to_disconnect("refresh_requested").await;
}

/// As for a refresh, but the socket closes after the acks' grace and its replacement opens after
/// a pause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_in_hand_when_slack_refuses_a_serving_socket_are_acked_on_it() {
    commands_in_hand_are_acked_on_the_socket_told_to_disconnect("too_many_websockets").await;
}

/// A Slack that accepts sockets and closes them before `hello` gets a retry after a pause, not a
/// tight loop of `apps.connections.open` calls; Baton connects once it stops.
#[tokio::test]
async fn sockets_closed_before_hello_are_retried_after_a_pause() {
    let slack = workspace().await;
    slack.refuse_next_sockets(2);
    let baton = Baton::start(&slack);
    slack
        .wait_for_sockets_accepted(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        slack.sockets_accepted(),
        2,
        "retried without a pause: {}",
        baton.stderr()
    );
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    assert_eq!(slack.sockets_accepted(), 4);
    assert!(
        baton.stderr().contains("closed before Slack said hello"),
        "{}",
        baton.stderr()
    );
    let ack = slack.slash_command(ALICE, OPS, "/handover", "help").await;
    assert!(ack.is_ok(), "{ack:?}: {}", baton.stderr());
}

/// Slack refuses a socket when the app already has all the connections it allows: a
/// `disconnect` (`too_many_websockets`) before `hello`. Asking again at once only asks again
/// (bolt-js#2225): Baton closes the socket and retries after a pause, then connects.
#[tokio::test]
async fn a_socket_refused_for_too_many_connections_is_retried_after_a_pause() {
    let slack = workspace().await;
    slack.refuse_next_sockets_saying(2, "too_many_websockets");
    let baton = Baton::start(&slack);
    slack
        .wait_for_sockets_accepted(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        slack.sockets_accepted(),
        2,
        "retried without a pause: {}",
        baton.stderr()
    );
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let log = baton.stderr();
    assert!(
        log.contains("Slack refused a Socket Mode connection")
            && log.contains("too_many_websockets"),
        "{log}"
    );
    let ack = slack.slash_command(ALICE, OPS, "/handover", "help").await;
    assert!(ack.is_ok(), "{ack:?}: {}", baton.stderr());
}

#[tokio::test]
async fn baton_reconnects_after_a_socket_is_dropped_without_a_close_frame() {
    reconnects_after(FakeSlack::drop_all_sockets).await;
}

#[tokio::test]
async fn garbage_frames_are_skipped_and_baton_keeps_serving() {
    let (slack, baton) = connected().await;
    slack.send_raw_to_all(RawFrame::Text("this is not json".into()));
    slack.send_raw_to_all(RawFrame::Binary(vec![0, 159, 146, 150]));
    slack.send_raw_to_all(RawFrame::Text(r#"{"type":"hello"}"#.into()));
    // A frame with an envelope id that cannot be read is still acked, so Slack stops resending.
    let unknown = r#"{"envelope_id":"env-mystery","type":"mystery","payload":{}}"#;
    let ack = slack
        .send_with_id("env-mystery".into(), unknown.into(), Duration::from_secs(3))
        .await;
    assert!(ack.is_ok(), "{ack:?}");
    let broken = r#"{"envelope_id":"env-broken","type":"slash_commands","payload":{"text":"x"},"accepts_response_payload":true}"#;
    let ack = slack
        .send_with_id("env-broken".into(), broken.into(), Duration::from_secs(3))
        .await;
    assert!(ack.is_ok(), "{ack:?}");
    let big = "x".repeat(100_000);
    let ack = slack.slash_command(ALICE, OPS, "/handover", &big).await;
    assert!(ack.is_ok(), "{ack:?}");
    let ack = slack.slash_command(ALICE, OPS, "/handover", "help").await;
    assert!(ack.is_ok(), "{ack:?}: {}", baton.stderr());
    assert!(
        !baton.stderr().contains("x".repeat(200).as_str()),
        "payloads must not be logged"
    );
}

#[tokio::test]
async fn sigterm_stops_baton_with_exit_code_zero() {
    let (slack, mut baton) = connected().await;
    slack
        .slash_command(ALICE, OPS, "/handover", "help")
        .await
        .unwrap();
    baton.terminate();
    let status = baton
        .wait_exit(WAIT)
        .await
        .expect("baton should stop on SIGTERM");
    assert!(status.success(), "{status}: {}", baton.stderr());
    assert!(
        baton.stderr().contains("Slack listener stopped"),
        "{}",
        baton.stderr()
    );
}

/// On SIGTERM the command in hand is finished and acked; one that arrives after is left unread
/// and unacked, for Slack to redeliver, and Baton still exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_command_in_hand_and_reads_no_new_one() {
    let slack = Arc::new(workspace().await);
    let mut baton = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let in_hand = handover_waiting_on_users_info(&slack, &baton, Duration::from_millis(700)).await;
    baton.terminate();
    // Logged as the sockets are told to stop reading.
    let deadline = std::time::Instant::now() + WAIT;
    while !baton
        .stderr()
        .contains("shutting down: finishing the commands in hand")
    {
        assert!(std::time::Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let late = slack.slash_command(ALICE, OPS, "/handover", "help").await;
    assert!(late.is_err(), "read after SIGTERM: {late:?}");
    let ack = in_hand
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    assert!(ack.text().contains(&format!("<@{BOB}>")), "{}", ack.text());
    let status = baton.wait_exit(WAIT).await.expect("baton stops on SIGTERM");
    assert!(status.success(), "{status}: {}", baton.stderr());
}

#[tokio::test]
async fn tokens_never_reach_the_log() {
    let (slack, mut baton) = connected().await;
    slack
        .slash_command(ALICE, OPS, "/handover", "help")
        .await
        .unwrap();
    baton.terminate();
    baton.wait_exit(WAIT).await;
    let log = baton.stderr();
    assert!(
        !log.contains(slack.bot_token()) && !log.contains(slack.app_token()),
        "{log}"
    );
    assert!(log.contains("slash command"), "one line per command: {log}");
}

/// Env files and compose files often keep blank keys: a blank variable counts as unset, so a
/// blank `SLACK_CONNECTIONS` leaves the config file's count in force and a blank `BATON_CONFIG`
/// means "no config file", not an error about a flag nobody typed.
#[tokio::test]
async fn blank_environment_variables_count_as_unset() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("baton.toml");
    std::fs::write(&config, "[slack]\nconnections = 3\n").expect("write config");
    let baton = Baton::start_with(
        &slack,
        &[
            ("BATON_CONFIG", Some(config.to_str().unwrap_or_default())),
            ("SLACK_CONNECTIONS", Some("")),
        ],
    );
    if let Err(e) = slack.wait_for_connections(3, WAIT).await {
        panic!("{e}; baton's stderr:\n{}", baton.stderr());
    }
    drop(baton);

    let slack = workspace().await;
    let baton = Baton::start_with(&slack, &[("BATON_CONFIG", Some(""))]);
    if let Err(e) = slack.wait_for_connections(2, WAIT).await {
        panic!("{e}; baton's stderr:\n{}", baton.stderr());
    }
}

/// `apps.connections.open` is limited per app (Tier 1). A 429 on the startup check is not a
/// token problem, so Baton starts and its connections wait as long as Slack asked before
/// opening: a restart loop that exited on it would only keep the limit in force.
#[tokio::test]
async fn a_rate_limited_apps_connections_open_is_waited_out_not_fatal() {
    let slack = workspace().await;
    slack.fail_next(
        "apps.connections.open",
        Fault::RateLimited {
            retry_after_secs: 2,
        },
        3,
    );
    let started = std::time::Instant::now();
    let baton = Baton::start(&slack);
    if let Err(e) = slack.wait_for_connections(2, WAIT).await {
        panic!("{e}; baton's stderr:\n{}", baton.stderr());
    }
    let log = baton.stderr();
    assert!(log.contains("rate-limiting apps.connections.open"), "{log}");
    // The probe and both sockets' first tries were refused; the sockets tried again only after
    // the 2 s Slack asked for, not after the 1 s backoff.
    let opens: Vec<_> = slack.calls_to("apps.connections.open");
    let refused: Vec<_> = opens.iter().filter(|c| c.status == 429).collect();
    assert_eq!(refused.len(), 3, "{opens:?}");
    let last_refusal = refused.iter().map(|c| c.at).max().unwrap();
    for retry in opens.iter().filter(|c| c.status == 200) {
        let waited = retry.at.duration_since(last_refusal);
        assert!(waited >= Duration::from_millis(1900), "{waited:?}");
    }
    assert!(started.elapsed() < WAIT);
}

/// `auth.test` says who the bot is, so startup waits out a 429 on it rather than exiting.
#[tokio::test]
async fn a_rate_limited_auth_test_at_startup_is_waited_out() {
    let slack = workspace().await;
    slack.fail_next(
        "auth.test",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        2,
    );
    let baton = Baton::start(&slack);
    if let Err(e) = slack.wait_for_connections(2, WAIT).await {
        panic!("{e}; baton's stderr:\n{}", baton.stderr());
    }
    let calls = slack.calls_to("auth.test");
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [429, 429, 200]
    );
    assert!(calls[2].at.duration_since(calls[0].at) >= Duration::from_millis(1900));
    assert!(baton.stderr().contains("rate-limiting auth.test"));
}
