//! Storage: the only module with SQL. SQLite, with the schema in `migrations/`, applied at startup
//! by sqlx.
//!
//! Two drivers, each where it is cheapest. Every write, and every read a decision or a reply
//! rests on, runs on one writer thread with rusqlite (`writer.rs`): many jobs to a transaction,
//! with no thread hop per statement. Pay's rows, the heavy reads, come from an index of the
//! active handovers in memory (`pay_index.rs`), which the writer keeps up to date and a change
//! counter in the database keeps exact. sqlx applies the migrations. Names for the reminders
//! and reports are read on a read-only rusqlite connection of their own, which with WAL never
//! waits for the writer. [`ReadOnlyStore`] is the reports' way in: read-only connections and no
//! writer, so that a report never migrates or changes the file it reads.
//!
//! Durability: WAL with `synchronous = NORMAL`. A committed transaction survives the process being
//! killed (the WAL is in the OS page cache); only a power cut can lose the last few commits. Every
//! reply that says something was recorded is sent after its transaction committed.
//!
//! Concurrency: each decision ("may this person hand over now?") is made on the writer, inside
//! its transaction, after reading the channel's state, so two racing commands in one channel are
//! serialised and the second is judged against what the first left.
//!
//! Layout: this file holds the [`Store`] trait, its errors and values; `sqlite.rs` the store
//! Baton runs on and its verbs, `rows.rs` the rows and the reads each write's decision rests
//! on, `open.rs` where the database is and how its connections are opened, `read_only.rs` the
//! reports' store, `writer.rs` the writer thread, `pay_index.rs` pay's rows in memory.

use crate::domain::ids::{ChannelId, ChannelName, UserId};
use crate::domain::pay::ChannelRota;
use crate::domain::rota::{Ahead, ChannelState, Handover, NewHandover, Undo};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::future::Future;

/// The columns [`rows::handover_from_row`] reads, first in a row and in this order. A macro, so
/// that the statements built with it are constants, prepared once (the writer's statement cache is
/// keyed by their text).
macro_rules! handover_columns {
    () => {
        "id, channel_id, seq, from_user, to_user, effective_at, recorded_at, recorded_by, notes, \
         undone_at, undone_by"
    };
}

mod open;
mod pay_index;
mod read_only;
mod rows;
mod sqlite;
mod writer;
pub(crate) use open::{database_file_at, resolved, OwnFile};
pub use read_only::{back_up, LateChanges, ReadOnlyStore};
pub use sqlite::SqliteStore;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// A blocking database job that did not finish: it panicked (a bug), or the runtime was shutting
/// down and cancelled it.
fn unfinished(e: tokio::task::JoinError) -> StoreError {
    match e.is_panic() {
        true => StoreError::Panicked,
        false => StoreError::Closed,
    }
}

/// Why storage failed: an internal fault, never a user mistake.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `reason` is SQLite's, with what to do about it where that is known (see
    /// `open::with_hint`).
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error(
        "the database at {path} was written by a newer Baton (it has migration {version}, which \
         this version does not know): run the newer Baton, or point --database (or DATABASE_URL) at another file"
    )]
    NewerSchema { path: String, version: i64 },
    #[error("cannot update the database schema at {path}: {source}")]
    Migrate {
        path: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("`{0}` is not a database location: use a file path or a sqlite: URL")]
    BadUrl(String),
    /// SQLite reads a file name that starts with `file:` as a URI, and would open (and create)
    /// another file than the one Baton checked and made owner-only.
    #[error(
        "`{0}` starts with `file:`, which SQLite reads as a URI, not a file name: give the path \
         without it (or `./{0}` for a file really named so)"
    )]
    UriPath(String),
    #[error(
        "there is no database at {0}: point --database (or DATABASE_URL) at the file Baton records to (reports \
         and backups read a database, they never create one)"
    )]
    Missing(String),
    #[error("cannot read the database at {path}: {reason}")]
    OpenForReading { path: String, reason: String },
    #[error(
        "{0} is not a Baton database (it has no record of Baton's schema): point --database (or DATABASE_URL) at \
         the file Baton records to"
    )]
    NotBaton(String),
    #[error(
        "the database at {path} was last opened by an older Baton (it lacks migration \
         {version}): update it by starting this Baton on it (`baton run`, or `baton console \
         --database {path}` then `:quit`; `baton backup` first), then run the report again"
    )]
    OlderSchema { path: String, version: i64 },
    #[error("cannot back up to {path}: {reason} (give a new file in a directory you may write)")]
    Backup { path: String, reason: String },
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    /// The transaction a job ran in did not commit, or was lost before the job could run.
    #[error("the database transaction failed")]
    Transaction(#[source] std::sync::Arc<rusqlite::Error>),
    #[error("the database is closed")]
    Closed,
    #[error("a database job panicked (a bug)")]
    Panicked,
    #[error("the database holds a value Baton cannot read: {0}")]
    Corrupt(String),
}

/// Whose handovers pay needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayScope<'a> {
    /// Every channel (the team report, payroll).
    All,
    /// One channel's rota.
    Channel(&'a ChannelId),
    /// Only the channels where this person held the pager before the period ended: one
    /// engineer's `/oncall-pay` reads their rotas, not the whole workspace's.
    Person(&'a UserId),
}

/// What recording a handover did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub handover: Handover,
    /// True when this submission had been recorded before (same dedup key): nothing new was
    /// written and `handover` is the earlier record.
    pub duplicate: bool,
    /// True when the channel's name given with it could not be stored (the handover was): the
    /// caller's cache must not count it as stored, so a later handover tries again.
    pub channel_name_failed: bool,
}

/// What setting a rota order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotaSet {
    /// Written now.
    Set,
    /// This submission set it before (same dedup key): nothing was written.
    Repeated(RotaBefore),
}

/// The rota order a submission set before, as a repeat of it finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotaBefore {
    /// The order it set.
    pub members: Vec<UserId>,
    /// Whether that is still the channel's order.
    pub current: bool,
}

/// What undoing a handover did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    /// The handover, now marked undone.
    pub handover: Handover,
    /// The channel's state after the undo.
    pub after: ChannelState,
    /// True when this submission had undone it before: nothing new was written.
    pub duplicate: bool,
}

/// A channel that has had at least one handover, with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelOnCall {
    pub channel: ChannelId,
    pub state: ChannelState,
    /// The handovers recorded to take effect after the instant asked about, if any (see
    /// [`Store::channel_at`]).
    pub ahead: Option<Ahead>,
}

/// The state of a claimed reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This caller now owns the reminder and must post it, then mark it sent.
    Claimed,
    /// Already sent, or claimed by someone else recently enough that they are still posting.
    Taken,
}

/// The storage port the engine, the scheduler and the report use.
pub trait Store: Send + Sync {
    /// The channel's current handover and rota order.
    fn channel_state(
        &self,
        channel: &ChannelId,
    ) -> impl Future<Output = Result<ChannelState, StoreError>> + Send;

    /// The channel as of `at`, read in one transaction: its state with `current` the handover in
    /// effect at `at` (the shift running then: nobody's if it ended standby; `None` if none had
    /// begun), and the handovers recorded to take effect after `at`, by a clock that was ahead
    /// of the one asking. Without those, the same as [`channel_state`](Self::channel_state).
    fn channel_at(
        &self,
        channel: &ChannelId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(ChannelState, Option<Ahead>), StoreError>> + Send;

    /// Records a handover if `decide`, given the channel's state read inside the same
    /// transaction, allows it. A `dedup_key` already recorded returns the earlier record instead.
    fn record_handover<F, E>(
        &self,
        channel: &ChannelId,
        dedup_key: Option<&str>,
        decide: F,
    ) -> impl Future<Output = Result<Result<Recorded, E>, StoreError>> + Send
    where
        F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send + 'static,
        E: Send + 'static,
    {
        self.record_named_handover(channel, None, dedup_key, decide)
    }

    /// [`record_handover`](Self::record_handover), also keeping `name` as the channel's name
    /// (for the payroll export) when the handover is recorded, in the same transaction: a
    /// writer job of its own cost every handover in a new channel a tenth more. A name that
    /// fails to store is logged and leaves the handover recorded, with
    /// [`Recorded::channel_name_failed`] set.
    fn record_named_handover<F, E>(
        &self,
        channel: &ChannelId,
        name: Option<&ChannelName>,
        dedup_key: Option<&str>,
        decide: F,
    ) -> impl Future<Output = Result<Result<Recorded, E>, StoreError>> + Send
    where
        F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send + 'static,
        E: Send + 'static;

    /// The handover a submission with this dedup key recorded, if any: how a retried command
    /// that fails before it reaches [`record_handover`](Self::record_handover) (a directory
    /// outage, a rota changed since) learns that its first delivery was recorded after all.
    fn recorded_with_key(
        &self,
        dedup_key: &str,
    ) -> impl Future<Output = Result<Option<Handover>, StoreError>> + Send;

    /// Marks the channel's latest active handover undone if `decide` allows, given the state
    /// and the channel's most recent handover if that one is undone already (an undo right
    /// after an undo). A `dedup_key` that already undid a handover returns that undo again
    /// instead.
    fn undo_latest<F, E>(
        &self,
        channel: &ChannelId,
        dedup_key: Option<&str>,
        decide: F,
    ) -> impl Future<Output = Result<Result<Undone, E>, StoreError>> + Send
    where
        F: FnOnce(&ChannelState, Option<&Handover>) -> Result<Undo, E> + Send + 'static,
        E: Send + 'static;

    /// The rota order a submission with this dedup key set, if any: how a retried `/handover
    /// rota` learns before looking anyone up (Slack's directory may be what failed the first
    /// time) that its first delivery set the order.
    fn rota_set_before(
        &self,
        dedup_key: &str,
    ) -> impl Future<Output = Result<Option<RotaBefore>, StoreError>> + Send;

    /// Replaces the channel's rota order and writes an audit entry, unless this submission
    /// (`dedup_key`) set it before.
    fn set_rota(
        &self,
        channel: &ChannelId,
        members: &[UserId],
        actor: &UserId,
        at: DateTime<Utc>,
        dedup_key: Option<&str>,
    ) -> impl Future<Output = Result<RotaSet, StoreError>> + Send;

    /// The channel's last `limit` handovers, newest first, undone ones included.
    fn history(
        &self,
        channel: &ChannelId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Handover>, StoreError>> + Send;

    /// For pay over `[start, end)`: per channel in `scope`, the last active handover before
    /// `start` and every active handover inside, in time order. Cost grows with the handovers
    /// inside the period, not with the history.
    fn pay_history(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> impl Future<Output = Result<Vec<ChannelRota>, StoreError>> + Send;

    /// Remembers the names the directory gave, for reports.
    fn remember_name(
        &self,
        user: &UserId,
        name: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The remembered names of these people (those known).
    fn names(
        &self,
        users: &[UserId],
    ) -> impl Future<Output = Result<HashMap<UserId, String>, StoreError>> + Send;

    /// Every channel with someone on call at `at`, each with its state as of then: its
    /// `current` is the handover in effect at `at`, and its `ahead` the handovers recorded to take
    /// effect later (see [`channel_at`](Self::channel_at)).
    fn channels_on_call(
        &self,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<ChannelOnCall>, StoreError>> + Send;

    /// Claims the reminder of `channel` for `date`: a new claim, or one older than `stale_before`
    /// that was never marked sent (its poster died), is taken over.
    fn claim_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        claimant: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Marks a claimed reminder as posted.
    fn mark_reminder_sent(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives up `claimant`'s claim whose post failed for good, so a later run may try again
    /// today. A claim another claimant has taken over since (this one's had gone stale) is
    /// theirs, and stays.
    fn release_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        claimant: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[cfg(test)]
mod tests;
