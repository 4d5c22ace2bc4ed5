//! Slash commands through the real binary and its real engine: what each command answers, to
//! whom, and what reaches the channel.

use super::support::baton::Baton;
use super::support::fake_slack::{Ack, Fault};
use super::{connected, mention, workspace, ALICE, BOB, CAROL, DAVE_GONE, DEPLOYBOT, OPS, WAIT};
use std::collections::HashSet;
use std::time::Duration;

fn assert_private(ack: &Ack) {
    assert!(
        ack.is_private(),
        "expected a private reply, got {:?}",
        ack.payload()
    );
    assert!(!ack.text().is_empty());
}

fn assert_public(ack: &Ack) {
    assert_eq!(ack.response_type(), "in_channel", "{:?}", ack.payload());
}

#[tokio::test]
async fn every_slash_command_is_answered_in_its_ack_inside_slacks_three_seconds() {
    let (slack, _baton) = connected().await;
    for text in ["", "help", "<@U0BOB00001|bob> quiet week", "me 2024-02"] {
        for command in ["/handover", "/oncall-pay"] {
            let ack = slack
                .slash_command(ALICE, OPS, command, text)
                .await
                .unwrap();
            assert!(
                !ack.text().is_empty(),
                "{command} {text}: {:?}",
                ack.payload()
            );
            assert!(["ephemeral", "in_channel"].contains(&ack.response_type()));
            // Slack's own limit: an ack later than this shows the user an error.
            assert!(ack.latency < Duration::from_secs(3), "{:?}", ack.latency);
        }
    }
}

#[tokio::test]
async fn an_unknown_command_gets_a_private_reply_naming_the_real_ones() {
    let (slack, _baton) = connected().await;
    let ack = slack.slash_command(ALICE, OPS, "/rota", "").await.unwrap();
    assert_private(&ack);
    assert!(ack.text().contains("/handover") && ack.text().contains("/oncall-pay"));
}

#[tokio::test]
async fn interactions_and_events_are_acked_without_a_payload() {
    let (slack, _baton) = connected().await;
    let click = slack.block_actions_payload(ALICE, OPS);
    let ack = slack
        .send_envelope("interactive", click, false, None)
        .await
        .unwrap();
    assert_eq!(ack.payload(), None);
    let mention = slack.app_mention_payload(ALICE, OPS, "<@U0BATONBOT> hi");
    let ack = slack
        .send_envelope("events_api", mention, false, Some((1, "timeout")))
        .await
        .unwrap();
    assert_eq!(ack.payload(), None);
}

#[tokio::test]
async fn envelopes_are_served_on_every_connection() {
    let (slack, _baton) = connected().await;
    let mut sockets = HashSet::new();
    for _ in 0..6 {
        let ack = slack
            .slash_command(ALICE, OPS, "/handover", "help")
            .await
            .unwrap();
        sockets.insert(ack.connection);
    }
    assert_eq!(sockets.len(), 2);
}

#[tokio::test]
async fn concurrent_commands_are_all_acknowledged() {
    let (slack, _baton) = connected().await;
    let slack = std::sync::Arc::new(slack);
    let sends = (0..40).map(|i| {
        let slack = slack.clone();
        let channel = format!("C0LOAD{i:04}");
        tokio::spawn(async move { slack.slash_command(ALICE, &channel, "/handover", "").await })
    });
    for send in sends {
        let ack = send.await.unwrap().expect("acknowledged");
        assert!(ack.text().contains("Nobody is on call"), "{}", ack.text());
    }
}

#[tokio::test]
async fn a_first_handover_in_a_new_channel_is_announced_publicly() {
    let (slack, _baton) = connected().await;
    let ack = slack
        .slash_command(ALICE, "C0NEWCHAN1", "/handover", &mention(BOB, "bob"))
        .await
        .unwrap();
    assert_public(&ack);
    assert!(ack.text().contains(&format!("<@{BOB}>")), "{}", ack.text());
}

#[tokio::test]
async fn the_payroll_export_names_the_person_and_the_channel_as_slack_named_them() {
    let slack = workspace().await;
    slack.name_channel(OPS, "data-platform");
    let baton = Baton::start(&slack);
    slack.wait_for_connections(2, WAIT).await.unwrap();
    // Two minutes back: a report of a month not over runs to the start of this minute, so a
    // handover within it would have no time on call yet.
    let at = (chrono::Utc::now() - chrono::Duration::minutes(2))
        .with_timezone(&chrono_tz::Europe::London);
    let text = format!("{} at {}", mention(BOB, "bob"), at.format("%Y-%m-%d %H:%M"));
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &text)
        .await
        .unwrap();
    assert_public(&ack);
    // Read beside the running bot, as payroll would; the month is the one the handover is in.
    let month = at.format("%Y-%m").to_string();
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["pay-report", "--format", "table", "--month", &month])
        .args(["--channel", "data-platform", "--database"])
        .arg(baton.db_path())
        .env_remove("BATON_CONFIG")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&report.stdout);
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    assert!(
        table.starts_with(&format!("On-call pay in #data-platform ({OPS}) for ")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&format!("bob ({BOB})")) && l.contains(" #data-platform ")),
        "{table}"
    );
}

#[tokio::test]
async fn a_handover_with_notes_repeats_the_notes_publicly() {
    let (slack, _baton) = connected().await;
    let text = format!(
        "{} quiet week, disk alert on db-2 is known",
        mention(BOB, "bob")
    );
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &text)
        .await
        .unwrap();
    assert_public(&ack);
    assert!(
        ack.text().contains("disk alert on db-2 is known"),
        "{}",
        ack.text()
    );
}

#[tokio::test]
async fn asking_who_is_on_call_names_the_holder() {
    let (slack, _baton) = connected().await;
    let before = slack
        .slash_command(ALICE, OPS, "/handover", "")
        .await
        .unwrap();
    assert!(!before.text().contains(BOB), "{}", before.text());
    slack
        .slash_command(ALICE, OPS, "/handover", &mention(BOB, "bob"))
        .await
        .unwrap();
    let now = slack
        .slash_command(CAROL, OPS, "/handover", "")
        .await
        .unwrap();
    assert!(now.text().contains(&format!("<@{BOB}>")), "{}", now.text());
}

#[tokio::test]
async fn oncall_pay_me_answers_privately() {
    let (slack, _baton) = connected().await;
    slack
        .slash_command(ALICE, OPS, "/handover", &mention(BOB, "bob"))
        .await
        .unwrap();
    let ack = slack
        .slash_command(BOB, OPS, "/oncall-pay", "me")
        .await
        .unwrap();
    assert_private(&ack);
    // The day kinds are Block Kit fields, each label bold once: `**Weekdays**` would show its
    // asterisks.
    let payload = ack.payload().expect("the ack carries the reply");
    let fields: Vec<String> = payload["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["fields"].as_array())
        .flatten()
        .filter_map(|f| f["text"].as_str().map(str::to_owned))
        .collect();
    assert!(
        fields.iter().any(|f| f.starts_with("*Weekdays*\n")),
        "{fields:?}"
    );
    assert!(fields.iter().all(|f| !f.contains("**")), "{fields:?}");
}

#[tokio::test]
async fn each_kind_of_bad_input_gets_a_private_reply_and_records_nothing() {
    let (slack, _baton) = connected().await;
    let long_notes = format!("{} {}", mention(BOB, "bob"), "n".repeat(2001));
    // (command, text, what the reply says): the reason, not only that there is one.
    let cases = [
        (
            "/handover",
            "sideways".to_owned(),
            "I don't understand `sideways`",
        ),
        (
            "/handover",
            format!("please {}", mention(BOB, "bob")),
            "I don't understand `please`",
        ),
        (
            "/handover",
            "<#C0OTHER01|general>".to_owned(),
            "That is a channel, not a person",
        ),
        (
            "/handover",
            "<!subteam^S0TEAM0001|@oncall>".to_owned(),
            "That is a user group",
        ),
        ("/handover", mention(DEPLOYBOT, "deploybot"), "is a bot"),
        (
            "/handover",
            mention(DAVE_GONE, "dave"),
            "has been deactivated",
        ),
        (
            "/handover",
            mention("U0NOBODY01", "ghost"),
            "is not a user Baton can find",
        ),
        (
            "/handover",
            long_notes,
            "Your notes are 2001 characters long",
        ),
        ("/oncall-pay", "me 2024-13".to_owned(), "has no month 13"),
        (
            "/oncall-pay",
            "everyone".to_owned(),
            "I don't understand `everyone`",
        ),
    ];
    for (command, text, reason) in &cases {
        let ack = slack
            .slash_command(ALICE, OPS, command, text)
            .await
            .unwrap();
        assert_private(&ack);
        assert!(
            ack.text().contains(reason),
            "{command} {text}: {}",
            ack.text()
        );
    }
    let status = slack
        .slash_command(ALICE, OPS, "/handover", "")
        .await
        .unwrap();
    for id in [BOB, DEPLOYBOT, DAVE_GONE, "U0NOBODY01"] {
        assert!(!status.text().contains(id), "{}", status.text());
    }
}

#[tokio::test]
async fn smart_quotes_and_odd_spaces_parse_as_typed() {
    let (slack, _baton) = connected().await;
    let text = format!("{}\u{a0}“quiet” week", mention(BOB, "bob"));
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &text)
        .await
        .unwrap();
    assert_public(&ack);
    // The no-break space separates like a space, and the curly quotes stay as typed.
    assert!(ack.text().contains("> “quiet” week"), "{}", ack.text());
}

#[tokio::test]
async fn broadcast_mentions_in_notes_never_reach_slack_as_broadcasts() {
    let (slack, _baton) = connected().await;
    let text = format!(
        "{} <!channel> <!here> <!everyone> call me, or @Here",
        mention(BOB, "bob")
    );
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &text)
        .await
        .unwrap();
    assert_public(&ack);
    let payload = ack.payload().unwrap_or_default().to_string();
    for broadcast in ["<!channel>", "<!here>", "<!everyone>"] {
        assert!(!payload.contains(broadcast), "{payload}");
    }
    // Shown as typed ("@channel"), with an invisible word joiner that keeps it from notifying,
    // and so is a broadcast typed as a plain word.
    assert!(
        ack.text().contains(
            "> @\u{2060}channel @\u{2060}here @\u{2060}everyone call me, or @\u{2060}Here"
        ),
        "{}",
        ack.text()
    );
}

#[tokio::test]
async fn a_non_admin_asking_for_someone_elses_pay_is_refused_privately() {
    let (slack, _baton) = connected().await;
    let ack = slack
        .slash_command(CAROL, OPS, "/oncall-pay", &mention(BOB, "bob"))
        .await
        .unwrap();
    assert_private(&ack);
    assert!(
        ack.text().to_lowercase().contains("admin"),
        "{}",
        ack.text()
    );
}

#[tokio::test]
async fn the_same_slash_command_delivered_twice_records_one_handover() {
    let (slack, _baton) = connected().await;
    let payload = slack.slash_payload(ALICE, OPS, "/handover", &mention(BOB, "bob"));
    let first = slack
        .send_envelope("slash_commands", payload.clone(), true, None)
        .await
        .unwrap();
    let second = slack
        .send_envelope("slash_commands", payload, true, None)
        .await
        .unwrap();
    assert_public(&first);
    // Recorded once: the redelivery is answered like the first, not refused as "already on call".
    assert_eq!(first.payload(), second.payload());
}

#[tokio::test]
async fn an_undo_delivered_twice_undoes_one_handover() {
    let (slack, _baton) = connected().await;
    for (who, to) in [(ALICE, BOB), (BOB, CAROL)] {
        let ack = slack
            .slash_command(who, OPS, "/handover", &mention(to, "x"))
            .await
            .unwrap();
        assert_public(&ack);
    }
    let payload = slack.slash_payload(BOB, OPS, "/handover", "undo");
    let first = slack
        .send_envelope("slash_commands", payload.clone(), true, None)
        .await
        .unwrap();
    let second = slack
        .send_envelope("slash_commands", payload, true, None)
        .await
        .unwrap();
    assert_public(&first);
    assert!(
        first.text().contains(&format!("<@{BOB}> is on call again")),
        "{}",
        first.text()
    );
    assert_eq!(first.payload(), second.payload());
    // Bob's own handover from Alice still stands.
    let status = slack
        .slash_command(CAROL, OPS, "/handover", "")
        .await
        .unwrap();
    assert!(
        status
            .text()
            .starts_with(&format!("<@{BOB}> is on call here since")),
        "{}",
        status.text()
    );
}

/// A bot token revoked (or a scope removed) while Baton runs: retrying cannot help, so the
/// person is told to tell whoever runs Baton, and the log says so at error.
#[tokio::test]
async fn slack_refusing_baton_access_to_the_directory_is_reported_not_retried() {
    let (slack, baton) = connected().await;
    slack.fail_next("users.info", Fault::SlackError("token_revoked".into()), 1);
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &mention(BOB, "bob"))
        .await
        .unwrap();
    assert_private(&ack);
    assert!(
        ack.text()
            .contains("Slack refused to let Baton check that person")
            && ack.text().contains("tell whoever runs Baton"),
        "{}",
        ack.text()
    );
    let deadline = std::time::Instant::now() + super::WAIT;
    while !baton.stderr().contains("directory_refused") {
        assert!(std::time::Instant::now() < deadline, "{}", baton.stderr());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let line = baton
        .stderr()
        .lines()
        .find(|l| l.contains("directory_refused"))
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(
        line.contains("ERROR") && line.contains("SLACK_BOT_TOKEN"),
        "{line}"
    );
    // A Slack that is merely unwell is still worth a retry.
    slack.fail_next("users.info", Fault::Status(500), 1);
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &mention(CAROL, "carol"))
        .await
        .unwrap();
    assert!(
        ack.text().contains("please try again in a moment"),
        "{}",
        ack.text()
    );
}

/// Someone Slack will not show Baton (another organisation's member in a shared channel, on
/// Enterprise Grid or Slack Connect) cannot be found: asking again will not change that.
#[tokio::test]
async fn a_person_slack_will_not_show_baton_is_refused_as_unknown_not_as_a_slack_outage() {
    let (slack, _baton) = connected().await;
    slack.fail_next(
        "users.info",
        Fault::SlackError("user_not_visible".into()),
        1,
    );
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", &mention(BOB, "bob"))
        .await
        .unwrap();
    assert_private(&ack);
    assert!(
        ack.text()
            .contains("is not a user Baton can find in this workspace"),
        "{}",
        ack.text()
    );
    assert!(!ack.text().contains("try again"), "{}", ack.text());
}

/// Slash commands work in a direct message too, but a rota there would be seen by two people
/// and get no reminder: it is refused, with where to go instead. Pay, private anyway, is fine.
#[tokio::test]
async fn a_rota_cannot_start_in_a_direct_message_but_pay_can_be_asked_there() {
    let (slack, _baton) = connected().await;
    let dm = "D0ALICEBOB";
    for text in [
        mention(BOB, "bob"),
        "next".to_owned(),
        format!("rota {}", mention(BOB, "bob")),
    ] {
        let ack = slack
            .slash_command(ALICE, dm, "/handover", &text)
            .await
            .unwrap();
        assert_private(&ack);
        assert!(
            ack.text()
                .contains("run `/handover` in your team's channel"),
            "{text}: {}",
            ack.text()
        );
    }
    let status = slack
        .slash_command(ALICE, dm, "/handover", "")
        .await
        .unwrap();
    assert!(status.text().contains("Nobody"), "{}", status.text());
    let pay = slack
        .slash_command(ALICE, dm, "/oncall-pay", "me")
        .await
        .unwrap();
    assert_private(&pay);
    assert!(
        pay.text().contains("No time on call in this month so far."),
        "{}",
        pay.text()
    );
}
