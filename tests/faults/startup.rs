//! Starting wrongly: each mistake is one line on stderr saying what to fix, a non-zero exit, and
//! never a panic or a backtrace. (`tests/slack/connection.rs` covers tokens Slack rejects and an
//! unreachable Slack; this file covers the rest, with backtraces switched on to prove none is
//! printed.)

use super::support::baton::Baton;
use super::support::fake_slack::FakeSlack;
use super::{database_url, workspace, WAIT};

/// Environment changes: a variable and its value, `None` to remove it.
type Overrides<'a> = &'a [(&'a str, Option<&'a str>)];

/// Runs `baton run` with `overrides` and returns its only line of output.
async fn fails_with_one_line(slack: &FakeSlack, overrides: Overrides<'_>) -> String {
    fails_leaving_database(slack, overrides).await.0
}

/// As [`fails_with_one_line`]; also whether the database file was left behind.
async fn fails_leaving_database(slack: &FakeSlack, overrides: Overrides<'_>) -> (String, bool) {
    let mut all = vec![("RUST_BACKTRACE", Some("1")), ("RUST_LOG", Some("warn"))];
    all.extend_from_slice(overrides);
    let mut baton = Baton::start_with(slack, &all);
    let status = baton.wait_exit(WAIT).await.expect("baton should exit");
    let stderr = baton.stderr();
    assert!(!status.success(), "exit status {status}: {stderr}");
    assert_eq!(status.code(), Some(1), "{stderr}");
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "at src/"] {
        assert!(!stderr.contains(bad), "{bad}: {stderr}");
    }
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {stderr}");
    assert!(lines[0].starts_with("baton: "), "{stderr}");
    assert_eq!(slack.open_sockets(), 0);
    (lines[0].to_owned(), baton.db_path().exists())
}

#[tokio::test]
async fn missing_and_malformed_settings_name_the_variable_to_fix() {
    let slack = workspace().await;
    let cases: &[(Overrides<'_>, &str)] = &[
        (&[("SLACK_BOT_TOKEN", None)], "SLACK_BOT_TOKEN is not set"),
        (
            &[("SLACK_APP_TOKEN", Some(""))],
            "SLACK_APP_TOKEN is not set",
        ),
        (
            &[("SLACK_BOT_TOKEN", Some("xoxp-1-2-user"))],
            "SLACK_BOT_TOKEN is malformed",
        ),
        (
            &[("SLACK_APP_TOKEN", Some("xapp-"))],
            "SLACK_APP_TOKEN is malformed",
        ),
        (
            &[("SLACK_API_URL", Some("slack.com/api"))],
            "SLACK_API_URL is malformed",
        ),
        (
            &[(
                "SLACK_API_URL",
                Some("https://user:password@slack.com.evil.example/api"),
            )],
            "SLACK_API_URL is malformed",
        ),
        (
            &[("SLACK_CONNECTIONS", Some("11"))],
            "SLACK_CONNECTIONS is malformed",
        ),
    ];
    for (overrides, expected) in cases {
        let line = fails_with_one_line(&slack, overrides).await;
        assert!(line.contains(expected), "{line}");
        assert!(
            !line.contains("user"),
            "the token's value is not shown: {line}"
        );
    }
    assert!(slack.api_calls().is_empty(), "nothing reached Slack");
}

#[tokio::test]
async fn an_unwritable_database_path_is_named() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().unwrap();
    // A file where a directory should be: unopenable even for root.
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let db = file.join("baton.db");
    let line = fails_with_one_line(&slack, &[("DATABASE_URL", Some(&database_url(&db)))]).await;
    assert!(
        line.contains("cannot open the database") && line.contains(&db.display().to_string()),
        "{line}"
    );
    // And what to do about it, not only SQLite's "unable to open database file".
    assert!(
        line.contains(
            "(check that the directory exists and that the user Baton runs as may write to it \
             and to the file, or point --database or DATABASE_URL elsewhere)"
        ),
        "{line}"
    );
    let line = fails_with_one_line(&slack, &[("DATABASE_URL", Some("mysql://db/baton"))]).await;
    assert!(line.contains("not a database location"), "{line}");
}

#[tokio::test]
async fn a_database_from_a_newer_baton_is_refused_untouched() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("baton.db");
    let store = baton::store::SqliteStore::open(&db.to_string_lossy())
        .await
        .unwrap();
    store.close().await;
    let pool = sqlx::SqlitePool::connect(&database_url(&db)).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (29991231000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let line = fails_with_one_line(&slack, &[("DATABASE_URL", Some(&database_url(&db)))]).await;
    assert!(
        line.contains("newer Baton") && line.contains("29991231000000"),
        "{line}"
    );
    // Nothing was changed: the future migration is still the latest.
    let pool = sqlx::SqlitePool::connect(&database_url(&db)).await.unwrap();
    let latest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(latest, 29991231000000);
    pool.close().await;
}

#[tokio::test]
async fn an_invalid_config_file_names_the_file_and_the_key() {
    let slack = workspace().await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("timezone = \"Mars/Olympus\"\n", "timezone"),
        ("[reminders]\ntime = \"9am\"\n", "reminders.time"),
        ("[slack]\nconections = 3\n", "conections"),
        ("admins = [\n", "baton.toml"),
        // A console name is a valid admin there; in Slack it would match nobody.
        ("admins = [\"alice\"]\n", "`alice` is not a Slack member id"),
        // baton.example.toml copied as it is.
        (
            "admins = [\"U0123ABCD\"]\n",
            "`U0123ABCD` is baton.example.toml's placeholder",
        ),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("baton.toml");
        std::fs::write(&path, text).unwrap();
        let (line, database) =
            fails_leaving_database(&slack, &[("BATON_CONFIG", Some(&path.to_string_lossy()))])
                .await;
        assert!(line.contains(expected), "{text:?}: {line}");
        assert!(!database, "{text:?}: a refused config created a database");
        // Checked before the tokens: a config can be put right before the Slack app exists.
        let config = path.to_string_lossy();
        let without_tokens = [
            ("BATON_CONFIG", Some(config.as_ref())),
            ("SLACK_APP_TOKEN", None),
            ("SLACK_BOT_TOKEN", None),
        ];
        let line = fails_with_one_line(&slack, &without_tokens).await;
        assert!(line.contains(expected), "{text:?} without tokens: {line}");
    }
    let missing = dir.path().join("nowhere.toml");
    let line = fails_with_one_line(
        &slack,
        &[("BATON_CONFIG", Some(&missing.to_string_lossy()))],
    )
    .await;
    assert!(line.contains("nowhere.toml"), "{line}");
    assert!(slack.api_calls().is_empty(), "nothing reached Slack");
}

#[tokio::test]
async fn a_bot_started_without_a_config_file_refuses_rather_than_run_with_no_admins() {
    let slack = workspace().await;
    // Started in a directory with no baton.toml (the wrong working directory, or a config not
    // mounted), and no --config.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .arg("run")
        .current_dir(dir.path())
        .env_remove("BATON_CONFIG")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("SLACK_API_URL", slack.api_url())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("baton: no config file"), "{stderr}");
    assert!(!dir.path().join("baton.db").exists(), "no database created");
    assert!(slack.api_calls().is_empty(), "nothing reached Slack");
}
