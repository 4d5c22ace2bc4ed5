//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default given per subcommand).

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `default` applies when `RUST_LOG` is unset or invalid.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
