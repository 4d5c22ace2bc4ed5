//! End-to-end tests of the Slack side: the real `baton run` binary (and, where a test needs a
//! stand-in engine, the library's `SlackApp`) against the in-repo fake Slack.

#[path = "../support/mod.rs"]
mod support;

mod commands;
mod connection;
mod in_process;
mod reminders;
mod web_api;

use std::time::Duration;
use support::baton::Baton;
use support::fake_slack::{FakeSlack, FakeUser};

/// Upper bound for anything that should take milliseconds; generous for a loaded CI machine.
const WAIT: Duration = Duration::from_secs(10);

const ALICE: &str = "U0ALICE001";
const BOB: &str = "U0BOB00001";
const CAROL: &str = "U0CAROL001";
const DEPLOYBOT: &str = "U0DEPLOYB1";
const DAVE_GONE: &str = "U0DAVE0001";
const OPS: &str = "C0OPS00001";

/// A fake Slack with a small workspace: three people, a bot, a deactivated account.
async fn workspace() -> FakeSlack {
    let slack = FakeSlack::start().await;
    slack.add_user(FakeUser::person(ALICE, "alice"));
    slack.add_user(FakeUser::person(BOB, "bob"));
    slack.add_user(FakeUser::person(CAROL, "carol"));
    slack.add_user(FakeUser::bot(DEPLOYBOT, "deploybot"));
    slack.add_user(FakeUser::deactivated(DAVE_GONE, "dave"));
    slack
}

/// The workspace plus a `baton run` connected to it over two sockets.
async fn connected() -> (FakeSlack, Baton) {
    let slack = workspace().await;
    let baton = Baton::start(&slack);
    if let Err(e) = slack.wait_for_connections(2, WAIT).await {
        panic!("{e}; baton's stderr:\n{}", baton.stderr());
    }
    (slack, baton)
}

/// `<@U…|name>` as Slack escapes a mention typed in a slash command.
fn mention(id: &str, name: &str) -> String {
    format!("<@{id}|{name}>")
}

/// The manifest creates the app the adapter expects: Socket Mode, both commands escaped so that
/// mentions arrive as ids, and the scopes the README explains.
#[test]
fn the_manifest_declares_socket_mode_both_commands_and_the_needed_scopes() {
    let manifest = include_str!("../../manifest.yml");
    assert!(manifest.contains("socket_mode_enabled: true"));
    assert!(manifest.contains("- command: /handover"));
    assert!(manifest.contains("- command: /oncall-pay"));
    assert_eq!(manifest.matches("should_escape: true").count(), 2);
    for scope in [
        "commands",
        "chat:write",
        "users:read",
        "chat:write.public",
        "im:write",
    ] {
        assert!(
            manifest.contains(&format!("      - {scope} ")),
            "scope {scope} missing"
        );
    }
    assert!(
        !manifest.contains("url:"),
        "Socket Mode apps declare no request URLs"
    );
}
