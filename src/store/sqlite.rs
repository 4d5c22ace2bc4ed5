//! [`SqliteStore`]: the store Baton runs on, and its [`Store`] verbs.

use super::open::{
    connect_options, not_a_file, open_reason, owner_only, schema_before, with_hint, writable,
    writing_connection, BUSY_TIMEOUT, READ_ONLY,
};
use super::pay_index::{self, Change, ReadSource};
use super::read_only::read_names;
use super::rows::*;
use super::writer::{Writer, Writes};
use super::{
    ChannelOnCall, Claim, PayScope, Recorded, RotaBefore, RotaSet, Store, StoreError, Undone,
    MIGRATOR,
};
use crate::domain::ids::{ChannelId, ChannelName, UserId};
use crate::domain::pay::{ChannelRota, HandoverPoint};
use crate::domain::rota::{Ahead, ChannelState, Handover, NewHandover, Undo};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection as _, SqliteConnection};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The SQLite store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// The one writing connection, on its own thread: every write, and every read that a
    /// decision or a command's answer rests on (so it sees the decisions before it).
    pub(super) writer: Writer,
    /// Where the reads of names (for the reminders) open their connection: with WAL, readers
    /// never wait for the writer.
    pub(super) reader: ReadSource,
    /// Pay's rows, in memory (`pay_index.rs`).
    pub(super) pay: Arc<pay_index::Shared>,
    /// The database file, as an absolute path where it can be resolved.
    pub(super) file: PathBuf,
}

/// The setup connection, which also switches a new database to WAL. Two Batons creating one
/// database at the same moment may both try that switch, and SQLite answers the one it would
/// otherwise deadlock "database is locked" at once, without waiting out the busy timeout
/// (about one start in forty, four at a time): it tries again, a few times. A lock held for
/// longer (someone's `BEGIN EXCLUSIVE` in the sqlite3 shell) waits out the busy timeout once and
/// is reported, as before.
async fn connect(
    options: &sqlx::sqlite::SqliteConnectOptions,
) -> Result<SqliteConnection, sqlx::Error> {
    let mut tries = 1;
    loop {
        let started = std::time::Instant::now();
        match SqliteConnection::connect_with(options).await {
            Err(e)
                if tries < 5
                    && started.elapsed() < BUSY_TIMEOUT / 2
                    && open_reason(&e).contains("database is locked") =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20 * tries)).await;
                tries += 1;
            }
            done => return done,
        }
    }
}

/// Applies the migrations this database lacks. Two Batons opening one new (or older) database
/// at the same moment (a console started beside `baton run`, a restart racing a supervisor's
/// retry) may both find a migration missing; the first to commit it wins, and the other's copy
/// then fails ("table handovers already exists"), since sqlx's migration lock is a no-op on
/// SQLite. Each migration runs in its own transaction, so a failed one left nothing behind:
/// the loser looks again, finds the winner's migrations applied, and goes on. A failure that is
/// not a race fails the same way each time, and is returned after the last look.
async fn migrate(conn: &mut SqliteConnection) -> Result<(), sqlx::migrate::MigrateError> {
    use sqlx::migrate::MigrateError;
    const LOOKS: u64 = 5;
    // How many migrations the database has: while another Baton keeps applying them, this one
    // keeps looking (a racer slower than the rest may lose on several in turn).
    async fn applied(conn: &mut SqliteConnection) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await
            .unwrap_or(0)
    }
    let mut look = 1;
    let mut seen = applied(conn).await;
    loop {
        match MIGRATOR.run(&mut *conn).await {
            Err(MigrateError::Execute(_) | MigrateError::ExecuteMigration(..)) if look < LOOKS => {
                let now = applied(conn).await;
                if now > seen {
                    (seen, look) = (now, 1);
                } else {
                    look += 1;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 * look)).await;
            }
            done => return done,
        }
    }
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let (options, path) = connect_options(url)?;
        if let Some(reason) = not_a_file(options.get_filename()) {
            return Err(StoreError::Open { path, reason });
        }
        // Read before anything writes: migrating another program's database would add Baton's
        // tables to it (and fail half way if it has a table of the same name).
        let Some(before) = schema_before(options.get_filename()) else {
            return Err(StoreError::NotBaton(path));
        };
        // A migration this Baton does not know: a newer Baton's database (or another sqlx
        // program's), left as it is; connecting would already switch it to WAL.
        if let Some(&version) = before
            .iter()
            .find(|v| !MIGRATOR.iter().any(|m| m.version == **v))
        {
            return Err(StoreError::NewerSchema { path, version });
        }
        let readable_by_others = owner_only(options.get_filename());
        writable(options.get_filename()).map_err(|reason| StoreError::Open {
            path: path.clone(),
            reason,
        })?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let open_error = |reason: String| StoreError::Open {
            path: path.clone(),
            reason: with_hint(reason),
        };
        let mut setup = connect(&options)
            .await
            .map_err(|e| open_error(open_reason(&e)))?;
        migrate(&mut setup).await.map_err(|source| match source {
            sqlx::migrate::MigrateError::VersionMissing(version) => StoreError::NewerSchema {
                path: path.clone(),
                version,
            },
            source => StoreError::Migrate {
                path: path.clone(),
                source,
            },
        })?;
        // An upgrade changes the file for good (an older Baton then refuses it): said once per
        // migration, so the log shows when. A new database's are one line.
        let applied: Vec<_> = MIGRATOR
            .iter()
            .filter(|m| !before.contains(&m.version))
            .collect();
        match (before.is_empty(), applied.as_slice()) {
            (_, []) => {}
            (true, _) => tracing::info!(database = %path, "created a new database"),
            (false, applied) => {
                for m in applied {
                    tracing::info!(
                        database = %path,
                        version = m.version,
                        migration = %m.description,
                        "upgraded the database"
                    );
                }
            }
        }
        let writing =
            writing_connection(options.get_filename()).map_err(|e| open_error(e.to_string()))?;
        // SQLite opens a file it may only read read-only, without a word, though asked to
        // write: every handover would then fail. Said now, with what to fix.
        if writing
            .is_readonly(rusqlite::DatabaseName::Main)
            .map_err(|e| open_error(e.to_string()))?
        {
            return Err(open_error(READ_ONLY.into()));
        }
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
        // Only now: a file refused above needs no advice on its permissions.
        if let Some(warning) = readable_by_others {
            tracing::warn!("{warning}");
        }
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

/// Fault injection for the crash tests, in debug builds only: each point, armed by its
/// environment variable set to a submission's dedup key, aborts the process when that
/// submission's handover reaches it. Both are windows a `kill -9` hits only by luck.
#[cfg(debug_assertions)]
#[derive(Debug, Clone, Copy)]
enum CrashPoint {
    /// `BATON_TEST_CRASH_BEFORE_COMMITTING`: inside the writer's transaction, right after the
    /// handover's row is inserted, before the commit: written, but not durable.
    BeforeCommit,
    /// `BATON_TEST_CRASH_AFTER_COMMITTING`: the moment the handover has committed, before any
    /// reply is sent: recorded, but never confirmed to the person.
    AfterCommit,
}

#[cfg(debug_assertions)]
impl CrashPoint {
    /// Aborts the process if this point is armed with `key` (read from the environment once).
    fn reached(self, key: Option<&str>) {
        use std::sync::OnceLock;
        static BEFORE: OnceLock<Option<String>> = OnceLock::new();
        static AFTER: OnceLock<Option<String>> = OnceLock::new();
        let (armed, var) = match self {
            Self::BeforeCommit => (&BEFORE, "BATON_TEST_CRASH_BEFORE_COMMITTING"),
            Self::AfterCommit => (&AFTER, "BATON_TEST_CRASH_AFTER_COMMITTING"),
        };
        let armed = armed.get_or_init(|| std::env::var(var).ok());
        if key.is_some() && armed.as_deref() == key {
            std::process::abort();
        }
    }
}

/// [`CrashPoint::AfterCommit`], for a handover that was recorded (not a duplicate).
#[cfg(debug_assertions)]
pub(super) fn crash_point_after_commit<E>(
    key: Option<&str>,
    recorded: &Result<Result<Recorded, E>, StoreError>,
) {
    let committed = matches!(
        recorded,
        Ok(Ok(Recorded {
            duplicate: false,
            ..
        }))
    );
    if committed {
        CrashPoint::AfterCommit.reached(key);
    }
}

/// [`Store::channel_at`], inside the caller's transaction.
fn read_at(
    conn: &rusqlite::Connection,
    channel: &ChannelId,
    at: DateTime<Utc>,
) -> Result<(ChannelState, Option<Ahead>), StoreError> {
    let (mut state, _) = read_state(conn, channel, DoneBefore::Nothing)?;
    let latest = match state.current.take() {
        Some(latest) if latest.effective_at > at => latest,
        current => {
            state.current = current;
            return Ok((state, None));
        }
    };
    state.current = read_in_effect(conn, channel, at)?;
    let coming = read_coming(conn, channel, at)?.unwrap_or_else(|| latest.clone());
    Ok((state, Some(Ahead { coming, latest })))
}

/// The channel's latest active handover that takes effect at or before `at`. A channel's active
/// handovers take effect in the order recorded (each at or after the one before: see
/// `handover::record::decide`), so the latest recorded not after `at` is the one in effect then.
fn read_in_effect(
    conn: &rusqlite::Connection,
    channel: &ChannelId,
    at: DateTime<Utc>,
) -> Result<Option<Handover>, StoreError> {
    optional_row(
        conn,
        concat!(
            "SELECT ",
            handover_columns!(),
            " FROM handovers WHERE channel_id = ?1 AND undone_at IS NULL \
             AND effective_at <= ?2 ORDER BY seq DESC LIMIT 1"
        ),
        rusqlite::params![channel.as_str(), at.timestamp()],
        handover_from_row,
    )
}

/// The channel's first active handover that takes effect after `at` (in the order recorded, as
/// [`read_in_effect`] reads them).
fn read_coming(
    conn: &rusqlite::Connection,
    channel: &ChannelId,
    at: DateTime<Utc>,
) -> Result<Option<Handover>, StoreError> {
    optional_row(
        conn,
        concat!(
            "SELECT ",
            handover_columns!(),
            " FROM handovers WHERE channel_id = ?1 AND undone_at IS NULL \
             AND effective_at > ?2 ORDER BY seq ASC LIMIT 1"
        ),
        rusqlite::params![channel.as_str(), at.timestamp()],
        handover_from_row,
    )
}

/// A channel's name, kept unless the stored one is the same or newer.
const REMEMBER_CHANNEL: &str =
    "INSERT INTO channels (channel_id, name, updated_at) VALUES (?1, ?2, ?3) \
     ON CONFLICT (channel_id) DO UPDATE \
         SET name = excluded.name, updated_at = excluded.updated_at \
         WHERE channels.name <> excluded.name \
           AND channels.updated_at <= excluded.updated_at";

/// The rota order the submission `key` set, if it set one, and whether it is still its
/// channel's.
fn rota_before(conn: &rusqlite::Connection, key: &str) -> Result<Option<RotaBefore>, StoreError> {
    optional_row(
        conn,
        "SELECT a.detail, r.members FROM audit_log a \
         LEFT JOIN rotas r ON r.channel_id = a.channel_id \
         WHERE a.dedup_key = ?1 AND a.action = 'set_rota'",
        [key],
        |row| {
            let set: String = row.get(0)?;
            let now: Option<String> = row.get(1)?;
            Ok(RotaBefore {
                current: now.as_deref() == Some(set.as_str()),
                members: set
                    .split_whitespace()
                    .map(|m| user(m.to_owned()))
                    .collect::<Result<_, _>>()?,
            })
        },
    )
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

    async fn channel_at(
        &self,
        channel: &ChannelId,
        at: DateTime<Utc>,
    ) -> Result<(ChannelState, Option<Ahead>), StoreError> {
        let channel = channel.clone();
        self.writer
            .run(Writes::AtMostOne, move |conn| read_at(conn, &channel, at))
            .await
    }

    async fn record_named_handover<F, E>(
        &self,
        channel: &ChannelId,
        name: Option<&ChannelName>,
        dedup_key: Option<&str>,
        decide: F,
    ) -> Result<Result<Recorded, E>, StoreError>
    where
        F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send + 'static,
        E: Send + 'static,
    {
        let channel = channel.clone();
        let name = name.cloned();
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
                            channel_name_failed: false,
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
                let mut channel_name_failed = false;
                if let Some(name) = &name {
                    // One statement, after the handover's: should it fail, SQLite undoes it
                    // alone, and the handover stays recorded (no savepoint needed).
                    let stored = conn
                        .prepare_cached(REMEMBER_CHANNEL)
                        .and_then(|mut s| {
                            s.execute(rusqlite::params![
                                channel.as_str(),
                                name.as_str(),
                                new.recorded_at.timestamp()
                            ])
                        });
                    if let Err(e) = stored {
                        tracing::warn!(channel = %channel, error = %e, "could not store the channel's name");
                        channel_name_failed = true;
                    }
                }
                #[cfg(debug_assertions)]
                CrashPoint::BeforeCommit.reached(key.as_deref());
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
                    channel_name_failed,
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
        dedup_key: Option<&str>,
    ) -> Result<RotaSet, StoreError> {
        let joined = members
            .iter()
            .map(UserId::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let (channel, actor) = (channel.clone(), actor.clone());
        let key = dedup_key.map(str::to_owned);
        self.writer
            .run(Writes::Several, move |conn| {
                if let Some(key) = key.as_deref() {
                    if let Some(before) = rota_before(conn, key)? {
                        return Ok(RotaSet::Repeated(before));
                    }
                }
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
                    "INSERT INTO audit_log (at, actor, channel_id, action, detail, dedup_key) \
                     VALUES (?3, ?4, ?1, 'set_rota', ?2, ?5)",
                )?
                .execute(rusqlite::params![
                    channel.as_str(),
                    joined,
                    at.timestamp(),
                    actor.as_str(),
                    key
                ])?;
                Ok(RotaSet::Set)
            })
            .await
    }

    async fn rota_set_before(&self, dedup_key: &str) -> Result<Option<RotaBefore>, StoreError> {
        let key = dedup_key.to_owned();
        self.writer
            .run(Writes::AtMostOne, move |conn| rota_before(conn, &key))
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

    async fn channels_on_call(&self, at: DateTime<Utc>) -> Result<Vec<ChannelOnCall>, StoreError> {
        self.writer
            .run(Writes::AtMostOne, move |conn| {
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
                    let (state, ahead) = read_at(conn, &channel, at)?;
                    if state.on_call().is_some() {
                        out.push(ChannelOnCall {
                            channel,
                            state,
                            ahead,
                        });
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
        claimant: &str,
    ) -> Result<(), StoreError> {
        let (channel, claimant) = (channel.clone(), claimant.to_owned());
        self.writer
            .run(Writes::AtMostOne, move |conn| {
                conn.prepare_cached(
                    "DELETE FROM reminders WHERE channel_id = ?1 AND local_date = ?2 \
                     AND sent_at IS NULL AND claimed_by = ?3",
                )?
                .execute(rusqlite::params![
                    channel.as_str(),
                    date.to_string(),
                    claimant
                ])?;
                Ok(())
            })
            .await
    }
}
