//! Pay's read model: every active handover, per channel, in memory, so that `/oncall-pay`
//! answers without SQL.
//!
//! Why: with the rows read by SQL, one engineer's answer over 50 rotas cost about 250 µs of CPU,
//! two thirds of it in SQLite and in turning its rows into rotas, and pay's ack p50 at 50 in
//! flight was 12 ms (README → Performance). From memory the same rows are a binary search and a
//! copy per rota.
//!
//! How it stays exact, whoever writes:
//! - The database counts its own changes: migration 5's triggers add one to
//!   `handovers_version.version` for every handover inserted, updated (undone) or deleted, by
//!   anyone (this process's writer, a console on the same file, the sqlite3 shell).
//! - The index records the version it reflects.
//! - The writer tells the index what its jobs changed once their transaction has committed
//!   ([`Shared::committed`]). It applies them, and moves the index's version on, only if the
//!   index was at the version the transaction began from and the counter moved by exactly the
//!   number of changes it was told about. Otherwise (a write by another process, a job that wrote
//!   and then failed) the index stays at its version, which now says it is behind.
//! - A pay read first reads the counter. An index at that version or later answers; otherwise the
//!   index is rebuilt from the table in one read transaction ([`Shared::answer`]). So an answer
//!   always reflects at least every change committed before it was asked.
//!
//! Memory: about 50 bytes per active handover (each person's id is stored once when the index is
//! read); a team of 10 rotas handing over weekly for 10 years is 5,200 handovers, about 0.25 MiB.
//! `baton run` reads it in the background as it starts ([`Shared::warm`]), so the first pay
//! question after a restart does not wait for it (the load test's first burst of pay questions
//! did); the console and `pay-report` read it on their first pay question.

use super::rows::{channel, instant, user, NOBODY};
use super::{PayScope, StoreError};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::pay::{ChannelRota, HandoverPoint};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::OpenFlags;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock};

/// What one committed job did to the handovers, as the writer reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// A handover was inserted with this place in its channel's chain.
    Recorded {
        channel: ChannelId,
        seq: i64,
        point: HandoverPoint,
    },
    /// The handover with this place in its channel's chain was undone.
    Undone { channel: ChannelId, seq: i64 },
}

/// The database's change counter for handovers, as of the statement's snapshot.
pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT version FROM handovers_version")?
        .query_row([], |row| row.get(0))
}

/// One channel's active handovers, in chain order.
#[derive(Debug, Default)]
struct Chain {
    /// `(seq, point)`, sorted by `seq`.
    points: Vec<(i64, HandoverPoint)>,
    /// Whether `at` never decreases along the chain, as Baton writes it (a handover takes effect
    /// no earlier than the one before), so that a period is found by binary search. A chain
    /// written otherwise (by hand) is read by a scan instead, with the same result.
    ordered: bool,
}

impl Chain {
    /// Puts `point` at `seq`, returning the one it replaced (never, as Baton writes).
    fn insert(&mut self, seq: i64, point: HandoverPoint) -> Option<HandoverPoint> {
        let i = self.points.partition_point(|(s, _)| *s < seq);
        if self.points.get(i).is_some_and(|(s, _)| *s == seq) {
            let replaced = std::mem::replace(&mut self.points[i].1, point);
            self.ordered = self.in_order();
            return Some(replaced);
        }
        let fits = i
            .checked_sub(1)
            .is_none_or(|j| self.points[j].1.at <= point.at)
            && self
                .points
                .get(i)
                .is_none_or(|(_, next)| point.at <= next.at);
        self.points.insert(i, (seq, point));
        self.ordered = (self.ordered || self.points.len() == 1) && fits;
        None
    }

    fn remove(&mut self, seq: i64) -> Option<HandoverPoint> {
        let i = self.points.binary_search_by_key(&seq, |(s, _)| *s).ok()?;
        let (_, point) = self.points.remove(i);
        if !self.ordered {
            self.ordered = self.in_order();
        }
        Some(point)
    }

    fn in_order(&self) -> bool {
        self.points.windows(2).all(|w| w[0].1.at <= w[1].1.at)
    }

    /// The handovers pay needs for `[start, end)`: the last one (in chain order) that took effect
    /// before `start`, then every one that took effect in the period, in chain order.
    fn period(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<HandoverPoint> {
        if self.ordered {
            let from = self.points.partition_point(|(_, p)| p.at < start);
            let to = self.points.partition_point(|(_, p)| p.at < end);
            let first = from.saturating_sub(1);
            let slice = &self.points[first..to.max(first)];
            return slice.iter().map(|(_, p)| p.clone()).collect();
        }
        let before = self.points.iter().rposition(|(_, p)| p.at < start);
        self.points
            .iter()
            .enumerate()
            .filter(|(i, (_, p))| Some(*i) == before || (start <= p.at && p.at < end))
            .map(|(_, (_, p))| p.clone())
            .collect()
    }

    /// When `who`'s first active handover here took effect, if they have one.
    fn earliest(&self, who: &UserId) -> Option<DateTime<Utc>> {
        self.points
            .iter()
            .filter(|(_, p)| p.to.as_ref() == Some(who))
            .map(|(_, p)| p.at)
            .min()
    }
}

/// Every active handover, by channel, as of `version`.
#[derive(Debug, Default)]
pub(super) struct PayIndex {
    version: i64,
    chains: HashMap<ChannelId, Chain>,
    /// Per person, the channels where they have an active handover, with the earliest time one
    /// took effect: one engineer's pay covers the channels where they held the pager before the
    /// period ended.
    people: HashMap<UserId, BTreeMap<ChannelId, DateTime<Utc>>>,
}

impl PayIndex {
    /// Reads every active handover and the change counter, in one read transaction.
    pub(super) fn load(conn: &Connection) -> Result<Self, StoreError> {
        let tx = conn.unchecked_transaction()?;
        let mut index = Self {
            version: version(&tx)?,
            ..Self::default()
        };
        let mut statement = tx.prepare(
            "SELECT channel_id, seq, effective_at, to_user FROM handovers \
             WHERE undone_at IS NULL ORDER BY channel_id, seq",
        )?;
        let mut rows = statement.query([])?;
        // One copy of each person's id, shared by all their handovers, and of each channel's.
        let mut people: HashMap<String, UserId> = HashMap::new();
        let mut last: Option<ChannelId> = None;
        while let Some(row) = rows.next()? {
            let raw = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            let here = match (last.take(), raw) {
                (Some(same), raw) if same.as_str() == raw => same,
                (_, raw) => channel(raw.to_owned())?,
            };
            last = Some(here.clone());
            let raw = row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
            let to = match people.get(raw) {
                Some(known) => Some(known.clone()),
                None if raw == NOBODY => None,
                None => {
                    let parsed = user(raw.to_owned())?;
                    people.insert(raw.to_owned(), parsed.clone());
                    Some(parsed)
                }
            };
            let point = HandoverPoint {
                at: instant(row.get(2)?)?,
                to,
            };
            index.record(here, row.get(1)?, point);
        }
        drop(rows);
        drop(statement);
        tx.commit()?;
        Ok(index)
    }

    fn apply(&mut self, change: Change) {
        match change {
            Change::Recorded {
                channel,
                seq,
                point,
            } => self.record(channel, seq, point),
            Change::Undone { channel, seq } => self.undo(&channel, seq),
        }
    }

    fn record(&mut self, channel: ChannelId, seq: i64, point: HandoverPoint) {
        let (at, to) = (point.at, point.to.clone());
        let replaced = self
            .chains
            .entry(channel.clone())
            .or_default()
            .insert(seq, point);
        // An end of standby names nobody: it bounds the shift before it, and pays no one.
        if let Some(to) = to {
            let earliest = self
                .people
                .entry(to)
                .or_default()
                .entry(channel.clone())
                .or_insert(at);
            *earliest = (*earliest).min(at);
        }
        if let Some(old) = replaced.and_then(|old| old.to) {
            // The person it named may have no handover left here.
            self.recount(&old, &channel);
        }
    }

    fn undo(&mut self, channel: &ChannelId, seq: i64) {
        let Some(chain) = self.chains.get_mut(channel) else {
            return;
        };
        let Some(point) = chain.remove(seq) else {
            return;
        };
        if chain.points.is_empty() {
            self.chains.remove(channel);
        }
        if let Some(to) = &point.to {
            self.recount(to, channel);
        }
    }

    /// Recomputes `who`'s entry for `channel` from the chain.
    fn recount(&mut self, who: &UserId, channel: &ChannelId) {
        let earliest = self.chains.get(channel).and_then(|c| c.earliest(who));
        let Some(theirs) = self.people.get_mut(who) else {
            return;
        };
        match earliest {
            Some(at) => {
                theirs.insert(channel.clone(), at);
            }
            None => {
                theirs.remove(channel);
                if theirs.is_empty() {
                    self.people.remove(who);
                }
            }
        }
    }

    /// Pay's rotas for the period `[start, end)`, in channel order: what
    /// [`super::Store::pay_history`] promises.
    pub(super) fn rotas(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Vec<ChannelRota> {
        let rota = |channel: &ChannelId, chain: &Chain| {
            let handovers = chain.period(start, end);
            (!handovers.is_empty()).then(|| ChannelRota {
                channel: channel.clone(),
                handovers,
            })
        };
        match scope {
            PayScope::All => {
                let mut all: Vec<ChannelRota> =
                    self.chains.iter().filter_map(|(c, h)| rota(c, h)).collect();
                all.sort_unstable_by(|a, b| a.channel.cmp(&b.channel));
                all
            }
            PayScope::Channel(c) => self
                .chains
                .get_key_value(c)
                .and_then(|(c, h)| rota(c, h))
                .into_iter()
                .collect(),
            PayScope::Person(who) => self
                .people
                .get(who)
                .into_iter()
                .flatten()
                .filter(|(_, earliest)| **earliest < end)
                .filter_map(|(c, _)| rota(c, self.chains.get(c)?))
                .collect(),
        }
    }
}

/// The index shared by the store's readers and its writer thread.
#[derive(Debug)]
pub(super) struct Shared {
    /// `None` until first asked for, and after a panic while it was being changed.
    index: RwLock<Option<PayIndex>>,
    /// Reads the change counter for each answer (a one-row table: microseconds).
    counter: Mutex<Connection>,
    /// Where rebuilds open their own connection.
    source: ReadSource,
    /// One rebuild at a time: the askers who find the index stale wait for the first one's.
    rebuilding: tokio::sync::Mutex<()>,
}

/// Where reading connections come from: the database file, read as a live database, or (a
/// report's last resort) as a file nothing is writing.
#[derive(Debug, Clone)]
pub(super) struct ReadSource {
    path: PathBuf,
    immutable: bool,
}

impl ReadSource {
    /// The database file.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The file as a live database: readers take SQLite's shared-memory locks, so they see
    /// each commit whole while Baton writes.
    pub(super) fn live(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            immutable: false,
        }
    }

    /// The file read with SQLite's `immutable` flag, which takes no locks and needs no
    /// shared-memory file: how a user who may not write the database's directory can read a
    /// WAL database that has no `-shm` file beside it. Only for a file with no `-wal` file
    /// either, which a running Baton always has: then every commit is in the file itself.
    pub(super) fn unchanging(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            immutable: true,
        }
    }

    /// A connection that only reads.
    pub(super) fn connect(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = if self.immutable {
            // A URI filename: `%`, `?` and `#` in the path must be escaped.
            let mut uri = String::from("file:");
            for c in self.path.to_string_lossy().chars() {
                match c {
                    '%' => uri.push_str("%25"),
                    '?' => uri.push_str("%3f"),
                    '#' => uri.push_str("%23"),
                    c => uri.push(c),
                }
            }
            uri.push_str("?immutable=1");
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?
        } else {
            Connection::open_with_flags(&self.path, flags)?
        };
        conn.busy_timeout(super::open::BUSY_TIMEOUT)?;
        Ok(conn)
    }
}

impl Shared {
    /// The index for the (migrated) database at `path`, not yet read: [`Shared::warm`] or the
    /// first answer reads it, so opening the store costs the same whatever the history's size.
    pub(super) fn open(source: ReadSource) -> Result<Self, StoreError> {
        let counter = source.connect()?;
        // Reads the schema and compiles the counter's statement now, not on the first answer.
        version(&counter)?;
        Ok(Self {
            index: RwLock::new(None),
            counter: Mutex::new(counter),
            source,
            rebuilding: tokio::sync::Mutex::new(()),
        })
    }

    /// Reads the index now unless it has been read: `baton run` calls this beside connecting to
    /// Slack, so that the first pay question after a start does not wait for it.
    pub(super) async fn warm(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.rebuilding.lock().await;
        if self.index.read().is_ok_and(|index| index.is_some()) {
            return Ok(());
        }
        let index = self.load().await?;
        self.install(index);
        Ok(())
    }

    /// The whole index, read in one transaction on a connection of its own (on a blocking
    /// thread: a large history takes milliseconds).
    async fn load(&self) -> Result<PayIndex, StoreError> {
        let source = self.source.clone();
        tokio::task::spawn_blocking(move || PayIndex::load(&source.connect()?))
            .await
            .map_err(super::unfinished)?
    }

    /// Keeps `index` unless the one held is newer.
    fn install(&self, index: PayIndex) {
        let mut current = self.write();
        if current
            .as_ref()
            .is_none_or(|old| old.version < index.version)
        {
            *current = Some(index);
        }
    }

    /// Pay's rotas for `[start, end)`, reflecting every change committed before the call.
    pub(super) async fn answer(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Result<Vec<ChannelRota>, StoreError> {
        let now = {
            // A read of one row in WAL mode, which never waits for the writer: short enough
            // to run here rather than on a blocking thread.
            let conn = self.counter.lock().unwrap_or_else(PoisonError::into_inner);
            version(&conn)?
        };
        if let Some(rotas) = self.answer_from_index(now, start, end, scope) {
            return Ok(rotas);
        }
        let _one_at_a_time = self.rebuilding.lock().await;
        if let Some(rotas) = self.answer_from_index(now, start, end, scope) {
            return Ok(rotas);
        }
        let index = self.load().await?;
        let rotas = index.rotas(start, end, scope);
        self.install(index);
        Ok(rotas)
    }

    /// The answer from the index, if it reflects at least `version`.
    fn answer_from_index(
        &self,
        version: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Option<Vec<ChannelRota>> {
        // A poisoned lock means a panic mid-change: the index cannot be trusted, so rebuild.
        let index = self.index.read().ok()?;
        let index = index.as_ref().filter(|i| i.version >= version)?;
        Some(index.rotas(start, end, scope))
    }

    /// The index for writing; one left half-changed by a panic is dropped.
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<PayIndex>> {
        match self.index.write() {
            Ok(guard) => guard,
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                *guard = None;
                self.index.clear_poison();
                guard
            }
        }
    }

    /// Called by the writer once a transaction has committed: the change counter read when the
    /// transaction began (`before`) and just before it committed (`after`), and what the jobs
    /// that committed in it changed, in order.
    pub(super) fn committed(&self, before: i64, after: i64, changes: Vec<Change>) {
        let accounted = i64::try_from(changes.len()).is_ok_and(|n| after - before == n);
        if before == after || !accounted {
            // Nothing changed; or a write nobody reported (a job that wrote, then failed), which
            // the index, left at its version, cannot have seen: the next answer reads it all again.
            return;
        }
        let mut current = self.write();
        // Only onto the state the transaction began from. An index at another version is behind
        // already (another process wrote, and the next answer rebuilds it), or is a rebuild that
        // read this transaction's result.
        if let Some(index) = current.as_mut().filter(|i| i.version == before) {
            for change in changes {
                index.apply(change);
            }
            index.version = after;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2025, 3, day, 9, 0, 0).unwrap()
    }

    fn point(day: u32, to: &str) -> HandoverPoint {
        HandoverPoint {
            at: at(day),
            to: Some(UserId::parse(to).unwrap()),
        }
    }

    fn people_in(index: &PayIndex, who: &str) -> Vec<String> {
        let who = UserId::parse(who).unwrap();
        index
            .rotas(at(1), at(31), PayScope::Person(&who))
            .iter()
            .map(|r| r.channel.to_string())
            .collect()
    }

    #[test]
    fn a_handover_recorded_again_at_the_same_place_replaces_the_first_and_its_person() {
        let ops = ChannelId::parse("ops").unwrap();
        let mut index = PayIndex::default();
        index.record(ops.clone(), 1, point(3, "ann"));
        index.record(ops.clone(), 1, point(4, "bob"));
        assert_eq!(people_in(&index, "ann"), Vec::<String>::new());
        assert_eq!(people_in(&index, "bob"), vec!["ops"]);
        assert_eq!(index.chains[&ops].points.len(), 1);
    }

    #[test]
    fn a_chain_out_of_time_order_gives_the_same_period_as_a_scan_would() {
        let mut chain = Chain::default();
        chain.insert(1, point(10, "ann"));
        chain.insert(2, point(5, "bob"));
        chain.insert(3, point(20, "cat"));
        assert!(!chain.ordered);
        // Before the 8th: bob's (seq 2) is the last in chain order; in the period, ann's (the
        // 10th) and cat's (the 20th).
        let names: Vec<String> = chain
            .period(at(8), at(25))
            .iter()
            .map(|p| p.to.as_ref().map_or_else(String::new, UserId::to_string))
            .collect();
        assert_eq!(names, ["ann", "bob", "cat"]);
        chain.remove(2);
        assert!(chain.ordered, "in order again once bob's is undone");
    }
}
