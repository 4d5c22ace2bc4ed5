//! The fake Socket Mode endpoint: `GET /link/?ticket=…` upgrades to a WebSocket, says `hello`,
//! forwards envelopes and collects acks.

use super::{Ack, Connection, Inner, Outgoing, APP_ID};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

/// A frame to send as is.
#[derive(Debug, Clone)]
pub enum RawFrame {
    Text(String),
    Binary(Vec<u8>),
}

pub(crate) async fn upgrade(
    State(inner): State<Arc<Inner>>,
    Query(params): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    // Each URL from apps.connections.open is good for one connection, as at Slack.
    let ticket_ok = params
        .get("ticket")
        .is_some_and(|t| inner.update(|s| s.tickets.remove(t)));
    if !ticket_ok {
        return (
            StatusCode::UNAUTHORIZED,
            "fake Slack: unknown or used ticket",
        )
            .into_response();
    }
    // tungstenite zeroes its read buffer's free space (128 KiB by default) before every read;
    // acks are a few hundred bytes.
    ws.read_buffer_size(16 * 1024)
        .on_upgrade(move |socket| serve(inner, socket))
}

async fn serve(inner: Arc<Inner>, mut socket: WebSocket) {
    let refused = inner.update(|s| {
        if s.refuse_sockets == 0 {
            return None;
        }
        s.refuse_sockets -= 1;
        s.sockets_accepted += 1;
        Some(s.refusal.clone())
    });
    if let Some(reason) = refused {
        if let Some(reason) = reason {
            // Slack's own frame (see bolt-js#2238).
            let frame = serde_json::json!({
                "type": "disconnect",
                "reason": reason,
                "debug_info": {"host": "applink-10"},
            });
            let _ = socket.send(Message::Text(frame.to_string().into())).await;
            // Slack closes soon after; a client that closes first is fine too.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = inner.next_id();
    let num_connections = inner.update(|s| {
        s.connections.insert(
            id,
            Connection {
                tx,
                opened: Instant::now(),
                draining: false,
            },
        );
        s.sockets_accepted += 1;
        s.connections.len()
    });
    let hello = json!({
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {"host": "applink-fake-1", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID}
    });
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_ok()
    {
        inner.update(|s| {
            s.first_socket_at.get_or_insert_with(Instant::now);
        });
        if run(&inner, id, &mut socket, &mut rx).await == Ended::Silenced {
            // Out of the live sockets, but the connection is held open, unread and unwritten,
            // until the fake is told to drop it.
            inner.update(|s| {
                if let Some(conn) = s.connections.remove(&id) {
                    s.silent.insert(id, conn.tx);
                }
                s.pending.retain(|_, p| p.connection != id);
            });
            while let Some(outgoing) = rx.recv().await {
                if matches!(outgoing, Outgoing::Drop) {
                    break;
                }
            }
            inner.update(|s| s.silent.remove(&id));
        }
    }
    inner.update(|s| {
        s.connections.remove(&id);
        // Envelopes in flight on this socket will never be acked here.
        s.pending.retain(|_, p| p.connection != id);
    });
    drop(socket);
}

/// Why [`run`] returned.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Closed, dropped or broken: the socket is done with.
    Closed,
    /// Told to go silent: the caller holds the connection open.
    Silenced,
}

async fn run(
    inner: &Inner,
    id: u64,
    socket: &mut WebSocket,
    rx: &mut mpsc::UnboundedReceiver<Outgoing>,
) -> Ended {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => on_ack(inner, id, text.as_str()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ended::Closed,
                Some(Ok(_)) => {} // pings are answered by the library
            },
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Frame(RawFrame::Text(text))) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return Ended::Closed;
                    }
                }
                Some(Outgoing::Frame(RawFrame::Binary(bytes))) => {
                    if socket.send(Message::Binary(bytes.into())).await.is_err() {
                        return Ended::Closed;
                    }
                }
                Some(Outgoing::Close) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return Ended::Closed;
                }
                Some(Outgoing::Drop) | None => return Ended::Closed,
                Some(Outgoing::Silence) => return Ended::Silenced,
            },
        }
    }
}

/// Matches an ack to its envelope and records how long it took.
fn on_ack(inner: &Inner, connection: u64, text: &str) {
    /// What an ack frame is read as; the payload stays text (see [`Ack`]).
    #[derive(Deserialize)]
    struct Frame<'a> {
        #[serde(borrow)]
        envelope_id: Cow<'a, str>,
        #[serde(borrow, default)]
        payload: Option<&'a RawValue>,
    }
    let received = Instant::now();
    let stray = || serde_json::from_str(text).unwrap_or(Value::Null);
    let Ok(frame) = serde_json::from_str::<Frame>(text) else {
        inner.update(|s| s.stray_acks.push(stray()));
        return;
    };
    let Some(pending) = inner.update(|s| s.pending.remove(frame.envelope_id.as_ref())) else {
        inner.update(|s| s.stray_acks.push(stray()));
        return;
    };
    let latency = received.duration_since(pending.sent);
    let ack = Ack::new(
        frame.envelope_id.into_owned(),
        frame.payload,
        latency,
        connection,
    );
    let _ = pending.done.send(ack);
}
