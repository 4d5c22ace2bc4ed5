//! Slash commands in, the engine's reply out in the ack.
//!
//! Slack shows the user an error if the ack takes more than 3 s, so the engine runs in its own
//! task, and if it has not answered within [`ACK_BUDGET`] the ack says "working on it" and the
//! answer follows on `response_url`.

use super::poster::SlackPoster;
use super::render;
use crate::commands::{Answer, CommandName, Invocation, Reply};
use crate::domain::ids::{ChannelId, ChannelName, UserId};
use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long the engine may take before the ack goes out without its answer. Slack shows the user
/// an error after 3 s; this leaves room for the network and a busy socket.
pub const ACK_BUDGET: Duration = Duration::from_millis(2000);

/// What answers slash commands: the core's command engine, or a stand-in in tests.
pub trait CommandHandler: Send + Sync + 'static {
    /// The reply, and a one-word outcome for the log line.
    fn handle(&self, invocation: Invocation) -> impl Future<Output = Answer> + Send;
}

/// Why a slash command never reached the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotForEngine {
    UnknownCommand(String),
    BadIdentity,
}

/// The engine's input from Slack's payload. `team_id` + `trigger_id` identify one submission:
/// Slack's retries and a double submit carry the same pair.
pub(crate) fn invocation_from(
    ev: &SlackCommandEvent,
    now: DateTime<Utc>,
) -> Result<Invocation, NotForEngine> {
    let command = CommandName::parse(&ev.command.0)
        .ok_or_else(|| NotForEngine::UnknownCommand(ev.command.0.clone()))?;
    let user = UserId::parse(&ev.user_id.0).map_err(|_| NotForEngine::BadIdentity)?;
    let channel = ChannelId::parse(&ev.channel_id.0).map_err(|_| NotForEngine::BadIdentity)?;
    Ok(Invocation {
        user,
        channel,
        channel_name: ev.channel_name.as_deref().and_then(ChannelName::from_slack),
        command,
        text: ev.text.clone().unwrap_or_default(),
        now,
        // Without a trigger there is nothing to tell one submission from the next: one key for
        // all of them would answer every later command as a repeat of the first.
        dedup_key: (!ev.trigger_id.0.trim().is_empty())
            .then(|| format!("{}:{}", ev.team_id.0, ev.trigger_id.0)),
    })
}

fn unknown_command_reply(command: &str) -> Reply {
    Reply::private(format!(
        "Baton does not know `{}`. It answers `/handover` and `/oncall-pay`; add `help` to either \
         for usage.",
        crate::domain::text::escape(command)
    ))
}

pub(super) const APOLOGY: &str =
    "Sorry, Baton hit an internal error answering that. Please try again.";
const STILL_WORKING: &str = "Still working on it; the answer will appear here shortly.";

/// What a person whose answer was still coming is told when Baton stops without it (see
/// [`InFlight::cut_off`]): a handover may yet have been recorded, so they are told how to check
/// before typing it again.
fn cut_off_reply(command: CommandName) -> Reply {
    Reply::private(match command {
        CommandName::Handover => {
            "Baton stopped (for a restart, most likely) before it finished this command, so it \
             may or may not have been recorded: run `/handover` to see who is on call here \
             before you try again."
        }
        CommandName::OncallPay => {
            "Baton stopped (for a restart, most likely) before it finished this command: please \
             try again in a minute."
        }
    })
}

/// Counts commands in hand so shutdown can wait for them.
#[derive(Default)]
pub(crate) struct InFlight {
    count: AtomicUsize,
    idle: Notify,
    /// Set when shutdown stops waiting for answers still coming: see [`Self::cut_off`].
    cut_off: AtomicBool,
    cut_off_now: Notify,
}

pub(crate) struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    pub(crate) fn enter(self: &Arc<Self>) -> InFlightGuard {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self.clone())
    }

    /// Waits until nothing is in hand, or `limit` has passed; returns how many are left.
    pub(crate) async fn wait_idle(&self, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let idle = self.idle.notified();
            let left = self.count.load(Ordering::SeqCst);
            if left == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.count.load(Ordering::SeqCst);
            }
        }
    }
}

impl InFlight {
    /// Tells every answer still coming on `response_url` to stop waiting for the engine and
    /// say so instead: Baton is stopping, and an ack that said "still working" would otherwise
    /// be the person's last word on whether their command took effect.
    pub(crate) fn cut_off(&self) {
        self.cut_off.store(true, Ordering::SeqCst);
        self.cut_off_now.notify_waiters();
    }

    async fn until_cut_off(&self) {
        loop {
            let told = self.cut_off_now.notified();
            if self.cut_off.load(Ordering::SeqCst) {
                return;
            }
            told.await;
        }
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Shared by every connection's callbacks.
pub(crate) struct Commands<H> {
    pub(crate) handler: Arc<H>,
    pub(crate) poster: SlackPoster,
    pub(crate) in_flight: Arc<InFlight>,
    /// The answers that follow a "still working" ack on `response_url`, counted apart: at
    /// shutdown, once they are cut off, only they are waited for.
    pub(crate) late: Arc<InFlight>,
    pub(crate) ack_budget: Duration,
}

impl<H: CommandHandler> Commands<H> {
    pub(crate) async fn on_command(&self, ev: SlackCommandEvent) -> SlackCommandEventResponse {
        let started = Instant::now();
        let _guard = self.in_flight.enter();
        let (reply, outcome) = match invocation_from(&ev, Utc::now()) {
            Ok(inv) => self.answer(inv, &ev.response_url).await,
            Err(NotForEngine::UnknownCommand(cmd)) => {
                (unknown_command_reply(&cmd), "unknown command")
            }
            Err(NotForEngine::BadIdentity) => (Reply::private(APOLOGY), "unreadable ids"),
        };
        tracing::info!(
            user = %ev.user_id.0,
            channel = %ev.channel_id.0,
            command = %ev.command.0,
            outcome,
            elapsed_us = started.elapsed().as_micros() as u64,
            "slash command"
        );
        render::command_response(&reply)
    }

    async fn answer(
        &self,
        inv: Invocation,
        response_url: &SlackResponseUrl,
    ) -> (Reply, &'static str) {
        let handler = self.handler.clone();
        let command = inv.command;
        let guard = self.in_flight.enter();
        let mut task = tokio::spawn(async move {
            let answer = handler.handle(inv).await;
            drop(guard);
            answer
        });
        match tokio::time::timeout(self.ack_budget, &mut task).await {
            Ok(Ok(Answer { reply, outcome })) => (reply, outcome),
            Ok(Err(panicked)) => {
                tracing::error!(error = %panicked, "the command engine panicked");
                (Reply::private(APOLOGY), "engine failed")
            }
            Err(_) => {
                let poster = self.poster.clone();
                let url = response_url.clone();
                let (guard, late) = (self.in_flight.enter(), self.late.enter());
                let late_replies = self.late.clone();
                tokio::spawn(async move {
                    let reply = tokio::select! {
                        // An answer ready as Baton stops is sent, not the notice.
                        biased;
                        answered = &mut task => match answered {
                            Ok(answer) => answer.reply,
                            Err(panicked) => {
                                tracing::error!(error = %panicked, "the command engine panicked");
                                Reply::private(APOLOGY)
                            }
                        },
                        () = late_replies.until_cut_off() => {
                            tracing::error!(
                                command = command.as_str(),
                                "stopping before a late answer was ready: its person is told \
                                 to check whether it took effect"
                            );
                            cut_off_reply(command)
                        }
                    };
                    if let Err(err) = poster.respond(&url, &reply).await {
                        // Its person's last word was "still working".
                        tracing::error!(error = %crate::commands::error_chain(&err), "could not send a late reply");
                    }
                    drop((guard, late));
                });
                (Reply::private(STILL_WORKING), "answer deferred")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(command: &str, text: Option<&str>) -> SlackCommandEvent {
        serde_json::from_value(json!({
            "token": "verification-token", "team_id": "T0001", "team_domain": "example",
            "channel_id": "C2147483705", "channel_name": "ops", "user_id": "U2147483697",
            "user_name": "alice", "command": command, "text": text,
            "api_app_id": "A123", "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0"
        }))
        .unwrap()
    }

    #[test]
    fn a_slash_command_becomes_an_invocation_keyed_by_team_and_trigger() {
        let now = Utc::now();
        let inv =
            invocation_from(&event("/handover", Some("<@U0BOB0001|bob> quiet")), now).unwrap();
        assert_eq!(inv.user.as_str(), "U2147483697");
        assert_eq!(inv.channel.as_str(), "C2147483705");
        assert_eq!(
            inv.channel_name.as_ref().map(ChannelName::as_str),
            Some("ops")
        );
        assert_eq!(inv.command, CommandName::Handover);
        assert_eq!(inv.text, "<@U0BOB0001|bob> quiet");
        assert_eq!(inv.now, now);
        assert_eq!(
            inv.dedup_key.as_deref(),
            Some("T0001:13345224609.738474920.8088930838d88f008e0")
        );
    }

    #[test]
    fn a_command_without_a_trigger_id_has_no_key_so_is_never_taken_for_a_repeat() {
        for blank in ["", " "] {
            let mut ev = event("/handover", None);
            ev.trigger_id = SlackTriggerId(blank.into());
            assert_eq!(invocation_from(&ev, Utc::now()).unwrap().dedup_key, None);
        }
    }

    #[test]
    fn a_direct_messages_placeholder_is_not_taken_for_a_channel_name() {
        let mut ev = event("/handover", None);
        ev.channel_name = Some("directmessage".into());
        assert_eq!(invocation_from(&ev, Utc::now()).unwrap().channel_name, None);
        ev.channel_name = None;
        assert_eq!(invocation_from(&ev, Utc::now()).unwrap().channel_name, None);
    }

    #[test]
    fn a_missing_text_is_empty() {
        let inv = invocation_from(&event("/oncall-pay", None), Utc::now()).unwrap();
        assert_eq!(
            (inv.command, inv.text.as_str()),
            (CommandName::OncallPay, "")
        );
    }

    #[test]
    fn an_unknown_command_gets_a_private_escaped_reply() {
        assert_eq!(
            invocation_from(&event("/oncall-<!channel>", None), Utc::now()).unwrap_err(),
            NotForEngine::UnknownCommand("/oncall-<!channel>".into())
        );
        let reply = unknown_command_reply("/oncall-<!channel>");
        assert!(reply.is_private());
        assert!(reply.text.contains("&lt;!channel&gt;"), "{}", reply.text);
    }

    #[tokio::test]
    async fn waiting_for_idle_returns_when_the_last_command_finishes() {
        let in_flight = Arc::new(InFlight::default());
        assert_eq!(in_flight.wait_idle(Duration::from_millis(10)).await, 0);
        let guard = in_flight.enter();
        assert_eq!(in_flight.wait_idle(Duration::from_millis(10)).await, 1);
        let waiter = {
            let in_flight = in_flight.clone();
            tokio::spawn(async move { in_flight.wait_idle(Duration::from_secs(5)).await })
        };
        drop(guard);
        assert_eq!(waiter.await.unwrap(), 0);
    }
}
