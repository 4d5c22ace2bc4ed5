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
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter `RUST_LOG` asks for, or `default` when it is unset, blank, or cannot be read; and
/// what to warn once logging is up (a filter that cannot be read, or one taken as written with a
/// word in it that is no level).
///
/// - Rules for modules alone, with no level for the rest (`sqlx=debug`,
///   `baton::slack=debug`), are added to the default rather than replacing it: read alone they
///   would hide every other line, Baton's errors included, which is never what is meant.
/// - "Cannot be read" includes a filter that parses but would hide Baton's own ERROR lines, unless
///   it turns Baton's lines off on purpose (`off`, `baton=off`): `Targets` reads a bare word that
///   is no level (`warning`, `infoo`, `verbose`) as a *module* to log, so everything else, errors
///   included, would be silent. Such a word beside a level that keeps Baton's errors
///   (`baton=info,warning`) is taken as written, with a warning naming it.
/// - Empty directives (`debug,`) are dropped, as they name nothing.
fn filter(rust_log: Option<&str>, default: &str) -> (Targets, Option<String>) {
    let fallback = || {
        Targets::from_str(default)
            .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
    };
    let Some(typed) = rust_log.map(str::trim).filter(|d| !d.is_empty()) else {
        return (fallback(), None);
    };
    let directives: Vec<&str> = typed
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let bare = |d: &str| !d.contains('=');
    let not_a_level = directives
        .iter()
        .find(|d| bare(d) && LevelFilter::from_str(d).is_err());
    // `baton=off` is meant as written: silence, not the default with Baton's lines left out.
    let modules_only = !directives.iter().any(|d| bare(d)) && !says_off(&directives);
    let wanted = match modules_only {
        true => format!("{default},{}", directives.join(",")),
        false => directives.join(","),
    };
    let refused = |why: String| {
        Some(format!(
            "RUST_LOG `{typed}` {why}, so the default `{default}` applies: write a level \
             (error, warn, info, debug or trace), e.g. RUST_LOG=warn, or add module rules, as \
             in RUST_LOG=info,baton::slack=debug"
        ))
    };
    match Targets::from_str(&wanted) {
        Ok(targets) if says_off(&directives) => (targets, None),
        Ok(targets) if shows_baton_errors(&targets) => {
            let caveat = not_a_level.map(|word| {
                format!(
                    "RUST_LOG `{typed}`: `{word}` is not a level, so it is read as the name of a \
                     module to log; the rest applies (the levels are error, warn, info, debug \
                     and trace)"
                )
            });
            (targets, caveat)
        }
        Ok(_) => {
            let why = match not_a_level {
                Some(word) => format!(
                    "would hide every line Baton logs, errors included (`{word}` is not a level, \
                     so it is read as the name of a module to log)"
                ),
                None => "would hide every line Baton logs, errors included (it gives no level \
                         for Baton's own modules)"
                    .to_owned(),
            };
            (fallback(), refused(why))
        }
        Err(e) => (fallback(), refused(format!("is not a log filter ({e})"))),
    }
}

/// Whether a filter lets Baton's own ERROR lines through (every module of Baton's is under
/// `baton`).
fn shows_baton_errors(targets: &Targets) -> bool {
    targets.would_enable("baton", &tracing::Level::ERROR)
}

/// Whether a directive turns Baton's own logging off on purpose: `off`, or `baton=off` (or one of
/// its modules'). Another module's `off` (`hyper=off`) says nothing of Baton's lines.
fn says_off(directives: &[&str]) -> bool {
    directives.iter().any(|d| {
        let (target, level) = d.rsplit_once('=').unwrap_or(("", d));
        let target = target.trim();
        level.trim().eq_ignore_ascii_case("off")
            && (target.is_empty() || target == "baton" || target.starts_with("baton::"))
    })
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
    // The warning about the filter must not be hidden by it (`warning,baton=error`).
    let heard = targets.would_enable(module_path!(), &tracing::Level::WARN);
    // Each line names its module (`baton::slack::socket`): the names `RUST_LOG` takes.
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(ansi),
        )
        .with(targets)
        .try_init();
    match unreadable {
        Some(warning) if heard => tracing::warn!("{warning}"),
        Some(warning) => eprintln!("baton: warning: {warning}"),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // Read by `Targets` as module names, which would silence Baton's errors.
            (Some("warning"), true),
            (Some("err"), true),
            (Some("infoo"), true),
            (Some("verbose"), true),
            (Some("???"), true),
            // Another module's `off` is no reason to hide Baton's errors.
            (Some("warning,hyper=off"), true),
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

    #[test]
    fn a_rust_log_that_would_hide_batons_errors_is_warned_about_by_value_with_a_level_to_write() {
        let (_, warning) = filter(Some("warning"), "warn");
        let warning = warning.expect("warned");
        assert!(
            warning.starts_with("RUST_LOG `warning` would hide"),
            "{warning}"
        );
        assert!(warning.contains("RUST_LOG=warn"), "{warning}");
        assert!(warning.contains("the default `warn` applies"), "{warning}");
    }

    #[test]
    fn rules_for_modules_alone_are_added_to_the_default_instead_of_hiding_everything_else() {
        const DEBUG: tracing::Level = tracing::Level::DEBUG;
        const ERROR: tracing::Level = tracing::Level::ERROR;
        const INFO: tracing::Level = tracing::Level::INFO;
        // (RUST_LOG, module, level: whether it is shown)
        let cases = [
            ("sqlx=debug", "sqlx::query", DEBUG, true),
            ("sqlx=debug", "baton::startup", INFO, true),
            ("sqlx=debug", "hyper", DEBUG, false),
            ("baton::slack=debug", "baton::slack", DEBUG, true),
            ("baton::slack=debug", "baton::store", DEBUG, false),
            ("baton::slack=debug", "baton::store", INFO, true),
            ("hyper=off", "hyper", ERROR, false),
            ("hyper=off", "baton::startup", INFO, true),
            ("hyper=off", "sqlx::query", INFO, false),
        ];
        for (rust_log, module, level, shown) in cases {
            let (f, warning) = filter(Some(rust_log), "info,sqlx=warn");
            assert_eq!(warning, None, "{rust_log:?}");
            assert_eq!(
                f.would_enable(module, &level),
                shown,
                "{rust_log:?}: {module} {level}"
            );
        }
    }

    #[test]
    fn a_word_that_is_no_level_beside_one_that_keeps_batons_errors_applies_with_a_warning() {
        let (f, warning) = filter(Some("baton=info,warning"), "warn");
        assert!(f.would_enable("baton::startup", &tracing::Level::INFO));
        let warning = warning.expect("warned");
        assert!(
            warning.starts_with("RUST_LOG `baton=info,warning`: `warning` is not a level"),
            "{warning}"
        );
    }

    #[test]
    fn a_level_with_a_trailing_comma_or_an_explicit_off_is_taken_as_written() {
        // (RUST_LOG, Baton's ERROR lines shown, Baton's DEBUG lines shown)
        for (rust_log, errors, debug) in [
            ("debug,", true, true),
            (" warn , baton=debug ", true, true),
            ("off", false, false),
            ("baton=off", false, false),
            ("info,baton=OFF", false, false),
            ("warn,baton::slack=off,baton=off", false, false),
            ("ERROR", true, false),
        ] {
            let (f, warning) = filter(Some(rust_log), "info");
            assert_eq!(warning, None, "{rust_log:?}");
            assert_eq!(
                f.would_enable("baton::startup", &tracing::Level::ERROR),
                errors,
                "{rust_log:?}"
            );
            assert_eq!(
                f.would_enable("baton::startup", &tracing::Level::DEBUG),
                debug,
                "{rust_log:?}"
            );
        }
        // Silence, as written: not added to the default, which would log other modules.
        let (f, _) = filter(Some("baton=off"), "info");
        assert!(!f.would_enable("hyper::client", &tracing::Level::INFO));
    }
}
