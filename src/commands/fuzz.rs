//! Fuzzing the command text: arbitrary UTF-8, and word salads of the grammar's own tokens, go
//! through the real engine on a temp SQLite store with a stand-in directory. Whatever is typed,
//! the engine must not panic (on its own task or on the store's writer, where a panic becomes an
//! apology logged as `internal_error`) and must answer with a non-empty reply.

use super::{
    AccountKind, CommandName, Directory, DirectoryError, Engine, EngineSettings, Invocation,
    MentionRef, Person,
};
use crate::domain::ids::{ChannelId, UserId};
use crate::domain::pay::PayPolicy;
use crate::store::SqliteStore;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const ADMIN: &str = "U0ADMIN001";

/// Knows people by id prefix, so that every answer the directory can give is reachable.
#[derive(Clone)]
struct Stand;

impl Directory for Stand {
    async fn lookup(&self, who: &MentionRef) -> Result<Option<Person>, DirectoryError> {
        let raw = match who {
            MentionRef::Id(id) => id.as_str().to_owned(),
            MentionRef::Name(name) => name.clone(),
        };
        let kind = if raw.starts_with("U0BOT") {
            AccountKind::Bot
        } else if raw.starts_with("U0GONE") {
            AccountKind::Deactivated
        } else if raw.starts_with("U0DOWN") {
            return Err(DirectoryError::Unavailable("stand-in outage".into()));
        } else if raw.starts_with("U0NONE") || raw.is_empty() {
            return Ok(None);
        } else {
            AccountKind::Person
        };
        Ok(UserId::parse(&raw).ok().map(|id| Person {
            id,
            name: raw.to_lowercase(),
            kind,
        }))
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    engine: Engine<SqliteStore, Stand>,
    _dir: tempfile::TempDir,
    keys: AtomicU64,
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("fuzz.db");
        let store = runtime
            .block_on(SqliteStore::open(&path.to_string_lossy()))
            .expect("a temp store");
        let tz = chrono_tz::Europe::London;
        let settings = Arc::new(EngineSettings {
            timezone: tz,
            admins: [UserId::parse(ADMIN).expect("a valid id")].into(),
            pay: PayPolicy::unconfigured(tz),
        });
        Self {
            engine: Engine::new(store, Stand, settings),
            runtime,
            _dir: dir,
            keys: AtomicU64::new(0),
        }
    }

    /// The reply text for `text`, typed by `user` in `channel`, and the outcome it was logged
    /// with: a panic on the store's writer (where the handover rules run) comes back as an
    /// apology with the outcome `internal_error`, which only the outcome tells apart.
    fn reply(
        &self,
        command: CommandName,
        user: &str,
        channel: &str,
        text: &str,
    ) -> (String, &'static str) {
        let n = self.keys.fetch_add(1, Ordering::Relaxed);
        let inv = Invocation {
            user: UserId::parse(user).expect("a valid id"),
            channel: ChannelId::parse(channel).expect("a valid id"),
            channel_name: None,
            command,
            text: text.to_owned(),
            // A fixed, plausible clock with the cases spread over a few weeks.
            now: Utc
                .timestamp_opt(1_767_225_600 + (n as i64) * 3_607, 0)
                .unwrap(),
            dedup_key: (n % 3 == 0).then(|| format!("T0FUZZ:{}", n / 2)),
        };
        let answer = self.runtime.block_on(self.engine.answer(inv));
        (answer.reply.text, answer.outcome)
    }
}

/// Words from both grammars, Slack's escapes and the odd characters clients insert.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("help".to_owned()),
        Just("next".to_owned()),
        Just("undo".to_owned()),
        Just("end".to_owned()),
        Just("rota".to_owned()),
        Just("history".to_owned()),
        Just("at".to_owned()),
        Just("me".to_owned()),
        Just("team".to_owned()),
        Just("everyone".to_owned()),
        Just("<!channel>".to_owned()),
        Just("&lt;!here&gt;".to_owned()),
        // Glued to a word Baton quotes back: a date, a month.
        Just("2025-03-0<!here>".to_owned()),
        Just("2026-1<!channel>".to_owned()),
        Just("<#C0OTHER01|general>".to_owned()),
        Just("<!subteam^S0TEAM0001|@oncall>".to_owned()),
        Just("\u{201c}quoted\u{201d}".to_owned()),
        Just("\u{a0}".to_owned()),
        "[0-9]{1,4}",
        "20[0-9]{2}-[0-1][0-9](-[0-3][0-9])?",
        "[0-2][0-9]:[0-5][0-9]",
        "[0-9]{1,2}(am|pm|:[0-9]{1,2}(pm)?)",
        Just("+\u{a3}5".to_owned()),
        Just("yesterday".to_owned()),
        Just("Nov".to_owned()),
        Just("tonight".to_owned()),
        "U0(BOB|BOT|GONE|DOWN|NONE|ADMIN)[0-9]{3}"
            .prop_map(|id| format!("<@{id}|{}>", id.to_lowercase())),
        "U0(BOB|BOT|GONE|NONE)[0-9]{3}".prop_map(|id| format!("<@{id}>")),
        "@[a-z]{1,8}",
        any::<String>(),
    ]
}

/// Either any UTF-8 at all, or a sentence made of the grammar's words.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => prop::collection::vec(token(), 0..8).prop_map(|words| words.join(" ")),
        // Long texts: notes at and past the length limit.
        1 => (1_990usize..2_100).prop_map(|n| format!("<@U0BOB0001|bob> {}", "é".repeat(n))),
        // Backdated handovers and ends, well formed, around the fuzz clock: a word salad all
        // but never makes one.
        2 => backdated(),
    ]
}

/// `<who> at <date> <time> [zone] [notes]`: dates from 130 days before the fuzz clock's last
/// case to a few weeks after its first (so in the future for some), across the night the clocks
/// went back (26 October 2025), at any minute of the day, with the zones Baton reads and one it
/// does not.
fn backdated() -> impl Strategy<Value = String> {
    let who = prop_oneof![
        Just("<@U0BOB0001|bob>"),
        Just("<@U0CAROL01|carol>"),
        Just("<@U0GONE001|gone>"),
        Just("next"),
        Just("end"),
    ];
    let zone = prop_oneof![
        Just(""),
        Just(" GMT"),
        Just(" BST"),
        Just(" UTC"),
        Just(" +01:00"),
        Just(" CET"),
        Just(" bst"),
        Just(" GMT+0"),
        Just(" +1"),
        Just(" ET"),
        Just(" Europe/Berlin"),
        // Offsets with other characters in them: once split mid-character, a panic.
        Just(" +\u{a3}5"),
        Just(" GMT+\u{e9}1"),
        Just(" -\u{2014}"),
        Just(" pm"),
        Just(" p.m. tonight")
    ];
    // Now and then a broadcast glued to the date, which a refusal quotes back.
    let glued = prop_oneof![6 => Just(""), 1 => Just("<!here>")];
    (
        who,
        0..130_i64,
        glued,
        0..24_u32,
        0..60_u32,
        zone,
        "[a-z ]{0,12}",
    )
        .prop_map(|(who, back, glued, hour, minute, zone, notes)| {
            let last = chrono::NaiveDate::from_ymd_opt(2026, 1, 20).unwrap_or_default();
            let date = last - chrono::Duration::days(back);
            format!("{who} at {date}{glued} {hour:02}:{minute:02}{zone} {notes}")
        })
}

fn who() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(ADMIN), Just("U0BOB0001"), Just("U0CAROL01")]
}

fn channel() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("C0FUZZ0001"), Just("C0FUZZ0002")]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_handover_text_gets_a_reply_and_never_an_internal_error(user in who(), channel in channel(), text in text()) {
        thread_local!(static HARNESS: Harness = Harness::new());
        let (reply, outcome) = HARNESS.with(|h| h.reply(CommandName::Handover, user, channel, &text));
        prop_assert!(!reply.trim().is_empty(), "empty reply to {:?}", text);
        prop_assert_ne!(outcome, "internal_error", "{:?}: {}", text, reply);
        // Baton writes no broadcast or group mention of its own: one in a reply is typed text
        // quoted back unescaped.
        prop_assert!(!reply.contains("<!"), "{:?}: {}", text, reply);
    }

    #[test]
    fn any_oncall_pay_text_gets_a_reply_and_never_an_internal_error(user in who(), channel in channel(), text in text()) {
        thread_local!(static HARNESS: Harness = Harness::new());
        let (reply, outcome) = HARNESS.with(|h| h.reply(CommandName::OncallPay, user, channel, &text));
        prop_assert!(!reply.trim().is_empty(), "empty reply to {:?}", text);
        prop_assert_ne!(outcome, "internal_error", "{:?}: {}", text, reply);
        prop_assert!(!reply.contains("<!"), "{:?}: {}", text, reply);
    }
}
