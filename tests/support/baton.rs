//! The real `baton run` binary as a child process, on a temp database, pointed at a fake Slack.

use super::fake_slack::FakeSlack;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Baton {
    child: Child,
    stderr: Arc<Mutex<String>>,
    /// The thread copying the child's stderr into `stderr`: it ends when the pipe closes.
    reader: Option<std::thread::JoinHandle<()>>,
    dir: tempfile::TempDir,
}

impl Baton {
    /// Starts `baton run` against `slack` with valid tokens.
    pub fn start(slack: &FakeSlack) -> Self {
        Self::start_with(slack, &[])
    }

    /// Starts `baton run` with `overrides` on top of the defaults (`None` removes a variable).
    pub fn start_with(slack: &FakeSlack, overrides: &[(&str, Option<&str>)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir for the database");
        let db = dir.path().join("baton.db");
        // Read from the working directory unless a test sets BATON_CONFIG. Only an admin starts
        // a channel's rota, and the tests start theirs as Alice.
        std::fs::write(dir.path().join("baton.toml"), "admins = [\"U0ALICE001\"]\n")
            .expect("write the test config");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.arg("run")
            .current_dir(dir.path())
            .env_remove("BATON_CONFIG")
            .env("RUST_LOG", "info,slack_morphism=warn")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", db.display()),
            )
            .env("SLACK_APP_TOKEN", slack.app_token())
            .env("SLACK_BOT_TOKEN", slack.bot_token())
            .env("SLACK_API_URL", slack.api_url())
            .env_remove("SLACK_CONNECTIONS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in overrides {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        let mut child = cmd.spawn().expect("start the baton binary");
        let stderr = Arc::new(Mutex::new(String::new()));
        let reader = child.stderr.take().map(|mut pipe| {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    sink.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push_str(&text);
                }
            })
        });
        Self {
            child,
            stderr,
            reader,
            dir,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("baton.db")
    }

    /// Everything the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits up to `limit` for the process to exit.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Everything it wrote is read once the pipe closes, which the exit does (no
                // child of Baton's holds it open).
                if let Some(reader) = self.reader.take() {
                    let _ = tokio::task::spawn_blocking(move || reader.join()).await;
                }
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sends SIGTERM, as a service manager would.
    pub fn terminate(&self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }
}

impl Drop for Baton {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
