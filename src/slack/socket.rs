//! Socket Mode connections: Baton's own client over tokio-tungstenite, with slack-morphism's
//! models for the frames and its Web API client for `apps.connections.open`.
//!
//! Why not slack-morphism's Socket Mode listener (measured with `examples/loadgen`, README
//! "Performance"):
//! - It handles one envelope at a time per socket and acks it when the callback returns, so a
//!   slow command held up every envelope queued behind it. Here each envelope runs in its own
//!   task and its ack is written as soon as it is ready.
//! - Its sockets keep Nagle's algorithm on. An ack written while the previous one is still
//!   unacknowledged at TCP level then waits for Slack's delayed ACK (40 ms on Linux): that was
//!   the whole p99 tail. These sockets set `TCP_NODELAY`.
//! - On `disconnect` (`refresh_requested`) it leaves the old socket for Slack to close. Here the
//!   replacement opens at once and the old socket keeps acking what it has in hand until Slack
//!   closes it, or [`OLD_SOCKET_GRACE`] passes.
//!
//! Each of the `connections` slots keeps one socket open: it reconnects at once after a
//! `disconnect` or a lost socket, and backs off (1 s doubling to [`RETRY_AT_MOST`]) while
//! `apps.connections.open` or the WebSocket handshake fails. A socket that has had no pong for
//! [`PONG_LIMIT`] is treated as lost.

use super::listener::{Commands, InFlightGuard};
use super::web::{self, Client, Failure};
use super::CommandHandler;
use crate::commands::Reply;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A Socket Mode message, as Slack documents it. (slack-morphism's own models for these are
/// private to its listener.)
#[derive(Debug)]
enum Envelope {
    Hello {
        num_connections: Option<u32>,
    },
    Disconnect {
        reason: String,
    },
    SlashCommands {
        envelope_id: String,
        payload: Box<SlackCommandEvent>,
    },
    /// Not subscribed to: acked and ignored, whatever the payload says.
    Interactive {
        envelope_id: String,
    },
    EventsApi {
        envelope_id: String,
    },
}

/// The fields of every kind of [`Envelope`], read in one pass; the payload is left as text until
/// its type is known. (serde's `#[serde(tag = "type")]` would copy the whole message into an
/// intermediate tree first: about 5% of Baton's CPU under load, by perf.)
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    envelope_id: Option<String>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    num_connections: Option<u32>,
    reason: Option<String>,
}

const ENVELOPE_TYPES: &[&str] = &[
    "hello",
    "disconnect",
    "slash_commands",
    "interactive",
    "events_api",
];

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = RawEnvelope::deserialize(deserializer)?;
        let envelope_id = || {
            raw.envelope_id
                .clone()
                .ok_or_else(|| D::Error::missing_field("envelope_id"))
        };
        Ok(match &*raw.kind {
            "hello" => Self::Hello {
                num_connections: raw.num_connections,
            },
            "disconnect" => Self::Disconnect {
                reason: raw
                    .reason
                    .clone()
                    .ok_or_else(|| D::Error::missing_field("reason"))?,
            },
            "slash_commands" => {
                let payload = raw
                    .payload
                    .ok_or_else(|| D::Error::missing_field("payload"))?;
                Self::SlashCommands {
                    envelope_id: envelope_id()?,
                    payload: serde_json::from_str(payload.get()).map_err(D::Error::custom)?,
                }
            }
            "interactive" => Self::Interactive {
                envelope_id: envelope_id()?,
            },
            "events_api" => Self::EventsApi {
                envelope_id: envelope_id()?,
            },
            other => return Err(D::Error::unknown_variant(other, ENVELOPE_TYPES)),
        })
    }
}

/// Just the envelope id (and type) of a frame that is otherwise unreadable.
#[derive(Debug, Deserialize)]
struct EnvelopeId {
    envelope_id: String,
    /// Any JSON value: a frame whose `type` is not even a string is acked all the same.
    #[serde(rename = "type", default)]
    kind: Option<serde_json::Value>,
}

/// An ack; a slash command's carries the reply as its payload.
#[derive(Debug, Serialize)]
struct Ack<'a> {
    envelope_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<SlackCommandEventResponse>,
}

impl<'a> Ack<'a> {
    fn bare(envelope_id: &'a str) -> Self {
        Self {
            envelope_id,
            payload: None,
        }
    }
}

/// How often each socket pings Slack.
const PING_EVERY: Duration = Duration::from_secs(10);
/// A socket with no pong for this long is dead, whatever TCP says.
const PONG_LIMIT: Duration = Duration::from_secs(30);
/// The longest wait between attempts to open a connection.
const RETRY_AT_MOST: Duration = Duration::from_secs(10);
/// Limit on `apps.connections.open` plus the WebSocket handshake.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// How long a slot may fail to open a socket before that is logged as an error, once per outage.
const DOWN_IS_AN_ERROR: Duration = Duration::from_secs(300);
/// How long a socket Slack asked to replace may still deliver envelopes before Baton closes it.
pub(crate) const OLD_SOCKET_GRACE: Duration = Duration::from_secs(30);
/// How long a socket Slack refused after `hello` stays open for the acks of the commands in
/// hand: each is answered within the ack budget.
const REFUSED_GRACE: Duration =
    super::listener::ACK_BUDGET.saturating_add(Duration::from_millis(500));

/// One slot's time without a socket: when its first failed attempt was, and whether the outage
/// has been logged as an error yet (once per outage).
#[derive(Debug, Default)]
struct Outage {
    since: Option<Instant>,
    reported: bool,
}

impl Outage {
    /// Notes an attempt that failed at `now`. Returns how long the slot has been down when that
    /// first reaches [`DOWN_IS_AN_ERROR`], and `None` before it and on every failure after.
    fn failed(&mut self, now: Instant) -> Option<Duration> {
        let down = now.saturating_duration_since(*self.since.get_or_insert(now));
        if down < DOWN_IS_AN_ERROR || self.reported {
            return None;
        }
        self.reported = true;
        Some(down)
    }
}

/// Everything the sockets share.
pub(crate) struct Sockets<H> {
    pub(crate) client: Arc<Client>,
    pub(crate) app_token: SlackApiToken,
    pub(crate) commands: Arc<Commands<H>>,
    /// Where shutdown is: see [`Phase`].
    pub(crate) stop: watch::Receiver<Phase>,
    /// Never sent on: the channel closes when the last socket task has dropped its `Sockets`.
    pub(crate) _alive: mpsc::Sender<()>,
    /// TLS for `wss://` ([`super::web::socket_tls`]).
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// Set by the first `hello`: Baton is listening from then on, and says so once.
    pub(crate) listening: AtomicBool,
    /// Why Baton must stop, when a slot finds it can never connect again.
    pub(crate) fatal: mpsc::Sender<String>,
    /// How many sockets this Baton keeps open.
    pub(crate) connections: u32,
}

impl<H: CommandHandler> Sockets<H> {
    /// Keeps slot `slot`'s socket open until `stop`.
    pub(crate) async fn keep_connected(self: Arc<Self>, slot: u32) {
        let mut stop = self.stop.clone();
        let mut failures = 0u32;
        // After a slot's first socket, each new one is worth a line at info: after a warning
        // that a socket broke or could not open, it is the sign that Baton listens again.
        let mut opened_before = false;
        let mut outage = Outage::default();
        loop {
            if *stop.borrow() != Phase::Running {
                return;
            }
            let socket = tokio::select! {
                opened = self.open() => opened,
                _ = stopped(&mut stop) => return,
            };
            let failure = match socket {
                Ok(socket) => {
                    if opened_before {
                        tracing::info!(
                            slot,
                            failed_attempts = failures,
                            "Socket Mode connection open again"
                        );
                    } else {
                        tracing::debug!(slot, "Socket Mode connection open");
                    }
                    opened_before = true;
                    let (replace, replaced) = oneshot::channel();
                    let mut serving = tokio::spawn(self.clone().serve(socket, replace));
                    tokio::select! {
                        // Slack asked for a new connection: open it now; the old socket
                        // finishes its acks on its own.
                        Ok(()) = replaced => None,
                        ended = &mut serving => match ended {
                            Ok(Ended::Greeted) => None,
                            // Retrying at once could hammer a Slack that accepts and drops
                            // every socket, or that has all the connections it allows.
                            Ok(Ended::Refused(reason)) => Some(OpenFailure::because(format!(
                                "Slack closed the connection at once (`{reason}`)"
                            ))),
                            _ => Some(OpenFailure::because("the connection closed before Slack said hello")),
                        },
                    }
                }
                Err(failed) => Some(failed),
            };
            let Some(OpenFailure {
                reason,
                slack_asks,
                token_refused,
            }) = failure
            else {
                failures = 0;
                outage = Outage::default();
                continue;
            };
            if let Some(code) = token_refused {
                // As at startup, where the same token stops Baton with one line: a process
                // that stays up deaf looks healthy to its supervisor while every command fails.
                tracing::error!(slot, reason, "Slack refused SLACK_APP_TOKEN: stopping");
                let _ = self.fatal.try_send(format!(
                    "Slack refused SLACK_APP_TOKEN (`{code}`) while Baton was running: it may \
                     have been revoked or regenerated; make a new app-level token with \
                     connections:write and restart Baton with it"
                ));
                return;
            }
            failures = failures.saturating_add(1);
            // Slack's own `Retry-After` (a 429 on `apps.connections.open`, a Tier 1 method)
            // wins over the backoff: asking sooner only prolongs the limit. Bounded, in case a
            // proxy sends something absurd: a socket slot must not sleep for a day.
            // (The backoff is at least a second, so with no ask this is the backoff.)
            let wait =
                retry_after(failures).max(web::rate_limit_wait(slack_asks, LONGEST_RETRY_AFTER));
            tracing::warn!(
                slot,
                reason,
                retry_in_ms = wait.as_millis() as u64,
                "cannot open a Socket Mode connection"
            );
            // A warning every few seconds pages nobody; a Baton deaf for minutes should.
            if let Some(down) = outage.failed(Instant::now()) {
                tracing::error!(
                    slot,
                    reason,
                    down_s = down.as_secs(),
                    failed_attempts = failures,
                    "no Socket Mode connection for minutes: slash commands on this connection \
                     go unanswered until Slack can be reached again (Baton keeps trying)"
                );
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(&mut stop) => return,
            }
        }
    }

    /// `apps.connections.open`, then the WebSocket handshake, with `TCP_NODELAY`.
    async fn open(&self) -> Result<Socket, OpenFailure> {
        let attempt = async {
            let opened = self
                .client
                .open_session(&self.app_token)
                .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
                .await
                .map_err(|e| {
                    let failure = Failure::of(&e);
                    OpenFailure {
                        reason: format!("apps.connections.open: {}", failure.describe()),
                        slack_asks: match failure {
                            Failure::RateLimited(after) => after,
                            _ => None,
                        },
                        token_refused: match &e {
                            SlackClientError::ApiError(api) if web::is_token_error(&api.code) => {
                                Some(api.code.clone())
                            }
                            _ => None,
                        },
                    }
                })?;
            // The URL holds a one-time ticket: it is never logged, nor is an error quoting it.
            let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(
                opened.url.0.as_str(),
                Some(socket_config()),
                true,
                Some(tokio_tungstenite::Connector::Rustls(self.tls.clone())),
            )
            .await
            .map_err(|e| {
                OpenFailure::because(format!("WebSocket handshake: {}", handshake_failure(&e)))
            })?;
            Ok(socket)
        };
        tokio::time::timeout(CONNECT_LIMIT, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(OpenFailure::because(format!(
                    "no answer within {} s",
                    CONNECT_LIMIT.as_secs()
                )))
            })
    }

    /// Reads envelopes, answers each in its own task, writes their acks; pings. Stops reading
    /// when shutdown begins. Ends when the socket closes or breaks, on [`Phase::Stopped`] (after
    /// writing the acks already queued), or
    /// [`OLD_SOCKET_GRACE`] after Slack asked to replace it, or at once when Slack's `disconnect`
    /// refuses it (see [`refuses`]).
    async fn serve(self: Arc<Self>, socket: Socket, replace: oneshot::Sender<()>) -> Ended {
        let (mut sink, mut stream) = socket.split();
        let (acks, mut queued) = mpsc::unbounded_channel::<String>();
        let mut replace = Some(replace);
        let mut stop = self.stop.clone();
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        let mut last_pong = Instant::now();
        let mut greeted = false;
        // Why Slack refused this socket after `hello`, if it did: it ends once its acks are out.
        let mut refused: Option<String> = None;
        let retire = tokio::time::sleep(Duration::MAX);
        tokio::pin!(retire);
        loop {
            let phase = *stop.borrow_and_update();
            if phase == Phase::Stopped {
                close(&mut sink, &mut queued).await;
                break;
            }
            let reading = phase == Phase::Running;
            tokio::select! {
                incoming = stream.next(), if reading => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        match self.on_text(text.as_str(), &acks) {
                            Frame::Hello => greeted = true,
                            Frame::Disconnect(reason) if refuses(&reason, greeted) => {
                                tracing::warn!(
                                    reason,
                                    greeted,
                                    "Slack refused a Socket Mode connection; trying again after a pause"
                                );
                                if !greeted {
                                    // Nothing can be in flight on it yet.
                                    let _ = sink.send(Message::Close(None)).await;
                                    return Ended::Refused(reason);
                                }
                                // The commands in hand still ack on it (they answer within the
                                // ack budget); then it closes, and the slot backs off.
                                refused = Some(reason);
                                retire.as_mut().reset(tokio::time::Instant::now() + REFUSED_GRACE);
                            }
                            Frame::Disconnect(reason) => {
                                tracing::info!(reason, "Slack asked for a new Socket Mode connection");
                                if let Some(replace) = replace.take() {
                                    let _ = replace.send(());
                                }
                                retire
                                    .as_mut()
                                    .reset(tokio::time::Instant::now() + OLD_SOCKET_GRACE);
                            }
                            Frame::Other => {}
                        }
                    }
                    Some(Ok(Message::Binary(bytes))) => tracing::warn!(
                        kind = "binary frame",
                        bytes = bytes.len(),
                        "skipped a Socket Mode message that could not be read"
                    ),
                    Some(Ok(Message::Pong(_))) => last_pong = Instant::now(),
                    // tungstenite answers pings itself.
                    Some(Ok(Message::Ping(_) | Message::Frame(_))) => {}
                    Some(Ok(Message::Close(_))) | None => {
                        tracing::debug!("Slack closed a Socket Mode connection");
                        break;
                    }
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "a Socket Mode connection broke; reconnecting");
                        break;
                    }
                },
                Some(ack) = queued.recv() => {
                    if let Err(e) = sink.send(Message::Text(ack.into())).await {
                        tracing::warn!(error = %e, "could not write an ack; reconnecting");
                        break;
                    }
                }
                _ = ping.tick() => {
                    if last_pong.elapsed() > PONG_LIMIT {
                        tracing::warn!(
                            silent_s = last_pong.elapsed().as_secs(),
                            "no pong from Slack; reconnecting"
                        );
                        break;
                    }
                    if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                }
                _ = &mut retire => {
                    tracing::debug!("closing a Socket Mode connection Slack asked to replace");
                    // An ack queued as the grace ran out still goes first: `select!` picks any
                    // ready branch, this one as readily as the queue.
                    close(&mut sink, &mut queued).await;
                    break;
                }
                // The phase is read again at the top of the loop.
                changed = stop.changed() => {
                    if changed.is_err() {
                        close(&mut sink, &mut queued).await;
                        break;
                    }
                }
            }
        }
        match (refused, greeted) {
            (Some(reason), _) => Ended::Refused(reason),
            (None, true) => Ended::Greeted,
            (None, false) => Ended::NotGreeted,
        }
    }

    /// One text frame. Slash commands are spawned; everything else is answered here.
    fn on_text(&self, text: &str, acks: &mpsc::UnboundedSender<String>) -> Frame {
        let envelope = match serde_json::from_str::<Envelope>(text) {
            Ok(envelope) => envelope,
            Err(e) => {
                unreadable(&e, text.len());
                // It will not read better next time: ack it, if it has an envelope id, so Slack
                // does not redeliver it.
                // A slash command's person would otherwise see nothing, or Slack's own timeout
                // error: they get the apology an internal fault gets.
                if let Ok(id) = serde_json::from_str::<EnvelopeId>(text) {
                    let payload = (id.kind.as_ref().and_then(serde_json::Value::as_str)
                        == Some("slash_commands"))
                    .then(|| {
                        super::render::command_response(&Reply::private(super::listener::APOLOGY))
                    });
                    send(
                        acks,
                        &Ack {
                            envelope_id: &id.envelope_id,
                            payload,
                        },
                    );
                }
                return Frame::Other;
            }
        };
        match envelope {
            Envelope::Hello { num_connections } => {
                if self.listening.swap(true, Ordering::Relaxed) {
                    tracing::debug!(
                        open_at_slack = num_connections,
                        "Socket Mode connection ready"
                    );
                } else {
                    // Slack's count of the app's open connections, this one included: the
                    // others are still opening.
                    tracing::info!(
                        open_at_slack = num_connections,
                        "listening for slash commands over Socket Mode"
                    );
                    // At the first greeting this Baton has at most `connections` open: more at
                    // Slack are another process's, which gets a share of the commands.
                    if let Some(open) = num_connections.filter(|&n| n > self.connections) {
                        tracing::warn!(
                            open_at_slack = open,
                            opened_here = self.connections,
                            "Slack counts more Socket Mode connections for this app than this \
                             Baton opens: another Baton (or one that has just stopped) is using \
                             the same app token, and Slack splits commands between them, each \
                             recording its share in its own database. Run one Baton per Slack app"
                        );
                    }
                }
                Frame::Hello
            }
            Envelope::Disconnect { reason } => Frame::Disconnect(reason),
            Envelope::SlashCommands {
                envelope_id,
                payload,
            } => {
                let guard = self.commands.in_flight.enter();
                let commands = self.commands.clone();
                let acks = acks.clone();
                tokio::spawn(answer(commands, envelope_id, payload, acks, guard));
                Frame::Other
            }
            Envelope::Interactive { envelope_id } => {
                tracing::debug!("interaction acked and ignored");
                send(acks, &Ack::bare(&envelope_id));
                Frame::Other
            }
            Envelope::EventsApi { envelope_id } => {
                tracing::debug!("event acked and ignored");
                send(acks, &Ack::bare(&envelope_id));
                Frame::Other
            }
        }
    }
}

/// tungstenite's settings but for its read buffer: it zeroes the buffer's free space (128 KiB
/// by default) before every read, which was 4% of Baton's CPU under load for envelopes of 1–2
/// KiB. Larger frames still arrive whole, over several reads.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(READ_BUFFER)
}

/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// Shutdown, as the sockets see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Running,
    /// Read no more envelopes (an unread one is Slack's to redeliver elsewhere or time out), but
    /// keep writing the acks of the commands in hand. In-hand commands take milliseconds, so
    /// this lasts milliseconds.
    Draining,
    /// Write the acks already queued, close, and end.
    Stopped,
}

/// Resolves once shutdown has begun (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<Phase>) {
    let _ = stop.wait_for(|phase| *phase != Phase::Running).await;
}

/// Writes the acks already queued, then a close frame.
async fn close(
    sink: &mut futures_util::stream::SplitSink<Socket, Message>,
    queued: &mut mpsc::UnboundedReceiver<String>,
) {
    while let Ok(ack) = queued.try_recv() {
        if sink.send(Message::Text(ack.into())).await.is_err() {
            return;
        }
    }
    let _ = sink.send(Message::Close(None)).await;
}

#[derive(Debug, PartialEq, Eq)]
enum Frame {
    Hello,
    /// Slack's `disconnect`, with its reason.
    Disconnect(String),
    Other,
}

/// How a socket's life ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Slack said `hello` on it: it served, and a new one may open at once.
    Greeted,
    /// It closed or broke before `hello`.
    NotGreeted,
    /// Slack's `disconnect` refused it, with this reason.
    Refused(String),
}

/// Whether a `disconnect` refuses the socket rather than asks to replace a working one. Slack
/// sends `too_many_websockets` when the app has all the connections it allows (ten), and may
/// send it, like any `disconnect`, before `hello`. Reconnecting at once then only asks again,
/// while the old socket (kept for [`OLD_SOCKET_GRACE`] to finish its acks) still counts against
/// the limit: a loop of `apps.connections.open` calls. A refused socket is closed (at once
/// before `hello`; after `hello`, once [`REFUSED_GRACE`] has let the acks in hand out) and its
/// slot backs off as after any failure to connect.
fn refuses(reason: &str, greeted: bool) -> bool {
    reason == "too_many_websockets" || !greeted
}

/// Runs one slash command and queues its ack, with the reply as its payload. The in-flight
/// guard is dropped only once the ack is queued, so shutdown waits for it.
async fn answer<H: CommandHandler>(
    commands: Arc<Commands<H>>,
    envelope_id: String,
    command: Box<SlackCommandEvent>,
    acks: mpsc::UnboundedSender<String>,
    guard: InFlightGuard,
) {
    let reply = commands.on_command(*command).await;
    let ack = Ack {
        envelope_id: &envelope_id,
        payload: Some(reply),
    };
    send(&acks, &ack);
    drop(guard);
}

/// Queues an ack frame for the socket's writer. If the socket has gone, the ack goes with it,
/// and that is logged: Slack may redeliver the envelope on another connection (the store's dedup
/// key then makes the second delivery record nothing new and answer as the first), but if it
/// does not, the person saw an error although their command may have been carried out.
fn send(acks: &mpsc::UnboundedSender<String>, ack: &Ack<'_>) {
    match serde_json::to_string(ack) {
        Ok(frame) => {
            if acks.send(frame).is_err() {
                tracing::warn!(
                    envelope_id = ack.envelope_id,
                    "the Socket Mode connection closed before this envelope's ack could be sent"
                );
            }
        }
        Err(e) => tracing::error!(error = %e, "could not write an ack frame"),
    }
}

/// The longest `Retry-After` a socket slot obeys before asking again.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(5 * 60);

/// Why a Socket Mode connection could not be opened.
struct OpenFailure {
    /// For the log: never the URL (it holds the connection ticket).
    reason: String,
    /// How long Slack asked us to wait (a 429), if it did.
    slack_asks: Option<Duration>,
    /// Slack refused the app-level token itself (`invalid_auth`, `token_revoked`…): no retry
    /// will open a socket until whoever runs Baton replaces it.
    token_refused: Option<String>,
}

impl OpenFailure {
    fn because(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            slack_asks: None,
            token_refused: None,
        }
    }
}

/// 1 s, 2 s, 4 s, … up to [`RETRY_AT_MOST`], by consecutive failures.
fn retry_after(failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(8);
    Duration::from_secs(1u64 << exp).min(RETRY_AT_MOST)
}

/// A handshake failure in a few words: never the URL (it holds the connection ticket).
fn handshake_failure(e: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error;
    match e {
        Error::Http(response) => format!("HTTP {}", response.status().as_u16()),
        // An I/O error's text (TLS: "invalid peer certificate: UnknownIssuer") names the cause;
        // it quotes no URL.
        Error::Io(io) => io.to_string(),
        Error::Tls(_) => "TLS failed".to_owned(),
        Error::Url(_) => "unusable URL from apps.connections.open".to_owned(),
        _ => "protocol error".to_owned(),
    }
}

/// Logs where a frame stopped parsing, never what it said: serde's messages can quote values.
fn unreadable(e: &serde_json::Error, bytes: usize) {
    let kind = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not JSON",
        serde_json::error::Category::Data => "not a Socket Mode message Baton knows",
        serde_json::error::Category::Io => "unreadable",
    };
    tracing::warn!(
        kind,
        line = e.line(),
        column = e.column(),
        bytes,
        "skipped a Socket Mode message that could not be read"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_one_second_to_ten() {
        let waits: Vec<u64> = (1..=6).map(|n| retry_after(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        assert_eq!(retry_after(u32::MAX), RETRY_AT_MOST);
    }

    #[test]
    fn an_outage_is_an_error_once_it_has_lasted_five_minutes_and_only_once() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut outage = Outage::default();
        let reports: Vec<Option<u64>> = [0, 10, 299, 300, 310, 900]
            .into_iter()
            .map(|s| outage.failed(at(s)).map(|d| d.as_secs()))
            .collect();
        assert_eq!(reports, [None, None, None, Some(300), None, None]);
    }

    #[test]
    fn an_outage_after_a_connection_counts_from_its_own_first_failure() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut outage = Outage::default();
        assert_eq!(outage.failed(at(0)), None);
        assert!(outage.failed(at(400)).is_some());
        // A socket opened: the slot's next outage starts afresh.
        outage = Outage::default();
        assert_eq!(outage.failed(at(1000)), None);
        assert_eq!(outage.failed(at(1299)), None);
        assert_eq!(outage.failed(at(1300)), Some(Duration::from_secs(300)));
    }

    #[test]
    fn a_disconnect_refuses_the_socket_when_slack_has_too_many_or_has_not_said_hello() {
        // (reason, after hello?, refused?)
        let cases = [
            ("refresh_requested", true, false),
            ("warning", true, false),
            ("link_disabled", true, false),
            ("too_many_websockets", true, true),
            ("too_many_websockets", false, true),
            ("refresh_requested", false, true),
        ];
        for (reason, greeted, refused) in cases {
            assert_eq!(refuses(reason, greeted), refused, "{reason} {greeted}");
        }
    }

    #[test]
    fn a_command_ack_carries_the_envelope_id_and_the_reply() {
        let reply = SlackCommandEventResponse::new(
            SlackMessageContent::new().with_text("hello".to_owned()),
        );
        let ack = Ack {
            envelope_id: "env-1",
            payload: Some(reply),
        };
        let frame = serde_json::to_value(&ack).unwrap();
        assert_eq!(frame["envelope_id"], "env-1");
        assert_eq!(frame["payload"]["text"], "hello");
        let bare = serde_json::to_string(&Ack::bare("env-2")).unwrap();
        assert_eq!(bare, r#"{"envelope_id":"env-2"}"#);
    }

    #[test]
    fn socket_mode_messages_are_read_by_type() {
        let hello = r#"{"type":"hello","num_connections":2,"debug_info":{"host":"h"}}"#;
        assert!(matches!(
            serde_json::from_str(hello),
            Ok(Envelope::Hello {
                num_connections: Some(2)
            })
        ));
        let refresh = r#"{"type":"disconnect","reason":"refresh_requested"}"#;
        assert!(matches!(
            serde_json::from_str(refresh),
            Ok(Envelope::Disconnect { reason }) if reason == "refresh_requested"
        ));
        let button = r#"{"type":"interactive","envelope_id":"e","payload":{"type":"x"}}"#;
        assert!(matches!(
            serde_json::from_str(button),
            Ok(Envelope::Interactive { envelope_id }) if envelope_id == "e"
        ));
    }

    #[test]
    fn a_slash_command_envelope_is_read_with_its_payload_and_a_broken_one_is_refused() {
        let payload = r#"{"team_id":"T1","channel_id":"C1","user_id":"U1","command":"/handover",
            "text":"<@U2|bob> \"quoted\" \u00e9","response_url":"https://hooks.slack.com/x",
            "trigger_id":"t1","api_app_id":"A1"}"#;
        let frame = format!(
            r#"{{"envelope_id":"e1","type":"slash_commands","payload":{payload},"accepts_response_payload":true}}"#
        );
        match serde_json::from_str::<Envelope>(&frame) {
            Ok(Envelope::SlashCommands {
                envelope_id,
                payload,
            }) => {
                assert_eq!(envelope_id, "e1");
                assert_eq!(payload.command.0, "/handover");
                assert_eq!(payload.text.as_deref(), Some("<@U2|bob> \"quoted\" é"));
            }
            other => panic!("{other:?}"),
        }
        for broken in [
            r#"{"envelope_id":"e2","type":"slash_commands"}"#.to_owned(),
            format!(r#"{{"type":"slash_commands","payload":{payload}}}"#),
            r#"{"envelope_id":"e3","type":"slash_commands","payload":{"text":"no command"}}"#
                .to_owned(),
            r#"{"type":"disconnect"}"#.to_owned(),
            r#"{"envelope_id":"e4","payload":{}}"#.to_owned(),
        ] {
            let err = serde_json::from_str::<Envelope>(&broken).unwrap_err();
            assert!(err.is_data(), "{broken}: {err}");
        }
    }

    #[test]
    fn a_frame_that_is_not_a_known_message_still_yields_its_envelope_id() {
        let frame = r#"{"envelope_id":"env-9","type":"mystery","payload":{}}"#;
        assert!(serde_json::from_str::<Envelope>(frame).is_err());
        let id: EnvelopeId = serde_json::from_str(frame).unwrap();
        assert_eq!(id.envelope_id, "env-9");
    }
}
