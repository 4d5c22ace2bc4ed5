//! [`ReadOnlyStore`]: a Baton database opened for reports, which never writes.

use super::open::{
    applied_migrations, cannot_share_memory, connect_options, create_owner_only, database_file_at,
    not_a_file, refuse_uri_path, wal_beside, with_reading_hint,
};
use super::pay_index::{self, ReadSource};
use super::PayScope;
use super::{StoreError, MIGRATOR};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::pay::ChannelRota;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use std::collections::HashMap;

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
        let (source, applied, shown) = open_source(url)?;
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

    /// Pay's rows for the period, as [`Store::pay_history`](super::Store::pay_history) gives them.
    pub async fn pay_history(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Result<Vec<ChannelRota>, StoreError> {
        self.pay.answer(start, end, scope).await
    }

    /// The names last seen for `users`, as [`Store::names`](super::Store::names) gives them.
    pub async fn names(&self, users: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
        read_names(&self.source, users).await
    }

    /// Every channel's name as Slack last gave it with a handover; channels with none stored
    /// (console channels, and those last used before Baton kept names) are left out.
    pub async fn channel_names(
        &self,
    ) -> Result<HashMap<crate::domain::ids::ChannelId, String>, StoreError> {
        let source = self.source.clone();
        tokio::task::spawn_blocking(move || {
            let conn = source.connect()?;
            let mut query = conn.prepare("SELECT channel_id, name FROM channels")?;
            let mut rows = query.query([])?;
            let mut names = HashMap::new();
            while let Some(row) = rows.next()? {
                names.insert(super::rows::channel(row.get(0)?)?, row.get(1)?);
            }
            Ok(names)
        })
        .await
        .map_err(super::unfinished)?
    }

    /// The handovers that were in force before `end` (a month's end) but recorded, or undone,
    /// at or after it, in `channel` or in any: changes to a month already over, which an export
    /// made before them does not show. `None` when there were none. (A backdate must be later
    /// than the channel's latest handover, and only the latest can be undone, so each such
    /// change holds from its handover's time to when it was made: it reaches every month
    /// between.) A handover both recorded and undone since counts once.
    pub async fn changed_after(
        &self,
        end: DateTime<Utc>,
        channel: Option<&ChannelId>,
    ) -> Result<Option<LateChanges>, StoreError> {
        let source = self.source.clone();
        let channel = channel.map(|c| c.as_str().to_owned());
        tokio::task::spawn_blocking(move || {
            let conn = source.connect()?;
            let mut query = conn.prepare(
                "SELECT id, channel_id, \
                        CASE WHEN undone_at >= ?1 THEN undone_at ELSE recorded_at END, \
                        CASE WHEN undone_at >= ?1 THEN undone_by ELSE recorded_by END \
                 FROM handovers \
                 WHERE effective_at < ?1 AND (recorded_at >= ?1 OR undone_at >= ?1) \
                   AND (?2 IS NULL OR channel_id = ?2) \
                 ORDER BY 3 DESC, id DESC",
            )?;
            let mut rows = query.query(rusqlite::params![end.timestamp(), channel])?;
            let mut late: Option<LateChanges> = None;
            while let Some(row) = rows.next()? {
                let channel = super::rows::channel(row.get(1)?)?;
                match late.as_mut() {
                    Some(late) => {
                        late.count += 1;
                        if !late.channels.contains(&channel) {
                            late.channels.push(channel);
                        }
                    }
                    // The first row is the latest change.
                    None => {
                        late = Some(LateChanges {
                            count: 1,
                            channels: vec![channel],
                            latest_at: super::rows::instant(row.get(2)?)?,
                            latest_by: super::rows::user(row.get(3)?)?,
                        })
                    }
                }
            }
            Ok(late)
        })
        .await
        .map_err(super::unfinished)?
    }

    /// The database file read.
    pub fn file(&self) -> &std::path::Path {
        self.source.path()
    }
}

/// Changes made after a month ended to the handovers its pay comes from (see
/// [`ReadOnlyStore::changed_after`]): how many handovers recorded or undone since, and the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateChanges {
    /// Handovers recorded or undone since (each once).
    pub count: u64,
    /// Their channels, the latest change's first.
    pub channels: Vec<ChannelId>,
    pub latest_at: DateTime<Utc>,
    pub latest_by: UserId,
}

/// Opens a Baton database at `url` for reading, whichever Baton wrote it: it must exist and be
/// a Baton database (have sqlx's record of migrations). Returns where it reads from, the
/// migrations applied, and the path as errors show it.
fn open_source(url: &str) -> Result<(ReadSource, Vec<i64>, String), StoreError> {
    let (options, shown) = connect_options(url)?;
    let path = options.get_filename().to_path_buf();
    if !path.exists() {
        return Err(StoreError::Missing(shown));
    }
    if let Some(reason) = not_a_file(&path) {
        return Err(StoreError::OpenForReading {
            path: shown,
            reason,
        });
    }
    let unreadable = |e: rusqlite::Error| StoreError::OpenForReading {
        path: shown.clone(),
        reason: with_reading_hint(e.to_string()),
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
                     write access to its directory (for SQLite's shared-memory file) and to its \
                     -shm file if there is one, or a copy made with `baton backup --to FILE` by \
                     a user who has"
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
    Ok((source, applied, shown))
}

/// Writes a copy of the database at `url` to `to`, a new file readable by its owner only: one
/// consistent snapshot (SQLite's `VACUUM INTO`, in one read transaction), taken while Baton goes
/// on writing, whole in one file with no `-wal` beside it. It reads the database read-only, and
/// whichever Baton wrote it: a backup before an upgrade may be taken by the new binary. Returns
/// how many handovers the copy holds.
pub async fn back_up(url: &str, to: &std::path::Path) -> Result<u64, StoreError> {
    refuse_uri_path(to)?;
    let target = to.display().to_string();
    let cannot = |reason: String| StoreError::Backup {
        path: target.clone(),
        reason,
    };
    // The database's own `-wal` or `-journal` file may not exist yet; a copy written there
    // would be truncated or deleted by the next Baton to open the database. Checked before the
    // database is opened, which may itself make its `-wal`.
    let (options, _) = connect_options(url)?;
    if database_file_at(options.get_filename(), to).is_some() {
        return Err(cannot(
            "that is one of the database's own files, which SQLite would overwrite or delete"
                .to_owned(),
        ));
    }
    let (source, _, _) = open_source(url)?;
    // Created empty first, for its permissions (SQLite would give it the umask's); an existing
    // file is never overwritten.
    create_owner_only(to).map_err(|e| cannot(e.to_string()))?;
    let copy_at = to.to_path_buf();
    let copied = tokio::task::spawn_blocking(move || -> rusqlite::Result<u64> {
        let conn = source.connect()?;
        conn.execute("VACUUM INTO ?1", [copy_at.to_string_lossy().as_ref()])?;
        let copy = rusqlite::Connection::open_with_flags(
            &copy_at,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        copy.query_row("SELECT count(*) FROM handovers", [], |r| r.get(0))
    })
    .await
    .map_err(super::unfinished)?;
    copied.map_err(|e| {
        // Half a copy is no backup.
        let _ = std::fs::remove_file(to);
        cannot(e.to_string())
    })
}

/// The names last stored for `users`, read on a connection of its own (on a blocking thread);
/// people with none stored are left out.
pub(super) async fn read_names(
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
    .map_err(super::unfinished)?
}
