//! The listener in this process with stand-in engines, for what the real engine cannot be made
//! to do on demand: what reaches the engine, late answers, and draining at shutdown.

use super::support::fake_slack::{FakeSlack, TEAM_ID};
use super::{workspace, ALICE, OPS, WAIT};
use baton::commands::{Answer, Block, Invocation, Reply};
use baton::slack::{CommandHandler, SlackApp, SlackSettings};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

fn settings(slack: &FakeSlack) -> SlackSettings {
    let api_url = slack.api_url();
    SlackSettings::from_vars(|name| match name {
        "SLACK_APP_TOKEN" => Some(slack.app_token().to_owned()),
        "SLACK_BOT_TOKEN" => Some(slack.bot_token().to_owned()),
        "SLACK_API_URL" => Some(api_url.clone()),
        _ => None,
    })
    .expect("valid settings")
}

/// Answers with what it was given, after `delay`.
struct Echo {
    delay: Duration,
    /// Told as each command reaches the handler.
    entered: Arc<tokio::sync::Notify>,
}

impl CommandHandler for Echo {
    fn handle(&self, inv: Invocation) -> impl Future<Output = Answer> + Send {
        let delay = self.delay;
        self.entered.notify_one();
        async move {
            tokio::time::sleep(delay).await;
            let reply = Reply::public(format!(
                "user={} channel={} command={} text={} key={}",
                inv.user,
                inv.channel,
                inv.command.as_str(),
                inv.text,
                inv.dedup_key.unwrap_or_default()
            ))
            .with_blocks(vec![Block::Header("Echo".into()), Block::Section(inv.text)]);
            Answer {
                reply,
                outcome: "echoed",
            }
        }
    }
}

/// Serves `handler` against `slack` until the returned sender fires.
async fn serve(
    slack: &FakeSlack,
    handler: Echo,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let app = SlackApp::connect(settings(slack))
        .await
        .expect("tokens accepted");
    assert_eq!(app.identity().team_id, TEAM_ID);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.serve(handler, async move {
        let _ = stopped.await;
    }));
    slack
        .wait_for_connections(2, WAIT)
        .await
        .expect("connected");
    (stop, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_gets_slacks_identities_text_and_a_dedup_key() {
    let slack = workspace().await;
    let (_stop, _task) = serve(
        &slack,
        Echo {
            delay: Duration::ZERO,
            entered: Arc::default(),
        },
    )
    .await;
    let payload = slack.slash_payload(ALICE, OPS, "/handover", "<@U0BOB00001|bob> a &amp; b");
    let trigger = payload["trigger_id"].as_str().unwrap().to_owned();
    let ack = slack
        .send_envelope("slash_commands", payload, true, None)
        .await
        .unwrap();
    assert_eq!(
        ack.text(),
        format!(
            "user={ALICE} channel={OPS} command=/handover text=<@U0BOB00001|bob> a &amp; b \
             key={TEAM_ID}:{trigger}"
        )
    );
    assert_eq!(ack.response_type(), "in_channel");
    let payload = ack.payload().unwrap();
    let blocks = &payload["blocks"];
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_is_acked_at_once_and_follows_on_the_response_url() {
    let slack = workspace().await;
    let (_stop, _task) = serve(
        &slack,
        Echo {
            delay: Duration::from_millis(2600),
            entered: Arc::default(),
        },
    )
    .await;
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", "slow")
        .await
        .unwrap();
    assert!(ack.is_private(), "{:?}", ack.payload());
    assert!(ack.text().contains("Still working"), "{}", ack.text());
    // Inside Slack's 3 s, though the answer itself takes 2.6 s.
    assert!(ack.latency < Duration::from_secs(3), "{:?}", ack.latency);
    slack.wait_for_posts(1, WAIT).await.unwrap();
    let late = &slack.posted_messages()[0];
    assert_eq!(late.method, "response_url");
    assert!(late.text.contains("text=slow"), "{}", late.text);
    assert_eq!(late.body["response_type"], "in_channel");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_commands_in_hand() {
    let slack = workspace().await;
    let entered = Arc::new(tokio::sync::Notify::new());
    let (stop, task) = serve(
        &slack,
        Echo {
            delay: Duration::from_millis(400),
            entered: entered.clone(),
        },
    )
    .await;
    let send = slack.slash_command(ALICE, OPS, "/handover", "in hand");
    let stop_soon = async {
        entered.notified().await;
        let _ = stop.send(());
    };
    let (ack, ()) = tokio::join!(send, stop_soon);
    let ack = ack.expect("the command in hand is answered");
    assert!(ack.text().contains("text=in hand"), "{}", ack.text());
    let served = tokio::time::timeout(WAIT, task)
        .await
        .expect("serve returns");
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
    tokio::time::timeout(WAIT, async {
        while slack.open_sockets() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("sockets closed after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_before_a_late_answer_is_ready_tells_its_person_to_check_what_was_recorded() {
    let slack = workspace().await;
    let (stop, task) = serve(
        &slack,
        Echo {
            // Longer than the ack's budget and shutdown's wait for commands in hand together.
            delay: Duration::from_secs(30),
            entered: Arc::default(),
        },
    )
    .await;
    let ack = slack
        .slash_command(ALICE, OPS, "/handover", "<@U0BOB00001|bob>")
        .await
        .unwrap();
    assert!(ack.text().contains("Still working"), "{}", ack.text());
    let _ = stop.send(());
    let served = tokio::time::timeout(WAIT, task)
        .await
        .expect("serve returns");
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
    // Told before serve returned, not left with "still working".
    let posts = slack.posted_messages();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].method, "response_url");
    assert!(
        posts[0]
            .text
            .starts_with("Baton stopped (for a restart, most likely) before it finished")
            && posts[0]
                .text
                .contains("run `/handover` to see who is on call here"),
        "{}",
        posts[0].text
    );
    assert_eq!(posts[0].body["response_type"], "ephemeral");
}
