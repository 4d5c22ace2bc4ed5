//! The command engine: `(caller, channel, command, text, now)` in, a [`Reply`] out. No Slack types,
//! no clock reads: adapters (Slack, console) build an [`Invocation`] and render the reply.
//!
//! A request reads top to bottom: parse the text into a typed command (a mistake becomes a
//! private reply with usage), authorise, look people up in the [`Directory`], let the store run
//! the decision inside its transaction, and render the outcome.

pub mod directory;
pub mod handover;
pub mod oncall_pay;
pub mod reply;

#[cfg(test)]
mod fuzz;

pub use directory::{has_left, AccountKind, Directory, DirectoryError, MentionRef, Person};
pub use reply::{Block, Reply, Visibility};

use crate::domain::ids::{ChannelId, ChannelName, UserId};
use crate::domain::pay::PayPolicy;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// Which slash command was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandName {
    Handover,
    OncallPay,
}

impl CommandName {
    /// Parses the command as Slack sends it (`/handover`), with or without the slash, in any
    /// case (Slack's are lower case; the console's `/Handover` is the same command).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().trim_start_matches('/').to_lowercase().as_str() {
            "handover" => Some(Self::Handover),
            "oncall-pay" => Some(Self::OncallPay),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Handover => "/handover",
            Self::OncallPay => "/oncall-pay",
        }
    }
}

/// One command as a person typed it.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub user: UserId,
    pub channel: ChannelId,
    /// The channel's name, where the transport gives one that is not its id (Slack's
    /// `channel_name`), kept for the payroll export beside each handover.
    pub channel_name: Option<ChannelName>,
    pub command: CommandName,
    /// The text after the command, in Slack's wire form: `&`, `<`, `>` escaped as entities,
    /// mentions as `<@U…|name>`. The console escapes what it reads into this form.
    pub text: String,
    pub now: DateTime<Utc>,
    /// Identifies a submission so that a retried or doubled delivery records one handover
    /// (Slack: team and `trigger_id`). `None` when the transport has no such id.
    pub dedup_key: Option<String>,
}

/// Everything the engine needs from the configuration.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub timezone: chrono_tz::Tz,
    pub admins: BTreeSet<UserId>,
    pub pay: PayPolicy,
}

impl EngineSettings {
    pub fn is_admin(&self, user: &UserId) -> bool {
        self.admins.contains(user)
    }
}

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The text does not follow the grammar: shown privately with the usage.
    #[error("{message}")]
    Usage {
        message: String,
        usage: &'static str,
    },
    /// Understood, but not allowed or not possible now: shown privately, nothing changes.
    #[error("{0}")]
    Refused(String),
    /// The directory could not be asked: nothing was recorded. `Unavailable`: the user may
    /// retry; `Refused`: Baton's access to Slack must be fixed first.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// A fault inside Baton: logged with its cause chain; the user gets a short apology.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommandError {
    pub(crate) fn usage(message: impl Into<String>, usage: &'static str) -> Self {
        Self::Usage {
            message: message.into(),
            usage,
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            Self::Usage { .. } => "usage_error",
            Self::Refused(_) => "refused",
            Self::Directory(DirectoryError::Unavailable(_)) => "directory_unavailable",
            Self::Directory(DirectoryError::Refused(_)) => "directory_refused",
            Self::Store(_) => "internal_error",
        }
    }

    fn into_reply(self) -> Reply {
        match self {
            Self::Usage { message, usage } => {
                Reply::private(format!("{message}\n\n*Usage*\n{usage}"))
            }
            Self::Refused(message) => Reply::private(message),
            Self::Directory(DirectoryError::Unavailable(_)) => Reply::private(
                "Sorry, I could not check that person with Slack just now. Nothing was recorded; \
                 please try again in a moment.",
            ),
            Self::Directory(DirectoryError::Refused(_)) => Reply::private(
                "Sorry, Slack refused to let Baton check that person: its access to Slack needs \
                 fixing (a revoked token or a missing permission), and trying again will not help \
                 until then. Nothing was recorded; please tell whoever runs Baton.",
            ),
            Self::Store(_) => Reply::private(
                "Sorry, something went wrong inside Baton and nothing was changed. Please try \
                 again; if it keeps happening, tell whoever runs Baton.",
            ),
        }
    }
}

/// The keyword `typed` is most likely a slip for (`histroy` for `history`): one letter wrong,
/// missing, extra or two swapped, or two for words longer than five letters; or the start of
/// one keyword alone (`hist`). None when nothing is that close, or two keywords are equally
/// close, or for words under four letters, where one letter off is as likely a name (`Mel` is
/// not `me`).
pub(crate) fn did_you_mean(typed: &str, keywords: &[&'static str]) -> Option<&'static str> {
    let typed = typed.to_lowercase();
    if typed.chars().count() < 4 {
        return None;
    }
    if let [k] = keywords
        .iter()
        .filter(|k| k.len() > typed.len() && k.starts_with(typed.as_str()))
        .collect::<Vec<_>>()
        .as_slice()
    {
        return Some(k);
    }
    let allowed = if typed.chars().count() > 5 { 2 } else { 1 };
    let mut close = keywords
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&typed, k), *k))
        .filter(|(d, _)| (1..=allowed).contains(d))
        .collect::<Vec<_>>();
    close.sort();
    match close.as_slice() {
        [(d, k), rest @ ..] if rest.first().is_none_or(|(next, _)| next > d) => Some(k),
        _ => None,
    }
}

/// "If `bob` is a person, mention them: `/handover @bob`.": for a word shaped like a Slack
/// name (a letter, then letters, digits, `.`, `-` or `_`) typed where a person goes, without
/// its `@`. None for other words, which no mention would fix. The words typed after it (`rest`,
/// wire form) stay in the command shown (see [`with_the_rest`]).
pub(crate) fn mention_hint(command: CommandName, word: &str, rest: &str) -> Option<String> {
    name_shaped(word).then(|| {
        let word = crate::domain::text::echo(word);
        let command = with_the_rest(&format!("{} @{word}", command.as_str()), rest);
        format!("If `{word}` is a person, mention them: {command}.")
    })
}

/// Whether `word` is shaped like a Slack name typed without its `@`: a letter, then letters,
/// digits, `.`, `-` or `_`, at most 80 characters.
pub(crate) fn name_shaped(word: &str) -> bool {
    word.starts_with(char::is_alphabetic)
        && word.chars().count() <= 80
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// A command to type, in backticks, with the words typed after what it corrects (`rest`, wire
/// form): offered without them, `/handover @bob` for `bob at 2025-03-03 09:00` would record the
/// handover now. Words that cannot be quoted back as typed (markup such as a mention, which
/// would show as its code; a line break or a backtick, which end the quote; more than
/// [`REST_QUOTED_AT_MOST`] characters) are said to follow instead.
pub(crate) fn with_the_rest(command: &str, rest: &str) -> String {
    let rest = crate::domain::text::trim_gaps(rest);
    if rest.is_empty() {
        return format!("`{command}`");
    }
    // Wire form without `<` holds no markup: only `&amp;`, `&lt;` and `&gt;`, shown as typed.
    let quotable = rest.chars().count() <= REST_QUOTED_AT_MOST && !rest.contains(['<', '\n', '`']);
    match quotable {
        true => format!("`{command} {rest}`"),
        false => format!("`{command} …` (then the rest as you typed it)"),
    }
}

/// The most characters of a command's rest that [`with_the_rest`] quotes back: a time and a
/// line of notes.
const REST_QUOTED_AT_MOST: usize = 300;

/// The cause chain of an error, for logs: "a: b: c".
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A reply and what happened, in one word (`recorded`, `refused`, `usage_error`, …) for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub reply: Reply,
    pub outcome: &'static str,
}

/// The command engine. Cheap to clone; share one between all connections.
pub struct Engine<S, D> {
    pub(crate) store: S,
    pub(crate) directory: D,
    pub(crate) settings: Arc<EngineSettings>,
    /// Names of people and channels this engine has stored; shared by clones.
    known: Arc<Known>,
}

/// The names an engine has stored, or is storing, for reports (see [`Engine::remember_name`]).
#[derive(Default)]
struct Known {
    people: KnownNames<UserId>,
    channels: KnownNames<ChannelId>,
}

/// Past this many names a cache of them is emptied: a bound on memory, not an LRU.
const MAX_KNOWN_NAMES: usize = 10_000;

/// The name last stored (or being stored) for each key.
struct KnownNames<K>(Mutex<HashMap<K, String>>);

impl<K> Default for KnownNames<K> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<K: Eq + std::hash::Hash + Clone> KnownNames<K> {
    /// Stores `name` for `key` with `store`, unless this cache says it is stored, or being
    /// stored, already. The name is noted before the write, so that a burst of commands naming
    /// someone new stores it once; a write that fails takes the note back, so the next command
    /// tries again.
    async fn remember<F: Future<Output = Result<(), StoreError>>>(
        &self,
        key: &K,
        name: &str,
        store: impl FnOnce() -> F,
    ) -> Result<(), StoreError> {
        if !self.note(key, name) {
            return Ok(());
        }
        let stored = store().await;
        if stored.is_err() {
            self.take_back(key, name);
        }
        stored
    }

    /// Notes `name` for `key`; false if it was noted already (nothing to store).
    fn note(&self, key: &K, name: &str) -> bool {
        let mut names = self.lock();
        if names.get(key).is_some_and(|known| known == name) {
            return false;
        }
        if names.len() >= MAX_KNOWN_NAMES {
            names.clear();
        }
        names.insert(key.clone(), name.to_owned());
        true
    }

    /// Takes back a note whose write did not happen, unless another has replaced it since.
    fn take_back(&self, key: &K, name: &str) {
        let mut names = self.lock();
        if names.get(key).is_some_and(|known| known == name) {
            names.remove(key);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, String>> {
        // The map holds no invariant a panicking holder could break.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<S: Clone, D: Clone> Clone for Engine<S, D> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            directory: self.directory.clone(),
            settings: self.settings.clone(),
            known: self.known.clone(),
        }
    }
}

impl<S: Store, D: Directory> Engine<S, D> {
    pub fn new(store: S, directory: D, settings: Arc<EngineSettings>) -> Self {
        Self {
            store,
            directory,
            settings,
            known: Arc::default(),
        }
    }

    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Answers one command. Never fails: user mistakes become private replies with usage,
    /// internal faults are logged and become a short private apology.
    pub async fn handle(&self, inv: Invocation) -> Reply {
        self.answer(inv).await.reply
    }

    /// [`Engine::handle`], with a one-word outcome for the adapter's log line. Faults are logged
    /// here with their cause chain; everything else is left to the adapter's one line.
    pub async fn answer(&self, inv: Invocation) -> Answer {
        let result = match inv.command {
            CommandName::Handover => handover::run(self, &inv).await,
            CommandName::OncallPay => oncall_pay::run(self, &inv).await,
        };
        let (reply, outcome) = match result {
            Ok(done) => done,
            Err(error) => {
                let outcome = error.outcome();
                match &error {
                    CommandError::Store(e) => tracing::error!(
                        user = %inv.user, channel = %inv.channel, command = inv.command.as_str(),
                        outcome, error = %error_chain(e), "command failed"
                    ),
                    CommandError::Directory(e @ DirectoryError::Refused(_)) => tracing::error!(
                        user = %inv.user, channel = %inv.channel, command = inv.command.as_str(),
                        outcome, error = %error_chain(e), "command failed"
                    ),
                    CommandError::Directory(e) => tracing::warn!(
                        user = %inv.user, channel = %inv.channel, command = inv.command.as_str(),
                        outcome, error = %error_chain(e), "command failed"
                    ),
                    _ => {}
                }
                (error.into_reply(), outcome)
            }
        };
        tracing::debug!(
            user = %inv.user, channel = %inv.channel, command = inv.command.as_str(), outcome,
            "command"
        );
        Answer { reply, outcome }
    }

    /// Looks a mention up and insists on an active person; remembers their name for reports.
    /// `instead` is what to do instead (see [`Engine::find_active`]).
    pub(crate) async fn active_person(
        &self,
        who: &MentionRef,
        now: DateTime<Utc>,
        instead: &str,
    ) -> Result<Person, CommandError> {
        let person = self.find_active(who, instead, Leavers::Refused).await?;
        self.remember_name(&person, now).await?;
        Ok(person)
    }

    /// The id a mention names: a Slack mention carries it; a console name is looked up (any
    /// account, active or not).
    pub(crate) async fn find_id(&self, who: &MentionRef) -> Result<UserId, CommandError> {
        match who {
            MentionRef::Id(id) => Ok(id.clone()),
            MentionRef::Name(name) => match self.directory.lookup(who).await? {
                Some(person) => Ok(person.id),
                None => Err(CommandError::Refused(format!(
                    "I don't know anyone called @{}. Type @ and pick the person from the list. \
                     Nothing changed.",
                    crate::domain::text::echo(name)
                ))),
            },
        }
    }

    /// Looks a mention up and insists on an active person, storing nothing: for a command that
    /// stores the name beside its own write (see `handover::record::hand_over`). A refusal (a bot,
    /// someone deactivated or unknown) says `instead`, what to do instead, and that nothing
    /// changed. `leavers`: whether someone deactivated will do too, and if not, whether to say
    /// how a shift they held before they left is recorded.
    pub(crate) async fn find_active(
        &self,
        who: &MentionRef,
        instead: &str,
        leavers: Leavers,
    ) -> Result<Person, CommandError> {
        let shown = match who {
            MentionRef::Id(id) => id.mention(),
            MentionRef::Name(name) => format!("@{}", crate::domain::text::echo(name)),
        };
        let person = match self.directory.lookup(who).await? {
            Some(p) => p,
            None => {
                return Err(CommandError::Refused(match who {
                    MentionRef::Id(_) => format!(
                        "{shown} is not a user Baton can find in this workspace. {instead} Nothing \
                         changed."
                    ),
                    MentionRef::Name(_) => format!(
                        "I don't know anyone called {shown}. Type @ and pick the person from the list, \
                         so that their name becomes a mention. Nothing changed."
                    ),
                }))
            }
        };
        match person.kind {
            AccountKind::Person => Ok(person),
            AccountKind::Deactivated if leavers == Leavers::Accepted => Ok(person),
            AccountKind::Bot => Err(CommandError::Refused(format!(
                "{} is a bot; the pager goes to a person. {instead} Nothing changed.",
                person.id.mention()
            ))),
            AccountKind::Deactivated => Err(CommandError::Refused(format!(
                "{} has been deactivated in this workspace and cannot be on call. {instead}{} \
                 Nothing changed.",
                person.id.mention(),
                match leavers {
                    Leavers::RefusedSayingAt =>
                        " (To record a shift they held before they left, add `at YYYY-MM-DD \
                         HH:MM`.)",
                    Leavers::Refused | Leavers::Accepted => "",
                }
            ))),
        }
    }
}

impl<S: Store, D: Directory> Engine<S, D> {
    /// Stores a person's name for reports, unless this engine already stored, or is storing,
    /// that same name: a write transaction per handover only to rewrite an unchanged name would
    /// double the cost of the most common command.
    pub(crate) async fn remember_name(
        &self,
        person: &Person,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let store = || self.store.remember_name(&person.id, &person.name, now);
        self.known
            .people
            .remember(&person.id, &person.name, store)
            .await
    }

    /// The channel's name to store beside a handover in it (for the payroll export): `None`
    /// when there is none, or this engine stored or is storing that same name already. A name
    /// returned is noted as stored; [`Engine::channel_name_not_stored`] takes it back.
    pub(crate) fn channel_name_to_store<'a>(&self, inv: &'a Invocation) -> Option<&'a ChannelName> {
        let name = inv.channel_name.as_ref()?;
        self.known
            .channels
            .note(&inv.channel, name.as_str())
            .then_some(name)
    }

    /// Takes back [`Engine::channel_name_to_store`]'s note when the handover was not recorded
    /// (refused, a duplicate, or failed) or its name alone failed to store, so the next handover
    /// there stores the name.
    pub(crate) fn channel_name_not_stored(&self, inv: &Invocation, name: &ChannelName) {
        self.known.channels.take_back(&inv.channel, name.as_str());
    }
}

/// Whether someone whose account is deactivated may be named (see [`Engine::find_active`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leavers {
    /// No (the rota order).
    Refused,
    /// No, and the refusal says that `at` records a shift from before they left (an admin's
    /// handover now).
    RefusedSayingAt,
    /// Yes: an admin's backdated handover, for a shift held before they left.
    Accepted,
}

/// A command handler's success: the reply, and a one-word outcome for the log.
pub(crate) type Handled = Result<(Reply, &'static str), CommandError>;
