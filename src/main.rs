//! `baton`: run the Slack bot, try it in a local console, export a month for payroll, or back up
//! the database.

use baton::startup::{self, BackupArgs, Common, ConsoleArgs, PayReportArgs};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "baton",
    version,
    about = "On-call handovers and exact standby pay, in Slack"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect to Slack over Socket Mode and serve the slash commands (and reminders).
    Run,
    /// A local chat: type slash commands as in Slack, no workspace needed.
    Console(ConsoleArgs),
    /// Print a month of on-call pay for payroll (CSV) or for people (table).
    PayReport(PayReportArgs),
    /// Copy the database to a new file, safely while Baton runs.
    Backup(BackupArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run => {
            baton::telemetry::init("info");
            startup::run_slack(&cli.common).await
        }
        Command::Console(args) => {
            baton::telemetry::init("warn");
            startup::run_console(&cli.common, args).await
        }
        Command::PayReport(args) => {
            baton::telemetry::init("warn");
            startup::run_pay_report(&cli.common, args).await
        }
        Command::Backup(args) => {
            baton::telemetry::init("warn");
            startup::run_backup(&cli.common, args).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line that says what to fix: the cause chain, no backtrace.
            eprintln!("baton: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes as one line, "a: b: c": a cause its parent already quoted is not
/// repeated, and multi-line messages (a TOML parser's) are joined with "; ".
fn one_line(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if text.contains(part.as_str()) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}
