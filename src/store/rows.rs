//! Rows to domain values and back, and the reads and the decision each write runs in its
//! transaction, on the writer's connection.

use super::pay_index;
use super::StoreError;
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::rota::{ChannelState, Handover, Undo};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, Row};

pub(super) fn instant(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("instant {secs}")))
}

/// `to_user` of a handover that ended standby (`to` is `None`): the column is NOT NULL, and no
/// Slack id or console name is empty.
pub(super) const NOBODY: &str = "";

/// `to_user` as stored: [`NOBODY`] for an end of standby.
pub(super) fn to_user_column(to: Option<&UserId>) -> &str {
    to.map_or(NOBODY, UserId::as_str)
}

pub(super) fn to_user(raw: String) -> Result<Option<UserId>, StoreError> {
    match raw.as_str() {
        NOBODY => Ok(None),
        _ => user(raw).map(Some),
    }
}

pub(super) fn user(raw: String) -> Result<UserId, StoreError> {
    UserId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn channel(raw: String) -> Result<ChannelId, StoreError> {
    ChannelId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// How many columns [`handover_columns`] names: the next column's index.
pub(super) const HANDOVER_WIDTH: usize = 11;

/// A new handover, next in its channel's chain; returns it as [`handover_columns`].
pub(super) const INSERT_HANDOVER: &str = concat!(
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
pub(super) fn warm_writer(conn: &Connection) -> Result<(), StoreError> {
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
pub(super) fn handover_from_row(row: &Row<'_>) -> Result<Handover, StoreError> {
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
pub(super) fn one_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    optional_row(conn, sql, params, read)?
        .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
}

/// The first row of a query, read by `read`, if there is one.
pub(super) fn optional_row<T>(
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
pub(super) enum DoneBefore<'a> {
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
pub(super) fn read_state(
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
pub(super) fn latest_if_undone(
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

pub(super) fn handover_by_id(conn: &Connection, id: i64) -> Result<Handover, StoreError> {
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
pub(super) enum Decided<T, E> {
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
pub(super) fn decide_in_transaction<T, E>(
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
