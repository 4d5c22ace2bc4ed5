//! The daily reminder through the real `baton run` against the fake Slack: one post per channel
//! with someone on call, none for a channel without, and none again after a restart that day.

use super::support::baton::Baton;
use super::{mention, workspace, ALICE, BOB, CAROL, OPS, WAIT};
use chrono::{Duration as Span, Utc};
use std::time::{Duration, Instant};

const WEB: &str = "C0WEB00001";
const QUIET: &str = "C0QUIET001";

async fn wait_for_log(baton: &Baton, needle: &str, count: usize) {
    let deadline = Instant::now() + WAIT;
    while baton.stderr().matches(needle).count() < count {
        assert!(
            Instant::now() < deadline,
            "no {needle:?} in the log:\n{}",
            baton.stderr()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn each_channel_with_someone_on_call_gets_one_reminder_even_across_a_restart() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("baton.toml");
    // A few seconds from now, on every day, so the test does not depend on today's date.
    let at = (Utc::now() + Span::seconds(4)).with_timezone(&chrono_tz::Europe::London);
    std::fs::write(
        &config,
        format!(
            "admins = [\"{ALICE}\"]\n[reminders]\ntime = \"{}\"\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n",
            at.format("%H:%M:%S")
        ),
    )
    .expect("write config");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("baton.db").display()
    );
    let env = [
        ("BATON_CONFIG", Some(config.to_str().unwrap_or_default())),
        ("DATABASE_URL", Some(db.as_str())),
    ];

    let mut baton = Baton::start_with(&slack, &env);
    slack
        .wait_for_connections(2, WAIT)
        .await
        .expect("connected");
    for (channel, text) in [
        (
            OPS,
            format!("{} watch the <!channel> disk", mention(BOB, "bob")),
        ),
        (WEB, mention(CAROL, "carol")),
        (QUIET, mention(BOB, "bob")),
    ] {
        let ack = slack
            .slash_command(ALICE, channel, "/handover", &text)
            .await
            .expect("ack");
        assert_eq!(ack.response_type(), "in_channel", "{:?}", ack.payload());
    }
    // QUIET has a rota but nobody on call once its only handover is undone.
    let ack = slack
        .slash_command(ALICE, QUIET, "/handover", "undo")
        .await
        .expect("ack");
    assert!(ack.text().contains("Nobody is on call"), "{}", ack.text());

    slack.wait_for_posts(2, WAIT).await.expect("two reminders");
    let posts = slack.posted_messages();
    let mut channels: Vec<&str> = posts.iter().map(|p| p.channel.as_str()).collect();
    channels.sort_unstable();
    assert_eq!(channels, [OPS, WEB], "{posts:?}");
    let ops = posts.iter().find(|p| p.channel == OPS).expect("ops post");
    assert!(
        ops.text
            .starts_with(&format!("<@{BOB}> is on call here, since")),
        "{}",
        ops.text
    );
    assert!(
        ops.text.contains("> watch the @\u{2060}channel disk"),
        "{}",
        ops.text
    );
    assert!(!ops.text.contains("<!channel>"), "{}", ops.text);

    // A restart the same day finds the reminders already posted.
    baton.terminate();
    let status = baton.wait_exit(WAIT).await.expect("baton stops on SIGTERM");
    assert!(status.success(), "{}", baton.stderr());
    drop(baton);
    let again = Baton::start_with(&slack, &env);
    wait_for_log(&again, "daily reminders due", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        slack.posted_messages().len(),
        2,
        "{:?}",
        slack.posted_messages()
    );
}
