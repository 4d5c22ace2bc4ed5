//! The Slack adapter: the only module that knows slack-morphism.
//!
//! - [`settings`]: tokens (never printed), the Web API base URL, the number of connections.
//! - `web`: the HTTP client and the startup checks (`auth.test`, `apps.connections.open`).
//! - `socket`: the Socket Mode connections (Baton's own client; the module says why).
//! - `listener`: slash commands to [`Invocation`]s, the engine's reply in the ack.
//! - `render`: the engine's [`Reply`] as Block Kit with a plain-text fallback.
//! - [`SlackDirectory`]: the engine's user directory over `users.info`, cached.
//! - [`SlackPoster`]: posts and DMs off the ack path, with retries.
//!
//! Start with [`SlackApp::connect`] (checks the tokens), then [`SlackApp::serve`] until the
//! shutdown future resolves; [`run`] does both for `baton run`.
//!
//! [`Invocation`]: crate::commands::Invocation
//! [`Reply`]: crate::commands::Reply

mod directory;
mod listener;
mod poster;
mod render;
pub mod settings;
mod socket;
mod web;

pub use directory::{DirectorySettings, SlackDirectory};
pub use listener::{CommandHandler, ACK_BUDGET};
pub use poster::{PostError, RetryPolicy, SlackPoster};
pub use settings::{AppToken, BotToken, SettingsError, SlackSettings};
pub use web::{BotIdentity, StartupError};

use crate::commands::{Answer, Engine, EngineSettings, Invocation};
use crate::store::SqliteStore;
use listener::{Commands, InFlight};
use socket::{Phase, Sockets};
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use web::Client;

/// How long shutdown waits for commands in hand: past Slack's 3 s their acks are useless.
const DRAIN_LIMIT: Duration = Duration::from_secs(3);
/// How long shutdown then waits for the people whose answers were still coming to be told that
/// Baton stopped: one `response_url` post each.
const NOTICE_LIMIT: Duration = Duration::from_secs(2);
/// How long the sockets may take to write their last acks and close frames at shutdown.
const CLOSE_LIMIT: Duration = Duration::from_secs(1);

/// A checked connection to one workspace, ready to serve.
pub struct SlackApp {
    settings: SlackSettings,
    client: Arc<Client>,
    identity: BotIdentity,
}

impl std::fmt::Debug for SlackApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApp")
            .field("settings", &self.settings)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl SlackApp {
    /// Builds the client and checks both tokens with Slack (`auth.test`, and one
    /// `apps.connections.open` whose URL is discarded).
    pub async fn connect(settings: SlackSettings) -> Result<Self, StartupError> {
        let client = web::build_client(&settings);
        let identity = web::check_tokens(&client, &settings).await?;
        tracing::info!(
            team = %identity.team,
            team_id = %identity.team_id,
            bot_user = %identity.bot_user_id,
            "connected to Slack"
        );
        Ok(Self {
            settings,
            client,
            identity,
        })
    }

    pub fn identity(&self) -> &BotIdentity {
        &self.identity
    }

    /// The engine's user directory for this workspace.
    pub fn directory(&self) -> SlackDirectory {
        SlackDirectory::new(
            self.client.clone(),
            web::bot_token(&self.settings.bot_token),
        )
    }

    /// Posts and DMs for announcements and reminders, retrying for at most
    /// [`SlackSettings::post_retry`].
    pub fn poster(&self) -> SlackPoster {
        SlackPoster::new(
            self.client.clone(),
            web::bot_token(&self.settings.bot_token),
        )
        .with_policy(RetryPolicy {
            total: self.settings.post_retry,
            ..RetryPolicy::default()
        })
    }

    /// Serves slash commands over Socket Mode until `shutdown` resolves, then stops reading
    /// envelopes (one left unread is Slack's to redeliver elsewhere, or to time out for the
    /// person, who may retry), waits (up to 3 s) for the commands in hand and writes their acks,
    /// then up to `NOTICE_LIMIT` (2 s) for the late notices to commands it cut off, and up to
    /// `CLOSE_LIMIT` (1 s) for the sockets to close.
    pub async fn serve<H: CommandHandler>(
        self,
        handler: H,
        shutdown: impl Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let (in_flight, late) = (Arc::new(InFlight::default()), Arc::new(InFlight::default()));
        let commands = Arc::new(Commands {
            handler: Arc::new(handler),
            poster: self.poster(),
            in_flight: in_flight.clone(),
            late: late.clone(),
            ack_budget: ACK_BUDGET,
        });
        let (stop, stopped) = watch::channel(Phase::Running);
        // Every socket task holds a clone of `alive` (through `Sockets`): when the channel
        // reports closed, every socket has written its last ack and closed.
        let (alive, mut all_closed) = mpsc::channel::<()>(1);
        let (fatal_tx, mut fatal) = mpsc::channel::<String>(1);
        let sockets = Arc::new(Sockets {
            client: self.client.clone(),
            app_token: web::app_token(&self.settings.app_token),
            commands,
            stop: stopped,
            _alive: alive,
            tls: web::socket_tls()
                .map_err(|e| anyhow::anyhow!("cannot set up TLS for Socket Mode: {e}"))?,
            listening: AtomicBool::new(false),
            fatal: fatal_tx,
            connections: self.settings.connections,
        });
        let slots: Vec<_> = (0..self.settings.connections)
            .map(|slot| tokio::spawn(sockets.clone().keep_connected(slot)))
            .collect();
        drop(sockets);
        tracing::info!(
            connections = self.settings.connections,
            "opening Socket Mode connections"
        );

        // Stops on `shutdown`, or when a socket slot finds Slack refusing the app token.
        let fatal = tokio::select! {
            () = shutdown => None,
            Some(reason) = fatal.recv() => Some(reason),
        };
        tracing::info!("shutting down: finishing the commands in hand");
        let _ = stop.send(Phase::Draining);
        let left = in_flight.wait_idle(DRAIN_LIMIT).await;
        if left > 0 {
            tracing::warn!(left, "stopped with commands still in hand");
            // Those acked "still working" are told instead that Baton stopped.
            late.cut_off();
            if late.wait_idle(NOTICE_LIMIT).await > 0 {
                tracing::warn!(
                    "a late answer's person could not be told in time that Baton stopped"
                );
            }
        }
        let _ = stop.send(Phase::Stopped);
        let closed = tokio::time::timeout(CLOSE_LIMIT, async {
            for slot in slots {
                let _ = slot.await;
            }
            let _ = all_closed.recv().await;
        });
        if closed.await.is_err() {
            tracing::warn!("a Socket Mode connection did not close in time");
        }
        tracing::info!("Slack listener stopped");
        match fatal {
            Some(reason) => Err(anyhow::anyhow!(reason)),
            None => Ok(()),
        }
    }
}

impl CommandHandler for Engine<SqliteStore, SlackDirectory> {
    fn handle(&self, invocation: Invocation) -> impl Future<Output = Answer> + Send {
        Engine::answer(self, invocation)
    }
}

/// `baton run`: checks the tokens, serves the engine on `store` (and the daily reminders, when
/// configured) until `shutdown`, lets both finish what they have in hand, then closes the
/// database.
pub async fn run(
    settings: SlackSettings,
    engine_settings: Arc<EngineSettings>,
    store: SqliteStore,
    reminders: Option<crate::domain::reminders::ReminderSettings>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // One shutdown signal, seen by the startup, the listener and the scheduler.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    let on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        let _ = on_signal.send(true);
    });
    // Connecting can take minutes while Slack rate-limits it: a stop meanwhile ends it cleanly.
    let app = tokio::select! {
        app = SlackApp::connect(settings) => match app {
            Ok(app) => app,
            // Tokens Slack refused, say: the database opened beside them is closed cleanly.
            Err(e) => {
                close(&store).await;
                return Err(e.into());
            }
        },
        _ = stopped.wait_for(|stopped| *stopped) => {
            tracing::info!("stopped before Baton had connected to Slack");
            close(&store).await;
            return Ok(());
        }
    };
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    };
    let scheduler = reminders.map(|reminders| {
        tokio::spawn(crate::scheduler::run_scheduler(
            store.clone(),
            app.poster(),
            app.directory(),
            reminders,
            engine_settings.timezone,
            chrono::Utc::now,
            until_stopped(stopped.clone()),
        ))
    });
    let engine = Engine::new(store.clone(), app.directory(), engine_settings);
    let served = app.serve(engine, until_stopped(stopped)).await;
    // The listener stops on its own only when it cannot go on: the scheduler stops with it.
    let _ = stop.send(true);
    if let Some(scheduler) = scheduler {
        if let Err(e) = scheduler.await {
            tracing::error!(error = %e, "the reminder scheduler stopped abnormally");
        }
    }
    // Bounded, so that a stop fits the 10 s a supervisor gives (commands 3 s and the notices to
    // those cut off 2 s, beside reminders 5 s and the marks of those cut off 1 s; then this, 3 s:
    // 9 s in all): a write queued behind another process's lock could otherwise hold it up for
    // its busy timeout, and the next one for as long again. What is committed is safe in the
    // WAL; a write still waiting was never confirmed to anyone (its person was told that Baton
    // stopped before finishing it).
    close(&store).await;
    served
}

/// Closes the database, waiting at most [`CLOSE_AT_MOST`].
async fn close(store: &SqliteStore) {
    if tokio::time::timeout(CLOSE_AT_MOST, store.close())
        .await
        .is_err()
    {
        tracing::warn!(
            "the database was still busy at shutdown; stopping without waiting for it (every \
             confirmed handover is committed)"
        );
    }
}

/// How long a stop waits for the database's last writes and checkpoint.
const CLOSE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(3);
