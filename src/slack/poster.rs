//! Posting to Slack outside the ack path (reminders, DMs, late replies to `response_url`): every
//! call is retried on 429 (waiting out `Retry-After`) and on 5xx and timeouts with capped
//! exponential backoff, within a bounded total time, and an attempt that may have been carried
//! out (a timeout, `fatal_error`) at most once more.

use super::render;
use super::web::{self, Client, Failure};
use crate::commands::Reply;
use crate::domain::ids::{ChannelId, UserId};
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How hard to try before giving up: attempts go on, with backoff, until the next one could not
/// start within `total`, or a second attempt may have been carried out (see
/// `MAX_RETRIED_MAYBE_DONE`), whichever comes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first transient failure; doubled after each one.
    pub first_backoff: Duration,
    /// The longest backoff between two attempts after 5xx or timeouts. Slack's `Retry-After` is
    /// waited in full: asking again sooner only earns another 429.
    pub max_backoff: Duration,
    /// No retry starts once this much time has passed since the first attempt; a `Retry-After`
    /// that ends past it gives up at once.
    pub total: Duration,
    /// One attempt that takes longer than this counts as a transient failure.
    pub attempt_timeout: Duration,
}

impl RetryPolicy {
    /// This policy with its budget cut, if need be, so that a call ends within `limit`, its last
    /// attempt included: no attempt starts after the budget, and each takes at most
    /// `attempt_timeout`. A caller that cut the call off at `limit` instead could not tell
    /// whether Slack was carrying out the attempt in flight.
    fn ending_within(&self, limit: Duration) -> Self {
        const MARGIN: Duration = Duration::from_secs(5);
        Self {
            total: self
                .total
                .min(limit.saturating_sub(self.attempt_timeout + MARGIN)),
            ..self.clone()
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            total: Duration::from_secs(90),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// Attempts that may have been carried out (timed out, or Slack's `fatal_error`, which "may
/// have succeeded in part") retried per post (see `with_retries`).
const MAX_RETRIED_MAYBE_DONE: u32 = 1;

/// Why a post did not arrive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// The conversation cannot take the message (`not_in_channel`, `channel_not_found`,
    /// `is_archived`, …): the caller logs it and skips this delivery.
    #[error("Slack cannot deliver {method} to this conversation: `{code}`")]
    Undeliverable { method: &'static str, code: String },
    /// Slack refused the call for another reason that retrying will not change.
    #[error("Slack refused {method}: `{code}`")]
    Refused { method: &'static str, code: String },
    /// Rate limits, 5xx or timeouts went on for longer than the retry policy allows, or a
    /// second attempt may have been carried out (timed out, `fatal_error`).
    #[error("gave up on {method} after {attempts} attempts: {last}")]
    GaveUp {
        method: &'static str,
        attempts: u32,
        last: String,
        /// An attempt timed out, or Slack answered `fatal_error`: the call may have been
        /// carried out all the same.
        maybe_done: bool,
    },
}

impl PostError {
    /// True when the conversation itself is the problem (log and skip, do not alert).
    pub fn is_undeliverable(&self) -> bool {
        matches!(self, Self::Undeliverable { .. })
    }
}

fn is_undeliverable(code: &str) -> bool {
    matches!(
        code,
        "not_in_channel"
            | "channel_not_found"
            | "is_archived"
            | "user_not_found"
            | "user_not_visible"
            | "user_disabled"
            | "cannot_dm_bot"
            | "restricted_action"
            | "restricted_action_read_only_channel"
            | "restricted_action_thread_only_channel"
            | "restricted_action_non_threadable_channel"
            | "team_access_not_granted"
            | "expired_url"
            | "used_url"
    )
}

/// Sends messages with the bot token. Cheap to clone; share one.
#[derive(Clone)]
pub struct SlackPoster {
    client: Arc<Client>,
    token: SlackApiToken,
    policy: RetryPolicy,
}

impl std::fmt::Debug for SlackPoster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackPoster")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl SlackPoster {
    pub(crate) fn new(client: Arc<Client>, token: SlackApiToken) -> Self {
        Self {
            client,
            token,
            policy: RetryPolicy::default(),
        }
    }

    /// A poster on its own client, for callers that do not run the listener.
    pub fn from_settings(settings: &super::SlackSettings) -> Self {
        Self::new(
            web::build_client(settings),
            web::bot_token(&settings.bot_token),
        )
        .with_policy(RetryPolicy {
            total: settings.post_retry,
            ..RetryPolicy::default()
        })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// This poster with its retry budget cut, if need be, so that a call ends within `limit`.
    fn ending_within(&self, limit: Duration) -> Self {
        self.clone().with_policy(self.policy.ending_within(limit))
    }

    /// Posts `reply` to a channel (`chat.postMessage`), visible to all its members whatever the
    /// reply's visibility. Needs `chat:write` (and `chat:write.public` for channels the bot has
    /// not joined).
    pub async fn post_message(&self, channel: &ChannelId, reply: &Reply) -> Result<(), PostError> {
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(channel.as_str().to_owned()),
            render::message_content(reply),
        );
        self.with_retries("chat.postMessage", || async {
            self.client
                .open_session(&self.token)
                .chat_post_message(&request)
                .await
                .map(|_| ())
        })
        .await
    }

    /// Sends `reply` to a person as a direct message: `conversations.open` (`im:write`), then
    /// `chat.postMessage`.
    pub async fn send_dm(&self, user: &UserId, reply: &Reply) -> Result<(), PostError> {
        let request = SlackApiConversationsOpenRequest::new()
            .with_users(vec![SlackUserId(user.as_str().to_owned())]);
        let opened = self
            .with_retries("conversations.open", || async {
                self.client
                    .open_session(&self.token)
                    .conversations_open(&request)
                    .await
            })
            .await?;
        let channel = ChannelId::parse(&opened.channel.id.0).map_err(|_| PostError::Refused {
            method: "conversations.open",
            code: "unreadable channel id".to_owned(),
        })?;
        self.post_message(&channel, reply).await
    }

    /// Answers a slash command after its ack, through the command's `response_url`.
    pub(crate) async fn respond(
        &self,
        response_url: &SlackResponseUrl,
        reply: &Reply,
    ) -> Result<(), PostError> {
        const METHOD: &str = "response_url";
        let body = ResponseUrlMessage {
            content: render::message_content(reply),
            response_type: render::response_type(reply),
            replace_original: false,
        };
        let span = tracing::debug_span!("slack response_url");
        self.with_retries(METHOD, || async {
            let context = SlackClientApiCallContext {
                rate_control_params: None,
                token: None,
                tracing_span: &span,
                // The URL itself is a credential for this one command.
                is_sensitive_url: true,
            };
            self.client
                .http_api
                .connector
                .http_post_uri::<_, serde_json::Value>(response_url.0.clone(), &body, context)
                .await
                .map(|_| ())
        })
        .await
    }

    async fn with_retries<T, F, Fut>(
        &self,
        method: &'static str,
        mut call: F,
    ) -> Result<T, PostError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, slack_morphism::errors::SlackClientError>>,
    {
        let policy = &self.policy;
        let started = Instant::now();
        let mut backoff = policy.first_backoff;
        let mut attempts = 0;
        let mut maybe_done = 0;
        loop {
            attempts += 1;
            let failure = match tokio::time::timeout(policy.attempt_timeout, call()).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(err)) => {
                    let failure = Failure::of(&err);
                    if failure == Failure::Transient("fatal_error".to_owned()) {
                        maybe_done += 1;
                    }
                    failure
                }
                Err(_) => {
                    maybe_done += 1;
                    Failure::Transient("timed out".to_owned())
                }
            };
            let wait = match &failure {
                Failure::Refused(code) if is_undeliverable(code) => {
                    return Err(PostError::Undeliverable {
                        method,
                        code: code.clone(),
                    })
                }
                Failure::Refused(code) => {
                    return Err(PostError::Refused {
                        method,
                        code: code.clone(),
                    })
                }
                // Waited in full: the retry budget, below, decides whether it is worth it.
                Failure::RateLimited(after) => web::rate_limit_wait(*after, Duration::MAX),
                Failure::Transient(_) => {
                    let wait = backoff.min(policy.max_backoff);
                    backoff = (backoff * 2).min(policy.max_backoff);
                    wait
                }
            };
            let gave_up = PostError::GaveUp {
                method,
                attempts,
                last: failure.describe(),
                maybe_done: maybe_done > 0,
            };
            // A timed-out attempt may have been carried out (Slack was slow, not down), and so
            // may one Slack answered `fatal_error`; a post has no idempotency key: one retry, so
            // a slow Slack shows a message at most twice, not once per attempt.
            if started.elapsed().saturating_add(wait) > policy.total
                || maybe_done > MAX_RETRIED_MAYBE_DONE
            {
                // Whoever should have seen this message will not: an operator needs to know.
                tracing::error!(
                    method,
                    attempts,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    reason = %failure.describe(),
                    "gave up on a Slack call"
                );
                return Err(gave_up);
            }
            tracing::warn!(
                method,
                attempt = attempts,
                wait_ms = wait.as_millis() as u64,
                reason = %failure.describe(),
                "Slack call failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// A `response_url` body: like a message, plus where it shows.
#[derive(serde::Serialize)]
struct ResponseUrlMessage {
    #[serde(flatten)]
    content: SlackMessageContent,
    response_type: SlackMessageResponseType,
    replace_original: bool,
}

impl crate::scheduler::Poster for SlackPoster {
    async fn post_message(
        &self,
        channel: &ChannelId,
        message: &Reply,
    ) -> Result<(), crate::scheduler::PostError> {
        self.ending_within(crate::scheduler::POST_TIMEOUT)
            .post_message(channel, message)
            .await
            .map_err(PostError::into_scheduler)
    }

    async fn send_dm(
        &self,
        user: &UserId,
        message: &Reply,
    ) -> Result<(), crate::scheduler::PostError> {
        // Two calls: `conversations.open`, then the post.
        self.ending_within(crate::scheduler::POST_TIMEOUT / 2)
            .send_dm(user, message)
            .await
            .map_err(PostError::into_scheduler)
    }
}

impl PostError {
    /// The scheduler's view: skip what retrying cannot fix, retry later what gave up.
    fn into_scheduler(self) -> crate::scheduler::PostError {
        use crate::scheduler::PostError as S;
        match self {
            Self::Refused { ref code, .. } if web::is_token_error(code) => {
                S::Refused(self.to_string())
            }
            Self::Undeliverable { .. } | Self::Refused { .. } => S::Unreachable(self.to_string()),
            Self::GaveUp {
                maybe_done: true, ..
            } => S::MaybePosted(self.to_string()),
            Self::GaveUp { .. } => S::Failed(self.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::PostError as S;

    #[test]
    fn a_reminders_retries_end_before_the_scheduler_would_cut_them_off_whatever_the_budget() {
        // `SLACK_POST_RETRY_SECS` may be 1 to 600.
        for budget in [1, 90, 104, 105, 106, 600] {
            let policy = RetryPolicy {
                total: Duration::from_secs(budget),
                ..RetryPolicy::default()
            };
            let bounded = policy.ending_within(crate::scheduler::POST_TIMEOUT);
            assert!(
                bounded.total + bounded.attempt_timeout < crate::scheduler::POST_TIMEOUT,
                "{budget} s"
            );
            let expected = Duration::from_secs(budget.min(105));
            assert_eq!(
                bounded,
                RetryPolicy {
                    total: expected,
                    ..policy
                },
                "{budget} s"
            );
        }
    }

    #[test]
    fn the_scheduler_hears_a_refused_token_as_such_and_retries_only_what_surely_did_not_arrive() {
        let refused = |code: &str| PostError::Refused {
            method: "chat.postMessage",
            code: code.into(),
        };
        for code in [
            "token_revoked",
            "invalid_auth",
            "account_inactive",
            "missing_scope",
        ] {
            assert!(
                matches!(refused(code).into_scheduler(), S::Refused(_)),
                "{code}"
            );
        }
        assert!(matches!(
            refused("msg_too_long").into_scheduler(),
            S::Unreachable(_)
        ));
        let undeliverable = PostError::Undeliverable {
            method: "chat.postMessage",
            code: "not_in_channel".into(),
        };
        assert!(matches!(undeliverable.into_scheduler(), S::Unreachable(_)));
        let gave_up = |maybe_done| PostError::GaveUp {
            method: "chat.postMessage",
            attempts: 5,
            last: "HTTP 503".into(),
            maybe_done,
        };
        assert!(matches!(gave_up(false).into_scheduler(), S::Failed(_)));
        // Posting again could show it twice.
        assert!(matches!(gave_up(true).into_scheduler(), S::MaybePosted(_)));
    }
}
