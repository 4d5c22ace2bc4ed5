//! The command engine: `(caller, channel, command, text, now)` in, a [`Reply`] out. No Slack types,
//! no clock reads: adapters (Slack, console) build an [`Invocation`] and render the reply.

pub mod directory;
pub mod reply;

pub use directory::{AccountKind, Directory, DirectoryError, MentionRef, Person};
pub use reply::{Block, Reply, Visibility};

use crate::domain::ids::{ChannelId, UserId};
use chrono::{DateTime, Utc};

/// Which slash command was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandName {
    Handover,
    OncallPay,
}

impl CommandName {
    /// Parses the command as Slack sends it (`/handover`), with or without the slash.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().trim_start_matches('/') {
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
    pub command: CommandName,
    /// The text after the command, in Slack's wire form: `&`, `<`, `>` escaped as entities,
    /// mentions as `<@U…|name>`. The console escapes what it reads into this form.
    pub text: String,
    pub now: DateTime<Utc>,
    /// Identifies a submission so that a retried or doubled delivery records one handover
    /// (Slack: team and `trigger_id`). `None` when the transport has no such id.
    pub dedup_key: Option<String>,
}

use crate::store::Store;
use std::sync::Arc;

/// Everything the engine needs from the configuration.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub timezone: chrono_tz::Tz,
    pub admins: std::collections::BTreeSet<UserId>,
}

/// The command engine. Cheap to clone; share one between all connections.
pub struct Engine<S, D> {
    store: S,
    directory: D,
    settings: Arc<EngineSettings>,
}

impl<S: Clone, D: Clone> Clone for Engine<S, D> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            directory: self.directory.clone(),
            settings: self.settings.clone(),
        }
    }
}

impl<S: Store, D: Directory> Engine<S, D> {
    pub fn new(store: S, directory: D, settings: Arc<EngineSettings>) -> Self {
        Self {
            store,
            directory,
            settings,
        }
    }

    /// Answers one command. Never fails: user mistakes become private replies with usage,
    /// internal faults are logged and become a short private apology.
    pub async fn handle(&self, inv: Invocation) -> Reply {
        let _ = (&self.store, &self.directory, &self.settings, inv);
        Reply::private("Baton is starting up.")
    }
}
