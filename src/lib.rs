//! Baton: a Slack bot for an on-call rota — one-command handovers and exact standby pay.
//!
//! # Layout
//! - [`commands`]: the command engine — parse, authorise, decide, reply; transport-agnostic.
//! - [`domain`]: the pure core (ids, months, the pay rule, bank holidays, rotas, Slack text).
//! - [`scheduler`]: daily channel reminders — a loop that claims each post in the store, then posts.
//! - [`store`]: SQLite storage, the only place with SQL.
//! - [`slack`]: the Slack adapter (Socket Mode listener, Block Kit, Web API with retries).
pub mod commands;
pub mod config;
pub mod config_pay;
pub mod console;
pub mod domain;
pub mod report;
pub mod scheduler;
pub mod slack;
pub mod startup;
pub mod store;
pub mod telemetry;
