//! Glue: builds the engine and its adapters from the configuration for each subcommand.

use crate::commands::{Engine, EngineSettings};
use crate::config::Config;
use crate::console::{self, ConsoleDirectory, Session};
use crate::domain::ids::{ChannelId, UserId};
use crate::scheduler::ConsoleReminders;
use crate::store::SqliteStore;
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// Options every subcommand shares.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The config file (TOML). Default: ./baton.toml if it exists, else built-in defaults.
    #[arg(long, global = true, env = "BATON_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The SQLite database: a file path or a sqlite: URL; created if missing.
    #[arg(
        long = "database",
        global = true,
        env = "DATABASE_URL",
        default_value = "baton.db",
        value_name = "URL"
    )]
    pub database: String,
}

/// Reads the config and opens the store: the start of every subcommand.
pub async fn open(common: &Common) -> anyhow::Result<(Config, SqliteStore)> {
    let config = Config::load(common.config.as_deref())?;
    let store = SqliteStore::open(&common.database).await?;
    Ok((config, store))
}

/// The engine's settings from the config, with extra admins (the console user).
pub fn engine_settings(config: &Config, extra_admins: &[UserId]) -> Arc<EngineSettings> {
    let mut admins = config.admins.clone();
    admins.extend(extra_admins.iter().cloned());
    Arc::new(EngineSettings {
        timezone: config.timezone,
        admins,
        pay: config.pay.clone(),
    })
}

/// `baton console` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleArgs {
    /// Who you are (an admin for this session).
    #[arg(long, default_value = "alice", value_parser = parse_user)]
    pub user: UserId,
    /// The channel you type in.
    #[arg(long, default_value = "ops", value_parser = parse_channel)]
    pub channel: ChannelId,
}

fn parse_user(raw: &str) -> Result<UserId, String> {
    UserId::parse(raw.trim_start_matches('@')).map_err(|e| e.to_string())
}

fn parse_channel(raw: &str) -> Result<ChannelId, String> {
    ChannelId::parse(raw.trim_start_matches('#')).map_err(|e| e.to_string())
}

/// `baton console`.
pub async fn run_console(common: &Common, args: ConsoleArgs) -> anyhow::Result<()> {
    let (config, store) = open(common).await?;
    let directory = ConsoleDirectory::default();
    let settings = engine_settings(&config, std::slice::from_ref(&args.user));
    let session = Session {
        engine: Engine::new(store.clone(), directory.clone(), settings),
        directory,
        user: args.user,
        channel: args.channel,
        fixed_now: None,
    };
    let interactive = std::io::stdin().is_terminal();
    let mut out = tokio::io::stdout();
    let reminders = ConsoleReminders {
        store: store.clone(),
        settings: config.reminders.clone(),
        tz: config.timezone,
    };
    let result = console::run(session, reminders, interactive, &mut out)
        .await
        .context("console input/output failed");
    store.close().await;
    result
}
