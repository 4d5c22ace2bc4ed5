//! The writer: one thread owns the database's only writing connection and runs every write and
//! every decision, many to a transaction (group commit).
//!
//! Why a thread with rusqlite rather than sqlx: sqlx runs each statement on its connection's
//! worker thread and wakes the caller for each result, a round trip of 10–40 µs per statement,
//! and each handover was a transaction of its own (begin, read, insert, commit): 220 µs in all
//! (`cargo bench --bench store`), which capped handovers near 4,500 a second. Here the jobs
//! waiting when a transaction starts all run inside it (those that write more than once each in
//! a savepoint of its own), and one commit makes them all durable. Nobody hears back before that
//! commit, so a reply that says something was recorded still means it is on disk; a kill
//! mid-batch loses only unanswered jobs, whole.

use super::pay_index::{self, Change};
use super::StoreError;
use rusqlite::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most jobs one transaction takes: a bound on how long the first of them waits.
const MAX_BATCH: usize = 64;
/// Jobs waiting beyond this make senders wait (back-pressure, a bound on memory).
const QUEUE: usize = 1024;

/// How many write statements a job runs, which decides whether it needs a savepoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Writes {
    /// A job that returns no error after its first write: none, one, or one and then others
    /// whose failure it swallows (a handover, then its channel's name). SQLite undoes a failed
    /// statement by itself, so a job that fails before or in its first write leaves nothing
    /// behind without a savepoint. (Were it to fail after a successful write anyway, that write
    /// would stay, and its asker hear of a failure, as when a reply is lost.) A savepoint would
    /// copy every page the job touches: a fifth of the writer's time.
    AtMostOne,
    /// Several: the job runs in a savepoint, so a failure after the first rolls all of it back.
    Several,
}

/// One job in a batch.
trait Job: Send {
    /// Whether it needs a savepoint.
    fn writes(&self) -> Writes;
    /// Runs inside the open transaction (and its savepoint, if it has one), noting what it
    /// changed in the handovers in `changes`; true if it failed.
    fn run(&mut self, conn: &Connection, changes: &mut Vec<Change>) -> bool;
    /// Called once the transaction has ended: `failure` is why it did not commit, if it did not.
    fn finish(self: Box<Self>, failure: Option<&Arc<rusqlite::Error>>);
}

/// A job's work, its result once run, and where the result goes.
struct Pending<T, W> {
    writes: Writes,
    work: Option<W>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, W> Job for Pending<T, W>
where
    T: Send,
    W: FnOnce(&Connection, &mut Vec<Change>) -> Result<T, StoreError> + Send,
{
    fn writes(&self) -> Writes {
        self.writes
    }

    fn run(&mut self, conn: &Connection, changes: &mut Vec<Change>) -> bool {
        let Some(work) = self.work.take() else {
            return true;
        };
        // A panic leaves `result` empty: the job failed, and the batch goes on without it.
        if let Ok(result) = catch_unwind(AssertUnwindSafe(|| work(conn, changes))) {
            self.result = Some(result);
        }
        !matches!(self.result, Some(Ok(_)))
    }

    fn finish(self: Box<Self>, failure: Option<&Arc<rusqlite::Error>>) {
        let outcome = match (self.result, failure) {
            // The job's own error says most.
            (Some(Err(own)), _) => Err(own),
            (_, Some(failure)) => Err(StoreError::Transaction(Arc::clone(failure))),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(StoreError::Panicked),
        };
        // The asker may have gone (a timed-out command); the outcome is then nobody's to hear.
        let _ = self.reply.send(outcome);
    }
}

enum Message {
    Job(Box<dyn Job>),
    /// Finish what came before, close the connection, then say so.
    Stop(oneshot::Sender<()>),
}

/// A handle on the writer thread. Cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Message>,
}

impl Writer {
    /// Starts the thread that owns `conn`. With `index`, each transaction reads the handovers'
    /// change counter as it begins and before it commits, and tells `index` what committed.
    pub(super) fn start(
        conn: Connection,
        index: Option<Arc<pay_index::Shared>>,
    ) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("baton-writer".into())
            .spawn(move || serve(conn, index.as_deref(), jobs))?;
        Ok(Self { queue })
    }

    /// Runs `work` in the writer's transaction and returns its result once that transaction has
    /// committed. With [`Writes::Several`], an error from `work` rolls back what `work` wrote, and
    /// only that; with [`Writes::AtMostOne`], `work` returns no error after its first write. `work`
    /// must not change the handovers: [`Writer::run_changing`] does.
    pub(super) async fn run<T, W>(&self, writes: Writes, work: W) -> Result<T, StoreError>
    where
        T: Send + 'static,
        W: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.run_changing(writes, move |conn, _| work(conn)).await
    }

    /// [`Writer::run`] for work that changes the handovers: it notes each change it makes in
    /// the list it is given, which pay's index applies once the transaction has committed.
    pub(super) async fn run_changing<T, W>(&self, writes: Writes, work: W) -> Result<T, StoreError>
    where
        T: Send + 'static,
        W: FnOnce(&Connection, &mut Vec<Change>) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Pending {
            writes,
            work: Some(work),
            result: None,
            reply,
        });
        self.queue
            .send(Message::Job(job))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Finishes every job sent before this and closes the writing connection.
    pub(super) async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.queue.send(Message::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

fn serve(conn: Connection, index: Option<&pay_index::Shared>, mut queue: mpsc::Receiver<Message>) {
    while let Some(first) = queue.blocking_recv() {
        let mut jobs = Vec::new();
        let mut stop = None;
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Job(job) => jobs.push(job),
                Message::Stop(done) => stop = Some(done),
            }
            if stop.is_none() && jobs.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        if !jobs.is_empty() {
            run_batch(&conn, index, jobs);
        }
        if let Some(done) = stop {
            // Everything committed goes into the database file itself, so that a copy of that
            // file alone (a backup of a stopped Baton) holds it: closing would checkpoint only
            // as the last connection, and pay's read-only counter connection may outlive this
            // one. The reply waits for that.
            checkpoint(&conn);
            drop(conn);
            let _ = done.send(());
            return;
        }
    }
}

/// Copies every committed page from the WAL into the database file and empties the WAL.
fn checkpoint(conn: &Connection) {
    // Waiting for a reader in another process (a console) should not hold up a stop for the
    // whole busy timeout.
    let _ = conn.busy_timeout(std::time::Duration::from_millis(500));
    match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(0) => {}
        // Another process was reading: nothing is lost, but until a later checkpoint the
        // newest handovers are in the -wal file beside the database, not in it alone.
        Ok(_) => tracing::warn!(
            "could not checkpoint the WAL at shutdown (another process was reading): back up \
             with `baton backup`, or copy the database's -wal file with it"
        ),
        Err(e) => tracing::warn!(
            error = %crate::commands::error_chain(&e),
            "could not checkpoint the WAL at shutdown: back up with `baton backup`, or copy the \
             database's -wal file with it"
        ),
    }
}

/// Runs `jobs` in one transaction, then tells each how it ended.
fn run_batch(conn: &Connection, index: Option<&pay_index::Shared>, mut jobs: Vec<Box<dyn Job>>) {
    let mut changes = Vec::new();
    let outcome = (|| {
        execute(conn, "BEGIN IMMEDIATE")?;
        let before = index.map(|_| pay_index::version(conn)).transpose()?;
        for job in &mut jobs {
            let mut own = Vec::new();
            let failed = if job.writes() == Writes::AtMostOne {
                job.run(conn, &mut own)
            } else {
                execute(conn, "SAVEPOINT job")?;
                let failed = job.run(conn, &mut own);
                if failed {
                    execute(conn, "ROLLBACK TO job")?;
                }
                failed
            };
            // A failed job's changes did not happen (or, if it wrote and then failed, the
            // counter shows a change nobody reported, and the index is read again).
            if !failed {
                changes.append(&mut own);
            }
            if conn.is_autocommit() {
                // Some errors (a full disk, an I/O error) make SQLite roll back the whole
                // transaction: the jobs before this one are gone too, and the rest must not run
                // outside a transaction.
                return Err(rolled_back());
            }
        }
        let after = index.map(|_| pay_index::version(conn)).transpose()?;
        execute(conn, "COMMIT")?;
        Ok(before.zip(after))
    })();
    // Before anyone hears back, so that a reply saying "recorded" is followed by pay answers
    // that include it.
    if let (Some(index), Ok(Some((before, after)))) = (index, &outcome) {
        index.committed(*before, *after, changes);
    }
    let failure = outcome.err().map(Arc::new);
    if failure.is_some() && !conn.is_autocommit() {
        // Already failing; a rollback that fails too has nothing to add.
        let _ = conn.execute_batch("ROLLBACK");
    }
    for job in jobs {
        job.finish(failure.as_ref());
    }
}

fn rolled_back() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("SQLite rolled the transaction back".to_owned()),
    )
}

fn execute(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT NOT NULL);")
            .unwrap();
        (dir, Writer::start(conn, None).unwrap())
    }

    fn insert(v: &'static str) -> impl FnOnce(&Connection) -> Result<(), StoreError> {
        move |conn| {
            conn.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
            Ok(())
        }
    }

    async fn rows(writer: &Writer) -> Vec<String> {
        writer
            .run(Writes::AtMostOne, |conn| {
                let mut statement = conn.prepare("SELECT v FROM t ORDER BY rowid")?;
                let rows = statement.query_map([], |row| row.get(0))?;
                Ok(rows.collect::<Result<Vec<String>, _>>()?)
            })
            .await
            .unwrap()
    }

    /// Holds the writer on one job until the returned sender is dropped, so that the jobs sent
    /// meanwhile all land in the next batch.
    async fn hold(writer: &Writer) -> std::sync::mpsc::Sender<()> {
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel();
        let w = writer.clone();
        tokio::spawn(async move {
            w.run(Writes::AtMostOne, move |_| {
                let _ = started.send(());
                let _ = held.recv();
                Ok(())
            })
            .await
        });
        running.await.unwrap();
        release
    }

    type TestJob<T> = Box<dyn FnOnce(&Connection) -> Result<T, StoreError> + Send>;

    /// Waits until `n` messages are waiting for the (held) writer.
    async fn queued(writer: &Writer, n: usize) {
        while writer.queue.max_capacity() - writer.queue.capacity() < n {
            tokio::task::yield_now().await;
        }
    }

    /// Sends each job (in order) while the writer is held, then lets them run as one batch.
    async fn one_batch<T: Send + 'static>(
        writer: &Writer,
        writes: Writes,
        jobs: Vec<TestJob<T>>,
    ) -> Vec<Result<T, StoreError>> {
        let release = hold(writer).await;
        let mut answers = Vec::new();
        for job in jobs {
            let w = writer.clone();
            answers.push(tokio::spawn(async move { w.run(writes, job).await }));
            // Each send lands in the queue before the next is spawned.
            tokio::task::yield_now().await;
        }
        queued(writer, answers.len()).await;
        drop(release);
        let mut out = Vec::new();
        for answer in answers {
            out.push(answer.await.unwrap());
        }
        out
    }

    /// Runs `middle` between two good jobs in one batch; they commit whatever it does, and its
    /// own answer is returned.
    async fn between_two_good_jobs(
        writer: &Writer,
        writes: Writes,
        middle: TestJob<()>,
    ) -> Result<(), StoreError> {
        let mut answers = one_batch(
            writer,
            writes,
            vec![Box::new(insert("a")), middle, Box::new(insert("c"))],
        )
        .await;
        assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
        answers.swap_remove(1)
    }

    #[tokio::test]
    async fn a_failing_job_rolls_back_only_its_own_writes_and_the_batch_commits() {
        let (_dir, writer) = writer();
        let failing = Box::new(|conn: &Connection| {
            insert("b")(conn)?;
            Err(StoreError::Corrupt("b is wrong".into()))
        });
        let answer = between_two_good_jobs(&writer, Writes::Several, failing).await;
        assert!(matches!(&answer, Err(StoreError::Corrupt(m)) if m == "b is wrong"));
        assert_eq!(rows(&writer).await, ["a", "c"]);
    }

    #[tokio::test]
    async fn a_job_whose_one_write_fails_leaves_nothing_behind_without_a_savepoint() {
        let (_dir, writer) = writer();
        // The second row breaks NOT NULL: SQLite undoes the whole statement.
        let failing = Box::new(|conn: &Connection| {
            conn.execute("INSERT INTO t (v) VALUES ('b'), (NULL)", [])?;
            Ok(())
        });
        let answer = between_two_good_jobs(&writer, Writes::AtMostOne, failing).await;
        assert!(matches!(answer, Err(StoreError::Sqlite(_))));
        assert_eq!(rows(&writer).await, ["a", "c"]);
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_writer_keeps_serving() {
        let (_dir, writer) = writer();
        let panicking = Box::new(|conn: &Connection| {
            insert("b")(conn)?;
            panic!("a bug in a job");
        });
        let answer = between_two_good_jobs(&writer, Writes::Several, panicking).await;
        assert!(matches!(answer, Err(StoreError::Panicked)));
        writer.run(Writes::Several, insert("d")).await.unwrap();
        assert_eq!(rows(&writer).await, ["a", "c", "d"]);
    }

    #[tokio::test]
    async fn when_the_transaction_is_lost_no_job_in_it_hears_success_or_runs_outside_it() {
        let (_dir, writer) = writer();
        let answers = one_batch(
            &writer,
            Writes::Several,
            vec![
                Box::new(insert("a")),
                // Ends the transaction behind the writer's back, as SQLite does itself on a
                // full disk: what came before is gone, and what comes after must not run
                // outside a transaction.
                Box::new(|conn: &Connection| {
                    conn.execute_batch("ROLLBACK")?;
                    Ok(())
                }),
                Box::new(insert("c")),
            ],
        )
        .await;
        for answer in &answers {
            assert!(
                matches!(answer, Err(StoreError::Transaction(_))),
                "{answer:?}"
            );
        }
        assert!(rows(&writer).await.is_empty());
        writer.run(Writes::Several, insert("b")).await.unwrap();
        assert_eq!(rows(&writer).await, ["b"]);
    }

    #[tokio::test]
    async fn after_stop_the_jobs_sent_before_are_done_and_later_ones_are_refused() {
        let (dir, writer) = writer();
        let release = hold(&writer).await;
        let w = writer.clone();
        let before = tokio::spawn(async move { w.run(Writes::Several, insert("a")).await });
        queued(&writer, 1).await;
        let w = writer.clone();
        let stopping = tokio::spawn(async move { w.stop().await });
        queued(&writer, 2).await;
        drop(release);
        stopping.await.unwrap();
        before.await.unwrap().unwrap();
        assert!(matches!(
            writer.run(Writes::Several, insert("b")).await,
            Err(StoreError::Closed)
        ));
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
