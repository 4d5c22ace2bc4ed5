//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default given per subcommand).
//!
//! `RUST_LOG` takes `level` and `target=level` directives separated by commas, as in
//! `info,baton=debug,sqlx=warn`. This is tracing-subscriber's `Targets` filter rather than its
//! `EnvFilter`: the span and field matching `EnvFilter` adds needs a regex engine, which was
//! about 0.5 MiB of the resident binary and nothing Baton's logs use.
//!
//! Colours only on a terminal, and not when `NO_COLOR` is set: a log read from a file, a pipe or
//! journald gets plain text.

use std::io::IsTerminal;
use std::str::FromStr;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter `RUST_LOG` asks for, or `default` when it is unset, blank, or cannot be read; in
/// the last case, also what to warn once logging is up.
fn filter(rust_log: Option<&str>, default: &str) -> (Targets, Option<String>) {
    let fallback = || {
        Targets::from_str(default)
            .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
    };
    match rust_log.map(str::trim).filter(|d| !d.is_empty()) {
        None => (fallback(), None),
        Some(directives) => match Targets::from_str(directives) {
            Ok(targets) => (targets, None),
            Err(e) => (
                fallback(),
                Some(format!(
                    "RUST_LOG `{directives}` is not a log filter ({e}), so the default `{default}` \
                     applies: write levels as `info` or `info,baton=debug`"
                )),
            ),
        },
    }
}

/// Whether to colour the log: on a terminal, unless `NO_COLOR` is set to anything but "".
fn colour(terminal: bool, no_color: Option<&str>) -> bool {
    terminal && no_color.is_none_or(str::is_empty)
}

/// Installs the global subscriber. `default` applies when `RUST_LOG` is unset or invalid.
pub fn init(default: &str) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let no_color = std::env::var("NO_COLOR").ok();
    let ansi = colour(std::io::stderr().is_terminal(), no_color.as_deref());
    let (targets, unreadable) = filter(rust_log.as_deref(), default);
    // Each line names its module (`baton::slack::socket`): the names `RUST_LOG` takes.
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(ansi),
        )
        .with(targets)
        .try_init();
    if let Some(warning) = unreadable {
        tracing::warn!("{warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::level_filters::LevelFilter;

    #[test]
    fn the_log_is_coloured_only_on_a_terminal_without_no_color() {
        for (terminal, no_color, expected) in [
            (true, None, true),
            (true, Some(""), true),
            (true, Some("1"), false),
            (false, None, false),
            (false, Some("1"), false),
        ] {
            assert_eq!(
                colour(terminal, no_color),
                expected,
                "{terminal} {no_color:?}"
            );
        }
    }

    #[test]
    fn rust_log_directives_set_levels_per_target() {
        let (f, warning) = filter(Some("warn,baton=debug"), "info");
        assert_eq!(warning, None);
        assert!(f.would_enable("baton::slack", &tracing::Level::DEBUG));
        assert!(!f.would_enable("sqlx::query", &tracing::Level::INFO));
        assert!(f.would_enable("sqlx::query", &tracing::Level::WARN));
    }

    #[test]
    fn an_unset_blank_or_unreadable_rust_log_falls_back_to_the_default() {
        // (RUST_LOG, warned)
        for (rust_log, warned) in [
            (None, false),
            (Some(""), false),
            (Some("  "), false),
            (Some("baton=loud"), true),
        ] {
            let (f, warning) = filter(rust_log, "info,sqlx=warn");
            assert_eq!(f.default_level(), Some(LevelFilter::INFO), "{rust_log:?}");
            assert!(
                !f.would_enable("sqlx::query", &tracing::Level::INFO),
                "{rust_log:?}"
            );
            assert_eq!(warning.is_some(), warned, "{rust_log:?}: {warning:?}");
        }
    }
}
