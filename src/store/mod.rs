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

use crate::domain::ids::{ChannelId, UserId};
use crate::domain::pay::{ChannelRota, HandoverPoint};
use crate::domain::rota::{ChannelState, Handover, NewHandover, Undo};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection as _, SqliteConnection};
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

mod pay_index;
mod writer;
use pay_index::{Change, ReadSource};
use writer::{Writer, Writes};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Why storage failed: an internal fault, never a user mistake.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {reason} (check that the directory exists and is writable, or set DATABASE_URL)")]
    Open { path: String, reason: String },
    #[error(
        "the database at {path} was written by a newer Baton (it has migration {version}, which \
         this version does not know): run the newer Baton, or point DATABASE_URL at another file"
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
    #[error(
        "there is no database at {0}: point DATABASE_URL at the file Baton records to (reports \
         read a database, they never create one)"
    )]
    Missing(String),
    #[error("cannot read the database at {path}: {reason}")]
    OpenForReading { path: String, reason: String },
    #[error(
        "{0} is not a Baton database (it has no record of Baton's schema): point DATABASE_URL at \
         the file Baton records to"
    )]
    NotBaton(String),
    #[error(
        "the database at {path} was last opened by an older Baton (it lacks migration \
         {version}): start this Baton on it once (`baton console`, then `:quit`) to update it, \
         then run the report again"
    )]
    OlderSchema { path: String, version: i64 },
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

    /// Replaces the channel's rota order and writes an audit entry.
    fn set_rota(
        &self,
        channel: &ChannelId,
        members: &[UserId],
        actor: &UserId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

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

    /// Every channel with someone on call now.
    fn channels_on_call(
        &self,
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

    /// Gives up a claim whose post failed for good, so a later run may try again today.
    fn release_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The SQLite store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// The one writing connection, on its own thread: every write, and every read that a
    /// decision or a command's answer rests on (so it sees the decisions before it).
    writer: Writer,
    /// Where the reads of names (for the reminders) open their connection: with WAL, readers
    /// never wait for the writer.
    reader: ReadSource,
    /// Pay's rows, in memory (`pay_index.rs`).
    pay: Arc<pay_index::Shared>,
    /// The database file, as an absolute path where it can be resolved.
    file: PathBuf,
}

/// Where `DATABASE_URL` (or its default) points: a `sqlite:` URL, or a plain file path.
fn connect_options(url: &str) -> Result<(SqliteConnectOptions, String), StoreError> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(url.to_owned()))?
    } else if url.trim().is_empty() || url.contains("://") {
        // Blank (a stray space in an env file), or another database's URL (postgres://,
        // mysql://): not a file Baton should create.
        return Err(StoreError::BadUrl(url.to_owned()));
    } else {
        SqliteConnectOptions::new().filename(PathBuf::from(url))
    };
    let shown = options.get_filename().display().to_string();
    if url.contains(":memory:") || url.contains("mode=memory") || shown.is_empty() {
        // Each connection would get a database of its own: the writer's, the migrations' and
        // the readers' would never meet, and nothing would outlive the process.
        return Err(StoreError::BadUrl(url.to_owned()));
    }
    Ok((options, shown))
}

/// SQLite's own words for why a database did not open ("unable to open database file"), once.
fn open_reason(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let (options, path) = connect_options(url)?;
        owner_only(options.get_filename());
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let open_error = |reason: String| StoreError::Open {
            path: path.clone(),
            reason,
        };
        let mut setup = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| open_error(open_reason(&e)))?;
        MIGRATOR
            .run(&mut setup)
            .await
            .map_err(|source| match source {
                sqlx::migrate::MigrateError::VersionMissing(version) => StoreError::NewerSchema {
                    path: path.clone(),
                    version,
                },
                source => StoreError::Migrate {
                    path: path.clone(),
                    source,
                },
            })?;
        let writing =
            writing_connection(options.get_filename()).map_err(|e| open_error(e.to_string()))?;
        warm_writer(&writing).map_err(|e| match e {
            StoreError::Sqlite(sqlite) => open_error(sqlite.to_string()),
            other => open_error(other.to_string()),
        })?;
        // The writer's connection is open, so closing this one does not checkpoint.
        setup.close().await?;
        let pay = Arc::new(pay_index::Shared::open(ReadSource::live(
            options.get_filename(),
        ))?);
        let writer = Writer::start(writing, Some(Arc::clone(&pay)))
            .map_err(|e| open_error(e.to_string()))?;
        let file = options.get_filename();
        let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let reader = ReadSource::live(options.get_filename());
        Ok(Self {
            writer,
            reader,
            pay,
            file,
        })
    }

    /// The database file, absolute where it could be resolved: what the startup line shows.
    pub fn file(&self) -> &std::path::Path {
        &self.file
    }

    /// Reads pay's index now, if nothing has yet (see `pay_index.rs`).
    pub async fn warm_pay_index(&self) -> Result<(), StoreError> {
        self.pay.warm().await
    }

    /// Waits for every write to finish and closes the database cleanly (checkpointing the WAL).
    pub async fn close(&self) {
        self.writer.stop().await;
    }
}

/// A Baton database opened for reading only, for `baton pay-report`: it never writes (no
/// migration, no change of journal mode, no writer), so a report can read the live database
/// beside a running Baton, a backup copy, or a file its user may only read, and pointed at the
/// wrong file it refuses rather than turning it into an empty Baton database.
pub struct ReadOnlyStore {
    source: ReadSource,
    pay: pay_index::Shared,
}

impl ReadOnlyStore {
    /// Opens the database at `url`, which must exist and hold exactly the migrations this Baton
    /// knows: one from an older Baton lacks tables or columns a report reads, and one from a
    /// newer Baton may hold rows this one would misread.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let (options, shown) = connect_options(url)?;
        let path = options.get_filename().to_path_buf();
        if !path.exists() {
            return Err(StoreError::Missing(shown));
        }
        let unreadable = |e: rusqlite::Error| StoreError::OpenForReading {
            path: shown.clone(),
            reason: format!("{e} (check that this user may read the file)"),
        };
        let live = ReadSource::live(&path);
        let (source, applied) = match live.connect().and_then(|c| applied_migrations(&c)) {
            Err(e) if cannot_share_memory(&e) && !wal_beside(&path).exists() => {
                // A WAL database in a directory this user may not write, with no `-shm` file
                // to share: nothing is writing it (see `ReadSource::unchanging`).
                let source = ReadSource::unchanging(&path);
                let applied = source.connect().and_then(|c| applied_migrations(&c));
                (source, applied)
            }
            other => (live, other),
        };
        let applied = applied.map_err(|e| match e {
            e if cannot_share_memory(&e) => StoreError::OpenForReading {
                path: shown.clone(),
                reason: format!(
                    "{e}; it is in use (it has a -wal file), and reading a database in use needs \
                     write access to its directory, for SQLite's shared-memory file, or a copy \
                     made with sqlite3's .backup"
                ),
            },
            rusqlite::Error::SqliteFailure(_, Some(ref m)) if m.contains("no such table") => {
                StoreError::NotBaton(shown.clone())
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                StoreError::NotBaton(shown.clone())
            }
            other => unreadable(other),
        })?;
        let known: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        if let Some(&version) = applied.iter().find(|v| !known.contains(v)) {
            return Err(StoreError::NewerSchema {
                path: shown,
                version,
            });
        }
        if let Some(&version) = known.iter().find(|v| !applied.contains(v)) {
            return Err(StoreError::OlderSchema {
                path: shown,
                version,
            });
        }
        let pay = pay_index::Shared::open(source.clone())?;
        Ok(Self { source, pay })
    }

    /// Pay's rows for the period, as [`Store::pay_history`] gives them.
    pub async fn pay_history(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Result<Vec<ChannelRota>, StoreError> {
        self.pay.answer(start, end, scope).await
    }

    /// The names last seen for `users`, as [`Store::names`] gives them.
    pub async fn names(&self, users: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
        read_names(&self.source, users).await
    }
}

/// The names last stored for `users`, read on a connection of its own (on a blocking thread);
/// people with none stored are left out.
async fn read_names(
    source: &ReadSource,
    users: &[UserId],
) -> Result<HashMap<UserId, String>, StoreError> {
    let source = source.clone();
    let users = users.to_vec();
    tokio::task::spawn_blocking(move || {
        let conn = source.connect()?;
        let mut query = conn.prepare("SELECT name FROM people WHERE user_id = ?1")?;
        let mut names = HashMap::new();
        for u in users {
            let name: Option<String> =
                query.query_row([u.as_str()], |row| row.get(0)).optional()?;
            if let Some(name) = name {
                names.insert(u, name);
            }
        }
        Ok(names)
    })
    .await
    .map_err(|_| StoreError::Panicked)?
}

/// Creates the database file, if missing, readable and writable by its owner only: it holds
/// every handover's notes and, with the config, everyone's pay. SQLite gives its `-wal` and
/// `-shm` files the database file's permissions. A file that exists and that other users may
/// read is left as it is, with a warning.
fn owner_only(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        // Any other failure (a missing directory, say) SQLite reports next, in its own words.
        if created.is_err() {
            if let Ok(meta) = std::fs::metadata(path) {
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::warn!(
                        database = %path.display(),
                        mode = format!("{:o}", meta.permissions().mode() & 0o777),
                        "other users may read the database (handover notes, and with the \
                         config everyone's pay): `chmod 600` it and its -wal and -shm files"
                    );
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Fault injection for the crash tests, in debug builds only: with
/// `BATON_TEST_CRASH_AFTER_COMMITTING` set to a submission's dedup key, the process aborts the
/// moment that submission's handover has committed, before any reply is sent. That is the
/// window a `kill -9` hits only by luck: recorded, but never confirmed to the person.
#[cfg(debug_assertions)]
fn crash_point_after_commit<E>(
    key: Option<&str>,
    recorded: &Result<Result<Recorded, E>, StoreError>,
) {
    static CRASH_KEY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let armed = CRASH_KEY.get_or_init(|| std::env::var("BATON_TEST_CRASH_AFTER_COMMITTING").ok());
    let committed = matches!(
        recorded,
        Ok(Ok(Recorded {
            duplicate: false,
            ..
        }))
    );
    if committed && key.is_some() && armed.as_deref() == key {
        std::process::abort();
    }
}

/// SQLite could not set up the shared memory a WAL reader needs: the `-shm` file is missing
/// and may not be created, or may not be written.
fn cannot_share_memory(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen))
}

/// The `-wal` file SQLite keeps beside a WAL database while it is in use.
fn wal_beside(path: &std::path::Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// The versions of the migrations applied to a database, from sqlx's own table.
fn applied_migrations(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    conn.prepare("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// How long a connection waits for another process's lock (the console on the same file).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The writer's connection, with the settings sqlx's connections get from their options
/// (`synchronous` and `foreign_keys` are per connection; WAL is the file's, set at migration).
fn writing_connection(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // `temp_store`: each job's savepoint journal (the pages it first changed, kept to undo just
    // that job) in memory, not in a temporary file: in a file it was 40% of the writer's time.
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
    )?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn instant(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("instant {secs}")))
}

/// `to_user` of a handover that ended standby (`to` is `None`): the column is NOT NULL, and no
/// Slack id or console name is empty.
const NOBODY: &str = "";

/// `to_user` as stored: [`NOBODY`] for an end of standby.
fn to_user_column(to: Option<&UserId>) -> &str {
    to.map_or(NOBODY, UserId::as_str)
}

fn to_user(raw: String) -> Result<Option<UserId>, StoreError> {
    match raw.as_str() {
        NOBODY => Ok(None),
        _ => user(raw).map(Some),
    }
}

fn user(raw: String) -> Result<UserId, StoreError> {
    UserId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn channel(raw: String) -> Result<ChannelId, StoreError> {
    ChannelId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The columns [`handover_from_row`] reads, first in a row and in this order. A macro, so that
/// the statements built with it are constants, prepared once (the writer's statement cache is
/// keyed by their text).
macro_rules! handover_columns {
    () => {
        "id, channel_id, seq, from_user, to_user, effective_at, recorded_at, recorded_by, notes, \
         undone_at, undone_by"
    };
}

/// How many columns [`handover_columns`] names: the next column's index.
const HANDOVER_WIDTH: usize = 11;

/// A new handover, next in its channel's chain; returns it as [`handover_columns`].
const INSERT_HANDOVER: &str = concat!(
    "INSERT INTO handovers (channel_id, seq, from_user, to_user, \
         effective_at, recorded_at, recorded_by, notes, dedup_key) \
     VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM handovers WHERE channel_id = ?1), \
             ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
     RETURNING ",
    handover_columns!()
);

/// Compiles the statements every handover runs, on the writer's connection before its thread
/// starts, so that the first handovers after a start do not: SQLite reads the schema on a
/// connection's first statement and compiles each statement on its first use, about a
/// millisecond of CPU in all, which the first burst of commands otherwise queued behind. The
/// reads run (on a channel id no channel has) and find nothing; the insert is only compiled.
fn warm_writer(conn: &Connection) -> Result<(), StoreError> {
    let nowhere = ChannelId::parse("C0WARMUP").map_err(|e| StoreError::Corrupt(e.to_string()))?;
    for done in [
        DoneBefore::Recorded(None),
        DoneBefore::Undone(None),
        DoneBefore::Nothing,
    ] {
        read_state(conn, &nowhere, done)?;
    }
    pay_index::version(conn)?;
    for sql in [INSERT_HANDOVER, "BEGIN IMMEDIATE", "COMMIT"] {
        conn.prepare_cached(sql)?;
    }
    Ok(())
}

/// Reads [`handover_columns`] by position (by name, each read searched the columns' names).
fn handover_from_row(row: &Row<'_>) -> Result<Handover, StoreError> {
    let undone = match (
        row.get::<_, Option<i64>>(9)?,
        row.get::<_, Option<String>>(10)?,
    ) {
        (Some(at), Some(by)) => Some(Undo {
            by: user(by)?,
            at: instant(at)?,
        }),
        _ => None,
    };
    Ok(Handover {
        id: row.get(0)?,
        channel: channel(row.get(1)?)?,
        seq: row.get(2)?,
        from: row.get::<_, Option<String>>(3)?.map(user).transpose()?,
        to: to_user(row.get(4)?)?,
        effective_at: instant(row.get(5)?)?,
        recorded_at: instant(row.get(6)?)?,
        recorded_by: user(row.get(7)?)?,
        notes: row.get(8)?,
        undone,
    })
}

/// Runs `sql` and reads its one row with `read`; no row is a fault (the statements used with it
/// always give one).
fn one_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    optional_row(conn, sql, params, read)?
        .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
}

/// The first row of a query, read by `read`, if there is one.
fn optional_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    rows.next()?.map(read).transpose()
}

/// Which earlier submission [`read_state`] also looks for, by its dedup key.
#[derive(Clone, Copy)]
enum DoneBefore<'a> {
    /// None: a plain read of the state.
    Nothing,
    /// The handover recorded by this key (a retried or doubled delivery), if any.
    Recorded(Option<&'a str>),
    /// The handover undone by this key, if any.
    Undone(Option<&'a str>),
}

/// The channel's state in one statement: its latest active handover (columns NULL if it has
/// none), its rota (NULL if none is set) and, if asked, the id of the handover an earlier
/// submission with the same key recorded or undid.
fn read_state(
    conn: &Connection,
    channel: &ChannelId,
    done: DoneBefore<'_>,
) -> Result<(ChannelState, Option<i64>), StoreError> {
    macro_rules! state {
        ($done_column:literal) => {
            concat!(
                "SELECT ",
                handover_columns!(),
                ", (SELECT members FROM rotas WHERE channel_id = ?1) AS members, ",
                $done_column,
                " AS done_id \
                 FROM (SELECT 1) LEFT JOIN handovers ON id = ( \
                     SELECT id FROM handovers \
                     WHERE channel_id = ?1 AND undone_at IS NULL ORDER BY seq DESC LIMIT 1)"
            )
        };
    }
    let (sql, key) = match done {
        DoneBefore::Nothing => (state!("NULL"), None),
        DoneBefore::Recorded(key) => (
            state!("(SELECT id FROM handovers WHERE dedup_key = ?2)"),
            key,
        ),
        DoneBefore::Undone(key) => (
            state!("(SELECT id FROM handovers WHERE undo_dedup_key = ?2)"),
            key,
        ),
    };
    let read = |row: &Row<'_>| {
        let current = match row.get::<_, Option<i64>>(0)? {
            Some(_) => Some(handover_from_row(row)?),
            None => None,
        };
        let members: Option<String> = row.get(HANDOVER_WIDTH)?;
        let rota = members
            .unwrap_or_default()
            .split_whitespace()
            .map(|m| user(m.to_owned()))
            .collect::<Result<_, _>>()?;
        let done_id: Option<i64> = row.get(HANDOVER_WIDTH + 1)?;
        Ok((ChannelState { current, rota }, done_id))
    };
    match done {
        DoneBefore::Nothing => one_row(conn, sql, [channel.as_str()], read),
        _ => one_row(conn, sql, rusqlite::params![channel.as_str(), key], read),
    }
}

/// The channel's most recent handover, active or not, if it has been undone.
fn latest_if_undone(
    conn: &Connection,
    channel: &ChannelId,
) -> Result<Option<Handover>, StoreError> {
    let latest = optional_row(
        conn,
        concat!(
            "SELECT ",
            handover_columns!(),
            " FROM handovers WHERE channel_id = ?1 ORDER BY seq DESC LIMIT 1"
        ),
        [channel.as_str()],
        handover_from_row,
    )?;
    Ok(latest.filter(|h| h.undone.is_some()))
}

fn handover_by_id(conn: &Connection, id: i64) -> Result<Handover, StoreError> {
    one_row(
        conn,
        concat!(
            "SELECT ",
            handover_columns!(),
            " FROM handovers WHERE id = ?1"
        ),
        [id],
        handover_from_row,
    )
}

/// How [`decide_in_transaction`] ended.
enum Decided<T, E> {
    /// An earlier submission with the same key already did this: its handover, and the state now.
    Before {
        handover: Handover,
        state: ChannelState,
    },
    /// `decide` refused: nothing is to be written.
    Refused(E),
    /// `decide` allowed `value`, to be written in the same transaction.
    Go { state: ChannelState, value: T },
}

/// The start both decide-then-write operations share, inside the writer's transaction: one read
/// of the channel's state (and of what `done`'s key did before), then `decide`.
fn decide_in_transaction<T, E>(
    conn: &Connection,
    channel: &ChannelId,
    done: DoneBefore<'_>,
    decide: impl FnOnce(&ChannelState) -> Result<T, E>,
) -> Result<Decided<T, E>, StoreError> {
    let (state, done) = read_state(conn, channel, done)?;
    if let Some(id) = done {
        let handover = handover_by_id(conn, id)?;
        return Ok(Decided::Before { handover, state });
    }
    Ok(match decide(&state) {
        Ok(value) => Decided::Go { state, value },
        Err(refusal) => Decided::Refused(refusal),
    })
}

impl Store for SqliteStore {
    async fn channel_state(&self, channel: &ChannelId) -> Result<ChannelState, StoreError> {
        let channel = channel.clone();
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                Ok(read_state(conn, &channel, DoneBefore::Nothing)?.0)
            })
            .await
    }

    async fn record_handover<F, E>(
        &self,
        channel: &ChannelId,
        dedup_key: Option<&str>,
        decide: F,
    ) -> Result<Result<Recorded, E>, StoreError>
    where
        F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send + 'static,
        E: Send + 'static,
    {
        let channel = channel.clone();
        let key = dedup_key.map(str::to_owned);
        #[cfg(debug_assertions)]
        let crash_key = key.clone();
        let recorded = self
            .writer
            .run_changing(Writes::AtMostOne, move |conn, changes| {
                let done = DoneBefore::Recorded(key.as_deref());
                let new = match decide_in_transaction(conn, &channel, done, decide)? {
                    Decided::Before { handover, .. } => {
                        return Ok(Ok(Recorded {
                            handover,
                            duplicate: true,
                        }))
                    }
                    Decided::Refused(refusal) => return Ok(Err(refusal)),
                    Decided::Go { value, .. } => value,
                };
                let handover = one_row(
                    conn,
                    INSERT_HANDOVER,
                    rusqlite::params![
                        channel.as_str(),
                        new.from.as_ref().map(UserId::as_str),
                        to_user_column(new.to.as_ref()),
                        new.effective_at.timestamp(),
                        new.recorded_at.timestamp(),
                        new.recorded_by.as_str(),
                        new.notes,
                        key,
                    ],
                    handover_from_row,
                )?;
                changes.push(Change::Recorded {
                    channel,
                    seq: handover.seq,
                    point: HandoverPoint {
                        at: handover.effective_at,
                        to: handover.to.clone(),
                    },
                });
                Ok(Ok(Recorded {
                    handover,
                    duplicate: false,
                }))
            })
            .await;
        #[cfg(debug_assertions)]
        crash_point_after_commit(crash_key.as_deref(), &recorded);
        recorded
    }

    async fn undo_latest<F, E>(
        &self,
        channel: &ChannelId,
        dedup_key: Option<&str>,
        decide: F,
    ) -> Result<Result<Undone, E>, StoreError>
    where
        F: FnOnce(&ChannelState, Option<&Handover>) -> Result<Undo, E> + Send + 'static,
        E: Send + 'static,
    {
        let channel = channel.clone();
        let key = dedup_key.map(str::to_owned);
        self.writer
            .run_changing(Writes::Several, move |conn, changes| {
                let done = DoneBefore::Undone(key.as_deref());
                let undone = latest_if_undone(conn, &channel)?;
                let decide = |state: &ChannelState| decide(state, undone.as_ref());
                let (state, undo) = match decide_in_transaction(conn, &channel, done, decide)? {
                    Decided::Before { handover, state } => {
                        return Ok(Ok(Undone {
                            handover,
                            after: state,
                            duplicate: true,
                        }))
                    }
                    Decided::Refused(refusal) => return Ok(Err(refusal)),
                    Decided::Go { state, value } => (state, value),
                };
                let Some(latest) = state.current else {
                    // `decide` allowed undoing nothing; there is nothing to write.
                    return Err(StoreError::Corrupt("undo allowed with no handover".into()));
                };
                let handover = one_row(
                    conn,
                    concat!(
                        "UPDATE handovers SET undone_at = ?1, undone_by = ?2, undo_dedup_key = ?3 \
                         WHERE id = ?4 AND undone_at IS NULL RETURNING ",
                        handover_columns!()
                    ),
                    rusqlite::params![undo.at.timestamp(), undo.by.as_str(), key, latest.id],
                    handover_from_row,
                )?;
                changes.push(Change::Undone {
                    channel: channel.clone(),
                    seq: handover.seq,
                });
                let (after, _) = read_state(conn, &channel, DoneBefore::Nothing)?;
                Ok(Ok(Undone {
                    handover,
                    after,
                    duplicate: false,
                }))
            })
            .await
    }

    async fn set_rota(
        &self,
        channel: &ChannelId,
        members: &[UserId],
        actor: &UserId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let joined = members
            .iter()
            .map(UserId::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let (channel, actor) = (channel.clone(), actor.clone());
        self.writer
            .run(Writes::Several, move |conn| {
                let row =
                    rusqlite::params![channel.as_str(), joined, at.timestamp(), actor.as_str()];
                conn.prepare_cached(
                    "INSERT INTO rotas (channel_id, members, updated_at, updated_by) \
                     VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (channel_id) DO UPDATE SET members = excluded.members, \
                         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )?
                .execute(row)?;
                conn.prepare_cached(
                    "INSERT INTO audit_log (at, actor, channel_id, action, detail) \
                     VALUES (?3, ?4, ?1, 'set_rota', ?2)",
                )?
                .execute(row)?;
                Ok(())
            })
            .await
    }

    async fn recorded_with_key(&self, dedup_key: &str) -> Result<Option<Handover>, StoreError> {
        let key = dedup_key.to_owned();
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                optional_row(
                    conn,
                    concat!(
                        "SELECT ",
                        handover_columns!(),
                        " FROM handovers WHERE dedup_key = ?1"
                    ),
                    [key],
                    handover_from_row,
                )
            })
            .await
    }

    async fn history(&self, channel: &ChannelId, limit: u32) -> Result<Vec<Handover>, StoreError> {
        let channel = channel.clone();
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                let mut statement = conn.prepare_cached(concat!(
                    "SELECT ",
                    handover_columns!(),
                    " FROM handovers WHERE channel_id = ?1 ORDER BY seq DESC LIMIT ?2"
                ))?;
                let mut rows = statement.query(rusqlite::params![channel.as_str(), limit])?;
                let mut log = Vec::new();
                while let Some(row) = rows.next()? {
                    log.push(handover_from_row(row)?);
                }
                Ok(log)
            })
            .await
    }

    async fn pay_history(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Result<Vec<ChannelRota>, StoreError> {
        self.pay.answer(start, end, scope).await
    }

    async fn remember_name(
        &self,
        user: &UserId,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (user, name) = (user.clone(), name.to_owned());
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                conn.prepare_cached(
                    "INSERT INTO people (user_id, name, updated_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (user_id) DO UPDATE \
                         SET name = excluded.name, updated_at = excluded.updated_at \
                         WHERE people.name <> excluded.name",
                )?
                .execute(rusqlite::params![
                    user.as_str(),
                    name,
                    at.timestamp()
                ])?;
                Ok(())
            })
            .await
    }

    async fn names(&self, users: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
        read_names(&self.reader, users).await
    }

    async fn channels_on_call(&self) -> Result<Vec<ChannelOnCall>, StoreError> {
        self.writer
            .run(Writes::AtMostOne, |conn| {
                let ids = conn
                    .prepare_cached(
                        "SELECT DISTINCT channel_id FROM handovers WHERE undone_at IS NULL \
                         ORDER BY channel_id",
                    )?
                    .query_map([], |row| row.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let channel = channel(id)?;
                    let (state, _) = read_state(conn, &channel, DoneBefore::Nothing)?;
                    if state.on_call().is_some() {
                        out.push(ChannelOnCall { channel, state });
                    }
                }
                Ok(out)
            })
            .await
    }

    async fn claim_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        claimant: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let (channel, claimant) = (channel.clone(), claimant.to_owned());
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                let changed = conn
                    .prepare_cached(
                        "INSERT INTO reminders (channel_id, local_date, claimed_at, claimed_by) \
                         VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT (channel_id, local_date) DO UPDATE \
                             SET claimed_at = excluded.claimed_at, \
                                 claimed_by = excluded.claimed_by \
                             WHERE reminders.sent_at IS NULL AND reminders.claimed_at < ?5",
                    )?
                    .execute(rusqlite::params![
                        channel.as_str(),
                        date.to_string(),
                        now.timestamp(),
                        claimant,
                        stale_before.timestamp(),
                    ])?;
                Ok(if changed == 1 {
                    Claim::Claimed
                } else {
                    Claim::Taken
                })
            })
            .await
    }

    async fn mark_reminder_sent(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let channel = channel.clone();
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                conn.prepare_cached(
                    "UPDATE reminders SET sent_at = ?3 WHERE channel_id = ?1 AND local_date = ?2",
                )?
                .execute(rusqlite::params![
                    channel.as_str(),
                    date.to_string(),
                    now.timestamp()
                ])?;
                Ok(())
            })
            .await
    }

    async fn release_reminder(
        &self,
        channel: &ChannelId,
        date: NaiveDate,
    ) -> Result<(), StoreError> {
        let channel = channel.clone();
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                conn.prepare_cached(
                    "DELETE FROM reminders \
                     WHERE channel_id = ?1 AND local_date = ?2 AND sent_at IS NULL",
                )?
                .execute(rusqlite::params![channel.as_str(), date.to_string()])?;
                Ok(())
            })
            .await
    }
}

#[cfg(test)]
mod tests;
