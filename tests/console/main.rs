//! End-to-end tests of `baton console`: the real binary, driven over stdin, on a real SQLite file
//! in a temp directory.

mod pay;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A console user's workspace: a temp dir with a database and an optional config.
struct Workspace {
    dir: tempfile::TempDir,
    config: Option<PathBuf>,
}

impl Workspace {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            config: None,
        }
    }

    fn with_config(toml: &str) -> Self {
        let mut ws = Self::new();
        let path = ws.dir.path().join("baton.toml");
        std::fs::write(&path, toml).expect("write config");
        ws.config = Some(path);
        ws
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("baton.db")
    }

    /// Runs one console session with these lines on stdin; returns (stdout, stderr, success).
    fn session(&self, args: &[&str], lines: &[&str]) -> (String, String, bool) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.arg("console")
            .args(args)
            .env("DATABASE_URL", self.db())
            .env_remove("BATON_CONFIG")
            .env_remove("RUST_LOG")
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        let mut child = cmd.spawn().expect("start baton console");
        let mut input = lines.join("\n");
        input.push('\n');
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        let out = child.wait_with_output().expect("baton console finishes");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )
    }

    fn run(&self, lines: &[&str]) -> String {
        let (stdout, stderr, ok) = self.session(&[], lines);
        assert!(ok, "console failed: {stderr}");
        stdout
    }

    /// Runs `baton pay-report` on this workspace's database; returns stdout, asserting success.
    fn report(&self, args: &[&str]) -> String {
        self.report_and_log(args).0
    }

    /// Runs `baton pay-report`, asserting success; returns stdout and stderr (its log).
    fn report_and_log(&self, args: &[&str]) -> (String, String) {
        self.report_with_log_filter(args, None)
    }

    /// As [`Self::report_and_log`], with `RUST_LOG` set to `rust_log` (else as inherited).
    fn report_with_log_filter(&self, args: &[&str], rust_log: Option<&str>) -> (String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.arg("pay-report")
            .args(args)
            .env("DATABASE_URL", self.db())
            .current_dir(self.path());
        if let Some(rust_log) = rust_log {
            cmd.env("RUST_LOG", rust_log);
        }
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        let out = cmd.output().expect("run baton pay-report");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The replies printed, one entry per reply (a reply may span lines).
fn replies(stdout: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with('[') || out.is_empty() {
            out.push(line.to_owned());
        } else if let Some(last) = out.last_mut() {
            last.push('\n');
            last.push_str(line);
        }
    }
    out
}

#[test]
fn the_console_keeps_a_database_of_its_own_beside_the_bots_unless_told_otherwise() {
    let ws = Workspace::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .arg("console")
        .env_remove("DATABASE_URL")
        .env_remove("BATON_CONFIG")
        .current_dir(ws.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start baton console");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"/handover @bob\n")
        .expect("write stdin");
    let out = child.wait_with_output().expect("baton console finishes");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Started where the bot runs, it records nothing in the bot's `baton.db`.
    assert!(ws.path().join("baton-console.db").exists());
    assert!(!ws.path().join("baton.db").exists());
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An exported DATABASE_URL (the bot's, in an operator's shell) is used, and said to be;
    // `--database` is a choice, and is not.
    let (_, stderr, ok) = ws.session(&[], &["/handover"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("the console is on DATABASE_URL's database"),
        "{stderr}"
    );
    let db = ws.db().display().to_string();
    let (_, stderr, ok) = ws.session(&["--database", &db], &["/handover"]);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn a_zone_whose_clocks_never_change_is_warned_about_but_allowed() {
    let ws = Workspace::with_config("timezone = \"GMT\"\n");
    let (out, err, ok) = ws.session(&[], &["/handover"]);
    assert!(ok, "{err}");
    assert!(out.contains("Nobody is on call"), "{out}");
    assert!(
        err.contains("timezone `GMT` never changes its clocks") && err.contains("Europe/London"),
        "{err}"
    );
    let (_, err, _) =
        Workspace::with_config("timezone = \"Europe/London\"\n").session(&[], &["/handover"]);
    assert!(!err.contains("never changes its clocks"), "{err}");
}

#[test]
fn a_new_channel_has_nobody_on_call_and_says_how_to_start() {
    let ws = Workspace::new();
    let out = ws.run(&["/handover"]);
    assert!(
        out.starts_with("[private to alice] Nobody is on call in this channel."),
        "{out}"
    );
    assert!(out.contains("An admin starts the rota"), "{out}");
    assert!(out.contains("/handover @person"), "{out}");
}

#[test]
fn the_console_takes_now_in_iso_form_and_a_command_in_any_case() {
    let ws = Workspace::new();
    let out = ws.run(&[":now 2025-03-03T09:30", "/Handover @bob"]);
    assert!(
        out.contains("[console] It is now 2025-03-03 09:30 GMT"),
        "{out}"
    );
    assert!(
        out.contains("[public in #ops] @bob is now on call here"),
        "{out}"
    );
}

#[test]
fn next_without_a_rota_offers_handing_over_by_name_only_to_whoever_may() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":as erin",
        "/handover next",
        ":as alice",
        "/handover next",
        "/handover @bob",
        ":as erin",
        "/handover next",
    ]);
    let r: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| !r.starts_with("[console]"))
        .collect();
    let no_rota = "This channel has no rota order yet, so there is no \"next\". An admin can set \
                   one with `/handover rota @a @b @c`";
    // Nobody on call and not an admin: only an admin may start it, by name or otherwise.
    assert_eq!(
        r[0],
        format!(
            "[private to erin] {no_rota} and start it with `/handover @person`. Nothing changed."
        ),
        "{out}"
    );
    // An admin, or anyone once someone holds the pager, may hand over by name.
    for (i, who) in [(1, "alice"), (3, "erin")] {
        assert_eq!(
            r[i],
            format!(
                "[private to {who}] {no_rota}, or hand over by name: `/handover @person`. \
                 Nothing changed."
            ),
            "{out}"
        );
    }
}

#[test]
fn only_an_admin_starts_a_rota_so_nobody_can_open_a_paid_one_of_their_own() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":as mallory",
        ":channel mallory-private",
        "/handover @mallory",
        "/handover @bob",
        "/oncall-pay me",
        ":as alice",
        "/handover @mallory",
        ":as mallory",
        "/oncall-pay me 2025-01",
    ]);
    let r = replies(&out);
    for refused in [&r[2], &r[3]] {
        assert!(
            refused.starts_with(
                "[private to mallory] Nobody is on call in this channel, and only an admin can \
                 start its rota"
            ),
            "{out}"
        );
    }
    // This month is not over: nothing so far. A month that is over had nothing.
    assert!(
        r[4].contains("No time on call in this month so far."),
        "{out}"
    );
    assert!(r[8].contains("No time on call in this month."), "{out}");
    assert!(
        r[6].starts_with("[public in #mallory-private] @mallory is now on call here"),
        "{out}"
    );
    // Refused before anything was looked up or stored: Bob, named only in a refused handover,
    // is not among the people Baton keeps names for.
    let conn = rusqlite::Connection::open(ws.db()).expect("open the database");
    let people: Vec<String> = conn
        .prepare("SELECT user_id FROM people ORDER BY user_id")
        .and_then(|mut q| q.query_map([], |row| row.get(0))?.collect())
        .expect("read people");
    assert_eq!(people, ["mallory"]);
}

#[test]
fn a_handover_is_announced_publicly_with_its_notes_and_survives_a_restart() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-02-03 10:02",
        "/handover @bob quiet week, db patched",
    ]);
    let r = replies(&out);
    assert!(
        r[1].starts_with("[public in #ops] @bob is now on call here"),
        "{out}"
    );
    assert!(r[1].contains("> quiet week, db patched"), "{out}");

    // A new process on the same database sees it.
    let out = ws.run(&[":now 2025-02-04 09:00", "/handover"]);
    assert!(
        out.contains("[private to alice] @bob is on call here since Mon 3 Feb, 10:02."),
        "{out}"
    );
    assert!(out.contains("> quiet week, db patched"), "{out}");
}

#[test]
fn a_handover_is_recorded_even_when_the_new_holders_name_cannot_be_stored() {
    let ws = Workspace::new();
    ws.run(&["/handover"]); // creates the database
    let db = rusqlite::Connection::open(ws.db()).expect("open the database");
    db.execute_batch(
        "CREATE TRIGGER refuse_names BEFORE INSERT ON people \
         BEGIN SELECT RAISE(ABORT, 'names refused'); END;",
    )
    .expect("add a trigger that refuses names");
    let (out, err, ok) = ws.session(&[], &["/handover @bob quiet week", "/handover"]);
    assert!(ok, "{err}");
    let r = replies(&out);
    assert!(
        r[0].starts_with("[public in #ops] @bob is now on call here"),
        "{out}"
    );
    assert!(
        r[1].starts_with("[private to alice] @bob is on call here"),
        "{out}"
    );
    assert!(
        err.contains("could not store the name") && err.contains("names refused"),
        "{err}"
    );
}

#[test]
fn the_holder_hands_over_and_the_taker_may_take_the_pager() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-02-03 10:00",
        "/handover @bob",
        ":as bob",
        ":now 2025-02-10 10:00",
        "/handover @carol over to you",
        ":as dave",
        ":now 2025-02-17 10:00",
        "/handover @dave",
    ]);
    let r = replies(&out);
    assert!(
        r.iter()
            .any(|l| l == "[public in #ops] @bob handed the pager to @carol.\n> over to you"),
        "{out}"
    );
    assert!(
        r.iter()
            .any(|l| l == "[public in #ops] @dave took the pager from @carol."),
        "{out}"
    );
}

#[test]
fn names_are_one_person_whatever_their_case_as_slack_handles_are() {
    let ws = Workspace::with_config(
        "admins = [\"Erin\"]\n[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n",
    );
    let out = ws.run(&[
        ":now 2025-02-03 10:00",
        "/handover @Bob",
        ":as BOB",
        ":now 2025-02-10 10:00",
        "/handover @carol",
        ":as erin",
        ":channel Ops",
        "/handover rota @Bob @CAROL",
    ]);
    let r = replies(&out);
    assert!(
        r.iter()
            .any(|l| l == "[public in #ops] @bob handed the pager to @carol."),
        "{out}"
    );
    assert!(
        r.iter().any(|l| l == "[console] You are now erin (admin)."),
        "{out}"
    );
    assert!(
        r.iter().any(|l| l
            .starts_with("[public in #ops] @erin set this channel's rota order: @bob → @carol\n")),
        "{out}"
    );
    let csv = ws.report(&["--month", "2025-02"]);
    assert!(csv.contains("\nbob,bob,ops,5.00,2.00,0.00,"), "{csv}");
    assert!(!csv.contains("Bob"), "{csv}");
}

#[test]
fn every_bad_input_gets_a_private_reply_and_records_nothing() {
    let ws = Workspace::new();
    let long_notes = format!("/handover @bob {}", "x".repeat(2001));
    let lines = [
        ":now 2025-02-03 10:00",
        "/handover frobnicate",
        "/handover quiet week @bob",
        "/handover #general",
        "/handover @here",
        "/handover <!subteam^S1|@dbas>",
        "/handover @deploybot",
        ":deactivate zoe",
        "/handover @zoe",
        "/handover @bo$b",
        long_notes.as_str(),
        "/oncall-pay me 2024-13",
        // Notes that start with `at` and a number, read as a time: how to keep them as notes.
        "/handover @bob at 99.9% this month",
        "/handover history",
    ];
    let out = ws.run(&lines);
    let r = replies(&out);
    let expect = [
        (12, "If `at` starts your notes, put the notes in quotes."),
        (1, "I don't understand `frobnicate`"),
        (2, "I don't understand `quiet`"),
        (3, "That is a channel"),
        (4, "are not people"),
        (5, "I don't understand"),
        (6, "@deploybot is a bot"),
        (8, "@zoe has been deactivated"),
        (9, "I don't know anyone called @bo$b"),
        (10, "Your notes are 2001 characters long"),
        (11, "2024-13"),
    ];
    for (i, text) in expect {
        assert!(
            r[i].starts_with("[private to alice]"),
            "reply {i} should be private: {}",
            r[i]
        );
        assert!(
            r[i].contains(text),
            "reply {i} should say {text:?}: {}",
            r[i]
        );
    }
    assert!(
        r.last()
            .is_some_and(|l| l.contains("No handovers have been recorded")),
        "nothing was recorded: {out}"
    );
}

#[test]
fn handing_over_to_whoever_is_already_on_call_is_refused() {
    let ws = Workspace::new();
    let out = ws.run(&["/handover @bob", "/handover @bob"]);
    assert!(
        out.contains("[private to alice] @bob is already on call here. Nothing changed."),
        "{out}"
    );
}

#[test]
fn smart_quotes_and_non_breaking_spaces_parse_as_typed() {
    let ws = Workspace::new();
    let out = ws.run(&["/handover\u{00A0}@bob\u{00A0}\u{201C}quiet week\u{201D}"]);
    assert!(
        out.contains("[public in #ops] @bob is now on call here"),
        "{out}"
    );
    assert!(out.contains("> quiet week"), "{out}");
}

#[test]
fn injected_broadcasts_in_notes_are_shown_as_typed_and_never_ping() {
    let ws = Workspace::new();
    let out = ws.run(&["/handover @bob <!channel> & <@everyone> <b>, @Here"]);
    // The console shows the text as typed, but for the invisible word joiner after the `@` of a
    // broadcast typed as a word, which keeps it from ever pinging in Slack...
    assert!(
        out.contains("> <!channel> & <@\u{2060}everyone> <b>, @\u{2060}Here"),
        "{out}"
    );
    // ...and what would go to Slack is escaped (checked in the engine's unit tests too).
    let db = ws.db();
    let notes = sqlite_notes(&db);
    assert_eq!(
        notes,
        vec!["&lt;!channel&gt; &amp; &lt;@everyone&gt; &lt;b&gt;, @Here".to_owned()]
    );
}

fn sqlite_notes(db: &Path) -> Vec<String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys;print('\\n'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('select notes from handovers order by id')))")
        .arg(db)
        .output()
        .expect("python3 reads the database");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn only_an_admin_sets_the_rota_and_next_follows_it() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-02-03 10:00",
        ":as bob",
        "/handover rota @alice @bob",
        ":as alice",
        "/handover rota @alice @bob @carol",
        "/handover next",
        "/handover rota",
        ":as alice",
        ":now 2025-02-10 10:00",
        "/handover next handing on",
    ]);
    let r = replies(&out);
    assert!(
        r[2].starts_with("[private to bob] Only an admin can set the rota order"),
        "{out}"
    );
    assert!(
        r[4].contains("set this channel's rota order: @alice → @bob → @carol"),
        "{out}"
    );
    assert!(r[5].contains("@alice is now on call here"), "{out}");
    assert!(r[6].contains("On call now: @alice. Next: @bob."), "{out}");
    assert!(
        r[9].contains("@alice handed the pager to @bob.\n> handing on"),
        "{out}"
    );
}

#[test]
fn a_new_rota_order_says_who_is_next_now_who_was_before_and_who_it_leaves_out() {
    let ws = Workspace::new();
    let out = ws.run(&[
        "/handover rota @priya @nkechi @tom",
        "/handover @priya",
        // Nkechi had been told she was next: the new order says she no longer is.
        "/handover rota @priya @tom @nkechi",
        // The same next: nothing to say.
        "/handover rota @priya @tom @nkechi @zed",
        "/handover rota @priya",
        // Someone outside the order on call: next is the order's first.
        "/handover rota @ann @bob",
        // The same order again: not news for the channel.
        "/handover rota @ann @bob",
        // `rota bob`, a name without its `@`; `rota add`, an edit: the order is typed whole.
        "/handover rota ann bob carol",
        "/handover rota add @carol",
    ]);
    let r: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| !r.starts_with("[console]"))
        .collect();
    let out = r.join("\n");
    assert_eq!(
        r[0], "[public in #ops] @alice set this channel's rota order: @priya → @nkechi → @tom",
        "{out}"
    );
    assert_eq!(
        r[2],
        "[public in #ops] @alice set this channel's rota order: @priya → @tom → @nkechi\n\
         Next after @priya: @tom (was @nkechi).",
        "{out}"
    );
    assert!(r[3].ends_with("@priya → @tom → @nkechi → @zed"), "{out}");
    // Who a new order leaves out is said: `rota @priya` meant as "add" dropped three people.
    assert!(
        r[4].ends_with(
            "\nNobody is next after @priya now (was @tom): hand over by name.\n\
             No longer in the order: @tom, @nkechi, @zed."
        ),
        "{out}"
    );
    assert!(
        r[5].ends_with("\nNext after @priya: @ann.\nNo longer in the order: @priya."),
        "{out}"
    );
    assert_eq!(
        r[6], "[private to alice] The rota order is already @ann → @bob. Nothing changed.",
        "{out}"
    );
    assert!(
        r[7].starts_with(
            "[private to alice] `ann` is not a mention. Type each person with @ and pick them \
             from the list: `/handover rota @ann @bob @carol`. Nothing changed."
        ),
        "{out}"
    );
    assert!(
        r[8].starts_with(
            "[private to alice] `/handover rota` takes the whole order, not a change to it"
        ),
        "{out}"
    );
    assert_eq!(r.len(), 9, "{out}");
}

#[test]
fn backdating_is_for_admins_and_must_fall_between_the_latest_handover_and_now() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-03-05 12:00",
        "/handover @bob at 2025-03-03 09:00",
        "/handover @carol at 2025-03-03 08:00",
        "/handover @carol at 2025-03-06 08:00",
        "/handover @carol at 2025-03-04 09:30 forgot on Tuesday",
        ":as bob",
        "/handover @dave at 2025-03-05 09:00",
        ":as alice",
        ":now 2025-03-31 12:00",
        "/handover @dave at 2025-03-30 01:30",
        // A wrong year would pay years of standby: at most 92 days back.
        "/handover @dave at 2015-03-30 09:00",
        // Counted on the local calendar: 92 days before 12:00 BST on 31 March is 12:00 GMT on
        // 29 December, though by the clock that is an hour short of 92 days.
        "/handover @dave at 2024-12-29 11:59",
        "/handover @dave at 2024-12-29 12:00",
    ]);
    let r = replies(&out);
    assert!(r[1].contains("Effective from Mon 3 Mar, 09:00"), "{out}");
    assert!(
        r[2].contains("must be later than this channel's latest one (2025-03-03 09:00 GMT)"),
        "{out}"
    );
    assert!(r[3].contains("is in the future"), "{out}");
    assert!(r[4].contains("@bob to @carol"), "{out}");
    assert!(
        r[6].starts_with("[private to bob] Only an admin can record a handover at an earlier time"),
        "{out}"
    );
    assert!(r[9].contains("does not exist in Europe/London"), "{out}");
    assert!(
        r[10].contains("2015-03-30 09:00 BST is more than 92 days ago")
            && r[10].contains("check the year"),
        "{out}"
    );
    assert!(r[11].contains("is more than 92 days ago"), "{out}");
    // Exactly 92 days is allowed, but must still be after the channel's latest handover.
    assert!(
        r[12].contains("must be later than this channel's latest one"),
        "{out}"
    );
}

#[test]
fn a_handover_typed_with_a_time_it_cannot_have_is_answered_with_what_to_do_instead() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2026-03-17 10:00",
        "/handover @bob",
        ":as bob",
        // Not an admin: told that first, rather than to add the date and then be refused.
        "/handover @carol at 02:00",
        "/handover @carol forgot yesterday, should have been from Monday 09:00",
        ":as alice",
        "/handover @carol at 02:00",
        // Bob's shift began at 10:00; an admin wanting it to begin earlier is told how.
        "/handover @bob at 2026-03-16 09:00 forgot",
        // The latest took effect this minute: there is no time to pick between it and now.
        "/handover @carol at 2026-03-17 10:00",
        // The time's own error ends as every other: with what changed.
        "/handover @carol at 2026-02-30 09:00",
        "/handover",
    ]);
    let r = replies(&out);
    assert!(
        r[3].starts_with("[private to bob] Only an admin can record a handover at an earlier time"),
        "{out}"
    );
    assert!(
        r[4].starts_with("[private to bob] `should have been from Monday 09:00` looks like a time")
            && r[4].contains("Nothing changed."),
        "{out}"
    );
    assert!(
        r[6].starts_with("[private to alice] After `at`, give the date as well as the time"),
        "{out}"
    );
    assert!(
        r[7].starts_with(
            "[private to alice] @bob is already on call here, since 2026-03-17 10:00 GMT. To record \
             that their shift began earlier, undo the handover that gave it to them \
             (`/handover undo @bob`), then record it again with `at`. Nothing changed."
        ),
        "{out}"
    );
    assert!(
        r[8].contains(
            "(2026-03-17 10:00 GMT), and not in the future; it took effect this minute, so no \
             time lies between it and now. To change when the latest one took effect instead, \
             undo it"
        ),
        "{out}"
    );
    assert!(
        r[9].contains("February 2026 has 28 days. Nothing changed."),
        "{out}"
    );
    assert!(r[10].contains("@bob"), "{out}");
    assert!(!r[10].contains("@carol"), "{out}");
}

#[test]
fn a_backdated_time_that_is_now_to_the_minute_must_still_be_after_the_latest_handover() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-03-05 12:00",
        "/handover @bob",
        // Typed with `at`, so judged as a backdate: not after Bob's 12:00, so refused, rather
        // than taken as "now" and recorded as a zero-length shift for Bob.
        "/handover @carol at 2025-03-05 12:00",
        "/handover history",
    ]);
    let r = replies(&out);
    assert!(
        r[2].contains("must be later than this channel's latest one (2025-03-05 12:00 GMT)"),
        "{out}"
    );
    assert!(
        r[3].starts_with("[private to alice] *The latest handover here*"),
        "{out}"
    );
}

#[test]
fn next_at_backdates_a_handover_to_the_next_in_the_rota_for_admins_only() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-06-02 09:00",
        "/handover rota @bob @carol",
        "/handover @bob",
        ":now 2025-06-09 12:00",
        ":as bob",
        "/handover next at 2025-06-09 09:00 forgot this morning",
        ":as alice",
        "/handover next at 2025-06-09 09:00 forgot this morning",
        "/handover",
    ]);
    let r = replies(&out);
    assert!(
        r[5].starts_with("[private to bob] Only an admin can record a handover at an earlier time"),
        "{out}"
    );
    assert!(
        r[7].starts_with("[public in #ops] @alice handed the pager from @bob to @carol."),
        "{out}"
    );
    assert!(r[7].contains("Effective from Mon 9 Jun, 09:00"), "{out}");
    // The date is when it happened, not part of the notes.
    assert!(r[7].ends_with("\n> forgot this morning"), "{out}");
    assert!(
        r[8].contains("@carol is on call here since Mon 9 Jun, 09:00"),
        "{out}"
    );
}

#[test]
fn a_time_typed_in_the_hour_the_clocks_go_back_means_the_occurrence_that_fits() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-10-26 01:30",
        "/handover @bob",
        ":now 2025-10-26 01:59",
        "/handover @carol",
        ":now 2025-10-26 02:10",
        // 01:20 BST is before Carol's 01:59 BST; 01:20 GMT, an hour later, is after it.
        "/handover @dave at 2025-10-26 01:20",
        "/handover history 1",
        // 00:50 happened once, before Carol's handover: refused as before.
        "/handover @erin at 2025-10-26 00:50",
    ]);
    let r = replies(&out);
    assert!(r[3].contains("from @bob to @carol."), "{out}");
    assert!(
        r[5].contains("Effective from Sun 26 Oct, 01:20 GMT, recorded Sun 26 Oct, 02:10."),
        "{out}"
    );
    assert!(
        r[6].contains("• 2025-10-26 01:20 GMT @carol → @dave"),
        "{out}"
    );
    assert!(
        r[7].contains("must be later than this channel's latest one"),
        "{out}"
    );
}

#[test]
fn a_zone_after_the_time_picks_either_occurrence_of_the_hour_the_clocks_go_back() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-10-26 00:10",
        "/handover @bob",
        ":now 2025-10-26 03:00",
        // 01:30 BST came first, but GMT names the second 01:30, an hour later.
        "/handover @carol at 2025-10-26 01:30 GMT rebooted the primary",
        "/handover history 1",
        "/handover @dave at 2025-10-26 02:30 BST",
    ]);
    let r = replies(&out);
    assert!(
        r[3].contains("Effective from Sun 26 Oct, 01:30 GMT"),
        "{out}"
    );
    assert!(r[3].contains("> rebooted the primary"), "{out}");
    assert!(
        r[4].contains("• 2025-10-26 01:30 GMT @bob → @carol"),
        "{out}"
    );
    assert!(
        r[5].contains("2025-10-26 02:30 in Europe/London is GMT, not BST."),
        "{out}"
    );
    assert!(
        r[5].contains("If `BST` starts your notes, put the notes in quotes."),
        "{out}"
    );
}

#[test]
fn a_time_typed_without_at_is_refused_not_recorded_now_with_the_time_as_notes() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-03-03 09:00",
        "/handover @bob",
        ":now 2025-03-10 09:00",
        "/handover @carol since 2025-03-09 09:00",
        "/handover @carol \"since 2025-03-09 09:00\"",
    ]);
    let r = replies(&out);
    assert!(
        r[3].contains("`since 2025-03-09 09:00` looks like a time, but only `at` records"),
        "{out}"
    );
    assert!(r[3].starts_with("[private to alice]"), "{out}");
    // Quoted, it is notes.
    assert!(r[4].contains("from @bob to @carol."), "{out}");
    assert!(r[4].contains("> since 2025-03-09 09:00"), "{out}");
}

#[test]
fn next_refused_for_someone_deactivated_says_how_to_go_on() {
    let ws = Workspace::new();
    let out = ws.run(&[
        "/handover rota @bob @carol @dave",
        "/handover @bob",
        "/handover",
        ":deactivate carol",
        "/handover",
        "/handover rota",
        "/handover next",
        "/handover @dave",
        // The holder leaves without handing over: paid until someone does, and said so.
        ":deactivate dave",
        "/handover",
    ]);
    let r = replies(&out);
    assert!(
        r.last().is_some_and(|status| status.contains(
            ":warning: @dave has left (their account is deactivated) but still holds the pager, \
             and is paid standby for it until someone takes it over with `/handover @person` or \
             an admin ends it with `/handover end`."
        )),
        "{out}"
    );
    // Before the handover, the status and the rota say the leaver is next, and how to fix it.
    assert!(!r[2].contains("deactivated"), "{out}");
    for shown in [&r[4], &r[5]] {
        assert!(
            shown.contains(
                ":warning: @carol is deactivated in Slack, so `/handover next` would refuse them."
            ),
            "{out}"
        );
    }
    let r = &r[3..];
    assert!(
        r[3].starts_with(
            "[private to alice] @carol has been deactivated in this workspace and cannot be on \
             call. They are next in this channel's rota order: hand over by name instead"
        ),
        "{out}"
    );
    assert!(r[3].contains("`/handover rota @a @b …`"), "{out}");
    assert!(r[4].contains("from @bob to @dave."), "{out}");
}

#[test]
fn an_admin_records_a_shift_a_leaver_held_before_they_left_with_at_and_is_told_to_end_it() {
    let ws = Workspace::with_config(
        "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n",
    );
    let out = ws.run(&[
        ":now 2026-10-05 09:00",
        "/handover @priya",
        // Sam took over on the 12th without telling Baton, and left on the 15th.
        ":now 2026-10-16 10:00",
        ":deactivate sam",
        "/handover @sam",
        ":as priya",
        "/handover @sam at 2026-10-12 10:00",
        ":as alice",
        "/handover @sam at 2026-10-12 10:00 priya forgot",
        "/handover @nkechi at 2026-10-15 17:30 sam left",
        ":now 2026-11-02 09:00",
        "/oncall-pay @sam 2026-10",
        // A bot never held the pager: no word of `at` for it.
        "/handover @baton",
        // Nor is it offered to someone who may not backdate.
        ":as nkechi",
        "/handover @sam",
    ]);
    let r: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| !r.starts_with("[console]"))
        .collect();
    let out = r.join("\n");
    // Now, a leaver cannot have the pager; the refusal says how to record their past shift.
    assert!(
        r[1].starts_with(
            "[private to alice] @sam has been deactivated in this workspace and cannot be on \
             call. Hand the pager to someone else. (To record a shift they held before they \
             left, add `at YYYY-MM-DD HH:MM`.) Nothing changed."
        ),
        "{out}"
    );
    assert!(
        r[2].contains("Only an admin can record a handover at an earlier time"),
        "{out}"
    );
    assert!(
        r[3].starts_with(
            "[public in #ops] @alice handed the pager from @priya to @sam. Effective from Mon 12 \
             Oct, 10:00, recorded Fri 16 Oct, 10:00.\n> priya forgot\n:warning: @sam has left \
             (their account is deactivated), and is paid standby from then until the next \
             handover here. Record when they left: `/handover end at YYYY-MM-DD HH:MM` (nobody \
             covered), or `/handover @person at …` (someone took over then)."
        ),
        "{out}"
    );
    assert!(r[4].contains("from @sam to @nkechi"), "{out}");
    // Mon 12 Oct 10:00 to Thu 15 Oct 17:30: 14/24 + 2 + 17.5/24 weekdays at £50.
    assert!(
        r[5].contains("Total: *£165.63* for 3.31 days on call"),
        "{out}"
    );
    assert_eq!(
        r[6],
        "[private to alice] @baton is a bot; the pager goes to a person. Hand the pager to \
         someone else. Nothing changed.",
        "{out}"
    );
    assert_eq!(
        r[7],
        "[private to nkechi] @sam has been deactivated in this workspace and cannot be on call. \
         Hand the pager to someone else. Nothing changed.",
        "{out}"
    );
}

#[test]
fn the_daily_reminder_says_the_next_person_has_left_and_sends_them_no_heads_up() {
    let ws = Workspace::with_config(
        "[reminders]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nhandover_day = \"mon\"\n",
    );
    let out = ws.run(&[
        ":now 2026-06-01 09:00",
        "/handover rota @bob @carol @dave",
        "/handover @bob",
        ":deactivate carol",
        // Friday: the heads-up day before Monday's handover.
        ":now 2026-06-05 09:30",
        ":remind",
    ]);
    assert!(
        out.contains(
            "[public in #ops] @bob is on call here, since Mon 1 Jun, 09:00. @carol, next in the \
             rota, has left (their account is deactivated)"
        ),
        "{out}"
    );
    assert!(!out.contains("[direct message to carol]"), "{out}");
}

#[test]
fn a_handover_now_cannot_follow_one_that_takes_effect_later_than_now() {
    // A clock set back (here the console's) would otherwise start Carol's shift on 10 March,
    // paying Bob until then and Carol nothing.
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-03-10 09:00",
        "/handover @bob",
        ":now 2025-03-03 09:00",
        "/handover @carol",
        "/handover",
    ]);
    let r = replies(&out);
    assert!(
        r[3].contains(
            "This channel's latest handover takes effect at 2025-03-10 09:00 GMT, later than now \
             (2025-03-03 09:00 GMT) by Baton's clock"
        ),
        "{out}"
    );
    assert!(r[3].starts_with("[private to alice]"), "{out}");
    // Bob's shift has not begun: the status says when it does, not that he is on call.
    assert!(
        r[4].contains(
            "Nobody is on call in this channel now.\n@bob takes over on Mon 10 Mar, 09:00 \
             (recorded ahead of now, by @alice)."
        ),
        "{out}"
    );
}

#[test]
fn fifty_handovers_with_long_notes_fit_in_one_slack_message() {
    let ws = Workspace::new();
    let notes = "x".repeat(1990);
    let mut lines: Vec<String> = (0..50)
        .map(|i| {
            let to = if i % 2 == 0 { "bob" } else { "carol" };
            format!("/handover @{to} {i} {notes}")
        })
        .collect();
    // More than the most shown: the latest 50, and a line that says so.
    lines.push("/handover history 100".to_owned());
    lines.push("/handover history".to_owned());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let out = ws.run(&lines);
    let r = replies(&out);
    // Without a number, the latest 10: 49 down to 40.
    let ten = &r[51];
    assert!(ten.contains("The last 10 handovers here"), "{ten}");
    assert!(
        ten.contains("_49 ") && ten.contains("_40 ") && !ten.contains("_39 "),
        "{ten}"
    );
    let history = &r[50];
    assert!(history.contains("The last 50 handovers here"), "{history}");
    assert!(
        history.contains("Baton shows at most the latest 50 handovers."),
        "{history}"
    );
    // Slack takes at most 40,000 characters of text in a message.
    assert!(
        history.chars().count() < 40_000,
        "{}",
        history.chars().count()
    );
    assert!(
        history.contains(&format!("_49 {}…_", "x".repeat(197))),
        "{history}"
    );
}

#[test]
fn undo_is_for_the_recorder_within_fifteen_minutes_or_an_admin() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-03-03 09:00",
        "/handover @bob",
        ":as bob",
        ":now 2025-03-03 10:00",
        "/handover @carol",
        ":as carol",
        "/handover undo",
        ":as bob",
        ":now 2025-03-03 10:16",
        "/handover undo",
        ":as alice",
        "/handover undo",
        "/handover",
        "/handover history",
    ]);
    let r = replies(&out);
    assert!(
        r[6].contains("Only @bob (who recorded the latest handover) or an admin can undo it"),
        "{out}"
    );
    assert!(r[9].contains("more than 15 minutes ago"), "{out}");
    assert!(
        r[11].starts_with("[public in #ops] @alice undid the handover from @bob to @carol"),
        "{out}"
    );
    assert!(r[11].contains("@bob is on call again"), "{out}");
    assert!(!r[11].contains("already over"), "same month: {out}");
    assert!(r[12].contains("@bob is on call here since"), "{out}");
    assert!(r[13].contains("~undone~ by @alice"), "{out}");
}

#[test]
fn changes_to_pay_in_months_already_over_are_named_and_a_plain_undo_of_one_is_refused() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-01-06 09:00",
        "/handover @bob",
        ":now 2025-01-20 09:00",
        "/handover @carol",
        // Nobody touches the channel for months; then a plain undo would move them all to bob.
        ":now 2025-09-01 10:00",
        "/handover undo",
        "/handover undo @carol",
        // A backdate into last month says which month's pay it changes.
        ":now 2025-10-01 09:00",
        "/handover @dave at 2025-09-30 17:00",
    ]);
    let r = replies(&out);
    assert!(
        r[5].starts_with("[private to alice] The latest handover here gave the pager to @carol"),
        "{out}"
    );
    assert!(
        r[5].contains(
            "undoing it changes pay for January 2025 to August 2025, already over, which \
             payroll may have paid. To undo it all the same, type `/handover undo @carol`. \
             Nothing changed."
        ),
        "{out}"
    );
    assert!(
        r[6].starts_with("[public in #ops] @alice undid the handover from @bob to @carol"),
        "{out}"
    );
    assert!(
        r[6].contains(
            "This changes pay for January 2025 to August 2025, already over: if payroll has paid \
             it, run `baton pay-report` again for each month"
        ),
        "{out}"
    );
    assert!(
        r[8].contains(
            "This changes pay for September 2025, already over: if payroll has paid it, run \
             `baton pay-report` again and settle the difference."
        ),
        "{out}"
    );
}

#[test]
fn a_second_undo_must_name_the_person_before_it_reaches_back_and_retyping_that_does_nothing() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2025-06-02 09:00",
        "/handover @bob",
        ":now 2025-06-09 09:00",
        "/handover @carol",
        "/handover @dave",
        "/handover undo",
        "/handover undo",
        "/handover undo @carol",
        // Retyped after a slow reply: the latest handover in force is Bob's now.
        "/handover undo @carol",
        "/handover",
        "/handover history",
        ":as carol",
        "/handover undo",
    ]);
    let r = replies(&out);
    assert!(
        r[5].contains("undid the handover from @carol to @dave"),
        "{out}"
    );
    assert!(
        r[6].starts_with(
            "[private to alice] The newest handover here, to @dave (effective Mon 9 Jun, \
             09:00), was already undone by @alice at Mon 9 Jun, 09:00. The latest handover \
             still in force gave the pager to @carol (effective Mon 9 Jun, 09:00); to undo that \
             one too, type `/handover undo @carol`. Nothing changed."
        ),
        "{out}"
    );
    assert!(
        r[7].contains("undid the handover from @bob to @carol"),
        "{out}"
    );
    assert!(
        r[8].starts_with(
            "[private to alice] The latest handover here gave the pager to @bob (effective Mon \
             2 Jun, 09:00), not to @carol, and only the latest can be undone: `/handover \
             history` shows what was recorded and what was undone already. Nothing changed."
        ),
        "{out}"
    );
    assert!(
        r[9].contains("@bob is on call here since Mon 2 Jun"),
        "{out}"
    );
    assert_eq!(r[10].matches("~undone~").count(), 2, "{out}");
    // Carol may not undo Bob's handover, so she is not offered it.
    assert!(r[12].contains("was already undone"), "{out}");
    assert!(!r[12].contains("/handover undo @"), "{out}");
    // `undo end` where the latest gave the pager to someone: said the other way round.
    let out = ws.run(&[":now 2025-06-09 10:00", "/handover undo end"]);
    assert!(
        out.contains(
            "[private to alice] The latest handover here gave the pager to @bob (effective Mon 2 \
             Jun, 09:00); it did not end standby, and only the latest can be undone"
        ),
        "{out}"
    );
}

#[test]
fn a_bad_config_stops_startup_with_one_line_naming_the_key() {
    let ws = Workspace::with_config("timezone = \"Mars/Olympus\"\n");
    let (stdout, stderr, ok) = ws.session(&[], &["/handover"]);
    assert!(!ok);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("timezone: `Mars/Olympus` is not an IANA time zone name"),
        "{stderr}"
    );
    assert!(!ws.db().exists(), "a bad config creates no database");
}

#[test]
fn remind_posts_todays_reminder_once_in_each_channel_with_someone_on_call() {
    let ws = Workspace::with_config(
        "[reminders]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n",
    );
    let out = ws.run(&[
        "/handover @bob disk at 80% <!here>",
        ":channel web",
        "/handover @carol",
        ":channel empty",
        ":remind",
        ":remind",
    ]);
    let r = replies(&out);
    let posts: Vec<&String> = r.iter().filter(|l| l.starts_with("[public in #")).collect();
    // The two handovers, then one reminder per channel with someone on call, and no more.
    assert_eq!(posts.len(), 4, "{out}");
    assert!(
        posts[2].starts_with("[public in #ops] @bob is on call here, since"),
        "{out}"
    );
    assert!(posts[2].contains("> disk at 80% <!here>"), "{out}");
    assert!(
        posts[3].starts_with("[public in #web] @carol is on call here, since"),
        "{out}"
    );
    assert!(
        r.last().is_some_and(|l| l.contains("No reminders are due")),
        "{out}"
    );
}

#[test]
fn only_an_admin_ends_standby_and_then_nobody_is_on_call_or_paid_until_an_admin_starts_again() {
    let ws = Workspace::with_config(
        "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n",
    );
    let out = ws.run(&[
        ":now 2025-06-02 09:00",
        "/handover @bob",
        ":now 2025-06-04 09:00",
        ":as carol",
        "/handover end",
        // On call, but not an admin: a new engineer's "end my week" meant `next`.
        ":as bob",
        "/handover end my week is done",
        ":as alice",
        "/handover end moving to the new rota",
        ":as bob",
        "/handover",
        ":as alice",
        "/handover end",
        ":as bob",
        "/handover @bob",
        "/handover history",
        ":as alice",
        ":now 2025-07-01 09:00",
        "/oncall-pay @bob 2025-06",
        "/handover undo @bob",
        "/handover undo end",
        "/handover",
        "/handover end at 2025-06-30 18:00 rota retired",
    ]);
    let r: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| !r.starts_with("[console]"))
        .collect();
    let out = r.join("\n");
    for refused in [&r[1], &r[2]] {
        assert!(
            refused.ends_with(
                "Only an admin can end standby here: it leaves nobody on call in this channel. \
                 To pass the pager on, use `/handover next` or `/handover @person`. Nothing \
                 changed."
            ),
            "{out}"
        );
    }
    assert!(
        r[3].starts_with(
            "[public in #ops] @alice ended @bob's standby here: nobody is on call in this \
             channel now, and nobody is paid for it. An admin starts the rota again with \
             `/handover @person`, or, if this was a mistake, undoes it with `/handover undo \
             end`.\n\
             > moving to the new rota"
        ),
        "{out}"
    );
    assert!(
        r[4].starts_with(
            "[private to bob] Nobody is on call in this channel: @alice ended standby at Wed 4 \
             Jun, 09:00."
        ),
        "{out}"
    );
    assert!(r[5].contains("there is no standby to end"), "{out}");
    assert!(r[6].contains("only an admin can start its rota"), "{out}");
    assert!(
        r[7].contains("• 2025-06-04 09:00 BST @bob → nobody (standby ended)"),
        "{out}"
    );
    // Mon 2 from 09:00 to Wed 4 at 09:00: 2 weekdays at £50, and nothing after.
    assert!(
        r[8].contains("Total: *£100.00* for 2.00 days on call"),
        "{out}"
    );
    // `undo @bob` is not what the latest did; `undo end` is, and names the month it changes.
    assert!(
        r[9].contains(
            "The latest handover here ended standby (effective Wed 4 Jun, 09:00); it did not give \
             the pager to @bob, and only the latest can be undone"
        ),
        "{out}"
    );
    assert!(
        r[10].starts_with(
            "[public in #ops] @alice undid the end of standby (effective Wed 4 Jun, 09:00). @bob \
             is on call again, since Mon 2 Jun, 09:00. This changes pay for June 2025"
        ),
        "{out}"
    );
    assert!(
        r[11].contains("@bob is on call here since Mon 2 Jun, 09:00"),
        "{out}"
    );
    // An admin may end it at an earlier time, as with any handover.
    assert!(
        r[12].starts_with("[public in #ops] @alice ended @bob's standby here:"),
        "{out}"
    );
    assert!(r[12].contains("Effective from Mon 30 Jun, 18:00"), "{out}");
}

#[test]
fn the_daily_reminder_skips_a_channel_whose_standby_ended() {
    let ws = Workspace::with_config(
        "[reminders]\ntime = \"09:00\"\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n",
    );
    let out = ws.run(&[
        ":now 2025-06-02 08:00",
        "/handover @bob",
        ":channel web",
        "/handover @carol",
        "/handover end",
        ":now 2025-06-02 09:00",
        ":remind",
    ]);
    assert!(
        out.contains("[public in #ops] @bob is on call here"),
        "{out}"
    );
    assert!(!out.contains("[public in #web] @carol is on call"), "{out}");
}

#[test]
fn the_handover_day_post_says_it_is_due_only_until_it_is_done_and_skips_bank_holidays() {
    let ws = Workspace::with_config(
        "[reminders]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nhandover_day = \"mon\"\n",
    );
    let out = ws.run(&[
        // Monday 25 May 2026 is the spring bank holiday; Tuesday 26 May is its first morning.
        ":channel web",
        ":now 2026-05-18 09:00",
        "/handover rota @erin @frank",
        "/handover @erin",
        // #db hands over early, on the Friday afternoon, because Monday is a bank holiday.
        ":channel db",
        "/handover rota @gil @hal",
        "/handover @gil",
        ":now 2026-05-22 17:00",
        "/handover next early: Monday is a bank holiday",
        ":channel web",
        ":now 2026-05-25 09:30",
        ":remind",
        ":now 2026-05-26 09:30",
        ":remind",
        ":channel ops",
        ":now 2026-06-01 09:00",
        "/handover rota @bob @carol @dave",
        "/handover @bob",
        // Monday 8 June: Carol takes over at 08:00, before the 09:00 reminder.
        ":now 2026-06-08 08:00",
        ":as bob",
        "/handover next",
        ":now 2026-06-08 09:00",
        ":remind",
    ]);
    let r = replies(&out);
    let monday = r
        .iter()
        .find(|l| l.starts_with("[public in #ops] @carol is on call here"))
        .unwrap_or_else(|| panic!("no reminder for #ops: {out}"));
    assert!(
        !monday.contains("due"),
        "Carol was told to hand over again: {monday}"
    );
    assert!(monday.contains("Next in the rota: @dave."), "{monday}");
    assert!(
        r.iter()
            .any(|l| l.contains("No reminders are due") && l.contains("a bank holiday")),
        "the bank holiday posted: {out}"
    );
    assert!(
        r.iter()
            .any(|l| l.starts_with("[public in #web] @erin is on call here")
                && l.contains("The handover was due on Monday: @erin, hand the pager to @frank")),
        "{out}"
    );
    let db = r
        .iter()
        .find(|l| l.starts_with("[public in #db] @hal is on call here"))
        .unwrap_or_else(|| panic!("no reminder for #db: {out}"));
    assert!(
        !db.contains("due"),
        "Hal, who took over early, was nagged: {db}"
    );
}

#[test]
fn on_the_day_the_clocks_go_forward_handovers_are_recorded_listed_and_paid_in_local_time() {
    let ws = Workspace::with_config(
        "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n",
    );
    let out = ws.run(&[
        ":now 2025-03-30 00:50",
        "/handover @bob",
        ":now 2025-03-30 03:00",
        "/handover @carol at 2025-03-30 02:00",
        "/handover history",
        ":now 2025-04-01 09:00",
        "/oncall-pay @bob 2025-03",
    ]);
    let r = replies(&out);
    assert!(
        r[3].contains("Effective from Sun 30 Mar, 02:00, recorded Sun 30 Mar, 03:00."),
        "{out}"
    );
    assert!(
        r[4].contains("• 2025-03-30 02:00 BST @bob → @carol")
            && r[4].contains("• 2025-03-30 00:50 GMT nobody → @bob"),
        "{out}"
    );
    // 00:50 GMT to 02:00 BST is ten minutes: 600 s of the 82,800-second Sunday at £75, 54p.
    assert!(r[6].contains("Total: *£0.54*"), "{out}");
}

#[test]
fn the_backdating_limit_counts_local_days_across_the_clocks_going_back() {
    let ws = Workspace::new();
    // 92 local days before 12:00 GMT on 25 January is 12:00 BST on 25 October: an hour more
    // than 92 days of real time, and still allowed; a minute before it is not.
    let out = ws.run(&[
        ":now 2026-01-25 12:00",
        "/handover @bob at 2025-10-25 11:59",
        "/handover @bob at 2025-10-25 12:00",
    ]);
    let r = replies(&out);
    assert!(r[1].contains("is more than 92 days ago"), "{out}");
    assert!(
        r[2].starts_with("[public in #ops] @bob is now on call here"),
        "{out}"
    );
}

#[test]
fn standby_ended_on_either_clock_change_day_pays_to_the_instant_and_next_carries_on() {
    let ws = Workspace::with_config(
        "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n",
    );
    let out = ws.run(&[
        ":now 2025-03-29 00:00",
        "/handover rota @bob @carol @dave",
        "/handover @bob",
        // 02:30 BST on the 23-hour Sunday: 01:30 UTC.
        ":now 2025-03-30 02:30",
        "/handover end",
        ":now 2025-04-01 09:00",
        "/oncall-pay @bob 2025-03",
        ":channel web",
        ":now 2025-10-25 00:00",
        "/handover @carol",
        // The second 01:30 on the 25-hour Sunday: 01:30 UTC.
        ":now 2025-10-27 09:00",
        "/handover end at 2025-10-26 01:30 GMT",
        ":now 2025-11-01 09:00",
        "/oncall-pay @carol 2025-10",
        "/handover next",
    ]);
    let r = replies(&out);
    // Sat 29 all day, then 01:30 of the Sunday's 82,800 s: 75 + 5400/82800 × 75 = 79.89.
    assert!(r[6].contains("Total: *£79.89*"), "{out}");
    assert!(
        r[11].contains("Effective from Sun 26 Oct, 01:30 GMT"),
        "{out}"
    );
    // Sat 25 all day, then 00:00 BST (23:00 UTC) to 01:30 GMT: 2.5 h of the 90,000 s Sunday.
    // 75 + 9000/90000 × 75 = 82.50.
    assert!(r[13].contains("Total: *£82.50*"), "{out}");
    // web has no rota order: next there is refused; ops's order carries on after bob.
    assert!(r[14].contains("no rota order yet"), "{out}");
    let out = ws.run(&[":now 2025-11-01 09:05", "/handover", "/handover next"]);
    let r = replies(&out);
    assert!(
        r[1].contains("Nobody is on call in this channel: @alice ended standby"),
        "{out}"
    );
    assert!(
        r[1].contains("or `/handover next` (next in the rota: @carol)."),
        "{out}"
    );
    assert!(
        r[2].starts_with("[public in #ops] @carol is now on call here, where nobody was."),
        "{out}"
    );
}

#[test]
fn next_and_rota_refusals_say_why_and_change_nothing() {
    let ws = Workspace::new();
    let out = ws.run(&[
        "/handover @bob",
        "/handover next",
        "/handover rota @bob @carol @bob",
        "/handover rota @bob",
        "/handover next",
        "/handover",
    ]);
    let r = replies(&out);
    assert!(r[1].contains("This channel has no rota order yet"), "{out}");
    assert!(
        r[2].contains("@bob is in the list twice; each person appears once in the rota order."),
        "{out}"
    );
    assert!(
        r[3].starts_with("[public in #ops] @alice set this channel's rota order: @bob"),
        "{out}"
    );
    assert!(
        r[4].contains("The rota order has only the person on call in it"),
        "{out}"
    );
    assert!(r[5].contains("@bob is on call here since"), "{out}");
}

#[test]
fn baton_backup_writes_a_copy_the_reports_read_alike_and_never_overwrites_one() {
    let ws = Workspace::with_config(
        "[pay]\nweekday = \"50.00\"\nweekend = \"75.00\"\nbank_holiday = \"100.00\"\n",
    );
    ws.run(&[
        ":now 2025-03-03 09:00",
        "/handover @bob",
        ":now 2025-03-10 09:00",
        "/handover @carol",
    ]);
    let backup = |to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(["backup", "--to"])
            .arg(to)
            .env("DATABASE_URL", ws.db())
            .current_dir(ws.path())
            .output()
            .expect("run baton backup")
    };
    let copy = ws.path().join("copy.db");
    let out = backup(&copy);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("(2 handovers)") && said.contains("To restore"),
        "{said}"
    );
    // The copy reads as the database does.
    let month = ["--month", "2025-03"];
    let original = ws.report(&month);
    let restored = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.arg("pay-report")
            .args(month)
            .arg("--config")
            .arg(ws.config.as_ref().expect("config"))
            .env("DATABASE_URL", &copy)
            .current_dir(ws.path());
        let out = cmd.output().expect("run baton pay-report");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(restored, original);
    assert!(original.contains("bob"), "{original}");
    // A second backup to the same file is refused, and the first is left as it was.
    let before = std::fs::read(&copy).unwrap();
    let out = backup(&copy);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.starts_with("baton: cannot back up to"), "{said}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    // Nor is a backup written where SQLite keeps the database's own files, which the next
    // Baton to open it would truncate or delete.
    for own in ["baton.db-wal", "baton.db-journal"] {
        let before = std::fs::read(ws.path().join(own)).ok();
        let out = backup(Path::new(own));
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{own}: {said}");
        assert!(said.contains("the database's own file"), "{own}: {said}");
        assert_eq!(std::fs::read(ws.path().join(own)).ok(), before, "{own}");
    }
}

/// `files` in the workspace made unwritable for the user the next console runs as: owned by
/// another user (as a `pay-report` run by someone else leaves a database's -wal and -shm) when
/// the tests run as root, which may write any file, and read-only otherwise. Returns how to run
/// that console.
#[cfg(unix)]
fn not_writable(ws: &Workspace, files: &[&str]) -> Command {
    use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
    let files: Vec<PathBuf> = files.iter().map(|f| ws.path().join(f)).collect();
    for file in &files {
        assert!(file.exists(), "{} is missing", file.display());
    }
    let mut console = Command::new(env!("CARGO_BIN_EXE_baton"));
    let root = std::fs::metadata(ws.db()).expect("database").uid() == 0;
    if root {
        // The console runs as `nobody`, who owns the directory and the database; `files`
        // belong to a third user.
        const NOBODY: u32 = 65534;
        for file in [ws.path().to_path_buf(), ws.db()] {
            chown(&file, Some(NOBODY), Some(NOBODY)).expect("chown to nobody");
        }
        for file in &files {
            chown(file, Some(12345), Some(12345)).expect("chown to another user");
        }
        // The build's directory may be closed to `nobody` (a clone in `mktemp -d`): the
        // binary is run from the workspace, linked there (or copied, across filesystems).
        let baton = ws.path().join("baton");
        std::fs::hard_link(env!("CARGO_BIN_EXE_baton"), &baton)
            .or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_baton"), &baton).map(drop))
            .expect("put baton in the workspace");
        console = Command::new("setpriv");
        console
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&baton);
    }
    for file in &files {
        let mode = if root { 0o644 } else { 0o444 };
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    console
        .arg("console")
        .arg("--database")
        .arg(ws.db())
        .env_remove("BATON_CONFIG")
        .current_dir(ws.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    console
}

/// Runs `console` with one handover typed; returns (stdout, stderr, exit code).
#[cfg(unix)]
fn hand_over_once(mut console: Command) -> (String, String, Option<i32>) {
    let mut child = console
        .spawn()
        .expect("start baton console (as root, through setpriv, from util-linux)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"/handover @carol\n")
        .expect("write stdin");
    let out = child.wait_with_output().expect("baton console finishes");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[cfg(unix)]
#[test]
fn a_database_whose_wal_this_user_may_not_write_is_refused_at_start_not_at_each_handover() {
    let ws = Workspace::new();
    ws.run(&["/handover @bob"]);
    // A report reads the database as it is in use, and leaves its -wal and -shm behind.
    ws.report(&["--month", "2025-03", "--format", "table"]);
    let console = not_writable(&ws, &["baton.db-wal", "baton.db-shm"]);
    let (stdout, stderr, code) = hand_over_once(console);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("this user may not write its") && stderr.contains("baton.db-wal"),
        "{stderr}"
    );
    assert!(!stdout.contains("carol"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn a_database_this_user_may_only_read_is_refused_at_start_with_what_to_fix() {
    let ws = Workspace::new();
    ws.run(&["/handover @bob"]);
    let console = not_writable(&ws, &["baton.db"]);
    let (stdout, stderr, code) = hand_over_once(console);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("the file is read-only for this user")
            && stderr.contains("give the user Baton runs as write access"),
        "{stderr}"
    );
    assert!(!stdout.contains("carol"), "{stdout}");
}

#[test]
fn a_directory_or_a_damaged_file_as_the_database_is_refused_with_what_to_do() {
    let ws = Workspace::new();
    ws.run(&["/handover @bob"]);
    let whole = std::fs::read(ws.db()).unwrap();
    let damaged = ws.path().join("damaged.db");
    std::fs::write(&damaged, &whole[..whole.len() / 2]).unwrap();
    let directory = ws.path().join("dir.db");
    std::fs::create_dir(&directory).unwrap();
    let cases = [
        (&directory, "it is a directory: point --database"),
        (
            &damaged,
            "the file is damaged: stop Baton and restore the latest copy",
        ),
    ];
    for (path, hint) in cases {
        for command in [
            &["console"][..],
            &["pay-report", "--month", "2025-03", "--format", "table"],
            &["backup", "--to", "copy.db"],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_baton"))
                .args(command)
                .env("DATABASE_URL", path)
                .env_remove("BATON_CONFIG")
                .current_dir(ws.path())
                .stdin(Stdio::null())
                .output()
                .expect("run baton");
            let said = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{command:?} on {path:?}: {said}"
            );
            assert!(said.contains(hint), "{command:?} on {path:?}: {said}");
            if *path == directory {
                assert!(!said.contains("chmod 600"), "{command:?}: {said}");
            }
        }
    }
}

#[test]
fn a_database_that_cannot_be_used_is_refused_before_any_warning_about_it() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let text = ws.path().join("notdb.db");
    std::fs::write(&text, "not a database, just notes\n").unwrap();
    std::fs::set_permissions(&text, std::fs::Permissions::from_mode(0o644)).unwrap();
    let blank = ws.path().join(" ");
    // A config Baton warns about (UK bank holidays on New York's dates): said only of a
    // database that opens.
    let config = ws.path().join("ny.toml");
    std::fs::write(&config, "timezone = \"America/New_York\"\n").unwrap();
    // (DATABASE_URL, --database, what the refusal says, what must not come before it)
    let cases = [
        (
            Some(" "),
            None,
            "is not a database location",
            "the console is on DATABASE_URL's database",
        ),
        (None, Some(&text), "is not a Baton database", "chmod 600"),
    ];
    for (env, flag, refused, not_said) in cases {
        let mut console = Command::new(env!("CARGO_BIN_EXE_baton"));
        console
            .arg("console")
            .arg("--config")
            .arg(&config)
            .env_remove("BATON_CONFIG")
            .env_remove("DATABASE_URL")
            .current_dir(ws.path())
            .stdin(Stdio::null());
        if let Some(env) = env {
            console.env("DATABASE_URL", env);
        }
        if let Some(flag) = flag {
            console.arg("--database").arg(flag);
        }
        let out = console.output().expect("run baton console");
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{env:?} {flag:?}: {said}");
        assert!(said.contains(refused), "{env:?} {flag:?}: {said}");
        assert!(!said.contains(not_said), "{env:?} {flag:?}: {said}");
        assert!(!said.contains("outside the UK"), "{env:?} {flag:?}: {said}");
    }
    // Nor does the payroll report warn before refusing a database that is not there.
    let out = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["pay-report", "--month", "2026-03", "--format", "table"])
        .arg("--config")
        .arg(&config)
        .arg("--database")
        .arg(ws.path().join("missing.db"))
        .env_remove("BATON_CONFIG")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run baton pay-report");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("there is no database"), "{said}");
    assert!(!said.contains("outside the UK"), "{said}");
    // Nothing was made of either.
    assert!(!blank.exists());
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "not a database, just notes\n"
    );
}

#[test]
fn the_pretend_clock_stays_within_the_years_pay_can_be_reported_for() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 1970-01-01 00:00",
        ":now 2200-01-01 00:00",
        "/handover @bob",
    ]);
    let r = replies(&out);
    assert!(
        r[0].contains("1970 is outside the years Baton handles (2000 to 2199)")
            && r[1].contains("2200 is outside the years"),
        "{out}"
    );
    // Still the real clock: the handover is recorded now, in a year reports cover.
    assert!(
        r[2].starts_with("[public in #ops] @bob is now on call"),
        "{out}"
    );
}

#[test]
fn consoles_started_at_once_on_a_new_database_all_open_it() {
    // Before, the loser of the race to create the schema stopped with "table handovers
    // already exists" (about one start in seven, two at a time).
    for round in 0..6 {
        let ws = Workspace::new();
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
                    .arg("console")
                    .env("DATABASE_URL", ws.db())
                    .env_remove("BATON_CONFIG")
                    .current_dir(ws.path())
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start baton console");
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(b"/handover\n")
                    .expect("write stdin");
                child
            })
            .collect();
        for child in starts {
            let out = child.wait_with_output().expect("baton console finishes");
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {said}");
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("Nobody is on call"),
                "round {round}"
            );
        }
    }
}

#[test]
fn a_file_uri_is_refused_as_a_database_or_backup_path_before_any_file_is_made() {
    let ws = Workspace::new();
    ws.run(&["/handover @bob"]);
    let (_, stderr, ok) = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        let out = cmd
            .args(["console", "--database", "file:uri.db"])
            .current_dir(ws.path())
            .stdin(Stdio::null())
            .output()
            .expect("run baton console");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )
    };
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("starts with `file:`"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["backup", "--to", "file:copy.db"])
        .env("DATABASE_URL", ws.db())
        .current_dir(ws.path())
        .output()
        .expect("run baton backup");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("starts with `file:`"), "{said}");
    let made: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("uri") || n.contains("copy"))
        .collect();
    assert!(made.is_empty(), "{made:?}");
}

#[test]
fn a_backdated_time_with_pm_a_lowercase_zone_or_a_day_word_is_read_as_meant_or_refused() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2026-11-19 09:00",
        "/handover @bob",
        ":now 2026-11-21 12:00",
        // `pm` once fell into the notes: the handover was recorded at 05:30, twelve hours early.
        "/handover @carol at 2026-11-20 5:30 pm",
        // A day word after `at` once left the whole time as notes: recorded now.
        "/handover @dave at yesterday 18:00",
        "/handover history 2",
    ]);
    let r = replies(&out);
    assert!(r[3].contains("Effective from Fri 20 Nov, 17:30"), "{out}");
    assert!(!r[3].contains("> pm"), "{out}");
    assert!(
        r[4].contains("Baton does not read `yesterday 18:00` as a date"),
        "{out}"
    );
    assert!(
        r[5].contains("• 2026-11-20 17:30 GMT @bob → @carol"),
        "{out}"
    );
    assert!(!r[5].contains("@dave"), "{out}");

    // In the hour the clocks go back, `bst` and `GMT+0` pick their 01:xx, as `BST` and `GMT` do.
    let out = ws.run(&[
        ":channel late",
        ":now 2026-10-24 09:00",
        "/handover @bob",
        ":now 2026-10-25 12:00",
        "/handover @carol at 2026-10-25 01:30 GMT+0 rebooted",
        "/handover @dave at 2026-10-25 01:45 bst",
    ]);
    let r = replies(&out);
    assert!(
        r[4].contains("Effective from Sun 25 Oct, 01:30 GMT"),
        "{out}"
    );
    assert!(r[4].contains("> rebooted"), "{out}");
    assert!(
        r[5].contains(
            "A handover must be later than this channel's latest one (2026-10-25 01:30 GMT)"
        ),
        "01:45 BST came before 01:30 GMT, so it is refused: {out}"
    );
}

#[test]
fn the_pretend_clock_can_be_set_to_either_occurrence_of_the_hour_the_clocks_go_back() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2026-10-25 01:30",
        ":now 2026-10-25 01:30 GMT",
        ":now 2026-10-25 01:30 CET",
        ":now 2026-10-25 1:30 am GMT",
        ":now 2026-11-20 5:30 pm",
    ]);
    let r = replies(&out);
    assert!(r[0].contains("It is now 2026-10-25 01:30 BST"), "{out}");
    assert!(r[1].contains("It is now 2026-10-25 01:30 GMT"), "{out}");
    assert!(
        r[2].contains("Usage: :now YYYY-MM-DD HH:MM [ZONE]"),
        "{out}"
    );
    assert!(r[2].contains("is BST or GMT, not CET"), "{out}");
    assert!(r[3].contains("It is now 2026-10-25 01:30 GMT"), "{out}");
    assert!(r[4].contains("It is now 2026-11-20 17:30 GMT"), "{out}");
}

#[test]
fn the_pretend_clock_and_remind_follow_the_local_date_on_both_clock_change_days() {
    // Reminders on Sundays only: in 2026 the clocks go forward on Sunday 29 March (01:00 GMT to
    // 02:00 BST) and back on Sunday 25 October (02:00 BST to 01:00 GMT).
    let ws = Workspace::with_config("[reminders]\ndays = [\"sun\"]\n");
    let out = ws.run(&[
        ":now 2026-03-29 00:30",
        "/handover @bob",
        ":now 2026-03-29 01:30",
        // Monday 00:30 BST, still Sunday in UTC.
        ":now 2026-03-30 00:30",
        ":remind",
        // Back to the last hour of that Sunday (a reminder records no handover).
        ":now 2026-03-29 23:30",
        ":remind",
        // Sunday 00:30 BST, still Saturday in UTC.
        ":now 2026-10-25 00:30",
        ":remind",
        // The second 01:30 that Sunday, and a handover in it.
        ":now 2026-10-25 01:30 GMT",
        "/handover @carol",
        "/handover",
        ":remind",
    ]);
    let r = replies(&out);
    // What each reply says, in order.
    let expected = [
        "It is now 2026-03-29 00:30 GMT",
        "[public in #ops] @bob is now on call here",
        "2026-03-29 01:30 does not exist in Europe/London: the clocks went forward over it.",
        "It is now 2026-03-30 00:30 BST",
        "No reminders are due",
        "It is now 2026-03-29 23:30 BST",
        "[public in #ops] @bob is on call here, since Sun 29 Mar, 00:30.",
        "It is now 2026-10-25 00:30 BST",
        "[public in #ops] @bob is on call here, since Sun 29 Mar, 00:30.",
        "It is now 2026-10-25 01:30 GMT",
        "[public in #ops] @alice handed the pager from @bob to @carol.",
        "@carol is on call here since Sun 25 Oct, 01:30 GMT",
        // Sunday's reminder went out at 00:30 BST, on this same local date.
        "No reminders are due",
    ];
    assert_eq!(r.len(), expected.len(), "{out}");
    for (i, said) in expected.iter().enumerate() {
        assert!(r[i].contains(said), "reply {i} should say {said:?}: {out}");
    }
}

#[test]
fn a_handover_recorded_ahead_of_now_is_shown_as_coming_and_whoever_holds_the_pager_now_as_on_call()
{
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2026-12-28 09:00",
        "/handover @dave",
        // A clock that was ahead (or a second Baton's) records the next handover early.
        ":now 2027-01-04 09:00",
        "/handover @bob",
        ":now 2026-12-30 09:00",
        "/handover",
        "/handover rota @dave @bob",
        "/handover rota",
        // A channel whose only handover is ahead has nobody on call yet.
        ":channel fresh",
        ":now 2027-01-04 09:00",
        "/handover @carol",
        ":now 2026-12-30 09:00",
        "/handover",
        "/handover rota",
    ]);
    let private: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| r.starts_with("[private to alice]"))
        .collect();
    assert_eq!(private.len(), 4, "{out}");
    // (reply, what it says)
    let cases = [
        (
            0,
            "[private to alice] @dave is on call here since Mon 28 Dec, 09:00.\n@bob takes over on \
             Mon 4 Jan 2027, 09:00 (recorded ahead of now, by @alice).",
        ),
        (0, "Until then a handover here is refused"),
        (0, "whoever recorded it or an admin can `/handover undo` it"),
        (1, "*@dave* (on call) → @bob"),
        (
            1,
            "On call now: @dave. @bob takes over on Mon 4 Jan 2027, 09:00 (recorded ahead of \
             now, by @alice).",
        ),
        (
            2,
            "[private to alice] Nobody is on call in this channel now.\n@carol takes over on Mon 4 \
             Jan 2027, 09:00 (recorded ahead of now, by @alice).",
        ),
        // No rota order, but a handover ahead: said there too.
        (
            3,
            "This channel has no rota order yet. An admin can set one with `/handover rota @a @b \
             @c`.\nNobody is on call now. @carol takes over on Mon 4 Jan 2027, 09:00 (recorded \
             ahead of now, by @alice).",
        ),
    ];
    for (i, says) in cases {
        assert!(
            private[i].contains(says),
            "reply {i} should say {says:?}: {out}"
        );
    }
    assert!(!private[0].contains("@bob is on call"), "{out}");
    assert!(!private[2].contains("An admin starts the rota"), "{out}");
}

#[test]
fn the_morning_reminder_names_whoever_holds_the_pager_now_not_a_handover_recorded_ahead() {
    let ws = Workspace::with_config("[reminders]\n");
    let out = ws.run(&[
        ":now 2026-12-28 09:00",
        "/handover @dave",
        // A clock that was ahead records the next handovers early.
        ":now 2027-01-04 09:00",
        "/handover @bob",
        ":channel fresh",
        "/handover @carol",
        // Wednesday, a reminder day, after its time.
        ":now 2026-12-30 09:30",
        ":remind",
    ]);
    let r = replies(&out);
    let reminders: Vec<&String> = r
        .iter()
        .filter(|l| l.contains("is on call here, since"))
        .collect();
    // In #ops, dave's shift; in #fresh, nobody's yet, so no reminder there.
    assert_eq!(reminders.len(), 1, "{out}");
    assert!(
        reminders[0].starts_with("[public in #ops] @dave is on call here, since Mon 28 Dec"),
        "{out}"
    );
}

#[test]
fn a_deactivated_person_a_handover_ahead_gives_the_pager_to_is_warned_about_not_the_rotas_next() {
    let ws = Workspace::new();
    let out = ws.run(&[
        ":now 2026-11-16 09:00",
        "/handover rota @bob @carol @dave",
        "/handover @bob",
        ":now 2026-11-23 09:30",
        "/handover @dave",
        ":now 2026-11-20 10:00",
        ":deactivate carol",
        ":deactivate dave",
        "/handover",
    ]);
    let status = replies(&out).pop().unwrap_or_default();
    assert!(
        status.contains(
            ":warning: @dave is deactivated in Slack, but the handover recorded ahead gives them \
             the pager"
        ),
        "{out}"
    );
    // Carol, the rota's next, is not who takes over: no warning about `next` refusing her.
    assert!(!status.contains("@carol"), "{out}");
}

#[test]
fn a_handover_a_minute_ahead_has_begun_for_the_reminder_as_for_the_status() {
    // Another clock on the database, a little ahead: within the skew Baton allows.
    let ws = Workspace::with_config("[reminders]\n");
    let out = ws.run(&[
        ":now 2026-11-20 10:01",
        "/handover @dave",
        ":now 2026-11-20 10:00",
        ":remind",
        "/handover",
    ]);
    let r = replies(&out);
    assert!(
        r.iter()
            .any(|l| l.starts_with("[public in #ops] @dave is on call here, since")),
        "{out}"
    );
    assert!(
        r.iter()
            .any(|l| l.starts_with("[private to alice] @dave is on call here since")),
        "{out}"
    );
    assert!(!out.contains("takes over"), "{out}");
}

#[test]
fn a_reminder_with_a_handover_recorded_ahead_names_it_and_neither_the_rota_nor_the_handover_day() {
    let ws = Workspace::with_config("[reminders]\nhandover_day = \"mon\"\n");
    let out = ws.run(&[
        ":now 2026-11-16 09:00",
        "/handover rota @bob @carol @dave",
        "/handover @bob",
        // A clock that was ahead records dave's, erin's and frank's takeovers early.
        ":now 2026-11-23 09:30",
        "/handover @dave",
        ":now 2026-11-25 09:00",
        "/handover @erin",
        ":now 2026-11-27 09:00",
        "/handover @frank",
        // Friday, the last reminder day before Monday's handover: no heads-up for carol.
        ":now 2026-11-20 10:00",
        ":remind",
        // Monday, before dave's takeover: not "due today" with a `/handover next` refused.
        ":now 2026-11-23 09:10",
        ":remind",
        "/handover",
        // Refused for the handovers ahead, not judged against dave as if he were on call.
        ":as carol",
        "/handover next",
        ":as alice",
        // Each undo leaves bob on call, and says which handover comes first. (A second undo
        // names whose handover it undoes.)
        "/handover undo",
        "/handover undo @erin",
        "/handover undo @dave",
    ]);
    let r = replies(&out);
    let reminders: Vec<&String> = r
        .iter()
        .filter(|l| l.contains("is on call here, since"))
        .collect();
    assert_eq!(reminders.len(), 2, "{out}");
    for reminder in &reminders {
        assert!(
            reminder.starts_with("[public in #ops] @bob is on call here, since Mon 16 Nov"),
            "{out}"
        );
        assert!(
            reminder.contains(
                "\n@dave takes over on Mon 23 Nov, 09:30 (recorded ahead of now, by \
                 @alice)."
            ),
            "{out}"
        );
        assert!(!reminder.contains("Next in the rota"), "{out}");
        assert!(!reminder.contains("is due"), "{out}");
    }
    assert!(!out.contains("[direct message to"), "{out}");
    // The status names the first handover coming, and that more follow it.
    let status = r
        .iter()
        .find(|l| l.starts_with("[private to alice] @bob is on call here since"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        status.contains("@dave takes over on Mon 23 Nov, 09:30")
            && status
                .contains("More are recorded after it, the latest taking effect on Fri 27 Nov"),
        "{out}"
    );
    let next = r
        .iter()
        .find(|l| l.starts_with("[private to carol]"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(next.contains("later than now"), "{out}");
    let undos = &r[r.len() - 3..];
    let bob = "@bob is on call here since Mon 16 Nov, 09:00.";
    let dave = "@dave takes over on Mon 23 Nov, 09:30 (recorded ahead of now, by @alice).";
    let cases = [
        format!(
            "undid the handover from @erin to @frank (effective Fri 27 Nov, 09:00). {bob} {dave} \
             More are recorded after it, the latest taking effect on Wed 25 Nov, 09:00 \
             (`/handover history` lists them)."
        ),
        format!(
            "undid the handover from @dave to @erin (effective Wed 25 Nov, 09:00). {bob} {dave}"
        ),
        "undid the handover from @bob to @dave (effective Mon 23 Nov, 09:30). @bob is still on \
         call, since Mon 16 Nov, 09:00."
            .to_owned(),
    ];
    for (undo, says) in undos.iter().zip(cases) {
        assert!(undo.ends_with(&says), "{says:?}: {out}");
    }
}

#[test]
fn every_refused_handover_says_what_to_do_and_that_nothing_changed() {
    let ws = Workspace::new();
    // (command, what its refusal says; None: not refused)
    let steps: [(&str, Option<&str>); 18] = [
        (":now 2026-03-03 09:00", None),
        ("/handover next", Some("no rota order yet")),
        ("/handover undo", Some("no handover to undo")),
        ("/handover rota @bob @baton", Some("@baton is a bot")),
        (":deactivate dave", None),
        ("/handover @dave", Some("@dave has been deactivated")),
        (
            "/handover rota @bob @dave",
            Some("@dave has been deactivated"),
        ),
        ("/handover @bob", None),
        ("/handover rota @bob", None),
        ("/handover next", Some("has only the person on call")),
        ("/handover @bob", Some("already on call")),
        (
            "/handover @carol at 2026-03-04 09:00",
            Some("is in the future"),
        ),
        (
            "/handover @carol at 2026-03-02 09:00",
            Some("later than this channel's latest"),
        ),
        (":as carol", None),
        (
            "/handover rota @carol @bob",
            Some("Only an admin can set the rota order"),
        ),
        (
            "/handover @carol at 2026-03-03 08:00",
            Some("Only an admin can record"),
        ),
        ("/handover end", Some("Only an admin can end standby here")),
        (
            "/handover undo",
            Some("Only @alice (who recorded the latest handover)"),
        ),
    ];
    let lines: Vec<&str> = steps.iter().map(|(line, _)| *line).collect();
    let out = ws.run(&lines);
    let refusals: Vec<String> = replies(&out)
        .into_iter()
        .filter(|r| r.starts_with("[private to"))
        .collect();
    let expected: Vec<&str> = steps.iter().filter_map(|(_, says)| *says).collect();
    assert_eq!(refusals.len(), expected.len(), "{out}");
    for (refusal, says) in refusals.iter().zip(expected) {
        assert!(refusal.contains(says), "{says:?}: {refusal}");
        assert!(refusal.ends_with(" Nothing changed."), "{refusal}");
    }
}
