//! The user directory backed by Slack's `users.info`, cached with expiry.
//!
//! A slash command's reply waits for lookups, so each call is bounded by a timeout well inside
//! Slack's 3-second ack limit and is never retried; a failure is a [`DirectoryError`], which the
//! engine reports to the user, and is not cached.
//!
//! Lookups of one person that overlap share one `users.info` call. Without that, a burst of
//! commands naming people not yet cached (the first minutes after a restart) made a call each:
//! 48 calls for 8 people under `examples/loadgen`, against a method Slack rate-limits.

use super::web::{self, Client, Failure};
use crate::commands::{AccountKind, Directory, DirectoryError, MentionRef, Person};
use crate::domain::ids::UserId;
use crate::domain::text;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long answers are kept, and how long one lookup may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectorySettings {
    /// People, bots and deactivated accounts: these change rarely.
    pub ttl: Duration,
    /// "No such user": kept briefly so a typo is not looked up on every retry.
    pub missing_ttl: Duration,
    /// One `users.info` call. A command makes one or two, except `/handover rota @a @b …`, which
    /// looks up each member not cached, one after another.
    pub timeout: Duration,
    /// Past this many entries the cache is emptied (a bound on memory, not an LRU).
    pub max_entries: usize,
}

impl Default for DirectorySettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(10 * 60),
            missing_ttl: Duration::from_secs(60),
            timeout: Duration::from_millis(1000),
            max_entries: 10_000,
        }
    }
}

type Answer = Result<Option<Person>, DirectoryError>;

/// One person's place in the cache.
enum Slot {
    /// Slack's answer, good until `expires`.
    Known {
        person: Option<Person>,
        expires: Instant,
    },
    /// A `users.info` call under way (the `call`-th this directory made): whoever asks meanwhile
    /// waits for its answer. Whichever waiter polls it to the end files the answer, so the call
    /// completes even if the command that started it is dropped.
    Asking {
        call: u64,
        answer: Shared<BoxFuture<'static, Answer>>,
    },
}

#[derive(Default)]
struct Cache {
    slots: HashMap<UserId, Slot>,
    /// `users.info` calls started so far: tells a call's own slot from a later one's.
    calls: u64,
}

/// [`Directory`] over `users.info` (scope `users:read`). Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct SlackDirectory {
    client: Arc<Client>,
    token: SlackApiToken,
    settings: DirectorySettings,
    cache: Arc<Mutex<Cache>>,
}

impl std::fmt::Debug for SlackDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackDirectory")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SlackDirectory {
    pub(crate) fn new(client: Arc<Client>, token: SlackApiToken) -> Self {
        Self {
            client,
            token,
            settings: DirectorySettings::default(),
            cache: Arc::default(),
        }
    }

    pub fn with_settings(mut self, settings: DirectorySettings) -> Self {
        self.settings = settings;
        self
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a `users.info` call for `id` and files it as under way.
    fn ask(&self, cache: &mut Cache, id: &UserId) -> Shared<BoxFuture<'static, Answer>> {
        if cache.slots.len() >= self.settings.max_entries {
            cache.slots.clear();
        }
        cache.calls += 1;
        let call = cache.calls;
        let this = self.clone();
        let asked = id.clone();
        let answer = async move {
            let found = this.fetch(&asked).await;
            this.settle(&asked, call, &found);
            found
        }
        .boxed()
        .shared();
        cache.slots.insert(
            id.clone(),
            Slot::Asking {
                call,
                answer: answer.clone(),
            },
        );
        answer
    }

    /// Files call `call`'s answer for `id`: kept if found or missing, forgotten if it failed.
    /// A slot that has moved on (emptied, or taken by a later call) is left alone.
    fn settle(&self, id: &UserId, call: u64, found: &Answer) {
        let mut cache = self.cache();
        let ours = matches!(cache.slots.get(id), Some(Slot::Asking { call: c, .. }) if *c == call);
        if !ours {
            return;
        }
        match found {
            Ok(person) => {
                let ttl = if person.is_some() {
                    self.settings.ttl
                } else {
                    self.settings.missing_ttl
                };
                let slot = Slot::Known {
                    person: person.clone(),
                    expires: Instant::now() + ttl,
                };
                cache.slots.insert(id.clone(), slot);
            }
            Err(_) => {
                cache.slots.remove(id);
            }
        }
    }

    async fn fetch(&self, id: &UserId) -> Answer {
        let request = SlackApiUsersInfoRequest::new(SlackUserId(id.as_str().to_owned()));
        let session = self.client.open_session(&self.token);
        match tokio::time::timeout(self.settings.timeout, session.users_info(&request)).await {
            Ok(Ok(response)) => Ok(Some(person_from(id, &response.user))),
            // Not there, or not visible to this workspace's apps (Enterprise Grid, Slack
            // Connect): either way, nobody Baton can hand the pager to. Asking again will not
            // change it; the answer is kept as long as any other "no such person".
            Ok(Err(SlackClientError::ApiError(e)))
                if matches!(e.code.as_str(), "user_not_found" | "user_not_visible") =>
            {
                Ok(None)
            }
            Ok(Err(SlackClientError::ApiError(e))) if web::is_token_error(&e.code) => {
                Err(DirectoryError::Refused(format!(
                    "users.info: `{}`: check SLACK_BOT_TOKEN, and that the app still has the \
                     users:read scope",
                    e.code
                )))
            }
            Ok(Err(err)) => Err(DirectoryError::Unavailable(format!(
                "users.info failed: {}",
                Failure::of(&err).describe()
            ))),
            Err(_) => Err(DirectoryError::Unavailable(format!(
                "users.info did not answer within {} ms",
                self.settings.timeout.as_millis()
            ))),
        }
    }
}

/// Slack's answer as the engine's [`Person`]. Slackbot is a bot although Slack does not flag it.
/// `is_app_user` is not read: Slack documents it as "an authorized user of the calling app", a
/// person (whoever installed Baton, say), and an app's own bot user has `is_bot`.
fn person_from(id: &UserId, user: &SlackUser) -> Person {
    let kind = if user.deleted == Some(true) {
        AccountKind::Deactivated
    } else if user.flags.is_bot == Some(true) || id.as_str() == "USLACKBOT" {
        AccountKind::Bot
    } else {
        AccountKind::Person
    };
    // The name payroll knows: the full name before the display name, which people set to
    // nicknames and "on leave 🏖" (it reaches the payroll CSV and table, and names the people
    // mentioned in the reminders' notes).
    // Stored printable: whoever owns the profile writes it, escape sequences and all.
    let profile = user.profile.as_ref();
    let name = [
        profile.and_then(|p| p.real_name.clone()),
        user.real_name.clone(),
        profile.and_then(|p| p.display_name.clone()),
        user.name.clone(),
    ]
    .into_iter()
    .flatten()
    .find(|n| !n.trim().is_empty())
    .map_or_else(
        || id.as_str().to_owned(),
        |n| text::printable_name(&n).into_owned(),
    );
    Person {
        id: id.clone(),
        name,
        kind,
    }
}

impl Directory for SlackDirectory {
    async fn lookup(&self, who: &MentionRef) -> Result<Option<Person>, DirectoryError> {
        // With `should_escape` on, Slack sends ids; a bare name is neither unique nor stable.
        let MentionRef::Id(id) = who else {
            return Ok(None);
        };
        let answer = {
            let mut cache = self.cache();
            match cache.slots.get(id) {
                Some(Slot::Known { person, expires }) if *expires > Instant::now() => {
                    return Ok(person.clone());
                }
                Some(Slot::Asking { answer, .. }) => answer.clone(),
                _ => self.ask(&mut cache, id),
            }
        };
        answer.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(v: serde_json::Value) -> SlackUser {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn people_bots_and_deactivated_accounts_are_told_apart() {
        let id = UserId::parse("U1").unwrap();
        let alice = user(json!({"id": "U1", "name": "alice", "deleted": false,
            "profile": {"display_name": "", "real_name": "Alice Smith"}}));
        assert_eq!(person_from(&id, &alice).kind, AccountKind::Person);
        assert_eq!(person_from(&id, &alice).name, "Alice Smith");
        // The full name, not the nickname, when there are both.
        let nicknamed = user(json!({"id": "U1", "name": "alice", "deleted": false,
            "profile": {"display_name": "ally 🏖 OOO", "real_name": "Alice Smith"}}));
        assert_eq!(person_from(&id, &nicknamed).name, "Alice Smith");
        let nameless = user(json!({"id": "U1", "name": "alice", "deleted": false,
            "profile": {"display_name": "ally", "real_name": ""}}));
        assert_eq!(person_from(&id, &nameless).name, "ally");
        let bot = user(json!({"id": "U1", "name": "deploybot", "is_bot": true}));
        assert_eq!(person_from(&id, &bot).kind, AccountKind::Bot);
        // Whoever installed the app is its "authorized user", and a person.
        let installer = user(json!({"id": "U1", "name": "alice", "deleted": false,
            "is_bot": false, "is_app_user": true}));
        assert_eq!(person_from(&id, &installer).kind, AccountKind::Person);
        let gone = user(json!({"id": "U1", "name": "bob", "deleted": true, "is_bot": false}));
        assert_eq!(person_from(&id, &gone).kind, AccountKind::Deactivated);
        let slackbot = user(json!({"id": "USLACKBOT", "name": "slackbot", "is_bot": false}));
        let sb = UserId::parse("USLACKBOT").unwrap();
        assert_eq!(person_from(&sb, &slackbot).kind, AccountKind::Bot);
    }

    #[test]
    fn a_name_from_slack_is_stored_without_its_control_characters() {
        // Anyone can put a terminal's escape sequence in their own profile.
        let id = UserId::parse("U1").unwrap();
        let painted = user(json!({"id": "U1", "name": "mallory", "deleted": false,
            "profile": {"real_name": "\u{1b}[31mMallory\u{1b}[0m"}}));
        assert_eq!(
            person_from(&id, &painted).name,
            "\u{FFFD}[31mMallory\u{FFFD}[0m"
        );
    }
}
