//! The engine on a temp SQLite store, with a directory that knows everyone until `down`.

use crate::commands::{
    AccountKind, CommandName, Directory, DirectoryError, Engine, EngineSettings, Invocation,
    MentionRef, Person,
};
use crate::domain::ids::{ChannelId, ChannelName, UserId};
use crate::domain::pay::{ChannelRota, PayPolicy};
use crate::domain::rota::{ChannelState, Handover, NewHandover, Undo};
use crate::store::{
    ChannelOnCall, Claim, PayScope, Recorded, SqliteStore, Store, StoreError, Undone,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Default)]
struct Switchable {
    down: Arc<AtomicBool>,
}

impl Directory for Switchable {
    async fn lookup(&self, who: &MentionRef) -> Result<Option<Person>, DirectoryError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(DirectoryError::Unavailable(
                "Slack is having trouble".into(),
            ));
        }
        let MentionRef::Id(id) = who else {
            return Ok(None);
        };
        Ok(Some(Person {
            id: id.clone(),
            name: id.as_str().to_lowercase(),
            kind: AccountKind::Person,
        }))
    }
}

const ADMIN: &str = "U0ADMIN001";
const ALICE: &str = "U0ALICE001";
const BOB: &str = "U0BOB00001";
const CAROL: &str = "U0CAROL001";

async fn engine() -> (
    Engine<SqliteStore, Switchable>,
    Switchable,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("b.db").to_string_lossy())
        .await
        .unwrap();
    let tz = chrono_tz::Europe::London;
    let settings = Arc::new(EngineSettings {
        timezone: tz,
        // Alice starts the rotas these tests hand over in.
        admins: [UserId::parse(ADMIN).unwrap(), UserId::parse(ALICE).unwrap()].into(),
        pay: PayPolicy::unconfigured(tz),
    });
    let directory = Switchable::default();
    (
        Engine::new(store, directory.clone(), settings),
        directory,
        dir,
    )
}

fn inv(user: &str, text: &str, key: &str) -> Invocation {
    Invocation {
        user: UserId::parse(user).unwrap(),
        channel: ChannelId::parse("C0OPS00001").unwrap(),
        channel_name: ChannelName::from_slack("ops"),
        command: CommandName::Handover,
        text: text.to_owned(),
        now: super::t("2025-03-03T09:00:00Z"),
        dedup_key: Some(format!("T0001:{key}")),
    }
}

#[tokio::test]
async fn a_redelivered_handover_gets_the_first_answer_though_the_directory_is_down_now() {
    let (engine, directory, _dir) = engine().await;
    let to_bob = format!("<@{BOB}|bob> quiet week");
    let first = engine.answer(inv(ALICE, &to_bob, "k1")).await;
    assert_eq!(first.outcome, "recorded", "{}", first.reply.text);
    directory.down.store(true, Ordering::SeqCst);
    let again = engine.answer(inv(ALICE, &to_bob, "k1")).await;
    assert_eq!(again.outcome, "duplicate", "{}", again.reply.text);
    assert_eq!(again.reply, first.reply);
    // A new submission while the directory is down still fails, and says so.
    let new = engine.answer(inv(ALICE, &to_bob, "k2")).await;
    assert!(new.reply.is_private(), "{}", new.reply.text);
    assert_ne!(new.outcome, "duplicate");
}

#[tokio::test]
async fn a_repeated_handover_undone_or_followed_since_is_not_announced_again() {
    let (engine, _directory, _dir) = engine().await;
    let to_bob = format!("<@{BOB}|bob> quiet week");
    let first = engine.answer(inv(ALICE, &to_bob, "k1")).await;
    assert_eq!(first.outcome, "recorded", "{}", first.reply.text);
    // Still the latest: the first answer again, to the channel.
    let again = engine.answer(inv(ALICE, &to_bob, "k1")).await;
    assert_eq!((again.outcome, &again.reply), ("duplicate", &first.reply));
    // Followed by another handover: told privately, nothing recorded.
    let to_carol = format!("<@{CAROL}|carol>");
    let carol = engine.answer(inv(BOB, &to_carol, "k2")).await;
    assert_eq!(carol.outcome, "recorded", "{}", carol.reply.text);
    let again = engine.answer(inv(ALICE, &to_bob, "k1")).await;
    assert_eq!(again.outcome, "duplicate");
    assert!(again.reply.is_private(), "{}", again.reply.text);
    assert_eq!(
        again.reply.text,
        "This command was recorded the first time it came, at 2025-03-03 09:00 GMT, and since \
         then another handover has followed it. Nothing changed now; `/handover` shows who is on \
         call."
    );
    // Undone: says who undid it.
    let undo = engine.answer(inv(BOB, "undo", "k3")).await;
    assert_eq!(undo.outcome, "undone", "{}", undo.reply.text);
    let undo = engine
        .answer(inv(ALICE, &format!("undo <@{BOB}|bob>"), "k4"))
        .await;
    assert_eq!(undo.outcome, "undone", "{}", undo.reply.text);
    let again = engine.answer(inv(ALICE, &to_bob, "k1")).await;
    assert!(again.reply.is_private(), "{}", again.reply.text);
    assert!(
        again.reply.text.contains(&format!(
            "since then <@{ALICE}> undid it at 2025-03-03 09:00 GMT"
        )),
        "{}",
        again.reply.text
    );
    let state = engine
        .store
        .channel_state(&inv(ALICE, "", "k").channel)
        .await
        .unwrap();
    assert_eq!(state.current, None);
}

/// The SQLite store, counting (and, when asked, failing) `remember_name` calls, and counting the
/// handovers it is asked to record with a channel name to store.
#[derive(Clone)]
struct Counting {
    inner: SqliteStore,
    names: Arc<AtomicUsize>,
    channel_names: Arc<AtomicUsize>,
    fail_names: Arc<AtomicUsize>,
    /// Handovers whose channel name the store fails to keep (the handover itself recorded).
    fail_channel_names: Arc<AtomicUsize>,
    /// A rota order another admin sets between a command's read and its write.
    reorder: Arc<std::sync::Mutex<Option<Vec<UserId>>>>,
    /// Reads of a channel as of an instant that fail (the database busy with another process).
    fail_channel_at: Arc<AtomicUsize>,
}

impl Store for Counting {
    async fn channel_state(&self, c: &ChannelId) -> Result<ChannelState, StoreError> {
        self.inner.channel_state(c).await
    }
    async fn channel_at(
        &self,
        c: &ChannelId,
        at: DateTime<Utc>,
    ) -> Result<(ChannelState, Option<crate::domain::rota::Ahead>), StoreError> {
        let fail = self
            .fail_channel_at
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if fail.is_ok() {
            return Err(StoreError::Corrupt("database is locked".into()));
        }
        self.inner.channel_at(c, at).await
    }
    async fn record_named_handover<F, E>(
        &self,
        c: &ChannelId,
        name: Option<&ChannelName>,
        key: Option<&str>,
        decide: F,
    ) -> Result<Result<Recorded, E>, StoreError>
    where
        F: FnOnce(&ChannelState) -> Result<NewHandover, E> + Send + 'static,
        E: Send + 'static,
    {
        let reorder = self.reorder.lock().ok().and_then(|mut r| r.take());
        if let Some(order) = reorder {
            let admin = UserId::parse(ADMIN).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            self.inner
                .set_rota(c, &order, &admin, super::t("2025-03-03T09:00:00Z"), None)
                .await?;
        }
        if name.is_some() {
            self.channel_names.fetch_add(1, Ordering::SeqCst);
            let failing =
                self.fail_channel_names
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            if failing.is_ok() {
                let recorded = self
                    .inner
                    .record_named_handover(c, None, key, decide)
                    .await?;
                return Ok(recorded.map(|r| Recorded {
                    channel_name_failed: true,
                    ..r
                }));
            }
        }
        self.inner.record_named_handover(c, name, key, decide).await
    }
    async fn recorded_with_key(&self, key: &str) -> Result<Option<Handover>, StoreError> {
        self.inner.recorded_with_key(key).await
    }
    async fn undo_latest<F, E>(
        &self,
        c: &ChannelId,
        key: Option<&str>,
        decide: F,
    ) -> Result<Result<Undone, E>, StoreError>
    where
        F: FnOnce(&ChannelState, Option<&Handover>) -> Result<Undo, E> + Send + 'static,
        E: Send + 'static,
    {
        self.inner.undo_latest(c, key, decide).await
    }
    async fn rota_set_before(
        &self,
        key: &str,
    ) -> Result<Option<crate::store::RotaBefore>, StoreError> {
        self.inner.rota_set_before(key).await
    }
    async fn set_rota(
        &self,
        c: &ChannelId,
        members: &[UserId],
        actor: &UserId,
        at: DateTime<Utc>,
        key: Option<&str>,
    ) -> Result<crate::store::RotaSet, StoreError> {
        self.inner.set_rota(c, members, actor, at, key).await
    }
    async fn history(&self, c: &ChannelId, n: u32) -> Result<Vec<Handover>, StoreError> {
        self.inner.history(c, n).await
    }
    async fn pay_history(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: PayScope<'_>,
    ) -> Result<Vec<ChannelRota>, StoreError> {
        self.inner.pay_history(start, end, scope).await
    }
    async fn remember_name(
        &self,
        user: &UserId,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.names.fetch_add(1, Ordering::SeqCst);
        let fail = self
            .fail_names
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if fail.is_ok() {
            return Err(StoreError::Corrupt("disk I/O error".into()));
        }
        self.inner.remember_name(user, name, at).await
    }
    async fn names(&self, u: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
        self.inner.names(u).await
    }
    async fn channels_on_call(&self, at: DateTime<Utc>) -> Result<Vec<ChannelOnCall>, StoreError> {
        self.inner.channels_on_call(at).await
    }
    async fn claim_reminder(
        &self,
        c: &ChannelId,
        date: NaiveDate,
        claimant: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        self.inner
            .claim_reminder(c, date, claimant, now, stale_before)
            .await
    }
    async fn mark_reminder_sent(
        &self,
        c: &ChannelId,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.inner.mark_reminder_sent(c, date, now).await
    }
    async fn release_reminder(
        &self,
        c: &ChannelId,
        date: NaiveDate,
        claimant: &str,
    ) -> Result<(), StoreError> {
        self.inner.release_reminder(c, date, claimant).await
    }
}

/// [`engine`], on a [`Counting`] store (returned too, to count and steer it).
async fn counting_engine() -> (Engine<Counting, Switchable>, Counting, tempfile::TempDir) {
    let (engine, _directory, dir) = engine().await;
    let counting = Counting {
        inner: engine.store.clone(),
        names: Arc::default(),
        channel_names: Arc::default(),
        fail_names: Arc::default(),
        fail_channel_names: Arc::default(),
        reorder: Arc::default(),
        fail_channel_at: Arc::default(),
    };
    let engine = Engine::new(
        counting.clone(),
        Switchable::default(),
        engine.settings.clone(),
    );
    (engine, counting, dir)
}

#[tokio::test]
async fn a_redelivered_rota_order_does_not_put_back_the_order_set_since() {
    let (engine, directory, _dir) = engine().await;
    let order = format!("rota <@{BOB}|bob> <@{CAROL}|carol>");
    let first = engine.answer(inv(ALICE, &order, "k1")).await;
    assert_eq!(first.outcome, "rota_set", "{}", first.reply.text);
    // Its ack lost, Slack sends it again, perhaps while the directory that failed it is down:
    // the first answer.
    directory.down.store(true, Ordering::SeqCst);
    let again = engine.answer(inv(ALICE, &order, "k1")).await;
    assert_eq!((again.outcome, &again.reply), ("duplicate", &first.reply));
    directory.down.store(false, Ordering::SeqCst);
    // Another admin sets another order; the first command comes once more.
    let other = engine
        .answer(inv(ADMIN, &format!("rota <@{CAROL}|carol>"), "k2"))
        .await;
    assert_eq!(other.outcome, "rota_set", "{}", other.reply.text);
    let late = engine.answer(inv(ALICE, &order, "k1")).await;
    assert_eq!(late.outcome, "duplicate");
    assert!(late.reply.is_private(), "{}", late.reply.text);
    assert!(
        late.reply.text.contains("the order has been changed since"),
        "{}",
        late.reply.text
    );
    let state = engine
        .store
        .channel_state(&inv(ALICE, "", "k").channel)
        .await
        .unwrap();
    assert_eq!(state.rota, [UserId::parse(CAROL).unwrap()]);
}

#[tokio::test]
async fn an_undo_is_announced_though_reading_who_holds_the_pager_after_it_fails() {
    let (engine, counting, _dir) = counting_engine().await;
    // Two handovers recorded by a clock an hour ahead: both still ahead at 09:00.
    let ahead = |mut inv: Invocation| {
        inv.now = super::t("2025-03-03T10:00:00Z");
        inv
    };
    for (to, key) in [(BOB, "k1"), (CAROL, "k2")] {
        let done = engine
            .answer(ahead(inv(ALICE, &format!("<@{to}|x>"), key)))
            .await;
        assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
    }
    counting.fail_channel_at.store(1, Ordering::SeqCst);
    let undo = engine.answer(inv(ADMIN, "undo", "k3")).await;
    assert_eq!(undo.outcome, "undone", "{}", undo.reply.text);
    assert!(!undo.reply.is_private(), "{}", undo.reply.text);
    assert!(
        undo.reply.text.starts_with(&format!(
            "<@{ADMIN}> undid the handover from <@{BOB}> to <@{CAROL}>"
        )),
        "{}",
        undo.reply.text
    );
    assert_eq!(counting.fail_channel_at.load(Ordering::SeqCst), 0);
}

fn in_channel(mut inv: Invocation, channel: usize) -> Invocation {
    inv.channel = ChannelId::parse(&format!("C0CHAN{channel:04}")).unwrap();
    inv
}

#[tokio::test]
async fn a_burst_of_handovers_to_someone_new_stores_their_name_once() {
    let (engine, counting, _dir) = counting_engine().await;
    let to_bob = format!("<@{BOB}|bob>");
    let burst =
        (0..20).map(|i| engine.answer(in_channel(inv(ALICE, &to_bob, &format!("b{i}")), i)));
    for done in futures_util::future::join_all(burst).await {
        assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
    }
    assert_eq!(counting.names.load(Ordering::SeqCst), 1);
    // A name whose write failed is tried again by the next handover to that person.
    let to_carol = format!("<@{CAROL}|carol>");
    counting.fail_names.store(1, Ordering::SeqCst);
    for i in 0..3 {
        let done = engine
            .answer(in_channel(inv(ALICE, &to_carol, &format!("c{i}")), 100 + i))
            .await;
        assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
    }
    assert_eq!(counting.names.load(Ordering::SeqCst), 1 + 2);
}

#[tokio::test]
async fn a_channels_name_is_stored_with_its_recorded_handovers_and_again_only_when_it_changes() {
    let (engine, counting, dir) = counting_engine().await;
    // Back and forth, so that each handover changes who is on call.
    let to = |i: usize| match i % 2 {
        0 => format!("<@{BOB}|bob>"),
        _ => format!("<@{CAROL}|carol>"),
    };
    let stored = || async {
        crate::store::ReadOnlyStore::open(&dir.path().join("b.db").to_string_lossy())
            .await
            .unwrap()
            .channel_names()
            .await
            .unwrap()
    };
    let ops = ChannelId::parse("C0OPS00001").unwrap();
    for i in 0..5 {
        let done = engine.answer(inv(ALICE, &to(i), &format!("n{i}"))).await;
        assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
    }
    assert_eq!(counting.channel_names.load(Ordering::SeqCst), 1);
    assert_eq!(stored().await.get(&ops).map(String::as_str), Some("ops"));

    // Renamed in Slack, but the handover is refused in the store (Bob is on call already): the
    // new name is not stored, and not taken as stored either.
    let mut renamed = inv(ALICE, &to(4), "same");
    renamed.channel_name = ChannelName::from_slack("data-platform");
    let refused = engine.answer(renamed).await;
    assert_eq!(refused.outcome, "refused", "{}", refused.reply.text);
    assert_eq!(counting.channel_names.load(Ordering::SeqCst), 2);
    assert_eq!(stored().await.get(&ops).map(String::as_str), Some("ops"));

    // The next handovers store the new name, once.
    for i in 5..8 {
        let mut renamed = inv(ALICE, &to(i), &format!("r{i}"));
        renamed.channel_name = ChannelName::from_slack("data-platform");
        let done = engine.answer(renamed).await;
        assert_eq!(done.outcome, "recorded", "{}", done.reply.text);
    }
    assert_eq!(counting.channel_names.load(Ordering::SeqCst), 3);
    assert_eq!(
        stored().await.get(&ops).map(String::as_str),
        Some("data-platform")
    );
}

#[tokio::test]
async fn a_channels_name_that_failed_to_store_is_stored_with_the_next_handover_there() {
    let (engine, counting, dir) = counting_engine().await;
    let path = dir.path().join("b.db");
    let stored = || async {
        crate::store::ReadOnlyStore::open(&path.to_string_lossy())
            .await
            .unwrap()
            .channel_names()
            .await
            .unwrap()
    };
    // The name fails to store on its own; the handover is recorded all the same.
    counting.fail_channel_names.store(1, Ordering::SeqCst);
    let first = engine
        .answer(inv(ALICE, &format!("<@{BOB}|bob>"), "f1"))
        .await;
    assert_eq!(first.outcome, "recorded", "{}", first.reply.text);
    assert!(stored().await.is_empty());
    let second = engine
        .answer(inv(ALICE, &format!("<@{CAROL}|carol>"), "f2"))
        .await;
    assert_eq!(second.outcome, "recorded", "{}", second.reply.text);
    assert_eq!(counting.channel_names.load(Ordering::SeqCst), 2);
    let ops = ChannelId::parse("C0OPS00001").unwrap();
    assert_eq!(stored().await.get(&ops).map(String::as_str), Some("ops"));
}

#[tokio::test]
async fn next_is_refused_when_the_rota_order_changes_between_reading_it_and_recording() {
    let (engine, counting, _dir) = counting_engine().await;
    let order = format!("rota <@{ALICE}|alice> <@{BOB}|bob> <@{CAROL}|carol>");
    assert_eq!(
        engine.answer(inv(ADMIN, &order, "r1")).await.outcome,
        "rota_set"
    );
    let to_alice = format!("<@{ALICE}|alice>");
    assert_eq!(
        engine.answer(inv(ADMIN, &to_alice, "h1")).await.outcome,
        "recorded"
    );
    // Read: bob is next. Before the write, another admin puts carol after alice.
    let reordered = [ALICE, CAROL, BOB]
        .map(|u| UserId::parse(u).unwrap())
        .to_vec();
    if let Ok(mut r) = counting.reorder.lock() {
        *r = Some(reordered);
    }
    let next = engine.answer(inv(ALICE, "next", "n1")).await;
    assert_eq!(next.outcome, "refused", "{}", next.reply.text);
    assert!(
        next.reply
            .text
            .starts_with("The rota changed while you were typing"),
        "{}",
        next.reply.text
    );
    let state = counting
        .channel_state(&ChannelId::parse("C0OPS00001").unwrap())
        .await
        .unwrap();
    assert_eq!(
        state.on_call(),
        Some(&UserId::parse(ALICE).unwrap()),
        "nothing recorded"
    );
}

#[tokio::test]
async fn a_redelivered_handover_next_gets_the_first_answer_after_the_rota_moved_on() {
    let (engine, _directory, _dir) = engine().await;
    let setup = [
        (ADMIN, format!("<@{ALICE}|alice>"), "k1"),
        (ADMIN, format!("rota <@{BOB}|bob>"), "k2"),
    ];
    for (who, text, key) in setup {
        let done = engine.answer(inv(who, &text, key)).await;
        assert!(!done.reply.is_private(), "{}", done.reply.text);
    }
    let first = engine.answer(inv(ALICE, "next", "k3")).await;
    assert_eq!(first.outcome, "recorded", "{}", first.reply.text);
    // Bob is on call now and the only one in the order: judged afresh, "next" would be
    // refused, though this very submission is what put him there.
    let again = engine.answer(inv(ALICE, "next", "k3")).await;
    assert_eq!(again.outcome, "duplicate", "{}", again.reply.text);
    assert_eq!(again.reply, first.reply);
}
