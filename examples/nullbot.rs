//! The floor under examples/loadgen: the cheapest Socket Mode bot that still passes loadgen's
//! checks. It opens its connections like Baton (`apps.connections.open`, then a WebSocket with
//! `TCP_NODELAY`), reads each envelope as JSON and acks it at once on one thread, with a reply
//! built from the command's text: no database, no engine, no Block Kit, no logging.
//!
//! ```text
//! cargo run --release --example loadgen -- --bot null
//! cargo run --release --example loadgen -- --bot sqlite
//! ```
//!
//! Whatever this measures at a given load is what the machine, the fake Slack and the load
//! generator cost by themselves; Baton's own work is the difference. Not a product: it answers
//! every `/handover` as if it were allowed and every other command with a fixed private text.
//!
//! With `NULLBOT_STORE=sqlite` (loadgen's `--bot sqlite`) it also does the least of the work
//! issue 7's Bolt for Python comparison did, "parse, one SQLite transaction, reply in the ack",
//! as cheaply as it can be done: each `/handover` is one row inserted into `DATABASE_URL` (WAL,
//! `synchronous = NORMAL`, as Baton) by a writer thread that commits all the rows waiting at once
//! (group commit, as Baton), and acked only after its commit; each `/oncall-pay` counts the
//! asker's rows by an index. No dedup, no state read, no directory, no pay: a floor for any bot
//! that records handovers durably, on this machine and harness.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Failure = Box<dyn std::error::Error + Send + Sync>;
type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// The most rows one transaction takes (as Baton's writer).
const MAX_BATCH: usize = 64;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let token = std::env::var("SLACK_APP_TOKEN")?;
    let api = std::env::var("SLACK_API_URL")?;
    let connections: usize = std::env::var("SLACK_CONNECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let store = match std::env::var("NULLBOT_STORE").as_deref() {
        Ok("sqlite") => Some(Store::open(&std::env::var("DATABASE_URL")?)?),
        _ => None,
    };
    let mut sockets = Vec::new();
    for _ in 0..connections {
        let url = open_connection(&api, &token).await?;
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
        sockets.push(match &store {
            None => tokio::spawn(serve(socket)),
            Some(store) => tokio::spawn(serve_stored(socket, store.clone())),
        });
    }
    for socket in sockets {
        socket.await??;
    }
    Ok(())
}

/// `apps.connections.open` over plain HTTP/1.1 (the fake Slack is on loopback): the WebSocket URL.
async fn open_connection(api: &str, token: &str) -> Result<String, Failure> {
    let rest = api
        .strip_prefix("http://")
        .ok_or("SLACK_API_URL is not http://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = match path.trim_end_matches('/') {
        "" => String::new(),
        prefix => format!("{prefix}/"),
    };
    let mut stream = TcpStream::connect(host).await?;
    let request = format!(
        "POST /{path}apps.connections.open HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let body = response.split_once("\r\n\r\n").ok_or("no HTTP body")?.1;
    let reply: Value = serde_json::from_str(body)?;
    Ok(reply["url"].as_str().ok_or("no url in reply")?.to_owned())
}

async fn serve(mut socket: Socket) -> Result<(), Failure> {
    while let Some(frame) = socket.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let envelope: Value = serde_json::from_str(text.as_str())?;
        let Some(id) = envelope["envelope_id"].as_str() else {
            continue; // hello, disconnect
        };
        let payload = &envelope["payload"];
        let reply = if payload["command"] == "/handover" {
            let to = handover_target(payload);
            json!({"response_type": "in_channel", "text": format!("<@{to}> has the pager")})
        } else {
            json!({"response_type": "ephemeral", "text": "nothing earned"})
        };
        let ack = json!({"envelope_id": id, "payload": reply});
        socket.send(Message::Text(ack.to_string().into())).await?;
    }
    Ok(())
}

/// The user id a `/handover` names first (`<@U…|name>` or `<@U…>`), or "".
fn handover_target(payload: &Value) -> &str {
    payload["text"]
        .as_str()
        .and_then(|text| text.strip_prefix("<@"))
        .and_then(|t| t.split(['|', '>']).next())
        .unwrap_or("")
}

/// The database: a writer thread fed by a channel, and a connection for reads.
#[derive(Clone)]
struct Store {
    writes: std_mpsc::Sender<(String, String, oneshot::Sender<bool>)>,
    reads: Arc<Mutex<rusqlite::Connection>>,
}

impl Store {
    fn open(path: &str) -> Result<Self, Failure> {
        let open = || -> Result<rusqlite::Connection, rusqlite::Error> {
            let conn = rusqlite::Connection::open(path)?;
            conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                 CREATE TABLE IF NOT EXISTS handovers (
                     id INTEGER PRIMARY KEY, channel TEXT NOT NULL, to_user TEXT NOT NULL,
                     at INTEGER NOT NULL);
                 CREATE INDEX IF NOT EXISTS handovers_to ON handovers (to_user);",
            )?;
            Ok(conn)
        };
        let writer = open()?;
        let reads = Arc::new(Mutex::new(open()?));
        let (writes, jobs) = std_mpsc::channel();
        std::thread::spawn(move || write_batches(&writer, &jobs));
        Ok(Store { writes, reads })
    }

    /// Records a handover; true once it is committed.
    async fn record(&self, channel: &str, to: &str) -> bool {
        let (done, committed) = oneshot::channel();
        let job = (channel.to_owned(), to.to_owned(), done);
        self.writes.send(job).is_ok() && committed.await.unwrap_or(false)
    }

    /// How many handovers went to `user`.
    fn count(&self, user: &str) -> Option<i64> {
        let conn = self.reads.lock().ok()?;
        let mut statement = conn
            .prepare_cached("SELECT count(*) FROM handovers WHERE to_user = ?1")
            .ok()?;
        statement.query_row([user], |row| row.get(0)).ok()
    }
}

/// The writer thread: every job waiting when a transaction starts goes into it.
fn write_batches(
    conn: &rusqlite::Connection,
    jobs: &std_mpsc::Receiver<(String, String, oneshot::Sender<bool>)>,
) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = (|| -> Result<(), rusqlite::Error> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let mut insert = conn.prepare_cached(
                "INSERT INTO handovers (channel, to_user, at) VALUES (?1, ?2, unixepoch())",
            )?;
            for (channel, to, _) in &batch {
                insert.execute([channel, to])?;
            }
            conn.execute_batch("COMMIT")
        })();
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for (_, _, done) in batch {
            let _ = done.send(committed.is_ok());
        }
    }
}

/// As [`serve`], but each command runs in its own task (a handover waits for its commit) and
/// the acks go back through one writer task per socket.
async fn serve_stored(socket: Socket, store: Store) -> Result<(), Failure> {
    let (mut sink, mut stream) = socket.split();
    let (acks, mut queued) = mpsc::unbounded_channel::<String>();
    let sender = tokio::spawn(async move {
        while let Some(ack) = queued.recv().await {
            sink.send(Message::Text(ack.into())).await?;
        }
        Ok::<(), Failure>(())
    });
    while let Some(frame) = stream.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let envelope: Value = serde_json::from_str(text.as_str())?;
        let Some(id) = envelope["envelope_id"].as_str().map(str::to_owned) else {
            continue; // hello, disconnect
        };
        let (store, acks) = (store.clone(), acks.clone());
        tokio::spawn(async move {
            let payload = &envelope["payload"];
            let reply = if payload["command"] == "/handover" {
                let to = handover_target(payload);
                let channel = payload["channel_id"].as_str().unwrap_or("");
                if store.record(channel, to).await {
                    json!({"response_type": "in_channel", "text": format!("<@{to}> has the pager")})
                } else {
                    json!({"response_type": "ephemeral", "text": "not recorded"})
                }
            } else {
                let user = payload["user_id"].as_str().unwrap_or("");
                // "Sorry" is what loadgen counts as an unexpected answer.
                let text = store.count(user).map_or_else(
                    || "Sorry, could not count".to_owned(),
                    |count| format!("{count} handovers"),
                );
                json!({"response_type": "ephemeral", "text": text})
            };
            let ack = json!({"envelope_id": id, "payload": reply});
            let _ = acks.send(ack.to_string());
        });
    }
    drop(acks);
    sender.await?
}
