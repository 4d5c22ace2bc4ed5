//! Opening a database file: where `DATABASE_URL` points, the file's permissions, and the
//! writer's connection.

use super::StoreError;
use rusqlite::Connection;
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Where `DATABASE_URL` (or its default) points: a `sqlite:` URL, or a plain file path.
pub(super) fn connect_options(url: &str) -> Result<(SqliteConnectOptions, String), StoreError> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(shown_url(url)))?
    } else if url.trim().is_empty() || url.contains("://") {
        // Blank (a stray space in an env file), or another database's URL (postgres://,
        // mysql://): not a file Baton should create.
        return Err(StoreError::BadUrl(shown_url(url)));
    } else {
        SqliteConnectOptions::new().filename(PathBuf::from(url))
    };
    let shown = options.get_filename().display().to_string();
    if url.contains(":memory:") || url.contains("mode=memory") || shown.is_empty() {
        // Each connection would get a database of its own: the writer's, the migrations' and
        // the readers' would never meet, and nothing would outlive the process.
        return Err(StoreError::BadUrl(shown_url(url)));
    }
    refuse_uri_path(options.get_filename())?;
    Ok((options, shown))
}

/// A file name SQLite would read as a URI (`file:x.db?mode=rwc`) is refused: SQLite would open
/// (or create, with the umask's permissions) a file other than the one Baton checked or created
/// owner-only, and `backup` would report a copy at a path it never wrote.
pub(super) fn refuse_uri_path(path: &std::path::Path) -> Result<(), StoreError> {
    let name = path.as_os_str().to_string_lossy();
    if name.starts_with("file:") {
        return Err(StoreError::UriPath(name.into_owned()));
    }
    Ok(())
}

/// Where a path leads: the file itself if it exists (through any links), else its directory's
/// real path joined with its name; `None` if even the directory cannot be found.
pub(crate) fn resolved(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok().or_else(|| {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(dir).ok()?.join(path.file_name()?))
    })
}

/// The database file and the files SQLite keeps beside it (`-wal`, `-shm`, `-journal`), which
/// a report or a backup written over would destroy: SQLite deletes or truncates them, or reads
/// them as the database's own pages. Beside the file itself: SQLite follows a symlinked
/// database to its target and keeps them there, not beside the link.
fn own_files(database: &Path) -> Vec<PathBuf> {
    let database = resolved(database).unwrap_or_else(|| database.to_path_buf());
    let mut files = vec![database.clone()];
    files.extend(["-wal", "-shm", "-journal"].map(|suffix| beside(&database, suffix)));
    files
}

/// The file SQLite keeps beside `database` under this suffix (`-wal`, `-shm`, `-journal`).
fn beside(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Which of the database's own files (see [`own_files`]) `path` is, by whatever path either is
/// named: the database, or its `-wal`, `-shm` or `-journal` file, even one not there yet.
pub(crate) fn database_file_at(database: &Path, path: &Path) -> Option<OwnFile> {
    let target = resolved(path)?;
    own_files(database)
        .into_iter()
        .position(|f| f == target)
        .map(|i| match i {
            0 => OwnFile::Database,
            _ => OwnFile::Beside,
        })
}

/// What [`database_file_at`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OwnFile {
    /// The database file itself.
    Database,
    /// Its `-wal`, `-shm` or `-journal` file.
    Beside,
}

/// A database URL as an error may show it: another database's URL (`postgres://user:pass@…`)
/// often holds a password, so only its scheme is shown.
pub(super) fn shown_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _)) => format!("{scheme}://…"),
        None => url.to_owned(),
    }
}

/// SQLite's reason a database did not open, with what to do about it where that is known.
pub(super) fn with_hint(reason: String) -> String {
    let hint = if reason.contains("unable to open database file") {
        " (check that the directory exists and that the user Baton runs as may write to it and \
         to the file, or point --database or DATABASE_URL elsewhere)"
    } else if reason.contains("readonly database") {
        return format!("{reason} ({READ_ONLY})");
    } else {
        damage_hint(&reason)
    };
    reason + hint
}

/// SQLite's reason a database could not be read (by a report or a backup), with what to do.
pub(super) fn with_reading_hint(reason: String) -> String {
    let hint = if reason.contains("unable to open database file")
        || reason.contains("readonly database")
    {
        " (check that this user may read the file)"
    } else {
        damage_hint(&reason)
    };
    reason + hint
}

/// What to do about a file that is not a database, is damaged, or cannot be read or written.
fn damage_hint(reason: &str) -> &'static str {
    if reason.contains("file is not a database") {
        " (that file is not a SQLite database: point --database or DATABASE_URL at Baton's)"
    } else if reason.contains("malformed") {
        " (the file is damaged: stop Baton and restore the latest copy made with `baton backup` \
         (README → Backups), keeping the damaged file)"
    } else if reason.contains("disk is full") {
        " (its disk is full: free some space, then start again)"
    } else if reason.contains("disk I/O error") {
        " (is its disk full, failing, or a network share that does not support SQLite's \
         locking? `df` and the system log say)"
    } else {
        ""
    }
}

/// A database path that exists but is no regular file: a directory, or a device such as
/// `/dev/null`. SQLite would say only "unable to open" or "disk I/O error", and the permission
/// check would suggest `chmod 600` on it.
pub(super) fn not_a_file(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return None;
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file (a device, pipe or socket)"
    };
    Some(format!(
        "it is {what}: point --database (or DATABASE_URL) at Baton's database file"
    ))
}

/// SQLite's own words for why a database did not open ("unable to open database file"), once.
pub(super) fn open_reason(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}

/// Creates `path`, which must not exist, empty and readable and writable by its owner only (on
/// Unix; elsewhere as the system makes it): for the database and its backups, which hold every
/// handover's notes.
pub(super) fn create_owner_only(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    create.open(path)
}

/// Creates the database file, if missing, readable and writable by its owner only: it holds
/// every handover's notes and, with the config, everyone's pay. SQLite gives its `-wal` and
/// `-shm` files the database file's permissions. A file that exists and that other users may
/// read is left as it is, and the warning to give once it has opened as Baton's database is
/// returned: said of a file then refused, it would come before the error that matters.
#[must_use = "the warning is for the log once the database has opened"]
pub(super) fn owner_only(path: &std::path::Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Through a symbolic link that names no file yet, SQLite would create its target with
        // the umask's permissions: Baton creates it first, owner-only, as it would `path`.
        let created = create_owner_only(path).or_else(|e| match dangling_target(path) {
            Some(target) => create_owner_only(&target),
            None => Err(e),
        });
        // Any other failure (a missing directory, say) SQLite reports next, in its own words.
        if created.is_err() {
            if let Ok(meta) = std::fs::metadata(path) {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Some(format!(
                        "other users may read the database {} (mode {mode:o}; handover notes, \
                         and with the config everyone's pay): `chmod 600` it and its -wal and \
                         -shm files",
                        path.display()
                    ));
                }
            }
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The file a symbolic link names, through any further links, when that file does not exist
/// yet; `None` if `path` is not a link, names an existing file, or its links loop.
#[cfg(unix)]
fn dangling_target(path: &Path) -> Option<PathBuf> {
    let mut at = path.to_path_buf();
    // As the kernel does (`ELOOP` after 40 links).
    for _ in 0..40 {
        match at.symlink_metadata() {
            Ok(meta) if meta.is_symlink() => {
                let to = std::fs::read_link(&at).ok()?;
                at = match at.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && at != path => return Some(at),
            _ => return None,
        }
    }
    None
}

/// Why Baton refuses a database file it may only read.
pub(super) const READ_ONLY: &str = "the file is read-only for this user (Baton writes every \
    handover to it): give the user Baton runs as write access to it, and to its directory";

/// Refuses, before SQLite touches anything, a database this user may not write, or whose `-wal`
/// or `-shm` file they may not write: left by another user who read the database (a
/// `pay-report` run by someone else makes them, as theirs). SQLite would open such a database
/// without a word, and then every handover would fail.
pub(super) fn writable(database: &Path) -> Result<(), String> {
    #[cfg(unix)]
    for (i, file) in own_files(database).iter().enumerate().take(3) {
        // Asked with faccessat(2), not by opening the file: closing a descriptor of it would
        // drop every POSIX lock this process holds on it, SQLite's included. As the effective
        // user, with its capabilities, as SQLite will open it.
        let refused = match rustix::fs::accessat(
            rustix::fs::CWD,
            file,
            rustix::fs::Access::WRITE_OK,
            rustix::fs::AtFlags::EACCESS,
        ) {
            Err(e) => [
                rustix::io::Errno::ACCESS,
                rustix::io::Errno::ROFS,
                rustix::io::Errno::PERM,
            ]
            .contains(&e),
            Ok(()) => false,
        };
        // Anything else (missing, a missing directory) SQLite makes or reports next.
        if !refused {
            continue;
        }
        return Err(if i == 0 {
            READ_ONLY.to_owned()
        } else {
            format!(
                "this user may not write its {} (made by another user or process that read the \
                 database): give the user Baton runs as write access to it (`chown` or `chmod \
                 600`), as to the database; do not delete it, it may hold the newest handovers",
                file.display()
            )
        });
    }
    #[cfg(not(unix))]
    let _ = database;
    Ok(())
}

/// SQLite could not set up the shared memory a WAL reader needs: the `-shm` file is missing
/// and may not be created, or may not be written.
pub(super) fn cannot_share_memory(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen))
}

/// The `-wal` file SQLite keeps beside a WAL database while it is in use.
pub(super) fn wal_beside(path: &std::path::Path) -> PathBuf {
    beside(path, "-wal")
}

/// The versions of the migrations applied to a database, from sqlx's own table.
pub(super) fn applied_migrations(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    conn.prepare("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// The migrations already applied to the database file at `path`, read (with rusqlite, as every
/// other read is; sqlx only runs the migrations) before anything writes to it: none for a file
/// that does not exist yet, is empty, or that SQLite cannot open (the migration then says why).
/// `None` for a database with tables but no record of Baton's schema (another program's), and
/// for a file that is not a database at all (`NotADatabase`).
pub(super) fn schema_before(path: &std::path::Path) -> Option<Vec<i64>> {
    let Ok(conn) = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Some(Vec::new());
    };
    // One snapshot, begun by a read that succeeds: another Baton creating this database at the
    // same moment must not be seen without its migrations table first and with its tables next.
    let Ok(tx) = conn.unchecked_transaction() else {
        return Some(Vec::new());
    };
    let tables: rusqlite::Result<Vec<String>> = tx
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect());
    match tables {
        Ok(tables) if tables.iter().any(|t| t == "_sqlx_migrations") => {
            Some(applied_migrations(&tx).unwrap_or_default())
        }
        Ok(tables) => tables.is_empty().then(Vec::new),
        // A text file, say: no SQLite database at all, let alone Baton's.
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            None
        }
        Err(_) => Some(Vec::new()),
    }
}

/// How long a connection waits for another process's lock (the console on the same file).
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The writer's connection, with the settings sqlx's connections get from their options
/// (`synchronous` and `foreign_keys` are per connection; WAL is the file's, set at migration).
pub(super) fn writing_connection(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
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
