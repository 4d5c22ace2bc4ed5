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

/// The filter `RUST_LOG` asks for, or `default` when it is unset or cannot be read.
fn filter(rust_log: Option<&str>, default: &str) -> Targets {
    rust_log
        .and_then(|directives| Targets::from_str(directives).ok())
        .or_else(|| Targets::from_str(default).ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
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
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(ansi)
                .with_target(false),
        )
        .with(filter(rust_log.as_deref(), default))
        .try_init();
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
        let f = filter(Some("warn,baton=debug"), "info");
        assert!(f.would_enable("baton::slack", &tracing::Level::DEBUG));
        assert!(!f.would_enable("sqlx::query", &tracing::Level::INFO));
        assert!(f.would_enable("sqlx::query", &tracing::Level::WARN));
    }

    #[test]
    fn an_unset_or_unreadable_rust_log_falls_back_to_the_default() {
        for rust_log in [None, Some("baton=loud")] {
            let f = filter(rust_log, "info,sqlx=warn");
            assert_eq!(f.default_level(), Some(LevelFilter::INFO), "{rust_log:?}");
            assert!(
                !f.would_enable("sqlx::query", &tracing::Level::INFO),
                "{rust_log:?}"
            );
        }
    }
}
