//! Fault tests (issue 7): the real `baton run` binary against the in-repo fake Slack, under the
//! failures an on-call tool meets when things are on fire.
//!
//! - `crash`: `kill -9` during a stream of handovers, at several points; every confirmed handover
//!   survives, in order, once, and the database opens cleanly; and during bursts of 40 at once,
//!   which share transactions, after which Slack's redelivery records each exactly once.
//! - `sockets`: sockets lost with commands in flight; nothing confirmed is lost or doubled, and
//!   everything sent after reconnection is answered; and sockets gone silent without closing,
//!   which Baton replaces once their pongs stop.
//! - `slack_api`: `chat.postMessage` failing (429s, 500s) while slash commands keep being acked.
//! - `garbage`: malformed envelopes mixed into real traffic are logged, skipped and harmless.
//! - `startup`: each way of starting wrongly is one line on stderr, a non-zero exit, no panic.
//! - `shutdown`: a stop with the database locked by another process still ends within 10 s, and
//!   a second signal ends it at once.
//!
//! Reconnection after a quiet `disconnect` or dropped socket, 429/5xx retries of the poster in
//! isolation, and the basic garbage frames are in `tests/slack`; these tests build on them.
//! Every wait is bounded; the whole suite takes about 40 s, nearly all of it the silent-socket
//! test, which runs on the product's own 30 s pong limit.

#[path = "../support/mod.rs"]
mod support;

mod crash;
mod garbage;
mod shutdown;
mod slack_api;
mod sockets;
mod startup;

use std::path::Path;
use std::time::Duration;
use support::fake_slack::{FakeSlack, FakeUser};

/// Upper bound for anything that should take milliseconds; generous for a loaded CI machine.
const WAIT: Duration = Duration::from_secs(10);

const ALICE: &str = "U0ALICE001";
const BOB: &str = "U0BOB00001";
const OPS: &str = "C0OPS00001";

async fn workspace() -> FakeSlack {
    let slack = FakeSlack::start().await;
    slack.add_user(FakeUser::person(ALICE, "alice"));
    slack.add_user(FakeUser::person(BOB, "bob"));
    slack
}

/// `<@U…|name>` as Slack escapes a mention typed in a slash command.
fn mention(id: &str) -> String {
    let name = if id == ALICE { "alice" } else { "bob" };
    format!("<@{id}|{name}>")
}

/// The `DATABASE_URL` Baton is given for `path`.
fn database_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A row of the `handovers` table, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    channel: String,
    seq: i64,
    to: String,
    dedup_key: Option<String>,
}

/// Opens the database as Baton does (WAL recovery included), checks its integrity, and reads
/// every handover in channel and sequence order.
async fn inspect(path: &Path) -> Vec<Row> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::{ConnectOptions, Connection, Row as _};
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await
        .expect("the database opens");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("integrity_check runs");
    assert_eq!(check, "ok", "PRAGMA integrity_check");
    let rows = sqlx::query(
        "SELECT channel_id, seq, to_user, dedup_key FROM handovers ORDER BY channel_id, seq",
    )
    .fetch_all(&mut conn)
    .await
    .expect("handovers are readable");
    let rows = rows
        .iter()
        .map(|r| Row {
            channel: r.get("channel_id"),
            seq: r.get("seq"),
            to: r.get("to_user"),
            dedup_key: r.get("dedup_key"),
        })
        .collect();
    conn.close().await.expect("the database closes");
    rows
}

/// The dedup key Baton stores for a slash command payload built by the fake.
fn dedup_key(payload: &serde_json::Value) -> String {
    format!(
        "{}:{}",
        payload["team_id"].as_str().unwrap_or_default(),
        payload["trigger_id"].as_str().unwrap_or_default()
    )
}

/// Polls `check` every few milliseconds until it holds or `limit` passes.
async fn eventually(what: &str, limit: Duration, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
