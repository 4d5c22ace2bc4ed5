//! The daily reminder through the real `baton run` against the fake Slack: one post per channel
//! with someone on call, none for a channel without, and none again after a restart that day.

use super::support::baton::Baton;
use super::{mention, workspace, ALICE, BOB, CAROL, OPS, WAIT};
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
    // First without reminders, to record the handovers; then with one due the moment Baton
    // starts.
    let quiet = dir.path().join("quiet.toml");
    let due = dir.path().join("due.toml");
    std::fs::write(
        &quiet,
        format!("admins = [\"{ALICE}\"]\n[reminders]\nenabled = false\n"),
    )
    .expect("write config");
    std::fs::write(
        &due,
        format!(
            "admins = [\"{ALICE}\"]\n{}",
            super::support::reminders_due_now()
        ),
    )
    .expect("write config");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("baton.db").display()
    );
    let (quiet, due) = (quiet.to_string_lossy(), due.to_string_lossy());
    let quiet_env = [
        ("BATON_CONFIG", Some(quiet.as_ref())),
        ("DATABASE_URL", Some(db.as_str())),
    ];
    let due_env = [
        ("BATON_CONFIG", Some(due.as_ref())),
        ("DATABASE_URL", Some(db.as_str())),
    ];

    let mut baton = Baton::start_with(&slack, &quiet_env);
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

    baton.terminate();
    let status = baton.wait_exit(WAIT).await.expect("baton stops on SIGTERM");
    assert!(status.success(), "{}", baton.stderr());
    drop(baton);
    assert!(slack.posted_messages().is_empty(), "reminders were off");

    let mut baton = Baton::start_with(&slack, &due_env);
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
    let mut again = Baton::start_with(&slack, &due_env);
    wait_for_log(&again, "daily reminders due", 1).await;
    // Stopped, it has finished anything it had begun: a second post would have arrived.
    again.terminate();
    let status = again.wait_exit(WAIT).await.expect("baton stops on SIGTERM");
    assert!(status.success(), "{}", again.stderr());
    assert_eq!(
        slack.posted_messages().len(),
        2,
        "{:?}",
        slack.posted_messages()
    );
}
