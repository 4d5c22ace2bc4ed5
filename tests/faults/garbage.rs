//! Malformed envelopes mixed into real traffic. `tests/slack/connection.rs` sends a few garbage
//! frames to an idle bot; here every kind arrives between real handovers, and each must be
//! logged and skipped without disturbing them.

use super::support::baton::Baton;
use super::support::fake_slack::RawFrame;
use super::{inspect, mention, workspace, ALICE, BOB, WAIT};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn channel(i: usize) -> String {
    format!("C0JUNK{i:04}")
}

/// (envelope id, frame, what it is) for each kind of malformed envelope.
fn malformed(fake_response_url: &str) -> Vec<(String, String, &'static str)> {
    let slash = |id: &str, payload: serde_json::Value| {
        json!({"envelope_id": id, "type": "slash_commands", "payload": payload,
               "accepts_response_payload": true})
        .to_string()
    };
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    vec![
        ("g-unknown-type".into(), json!({"envelope_id": "g-unknown-type", "type": "mystery", "payload": {}}).to_string(), "unknown type"),
        ("g-type-number".into(), json!({"envelope_id": "g-type-number", "type": 5, "payload": {}}).to_string(), "a type that is not a string"),
        ("g-no-payload".into(), json!({"envelope_id": "g-no-payload", "type": "slash_commands", "accepts_response_payload": true}).to_string(), "no payload"),
        ("g-null-payload".into(), slash("g-null-payload", serde_json::Value::Null), "null payload"),
        ("g-no-ids".into(), slash("g-no-ids", json!({"command": "/handover", "text": "help", "team_id": "T0FAKETEAM"})), "payload without ids"),
        ("g-wrong-types".into(), slash("g-wrong-types", json!({"command": 7, "text": ["x"], "user_id": {}, "channel_id": null})), "fields of the wrong type"),
        ("g-bad-ids".into(), slash("g-bad-ids", json!({
            "token": "t", "team_id": "T0FAKETEAM", "team_domain": "d", "channel_id": "C<script>",
            "channel_name": "x", "user_id": "U 1", "user_name": "x", "command": "/handover",
            "text": "help", "api_app_id": "A0FAKEAPP", "is_enterprise_install": "false",
            "response_url": fake_response_url, "trigger_id": "1.2.3"})), "ids Baton cannot read"),
        ("g-events".into(), json!({"envelope_id": "g-events", "type": "events_api", "payload": {"type": "event_callback"}, "accepts_response_payload": false}).to_string(), "events_api without an event"),
        ("g-interactive".into(), json!({"envelope_id": "g-interactive", "type": "interactive", "payload": {"type": "no_such_interaction"}, "accepts_response_payload": false}).to_string(), "unknown interaction"),
        ("g-deep".into(), format!(r#"{{"envelope_id":"g-deep","type":"slash_commands","payload":{deep}}}"#), "10,000-deep nesting"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_envelopes_among_real_traffic_are_logged_and_skipped() {
    let slack = Arc::new(workspace().await);
    let baton = Baton::start(&slack);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    let response_url = format!("{}/../commands/T0FAKETEAM/1/x", slack.api_url());
    let junk = malformed(&response_url);
    let mut real = 0;
    let mut handovers = Vec::new();
    for (id, frame, what) in junk.iter().cloned() {
        // A real handover in flight next to each piece of junk.
        let next = {
            let slack = slack.clone();
            let channel = channel(real);
            tokio::spawn(async move {
                slack
                    .slash_command(ALICE, &channel, "/handover", &mention(BOB))
                    .await
            })
        };
        real += 1;
        handovers.push(next);
        // Each carries an envelope id: unacked, Slack would send it again and again.
        let slash = frame.contains(r#""type":"slash_commands""#);
        let acked = slack.send_with_id(id, frame, Duration::from_secs(3)).await;
        let acked = acked.unwrap_or_else(|e| {
            panic!(
                "{what} carries an envelope id and must be acked: {e}\n{}",
                baton.stderr()
            )
        });
        // A slash command's person is told something went wrong, not left with nothing.
        if slash {
            assert!(
                acked.is_private()
                    && acked
                        .text()
                        .starts_with("Sorry, Baton hit an internal error"),
                "{what}: {}",
                acked.text()
            );
        }
    }
    slack.send_raw_to_all(RawFrame::Text("not json at all {".into()));
    slack.send_raw_to_all(RawFrame::Text("x".repeat(1_000_000)));
    slack.send_raw_to_all(RawFrame::Binary(vec![0xff; 64]));
    // 100 KB of text in a real command: refused as too long, with a private reply.
    let big = format!("{} {}", mention(BOB), "z".repeat(100_000));
    let ack = slack
        .slash_command(ALICE, &channel(real), "/handover", &big)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
    assert!(
        ack.is_private() && ack.text().contains("100000 characters long"),
        "{}",
        ack.text()
    );
    for handover in handovers {
        let ack = handover.await.unwrap().expect("the real handover is acked");
        assert!(ack.text().contains(&format!("<@{BOB}>")), "{}", ack.text());
    }
    // Still serving, on both sockets.
    for i in real + 1..real + 5 {
        let ack = slack
            .slash_command(ALICE, &channel(i), "/handover", &mention(BOB))
            .await
            .unwrap_or_else(|e| panic!("{e}: {}", baton.stderr()));
        assert_eq!(ack.response_type(), "in_channel", "{}", ack.text());
    }
    let rows = inspect(&baton.db_path()).await;
    assert_eq!(
        rows.len(),
        real + 4,
        "the real handovers, once each: {rows:?}"
    );
    assert_eq!(slack.sockets_accepted(), 2, "no reconnection was needed");

    let log = baton.stderr();
    assert!(!log.contains("panicked"), "{log}");
    assert!(!log.contains(&"z".repeat(100)), "payloads are not logged");
    let skipped = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("could not be read"))
        .count();
    // Seven envelopes that do not parse, and three raw frames on each of the two sockets.
    assert_eq!(
        skipped, 13,
        "each unreadable envelope is logged once: {log}"
    );
    // The one that parses but names ids no Slack id looks like is logged as its outcome.
    assert!(
        log.lines()
            .any(|l| l.contains("INFO") && l.contains(r#"outcome="unreadable ids""#)),
        "{log}"
    );
}
