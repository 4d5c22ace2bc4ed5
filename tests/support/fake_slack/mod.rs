//! A fake Slack for end-to-end tests, load and fault tests: the Web API over HTTP and Socket Mode
//! over WebSocket, on one 127.0.0.1 port, speaking Slack's documented shapes.
//!
//! ```ignore
//! let slack = FakeSlack::start().await;
//! // run the bot with SLACK_API_URL=slack.api_url(), SLACK_APP_TOKEN=slack.app_token(), ...
//! slack.wait_for_connections(2, secs(5)).await?;
//! let ack = slack.slash_command("U0ALICE01", "C0OPS0001", "/handover", "").await?;
//! ```
//!
//! Web API: `apps.connections.open` (app token; answers a `ws://` URL with a one-use ticket),
//! `auth.test`, `users.info` (from [`FakeSlack::add_user`]), `chat.postMessage`,
//! `chat.postEphemeral`, `conversations.open`, and `response_url` posts; other methods answer
//! `unknown_method`, bad tokens `invalid_auth`. Faults are queued per method with
//! [`FakeSlack::fail_next`]. Socket Mode: `hello` on connect, envelopes spread round-robin over the
//! open sockets, acks matched by `envelope_id` and timed, `disconnect` messages, close frames,
//! sockets dropped without a word or left open but silent (half-open), raw frames.
//!
//! Used from `tests/` and from `examples/` through `#[path]`; this file and its two neighbours
//! depend only on tokio, axum, serde, serde_json and thiserror.

#![allow(
    dead_code,
    reason = "shared by several binaries; each uses a part of it"
)]

mod socket;
mod web_api;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Notify};

pub use socket::RawFrame;

pub const APP_TOKEN: &str = "xapp-1-A0FAKEAPP-1-fakeapptoken";
pub const BOT_TOKEN: &str = "xoxb-1-2-fakebottoken";
pub const TEAM_ID: &str = "T0FAKETEAM";
pub const TEAM_DOMAIN: &str = "fake-workspace";
pub const APP_ID: &str = "A0FAKEAPP";
pub const BOT_USER_ID: &str = "U0BATONBOT";
pub const BOT_ID: &str = "B0BATONBOT";

/// Slack's limit for an ack; the default wait in [`FakeSlack::send_envelope`].
pub const ACK_DEADLINE: Duration = Duration::from_secs(3);

/// A fault the Web API answers with instead of doing its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After: secs` and `{"ok":false,"error":"ratelimited"}`.
    RateLimited { retry_after_secs: u64 },
    /// An HTTP error status (500, 502, 503…) with a plain-text body.
    Status(u16),
    /// HTTP 200 with `{"ok":false,"error":code}`.
    SlackError(String),
    /// Waits this long, then answers normally.
    Delay(Duration),
}

/// What happens to a channel's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelState {
    Archived,
    NotFound,
    NotInChannel,
}

/// A user as `users.info` returns it.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: String,
    pub name: String,
    pub real_name: String,
    pub is_bot: bool,
    pub deleted: bool,
}

impl FakeUser {
    pub fn person(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            real_name: name.to_owned(),
            is_bot: false,
            deleted: false,
        }
    }

    pub fn bot(id: &str, name: &str) -> Self {
        Self {
            is_bot: true,
            ..Self::person(id, name)
        }
    }

    pub fn deactivated(id: &str, name: &str) -> Self {
        Self {
            deleted: true,
            ..Self::person(id, name)
        }
    }

    /// The documented `users.info` user object.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id, "team_id": TEAM_ID, "name": self.name, "deleted": self.deleted,
            "color": "9f69e7", "real_name": self.real_name, "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time", "tz_offset": 0,
            "profile": {
                "real_name": self.real_name, "display_name": self.name,
                "real_name_normalized": self.real_name, "display_name_normalized": self.name,
                "team": TEAM_ID
            },
            "is_admin": false, "is_owner": false, "is_primary_owner": false,
            "is_restricted": false, "is_ultra_restricted": false,
            "is_bot": self.is_bot, "is_app_user": false, "updated": 1_700_000_000,
            "has_2fa": false
        })
    }
}

/// One Web API call as the fake saw it.
#[derive(Debug, Clone)]
pub struct ApiCall {
    pub method: String,
    /// HTTP status of the answer, and Slack's `error` if any.
    pub status: u16,
    pub error: Option<String>,
    pub at: Instant,
}

/// A message that reached a channel or a person (`chat.postMessage`, `chat.postEphemeral`,
/// or a `response_url` post, whose `channel` is the command's channel).
#[derive(Debug, Clone)]
pub struct Posted {
    pub method: String,
    pub channel: String,
    pub text: String,
    pub blocks: Value,
    pub body: Value,
    pub at: Instant,
}

/// A `slash_commands` envelope, as Slack sends it.
#[derive(Serialize)]
struct SlashEnvelope<'a> {
    envelope_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    payload: SlashPayload<'a>,
    accepts_response_payload: bool,
}

/// A slash command's payload, every documented field.
#[derive(Serialize)]
struct SlashPayload<'a> {
    token: &'static str,
    team_id: &'static str,
    team_domain: &'static str,
    channel_id: &'a str,
    channel_name: String,
    user_id: &'a str,
    user_name: String,
    command: &'a str,
    text: &'a str,
    api_app_id: &'static str,
    is_enterprise_install: &'static str,
    response_url: String,
    trigger_id: String,
}

/// The bot's answer to one envelope.
#[derive(Debug, Clone)]
pub struct Ack {
    pub envelope_id: String,
    /// The ack's `payload` as the bot wrote it, if it carried one (a slash command reply). Kept
    /// as text: a load run only needs [`Ack::text`] and [`Ack::response_type`], and building a
    /// tree of every reply cost the fake more CPU than the bot's parse of the envelope.
    raw_payload: Option<Box<RawValue>>,
    response_type: String,
    text: String,
    /// From sending the envelope to receiving its ack.
    pub latency: Duration,
    /// Which socket carried it (see [`FakeSlack::connection_ids`]).
    pub connection: u64,
}

impl Ack {
    /// An ack for a pending envelope, from its frame's `payload` (if any).
    pub(crate) fn new(
        envelope_id: String,
        payload: Option<&RawValue>,
        latency: Duration,
        connection: u64,
    ) -> Self {
        /// The two fields read at once, borrowed where they have no escapes.
        #[derive(Deserialize, Default)]
        struct Head<'a> {
            #[serde(borrow, default)]
            response_type: Option<Cow<'a, str>>,
            #[serde(borrow, default)]
            text: Option<Cow<'a, str>>,
        }
        let head: Head = payload
            .and_then(|p| serde_json::from_str(p.get()).ok())
            .unwrap_or_default();
        Ack {
            envelope_id,
            raw_payload: payload.map(RawValue::to_owned),
            response_type: head.response_type.map(Cow::into_owned).unwrap_or_default(),
            text: head.text.map(Cow::into_owned).unwrap_or_default(),
            latency,
            connection,
        }
    }

    /// The ack's `payload`, if it carried one (a slash command reply).
    pub fn payload(&self) -> Option<Value> {
        let raw = self.raw_payload.as_ref()?;
        serde_json::from_str(raw.get()).ok()
    }

    /// The reply text in the ack, or "" without one.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `ephemeral`, `in_channel`, or "" without one.
    pub fn response_type(&self) -> &str {
        &self.response_type
    }

    pub fn is_private(&self) -> bool {
        self.response_type() == "ephemeral"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FakeError {
    #[error("no Socket Mode connection is open")]
    NotConnected,
    #[error("envelope {0} was not acknowledged in time")]
    NotAcked(String),
    #[error("the socket carrying envelope {0} closed before the ack")]
    SocketClosed(String),
    #[error("timed out waiting for {0}")]
    Timeout(String),
}

/// What a socket task is told to do.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Frame(RawFrame),
    /// Close with a close frame.
    Close,
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Stop reading and writing, but keep the TCP connection open (until `Drop`, or the fake
    /// stops): a half-open link that only the client's pings can find out.
    Silence,
}

pub(crate) struct Connection {
    pub(crate) tx: mpsc::UnboundedSender<Outgoing>,
    pub(crate) opened: Instant,
    /// Told to `disconnect`: like Slack, send it no new envelopes.
    pub(crate) draining: bool,
}

pub(crate) struct Pending {
    pub(crate) sent: Instant,
    pub(crate) connection: u64,
    pub(crate) done: oneshot::Sender<Ack>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) users: HashMap<String, FakeUser>,
    pub(crate) channels: HashMap<String, ChannelState>,
    /// What `channel_name` says for each channel id (else the id in lower case).
    pub(crate) channel_names: HashMap<String, String>,
    pub(crate) faults: HashMap<String, VecDeque<Fault>>,
    pub(crate) calls: Vec<ApiCall>,
    /// Web API requests received, by method, counted on arrival: before any fault or
    /// [`Fault::Delay`] (whereas `calls` records each answer as it goes out).
    pub(crate) received: HashMap<String, usize>,
    pub(crate) posted: Vec<Posted>,
    pub(crate) tickets: HashSet<String>,
    pub(crate) connections: BTreeMap<u64, Connection>,
    pub(crate) pending: HashMap<String, Pending>,
    /// Acks for envelopes nobody was waiting for (unknown or duplicate ids).
    pub(crate) stray_acks: Vec<Value>,
    pub(crate) connections_opened: u64,
    pub(crate) sockets_accepted: u64,
    pub(crate) first_socket_at: Option<Instant>,
    pub(crate) next_id: u64,
    pub(crate) round_robin: usize,
    /// Sockets still to be closed right after the handshake, before `hello`.
    pub(crate) refuse_sockets: usize,
    /// The `disconnect` reason a refused socket is told before it closes, if any (Slack's
    /// `too_many_websockets`).
    pub(crate) refusal: Option<String>,
    /// Sockets made silent: out of `connections` (they take no envelopes), their TCP connection
    /// held open by a parked task, which `Outgoing::Drop` on this sender ends.
    pub(crate) silent: HashMap<u64, mpsc::UnboundedSender<Outgoing>>,
}

impl State {
    /// Open sockets that take envelopes, in id order.
    pub(crate) fn serving(&self) -> impl Iterator<Item = u64> + '_ {
        self.connections
            .iter()
            .filter(|(_, c)| !c.draining)
            .map(|(id, _)| *id)
    }
}

pub(crate) struct Inner {
    pub(crate) state: Mutex<State>,
    pub(crate) changed: Notify,
    pub(crate) addr: SocketAddr,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the state from the others.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn update<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.lock());
        self.changed.notify_waiters();
        out
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.update(|s| {
            s.next_id += 1;
            s.next_id
        })
    }
}

/// The fake Slack server. Dropping it stops the server.
pub struct FakeSlack {
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        self.server.abort();
        let state = self.inner.lock();
        for conn in state.connections.values() {
            let _ = conn.tx.send(Outgoing::Drop);
        }
        for tx in state.silent.values() {
            let _ = tx.send(Outgoing::Drop);
        }
    }
}

impl FakeSlack {
    /// Starts the server on a free 127.0.0.1 port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0 for the fake Slack");
        let addr = listener
            .local_addr()
            .expect("local address of the fake Slack");
        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            changed: Notify::new(),
            addr,
        });
        let app = axum::Router::new()
            .route("/api/{method}", axum::routing::any(web_api::method))
            .route(
                "/commands/{team}/{id}/{secret}",
                axum::routing::post(web_api::response_url),
            )
            .route("/link/", axum::routing::get(socket::upgrade))
            .with_state(inner.clone());
        let server = tokio::spawn(async move {
            // Loopback acks are small frames: without TCP_NODELAY, Nagle's algorithm can hold one
            // back behind a delayed ACK (40 ms on Linux), which no real Slack edge does.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(listener, app).await;
        });
        Self { inner, server }
    }

    /// The Web API base, as `SLACK_API_URL` takes it (no trailing slash).
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.inner.addr)
    }

    pub fn app_token(&self) -> &'static str {
        APP_TOKEN
    }

    pub fn bot_token(&self) -> &'static str {
        BOT_TOKEN
    }

    pub fn add_user(&self, user: FakeUser) {
        self.inner.update(|s| s.users.insert(user.id.clone(), user));
    }

    /// The name slash commands from `channel` carry in `channel_name`.
    pub fn name_channel(&self, channel: &str, name: &str) {
        self.inner
            .update(|s| s.channel_names.insert(channel.to_owned(), name.to_owned()));
    }

    pub fn set_channel(&self, channel: &str, state: ChannelState) {
        self.inner
            .update(|s| s.channels.insert(channel.to_owned(), state));
    }

    /// The next `times` calls of `method` (`chat.postMessage`, `apps.connections.open`,
    /// `response_url`, …) answer with `fault`, after any faults already queued.
    pub fn fail_next(&self, method: &str, fault: Fault, times: usize) {
        self.inner.update(|s| {
            let queue = s.faults.entry(method.to_owned()).or_default();
            queue.extend(std::iter::repeat_n(fault, times));
        });
    }

    pub fn api_calls(&self) -> Vec<ApiCall> {
        self.inner.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<ApiCall> {
        self.api_calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Waits until `n` requests for `method` have arrived, answered or not: one still held by a
    /// [`Fault::Delay`] counts, though it is not in [`Self::calls_to`] until answered.
    pub async fn wait_for_requests(
        &self,
        method: &str,
        n: usize,
        limit: Duration,
    ) -> Result<(), FakeError> {
        self.wait_for(&format!("{n} {method} requests"), limit, |s| {
            s.received.get(method).copied().unwrap_or(0) >= n
        })
        .await
    }

    /// Messages delivered by `chat.postMessage`, `chat.postEphemeral` and `response_url`.
    pub fn posted_messages(&self) -> Vec<Posted> {
        self.inner.lock().posted.clone()
    }

    /// Successful `apps.connections.open` calls.
    pub fn connections_opened(&self) -> u64 {
        self.inner.lock().connections_opened
    }

    /// WebSocket connections accepted since start (reconnections included).
    pub fn sockets_accepted(&self) -> u64 {
        self.inner.lock().sockets_accepted
    }

    /// When the first socket got its `hello`.
    pub fn first_socket_at(&self) -> Option<Instant> {
        self.inner.lock().first_socket_at
    }

    /// Ids of the sockets open now that take envelopes (not told to disconnect).
    pub fn connection_ids(&self) -> Vec<u64> {
        self.inner.lock().serving().collect()
    }

    /// Sockets open now that take envelopes.
    pub fn open_connections(&self) -> usize {
        self.inner.lock().serving().count()
    }

    /// Sockets open now, those told to disconnect included (silent ones not).
    pub fn open_sockets(&self) -> usize {
        self.inner.lock().connections.len()
    }

    /// Sockets made silent by [`FakeSlack::silence_all_sockets`] whose TCP connection is still
    /// held open.
    pub fn silent_sockets(&self) -> usize {
        self.inner.lock().silent.len()
    }

    /// Envelopes sent and not yet acked (nor given up on, nor lost with their socket).
    pub fn pending_envelopes(&self) -> usize {
        self.inner.lock().pending.len()
    }

    pub fn stray_acks(&self) -> Vec<Value> {
        self.inner.lock().stray_acks.clone()
    }

    /// Waits until `check` holds for the state, or `limit` passes.
    async fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        check: impl Fn(&State) -> bool,
    ) -> Result<(), FakeError> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let changed = self.inner.changed.notified();
            if check(&self.inner.lock()) {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(FakeError::Timeout(what.to_owned()));
            }
        }
    }

    /// Waits until at least `n` sockets are open.
    pub async fn wait_for_connections(&self, n: usize, limit: Duration) -> Result<(), FakeError> {
        self.wait_for(&format!("{n} open connections"), limit, |s| {
            s.serving().count() >= n
        })
        .await
    }

    /// Waits until `n` sockets have been accepted since start (counts reconnections).
    pub async fn wait_for_sockets_accepted(
        &self,
        n: u64,
        limit: Duration,
    ) -> Result<(), FakeError> {
        self.wait_for(&format!("{n} sockets accepted"), limit, |s| {
            s.sockets_accepted >= n
        })
        .await
    }

    /// Waits until `n` messages have been posted.
    pub async fn wait_for_posts(&self, n: usize, limit: Duration) -> Result<(), FakeError> {
        self.wait_for(&format!("{n} posted messages"), limit, |s| {
            s.posted.len() >= n
        })
        .await
    }

    /// A slash command payload with every documented field, a fresh `trigger_id`, and a
    /// `response_url` on this server.
    pub fn slash_payload(&self, user: &str, channel: &str, command: &str, text: &str) -> Value {
        serde_json::to_value(self.slash_fields(user, channel, command, text)).unwrap_or(Value::Null)
    }

    fn slash_fields<'a>(
        &self,
        user: &'a str,
        channel: &'a str,
        command: &'a str,
        text: &'a str,
    ) -> SlashPayload<'a> {
        let n = self.inner.next_id();
        let (user_name, channel_name) = {
            let state = self.inner.lock();
            (
                state
                    .users
                    .get(user)
                    .map(|u| u.name.clone())
                    .unwrap_or_else(|| user.to_lowercase()),
                state
                    .channel_names
                    .get(channel)
                    .cloned()
                    .unwrap_or_else(|| channel.to_lowercase()),
            )
        };
        SlashPayload {
            token: "gIkuvaNzQIHg97ATvDxqgjtO",
            team_id: TEAM_ID,
            team_domain: TEAM_DOMAIN,
            channel_id: channel,
            channel_name,
            user_id: user,
            user_name,
            command,
            text,
            api_app_id: APP_ID,
            is_enterprise_install: "false",
            response_url: format!(
                "http://{}/commands/{TEAM_ID}/{n}/r{n:016x}",
                self.inner.addr
            ),
            trigger_id: format!("{n}.{}.{n:032x}", 1_000_000 + n),
        }
    }

    /// Sends a slash command and waits for its ack.
    pub async fn slash_command(
        &self,
        user: &str,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Result<Ack, FakeError> {
        // Serialized straight from borrowed fields: the load generator sends thousands of these
        // a second, and building a `Value` tree for each cost the fake more CPU than the bot.
        let envelope_id = self.new_envelope_id();
        let mut frame = Vec::with_capacity(1024 + text.len());
        let envelope = SlashEnvelope {
            envelope_id: &envelope_id,
            kind: "slash_commands",
            payload: self.slash_fields(user, channel, command, text),
            accepts_response_payload: true,
        };
        let _ = serde_json::to_writer(&mut frame, &envelope);
        let frame = String::from_utf8(frame).unwrap_or_default();
        self.send_with_id(envelope_id, frame, ACK_DEADLINE).await
    }

    /// A `block_actions` interaction, as Slack sends a button click.
    pub fn block_actions_payload(&self, user: &str, channel: &str) -> Value {
        let n = self.inner.next_id();
        json!({
            "type": "block_actions",
            "user": {"id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": channel, "is_ephemeral": false},
            "trigger_id": format!("{n}.{}.{n:032x}", 1_000_000 + n),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "channel": {"id": channel, "name": channel.to_lowercase()},
            "response_url": format!("http://{}/commands/{TEAM_ID}/{n}/a{n:016x}", self.inner.addr),
            "actions": [{"action_id": "ack", "block_id": "b1", "text": {"type": "plain_text", "text": "Ack"},
                         "value": "ack", "type": "button", "action_ts": "1548426417.840180"}]
        })
    }

    /// An Events API `event_callback` for an `app_mention`.
    pub fn app_mention_payload(&self, user: &str, channel: &str, text: &str) -> Value {
        let n = self.inner.next_id();
        json!({
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": {"type": "app_mention", "user": user, "text": text, "ts": "1515449522.000016",
                      "channel": channel, "event_ts": "1515449522000016"},
            "type": "event_callback",
            "event_id": format!("Ev{n:010}"),
            "event_time": 1_515_449_522,
            "authorizations": [{"enterprise_id": null, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                "is_bot": true, "is_enterprise_install": false}],
            "is_ext_shared_channel": false,
            "event_context": format!("4-ctx{n}")
        })
    }

    /// Sends one envelope (`slash_commands`, `interactive`, `events_api`) to the next socket in
    /// turn and waits up to [`ACK_DEADLINE`] for its ack. `retry` adds `retry_attempt` and
    /// `retry_reason` (Events API redeliveries).
    pub async fn send_envelope(
        &self,
        kind: &str,
        payload: Value,
        accepts_response_payload: bool,
        retry: Option<(u32, &str)>,
    ) -> Result<Ack, FakeError> {
        let envelope_id = self.new_envelope_id();
        let mut envelope = json!({
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        });
        if let Some((attempt, reason)) = retry {
            envelope["retry_attempt"] = json!(attempt);
            envelope["retry_reason"] = json!(reason);
        }
        self.send_with_id(envelope_id, envelope.to_string(), ACK_DEADLINE)
            .await
    }

    fn new_envelope_id(&self) -> String {
        format!(
            "{:08x}-fake-4e2a-9d3c-{:012x}",
            self.inner.next_id(),
            rand_tail()
        )
    }

    /// Sends a frame that carries `envelope_id` exactly as given (malformed envelopes for fault
    /// tests) and waits up to `limit` for an ack of that id.
    pub async fn send_with_id(
        &self,
        envelope_id: String,
        frame: String,
        limit: Duration,
    ) -> Result<Ack, FakeError> {
        let (done, acked) = oneshot::channel();
        self.inner.update(|s| {
            let ids: Vec<u64> = s.serving().collect();
            if ids.is_empty() {
                return Err(FakeError::NotConnected);
            }
            let id = ids[s.round_robin % ids.len()];
            s.round_robin = s.round_robin.wrapping_add(1);
            let sent = Instant::now();
            s.pending.insert(
                envelope_id.clone(),
                Pending {
                    sent,
                    connection: id,
                    done,
                },
            );
            let conn = &s.connections[&id];
            conn.tx
                .send(Outgoing::Frame(RawFrame::Text(frame)))
                .map_err(|_| FakeError::SocketClosed(envelope_id.clone()))
        })?;
        match tokio::time::timeout(limit, acked).await {
            Ok(Ok(ack)) => Ok(ack),
            Ok(Err(_)) => Err(FakeError::SocketClosed(envelope_id)),
            Err(_) => {
                self.inner.update(|s| s.pending.remove(&envelope_id));
                Err(FakeError::NotAcked(envelope_id))
            }
        }
    }

    /// Sends a frame to every open socket (garbage, unknown types, binary).
    pub fn send_raw_to_all(&self, frame: RawFrame) {
        for conn in self.inner.lock().connections.values() {
            let _ = conn.tx.send(Outgoing::Frame(frame.clone()));
        }
    }

    /// Sends Slack's `disconnect` message (`refresh_requested`, `warning`, `link_disabled`) to
    /// every open socket. The sockets stay open until the client closes them, but, as at Slack,
    /// get no new envelopes.
    pub fn disconnect_all(&self, reason: &str) {
        let message = json!({
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-fake-1"}
        })
        .to_string();
        self.inner.update(|s| {
            for conn in s.connections.values_mut() {
                conn.draining = true;
                let _ = conn
                    .tx
                    .send(Outgoing::Frame(RawFrame::Text(message.clone())));
            }
        });
    }

    /// The next `n` sockets are closed right after the WebSocket handshake, before `hello`, as a
    /// Slack in trouble might.
    pub fn refuse_next_sockets(&self, n: usize) {
        self.inner.update(|s| s.refuse_sockets = n);
    }

    /// As [`Self::refuse_next_sockets`], but as Slack refuses a socket when the app has all the
    /// connections it allows: a `disconnect` with `reason` before `hello`, then the close.
    pub fn refuse_next_sockets_saying(&self, n: usize, reason: &str) {
        self.inner.update(|s| {
            s.refuse_sockets = n;
            s.refusal = Some(reason.to_owned());
        });
    }

    /// Closes every socket with a close frame.
    pub fn close_all(&self) {
        for conn in self.inner.lock().connections.values() {
            let _ = conn.tx.send(Outgoing::Close);
        }
    }

    /// Drops every socket's TCP connection without a close frame.
    pub fn drop_all_sockets(&self) {
        for conn in self.inner.lock().connections.values() {
            let _ = conn.tx.send(Outgoing::Drop);
        }
    }

    /// Makes every open socket go silent, a half-open link: the fake stops reading from it
    /// (pings go unanswered) and writing to it, but keeps the TCP connection open, so the client
    /// sees neither a close nor an error. The sockets leave the live ones at once (new envelopes
    /// go to new sockets); their connections stay open until the fake stops.
    pub fn silence_all_sockets(&self) {
        for conn in self.inner.lock().connections.values() {
            let _ = conn.tx.send(Outgoing::Silence);
        }
    }
}

/// Enough variation for envelope ids without a random-number crate.
fn rand_tail() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish() & 0xffff_ffff_ffff
}
