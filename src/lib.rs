//! Baton: a Slack bot for an on-call rota — one-command handovers and exact standby pay.
//!
//! # Layout
//! - [`commands`]: the command engine — parse, authorise, decide, reply; transport-agnostic.
//! - [`domain`]: the pure core (ids, months, the pay rule, bank holidays, rotas, Slack text).
//! - [`store`]: SQLite storage, the only place with SQL.
pub mod commands;
pub mod config_pay;
pub mod domain;
pub mod store;
